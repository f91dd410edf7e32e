"""The annotate page's working state: the highlighted text, the sidebar and the selected annotation.

The page renders the `workspace` region from this context; a write answers with the parts it changed,
rendered by the same partials from the same state (articles.views.workspace_changes), so what a user sees
after a change is what the database holds. The annotations are read as plain rows (only a sidebar page
and the selected one as model instances), in a constant number of queries however many there are.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.safestring import mark_safe

from articles import access
from articles.forms import AnnotationEditForm
from articles.highlighting import Span, blocks, render_blocks
from articles.links import link_types_of, types_allowed
from articles.locking import LOCKED_STATES
from articles.models import (
    AnchorStatus,
    Annotation,
    Article,
    Assignment,
    Label,
    Link,
    LinkType,
    ReviewStatus,
    Role,
    Suggester,
    Suggestion,
)
from articles.permissions import Action, can_change_annotation, role_allows
from articles.suggestions import offered
from articles.views.workspace_list import list_window
from articles.workflow import available_actions

EXCERPT = 140
TITLE_NOTE = 120


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
    "anchor_status",
    "anchor_score",
    "original_quote",
)


def my_work(article_id: int, user, role: str | None) -> Assignment | None:
    """The user's own assignment on the article (None if it is not theirs to do), carrying the workflow
    steps they may take from the page and whether it is locked (articles.locking holds that rule)."""
    work = Assignment.objects.filter(article_id=article_id, annotator_id=user.pk).select_related("reviewed_by").first()
    if work is not None:
        work.actions = available_actions(work, user, role)
        work.is_locked = work.state in LOCKED_STATES
    return work


def can_edit(role: str | None, user, annotation: Annotation | Link, work: Assignment | None) -> bool:
    """Whether the editor offers changes: the role allows them and the user's work here is not locked (a link
    follows its author as an annotation does)."""
    return can_change_annotation(role, user, annotation) and not (work is not None and work.is_locked)


def may_annotate(role: str | None, work: Assignment | None) -> bool:
    """Whether the user may add annotations and links here now: the role allows it and their work is not locked."""
    return role_allows(role, Action.ANNOTATE) and not (work is not None and work.is_locked)


class Row(NamedTuple):
    """What the text and the counts need of one annotation: a plain row, not a model instance, as an
    article has thousands of them and only a page is shown in full."""

    pk: int
    start: int
    end: int
    label_id: int
    author_id: int
    note: str


def _rows(article: Article, user, options: ViewOptions) -> list[Row]:
    """The annotations with a place in the text (orphans have none: their own list shows them)."""
    query = Annotation.objects.visible_to(user).filter(article=article).anchored()
    if options.who == "mine":
        query = query.filter(author=user)
    return [Row(*values) for values in query.in_text_order().values_list(*Row._fields)]


def in_full(article: Article, user, pks: set[int], labels: dict[int, Label]) -> dict[int, Annotation]:
    """The annotations the sidebar page and the editor show, with their authors and shared label objects."""
    if not pks:
        return {}
    query = Annotation.objects.visible_to(user).filter(article=article, pk__in=pks).select_related("author")
    found = {annotation.pk: annotation for annotation in query.only(*SHOWN_FIELDS, "author__username")}
    for annotation in found.values():
        annotation.label = labels[annotation.label_id]
        annotation.excerpt = shorten(annotation.quote)
        annotation.note_excerpt = shorten(annotation.note, 90)
    return found


def _span(row: Row, labels: dict[int, Label]) -> Span:
    """A highlight whose tooltip names the label (and the note, if any); kept short, as every
    segment of the text repeats the tooltips of all annotations covering it."""
    label = labels[row.label_id]
    title = f"{label.name}: {shorten(row.note, TITLE_NOTE)}" if row.note else label.name
    return Span(row.pk, row.start, row.end, label.key, title)


def text_blocks(text: str, rows: list[Row], labels: dict[int, Label], only: set[int] | None = None) -> list[dict]:
    """The article text as highlighted blocks (all of them, or those in `only`); each piece is escaped."""
    rendered = render_blocks(text, (_span(row, labels) for row in rows), blocks(text), only)
    return [{"index": index, "html": mark_safe(html)} for index, html in rendered]


def annotations_state(article: Article, *, user, role: str, options: ViewOptions, labels: list[Label]) -> dict:
    """What both the whole workspace and a write's answer show: the annotations (shown and counted, as
    rows), the user's own work and whether they may annotate, for the user's view options."""
    rows = _rows(article, user, options)
    orphans = Annotation.objects.visible_to(user).filter(article=article, anchor_status=AnchorStatus.ORPHANED)
    orphan_count = orphans.count() if article.text_revision > 1 else 0  # only a revision makes orphans
    counts = Counter(row.label_id for row in rows)
    hidden = {label.pk for label in labels if label.key in options.hidden}
    shown = [row for row in rows if row.label_id not in hidden]
    work = my_work(article.pk, user, role)
    return {
        "article": article,
        "labels": labels,
        "labels_by_id": {label.pk: label for label in labels},
        "label_counts": [(label, counts.get(label.pk, 0)) for label in labels],
        "annotations": shown,
        "hidden_count": len(rows) - len(shown),
        "total_count": len(rows),
        "orphan_count": orphan_count,
        "can_annotate": may_annotate(role, work),
        "work": work,
        "options": options,
    }


def editor_state(
    state: dict,
    selected: Annotation | None,
    *,
    user,
    role: str,
    links: list[Link],
    editor_form: AnnotationEditForm | None = None,
) -> dict[str, Any]:
    """The editor's part of the context: the selected annotation and its form, if the user may change it, and
    its links among `links`."""
    if selected is not None and editor_form is None:
        editor_form = AnnotationEditForm(annotation=selected, labels=state["labels"])
    return {
        "selected": selected,
        "editor_form": editor_form if selected is not None else None,
        "can_edit_selected": selected is not None and can_edit(role, user, selected, state["work"]),
        **link_panel(selected, user=user, role=role, work=state["work"], links=links),
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
    state = annotations_state(article, user=user, role=role, options=options, labels=labels)
    shown = state["annotations"]
    position = next((index for index, row in enumerate(shown) if row.pk == selected_id), None)
    window = list_window(shown, position, list_from)
    full = in_full(article, user, {row.pk for row in window["rows"]} | {selected_id} - {None}, state["labels_by_id"])
    selected = full.get(selected_id) if position is not None else None
    links = links_of(article, user, role)
    return {
        **state,
        **editor_state(state, selected, user=user, role=role, links=links, editor_form=editor_form),
        "links": links,
        "list_window": {**window, "items": [full[row.pk] for row in window["rows"] if row.pk in full]},
        "text_blocks": text_blocks(article.text, shown, state["labels_by_id"]),
        **suggestion_panel(article, user=user, can_annotate=state["can_annotate"], labels=labels),
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


# --- Links between spans: the article's links (links.js draws them) and the selected annotation's, in words

# The default link types turned round, for a link seen from its target: the source "says" the quote it said.
TURNED = {"Said by": "Says", "Claimed by": "Claims", "Backed by": "Backs", "Held by": "Holds"}


def lower_first(name: str) -> str:
    """A name inside a sentence: "Said by" becomes "said by"; one that starts with an acronym ("UN source") stays."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def seen_from_target(name: str) -> str:
    """The words for a link seen from its target: the default types read back ("says"), any other with an arrow."""
    return lower_first(TURNED[name]) if name in TURNED else "← " + lower_first(name)


class Placed(NamedTuple):
    """An annotation with a place in the text, as far as linking needs it."""

    pk: int
    label_id: int


# The review buttons of a link line, by the status each sets (articles.links.review_link).
REVIEW_BUTTONS = {
    ReviewStatus.ACCEPTED: "Accept",
    ReviewStatus.REJECTED: "Reject",
    ReviewStatus.PENDING: "Back to pending",
}


@dataclass(frozen=True)
class LinkLine:
    """One link of the selected annotation in words: "said by: the minister (source)" going out,
    "says: Taxes will fall (quote)" coming in; Remove is offered to whoever may change the link, the review
    buttons to reviewers and owners who did not make it."""

    link: Link
    wording: str
    other: Annotation
    can_remove: bool
    can_review: bool = False

    @property
    def outgoing(self) -> bool:
        return self.other.pk == self.link.to_annotation_id

    @property
    def orphaned(self) -> bool:
        return self.link.end_orphaned

    @property
    def review_buttons(self) -> list[tuple[str, str]]:
        """(status, button text) for the statuses the link may move to: not the one it has, so a pending link
        offers Accept and Reject, a reviewed one the other verdict and Back to pending."""
        return [(status, text) for status, text in REVIEW_BUTTONS.items() if status != self.link.status]


@dataclass(frozen=True)
class LinkTarget:
    """A label the selected annotation may link to: the types allowed for the pair (numbered 1… in the page,
    articles.links.types_allowed) and the highlighted annotations that carry the label."""

    label: Label
    types: list[LinkType]
    candidates: list[int]


def links_of(article: Article, user, role: str | None, *, touching: int | None = None) -> list[Link]:
    """The article's links the user may see, oldest first, with types and both ends (access.visible_links_of: one
    query); `touching` keeps those with that annotation at an end. An article read through one of its annotations
    or links lacks the role and visibility that rule decides by: they come from the role the view read."""
    if not hasattr(article, "project_visibility"):
        article.my_role, article.project_visibility = role, article.project.visibility
    links = access.visible_links_of(article, user)
    if touching is not None:
        links = links.filter(Q(from_annotation_id=touching) | Q(to_annotation_id=touching))
    return list(links)


def link_lines(
    selected: Annotation, links: list[Link], *, user, role: str | None, work: Assignment | None
) -> list[LinkLine]:
    """The selected annotation's links in words: those going out first, then those coming in."""
    reviewer = role_allows(role, Action.REVIEW)

    def line(link: Link, wording: str, other: Annotation) -> LinkLine:
        may_review = reviewer and link.author_id != user.pk  # never one's own link (articles.links.review_link)
        return LinkLine(link, wording, other, can_edit(role, user, link, work), may_review)

    going = [
        line(link, lower_first(link.type.name), link.to_annotation)
        for link in links
        if link.from_annotation_id == selected.pk
    ]
    coming = [
        line(link, seen_from_target(link.type.name), link.from_annotation)
        for link in links
        if link.to_annotation_id == selected.pk
    ]
    return going + coming


def link_targets(selected: Annotation, labels: list[Label], types: list[LinkType], rows) -> list[LinkTarget]:
    """What the selected annotation may link to, by label, with the candidates among `rows` (pk and label_id)."""
    by_label: dict[int, list[int]] = {}
    for row in rows:
        if row.pk != selected.pk:
            by_label.setdefault(row.label_id, []).append(row.pk)
    targets = []
    for label in labels:
        allowed = types_allowed(types, selected.label.key, label.key)
        if allowed:
            targets.append(LinkTarget(label, allowed, by_label.get(label.pk, [])))
    return targets


def link_panel(
    selected: Annotation | None, *, user, role: str | None, work: Assignment | None, links: list[Link]
) -> dict[str, Any]:
    """The editor's links part: the selected annotation's links in words, and whether to offer Link (its
    choices are read when asked for: offered_targets)."""
    if selected is None:
        return {"link_lines": [], "may_link": False}
    return {
        "link_lines": link_lines(selected, links, user=user, role=role, work=work),
        "may_link": may_annotate(role, work),
    }


def offered_targets(selected: Annotation, *, user, labels: list[Label]) -> list[LinkTarget]:
    """What the Link button of `selected` offers: by label, the types allowed and the highlighted annotations
    (those with a place in the text) the user sees; link_types_of and the annotations: four queries."""
    placed = Annotation.objects.visible_to(user).filter(article_id=selected.article_id).anchored()
    rows = [Placed(*values) for values in placed.values_list("pk", "label_id")]
    types = link_types_of(selected.article.project_id)
    return link_targets(selected, labels, types, rows)


# --- Suggestions: spans the project's suggesters found, offered to the user to accept or reject


def has_speaker(label: Label) -> bool:
    """Whether the label's attributes include a quote's speaker (what the accept form lets one edit)."""
    return any(isinstance(field, dict) and field.get("name") == "speaker" for field in label.fields or [])


def describe_suggestion(suggestion: Suggestion) -> Suggestion:
    """Give a suggestion what the page shows of it: its name in words (the list's accessible name), its
    confidence in percent, the speaker it proposes and the source it would be linked to."""
    label = suggestion.label
    suggestion.percent = round(suggestion.confidence * 100)
    suggestion.speaker = str(suggestion.attributes.get("speaker", "") or "")
    suggestion.has_speaker = has_speaker(label)
    suggestion.excerpt = shorten(suggestion.quote, 80)
    suggestion.name = f"Suggested {lower_first(label.name)}: “{suggestion.excerpt}”, {suggestion.percent}%"
    target = suggestion.link_to if suggestion.link_type else None
    suggestion.link_words = f"{suggestion.link_type.replace('_', ' ')}: {shorten(target.quote, 60)}" if target else ""
    return suggestion


def suggestion_panel(article: Article, *, user, can_annotate: bool, labels: list[Label]) -> dict[str, Any]:
    """The suggestions part of the workspace: whether a suggester of the project is switched on (one query), then,
    for those who may annotate here now, the suggestions offered to them (one more, however many there are:
    articles.suggestions.offered)."""
    # Asked whatever the user may do, so the page costs the same queries in every state of their work.
    switched_on = Suggester.objects.filter(project_id=article.project_id, enabled=True).exists()
    if not (switched_on and can_annotate):
        return {"suggesting": False, "suggestions": []}
    found = [describe_suggestion(each) for each in offered(article, user)]
    return {
        "suggesting": True,
        "suggestions": found,
        "quote_suggestions": sum(1 for each in found if each.label.key == "quote"),
        "speaker_labels": {label.key for label in labels if has_speaker(label)},
    }
