"""The annotate page's working state: the highlighted text, the sidebar and the selected annotation.

The page and every htmx write re-render the same `workspace` region from this context, so what a user
sees after a change is always what the database holds. The work is a constant number of queries
(article, labels, annotations) however many annotations the article has.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.http import QueryDict
from django.urls import reverse
from django.utils.safestring import mark_safe

from articles.forms import AnnotationEditForm
from articles.highlighting import Span, render_html, segments
from articles.locking import LOCKED_STATES
from articles.models import Annotation, Article, Assignment, Label, Role
from articles.permissions import Action, can_change_annotation, role_allows
from articles.workflow import available_actions

EXCERPT = 140
TITLE_NOTE = 120
LIST_WINDOW = 100  # sidebar items per page: each is a template partial; more cost more than the text
LIST_LEAD = 40  # items shown before the selected one


@dataclass(frozen=True)
class ViewOptions:
    """Whose annotations to show, which labels to hide and which one to focus (the others fade);
    sent along with every workspace request. Unknown values fall back to the defaults."""

    who: str = "all"
    hidden: frozenset[str] = frozenset()
    focus: str = ""

    @classmethod
    def read(cls, data: QueryDict, labels: list[Label]) -> ViewOptions:
        who = "mine" if data.get("who") == "mine" else "all"
        keys = {label.key for label in labels}
        focus = data.get("focus", "") if data.get("focus", "") in keys else ""
        if data.get("labels_shown") != "1":
            return cls(who=who, focus=focus)
        shown = set(data.getlist("show"))
        return cls(who=who, hidden=frozenset(keys - shown), focus=focus)

    def query(self) -> str:
        """Return the options as a query string for plain links (no JavaScript)."""
        data = QueryDict(mutable=True)
        if self.who == "mine":
            data["who"] = "mine"
        if self.focus:
            data["focus"] = self.focus
        return data.urlencode()


def shorten(text: str, limit: int = EXCERPT) -> str:
    """Return `text` on one line, cut at a word boundary with an ellipsis when longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[: limit - 20] else flat[:limit]
    return cut.rstrip(",.;:") + "…"


def labels_version(labels: list[Label]) -> str:
    """Fingerprint the label styles so the per-project stylesheet URL changes when they do."""
    raw = "|".join(f"{label.key}:{label.color}:{label.order}" for label in labels)
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def web_url(url: str) -> str:
    """Return the article's URL when it is http(s), else "" (never a javascript: link, XSS-1)."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") and "\n" not in url else ""


SHOWN_FIELDS = (
    "id",
    "article_id",
    "label_id",
    "author_id",
    "start",
    "end",
    "quote",
    "note",
    "attributes",
    "status",
    "is_flagged",
    "question",
    "version",
)


def my_work(article_id: int, user, role: str | None) -> Assignment | None:
    """The user's own assignment on the article (None if it is not theirs to do), carrying the workflow
    steps they may take from the page and whether it is locked (articles.locking holds that rule)."""
    work = Assignment.objects.filter(article_id=article_id, annotator_id=user.pk).select_related("reviewed_by").first()
    if work is not None:
        work.actions = available_actions(work, user, role)
        work.is_locked = work.state in LOCKED_STATES
    return work


def can_edit(role: str | None, user, annotation: Annotation, work: Assignment | None) -> bool:
    """Whether the editor offers changes: the role allows them and the user's work here is not locked."""
    return can_change_annotation(role, user, annotation) and not (work is not None and work.is_locked)


def _visible_annotations(article: Article, user, options: ViewOptions, labels: dict[int, Label]) -> list[Annotation]:
    query = Annotation.objects.visible_to(user).filter(article=article).in_text_order().only(*SHOWN_FIELDS)
    if options.who == "mine":
        query = query.filter(author=user)
    annotations = list(query)
    # Labels and authors are few: one query each and shared objects, rather than a joined copy per row.
    authors = User.objects.only("id", "username").in_bulk({annotation.author_id for annotation in annotations})
    for annotation in annotations:
        annotation.label = labels[annotation.label_id]
        annotation.author = authors[annotation.author_id]
        annotation.excerpt = shorten(annotation.quote)
        annotation.note_excerpt = shorten(annotation.note, 90)
    return annotations


def _span(annotation: Annotation) -> Span:
    """A highlight whose tooltip names the label (and the note, if any); kept short, as every
    segment of the text repeats the tooltips of all annotations covering it."""
    title = annotation.label.name
    if annotation.note:
        title += f": {shorten(annotation.note, TITLE_NOTE)}"
    return Span(annotation.pk, annotation.start, annotation.end, annotation.label.key, title)


def list_window(annotations: list[Annotation], selected: Annotation | None, start: int | None) -> dict[str, Any]:
    """Pick the sidebar's page: from `start` if asked, else around the selected annotation, else the top."""
    if start is None:
        start = max(0, annotations.index(selected) - LIST_LEAD) if selected is not None else 0
    start = max(0, min(start, max(0, len(annotations) - 1)))
    end = min(len(annotations), start + LIST_WINDOW)
    return {
        "items": annotations[start:end],
        "first": start + 1,
        "last": end,
        "earlier": max(0, start - LIST_WINDOW) if start > 0 else None,
        "later": end if end < len(annotations) else None,
    }


def workspace_context(
    article: Article,
    *,
    user,
    role: str,
    options: ViewOptions,
    labels: list[Label],
    selected_id: int | None = None,
    editor_form: AnnotationEditForm | None = None,
    list_from: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Return the template context of the workspace region (text, sidebar, editor, notices)."""
    annotations = _visible_annotations(article, user, options, {label.pk: label for label in labels})
    counts = Counter(annotation.label_id for annotation in annotations)
    shown = [annotation for annotation in annotations if annotation.label.key not in options.hidden]
    selected = next((annotation for annotation in shown if annotation.pk == selected_id), None)
    if selected is not None and editor_form is None:
        editor_form = AnnotationEditForm(annotation=selected, labels=labels)
    window = list_window(shown, selected, list_from)
    work = my_work(article.pk, user, role)
    is_locked = work is not None and work.is_locked
    return {
        "article": article,
        "labels": labels,
        "label_counts": [(label, counts.get(label.pk, 0)) for label in labels],
        "annotations": shown,
        "list_window": window,
        "hidden_count": len(annotations) - len(shown),
        "total_count": len(annotations),
        "text_html": mark_safe(render_html(segments(article.text, map(_span, shown)))),  # escapes every piece
        "selected": selected,
        "editor_form": editor_form if selected is not None else None,
        "can_edit_selected": selected is not None and can_edit(role, user, selected, work),
        "can_annotate": role_allows(role, Action.ANNOTATE) and not is_locked,
        "work": work,
        "options": options,
        **extra,
    }


def page_context(article: Article, *, role: str, labels: list[Label], can_annotate: bool) -> dict[str, Any]:
    """Return what the annotate page shows around the workspace: metadata, label bar, JS settings."""
    project = article.project
    return {
        "project": project,
        "role": role,
        "article_url": web_url(article.url),
        "labels_css_version": labels_version(labels),
        "is_blind": role == Role.ANNOTATOR and project.is_independent,
        "annotator_config": {
            "canAnnotate": can_annotate,
            "articleUrl": reverse("article_annotate", args=[article.pk]),
            "annotationUrl": reverse("annotation_detail", args=[0]),
            "updateUrl": reverse("annotation_update", args=[0]),
            "deleteUrl": reverse("annotation_delete", args=[0]),
            "labels": [{"key": label.key, "name": label.name, "shortcut": label.shortcut} for label in labels],
        },
    }
