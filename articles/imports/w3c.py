"""W3C Web Annotation JSON-LD, read: an Annotation, a list, an AnnotationPage or a Collection.

Each annotation needs a tagging body (the label) and a target with a TextPositionSelector and/or a
TextQuoteSelector; a commenting body becomes the note and the creator's nickname (or name) the
author. Which stored article each target means is decided when planning the import: the position is
used when the text there equals the quote, otherwise the quote is searched for (W3C model §4.2.4).
Pages referenced only by address are not fetched: the server never follows IRIs from a file.
Links between annotations (motivation `linking`, targets that are annotation IRIs, as our export writes
them) are passed over and counted in a notice: the native format carries links.
"""

from __future__ import annotations

from typing import Any

from articles.imports.drafts import AnnotationDraft, Batch, open_document

LABEL_PURPOSES = ("tagging", "classifying")


def _types(obj: dict) -> set[str]:
    kind = obj.get("type", obj.get("@type"))
    if isinstance(kind, str):
        return {kind}
    return {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()


def is_w3c(data: Any) -> bool:
    sample = data[0] if isinstance(data, list) and data else data
    return isinstance(sample, dict) and (
        "@context" in sample or bool(_types(sample) & {"Annotation", "AnnotationPage", "AnnotationCollection"})
    )


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _items(data: Any, batch: Batch) -> list:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return [data]
    types = _types(data)
    if "AnnotationCollection" in types:
        first = data.get("first")
        if not isinstance(first, dict):
            batch.problem("collection", "first", "Embed the annotation pages in the file; addresses are not fetched.")
            return []
        data = first
        types = _types(first)
    if "AnnotationPage" in types:
        if isinstance(data.get("next"), str):
            batch.notices.append(f"{batch.file}: only the embedded page was read; later pages are not fetched.")
        return _as_list(data.get("items"))
    return [data]


def _bodies(annotation: dict, draft: AnnotationDraft, record: str, batch: Batch) -> bool:
    notes = []
    for body in _as_list(annotation.get("body")):
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue
        purposes = set(_as_list(body.get("purpose")))
        if purposes & set(LABEL_PURPOSES) and draft.label is None:
            draft.label = body["value"]
        elif "commenting" in purposes or not purposes:
            notes.append(body["value"])
    if isinstance(annotation.get("bodyValue"), str):
        notes.append(annotation["bodyValue"])
    draft.note = "\n\n".join(notes)
    if draft.label is None:
        batch.problem(record, "body", 'No tagging body: give the label as {"purpose": "tagging", "value": ...}.')
        return False
    return True


def _target(annotation: dict, draft: AnnotationDraft, record: str, batch: Batch) -> bool:
    targets = [t for t in _as_list(annotation.get("target")) if isinstance(t, dict)]
    if not targets:
        batch.problem(record, "target", "A target with a text selector is required.")
        return False
    target = targets[0]
    source = target.get("source")
    draft.source = source.get("id", "") if isinstance(source, dict) else source if isinstance(source, str) else ""
    draft.scope = target.get("scope") if isinstance(target.get("scope"), str) else ""
    found = False
    for selector in _as_list(target.get("selector")):
        kinds = _types(selector) if isinstance(selector, dict) else set()
        if "TextQuoteSelector" in kinds and isinstance(selector.get("exact"), str):
            draft.quote = selector["exact"]
            draft.prefix = selector.get("prefix") if isinstance(selector.get("prefix"), str) else ""
            draft.suffix = selector.get("suffix") if isinstance(selector.get("suffix"), str) else ""
            found = True
        elif "TextPositionSelector" in kinds:
            draft.start, draft.end = selector.get("start"), selector.get("end")
            found = True
    if not found:
        batch.problem(record, "target.selector", "Give a TextQuoteSelector and/or a TextPositionSelector.")
    return found


def is_link(annotation: dict) -> bool:
    """A link between annotations: motivation `linking` and targets that are only IRIs (no text selector)."""
    targets = _as_list(annotation.get("target"))
    return (
        "linking" in _as_list(annotation.get("motivation"))
        and bool(targets)
        and all(isinstance(target, str) for target in targets)
    )


def _annotation(annotation: Any, record: str, batch: Batch) -> None:
    if not isinstance(annotation, dict) or "Annotation" not in _types(annotation):
        batch.problem(record, "type", 'Each item must be an object of type "Annotation".')
        return
    identifier = annotation.get("id")
    if isinstance(identifier, str):
        record = f"{record} ({identifier[:120]})"
    draft = AnnotationDraft(record, None, relocatable=True)
    creator = annotation.get("creator")
    if isinstance(creator, dict):
        name = creator.get("nickname") or creator.get("name")
        draft.author = name if isinstance(name, str) else None
    has_label = _bodies(annotation, draft, record, batch)
    has_target = _target(annotation, draft, record, batch)  # checked even without a label: report both
    if has_label and has_target:
        batch.annotations.append(draft)


def read_w3c(name: str, data: bytes | str | Any, *, parsed: bool = False) -> Batch:
    """Read W3C Web Annotations (JSON-LD) into annotation drafts aimed at stored articles."""
    batch, data = open_document(name, data, parsed=parsed)
    if batch.problems:
        return batch
    items = _items(data, batch)
    if not items and not batch.problems:
        batch.notices.append(f"{name}: the file holds no annotations.")
    links = 0
    for number, annotation in enumerate(items, 1):
        if isinstance(annotation, dict) and is_link(annotation):
            links += 1
            continue
        _annotation(annotation, f"annotation {number}", batch)
    if links:
        batch.notices.append(
            f"{name}: {links} link(s) between annotations were passed over; W3C imports bring annotations only "
            "(the native JSON export carries links)."
        )
    return batch
