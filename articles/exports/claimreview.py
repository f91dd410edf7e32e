"""ClaimReview export (schema.org JSON-LD): what fact-checkers publish and search engines read.

One ClaimReview per reviewed claim: a `claim` annotation that carries a verdict. `claimReviewed` is the
span's text, `itemReviewed` a Claim whose `appearance` is the article and whose `author` is the claimant,
`reviewRating` the verdict as text (`alternateName`, `name`) on a documented 1-5 scale, `author` the
project's organisation, `datePublished` the day of the review decision. The output is a JSON array of
self-contained objects, each ready for a `<script type="application/ld+json">`: < > & in any string are
written as \\u escapes, so pasted text cannot close the script block.

- Address: `url` (and `@id`) is the project's fact-check URL pattern filled in for the claim; without a
  pattern `url` is left out (export_download says so in a header) and `@id` is `urn:uuid:` + a UUID 5 of
  the project's public_uuid and the annotation id: stable, and never the tool's internal address.
- One review per claim: the same span (article, start, end) with the same verdict, as approved for two
  annotators, is one ClaimReview named after its lowest annotation id; different verdicts stay apart.
- Claimant: the source a `claimed_by` link of the claim points to, else the source the `said_by` link of
  the innermost quote around the claim points to (rejected links are passed over). It is an Organization
  when the source's `kind`/`type` attribute says so or, without one, when its name holds a word such as
  Ministry or Agency (ORGANISATION_WORDS); a Person otherwise. Its name is the source's `name` attribute,
  else the source's text; its `url` attribute becomes `sameAs`.
Which claims are exported is the scope's choice; a download without a status filter holds the accepted
ones only (PUBLISHED_STATUSES, applied by articles.export_download).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from articles.exports.records import (
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    LinkRecord,
    attributes_of,
    buffered,
    iso_date,
    script_safe_json,
    utc_iso,
)
from articles.exports.w3c import is_web_address

CLAIM_LABEL = "claim"
ARTICLE_FIELDS = frozenset({"title", "url", "outlet", "byline", "published_at"})
ANNOTATION_FIELDS = frozenset({"label", "quote", "attributes", "note", "updated_at", "reviewed_at"})
# The numeric scale behind each verdict of articles.labels.VERDICTS (5 = true ... 1 = false).
# "unverifiable" has no place on a true/false scale, so it is published as text only.
RATING_SCALE = {"true": 5, "mostly true": 4, "mixed": 3, "mostly false": 2, "false": 1, "unverifiable": None}
BEST_RATING, WORST_RATING = 5, 1
# What a publisher publishes: reviewed verdicts. A download that names no status holds only these.
PUBLISHED_STATUSES = ("accepted",)
# The link types that name a claim's claimant: claim -> source, or the quote around it -> source.
CLAIMED_BY, SAID_BY = "claimed_by", "said_by"
# The placeholders of a fact-check URL pattern; one of the first two must be there, or all claims share a url.
PLACEHOLDERS = ("uuid", "annotation_id", "article_id")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
URL_MISSING = (
    "ClaimReview written without url: this project has no usable fact-check URL pattern "
    "(factcheck_url_pattern in the project settings); each review is named by a urn:uuid instead."
)
# A source is an Organization when its kind/type attribute is one of these, or (no such attribute) its name
# holds one of the words; a Person otherwise. Deliberately short: an owner who needs more adds a `kind` field.
ORGANISATION_KINDS = frozenset({"organisation", "organization", "org", "institution", "company", "agency", "group"})
PERSON_KINDS = frozenset({"person", "individual", "people"})
ORGANISATION_WORDS = re.compile(
    r"\b(ministry|department|agency|office|institute|university|council|committee|commission|bureau|authority|"
    r"government|party|association|foundation|organi[sz]ation|company|corporation|inc|ltd|llc|plc|bank|court|"
    r"police|hospital|school|union|federation|centre|center|board|service|news|times|press)\b",
    re.IGNORECASE,
)

_dumps = script_safe_json


def verdict_of(annotation: AnnotationRecord) -> str | None:
    """Return the claim's verdict, or None when the annotation is no claim or has none yet."""
    if annotation.label != CLAIM_LABEL:
        return None
    verdict = attributes_of(annotation.attributes).get("verdict")
    return verdict if isinstance(verdict, str) and verdict in RATING_SCALE else None


def rating(verdict: str) -> dict[str, Any]:
    """The verdict as a Rating: the text search engines show (`alternateName`, `name`) and its place on 1-5."""
    value = RATING_SCALE[verdict]
    if value is None:
        return {"@type": "Rating", "alternateName": verdict, "name": verdict}
    return {
        "@type": "Rating",
        "ratingValue": value,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "alternateName": verdict,
        "name": verdict,
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


# --- The fact-check's address ------------------------------------------------------------------------


def fill_url_pattern(pattern: str, *, review_uuid: uuid.UUID, annotation_id: int, article_id: int) -> str:
    """The pattern with its placeholders replaced (plain replacement: no str.format on owners' text)."""
    values = {"uuid": str(review_uuid), "annotation_id": str(annotation_id), "article_id": str(article_id)}
    return _PLACEHOLDER.sub(lambda found: values[found.group(1)], pattern)


def url_pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be a fact-check URL pattern, or None when it can (an empty one means "none")."""
    if not pattern:
        return None
    if not pattern.startswith(("https://", "http://")):
        return "Give an address starting with https:// (or http://)."
    names = _PLACEHOLDER.findall(pattern)
    unknown = [name for name in names if name not in PLACEHOLDERS]
    if unknown:
        return f"Unknown placeholder {{{unknown[0]}}}: use {{uuid}}, {{annotation_id}} or {{article_id}}."
    rest = _PLACEHOLDER.sub("", pattern)
    if "{" in rest or "}" in rest:
        return "Use braces only around a placeholder: {uuid}, {annotation_id} or {article_id}."
    if "uuid" not in names and "annotation_id" not in names:
        return "Include {uuid} or {annotation_id}, so that each fact-check gets its own address."
    sample = fill_url_pattern(pattern, review_uuid=uuid.UUID(int=0), annotation_id=1, article_id=1)
    if not is_web_address(sample) or not urlsplit(sample).hostname:
        return "Give a web address with a host name and without spaces, quotes or angle brackets."
    return None


def claim_uuid(header: ExportHeader, annotation_id: int) -> uuid.UUID:
    """UUID 5 of the annotation id in the project's namespace: the same claim is named the same in every export.

    The namespace is the project's public_uuid; a header without one (older callers) uses a UUID 5 of the
    project's API address instead, which is stable too.
    """
    public = header.project.public_uuid
    namespace = (
        uuid.UUID(str(public))
        if public
        else uuid.uuid5(uuid.NAMESPACE_URL, header.api_url(f"projects/{header.project.id}/"))
    )
    return uuid.uuid5(namespace, str(annotation_id))


def usable_pattern(pattern: str) -> str:
    """The project's URL pattern if it can be filled in, else "" (a pattern stored past the checks is ignored)."""
    return pattern if pattern and url_pattern_problem(pattern) is None else ""


def warnings(pattern: str) -> list[str]:
    """What a ClaimReview export of a project with this URL pattern should warn its reader of."""
    return [] if usable_pattern(pattern) else [URL_MISSING]


# --- Who made the claim ------------------------------------------------------------------------------


def party(source: AnnotationRecord) -> dict[str, Any] | None:
    """A source annotation as a schema.org Person or Organization; None when it names nobody."""
    attributes = attributes_of(source.attributes)
    name = attributes.get("name")
    name = (name.strip() if isinstance(name, str) else "") or source.quote.strip()
    if not name:
        return None
    kind = attributes.get("kind") or attributes.get("type")
    kind = kind.strip().lower() if isinstance(kind, str) else ""
    if kind in ORGANISATION_KINDS or (kind not in PERSON_KINDS and ORGANISATION_WORDS.search(name)):
        data: dict[str, Any] = {"@type": "Organization", "name": name}
    else:
        data = {"@type": "Person", "name": name}
    url = attributes.get("url")
    if isinstance(url, str) and is_web_address(url.strip()):
        data["sameAs"] = url.strip()
    return data


class Claimants:
    """Who made each claim of one article, read from the article's links (built once per article)."""

    def __init__(self, spans: Sequence[AnnotationRecord], links: Iterable[LinkRecord]):
        self._spans = {a.id: a for a in spans}
        self._targets: dict[tuple[int, str], list[int]] = {}  # (from id, link type): to ids, oldest link first
        for link in sorted(links, key=lambda item: item.id):
            if link.status != "rejected" and link.to_id in self._spans:
                self._targets.setdefault((link.from_id, link.type), []).append(link.to_id)
        self._quotes = [a for a in spans if a.start is not None and (a.id, SAID_BY) in self._targets]

    def _first(self, from_id: int, link_type: str) -> dict[str, Any] | None:
        for to_id in self._targets.get((from_id, link_type), ()):
            found = party(self._spans[to_id])
            if found is not None:
                return found
        return None

    def of(self, claim: AnnotationRecord) -> dict[str, Any] | None:
        """The claim's claimed_by source, else the said_by source of the innermost quote around it."""
        found = self._first(claim.id, CLAIMED_BY)
        if found is not None or claim.start is None:
            return found
        around = [q for q in self._quotes if q.id != claim.id and q.start <= claim.start and claim.end <= q.end]
        for quote in sorted(around, key=lambda q: (q.end - q.start, q.id)):
            found = self._first(quote.id, SAID_BY)
            if found is not None:
                return found
        return None


# --- Reviews -----------------------------------------------------------------------------------------


def reviewed_claims(spans: Iterable[AnnotationRecord]) -> list[tuple[str, list[AnnotationRecord]]]:
    """The article's claims with a verdict, one group per span and verdict (lowest id first), in text order.

    Orphaned claims (no place in the text) are never merged: each is its own group.
    """
    groups: dict[tuple, tuple[str, list[AnnotationRecord]]] = {}
    for a in spans:
        verdict = verdict_of(a)
        if verdict is not None:
            key = (a.start, a.end, verdict) if a.start is not None else ("orphan", a.id)
            groups.setdefault(key, (verdict, []))[1].append(a)
    return [(verdict, sorted(members, key=lambda a: a.id)) for verdict, members in groups.values()]


def review_date(members: Iterable[AnnotationRecord]) -> str | None:
    """The day of the review decision (reviewed_at, the latest one of each annotation; updated_at for one never
    reviewed); of merged twins, the earliest, when the verdict was first published."""
    days = [iso_date(a.reviewed_at or a.updated_at) for a in members]
    return min((day for day in days if day), default=None)


def claim_review(
    header: ExportHeader,
    article: ArticleRecord,
    members: Sequence[AnnotationRecord],
    verdict: str,
    claimant: dict[str, Any] | None = None,
    *,
    pattern: str = "",
) -> dict[str, Any]:
    """One ClaimReview for the claims `members` (one span, one verdict; the first has the lowest id)."""
    first = members[0]
    name = claim_uuid(header, first.id)
    review: dict[str, Any] = {"@context": "https://schema.org", "@type": "ClaimReview"}
    if pattern:
        url = fill_url_pattern(pattern, review_uuid=name, annotation_id=first.id, article_id=article.id)
        review.update({"@id": url, "url": url})
    else:
        review["@id"] = name.urn
    claim: dict[str, Any] = {"@type": "Claim"}
    if claimant is not None:
        claim["author"] = claimant
    if article.published_at:
        claim["datePublished"] = iso_date(article.published_at)
    claim["appearance"] = appearance(article)
    review.update(
        {
            "claimReviewed": first.quote,
            "itemReviewed": claim,
            "author": {"@type": "Organization", "name": header.project.organisation or header.project.name},
        }
    )
    published = review_date(members)
    if published:
        review["datePublished"] = published
    review["reviewRating"] = rating(verdict)
    note = next((a.note for a in members if a.note), "")
    if note:
        review["reviewBody"] = note
    return review


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    pattern = usable_pattern(header.project.factcheck_url_pattern)
    yield "["
    separator = ""
    for article, spans, links in articles:
        groups = reviewed_claims(spans)
        if not groups:
            continue
        claimants = Claimants(spans, links)
        for verdict, members in groups:
            claimant = next((found for a in members if (found := claimants.of(a)) is not None), None)
            yield separator
            yield _dumps(claim_review(header, article, members, verdict, claimant, pattern=pattern))
            separator = ","
    yield "]\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield a JSON array of ClaimReview objects, one per claim span and verdict."""
    return buffered(_pieces(header, articles))
