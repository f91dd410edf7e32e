"""The REST API's views, one module per concept; urls.py routes them."""

from articles.api.views.annotations import AnnotationViewSet, ArticleAnnotationViewSet
from articles.api.views.articles import ArticleViewSet
from articles.api.views.auth import AuthTokenView
from articles.api.views.projects import LabelViewSet, MemberViewSet, ProjectViewSet

__all__ = [
    "AnnotationViewSet",
    "ArticleAnnotationViewSet",
    "ArticleViewSet",
    "AuthTokenView",
    "LabelViewSet",
    "MemberViewSet",
    "ProjectViewSet",
]
