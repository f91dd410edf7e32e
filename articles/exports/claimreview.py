"""ClaimReview export (schema.org JSON-LD): what fact-checkers publish and search engines read.

One ClaimReview per claim annotation that carries a verdict: `claimReviewed` is the span's text,
`itemReviewed` a Claim whose appearance is the article, `reviewRating` the verdict as text
(`alternateName`) on a documented 1-5 scale, and `author` the project's organisation. The output
is a JSON array of self-contained objects, each ready for a `<script type="application/ld+json">`:
< > & in any string are written as \\u escapes, so pasted text cannot close the script block.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from articles.exports.records import (
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    attributes_of,
    buffered,
    iso_date,
    script_safe_json,
    utc_iso,
)
from articles.exports.w3c import is_web_address

CLAIM_LABEL = "claim"
ARTICLE_FIELDS = frozenset({"title", "url", "outlet", "byline", "published_at"})
ANNOTATION_FIELDS = frozenset({"label", "quote", "attributes", "note", "updated_at"})
# The numeric scale behind each verdict of articles.labels.VERDICTS (5 = true ... 1 = false).
# "unverifiable" has no place on a true/false scale, so it is published as text only.
RATING_SCALE = {"true": 5, "mostly true": 4, "mixed": 3, "mostly false": 2, "false": 1, "unverifiable": None}
BEST_RATING, WORST_RATING = 5, 1

_dumps = script_safe_json


def verdict_of(annotation: AnnotationRecord) -> str | None:
    """Return the claim's verdict, or None when the annotation is no claim or has none yet."""
    if annotation.label != CLAIM_LABEL:
        return None
    verdict = attributes_of(annotation.attributes).get("verdict")
    return verdict if isinstance(verdict, str) and verdict in RATING_SCALE else None


def rating(verdict: str) -> dict[str, Any]:
    value = RATING_SCALE[verdict]
    if value is None:
        return {"@type": "Rating", "alternateName": verdict}
    return {
        "@type": "Rating",
        "ratingValue": value,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "alternateName": verdict,
    }


def appearance(article: ArticleRecord) -> dict[str, Any]:
    """The article the claim appeared in, as a schema.org NewsArticle."""
    data: dict[str, Any] = {"@type": "NewsArticle", "headline": article.title}
    if article.url and is_web_address(article.url):
        data["url"] = article.url
    if article.outlet:
        data["publisher"] = {"@type": "Organization", "name": article.outlet}
    if article.byline:
        data["author"] = {"@type": "Person", "name": article.byline}
    if article.published_at:
        data["datePublished"] = utc_iso(article.published_at)
    return data


def claim_review(header: ExportHeader, article: ArticleRecord, a: AnnotationRecord, verdict: str) -> dict[str, Any]:
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": header.api_url(f"annotations/{a.id}/"),
        "claimReviewed": a.quote,
        "itemReviewed": {"@type": "Claim", "appearance": appearance(article)},
        "author": {"@type": "Organization", "name": header.project.organisation or header.project.name},
        "datePublished": iso_date(a.updated_at),
        "reviewRating": rating(verdict),
    }
    if a.note:
        review["reviewBody"] = a.note
    return review


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    yield "["
    separator = ""
    for article, spans, links in articles:
        for a in spans:
            verdict = verdict_of(a)
            if verdict is not None:
                yield separator
                yield _dumps(claim_review(header, article, a, verdict))
                separator = ","
    yield "]\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield a JSON array of ClaimReview objects, one per claim with a verdict."""
    return buffered(_pieces(header, articles))
