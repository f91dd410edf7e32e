"""Who annotates which article: by hand, in bulk, or spread evenly with N annotators per article.

Only owners assign (Action.ASSIGN) and only members who may annotate receive work. A request that
names an article or a person outside the project changes nothing at all (AUTHZ-8). Automatic spreading
gives each article `annotators_per_article` distinct annotators, always picking the least loaded.
Queues are reads: the annotator's own work, and the reviewer's submissions with flagged spans first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from articles.access import require, role_in
from articles.errors import InvalidInput
from articles.models import (
    Annotation,
    Article,
    ArticleStatus,
    Assignment,
    AssignmentEvent,
    AssignmentState,
    Membership,
    Project,
    Role,
)
from articles.permissions import PERMISSIONS, Action, role_allows
from articles.workflow import sync_article_statuses

State = AssignmentState
MAX_ARTICLES = 5000
MAX_ANNOTATORS = 100
OPEN_STATES = (State.ASSIGNED, State.IN_PROGRESS, State.CHANGES_REQUESTED, State.SUBMITTED)
REMOVABLE_STATES = (State.ASSIGNED, State.IN_PROGRESS, State.CHANGES_REQUESTED)
# My queue: what needs the annotator first.
QUEUE_ORDER = [State.CHANGES_REQUESTED, State.IN_PROGRESS, State.ASSIGNED, State.SUBMITTED, State.APPROVED]


def _ids(values: Iterable, field: str, limit: int) -> list[int]:
    """Return distinct positive integer ids in input order, or raise InvalidInput naming `field`."""
    ids: list[int] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise InvalidInput.single(field, "Send a list of ids (whole numbers).")
        if value not in ids:
            ids.append(value)
    if not ids:
        raise InvalidInput.single(field, "Choose at least one.")
    if len(ids) > limit:
        raise InvalidInput.single(field, f"Choose at most {limit} at once.")
    return ids


def _annotator_ids(project: Project, values: Iterable) -> list[int]:
    ids = _ids(values, "annotators", MAX_ANNOTATORS)
    roles = dict(Membership.objects.filter(project=project, user_id__in=ids).values_list("user_id", "role"))
    refused = [str(pk) for pk in ids if not role_allows(roles.get(pk), Action.ANNOTATE)]
    if refused:
        raise InvalidInput.single("annotators", f"Not members who may annotate in this project: {', '.join(refused)}.")
    return ids


def _create(project: Project, pairs: Sequence[tuple[int, int]], by) -> list[Assignment]:
    """Store new (article, annotator) pairs with their history, all or nothing."""
    article_ids = sorted({article_id for article_id, _ in pairs})
    try:
        with transaction.atomic():
            # Same lock order as workflow.transition (articles first), so article statuses stay right.
            list(Article.objects.select_for_update().filter(pk__in=article_ids).order_by("pk").values_list("pk"))
            created = Assignment.objects.bulk_create(
                Assignment(article_id=article_id, annotator_id=user_id, assigned_by=by) for article_id, user_id in pairs
            )
            AssignmentEvent.objects.bulk_create(
                AssignmentEvent(assignment=a, actor=by, action="assign", to_state=State.ASSIGNED) for a in created
            )
            sync_article_statuses(article_ids)
    except IntegrityError:
        raise InvalidInput.single(
            "non_field_errors", "Someone changed these assignments meanwhile; nothing was saved. Please try again."
        ) from None
    return created


def assign(project: Project, *, articles: Iterable, annotators: Iterable, by) -> list[Assignment]:
    """Give every listed article to every listed annotator (pairs already assigned are skipped)."""
    require(role_in(project, by), Action.ASSIGN)
    article_ids = _ids(articles, "articles", MAX_ARTICLES)
    found = set(Article.objects.filter(project=project, pk__in=article_ids).values_list("pk", flat=True))
    foreign = [str(pk) for pk in article_ids if pk not in found]
    if foreign:
        raise InvalidInput.single("articles", f"Not articles of this project: {', '.join(foreign)}.")
    user_ids = _annotator_ids(project, annotators)
    existing = set(
        Assignment.objects.filter(article_id__in=article_ids, annotator_id__in=user_ids).values_list(
            "article_id", "annotator_id"
        )
    )
    pairs = [(a, u) for a in article_ids for u in user_ids if (a, u) not in existing]
    return _create(project, pairs, by) if pairs else []


def plan_spread(
    needs: Mapping[int, Iterable[int]], pool: Sequence[int], loads: Mapping[int, int], per_article: int
) -> list[tuple[int, int]]:
    """Return (article, annotator) pairs giving each article `per_article` distinct annotators.

    `needs` maps each article (in the order to serve them) to the annotators it already has; each new
    pair goes to the annotator with the least work so far (`loads`), ties broken by order in `pool`.
    """
    rank = {user: index for index, user in enumerate(pool)}
    load = {user: loads.get(user, 0) for user in pool}
    plan: list[tuple[int, int]] = []
    for article_id, present in needs.items():
        present = set(present)
        missing = per_article - len(present)
        if missing <= 0:
            continue
        chosen = sorted((user for user in pool if user not in present), key=lambda u: (load[u], rank[u]))[:missing]
        for user in chosen:
            plan.append((article_id, user))
            load[user] += 1
    return plan


def assign_automatically(
    project: Project, *, by, annotators: Iterable | None = None, per_article: int | None = None
) -> list[Assignment]:
    """Spread every article not yet approved over the annotators, `per_article` each (default: project setting)."""
    require(role_in(project, by), Action.ASSIGN)
    per_article = project.annotators_per_article if per_article is None else per_article
    if isinstance(per_article, bool) or not isinstance(per_article, int) or not 1 <= per_article <= 20:
        raise InvalidInput.single("per_article", "Give each article between 1 and 20 annotators.")
    if annotators is None:
        pool = list(
            Membership.objects.filter(project=project, role=Role.ANNOTATOR)
            .order_by("user__username")
            .values_list("user_id", flat=True)
        )
    else:
        pool = _annotator_ids(project, annotators)
    if len(pool) < per_article:
        raise InvalidInput.single(
            "per_article", f"Each article needs {per_article} annotators but only {len(pool)} can be chosen."
        )
    needs: dict[int, set[int]] = {
        pk: set()
        for pk in Article.objects.filter(project=project)
        .exclude(status=ArticleStatus.APPROVED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    }
    loads: dict[int, int] = {}
    rows = Assignment.objects.filter(article__project=project).values_list("article_id", "annotator_id", "state")
    for article_id, user_id, state in rows:
        if article_id in needs:
            needs[article_id].add(user_id)
        if state in OPEN_STATES:
            loads[user_id] = loads.get(user_id, 0) + 1
    pairs = plan_spread(needs, pool, loads, per_article)
    return _create(project, pairs, by) if pairs else []


def unassign(assignment: Assignment, *, by) -> None:
    """Take work back from an annotator before it is submitted; their annotations stay."""
    require(role_in(assignment.article.project, by), Action.ASSIGN)
    with transaction.atomic():
        list(Article.objects.select_for_update().filter(pk=assignment.article_id).values_list("pk"))
        deleted, _ = Assignment.objects.filter(pk=assignment.pk, state__in=REMOVABLE_STATES).delete()
        if not deleted:
            raise InvalidInput.single(
                "assignment", "Submitted or approved work cannot be unassigned; review it (or reopen it) instead."
            )
        sync_article_statuses([assignment.article_id])


def _state_rank() -> Case:
    return Case(*(When(state=state, then=Value(i)) for i, state in enumerate(QUEUE_ORDER)), output_field=IntegerField())


def annotator_queue(user, project: Project | None = None) -> QuerySet[Assignment]:
    """The user's own assignments in projects they still belong to, what needs them first."""
    queue = Assignment.objects.visible_to(user).filter(annotator=user)
    if project is not None:
        queue = queue.filter(article__project=project)
    return (
        queue.select_related("article", "article__project", "reviewed_by")
        .annotate(rank=_state_rank())
        .order_by("rank", "-updated_at", "pk")
    )


def _flag_count() -> Coalesce:
    flagged = (
        Annotation.objects.filter(article=OuterRef("article"), author=OuterRef("annotator"), is_flagged=True)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(flagged, output_field=IntegerField()), Value(0))


def review_queue(user, project: Project | None = None) -> QuerySet[Assignment]:
    """Submitted work the user may decide (not their own): flagged spans first, then oldest first."""
    reviewer_roles = PERMISSIONS[Action.REVIEW]
    projects = Membership.objects.filter(user=user, role__in=reviewer_roles).values("project")
    queue = Assignment.objects.filter(state=State.SUBMITTED, article__project__in=projects).exclude(annotator=user)
    if project is not None:
        queue = queue.filter(article__project=project)
    return (
        queue.select_related("article", "article__project", "annotator")
        .annotate(flagged=_flag_count())
        .order_by("-flagged", "submitted_at", "pk")
    )


def open_questions(project: Project) -> QuerySet[Annotation]:
    """Flagged annotations ("ask a reviewer") of the project, oldest question first."""
    return (
        Annotation.objects.filter(article__project=project, is_flagged=True)
        .select_related("article", "author", "label")
        .order_by("updated_at", "pk")
    )


def assignment_counts(project: Project) -> dict[str, int]:
    """Count the project's assignments per state (every state present, zero when none)."""
    counts = dict(
        Assignment.objects.filter(article__project=project)
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state in State.values}
