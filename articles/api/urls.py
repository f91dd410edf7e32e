"""REST API routes under /api/v1/: one router line per collection, plain paths for the rest."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from articles.api import exchange, review, views
from articles.api.views.jobs import JobViewSet, ProjectExportJobView
from articles.api.views.links import ArticleLinkViewSet, LinkTypeViewSet, LinkViewSet
from articles.api.views.revisions import ArticleRevisionViewSet
from articles.api.views.suggestions import ArticleSuggestionViewSet, SuggesterViewSet, SuggestionViewSet
from articles.api.views.webhooks import WebhookViewSet

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register(r"projects/(?P<project_pk>[0-9]+)/members", views.MemberViewSet, basename="project-member")
router.register(r"projects/(?P<project_pk>[0-9]+)/labels", views.LabelViewSet, basename="project-label")
router.register("articles", views.ArticleViewSet, basename="article")
router.register(
    r"articles/(?P<article_pk>[0-9]+)/annotations", views.ArticleAnnotationViewSet, basename="article-annotation"
)
router.register(r"articles/(?P<article_pk>[0-9]+)/revisions", ArticleRevisionViewSet, basename="article-revision")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("jobs", JobViewSet, basename="job")
router.register(r"articles/(?P<article_pk>[0-9]+)/suggestions", ArticleSuggestionViewSet, basename="article-suggestion")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register(r"projects/(?P<project_pk>[0-9]+)/suggesters", SuggesterViewSet, basename="project-suggester")
router.register(r"projects/(?P<project_pk>[0-9]+)/webhooks", WebhookViewSet, basename="project-webhook")
router.register(r"articles/(?P<article_pk>[0-9]+)/links", ArticleLinkViewSet, basename="article-link")
router.register("links", LinkViewSet, basename="link")
router.register(r"projects/(?P<project_pk>[0-9]+)/link-types", LinkTypeViewSet, basename="project-link-type")

urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline scripts or styles.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api/swagger_ui.html"),
        name="api_docs",
    ),
    *router.urls,
    *review.urlpatterns,
    *exchange.urlpatterns,
    path("projects/<int:project_pk>/exports/", ProjectExportJobView.as_view(), name="api_project_export_job"),
]
