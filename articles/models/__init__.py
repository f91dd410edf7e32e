"""The domain models, one module per concept."""

from articles.models.annotation import Annotation, AnnotationEvent, EventAction, ReviewStatus
from articles.models.article import Article, ArticleStatus
from articles.models.imports import ImportItem, ImportOutcome, ImportStaging
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
    "ImportItem",
    "ImportOutcome",
    "ImportStaging",
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

# Webhooks (articles.webhooks); imported last so the list above stays as it was.
from articles.models.webhooks import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent  # noqa: E402

__all__ += ["DeliveryStatus", "Webhook", "WebhookDelivery", "WebhookEvent"]

# Living articles (articles.revisions).
from articles.models.revisions import AnchorStatus, ArticleRevision, RevisionSource  # noqa: E402

__all__ += ["AnchorStatus", "ArticleRevision", "RevisionSource"]

# Links between spans (articles.links).
from articles.models.links import Link, LinkEvent, LinkType  # noqa: E402

__all__ += ["Link", "LinkEvent", "LinkType"]

# Suggestions (articles.suggestions).
from articles.models.suggestions import Suggester, SuggesterKind, Suggestion, SuggestionDecision  # noqa: E402

__all__ += ["Suggester", "SuggesterKind", "Suggestion", "SuggestionDecision"]
