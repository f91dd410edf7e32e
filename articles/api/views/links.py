"""Links between spans, listed and made under their article, read, changed and deleted by id; and the
link types a project offers.

Thin views over articles.links and articles.link_type_write, which hold every rule. Links follow the
annotations' HTTP rules: one object or a list (all or nothing, errors keyed by index), an ETag on every
answer, If-Match on every change (428 without it, 412 with the current link when stale), and `status`
through the review path.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from articles.access import article_with_role, link_for, require, visible_links_of
from articles.api.conditional import expected_version
from articles.api.link_serializers import (
    LinkCreateSerializer,
    LinkSerializer,
    LinkTypeSerializer,
    LinkUpdateSerializer,
)
from articles.api.schema import IF_MATCH, errors, one_or_many, path_id, with_object
from articles.api.views.base import ApiViewSet
from articles.api.views.projects import PROJECT, ProjectChildViewSet
from articles.link_type_write import LinkTypeInUse, create_link_type, delete_link_type, update_link_type
from articles.links import (
    MAX_BULK,
    LinkSpec,
    create_link,
    create_links,
    delete_link,
    link_types_of,
    review_link,
    update_link,
)
from articles.models import Article, Link, LinkType
from articles.permissions import Action

ONE_OR_MANY = one_or_many("LinkCreateOneOrMany", LinkCreateSerializer, MAX_BULK)
CREATED = one_or_many("LinkCreated", LinkSerializer)
CONFLICT = with_object("LinkConflict", "existing", LinkSerializer, 409)
STALE = with_object("LinkStale", "current", LinkSerializer, 412)


class LinkRepresentation:
    """Shared by both link view sets: a link's JSON and ETag, also for the 409 and 412 bodies (api.errors)."""

    def represent(self, link: Link) -> dict:
        return LinkSerializer(link).data

    def etag_of(self, link: Link) -> str:
        return link.etag


def _spec(data: dict) -> LinkSpec:
    return LinkSpec(from_id=data["from"], to_id=data["to"], type=data["type"], note=data.get("note", ""))


@extend_schema(parameters=[path_id("article_pk", "article")], tags=["links"])
@extend_schema_view(
    list=extend_schema(
        summary="Links between the article's spans that you can see, oldest first",
        responses={200: LinkSerializer(many=True), **errors(400, 404)},
    ),
    create=extend_schema(
        summary="Link two spans of the article: from, to (annotation ids) and a type; a list makes many, all or "
        "nothing",
        description="The type must allow the two ends' labels (e.g. said_by: quote to source). The same link "
        "again is a 409 whose `existing` is the stored one. Errors in a list are keyed by the item's index.",
        request=ONE_OR_MANY,
        responses={201: CREATED, 409: CONFLICT, **errors(400, 403, 404, 413, 415)},
    ),
)
class ArticleLinkViewSet(LinkRepresentation, ApiViewSet, mixins.ListModelMixin):
    """Links from one span to another of the same article: a quote said by a source, a claim backed by one."""

    serializer_class = LinkSerializer
    queryset = Link.objects.none()

    def get_article(self) -> Article:
        """The article, if the caller may see it, with their role: one query."""
        if not hasattr(self, "_article"):
            self._article = article_with_role(self.request.user, self.kwargs["article_pk"])
        return self._article

    def get_queryset(self) -> QuerySet[Link]:
        return visible_links_of(self.get_article(), self.request.user)

    def create(self, request, *args, **kwargs) -> Response:
        article = self.get_article()
        if isinstance(request.data, list):
            specs = [_spec(item) for item in self._validated_list(request.data)]
            created = create_links(article, specs, author=self.request.user)
            return Response(LinkSerializer(created, many=True).data, status=status.HTTP_201_CREATED)
        serializer = LinkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = create_link(article, _spec(serializer.validated_data), author=request.user)
        location = reverse("link-detail", [link.pk], request=request)
        return Response(
            self.represent(link), status=status.HTTP_201_CREATED, headers={"ETag": link.etag, "Location": location}
        )

    @staticmethod
    def _validated_list(data: list) -> list[dict]:
        serializer = LinkCreateSerializer(data=data, many=True, max_length=MAX_BULK, allow_empty=False)
        if not serializer.is_valid():
            problems = serializer.errors
            if isinstance(problems, list):
                problems = {str(index): item for index, item in enumerate(problems) if item}
            raise ValidationError(problems)
        return serializer.validated_data


@extend_schema(tags=["links"])
@extend_schema_view(
    retrieve=extend_schema(
        summary="One link; ETag header for If-Match", responses={200: LinkSerializer, **errors(400, 404)}
    ),
    partial_update=extend_schema(
        summary="Change a link's type or note (yours, or anyone's as reviewer or owner); `status` for reviewers "
        "and owners, never on their own link",
        request=LinkUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: LinkSerializer, 409: CONFLICT, 412: STALE, **errors(400, 403, 404, 413, 415, 428)},
    ),
    destroy=extend_schema(
        summary="Delete a link (its history keeps it)",
        parameters=[IF_MATCH],
        responses={204: None, 412: STALE, **errors(403, 404, 428)},
    ),
)
class LinkViewSet(LinkRepresentation, ApiViewSet, mixins.RetrieveModelMixin):
    """One link. Changes and deletions need If-Match with its ETag: a stale one is a 412 that carries the
    current link, a missing one a 428."""

    serializer_class = LinkSerializer
    queryset = Link.objects.none()

    def get_object(self) -> Link:
        """The link if the caller may see it (404 for anything else, ids out of range included)."""
        return link_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs) -> Response:
        link = self.get_object()
        return Response(self.represent(link), headers={"ETag": link.etag})

    def partial_update(self, request, *args, **kwargs) -> Response:
        link = self.get_object()
        serializer = LinkUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        review = changes.pop("status", None)
        link = self._write(link, changes, review, expected_version(request, link))
        return Response(self.represent(link), headers={"ETag": link.etag})

    def _write(self, link: Link, changes: dict, review: str | None, version: int) -> Link:
        """Edit, then review, in one transaction: each step checks and bumps the version."""
        with transaction.atomic():
            if changes or review is None:
                link = update_link(link, by=self.request.user, expected_version=version, changes=changes)
            if review is not None:
                link = review_link(
                    link,
                    by=self.request.user,
                    status=review,
                    expected_version=link.version if changes else version,
                )
        return link

    def destroy(self, request, *args, **kwargs) -> Response:
        link = self.get_object()
        delete_link(link, by=request.user, expected_version=expected_version(request, link))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[PROJECT], tags=["links"])
@extend_schema_view(
    list=extend_schema(
        summary="Link types of a project, in order, with the labels allowed at each end",
        responses={200: LinkTypeSerializer(many=True), **errors(400, 404)},
    ),
    create=extend_schema(
        summary="Add a link type (owners)", responses={201: LinkTypeSerializer, **errors(400, 403, 404, 413, 415)}
    ),
    retrieve=extend_schema(summary="One link type", responses={200: LinkTypeSerializer, **errors(400, 404)}),
    partial_update=extend_schema(
        summary="Change a link type (owners); links already made keep it",
        responses={200: LinkTypeSerializer, **errors(400, 403, 404, 413, 415)},
    ),
    destroy=extend_schema(
        summary="Delete a link type (owners); one that links use is refused with 409",
        responses={204: None, **errors(403, 404, 409)},
    ),
)
class LinkTypeViewSet(ProjectChildViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The kinds of link a project offers (said_by, claimed_by, backed_by, held_by ...), each with the labels
    allowed at its two ends; every member reads them, owners manage them."""

    serializer_class = LinkTypeSerializer
    queryset = LinkType.objects.none()

    def get_queryset(self) -> list[LinkType]:
        """The project's types with their ends' label keys: three queries, whatever their number."""
        return link_types_of(self.get_project())

    def get_object(self) -> LinkType:
        return self._type(self.kwargs["pk"])

    def _type(self, pk: object) -> LinkType:
        """One type of the project, read as the list reads it, with the project (and the caller's role) set."""
        wanted = int(pk)  # digits: the route's pattern, or an id just stored
        found = next((each for each in self.get_queryset() if each.pk == wanted), None)
        if found is None:
            raise Http404("No such link type in this project.")
        found.project = self.get_project()
        return found

    def create(self, request, *args, **kwargs) -> Response:
        project = self.get_project()
        require(project.my_role, Action.MANAGE_LABELS)
        serializer = LinkTypeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link_type = create_link_type(project, by=request.user, **serializer.validated_data)
        return Response(LinkTypeSerializer(self._type(link_type.pk)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        link_type = self.get_object()
        require(self.get_project().my_role, Action.MANAGE_LABELS)
        serializer = LinkTypeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        update_link_type(link_type, by=request.user, changes=serializer.validated_data)
        return Response(LinkTypeSerializer(self._type(link_type.pk)).data)

    def destroy(self, request, *args, **kwargs) -> Response:
        link_type = self.get_object()
        try:
            delete_link_type(link_type, by=request.user)
        except LinkTypeInUse as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)
