"""The domain models, one module per concept."""

from articles.models.annotation import Annotation, AnnotationEvent, EventAction, ReviewStatus
from articles.models.article import Article, ArticleStatus
from articles.models.projects import Label, Membership, Project, Role, Visibility
from articles.models.review import Assignment, AssignmentState, Comment

__all__ = [
    "Annotation",
    "AnnotationEvent",
    "Article",
    "ArticleStatus",
    "Assignment",
    "AssignmentState",
    "Comment",
    "EventAction",
    "Label",
    "Membership",
    "Project",
    "ReviewStatus",
    "Role",
    "Visibility",
]
