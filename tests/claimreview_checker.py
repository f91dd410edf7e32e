"""A checker for ClaimReview objects: schema.org's types, with the search engines' structured-data rules as the list.

The checklist is Google Search Central's fact-check (ClaimReview) structured-data page, the one fact-checkers
publish for (as tabulated by Full Fact's markup investigation):
- ClaimReview: claimReviewed, reviewRating and url are required; author, datePublished and itemReviewed are
  recommended.
- Claim (itemReviewed): author, datePublished and appearance (or firstAppearance) are recommended.
- Rating (reviewRating): alternateName is required; bestRating, name, ratingValue and worstRating recommended.
Beyond the list, what a reader of the JSON-LD needs: the schema.org context, the types, a name for every
Person or Organization, http(s) addresses, ISO 8601 dates, a rating inside its scale, an @id that is an IRI.
A missing required property or a malformed value is an error; a missing recommended one is a warning.
Findings name the property by its path, e.g. "url" or "itemReviewed.author", so tests assert on them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

REQUIRED = ("claimReviewed", "reviewRating", "url")
RECOMMENDED = ("author", "datePublished", "itemReviewed")
CLAIM_RECOMMENDED = ("author", "datePublished")
CLAIM_APPEARANCE = ("appearance", "firstAppearance")  # either one
RATING_REQUIRED = ("alternateName",)
RATING_RECOMMENDED = ("bestRating", "name", "ratingValue", "worstRating")
PARTIES = ("Person", "Organization")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
_IRI = re.compile(
    r"^(https?://[^\s<>\"{}|\\^`]+|urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


@dataclass
class Findings:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def _web_address(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^\s<>\"{}|\\^`]+$", value) is not None


def _party(value: Any, path: str, found: Findings) -> None:
    """A Person or Organization with a name; sameAs and url, when given, are web addresses."""
    if not isinstance(value, dict) or value.get("@type") not in PARTIES:
        found.errors.append(f"{path}: a Person or Organization")
        return
    if not isinstance(value.get("name"), str) or not value["name"].strip():
        found.errors.append(f"{path}.name")
    for key in ("sameAs", "url"):
        if key in value and not _web_address(value[key]):
            found.errors.append(f"{path}.{key}: a web address")


def _date(value: Any, path: str, found: Findings) -> None:
    if not isinstance(value, str) or not _DATE.match(value):
        found.errors.append(f"{path}: an ISO 8601 date")


def _rating(rating: Any, found: Findings) -> None:
    if not isinstance(rating, dict) or rating.get("@type") != "Rating":
        found.errors.append("reviewRating: a Rating")
        return
    for key in RATING_REQUIRED:
        if not _present(rating.get(key)):
            found.errors.append(f"reviewRating.{key}")
    for key in RATING_RECOMMENDED:
        if not _present(rating.get(key)):
            found.warnings.append(f"reviewRating.{key}")
    numbers = [rating.get(key) for key in ("worstRating", "ratingValue", "bestRating")]
    if all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
        worst, value, best = numbers
        if not worst <= value <= best:
            found.errors.append("reviewRating.ratingValue: between worstRating and bestRating")


def _claim(claim: Any, found: Findings) -> None:
    if not isinstance(claim, dict) or claim.get("@type") != "Claim":
        found.errors.append("itemReviewed: a Claim")
        return
    for key in CLAIM_RECOMMENDED:
        if not _present(claim.get(key)):
            found.warnings.append(f"itemReviewed.{key}")
    if not any(_present(claim.get(key)) for key in CLAIM_APPEARANCE):
        found.warnings.append("itemReviewed.appearance")
    if _present(claim.get("author")):
        _party(claim["author"], "itemReviewed.author", found)
    if _present(claim.get("datePublished")):
        _date(claim["datePublished"], "itemReviewed.datePublished", found)
    for key in CLAIM_APPEARANCE:
        work = claim.get(key)
        if isinstance(work, str):
            if not _web_address(work):
                found.errors.append(f"itemReviewed.{key}: a web address")
        elif _present(work):
            if not isinstance(work, dict) or not work.get("@type"):
                found.errors.append(f"itemReviewed.{key}: a CreativeWork or a web address")
            elif "url" in work and not _web_address(work["url"]):
                found.errors.append(f"itemReviewed.{key}.url: a web address")


def check_claim_review(review: Any) -> Findings:
    """Check one ClaimReview object: errors for what is wrong or required and missing, warnings for the rest."""
    found = Findings()
    if not isinstance(review, dict):
        found.errors.append("a JSON object")
        return found
    if review.get("@context") not in ("https://schema.org", "https://schema.org/", "http://schema.org"):
        found.errors.append("@context: https://schema.org")
    if review.get("@type") != "ClaimReview":
        found.errors.append("@type: ClaimReview")
    for key in REQUIRED:
        if not _present(review.get(key)):
            found.errors.append(key)
    for key in RECOMMENDED:
        if not _present(review.get(key)):
            found.warnings.append(key)
    if "@id" in review and not (isinstance(review["@id"], str) and _IRI.match(review["@id"])):
        found.errors.append("@id: an http(s) or urn:uuid IRI")
    if _present(review.get("url")) and not _web_address(review["url"]):
        found.errors.append("url: a web address")
    if _present(review.get("claimReviewed")) and not isinstance(review["claimReviewed"], str):
        found.errors.append("claimReviewed: text")
    if _present(review.get("reviewRating")):
        _rating(review["reviewRating"], found)
    if _present(review.get("author")):
        _party(review["author"], "author", found)
    if _present(review.get("datePublished")):
        _date(review["datePublished"], "datePublished", found)
    if _present(review.get("itemReviewed")):
        _claim(review["itemReviewed"], found)
    return found


def check_export(text: str) -> list[Findings]:
    """Check every ClaimReview of an export (a JSON array), in order."""
    reviews = json.loads(text)
    assert isinstance(reviews, list), "a ClaimReview export is a JSON array"
    return [check_claim_review(review) for review in reviews]
