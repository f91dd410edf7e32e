"""Project figures for the dashboard and the agreement report, in a fixed number of aggregate queries.

Articles by status, annotations by label, per-annotator progress and acceptance rate, weekly throughput
(submissions and approvals, from the workflow history) and weekly agreement. Agreement counts the
annotators who finished an article (submitted, changes requested or approved); an article nobody was
assigned counts whoever annotated it.
Annotations "changed after annotation" (a revision edited or removed their text) are counted by outlet for
the dashboard and per submission for the review queue.
The agreement report covers links too (articles.link_agreement): the same articles and annotators, their
links read in one query with both ends' offsets and labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import Length, TruncWeek
from django.utils import timezone

from articles.adjudication import passage_counts
from articles.agreement import Document, PassageCounts, Report, Span, agreement_report
from articles.link_agreement import Link as LinkFigure
from articles.link_agreement import LinkDocument, LinkReport, link_agreement
from articles.models import (
    Annotation,
    Article,
    ArticleStatus,
    Assignment,
    AssignmentEvent,
    AssignmentState,
    Label,
    Link,
    Membership,
    Project,
    ReviewStatus,
)
from articles.models.annotation import text_changed_condition
from articles.models.review import REVEALED_STATES
from articles.models.revisions import AnchorStatus

WEEKS = 12


@dataclass
class Progress:
    user_id: int
    username: str
    role: str | None  # None: no longer a member
    states: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AssignmentState.values, 0))
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ReviewStatus.values, 0))

    @property
    def assigned(self) -> int:
        return sum(self.states.values())

    @property
    def finished(self) -> int:
        return self.states[AssignmentState.SUBMITTED] + self.states[AssignmentState.APPROVED]

    @property
    def annotations(self) -> int:
        return sum(self.statuses.values())

    @property
    def acceptance_rate(self) -> float | None:
        return acceptance_rate(self.statuses)


@dataclass
class Week:
    start: date
    submitted: int = 0
    approved: int = 0
    articles: int = 0  # articles whose agreement was settled this week
    overlap_f1: float | None = None
    alpha: float | None = None


@dataclass(frozen=True)
class OutletChanges:
    """An outlet's articles with at least one annotation changed after annotation, and how many such annotations."""

    outlet: str
    articles: int
    annotations: int


@dataclass
class Dashboard:
    articles_by_status: dict[str, int]
    labels: list[Label]  # each with .count
    statuses: dict[str, int]
    people: list[Progress]
    weeks: list[Week]
    agreement: Report | None
    changed_outlets: list[OutletChanges] = field(default_factory=list)  # the page adds changed_by_outlet's

    @property
    def article_total(self) -> int:
        return sum(self.articles_by_status.values())

    @property
    def acceptance_rate(self) -> float | None:
        return acceptance_rate(self.statuses)

    @property
    def largest(self) -> dict[str, int]:
        """Scale of each chart (at least 1, so an empty project draws empty bars)."""
        return {
            "status": max(self.articles_by_status.values(), default=0) or 1,
            "label": max((label.count for label in self.labels), default=0) or 1,
            "week": max((max(w.submitted, w.approved) for w in self.weeks), default=0) or 1,
        }


def acceptance_rate(statuses: dict[str, int]) -> float | None:
    """Accepted share of the reviewed annotations (None before any review)."""
    reviewed = statuses.get(ReviewStatus.ACCEPTED, 0) + statuses.get(ReviewStatus.REJECTED, 0)
    return statuses.get(ReviewStatus.ACCEPTED, 0) / reviewed if reviewed else None


def week_of(moment: datetime) -> date:
    day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return day - timedelta(days=day.weekday())


def agreement_documents(project: Project) -> list[tuple[Document, datetime | None]]:
    """Each article with two or more finished annotators, their spans, and when the last one finished."""
    lengths = dict(Article.objects.filter(project=project).annotate(n=Length("text")).values_list("pk", "n"))
    coders: dict[int, dict[int, datetime | None]] = {}
    assigned: set[int] = set()
    rows = Assignment.objects.filter(article__project=project).values_list(
        "article_id", "annotator_id", "state", "submitted_at"
    )
    for article_id, user_id, state, submitted_at in rows:
        assigned.add(article_id)
        if state in REVEALED_STATES:
            coders.setdefault(article_id, {})[user_id] = submitted_at
    spans: dict[tuple[int, int], list[Span]] = {}
    rows = (
        Annotation.objects.filter(article__project=project)
        .anchored()
        .values_list("article_id", "author_id", "start", "end", "label__key", "updated_at")
    )
    for article_id, author_id, start, end, label, updated_at in rows:
        people = coders.setdefault(article_id, {})
        if article_id not in assigned:
            people[author_id] = max(filter(None, (people.get(author_id), updated_at)))
        if author_id in people:
            spans.setdefault((article_id, author_id), []).append(Span(start, end, label))
    return [
        (
            Document(article_id, lengths[article_id], {u: spans.get((article_id, u), []) for u in people}),
            max(filter(None, people.values()), default=None),
        )
        for article_id, people in sorted(coders.items())
        if len(people) >= 2
    ]


def link_documents(project: Project, documents: Iterable[Document]) -> list[LinkDocument]:
    """The links each coder of each agreement document drew there (one query, with both ends' offsets and
    labels); a link with an end orphaned by a revision has no place to compare and is left out."""
    documents = list(documents)
    coders = {d.key: set(d.codings) for d in documents}
    rows = (
        Link.objects.filter(article__project=project)
        .exclude(from_annotation__anchor_status=AnchorStatus.ORPHANED)
        .exclude(to_annotation__anchor_status=AnchorStatus.ORPHANED)
        .values_list(
            "article_id",
            "author_id",
            "type__key",
            "from_annotation__start",
            "from_annotation__end",
            "from_annotation__label__key",
            "to_annotation__start",
            "to_annotation__end",
            "to_annotation__label__key",
        )
    )
    links: dict[tuple[int, int], list[LinkFigure]] = {}
    for article_id, author_id, key, *ends in rows:
        if author_id in coders.get(article_id, ()):
            link = LinkFigure(Span(*ends[:3]), Span(*ends[3:]), key)
            links.setdefault((article_id, author_id), []).append(link)
    return [LinkDocument(d.key, {c: links.get((d.key, c), []) for c in d.codings}) for d in documents]


def usernames(ids: Sequence[int]) -> dict[int, str]:
    return dict(get_user_model().objects.filter(pk__in=list(ids)).values_list("pk", "username"))


@dataclass(frozen=True)
class ProjectAgreement:
    report: Report
    names: dict[int, str]  # coder id: username
    titles: dict[int, str]  # article id: title
    passages: dict[int, PassageCounts]  # article id: its passages by state, as its Compare page counts them
    links: LinkReport | None = None  # link F1 of the same articles and annotators


def project_agreement(project: Project) -> ProjectAgreement:
    """The project's agreement report with the names, titles and passage counts it needs to be read, and the
    agreement on links (eight queries)."""
    documents = [document for document, _ in agreement_documents(project)]
    report = agreement_report(documents)
    articles = Article.objects.filter(project=project)
    titles = dict(articles.values_list("pk", "title"))
    counts = passage_counts(articles)
    return ProjectAgreement(
        report,
        usernames(report.coders),
        {d.key: titles[d.key] for d in report.documents},
        {d.key: counts.get(d.key, PassageCounts()) for d in report.documents},
        link_agreement(link_documents(project, documents)),
    )


def project_dashboard(project: Project, *, user, with_agreement: bool = True, today: date | None = None) -> Dashboard:
    """Every dashboard figure of the project as `user` may see it (about ten queries, whatever its size):
    in an independent project an annotator counts only the annotations and work visible to them."""
    by_status = dict.fromkeys(ArticleStatus.values, 0)
    by_status.update(
        Article.objects.filter(project=project).values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    visible = Annotation.objects.visible_to(user).filter(article__project=project)
    labels = list(
        Label.objects.filter(project=project)
        .order_by("order", "pk")
        .annotate(count=Count("annotations", filter=Q(annotations__in=visible.values("pk"))))
    )
    roles = dict(Membership.objects.filter(project=project).values_list("user_id", "role"))
    people: dict[int, Progress] = {}
    statuses = dict.fromkeys(ReviewStatus.values, 0)
    rows = visible.values("author_id", "status").annotate(n=Count("pk"))
    for row in rows.values_list("author_id", "status", "n"):
        people.setdefault(row[0], Progress(row[0], "", roles.get(row[0]))).statuses[row[1]] += row[2]
        statuses[row[1]] += row[2]
    work = Assignment.objects.visible_to(user).filter(article__project=project)
    rows = work.values("annotator_id", "state").annotate(n=Count("pk"))
    for user_id, state, n in rows.values_list("annotator_id", "state", "n"):
        people.setdefault(user_id, Progress(user_id, "", roles.get(user_id))).states[state] += n
    names = usernames(list(people))
    for person in people.values():
        person.username = names.get(person.user_id, "")
    weeks = _weeks(project, today or timezone.localdate())
    report = _weekly_agreement(project, weeks) if with_agreement else None
    ranked = sorted(people.values(), key=lambda p: (p.role is None, p.username))
    return Dashboard(by_status, labels, statuses, ranked, list(weeks.values()), report)


def _weeks(project: Project, today: date) -> dict[date, Week]:
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    weeks = {first + timedelta(weeks=i): Week(first + timedelta(weeks=i)) for i in range(WEEKS)}
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    rows = (
        AssignmentEvent.objects.filter(
            assignment__article__project=project, action__in=["submit", "approve"], created_at__gte=since
        )
        .annotate(week=TruncWeek("created_at"))
        .values("week", "action")
        .annotate(n=Count("pk"))
    )
    for week, action, n in rows.values_list("week", "action", "n"):
        bucket = weeks.get(week_of(week) if isinstance(week, datetime) else week)
        if bucket is not None:
            setattr(bucket, "submitted" if action == "submit" else "approved", n)
    return weeks


def _weekly_agreement(project: Project, weeks: dict[date, Week]) -> Report:
    documents = agreement_documents(project)
    by_week: dict[date, list[Document]] = {}
    for document, finished in documents:
        if finished is not None and week_of(finished) in weeks:
            by_week.setdefault(week_of(finished), []).append(document)
    for start, docs in by_week.items():
        report = agreement_report(docs)
        weeks[start].articles, weeks[start].overlap_f1, weeks[start].alpha = (
            len(docs),
            report.f1.overlap.f1,
            report.alpha,
        )
    return agreement_report(document for document, _ in documents)


def changed_by_outlet(project: Project, *, user) -> list[OutletChanges]:
    """The annotations changed after annotation that `user` may see, counted by the outlet of their article
    (one query); the outlets with the most first."""
    rows = (
        Annotation.objects.visible_to(user)
        .filter(text_changed_condition(), article__project=project)
        .order_by()
        .values("article__outlet")
        .annotate(articles=Count("article", distinct=True), changed=Count("pk"))
        .values_list("article__outlet", "articles", "changed")
    )
    found = [OutletChanges(outlet, articles, changed) for outlet, articles, changed in rows]
    return sorted(found, key=lambda row: (-row.annotations, -row.articles, row.outlet))


def changed_counts(assignments: Iterable[Assignment]) -> dict[int, int]:
    """For each assignment (by id), how many of its annotator's annotations on its article were changed after
    annotation (one query, however many assignments)."""
    works = list(assignments)
    if not works:
        return {}
    rows = (
        Annotation.objects.filter(
            text_changed_condition(),
            article_id__in={work.article_id for work in works},
            author_id__in={work.annotator_id for work in works},
        )
        .order_by()
        .values("article_id", "author_id")
        .annotate(n=Count("pk"))
        .values_list("article_id", "author_id", "n")
    )
    counts = {(article_id, author_id): n for article_id, author_id, n in rows}
    return {work.pk: counts.get((work.article_id, work.annotator_id), 0) for work in works}
