"""A correction coming in, end to end on PostgreSQL: add_revision re-anchoring 2,000 annotations on 50,000 characters.

Creates its own database (annotator_bench_revise), an article of about 50,000 code points in paragraphs (with
emoji, CJK and Arabic words among the English), 2,000 word-aligned annotations by four annotators, then applies
revisions that each change about 5% of the text (words inserted, deleted and replaced, some inside annotated
spans, one paragraph moved) and back again. Each revision is timed as the API runs it (articles.revisions.add_revision:
the lock, the re-anchoring, the annotations' new places and history, the revision row, the article), and the pure
re-anchoring of the same texts on its own. Drops the database at the end.

Run: .venv/bin/python bench/revise_bench.py [--repeat 7] [--annotations 2000] [--chars 50000]
Target: re-anchoring well under 1 s; the whole write about a second or less.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway_db import configure_django, migrate, throwaway_database  # noqa: E402

DATABASE = "annotator_bench_revise"
COMMON = "the a of to in and said that was for on with by at from".split()
SPECIAL = "café Zoë 🚲 東京 مدينة 👩🏽‍⚖️ 🇺🇦 naïve".split()
# A newspaper's vocabulary: common words often, then some 3,000 others (syllables put together), a few special.
SYLLABLES = "ba ce di fo gu ha je ki lo mu na pe ri so tu va we xi yo zu".split()
RARE = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "n", "s", "ter", "ment", "ly", "ed")})[
    :3000
]
WORDS = COMMON * 60 + RARE + SPECIAL * 5


def paragraphs(chars: int, rng: random.Random) -> list[str]:
    result, total = [], 0
    while total < chars:
        paragraph = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))) + "."
        result.append(paragraph[0].upper() + paragraph[1:])
        total += len(paragraph) + 2
    return result


def edited(parts: list[str], share: float, rng: random.Random) -> list[str]:
    """About `share` of the words inserted, deleted or replaced, and one paragraph moved."""
    words = [paragraph.split(" ") for paragraph in parts]
    total = sum(len(w) for w in words)
    for _ in range(int(total * share)):
        paragraph = rng.choice(words)
        index = rng.randrange(len(paragraph) - 1)
        kind = rng.random()
        if kind < 0.4:
            paragraph.insert(index, rng.choice(WORDS))
        elif kind < 0.7 and len(paragraph) > 5:
            del paragraph[index]
        else:
            paragraph[index] = rng.choice(WORDS)
    result = [" ".join(w) for w in words]
    moved = result.pop(rng.randrange(len(result)))
    result.insert(rng.randrange(len(result) + 1), moved)
    return result


def spans(text: str, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """Word-aligned spans of one to twelve words, distinct."""
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == " "]
    chosen: set[tuple[int, int]] = set()
    while len(chosen) < count:
        first = rng.randrange(len(starts) - 13)
        last = first + rng.randint(1, 12)
        end = starts[last] - 1
        if end > starts[first] and "\n" not in text[starts[first] : end]:
            chosen.add((starts[first], end))
    return sorted(chosen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="revisions timed (alternately away and back)")
    parser.add_argument("--annotations", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with throwaway_database(DATABASE):
        configure_django(DATABASE)
        migrate()
        return run(options)


def run(options) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from articles.annotation_write import create_annotations
    from articles.article_write import create_article
    from articles.models import Annotation, Project, Role
    from articles.reanchoring import Anchor, reanchor
    from articles.revisions import add_revision

    rng = random.Random(options.seed)
    users = get_user_model()
    owner = users.objects.create_user("bench-owner")
    project = Project.create_with_owner(owner=owner, name="Revise bench", watch_hourly_days=0, watch_daily_days=0)
    annotators = [users.objects.create_user(f"bench-annotator-{n}") for n in range(4)]
    for annotator in annotators:
        project.memberships.create(user=annotator, role=Role.ANNOTATOR)
    base = paragraphs(options.chars, rng)
    texts = ["\n\n".join(base), "\n\n".join(edited(base, 0.05, rng))]
    article = create_article(project, by=owner, title="A long story", text=texts[0])
    labels = ("claim", "quote", "source", "opinion")
    for index, annotator in enumerate(annotators):
        chunk = spans(texts[0], options.annotations // 4, random.Random(options.seed * 10 + index))
        create_annotations(
            article, [{"label": labels[index], "start": s, "end": e} for s, e in chunk], author=annotator
        )
    print(
        f"article: {len(texts[0]):,} code points, {Annotation.objects.filter(article=article).count():,} annotations; "
        f"a revision changes about 5% of the words and moves a paragraph (PostgreSQL {connection.pg_version // 10000})"
    )
    writes, pure, statuses = [], [], Counter()
    for number in range(options.repeat):
        old, new = texts[number % 2], texts[(number + 1) % 2]
        stored = list(
            Annotation.objects.filter(article=article).values_list("start", "end", "quote", "prefix", "suffix")
        )
        began = time.perf_counter()
        reanchor(old, new, [Anchor(*row) for row in stored])
        pure.append(time.perf_counter() - began)
        article.refresh_from_db()
        began = time.perf_counter()
        result = add_revision(article, by=owner, text=new, note=f"bench {number}")
        writes.append(time.perf_counter() - began)
        statuses.update(result.anchoring)
        print(f"  revision {result.revision.number}: {writes[-1] * 1000:.0f} ms, {result.anchoring}", flush=True)
    print(
        f"add_revision (API work, end to end): median {statistics.median(writes) * 1000:.0f} ms, "
        f"max {max(writes) * 1000:.0f} ms over {len(writes)} revisions"
    )
    print(f"re-anchoring alone (pure):          median {statistics.median(pure) * 1000:.0f} ms")
    print(f"landings over all revisions: {dict(statuses)}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
