"""Checking what was read against a project, before anything is stored.

`plan_import` validates every draft with the domain write path (article_write.build_article,
annotation_write.build_annotation) and collects every problem, duplicate and notice without writing;
the preview shows that plan. articles.imports.committing stores it. Duplicates (same text or external
id in the project, or the same span, label and author on a stored article) are skipped and reported,
so importing the same file twice is harmless. Authors are matched by username among the project's
members; anyone else's annotations are attributed to the importing user and keep the original name
in the attribute `original_author`. Links between imported annotations (native JSON, JSONL relations) are
checked by links.build_link against the project's link types, to which the file's new ones are added
(existing keys win, as for labels); a link whose end is skipped as already stored is skipped with it.
"""

from __future__ import annotations

from datetime import timezone as dt_timezone
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.access import require, role_in
from articles.anchoring import SpanError, TextQuote, anchor
from articles.annotation_write import build_annotation
from articles.article_write import build_article
from articles.errors import InvalidInput
from articles.imports.drafts import AnnotationDraft, ArticleDraft, Batch, LabelDraft, LinkDraft, LinkTypeDraft, Problem
from articles.imports.outcome import ImportPlan, PlannedRevision, Skipped
from articles.imports.targets import ArticleIndex, existing_spans
from articles.labels import check_label_fields
from articles.link_import import build_link_type
from articles.links import LinkSpec, build_link, link_types_of
from articles.models import Annotation, Article, Label, LinkType, Membership, Project, ReviewStatus
from articles.permissions import Action
from articles.text_rules import clean_text

MAX_ARTICLES = settings.IMPORT_MAX_ARTICLES
MAX_ANNOTATIONS = settings.IMPORT_MAX_ANNOTATIONS
REVIEW_STATUSES = frozenset(ReviewStatus.values)
ARTICLE_CHECKED_FIELDS = ("title", "byline", "outlet", "url", "published_at", "language", "external_id", "status")
# The fields build_article already checked (the text), or that the server sets: listed once, not per article.
UNCHECKED_FIELDS = frozenset(f.name for f in Article._meta.fields if f.name not in ARTICLE_CHECKED_FIELDS)


def _messages(error: InvalidInput | ValidationError) -> list[tuple[str, str]]:
    """Flatten a domain or model validation error into (field, message) pairs."""
    errors = error.errors if isinstance(error, InvalidInput) else error.message_dict
    return [(name, str(message)) for name, messages in errors.items() for message in messages]


class _Planner:
    """Walks the batches of one import once, filling an ImportPlan; `file` is the one being planned."""

    def __init__(
        self, project: Project, batches: list[Batch], by, article: Article | None, own_prefix: str, progress=None
    ):
        self.plan = ImportPlan(project, by)
        self.progress = progress
        self.batches, self.target, self.own_prefix = batches, article, own_prefix
        self.file = ""
        self.labels = {label.key: label for label in Label.objects.filter(project=project)}
        self.members = self._members()
        self.earlier: dict[str, str] = {}  # text hash / external id -> where it was first seen
        self.revised: set[int] = set()  # stored articles this import brings a new text of
        self.seen_spans: dict[tuple, str] = {}
        self.existing: set[tuple] = set()
        self.reattributed: dict[str, int] = {}
        self.links_reattributed: dict[str, int] = {}
        self.relocated = 0
        self._link_types: dict[str, LinkType] | None = None  # read when the import brings links or link types

    def problem(self, record: str, field_name: str, message: str) -> None:
        self.plan.problems.append(Problem(self.file, record, field_name, message))

    def _members(self) -> dict[str, Any]:
        drafts = [*self._annotation_drafts(), *self._link_drafts()]
        names = {d.author for d in drafts if isinstance(d.author, str) and d.author}
        members = Membership.objects.filter(project=self.plan.project, user__username__in=sorted(names))
        return {m.user.username: m.user for m in members.select_related("user")}

    def _annotation_drafts(self):
        for batch in self.batches:
            yield from batch.annotations
            for article in batch.articles:
                yield from article.annotations

    def _link_drafts(self):
        for batch in self.batches:
            for article in batch.articles:
                yield from article.links

    # labels -----------------------------------------------------------------------------------------
    def plan_labels(self, drafts: list[LabelDraft]) -> None:
        """Create the labels a native export brings that the project lacks (existing keys win)."""
        shortcuts = {label.shortcut for label in self.labels.values() if label.shortcut}
        for draft in drafts:
            if draft.key in self.labels:
                continue
            label = Label(
                project=self.plan.project,
                key=draft.key,
                name=draft.name,
                color=draft.color,
                shortcut=draft.shortcut if draft.shortcut not in shortcuts else "",
                description=draft.description,
                order=draft.order,
                fields=draft.fields,
            )
            try:  # the API's rules: the model's, then the attribute fields and texts of articles.labels
                label.clean_fields(exclude=["project"])
                label.fields = check_label_fields(label.fields)
                label.name = clean_text(label.name, field="name")
                label.description = clean_text(label.description, field="description")
            except (ValidationError, InvalidInput) as error:
                for name, message in _messages(error):
                    self.problem(draft.record, name, message)
                continue
            shortcuts.add(label.shortcut)
            self.labels[label.key] = label
            self.plan.labels.append(label)

    # link types -------------------------------------------------------------------------------------
    @property
    def link_types(self) -> dict[str, LinkType]:
        """The project's link types by key (each with from_keys/to_keys), then those this import adds."""
        if self._link_types is None:
            self._link_types = {each.key: each for each in link_types_of(self.plan.project)}
        return self._link_types

    def plan_link_types(self, drafts: list[LinkTypeDraft]) -> None:
        """Create the link types a native export brings that the project lacks (existing keys win); their ends
        may name labels this import adds."""
        for draft in drafts:
            if draft.key in self.link_types:
                continue
            values = {
                "key": draft.key,
                "name": draft.name,
                "color": draft.color,
                "description": draft.description,
                "order": draft.order,
                "from_labels": draft.from_labels,
                "to_labels": draft.to_labels,
            }
            try:
                link_type = build_link_type(self.plan.project, values, self.labels)
            except InvalidInput as error:
                for name, message in _messages(error):
                    self.problem(draft.record, name, message)
                continue
            self.link_types[link_type.key] = link_type
            self.plan.link_types.append(link_type)

    def label_for(self, value: Any) -> Label | None:
        """Match a label by key, else by key or name ignoring case (tags from other tools)."""
        if not isinstance(value, str):
            return None
        if value in self.labels:
            return self.labels[value]
        folded = value.strip().casefold()
        return next((lb for lb in self.labels.values() if folded in (lb.key.casefold(), lb.name.casefold())), None)

    # articles ---------------------------------------------------------------------------------------
    def build_article(self, draft: ArticleDraft) -> Article | None:
        """Validate one article as the write path does, plus the model's field rules (lengths, url, date)."""
        try:
            article = build_article(
                self.plan.project, by=self.plan.by, title=draft.title, text=draft.text, **draft.metadata
            )
            if draft.status is not None:
                article.status = draft.status
            article.clean_fields(exclude=UNCHECKED_FIELDS)
        except (InvalidInput, ValidationError) as error:
            for name, message in _messages(error):
                self.problem(draft.record, name, message)
            return None
        nul = [name for name in ARTICLE_CHECKED_FIELDS if "\x00" in str(getattr(article, name) or "")]
        if nul:
            self.problem(draft.record, nul[0], "Null characters are not allowed.")
            return None
        if article.url and not article.url.startswith(("http://", "https://")):
            self.problem(draft.record, "url", "Give an http:// or https:// address.")
            return None
        if article.published_at and timezone.is_naive(article.published_at):
            article.published_at = timezone.make_aware(article.published_at, dt_timezone.utc)
        if draft.text_sha256 is not None and draft.text_sha256 != article.text_sha256:
            self.problem(draft.record, "text_sha256", "Does not match the text: the file was edited or is damaged.")
            return None
        return article

    def _built(self, batch: Batch) -> list[tuple[ArticleDraft, Article]]:
        built = []
        for draft in batch.articles:
            if (article := self.build_article(draft)) is not None:
                built.append((draft, article))
            if self.progress is not None:
                self.progress.update(1)
        return built

    def plan_articles(self, batch: Batch) -> None:
        built = self._built(batch)
        if self.target is not None:
            for draft, article in built:
                if article.text_sha256 != self.target.text_sha256:
                    self.problem(
                        draft.record, "text", "This text differs from the article's text, so its offsets do not fit."
                    )
                    continue
                self.add_annotations(self.target, draft)
            return
        index = ArticleIndex(self.plan.project)
        index.load_duplicates(
            (a.text_sha256 for _, a in built), (a.external_id for _, a in built), (a.url for _, a in built)
        )
        earlier = self.earlier
        for draft, article in built:
            duplicate = index.duplicate_of(article)
            first = earlier.get(article.text_sha256) or earlier.get(f"id:{article.external_id}")
            if first is None and duplicate is not None and self._revises(draft, article, duplicate):
                continue
            if duplicate is not None or first is not None:
                reason = f"{duplicate[1]} as article {duplicate[0].pk}" if duplicate else f"same as {first}"
                self.plan.skipped.append(
                    Skipped(
                        self.file,
                        draft.record,
                        article.title,
                        f"Already in the project ({reason}).",
                        duplicate[0].pk if duplicate else None,
                    )
                )
                continue
            earlier[article.text_sha256] = f"{self.file}, {draft.record}"
            if article.external_id:
                earlier[f"id:{article.external_id}"] = f"{self.file}, {draft.record}"
            self.plan.articles.append(article)
            self.add_annotations(article, draft)

    def _revises(self, draft: ArticleDraft, article: Article, duplicate: tuple[Article, str]) -> bool:
        """Plan a new revision of the stored article that `article` matches by external id or url with other
        text (when the project takes revisions from imports); its annotations go onto the new text."""
        stored, reason = duplicate
        if reason == "same text" or not self.plan.project.revisions_from_imports:
            return False
        if stored.pk in self.revised:
            self.problem(draft.record, "text", f"Another record of this import already revises article {stored.pk}.")
            return True
        self.revised.add(stored.pk)
        self.plan.revisions.append(PlannedRevision(stored, article.text, self.file, draft.record))
        revised = Article(
            pk=stored.pk,
            project=self.plan.project,
            title=stored.title,
            text=article.text,
            text_sha256=article.text_sha256,
            text_revision=stored.text_revision + 1,
        )
        self.add_annotations(revised, draft)
        return True

    def plan_targeted(self, batch: Batch) -> None:
        """Place annotations that point at stored articles (W3C files)."""
        drafts = batch.annotations
        if not drafts:
            return
        index = ArticleIndex(self.plan.project)
        if self.target is None:
            index.load_targets([s for d in drafts for s in (d.source, d.scope)], self.own_prefix)
        targets = [self.target or index.target(d.source, d.scope, self.own_prefix) for d in drafts]
        self.existing |= existing_spans(t for t in targets if t is not None)
        for draft, article in zip(drafts, targets):
            if article is None:
                self.problem(
                    draft.record,
                    "target.source",
                    f"No article in this project matches {draft.source[:200]!r}; import the article "
                    "first, or import into one article.",
                )
                continue
            self.add_annotation(article, draft)

    # annotations ------------------------------------------------------------------------------------
    def author_for(self, draft: AnnotationDraft) -> tuple[Any, Any]:
        """Return (author, attributes): a member with that username, else the importing user."""
        name, attributes = draft.author, draft.attributes
        if not isinstance(name, str) or not name:
            return self.plan.by, attributes
        if name in self.members:
            return self.members[name], attributes
        self.reattributed[name] = self.reattributed.get(name, 0) + 1
        if isinstance(attributes, dict) or attributes in (None, ""):
            attributes = {**(attributes or {}), "original_author": name[:200]}
        return self.plan.by, attributes

    def relocate(self, text: str, draft: AnnotationDraft) -> tuple[Any, Any] | None:
        """Keep the position when the text there equals the quote; otherwise find the quote."""
        start, end, quote = draft.start, draft.end, draft.quote
        offsets_ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
        if offsets_ok and 0 <= start < end <= len(text) and text[start:end] == quote:
            return start, end
        try:
            position = anchor(
                text, TextQuote(quote, draft.prefix or "", draft.suffix or ""), hint=start if offsets_ok else None
            )
        except SpanError as error:
            found = ", ".join(f"{c.start}-{c.end}" for c in error.candidates[:5])
            self.problem(draft.record, "target.selector", error.message + (f" Found at {found}." if found else ""))
            return None
        self.relocated += 1
        return position.start, position.end

    def add_annotation(self, article: Article, draft: AnnotationDraft) -> Annotation | Skipped | None:
        """Plan one annotation; return it, or its Skipped entry when it is stored already, or None when refused."""
        label = self.label_for(draft.label)
        if label is None:
            known = ", ".join(sorted(self.labels))
            self.problem(draft.record, "label", f"Unknown label {str(draft.label)[:40]!r}; this project has {known}.")
            return None
        status = draft.status or ReviewStatus.PENDING
        if status not in REVIEW_STATUSES:
            self.problem(draft.record, "status", f"Choose one of: {', '.join(ReviewStatus.values)}.")
            return None
        question = draft.question or ""
        if not isinstance(question, str) or len(question) > 2000 or "\x00" in question:
            self.problem(draft.record, "question", "At most 2000 characters of text, no null bytes.")
            return None
        start, end = draft.start, draft.end
        if draft.relocatable and isinstance(draft.quote, str) and draft.quote:
            if (position := self.relocate(article.text, draft)) is None:
                return None
            start, end = position
        author, attributes = self.author_for(draft)
        try:
            annotation = build_annotation(
                article,
                author=author,
                label=label,
                start=start,
                end=end,
                quote=draft.quote,
                prefix=draft.prefix or "",
                suffix=draft.suffix or "",
                note=draft.note or "",
                attributes=attributes,
                status=status,
            )
        except InvalidInput as error:
            for name, message in _messages(error):
                self.problem(draft.record, name, message)
            return None
        annotation.is_flagged, annotation.question = bool(draft.is_flagged), question
        key = (id(article), author.pk, label.key, annotation.start, annotation.end)
        if key in self.seen_spans:
            self.problem(draft.record, "", f"The same span, label and author already appear at {self.seen_spans[key]}.")
            return None
        self.seen_spans[key] = f"{self.file}, {draft.record}"
        if article.pk and (article.pk, author.pk, label.pk, annotation.start, annotation.end) in self.existing:
            skipped = Skipped(self.file, draft.record, annotation.quote[:80], "This annotation is already stored.")
            self.plan.skipped.append(skipped)
            return skipped
        self.plan.annotations.append(annotation)
        return annotation

    def add_annotations(self, article: Article, draft: ArticleDraft) -> None:
        """Plan an article's annotations, then the links between them."""
        placed = {}
        for annotation in draft.annotations:
            outcome = self.add_annotation(article, annotation)
            if annotation.ref is not None:
                placed[annotation.ref] = outcome
        if draft.links:
            self.add_links(article, draft.links, placed)

    # links ------------------------------------------------------------------------------------------
    def link_author(self, name: Any) -> Any:
        """A member with that username, else the importing user (counted for the report)."""
        if not isinstance(name, str) or not name:
            return self.plan.by
        if name in self.members:
            return self.members[name]
        self.links_reattributed[name] = self.links_reattributed.get(name, 0) + 1
        return self.plan.by

    def add_links(
        self, article: Article, drafts: list[LinkDraft], placed: dict[Any, Annotation | Skipped | None]
    ) -> None:
        """Check each link with the write path's rules (links.build_link) between the annotations just planned.

        The readers made sure each end names an annotation of this article; an end refused has its problem
        already, and a link with an end stored already is skipped with it.
        """
        ends = {ref: outcome for ref, outcome in placed.items() if isinstance(outcome, Annotation)}
        seen: dict[tuple, str] = {}
        for draft in drafts:
            outcomes = (placed.get(draft.from_ref), placed.get(draft.to_ref))
            if any(isinstance(outcome, Skipped) for outcome in outcomes):
                self.plan.skipped.append(
                    Skipped(self.file, draft.record, str(draft.type)[:80], "An end of this link is already stored.")
                )
                continue
            if None in outcomes:
                continue
            status = draft.status or ReviewStatus.PENDING
            if status not in REVIEW_STATUSES:
                self.problem(draft.record, "status", f"Choose one of: {', '.join(ReviewStatus.values)}.")
                continue
            spec = LinkSpec(draft.from_ref, draft.to_ref, draft.type, draft.note)
            try:
                link = build_link(
                    article, spec, author=self.link_author(draft.author), types=self.link_types, ends=ends
                )
            except InvalidInput as error:
                for name, message in _messages(error):
                    self.problem(draft.record, name, message)
                continue
            key = (draft.from_ref, draft.to_ref, link.type.key)
            if key in seen:
                self.problem(draft.record, "", f"The same link already appears at {seen[key]}.")
                continue
            seen[key] = f"{self.file}, {draft.record}"
            link.status = status
            self.plan.links.append(link)

    # the whole import -------------------------------------------------------------------------------
    def run(self) -> ImportPlan:
        for batch in self.batches:
            self.plan.problems += batch.problems
            self.plan.notices += batch.notices
        articles = sum(len(b.articles) for b in self.batches)
        annotations = sum(1 for _ in self._annotation_drafts())
        if articles > MAX_ARTICLES or annotations > MAX_ANNOTATIONS:
            self.problem(
                "",
                "",
                f"One import holds at most {MAX_ARTICLES} articles and {MAX_ANNOTATIONS} "
                f"annotations (this one: {articles} and {annotations}). Split the file.",
            )
            return self.plan
        links = sum(1 for _ in self._link_drafts())
        if links > MAX_ANNOTATIONS:
            message = f"One import holds at most {MAX_ANNOTATIONS} links (this one: {links}). Split the file."
            self.problem("", "", message)
            return self.plan
        if self.target is not None:
            self.existing = existing_spans([self.target])
        if self.progress is not None:
            self.progress.reset(total=articles)
        for batch in self.batches:
            self.file = batch.file
            self.plan_labels(batch.labels)
        for batch in self.batches:  # after every label: a link type's ends may name labels of another file
            self.file = batch.file
            self.plan_link_types(batch.link_types)
        for batch in self.batches:
            self.file = batch.file
            self.plan_articles(batch)
            self.plan_targeted(batch)
        for name, count in sorted(self.reattributed.items()):
            self.plan.notices.append(
                f"{count} annotation(s) by {name!r}, who is not a member of this project, "
                "are attributed to you; the original name is kept as original_author."
            )
        for name, count in sorted(self.links_reattributed.items()):
            self.plan.notices.append(
                f"{count} link(s) by {name!r}, who is not a member of this project, are attributed to you."
            )
        if self.relocated:
            self.plan.notices.append(
                f"{self.relocated} annotation(s) were placed by their quote because the text "
                "at their position differed."
            )
        return self.plan


def plan_import(
    project: Project, batches: list[Batch], *, by, article: Article | None = None, own_prefix: str = "", progress=None
) -> ImportPlan:
    """Check everything the batches hold against the project; write nothing.

    `progress` (a tqdm bar, or anything with reset(total) and update(n)) counts articles checked.
    Only owners import.
    """
    require(role_in(project, by), Action.IMPORT)
    return _Planner(project, batches, by, article, own_prefix, progress).run()
