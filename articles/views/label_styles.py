"""Per-project label styles as a stylesheet, so pages need no inline style attributes (strict CSP).

Only colours matching #RRGGBB and keys matching the label key pattern reach the CSS (XSS-3); the
database enforces both too. Each label gets a colour, an underline style (so labels differ by more than
colour) and a track: a thin bar under the text at its own depth (bars are separated by a line of
paper colour), so nested and overlapping annotations of different labels all stay visible.
"""

from __future__ import annotations

import re

from articles.models import Label
from articles.models.projects import COLOR_PATTERN, KEY_PATTERN

UNDERLINES = ("solid", "double", "dotted", "wavy", "dashed")
MAX_TRACKS = 6
TRACK_PX = 3  # a 2px bar and a 1px gap per track


def usable(labels: list[Label]) -> list[Label]:
    """Return the labels whose key and colour are safe to write into CSS."""
    return [
        label for label in labels if re.fullmatch(KEY_PATTERN, label.key) and re.fullmatch(COLOR_PATTERN, label.color)
    ]


def label_stylesheet(labels: list[Label]) -> str:
    """Return the CSS for a project's labels: custom properties per label and its track."""
    labels = usable(labels)
    tracks = labels[:MAX_TRACKS]
    lines = ["/* Label colours and patterns of one project; generated from validated values. */"]
    for index, label in enumerate(labels):
        underline = UNDERLINES[index % len(UNDERLINES)]
        lines.append(f".lab-{label.key}, .hl-{label.key} {{ --c: {label.color.lower()}; --u: {underline}; }}")
        lines.append(  # "focus one label": every other label's highlights fade
            f'.is-focused[data-focus="{label.key}"] .hl:not([data-labels~="{label.key}"]) {{ opacity: var(--faded); }}'
        )
    shadows = []
    for index, label in enumerate(tracks):
        offset = TRACK_PX * index + 2
        lines.append(f'.hl[data-labels~="{label.key}"] {{ --t{index}: 0 {offset}px 0 0 {label.color.lower()}; }}')
        shadows.append(f"var(--t{index}, 0 0 0 0 transparent)")
        if index < len(tracks) - 1:
            shadows.append(f"0 {offset + 1}px 0 0 var(--paper)")
    if shadows:
        lines.append(f".hl {{ box-shadow: {', '.join(shadows)}; }}")
    return "\n".join(lines) + "\n"
