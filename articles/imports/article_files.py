"""Files of many articles: a JSON array, JSON Lines, or CSV with a header row.

Each record has `text` and optionally `title`, `byline`, `outlet`, `url`, `published_at`,
`language`, `external_id` (at the top or inside `meta`, as our JSONL export writes them), and spans
as `spans: [{"start", "end", "label"}]` or doccano's `label: [[start, end, "label"]]`, and links between
spans as doccano's `relations: [{"from_id", "to_id", "type"}]`, whose ends are the `id`s of the record's
spans (as our JSONL export writes them). A missing title is taken from the first line of the text.
Unknown fields are ignored and listed in the report.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from articles.imports.drafts import (
    AnnotationDraft,
    ArticleDraft,
    Batch,
    LinkDraft,
    check_link_ends,
    decode,
    first_line_title,
    is_id,
    loads,
    open_document,
)

METADATA = ("byline", "outlet", "url", "published_at", "language", "external_id")
KNOWN = {"id", "title", "text", "meta", "spans", "label", "relations", *METADATA}
RELATION_ENDS = ("from_id", "to_id")
CSV_FIELD_LIMIT = 10 * 1024 * 1024


def _spans(value: Any, record: str, batch: Batch, *, doccano: bool) -> list[AnnotationDraft]:
    if not isinstance(value, list):
        batch.problem(record, "label" if doccano else "spans", "Give a list of spans.")
        return []
    drafts = []
    for number, span in enumerate(value, 1):
        where = f"{record}, span {number}"
        if doccano and isinstance(span, list) and len(span) == 3:
            drafts.append(AnnotationDraft(where, span[2], span[0], span[1]))
        elif not doccano and isinstance(span, dict) and {"start", "end", "label"} <= span.keys():
            ref = span["id"] if is_id(span.get("id")) else None
            drafts.append(AnnotationDraft(where, span["label"], span["start"], span["end"], ref=ref))
        else:
            shape = '[start, end, "label"]' if doccano else '{"start", "end", "label"}'
            batch.problem(where, "label" if doccano else "spans", f"Each span must be {shape}.")
    return drafts


def _relations(value: Any, record: str, batch: Batch) -> list[LinkDraft]:
    if not isinstance(value, list):
        batch.problem(record, "relations", "Give a list of relations.")
        return []
    drafts = []
    for number, relation in enumerate(value, 1):
        where = f"{record}, relation {number}"
        if not isinstance(relation, dict):
            batch.problem(where, "relations", 'Each relation must be {"from_id", "to_id", "type"}.')
            continue
        ends = [relation.get(name) for name in RELATION_ENDS]
        for name, end in zip(RELATION_ENDS, ends, strict=True):
            if not is_id(end):
                batch.problem(where, name, "Give the id of one of this record's spans.")
        if not isinstance(relation.get("type"), str):
            batch.problem(where, "type", "This field is required.")
        elif all(map(is_id, ends)):
            drafts.append(LinkDraft(where, ends[0], ends[1], relation["type"]))
    return drafts


def article_from_object(obj: Any, record: str, batch: Batch) -> None:
    """Add the article one record describes to the batch, or record why it cannot be read."""
    if not isinstance(obj, dict):
        batch.problem(record, "", "Each record must be a JSON object with at least a text.")
        return
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    if "text" not in obj:
        batch.problem(record, "text", "This field is required.")
        return
    text, title = obj["text"], obj.get("title", meta.get("title"))
    if title in (None, "") and isinstance(text, str):
        title = first_line_title(text) or "Untitled"  # a blank text is then reported as such
    metadata = {}
    for name in METADATA:
        value = obj.get(name, meta.get(name))
        if value not in (None, ""):
            metadata[name] = value
    draft = ArticleDraft(record, title, text, metadata)
    if "spans" in obj:
        draft.annotations += _spans(obj["spans"], record, batch, doccano=False)
    if "label" in obj:
        draft.annotations += _spans(obj["label"], record, batch, doccano=True)
    if obj.get("relations"):
        draft.links = _relations(obj["relations"], record, batch)
        owners: dict[Any, list[str]] = {}
        for span in draft.annotations:
            if span.ref is not None:
                owners.setdefault(span.ref, []).append(record)
        check_link_ends(batch, draft, owners, names=RELATION_ENDS, within="record")
    unknown = sorted(set(obj) - KNOWN)
    if unknown:
        batch.notices.append(f"{batch.file}, {record}: ignored fields {', '.join(unknown)[:200]}.")
    batch.articles.append(draft)


def read_json(name: str, data: bytes | str | Any, *, parsed: bool = False) -> Batch:
    """Read a JSON array of article objects (or an object with an `articles` array)."""
    batch, data = open_document(name, data, parsed=parsed)
    if batch.problems:
        return batch
    records = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(records, list):
        batch.problem("", "", 'Expected a JSON array of articles (or an object with an "articles" array).')
        return batch
    for number, obj in enumerate(records, 1):
        article_from_object(obj, f"record {number}", batch)
    return batch


def read_jsonl(name: str, data: bytes | str) -> Batch:
    """Read JSON Lines: one article object per line; blank lines are skipped."""
    batch = Batch(file=name)
    text = decode(data, batch)
    if text is None:
        return batch
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        problems = len(batch.problems)
        obj = loads(line, batch, f"line {number}")
        if len(batch.problems) == problems:
            article_from_object(obj, f"line {number}", batch)
    return batch


def read_csv(name: str, data: bytes | str) -> Batch:
    """Read CSV (RFC 4180, a BOM and any newline style allowed) with a header row naming the columns."""
    batch = Batch(file=name)
    text = decode(data, batch)
    if text is None:
        return batch
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        if "text" not in header:
            batch.problem("line 1", "text", "The header row must name a text column.")
            return batch
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                batch.problem(
                    f"line {reader.line_num}", "", f"This row has {len(row)} cells; the header has {len(header)}."
                )
                continue
            article_from_object(dict(zip(header, row)), f"line {reader.line_num}", batch)
    except csv.Error as error:
        batch.problem(f"line {reader.line_num}", "", f"Malformed CSV: {error}.")
    return batch
