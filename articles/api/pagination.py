"""Bounded page-number pagination for every list (INPUT-8): page_size is clamped, never unbounded."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
