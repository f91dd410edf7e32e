"""HTTP errors the API raises besides DRF's own (kept apart from errors.py, which imports DRF's views)."""

from rest_framework import status
from rest_framework.exceptions import APIException


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the server accepts."
    default_code = "payload_too_large"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag you last read (or If-Match: * to overwrite whatever is stored)."
    default_code = "precondition_required"
