"""Our own native JSON export, read back: labels, articles and annotations, losslessly.

The reader checks the shape (format name, version, types); the text hash written in the file must
match the text, which catches files edited by hand or cut short. Offsets are authoritative here;
the quote, when present, must equal the text at those offsets (checked by the domain write path).
Links name their ends by the file's annotation ids: each end must be an annotation of the link's own
article in this file (checked here); their types and labels are checked when planning (links.build_link).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from articles.exports.records import NATIVE_FORMAT, NATIVE_VERSION
from articles.imports.drafts import (
    AnnotationDraft,
    ArticleDraft,
    Batch,
    LabelDraft,
    LinkDraft,
    LinkTypeDraft,
    check_link_ends,
    is_id,
    open_document,
)

ARTICLE_TEXT_FIELDS = ("byline", "outlet", "url", "language", "external_id")


def is_native(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == NATIVE_FORMAT


class _Fields:
    """Typed access to one JSON object of the file, recording a problem per wrong field."""

    def __init__(self, obj: dict, record: str, batch: Batch):
        self.obj, self.record, self.batch = obj, record, batch

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.obj.get(key)
        if value is None:
            if required:
                self.batch.problem(self.record, key, "This field is required.")
            return None if required else ""
        if not isinstance(value, str):
            self.batch.problem(self.record, key, "Must be a string.")
            return None
        return value

    def boolean(self, key: str) -> bool:
        value = self.obj.get(key, False)
        if not isinstance(value, bool):
            self.batch.problem(self.record, key, "Must be true or false.")
            return False
        return value


def _keyed(project: Any, batch: Batch, field: str, noun: str) -> Iterator[tuple[str, int, dict]]:
    """The project's list `field` (labels, link types), each item with its record name and number; an item
    without a key is a problem naming it."""
    items = project.get(field, []) if isinstance(project, dict) else []
    if not isinstance(items, list):
        batch.problem("project", field, "Must be a list.")
        return
    for number, item in enumerate(items, 1):
        record = f"{noun} {number}"
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            batch.problem(record, "key", f"Each {noun} needs a key.")
            continue
        yield record, number, item


def _labels(project: Any, batch: Batch) -> None:
    for record, number, label in _keyed(project, batch, "labels", "label"):
        batch.labels.append(
            LabelDraft(
                record,
                label["key"],
                label.get("name") or label["key"],
                label.get("color"),
                label.get("shortcut") or "",
                label.get("description") or "",
                label.get("order", number - 1),
                label.get("fields") or [],
            )
        )


def _link_types(project: Any, batch: Batch) -> None:
    for record, number, link_type in _keyed(project, batch, "link_types", "link type"):
        batch.link_types.append(
            LinkTypeDraft(
                record,
                link_type["key"],
                link_type.get("name") or link_type["key"],
                link_type.get("color"),
                link_type.get("description") or "",
                link_type.get("order", number - 1),
                link_type.get("from_labels"),
                link_type.get("to_labels"),
            )
        )


ORPHAN_REFUSED = (
    "An orphaned annotation (no offsets: a revision removed its text) cannot be imported; "
    "re-attach it before exporting, or export without include=orphaned."
)


def _annotation(obj: Any, record: str, batch: Batch) -> AnnotationDraft | None:
    if not isinstance(obj, dict):
        batch.problem(record, "", "Each annotation must be a JSON object.")
        return None
    fields = _Fields(obj, record, batch)
    for required in ("start", "end"):
        if required not in obj:
            batch.problem(record, required, "This field is required.")
        elif obj[required] is None:
            batch.problem(record, required, ORPHAN_REFUSED)
    label = fields.text("label", required=True)
    texts = {name: fields.text(name) for name in ("quote", "note", "author", "question", "status")}
    if label is None or None in texts.values() or obj.get("start") is None or obj.get("end") is None:
        return None
    return AnnotationDraft(
        record,
        label,
        obj["start"],
        obj["end"],
        ref=obj["id"] if is_id(obj.get("id")) else None,
        quote=texts["quote"] or None,
        note=texts["note"],
        attributes=obj.get("attributes"),
        status=texts["status"] or None,
        author=texts["author"] or None,
        is_flagged=fields.boolean("is_flagged"),
        question=texts["question"],
    )


def _link(obj: Any, record: str, batch: Batch) -> LinkDraft | None:
    if not isinstance(obj, dict):
        batch.problem(record, "", "Each link must be a JSON object.")
        return None
    fields = _Fields(obj, record, batch)
    ends = {}
    for name in ("from", "to"):
        if name not in obj:
            batch.problem(record, name, "This field is required.")
        elif not is_id(obj[name]):
            batch.problem(record, name, "Give the id of one of this article's annotations.")
        else:
            ends[name] = obj[name]
    link_type = fields.text("type", required=True)
    texts = {name: fields.text(name) for name in ("note", "author", "status")}
    if len(ends) < 2 or link_type is None or None in texts.values():
        return None
    return LinkDraft(
        record,
        ends["from"],
        ends["to"],
        link_type,
        note=texts["note"],
        author=texts["author"] or None,
        status=texts["status"] or None,
    )


def _list(obj: dict, key: str, record: str, batch: Batch) -> list:
    value = obj.get(key, [])
    if not isinstance(value, list):
        batch.problem(record, key, "Must be a list.")
        return []
    return value


def _article(obj: Any, record: str, batch: Batch, owners: dict[int, list[str]]) -> None:
    """Read one article; `owners` gathers which article holds each annotation id (for the links' ends)."""
    if not isinstance(obj, dict):
        batch.problem(record, "", "Each article must be a JSON object.")
        return
    fields = _Fields(obj, record, batch)
    title, text = fields.text("title", required=True), fields.text("text", required=True)
    metadata = {name: fields.text(name) for name in ARTICLE_TEXT_FIELDS}
    published_at, status, sha = fields.text("published_at"), fields.text("status"), fields.text("text_sha256")
    annotations = _list(obj, "annotations", record, batch)
    drafts = [_annotation(a, f"{record}, annotation {n}", batch) for n, a in enumerate(annotations, 1)]
    for annotation in annotations:
        if isinstance(annotation, dict) and is_id(annotation.get("id")):
            owners.setdefault(annotation["id"], []).append(record)
    links = [_link(link, f"{record}, link {n}", batch) for n, link in enumerate(_list(obj, "links", record, batch), 1)]
    if title is None or text is None or None in metadata.values():
        return
    metadata = {name: value for name, value in metadata.items() if value}
    if published_at:
        metadata["published_at"] = published_at
    batch.articles.append(
        ArticleDraft(
            record,
            title,
            text,
            metadata,
            status or None,
            sha or None,
            [d for d in drafts if d is not None],
            [link for link in links if link is not None],
        )
    )


def read_native(name: str, data: bytes | str | Any, *, parsed: bool = False) -> Batch:
    """Read a native export (format news-annotator/export, version 1)."""
    batch, data = open_document(name, data, parsed=parsed)
    if batch.problems:
        return batch
    if not is_native(data):
        batch.problem("", "format", f'This is not a native export (its "format" must be "{NATIVE_FORMAT}").')
        return batch
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= NATIVE_VERSION:
        batch.problem("", "version", f"This server reads native exports of version {NATIVE_VERSION}.")
        return batch
    articles = data.get("articles")
    if not isinstance(articles, list):
        batch.problem("", "articles", "Must be a list of articles.")
        return batch
    _labels(data.get("project"), batch)
    _link_types(data.get("project"), batch)
    owners: dict[int, list[str]] = {}
    for number, article in enumerate(articles, 1):
        _article(article, f"article {number}", batch, owners)
    for article in batch.articles:
        check_link_ends(batch, article, owners)
    return batch
