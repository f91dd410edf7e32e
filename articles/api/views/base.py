"""What every API view set shares: numeric ids, PATCH for updates, and only declared query parameters."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from articles.api.fields import Utf16Maps

PAGE_PARAMETERS = frozenset({"page", "page_size"})


class ApiViewSet(viewsets.GenericViewSet):
    """A view set whose lists page, whose updates are PATCH and which refuses unknown query parameters."""

    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head"]  # no OPTIONS: same-origin API, no CORS
    detail_parameters: frozenset[str] = frozenset()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.allowed_parameters())
        if unknown:
            raise ValidationError({name[:64]: ["Unknown query parameter."] for name in unknown[:20]})

    def allowed_parameters(self) -> frozenset[str]:
        if self.action == "list":
            declared = getattr(self.filterset_class, "base_filters", {}) if self.filterset_class else {}
            return PAGE_PARAMETERS | frozenset(declared)
        if self.action == "retrieve":
            return self.detail_parameters
        return frozenset()

    filterset_class = None

    def represent(self, obj) -> dict:
        """The JSON of `obj` as this view shows it; 409 and 412 bodies carry it (articles.api.errors)."""
        return self.get_serializer(obj).data

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context.setdefault("utf16", self.utf16_maps)
        return context

    @property
    def utf16_maps(self) -> Utf16Maps:
        if not hasattr(self, "_utf16_maps"):
            self._utf16_maps = Utf16Maps()
        return self._utf16_maps
