"""The label set every new project starts with, and the attribute fields each label offers.

Colours are the Okabe-Ito palette, chosen to stay distinguishable with the common colour-vision
deficiencies; highlights also carry the label name and a per-label underline pattern.
"""

from typing import Any

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
