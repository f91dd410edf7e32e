"""A project's webhooks over the API: register, change, rotate the secret, delete, read the log, replay.

Owners only (MANAGE_PROJECT): other members get a 403, non-members a 404 as everywhere. The rules live in
articles.webhooks; these views check shapes and answer. A hook's secret is in the answer to its creation
and to a rotation, and nowhere else. Each delivery names its job (`job`): cancelling a waiting delivery is
cancelling that job (POST /api/v1/jobs/{id}/cancel/), one way for both.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from articles import webhooks
from articles.access import require
from articles.api.fields import RequestSerializer, StrictBooleanField
from articles.api.schema import errors, path_id
from articles.api.views.base import PAGE_PARAMETERS
from articles.api.views.projects import PROJECT, ProjectChildViewSet
from articles.fetching import MAX_URL_LENGTH
from articles.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from articles.permissions import Action


class WebhookSerializer(serializers.ModelSerializer):
    """A registered hook: where it posts, which events, whether it is on (never its secret)."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = Webhook
        fields = ["id", "project", "url", "events", "active", "created_at", "updated_at", "secret_rotated_at"]
        read_only_fields = fields


class WebhookSecretSerializer(WebhookSerializer):
    """A hook with its secret: only in the answer that made the secret (creation, rotation)."""

    secret = serializers.CharField(
        read_only=True, help_text="Signs every delivery (see X-Annotator-Signature). Shown this once: keep it."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookCreateSerializer(RequestSerializer):
    url = serializers.CharField(
        max_length=MAX_URL_LENGTH,
        trim_whitespace=False,
        help_text="An http:// or https:// address on a public host; every delivery goes through the SSRF guard.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        min_length=1,
        max_length=len(WebhookEvent.values),
        help_text="The events it receives. `article.revised` is reserved: a hook may ask for it, nothing sends it yet.",
    )
    active = StrictBooleanField(default=True, help_text="Whether it receives events now.")


class WebhookUpdateSerializer(WebhookCreateSerializer):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, partial=True, **kwargs)


class DeliverySerializer(serializers.ModelSerializer):
    """One delivery of one event to the hook: how it went, and what was sent."""

    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    event = serializers.ChoiceField(choices=WebhookEvent.choices, read_only=True)
    payload = serializers.SerializerMethodField(help_text="The JSON body sent (the same on every try).")
    job = serializers.IntegerField(
        source="job_id",
        read_only=True,
        allow_null=True,
        help_text="The delivery as a job: follow it at GET /api/v1/jobs/{job}/, cancel it at POST "
        "/api/v1/jobs/{job}/cancel/ while it waits.",
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "event",
            "status",
            "attempts",
            "response_code",
            "duration_ms",
            "error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "replay_of",
            "job",
            "payload",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField())
    def get_payload(self, delivery: WebhookDelivery) -> Any:
        return json.loads(delivery.body)


HOOK = path_id("id", "webhook")


@extend_schema(parameters=[PROJECT], tags=["webhooks"])
@extend_schema_view(
    list=extend_schema(
        summary="A project's webhooks (owners)", responses={200: WebhookSerializer(many=True), **errors(400, 403, 404)}
    ),
    create=extend_schema(
        summary="Register a webhook (owners); the answer holds its secret, shown this once",
        request=WebhookCreateSerializer,
        responses={201: WebhookSecretSerializer, **errors(400, 403, 404, 413, 415)},
    ),
    retrieve=extend_schema(summary="One webhook (owners)", responses={200: WebhookSerializer, **errors(400, 403, 404)}),
    partial_update=extend_schema(
        summary="Change a webhook's address, events or on/off (owners)",
        request=WebhookUpdateSerializer,
        responses={200: WebhookSerializer, **errors(400, 403, 404, 413, 415)},
    ),
    destroy=extend_schema(
        summary="Delete a webhook with its delivery log (owners)", responses={204: None, **errors(403, 404)}
    ),
)
class WebhookViewSet(ProjectChildViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Addresses told about a project's events, each delivery signed with the hook's secret."""

    serializer_class = WebhookSerializer
    queryset = Webhook.objects.none()

    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require(self.get_project().my_role, Action.MANAGE_PROJECT)

    def get_queryset(self) -> QuerySet[Webhook]:
        return webhooks.webhooks_of(self.get_project())

    def get_object(self) -> Webhook:
        return webhooks.hook_for(self.get_project(), self.request.user, self.kwargs["pk"])

    def allowed_parameters(self) -> frozenset[str]:
        return PAGE_PARAMETERS if self.action == "deliveries" else super().allowed_parameters()

    def create(self, request, *args: Any, **kwargs: Any) -> Response:
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hook = webhooks.create_webhook(self.get_project(), by=request.user, **serializer.validated_data)
        return Response(WebhookSecretSerializer(hook).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args: Any, **kwargs: Any) -> Response:
        hook = self.get_object()
        serializer = WebhookUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hook = webhooks.update_webhook(hook, by=request.user, changes=serializer.validated_data)
        return Response(WebhookSerializer(hook).data)

    def destroy(self, request, *args: Any, **kwargs: Any) -> Response:
        webhooks.delete_webhook(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="webhook_rotate_secret",
        summary="Give a webhook a new secret (owners); the old one stops signing at once",
        parameters=[HOOK],
        request=None,
        responses={200: WebhookSecretSerializer, **errors(400, 403, 404, 413, 415)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, project_pk=None, pk=None) -> Response:
        hook = webhooks.rotate_secret(self.get_object(), by=request.user)
        return Response(WebhookSecretSerializer(hook).data)

    @extend_schema(
        operation_id="webhook_deliveries",
        summary="A webhook's last 100 deliveries, newest first (owners)",
        parameters=[HOOK],
        responses={200: DeliverySerializer(many=True), **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, project_pk=None, pk=None) -> Response:
        page = self.paginate_queryset(webhooks.recent_deliveries(self.get_object()))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        operation_id="webhook_delivery_replay",
        summary="Send a delivery's payload again, as a new delivery (owners; the webhook must be on)",
        parameters=[HOOK, path_id("delivery_pk", "delivery")],
        request=None,
        responses={
            202: OpenApiResponse(DeliverySerializer, description="A new delivery was queued."),
            **errors(400, 403, 404, 413, 415),
        },
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_pk>[0-9]+)/replay")
    def replay(self, request, project_pk=None, pk=None, delivery_pk=None) -> Response:
        delivery = webhooks.delivery_for(self.get_object(), delivery_pk)
        again = webhooks.replay(delivery, by=request.user)
        return Response(DeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
