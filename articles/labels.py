"""The label set every new project starts with, and the attribute fields each label offers.

Colours are the Okabe-Ito palette, chosen to stay distinguishable with the common colour-vision
deficiencies; highlights also carry the label name and a per-label underline pattern.
"""

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from articles.errors import InvalidInput
from articles.text_rules import control_character_in

VERDICTS = ["true", "mostly true", "mixed", "mostly false", "false", "unverifiable"]
CHECK_WORTHINESS = ["low", "medium", "high"]

DEFAULT_LABELS: list[dict[str, Any]] = [
    {
        "key": "claim",
        "name": "Claim",
        "color": "#E69F00",
        "shortcut": "1",
        "description": "A checkable statement of fact presented as true.",
        "fields": [
            {"name": "check_worthiness", "label": "Check-worthiness", "type": "choice", "choices": CHECK_WORTHINESS},
            {"name": "verdict", "label": "Verdict", "type": "choice", "choices": VERDICTS},
        ],
    },
    {
        "key": "quote",
        "name": "Quote",
        "color": "#56B4E9",
        "shortcut": "2",
        "description": "Words attributed to a person or organisation.",
        "fields": [{"name": "speaker", "label": "Speaker", "type": "text"}],
    },
    {
        "key": "source",
        "name": "Source",
        "color": "#009E73",
        "shortcut": "3",
        "description": "Where information comes from: a document, study, agency or named source.",
        "fields": [
            {"name": "name", "label": "Source name", "type": "text"},
            {"name": "url", "label": "Source URL", "type": "url"},
        ],
    },
    {
        "key": "opinion",
        "name": "Opinion",
        "color": "#CC79A7",
        "shortcut": "4",
        "description": "A judgement, evaluation or prediction rather than a checkable fact.",
        "fields": [],
    },
]

# The link types every new project starts with: (key, name, colour, from-labels, to-labels, description).
DEFAULT_LINK_TYPES: list[dict[str, Any]] = [
    {
        "key": "said_by",
        "name": "Said by",
        "color": "#0072B2",
        "from_labels": ["quote"],
        "to_labels": ["source"],
        "description": "Who said the quoted words.",
    },
    {
        "key": "claimed_by",
        "name": "Claimed by",
        "color": "#D55E00",
        "from_labels": ["claim"],
        "to_labels": ["source"],
        "description": "Who makes the claim: the claimant of a fact-check.",
    },
    {
        "key": "backed_by",
        "name": "Backed by",
        "color": "#117733",
        "from_labels": ["claim"],
        "to_labels": ["source"],
        "description": "A source the claim rests on.",
    },
    {
        "key": "held_by",
        "name": "Held by",
        "color": "#882255",
        "from_labels": ["opinion"],
        "to_labels": ["source"],
        "description": "Whose opinion it is.",
    },
]

FIELD_TYPES = ("text", "choice", "url", "number")
FIELD_KEYS = frozenset({"name", "label", "type", "choices"})
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_LABEL_FIELDS = 20
MAX_CHOICES = 50
MAX_FIELD_TEXT = 64


def _field_problem(item: Any) -> str | None:
    """What is wrong with one attribute field definition, or None."""
    if not isinstance(item, dict):
        return "Each field is an object with name, label and type."
    missing = [key for key in ("name", "label", "type") if key not in item]
    if missing:
        return f"Each field needs {', '.join(missing)}."
    if set(item) - FIELD_KEYS:
        return f"Unknown keys: {', '.join(sorted(map(str, set(item) - FIELD_KEYS)))}."
    if not isinstance(item["name"], str) or not FIELD_NAME.fullmatch(item["name"]):
        return "A field name is a lower-case letter, then letters, digits or _ (at most 64)."
    if item["type"] not in FIELD_TYPES:
        return f"A field type is one of: {', '.join(FIELD_TYPES)}."
    choices = item.get("choices", [])
    texts = [item["label"], *choices] if isinstance(choices, list) else None
    if texts is None or len(choices) > MAX_CHOICES:
        return f"Choices are a list of at most {MAX_CHOICES} texts."
    if any(
        not isinstance(text, str) or not text or len(text) > MAX_FIELD_TEXT or control_character_in(text)
        for text in texts
    ):
        return f"Field labels and choices are texts of 1 to {MAX_FIELD_TEXT} characters, without control characters."
    if item["type"] == "choice" and not choices:
        return "A choice field needs at least one choice."
    return None


def check_label_fields(fields: Any) -> list[dict[str, Any]]:
    """Return a label's attribute fields, or raise InvalidInput: the one rule for the API, pages and imports,
    so no stored label can break a page or a list that shows it."""
    if fields in (None, ""):
        return []
    if not isinstance(fields, list) or len(fields) > MAX_LABEL_FIELDS:
        raise InvalidInput.single("fields", f"Give a list of at most {MAX_LABEL_FIELDS} attribute fields.")
    for number, item in enumerate(fields, 1):
        problem = _field_problem(item)
        if problem:
            raise InvalidInput.single("fields", f"Field {number}: {problem}")
    names = [item["name"] for item in fields]
    if len(set(names)) != len(names):
        raise InvalidInput.single("fields", "Each field of a label needs its own name.")
    return [dict(item) for item in fields]


@dataclass(frozen=True)
class ShownAttribute:
    """One attribute as a page shows it: the field's human label, the value as text, a link only for http(s)."""

    name: str
    label: str
    text: str
    href: str = ""


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _safe_href(text: str) -> str:
    """The text itself when it is a plain absolute http(s) address, else "" (never a javascript: or data: link)."""
    if any(c.isspace() or c in '\\<>"' for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. a broken IPv6 host
        return ""
    return text if parts.scheme in ("http", "https") and parts.netloc else ""


def describe_attributes(attributes: Any, fields: Any) -> list[ShownAttribute]:
    """Pair stored attributes with the label's fields, in field order, then keys the label does not define.

    Empty values are left out. Any stored shape is tolerated (a label or attribute saved under older rules,
    or imported from another tool), so what an annotation carries can never break the page showing it.
    """
    values = attributes if isinstance(attributes, dict) else {}
    labels: dict[str, str] = {}
    for field in fields if isinstance(fields, list) else []:
        name = field.get("name") if isinstance(field, dict) else None
        if isinstance(name, str) and name not in labels:
            label = field.get("label")
            labels[name] = label if isinstance(label, str) and label else name
    names = [name for name in labels if name in values] + [k for k in values if k not in labels]
    shown = []
    for name in names:
        if values[name] in (None, "", [], {}):
            continue
        text = _as_text(values[name])
        shown.append(ShownAttribute(str(name), labels.get(name, str(name)), text, _safe_href(text)))
    return shown
