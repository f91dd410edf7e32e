"""The domain models, one module per concept."""

from articles.models.annotation import Annotation, AnnotationEvent, EventAction, ReviewStatus
from articles.models.article import Article, ArticleStatus
from articles.models.jobs import Job, JobKind, JobStatus
from articles.models.projects import Label, Membership, Project, Role, Visibility
from articles.models.rate_counter import RateCounter
from articles.models.review import Assignment, AssignmentEvent, AssignmentState, Comment

__all__ = [
    "Annotation",
    "AnnotationEvent",
    "Article",
    "ArticleStatus",
    "Assignment",
    "AssignmentEvent",
    "AssignmentState",
    "Comment",
    "EventAction",
    "Job",
    "JobKind",
    "JobStatus",
    "Label",
    "Membership",
    "Project",
    "RateCounter",
    "ReviewStatus",
    "Role",
    "Visibility",
]
