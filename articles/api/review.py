"""The team-review API: assignments and queues, workflow steps, review decisions, discussion, history,
adjudication, agreement and the dashboard.

Every object is looked up through a queryset scoped to the caller (404 for what they may not see);
each view makes one domain call, and the domain refuses what the caller's role may not do (403).
Workflow steps and review decisions need If-Match, like every other change in this API (CONC-1).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import CharField, QuerySet, Value
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from articles import access, adjudication, assignment, discussion, workflow
from articles.access import MAX_ID, annotations_for, projects_for
from articles.api.conditional import etag_of, expected_version
from articles.api.filters import IdFilter
from articles.api.review_serializers import (
    AdjudicationRequestSerializer,
    AdjudicationSerializer,
    AgreementSerializer,
    AnnotationEventSerializer,
    AssignmentEventSerializer,
    AssignmentSerializer,
    AssignRequestSerializer,
    CommentRequestSerializer,
    CommentSerializer,
    DashboardSerializer,
    FlagRequestSerializer,
    ResolveRequestSerializer,
    ReviewRequestSerializer,
    SpreadRequestSerializer,
    SpreadResultSerializer,
    ThreadSerializer,
    TransitionRequestSerializer,
    agreement_json,
    dashboard_json,
)
from articles.api.schema import IF_MATCH, errors, path_id, with_object
from articles.api.serializers import AnnotationSerializer
from articles.api.views.annotations import AnnotationRepresentation
from articles.api.views.base import PAGE_PARAMETERS, ApiViewSet
from articles.dashboard import project_agreement, project_dashboard
from articles.models import Annotation, AnnotationEvent, Article, Assignment, AssignmentState, Comment, Project
from articles.permissions import Action, role_allows

STALE_ASSIGNMENT = with_object("AssignmentStale", "current", AssignmentSerializer, 412)
STALE_ANNOTATION = with_object("ReviewStale", "current", AnnotationSerializer, 412)


class ReviewViewSet(ApiViewSet):
    """Domain refusals (Django's PermissionDenied) answer 403 with their own message."""

    paged_actions = frozenset({"mine", "review_queue"})

    def allowed_parameters(self) -> frozenset[str]:
        return PAGE_PARAMETERS if self.action in self.paged_actions else super().allowed_parameters()

    def handle_exception(self, exc):
        if isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(projects_for(self.request.user), pk=self.kwargs["project_pk"])
        return self._project


class AssignmentFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=AssignmentState.choices)
    annotator = IdFilter(field_name="annotator_id", help_text="A user id.")
    article = IdFilter(field_name="article_id", help_text="An article id.")


class AssignmentRepresentation:
    def represent(self, work: Assignment) -> dict:
        return AssignmentSerializer(work, context=self.get_serializer_context()).data

    def etag_of(self, work: Assignment) -> str:
        return etag_of(work)


PROJECT = path_id("project_pk", "project")


@extend_schema(tags=["review"], parameters=[PROJECT])
class ProjectAssignmentViewSet(AssignmentRepresentation, ReviewViewSet, mixins.ListModelMixin):
    """Who annotates which article of a project. Annotators see their own assignments, others all."""

    serializer_class = AssignmentSerializer
    queryset = Assignment.objects.none()
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = AssignmentFilter

    def get_queryset(self) -> QuerySet[Assignment]:
        project = self.get_project()
        return (
            Assignment.objects.visible_to(self.request.user)
            .filter(article__project=project)
            .select_related("article", "annotator", "reviewed_by")
            .annotate(my_role=Value(project.my_role, output_field=CharField()))
            .order_by("article_id", "annotator_id")
        )

    @extend_schema(
        summary="Assignments in a project", responses={200: AssignmentSerializer(many=True), **errors(400, 404)}
    )
    def list(self, request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Assign articles to annotators, by hand or in bulk (owners)",
        request=AssignRequestSerializer,
        responses={201: AssignmentSerializer(many=True), **errors(400, 403, 404, 413, 415)},
    )
    def create(self, request, *args, **kwargs) -> Response:
        data = self._valid(AssignRequestSerializer)
        created = assignment.assign(self.get_project(), by=request.user, **data)
        return Response(self._many(created), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Spread the project's articles evenly, N annotators each (owners)",
        request=SpreadRequestSerializer,
        responses={201: SpreadResultSerializer, **errors(400, 403, 404, 413, 415)},
    )
    @action(detail=False, methods=["post"])
    def spread(self, request, *args, **kwargs) -> Response:
        data = self._valid(SpreadRequestSerializer)
        created = assignment.assign_automatically(self.get_project(), by=request.user, **data)
        return Response({"created": len(created), "assignments": self._many(created)}, status=status.HTTP_201_CREATED)

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _many(self, created: list[Assignment]) -> list[dict]:
        return AssignmentSerializer(
            self.get_queryset().filter(pk__in=[a.pk for a in created]), many=True, context=self.get_serializer_context()
        ).data


@extend_schema(tags=["review"])
class AssignmentViewSet(AssignmentRepresentation, ReviewViewSet, mixins.RetrieveModelMixin):
    """One annotator's work on one article, moved along the workflow by POSTing an action."""

    serializer_class = AssignmentSerializer
    queryset = Assignment.objects.none()
    pagination_class = None

    def get_queryset(self) -> QuerySet[Assignment]:
        user = self.request.user
        return (
            Assignment.objects.visible_to(user)
            .with_role(user)
            .select_related("article__project", "annotator", "reviewed_by")
        )

    @extend_schema(
        summary="One assignment; ETag header for If-Match", responses={200: AssignmentSerializer, **errors(400, 404)}
    )
    def retrieve(self, request, *args, **kwargs) -> Response:
        work = self.get_object()
        return Response(self.represent(work), headers={"ETag": etag_of(work)})

    @extend_schema(
        summary="Take work back before it is submitted (owners); the annotations stay",
        responses={204: None, **errors(400, 403, 404)},
    )
    def destroy(self, request, *args, **kwargs) -> Response:
        assignment.unassign(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move the work along: start, submit (annotator); approve, request_changes, reopen "
        "(another reviewer or owner)",
        request=TransitionRequestSerializer,
        parameters=[IF_MATCH],
        responses={200: AssignmentSerializer, 412: STALE_ASSIGNMENT, **errors(400, 403, 404, 413, 415, 428)},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs) -> Response:
        work = self.get_object()
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, work)
        work = workflow.transition(work, by=request.user, expected_version=version, **serializer.validated_data)
        return Response(self.represent(self.get_object()), headers={"ETag": etag_of(work)})

    @extend_schema(
        summary="Every workflow step of this assignment, oldest first",
        responses={200: AssignmentEventSerializer(many=True), **errors(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs) -> Response:
        events = self.get_object().events.select_related("actor").order_by("created_at", "id")
        return Response(AssignmentEventSerializer(events, many=True).data)


@extend_schema(tags=["review"])
class MyQueueViewSet(ReviewViewSet):
    """The caller's own assignments across their projects."""

    serializer_class = AssignmentSerializer
    queryset = Assignment.objects.none()

    def allowed_parameters(self) -> frozenset[str]:
        return PAGE_PARAMETERS | {"project"}

    @extend_schema(
        summary="My queue: my assignments, what needs me first",
        parameters=[OpenApiParameter("project", int, description="Only this project.")],
        responses={200: AssignmentSerializer(many=True), **errors(400)},
    )
    def mine(self, request, *args, **kwargs) -> Response:
        project, value = None, request.query_params.get("project")
        if value is not None:
            if not value.isdigit() or not 0 < int(value) <= MAX_ID:
                raise ValidationError({"project": ["Give a project id."]})
            project = access.project_for(request.user, value)
        queue = assignment.annotator_queue(request.user, project).with_role(request.user)
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["review"], parameters=[PROJECT])
class ProjectReportViewSet(ReviewViewSet):
    """A project's review queue, agreement report and dashboard figures."""

    queryset = Project.objects.none()

    @extend_schema(
        summary="Submitted work to review (not your own), flagged spans first",
        responses={200: AssignmentSerializer(many=True), **errors(400, 403, 404)},
    )
    def review_queue(self, request, *args, **kwargs) -> Response:
        project = self.get_project()
        if not role_allows(project.my_role, Action.REVIEW):
            raise PermissionDenied("Only reviewers and owners have a review queue.")
        queue = assignment.review_queue(request.user, project).annotate(
            my_role=Value(project.my_role, output_field=CharField())
        )
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(
            AssignmentSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Agreement between annotators: per pair, per article and overall",
        responses={200: AgreementSerializer, **errors(400, 403, 404)},
    )
    def agreement(self, request, *args, **kwargs) -> Response:
        project = self.get_project()
        if not role_allows(project.my_role, Action.VIEW_AGREEMENT):
            raise PermissionDenied("Agreement reports are for owners, reviewers and viewers.")
        return Response(agreement_json(project_agreement(project)))

    @extend_schema(
        summary="Dashboard figures: articles by status, labels, progress, throughput, agreement",
        responses={200: DashboardSerializer, **errors(400, 404)},
    )
    def dashboard(self, request, *args, **kwargs) -> Response:
        project = self.get_project()
        board = project_dashboard(
            project, user=request.user, with_agreement=role_allows(project.my_role, Action.VIEW_AGREEMENT)
        )
        return Response(dashboard_json(board))


@extend_schema(tags=["review"])
class AnnotationReviewViewSet(AnnotationRepresentation, ReviewViewSet):
    """Review decisions, discussion, flags and history of one annotation."""

    queryset = Annotation.objects.none()
    pagination_class = None
    serializer_class = AnnotationSerializer

    def get_queryset(self) -> QuerySet[Annotation]:
        return annotations_for(self.request.user).select_related("article__project")

    @extend_schema(
        summary="Accept or reject the annotation (reviewers; never your own), with an optional comment",
        request=ReviewRequestSerializer,
        parameters=[IF_MATCH],
        responses={200: AnnotationSerializer, 412: STALE_ANNOTATION, **errors(400, 403, 404, 413, 415, 428)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs) -> Response:
        annotation = self.get_object()
        serializer = ReviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, annotation)
        annotation = workflow.review_span(
            annotation, by=request.user, expected_version=version, **serializer.validated_data
        )
        return Response(self.represent(annotation), headers={"ETag": annotation.etag})

    @extend_schema(
        summary="Discussion threads on the annotation",
        methods=["GET"],
        responses={200: ThreadSerializer(many=True), **errors(400, 404)},
    )
    @extend_schema(
        summary="Comment on the annotation, or reply to a thread (plain text)",
        methods=["POST"],
        request=CommentRequestSerializer,
        responses={201: CommentSerializer, **errors(400, 403, 404, 413, 415)},
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, *args, **kwargs) -> Response:
        annotation = self.get_object()
        if request.method == "GET":
            return Response(
                ThreadSerializer(discussion.threads_for([annotation.pk]).get(annotation.pk, []), many=True).data
            )
        serializer = CommentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent = serializer.validated_data.get("parent")
        parent = get_object_or_404(Comment, pk=parent, annotation=annotation) if parent else None
        comment = discussion.add_comment(
            annotation, by=request.user, body=serializer.validated_data["body"], parent=parent
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ask a reviewer: flag the annotation as unsure with a question",
        methods=["POST"],
        request=FlagRequestSerializer,
        parameters=[IF_MATCH],
        responses={200: AnnotationSerializer, 412: STALE_ANNOTATION, **errors(400, 403, 404, 413, 415, 428)},
    )
    @extend_schema(
        summary="Clear the flag once answered",
        methods=["DELETE"],
        parameters=[IF_MATCH],
        responses={200: AnnotationSerializer, 412: STALE_ANNOTATION, **errors(400, 403, 404, 428)},
    )
    @action(detail=True, methods=["post", "delete"])
    def flag(self, request, *args, **kwargs) -> Response:
        annotation = self.get_object()
        if request.method == "DELETE":
            version = expected_version(request, annotation)
            annotation = discussion.clear_flag(annotation, by=request.user, expected_version=version)
        else:
            serializer = FlagRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            version = expected_version(request, annotation)
            annotation = discussion.ask_reviewer(
                annotation, by=request.user, expected_version=version, question=serializer.validated_data["question"]
            )
        return Response(self.represent(annotation), headers={"ETag": annotation.etag})

    @extend_schema(
        summary="Everything done to the annotation: who, when, what changed",
        responses={200: AnnotationEventSerializer(many=True), **errors(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs) -> Response:
        annotation = self.get_object()
        events = AnnotationEvent.objects.filter(annotation_id=annotation.pk).select_related("actor")
        return Response(AnnotationEventSerializer(events.order_by("created_at", "id"), many=True).data)


@extend_schema(tags=["review"])
class CommentViewSet(ReviewViewSet):
    queryset = Comment.objects.none()
    pagination_class = None

    def get_queryset(self) -> QuerySet[Comment]:
        visible = Annotation.objects.visible_to(self.request.user)
        return Comment.objects.filter(annotation__in=visible).select_related("annotation__article__project")

    @extend_schema(
        summary="Resolve (or reopen) the comment's thread",
        request=ResolveRequestSerializer,
        responses={200: CommentSerializer, **errors(400, 403, 404, 413, 415)},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs) -> Response:
        serializer = ResolveRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        root = discussion.set_resolved(self.get_object(), by=request.user, **serializer.validated_data)
        return Response(CommentSerializer(root).data)


@extend_schema(tags=["review"])
class ArticleReviewViewSet(AnnotationRepresentation, ReviewViewSet):
    """Adjudication and the full annotation history of one article."""

    queryset = Article.objects.none()
    pagination_class = None

    def get_queryset(self) -> QuerySet[Article]:
        return access.articles_with_role(self.request.user).select_related("project")

    @extend_schema(
        summary="Every annotator's spans side by side, grouped into clusters",
        methods=["GET"],
        responses={200: AdjudicationSerializer, **errors(400, 404)},
    )
    @extend_schema(
        summary="Settle disputes (reviewers): accept or reject a version, write your own, or accept "
        "every agreed cluster",
        methods=["POST"],
        request=AdjudicationRequestSerializer,
        responses={
            200: AdjudicationSerializer,
            409: with_object("AdjudicationConflict", "existing", AnnotationSerializer, 409),
            412: STALE_ANNOTATION,
            **errors(400, 403, 404, 413, 415),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def adjudication(self, request, *args, **kwargs) -> Response:
        article = self.get_object()
        if request.method == "POST":
            serializer = AdjudicationRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            adjudication.adjudicate(article, by=request.user, **serializer.validated_data)
        return Response(AdjudicationSerializer(adjudication.compare(article, request.user)).data)

    @extend_schema(
        summary="The annotation history of the article, deleted annotations included",
        responses={200: AnnotationEventSerializer(many=True), **errors(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs) -> Response:
        events = access.history_visible_to(request.user, self.get_object())
        return Response(AnnotationEventSerializer(events, many=True).data)


urlpatterns = [
    path(
        "projects/<int:project_pk>/assignments/",
        ProjectAssignmentViewSet.as_view({"get": "list", "post": "create"}),
        name="project-assignment-list",
    ),
    path(
        "projects/<int:project_pk>/assignments/spread/",
        ProjectAssignmentViewSet.as_view({"post": "spread"}),
        name="project-assignment-spread",
    ),
    path(
        "projects/<int:project_pk>/review-queue/",
        ProjectReportViewSet.as_view({"get": "review_queue"}),
        name="project-review-queue",
    ),
    path(
        "projects/<int:project_pk>/agreement/",
        ProjectReportViewSet.as_view({"get": "agreement"}),
        name="project-agreement",
    ),
    path(
        "projects/<int:project_pk>/dashboard/",
        ProjectReportViewSet.as_view({"get": "dashboard"}),
        name="project-dashboard",
    ),
    path("assignments/mine/", MyQueueViewSet.as_view({"get": "mine"}), name="assignment-mine"),
    path(
        "assignments/<int:pk>/",
        AssignmentViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="assignment-detail",
    ),
    path(
        "assignments/<int:pk>/transition/",
        AssignmentViewSet.as_view({"post": "transition"}),
        name="assignment-transition",
    ),
    path("assignments/<int:pk>/history/", AssignmentViewSet.as_view({"get": "history"}), name="assignment-history"),
    path("annotations/<int:pk>/review/", AnnotationReviewViewSet.as_view({"post": "review"}), name="annotation-review"),
    path(
        "annotations/<int:pk>/comments/",
        AnnotationReviewViewSet.as_view({"get": "comments", "post": "comments"}),
        name="annotation-comments",
    ),
    path(
        "annotations/<int:pk>/flag/",
        AnnotationReviewViewSet.as_view({"post": "flag", "delete": "flag"}),
        name="annotation-flag",
    ),
    path(
        "annotations/<int:pk>/history/", AnnotationReviewViewSet.as_view({"get": "history"}), name="annotation-history"
    ),
    path("comments/<int:pk>/resolve/", CommentViewSet.as_view({"post": "resolve"}), name="comment-resolve"),
    path(
        "articles/<int:pk>/adjudication/",
        ArticleReviewViewSet.as_view({"get": "adjudication", "post": "adjudication"}),
        name="article-adjudication",
    ),
    path("articles/<int:pk>/history/", ArticleReviewViewSet.as_view({"get": "history"}), name="article-history"),
]
