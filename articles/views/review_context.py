"""What the team review pages show, built in a fixed number of queries each (however big the project).

Objects come from querysets scoped to the user (a non-member gets a 404, AUTHZ-1); chart geometry for the
server-rendered SVG is computed here, so templates only draw (the CSP allows no inline styles).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import mark_safe

from articles import adjudication
from articles.assignment import OPEN_STATES, annotator_queue, assignment_counts, review_queue
from articles.dashboard import Dashboard, ProjectAgreement
from articles.discussion import threads_for
from articles.highlighting import Span, render_html, segments
from articles.history import describe_changes
from articles.labels import describe_attributes
from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    ArticleStatus,
    Assignment,
    AssignmentState,
    Membership,
    Project,
    ReviewStatus,
    Role,
)
from articles.permissions import PERMISSIONS, Action, role_allows
from articles.views.workspace import labels_version, shorten
from articles.workflow import available_actions

PAGE_SIZE = 50
CHART_WIDTH = 320  # px of the longest bar
WEEK_CHART = {"height": 120, "step": 40, "bar": 14}


def project_nav(project: Project, role: str | None, current: str) -> list[dict[str, Any]]:
    """The project's tabs this role may open."""
    tabs = [
        ("Articles", "project_detail", Action.VIEW),
        ("Review", "review_queue", Action.REVIEW),
        ("Assign", "project_assignments", Action.ASSIGN),
        ("Members", "project_members", Action.MANAGE_MEMBERS),
        ("Labels", "project_labels", Action.MANAGE_LABELS),
        ("Agreement", "project_agreement_page", Action.VIEW_AGREEMENT),
        ("Dashboard", "project_dashboard_page", Action.VIEW),
        ("Settings", "project_edit", Action.MANAGE_PROJECT),
        ("Webhooks", "project_webhooks", Action.MANAGE_PROJECT),
    ]
    return [
        {"label": label, "url": reverse(name, args=[project.pk]), "current": name == current}
        for label, name, action in tabs
        if role_allows(role, action)
    ]


def _page(project: Project, role: str | None, current: str) -> dict[str, Any]:
    labels = list(project.labels.all())
    return {
        "project": project,
        "role": role,
        "labels": labels,
        "labels_css_version": labels_version(labels),
        "nav": project_nav(project, role, current),
    }


def queue_context(user, page_number: str | None = None) -> dict[str, Any]:
    """The user's assignments, a page at a time, what needs them first; and the projects they review."""
    mine = annotator_queue(user)
    page = Paginator(mine.with_role(user), PAGE_SIZE).get_page(page_number)
    for item in page.object_list:
        item.actions = available_actions(item, user, item.my_role)
    counts = dict(mine.order_by().values("state").annotate(n=Count("pk")).values_list("state", "n"))
    waiting = (
        Assignment.objects.filter(article__project=OuterRef("project"), state=AssignmentState.SUBMITTED)
        .exclude(annotator=user)
        .order_by()
        .values("article__project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reviewing = (
        Membership.objects.filter(user=user, role__in=PERMISSIONS[Action.REVIEW])
        .select_related("project")
        .annotate(waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0)))
        .order_by("project__name")
    )
    return {"page": page, "total": sum(counts.values()), "reviewing": list(reviewing), "counts": counts}


def reviewer_queue_context(project: Project, role: str, user, page_number: str | None = None) -> dict[str, Any]:
    page = Paginator(review_queue(user, project), PAGE_SIZE).get_page(page_number)
    questions = list(
        Annotation.objects.filter(article__project=project, is_flagged=True)
        .select_related("article", "author", "label")
        .order_by("updated_at", "pk")[:PAGE_SIZE]
    )
    for question in questions:
        question.excerpt = quote_excerpt(question.quote, 90)
    return {**_page(project, role, "review_queue"), "page": page, "questions": questions}


def _history(ids: list[int]) -> dict[int, list[AnnotationEvent]]:
    grouped: dict[int, list[AnnotationEvent]] = defaultdict(list)
    for event in (
        AnnotationEvent.objects.filter(annotation_id__in=ids).select_related("actor").order_by("created_at", "id")
    ):
        grouped[event.annotation_id].append(event)
    return grouped


def review_context(work: Assignment, user, *, selected: int | None = None, **extra: Any) -> dict[str, Any]:
    """The review page of one submission: the annotator's spans on the text, decisions, threads, history."""
    article, role = work.article, work.my_role
    page = _page(article.project, role, "review_queue")
    labels = {label.pk: label for label in page["labels"]}
    spans = list(
        Annotation.objects.visible_to(user)
        .filter(article=article, author_id=work.annotator_id)
        .anchored()
        .in_text_order()
    )
    threads, history = threads_for([s.pk for s in spans]), _history([s.pk for s in spans])
    by_key = {label.key: label for label in page["labels"]}
    for span in spans:
        span.label = labels[span.label_id]
        span.threads, span.events, span.excerpt = (
            threads.get(span.pk, []),
            history.get(span.pk, []),
            shorten(span.quote),
        )
        span.shown_attributes = describe_attributes(span.attributes, span.label.fields)
        for event in span.events:
            event.shown_changes = describe_changes(event, by_key)
    marks = [Span(s.pk, s.start, s.end, s.label.key, f"{s.label.name} · {s.get_status_display()}") for s in spans]
    can_review = role_allows(role, Action.REVIEW) and work.annotator_id != user.pk
    queue = list(review_queue(user, article.project).values_list("pk", flat=True)) if can_review else []
    at = queue.index(work.pk) if work.pk in queue else None
    return {
        **page,
        "work": work,
        "article": article,
        "spans": spans,
        "selected": selected,
        "text_html": mark_safe(render_html(segments(article.text, marks))),  # every piece of text escaped
        "counts": Counter(s.status for s in spans),
        "can_review": can_review,
        "can_comment": role_allows(role, Action.COMMENT),
        "actions": available_actions(work, user, role),
        "steps": list(work.events.select_related("actor").order_by("created_at", "id")),
        "previous_id": queue[at - 1] if at else None,
        "next_id": queue[at + 1]
        if at is not None and at + 1 < len(queue)
        else (queue[0] if queue and at is None else None),
        "statuses": ReviewStatus,
        **extra,
    }


OPENING_MARKS = frozenset('“„«»‹›「『"')
CLOSING_MARKS = frozenset('”“»«›‹」』"')


def quote_excerpt(text: str, limit: int = 160) -> str:
    """The text on one line between one pair of quotation marks: its own when it starts or ends with one, else “ ”."""
    flat = " ".join(text.split())
    opens, closes = flat[:1] in OPENING_MARKS, flat[-1:] in CLOSING_MARKS
    if opens and closes and len(flat) > 1:
        return flat[0] + shorten(flat[1:-1], limit) + flat[-1]  # the ellipsis of a cut goes inside the marks
    return shorten(flat, limit) if opens or closes else f"“{shorten(flat, limit)}”"


def adjudication_context(article: Article, role: str, user) -> dict[str, Any]:
    """Columns of each annotator's highlighted text, and the clusters to settle, in text order."""
    page = _page(article.project, role, "review_queue")
    labels = {label.pk: label for label in page["labels"]}
    comparison = adjudication.compare(article, user)
    by_author: dict[int, list[Annotation]] = defaultdict(list)
    for cluster in comparison.clusters:
        for version in cluster.versions:
            version.excerpt = quote_excerpt(version.quote)
        for annotation in cluster.annotations:
            annotation.label = labels[annotation.label_id]
            by_author[annotation.author_id].append(annotation)
    columns = [
        {
            "author": spans[0].author,
            "count": len(spans),
            "html": mark_safe(
                render_html(
                    segments(
                        article.text,
                        [
                            Span(a.pk, a.start, a.end, a.label.key, f"{a.label.name} · {a.get_status_display()}")
                            for a in spans
                        ],
                    )
                )
            ),
        }
        for _, spans in sorted(by_author.items(), key=lambda item: item[1][0].author.username)
    ]
    return {
        **page,
        "article": article,
        "clusters": comparison.clusters,
        "columns": columns,
        "accepted": comparison.accepted,
        "passages": comparison.passages,
        "can_adjudicate": role_allows(role, Action.REVIEW),
    }


def members_context(project: Project, role: str) -> dict[str, Any]:
    """The members with their roles and their work: a count per assignment state and each open assignment.

    Three queries however many members and assignments: members, counts per (member, state), open work.
    """
    members = list(Membership.objects.filter(project=project).select_related("user").order_by("user__username"))
    work = Assignment.objects.filter(article__project=project).order_by()
    counts: dict[int, Counter] = defaultdict(Counter)
    per_state = work.values("annotator_id", "state").annotate(n=Count("pk")).values_list("annotator_id", "state", "n")
    for user_id, state, n in per_state:
        counts[user_id][state] = n
    open_work: dict[int, list[Assignment]] = defaultdict(list)
    for item in (
        work.filter(state__in=OPEN_STATES)
        .select_related("article")
        .only("state", "annotator_id", "article__title")
        .order_by("article__created_at", "article_id")
    ):
        open_work[item.annotator_id].append(item)
    for member in members:
        mine = counts[member.user_id]
        member.work_counts = [(state, label, mine[state]) for state, label in AssignmentState.choices if mine[state]]
        member.open_work = open_work[member.user_id]
    return {**_page(project, role, "project_members"), "members": members, "roles": Role.choices}


def assignments_context(project: Project, role: str, page_number: str | None) -> dict[str, Any]:
    """A page of the project's articles with their annotators, and who can receive work (nothing checked yet)."""
    work = Prefetch(
        "assignments", queryset=Assignment.objects.select_related("annotator").order_by("annotator__username")
    )
    articles = Article.objects.filter(project=project).order_by("created_at", "pk").prefetch_related(work)
    page = Paginator(articles, PAGE_SIZE).get_page(page_number)
    people = list(
        Membership.objects.filter(project=project, role__in=PERMISSIONS[Action.ANNOTATE])
        .select_related("user")
        .order_by("user__username")
    )
    return {
        **_page(project, role, "project_assignments"),
        "page": page,
        "people": people,
        "counts": [(AssignmentState(state).label, n) for state, n in assignment_counts(project).items()],
        "removable": {s.value for s in AssignmentState} - {AssignmentState.SUBMITTED, AssignmentState.APPROVED},
        "picked": {"articles": set(), "annotators": set()},
    }


def band(value: float | None) -> str:
    """Krippendorff's reading of alpha: >= .8 reliable, >= .667 tentative, below that not reliable."""
    if value is None:
        return "none"
    return "high" if value >= 0.8 else "mid" if value >= 0.667 else "low"


def agreement_context(project: Project, role: str, agreement: ProjectAgreement, page_number: str | None) -> dict:
    report, names, links = agreement.report, agreement.names, agreement.links
    matrix = []
    for a in report.coders:
        cells = []
        for b in report.coders:
            pair = report.pairs.get((a, b)) or report.pairs.get((b, a))
            linked = links.pair(a, b) if links is not None else None
            cells.append(
                None
                if a == b or pair is None
                else {
                    "alpha": pair.alpha.overall,
                    "overlap": pair.f1.overlap.f1,
                    "exact": pair.f1.exact.f1,
                    "links": linked.f1 if linked is not None else None,
                    "articles": pair.documents,
                    "band": band(pair.alpha.overall),
                }
            )
        matrix.append({"name": names.get(a, "?"), "cells": cells})
    labels = [
        {
            "key": key,
            "exact": exact.f1,
            "overlap": overlap.f1,
            "alpha": report.alpha_labels.get(key),
            "band": band(report.alpha_labels.get(key)),
        }
        for key, (exact, overlap) in sorted(report.f1.labels.items())
    ]
    passages = agreement.passages
    documents = sorted(
        report.documents,
        key=lambda d: (
            d.alpha.overall is None,
            d.alpha.overall or 0,
            -passages[d.key].disputed,
            -passages[d.key].settled,
        ),
    )
    rows = [
        {
            "key": d.key,
            "title": agreement.titles.get(d.key, ""),
            "names": [names.get(c, "?") for c in d.coders],
            "f1": d.f1,
            "alpha": d.alpha,
            "passages": passages[d.key],
            "band": band(d.alpha.overall),
        }
        for d in documents
    ]
    return {
        **_page(project, role, "project_agreement_page"),
        "report": report,
        "matrix": matrix,
        "coder_names": [names.get(c, "?") for c in report.coders],
        "label_rows": labels,
        "links": links,
        "link_rows": [{"key": key, "f1": links.pooled.types[key].f1} for key in links.types] if links else [],
        "overall_band": band(report.alpha),
        "page": Paginator(rows, PAGE_SIZE).get_page(page_number),
    }


def _bar(value: int | float | None, largest: float) -> float:
    return round(CHART_WIDTH * max(value or 0, 0) / largest, 1) if largest else 0.0


def dashboard_context(project: Project, role: str, board: Dashboard) -> dict[str, Any]:
    """The dashboard figures with the geometry of their SVG charts."""
    scale = board.largest
    statuses = [
        {"key": key, "name": ArticleStatus(key).label, "count": count, "width": _bar(count, scale["status"])}
        for key, count in board.articles_by_status.items()
    ]
    labels = [
        {"label": label, "count": label.count, "width": _bar(label.count, scale["label"])} for label in board.labels
    ]
    height, step, bar = WEEK_CHART["height"], WEEK_CHART["step"], WEEK_CHART["bar"]
    weeks = []
    for index, week in enumerate(board.weeks):
        x = 30 + index * step
        submitted, approved = (round(height * n / scale["week"], 1) for n in (week.submitted, week.approved))
        weeks.append(
            {
                "week": week,
                "x": x,
                "x2": x + bar,
                "label_x": x + bar,
                "submitted_h": submitted,
                "submitted_y": height - submitted,
                "approved_h": approved,
                "approved_y": height - approved,
            }
        )
    points = {
        name: [
            {
                "x": w["x"] + bar,
                "y": round(height - height * min(max(getattr(w["week"], name), 0), 1), 1),
                "value": getattr(w["week"], name),
            }
            for w in weeks
            if getattr(w["week"], name) is not None
        ]
        for name in ("overlap_f1", "alpha")
    }
    lines = {name: " ".join(f"{p['x']},{p['y']}" for p in found) for name, found in points.items()}
    people = [{"p": p, "done": _bar(p.finished, max(p.assigned, 1))} for p in board.people]
    return {
        **_page(project, role, "project_dashboard_page"),
        "board": board,
        "statuses": statuses,
        "label_bars": labels,
        "weeks": weeks,
        "lines": lines,
        "points": points,
        "people": people,
        "chart": {"width": CHART_WIDTH, "weeks_width": 30 + len(weeks) * step, **WEEK_CHART},
        "can_see_agreement": board.agreement is not None,
    }
