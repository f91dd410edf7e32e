"""Projects, their members and their labels: every member reads, owners manage."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from articles.access import projects_for, require
from articles.api.schema import errors, path_id, with_object
from articles.api.serializers import LabelSerializer, MemberCreateSerializer, MemberSerializer, ProjectSerializer
from articles.api.views.base import ApiViewSet
from articles.forms import whole_number
from articles.label_write import LabelInUse, create_label, delete_label, update_label
from articles.models import Label, Membership, Project, Role
from articles.permissions import Action
from articles.project_write import (
    add_member,
    change_role,
    create_project,
    delete_project,
    remove_member,
    update_project,
)


@extend_schema_view(
    list=extend_schema(summary="Your projects", responses={200: ProjectSerializer(many=True), **errors(400, 404)}),
    create=extend_schema(
        summary="Create a project (you become its owner; staff only when PROJECT_CREATION=staff)",
        responses={201: ProjectSerializer, **errors(400, 403, 413, 415)},
    ),
    retrieve=extend_schema(
        summary="A project with its labels and your role", responses={200: ProjectSerializer, **errors(400, 404)}
    ),
    partial_update=extend_schema(
        summary="Change a project (owners)", responses={200: ProjectSerializer, **errors(400, 403, 404, 413, 415)}
    ),
    destroy=extend_schema(
        summary="Delete a project with everything in it (owners)", responses={204: None, **errors(403, 404)}
    ),
)
class ProjectViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """A team's workspace: its labels, guidelines, and whether annotators see each other's work."""

    serializer_class = ProjectSerializer
    queryset = Project.objects.none()

    def get_queryset(self) -> QuerySet[Project]:
        return projects_for(self.request.user).prefetch_related("labels")

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = create_project(by=request.user, **serializer.validated_data)
        project.my_role = Role.OWNER
        return Response(self.get_serializer(project).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        project = self.get_object()
        serializer = self.get_serializer(project, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        project = update_project(project, by=request.user, changes=serializer.validated_data)
        return Response(self.get_serializer(project).data)

    def destroy(self, request, *args, **kwargs) -> Response:
        project = self.get_object()
        delete_project(project, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectChildViewSet(ApiViewSet):
    """A collection inside one project: the project is looked up once, with the caller's role."""

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(projects_for(self.request.user), pk=self.kwargs["project_pk"])
        return self._project


PROJECT = path_id("project_pk", "project")


@extend_schema(parameters=[PROJECT], tags=["members"])
@extend_schema_view(
    list=extend_schema(
        summary="Members of a project", responses={200: MemberSerializer(many=True), **errors(400, 404)}
    ),
    create=extend_schema(
        summary="Add a member by username (owners)",
        request=MemberCreateSerializer,
        responses={
            201: MemberSerializer,
            409: with_object("MemberConflict", "existing", MemberSerializer, 409),
            **errors(400, 403, 404, 413, 415),
        },
    ),
    retrieve=extend_schema(summary="One membership", responses={200: MemberSerializer, **errors(400, 404)}),
    partial_update=extend_schema(
        summary="Change a member's role (owners; a project keeps at least one owner, nobody raises their own role)",
        responses={200: MemberSerializer, **errors(400, 403, 404, 413, 415)},
    ),
    destroy=extend_schema(
        summary="Remove a member (owners), or leave the project yourself",
        responses={204: None, **errors(400, 403, 404)},
    ),
)
class MemberViewSet(ProjectChildViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Who works in a project and in which role: owner, reviewer, annotator or viewer."""

    serializer_class = MemberSerializer
    queryset = Membership.objects.none()

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.filter(project=self.get_project()).select_related("user", "project")

    def represent(self, membership: Membership) -> dict:
        return MemberSerializer(membership).data

    def create(self, request, *args, **kwargs) -> Response:
        project = self.get_project()
        serializer = MemberCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = add_member(project, by=request.user, **serializer.validated_data)
        return Response(self.represent(membership), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        membership = self.get_object()
        serializer = self.get_serializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        membership = change_role(
            membership, role=serializer.validated_data.get("role", membership.role), by=request.user
        )
        return Response(self.represent(membership))

    def destroy(self, request, *args, **kwargs) -> Response:
        membership = self.get_object()
        remove_member(membership, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[PROJECT], tags=["labels"])
@extend_schema_view(
    list=extend_schema(
        summary="Labels of a project, in order", responses={200: LabelSerializer(many=True), **errors(400, 404)}
    ),
    create=extend_schema(
        summary="Add a label (owners)", responses={201: LabelSerializer, **errors(400, 403, 404, 413, 415)}
    ),
    retrieve=extend_schema(summary="One label", responses={200: LabelSerializer, **errors(400, 404)}),
    partial_update=extend_schema(
        summary="Change a label (owners)", responses={200: LabelSerializer, **errors(400, 403, 404, 413, 415)}
    ),
    destroy=extend_schema(
        summary="Delete a label (owners); one in use only with ?merge_into=<label id>, which moves its annotations",
        parameters=[
            OpenApiParameter(
                "merge_into",
                int,
                description="Another label of the project: the annotations move there (same span, author and label "
                "already there: removed), each move in the annotation's history.",
            )
        ],
        responses={204: None, **errors(403, 404, 409)},
    ),
)
class LabelViewSet(ProjectChildViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The tags annotators put on spans (claim, quote, source, opinion, ...), with colour and shortcut."""

    serializer_class = LabelSerializer
    queryset = Label.objects.none()

    def get_queryset(self) -> QuerySet[Label]:
        return Label.objects.filter(project=self.get_project())

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "project": self.get_project()}

    def allowed_parameters(self) -> frozenset[str]:
        return frozenset({"merge_into"}) if self.action == "destroy" else super().allowed_parameters()

    def create(self, request, *args, **kwargs) -> Response:
        require(self.get_project().my_role, Action.MANAGE_LABELS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        label = create_label(self.get_project(), by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(label).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        label = self.get_object()
        require(self.get_project().my_role, Action.MANAGE_LABELS)
        serializer = self.get_serializer(label, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        label = update_label(label, by=request.user, changes=serializer.validated_data)
        return Response(self.get_serializer(label).data)

    def destroy(self, request, *args, **kwargs) -> Response:
        label = self.get_object()
        merge_id = request.query_params.get("merge_into")
        merge_into = get_object_or_404(self.get_queryset(), pk=whole_number(merge_id) or 0) if merge_id else None
        try:
            delete_label(label, by=request.user, merge_into=merge_into)
        except LabelInUse as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)
