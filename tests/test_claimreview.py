"""ClaimReview ready to publish: a public url and a stable @id, the claimant, the review date, one review per claim.

The writer is tested with plain records (tests/claimreview_checker.py holds it to the search engines' list);
the download, its warning header, the accepted-only default and the setting are tested through the
database, the API and the pages.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import lxml.html
import pytest
from django.urls import reverse

from articles.annotation_write import review_annotation
from articles.export_download import WARNING_HEADER
from articles.exports import claimreview
from articles.exports.records import (
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    LabelRecord,
    LinkRecord,
    ProjectRecord,
)
from articles.models import Project
from tests.api_client import api_as, project_url, url
from tests.claimreview_checker import check_claim_review, check_export
from tests.factories import make_annotation

WHEN = datetime(2026, 3, 2, 7, 15, tzinfo=timezone.utc)
REVIEWED = datetime(2026, 3, 9, 16, 0, tzinfo=timezone.utc)
PUBLIC = "6f1c1f1e-8a52-4c3e-9d0f-2b1b4f7f2a10"
PATTERN = "https://factcheck.example.org/checks/{uuid}"
TEXT = "“Prices rose 5% last year,” said Ana Ruiz. The Statistics Office disagreed, as the minister knows."
CLAIM = (1, 25)  # Prices rose 5% last year
QUOTE = (0, 27)  # “Prices rose 5% last year,”
ANA = (33, 41)  # Ana Ruiz
OFFICE = (43, 64)  # The Statistics Office
MINISTER = (79, 91)  # the minister


def project(pattern: str = "", public: str = PUBLIC, organisation: str = "Coast Fact Check") -> ProjectRecord:
    return ProjectRecord(7, "Desk", "desk", "", "", organisation, "shared", pattern, public)


def header(pattern: str = "", **changes) -> ExportHeader:
    values = dict(
        project=project(pattern),
        labels=(LabelRecord("claim", "Claim", "#E69F00", "1", "", 0, []),),
        base_url="https://annotate.example.org/",
        exported_at=WHEN,
    )
    return ExportHeader(**{**values, **changes})


def article(**changes) -> ArticleRecord:
    values = dict(
        id=3,
        title="Prices and the minister",
        byline="Jonas",
        outlet="The Gazette",
        url="https://news.example/prices",
        published_at=WHEN,
        language="en",
        external_id="",
        status="new",
        text=TEXT,
        text_sha256="0" * 64,
        created_at=WHEN,
        updated_at=WHEN,
    )
    return ArticleRecord(**{**values, **changes})


def span(id: int, where: tuple[int, int], label: str = "claim", attributes: dict | None = None, **changes):
    start, end = where
    values = dict(
        id=id,
        article_id=3,
        start=start,
        end=end,
        quote=TEXT[start:end],
        prefix="",
        suffix="",
        label=label,
        note="",
        attributes=json.dumps(attributes or {}),
        author="alice",
        status="accepted",
        is_flagged=False,
        question="",
        created_at=WHEN,
        updated_at=WHEN + timedelta(days=1),
        reviewed_at=REVIEWED,
    )
    return AnnotationRecord(**{**values, **changes})


def claim(id: int = 10, verdict: str = "false", **changes) -> AnnotationRecord:
    return span(id, CLAIM, "claim", {"verdict": verdict}, **changes)


def link(id: int, from_id: int, to_id: int, type: str, status: str = "pending") -> LinkRecord:
    return LinkRecord(id, 3, from_id, to_id, type, "", "alice", status, WHEN, WHEN)


def reviews(spans, links=(), pattern: str = "", head: ExportHeader | None = None) -> list[dict]:
    text = "".join(claimreview.write(head or header(pattern), [ArticleWithAnnotations(article(), spans, links)]))
    return json.loads(text)


def urn(annotation_id: int) -> str:
    return uuid.uuid5(uuid.UUID(PUBLIC), str(annotation_id)).urn


# --- The writer -------------------------------------------------------------------------------------


def test_a_review_with_its_url_claimant_and_review_date_meets_the_whole_checklist():
    source = span(20, ANA, "source", {"name": "Ana Ruiz", "url": "https://example.org/ana"})
    [review] = reviews([claim(note="The figure was 3%."), source], [link(1, 10, 20, "claimed_by")], PATTERN)
    findings = check_claim_review(review)
    assert (findings.errors, findings.warnings) == ([], [])
    name = uuid.uuid5(uuid.UUID(PUBLIC), "10")
    assert review["url"] == review["@id"] == f"https://factcheck.example.org/checks/{name}"
    assert review["datePublished"] == "2026-03-09"  # the review decision, not the last edit
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Ana Ruiz", "sameAs": "https://example.org/ana"},
        "datePublished": "2026-03-02",
        "appearance": {
            "@type": "NewsArticle",
            "headline": "Prices and the minister",
            "url": "https://news.example/prices",
            "publisher": {"@type": "Organization", "name": "The Gazette"},
            "author": {"@type": "Person", "name": "Jonas"},
            "datePublished": "2026-03-02T07:15:00Z",
        },
    }
    assert review["author"] == {"@type": "Organization", "name": "Coast Fact Check"}
    assert review["reviewRating"]["name"] == review["reviewRating"]["alternateName"] == "false"
    assert review["reviewBody"] == "The figure was 3%."


def test_without_a_pattern_the_url_is_left_out_and_the_id_is_a_stable_urn():
    [review] = reviews([claim(id=42)])
    assert "url" not in review and review["@id"] == urn(42)
    assert check_claim_review(review).errors == ["url"]  # what the download's warning header says
    assert not review["@id"].startswith("https://annotate.example.org/")  # never the tool's own address
    assert reviews([claim(id=42)])[0]["@id"] == review["@id"]  # the same in every export
    assert claimreview.warnings("") == [claimreview.URL_MISSING] and claimreview.warnings(PATTERN) == []


def test_the_url_pattern_fills_in_every_placeholder_and_the_uuid_matches_the_urn():
    pattern = "https://factcheck.example.org/{article_id}/{annotation_id}/{uuid}"
    [with_url] = reviews([claim(id=42)], pattern=pattern)
    [without] = reviews([claim(id=42)])
    assert with_url["url"] == f"https://factcheck.example.org/3/42/{without['@id'].removeprefix('urn:uuid:')}"


def test_a_header_without_a_public_uuid_still_names_claims_stably():
    head = header(project=project(public=""))
    first, second = (reviews([claim(id=42)], head=head)[0]["@id"] for _ in range(2))
    assert first == second and first.startswith("urn:uuid:") and first != urn(42)


def test_a_stored_pattern_that_fails_the_checks_is_ignored_as_if_there_were_none():
    bad = "https://factcheck.example.org/{claim}"
    [review] = reviews([claim(id=42)], pattern=bad)
    assert "url" not in review and review["@id"] == urn(42) and claimreview.warnings(bad) == [claimreview.URL_MISSING]


def test_one_span_with_one_verdict_approved_for_two_annotators_is_one_review_named_by_the_lowest_id():
    twins = [claim(id=31, author="bob", reviewed_at=REVIEWED + timedelta(days=2)), claim(id=12, note="Checked.")]
    other_verdict = claim(id=50, verdict="mostly false")
    found = reviews([*twins, other_verdict])
    assert [r["@id"] for r in found] == [urn(12), urn(50)]
    assert [r["reviewRating"]["alternateName"] for r in found] == ["false", "mostly false"]
    assert found[0]["datePublished"] == "2026-03-09" and found[0]["reviewBody"] == "Checked."
    assert reviews(list(reversed(twins)))[0]["@id"] == urn(12)  # whatever order the rows come in


def test_orphaned_claims_are_never_merged():
    orphans = [claim(id=1, start=None, end=None), claim(id=2, start=None, end=None)]
    assert [r["@id"] for r in reviews(orphans)] == [urn(1), urn(2)]


def test_the_review_date_falls_back_to_the_last_change_for_a_claim_never_reviewed():
    [review] = reviews([claim(reviewed_at=None, updated_at=WHEN + timedelta(days=4))])
    assert review["datePublished"] == "2026-03-06"


def test_the_claimant_comes_from_the_claimed_by_link_before_the_quote_around_it():
    office = span(21, OFFICE, "source", {"name": "Statistics Office"})
    ana = span(20, ANA, "source", {"name": "Ana Ruiz"})
    quote = span(30, QUOTE, "quote")
    links = [link(1, 30, 20, "said_by"), link(2, 10, 21, "claimed_by")]
    [review] = reviews([quote, claim(), ana, office], links)
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Statistics Office"}
    [review] = reviews([quote, claim(), ana, office], links[:1])
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Ana Ruiz"}


def test_only_a_quote_that_encloses_the_claim_names_its_claimant_the_innermost_first():
    ana = span(20, ANA, "source", {"name": "Ana Ruiz"})
    minister = span(22, MINISTER, "source")  # no name attribute: its text names it
    outer = span(31, (0, 41), "quote")
    inner = span(30, QUOTE, "quote")
    apart = span(32, (43, 91), "quote")
    links = [link(1, 31, 22, "said_by"), link(2, 30, 20, "said_by"), link(3, 32, 22, "said_by")]
    [review] = reviews([outer, inner, claim(), ana, minister, apart], links)
    assert review["itemReviewed"]["author"]["name"] == "Ana Ruiz"
    [review] = reviews([outer, claim(), ana, minister, apart], [links[0], links[2]])
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "the minister"}
    [review] = reviews([claim(), ana, minister, apart], [links[2]])
    assert "author" not in review["itemReviewed"]
    assert check_claim_review(review).warnings == ["itemReviewed.author"]


def test_rejected_links_and_links_to_spans_outside_the_export_name_nobody():
    ana = span(20, ANA, "source", {"name": "Ana Ruiz"})
    links = [link(1, 10, 20, "claimed_by", status="rejected"), link(2, 10, 99, "claimed_by")]
    [review] = reviews([claim(), ana], links)
    assert "author" not in review["itemReviewed"]


@pytest.mark.parametrize(
    ("attributes", "kind"),
    [
        ({"name": "Ana Ruiz"}, "Person"),
        ({"name": "The Statistics Office"}, "Organization"),
        ({"name": "Acme", "kind": "organisation"}, "Organization"),
        ({"name": "Health Ministry Spokesperson", "type": "person"}, "Person"),
        ({"name": "Acme", "kind": "Organization"}, "Organization"),
    ],
)
def test_a_claimant_is_an_organization_by_its_kind_or_else_by_a_word_in_its_name(attributes, kind):
    assert claimreview.party(span(20, ANA, "source", attributes))["@type"] == kind


def test_a_claimant_url_becomes_same_as_only_when_it_is_a_web_address():
    assert "sameAs" not in claimreview.party(span(20, ANA, "source", {"url": "javascript:alert(1)"}))
    assert claimreview.party(span(20, ANA, "source", {"url": " https://example.org/a "}))["sameAs"] == (
        "https://example.org/a"
    )


def test_an_unverifiable_verdict_is_published_as_text_and_the_checker_says_what_it_lacks():
    [review] = reviews([claim(verdict="unverifiable")], pattern=PATTERN)
    findings = check_claim_review(review)
    assert findings.errors == []
    assert findings.warnings == [
        "reviewRating.bestRating",
        "reviewRating.ratingValue",
        "reviewRating.worstRating",
        "itemReviewed.author",
    ]


def test_the_checker_reports_missing_required_properties_and_malformed_values():
    findings = check_claim_review(
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "@id": "/api/v1/annotations/5/",
            "reviewRating": {"@type": "Rating", "ratingValue": 9, "bestRating": 5, "worstRating": 1},
            "author": {"@type": "Organization"},
            "datePublished": "9 March",
        }
    )
    assert findings.errors == [
        "claimReviewed",
        "url",
        "@id: an http(s) or urn:uuid IRI",
        "reviewRating.alternateName",
        "reviewRating.ratingValue: between worstRating and bestRating",
        "author.name",
        "datePublished: an ISO 8601 date",
    ]
    assert findings.warnings == ["itemReviewed", "reviewRating.name"]


@pytest.mark.parametrize(
    "pattern",
    [
        "https://factcheck.example.org/checks/{uuid}",
        "http://factcheck.example.org/{article_id}/{annotation_id}",
        "https://factcheck.example.org/checks?id={uuid}&article={article_id}",
    ],
)
def test_url_patterns_that_name_each_claim_are_accepted(pattern):
    assert claimreview.url_pattern_problem(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("ftp://factcheck.example.org/{uuid}", "https://"),
        ("javascript:alert('{uuid}')", "https://"),
        ("https://factcheck.example.org/checks/", "Include {uuid} or {annotation_id}"),
        ("https://factcheck.example.org/{article_id}", "Include {uuid} or {annotation_id}"),
        ("https://factcheck.example.org/{claim}", "Unknown placeholder {claim}"),
        ("https://factcheck.example.org/{uuid:>40}", "Unknown placeholder"),
        ("https://factcheck.example.org/{{uuid}}", "braces only around a placeholder"),
        ("https://factcheck.example.org/{uuid}}", "braces only around a placeholder"),
        ("https:///{uuid}", "host name"),
        ("https://factcheck.example.org/a b/{uuid}", "without spaces"),
    ],
)
def test_url_patterns_are_checked_with_a_clear_reason(pattern, words):
    assert words.lower() in claimreview.url_pattern_problem(pattern).lower()


# --- Through the database: the download, its header, the default, the setting ----------------------


def accepted(article, team, who: str, verdict: str = "false", start: int = 0, end: int = 7):
    annotation = make_annotation(article, team[who], attributes={"verdict": verdict}, start=start, end=end)
    return review_annotation(annotation, by=team["reviewer"], status="accepted")


def download(client, path: str, **query):
    response = client.get(path, {"format": "claimreview", **query})
    assert response.status_code == 200, response.content[:300]
    return response, json.loads(b"".join(response.streaming_content))


def test_the_api_download_warns_in_a_header_when_the_project_has_no_pattern(team, article):
    first = accepted(article, team, "annotator")
    accepted(article, team, "annotator2")  # the same span, the same verdict: one review
    make_annotation(article, team["annotator"], attributes={"verdict": "true"}, start=8, end=14)  # pending
    response, found = download(api_as(team["viewer"]), url("api_project_export", team["project"].pk))
    assert "fact-check URL pattern" in response[WARNING_HEADER]
    assert len(found) == 1 and "url" not in found[0]
    public = Project.objects.get(pk=team["project"].pk).public_uuid
    assert found[0]["@id"] == uuid.uuid5(public, str(first.pk)).urn
    assert [f.errors for f in check_export(json.dumps(found))] == [["url"]]


def test_a_status_asked_for_is_kept_so_pending_verdicts_can_be_previewed(team, article):
    accepted(article, team, "annotator")
    make_annotation(article, team["annotator"], attributes={"verdict": "true"}, start=8, end=14)
    _, found = download(api_as(team["viewer"]), url("api_project_export", team["project"].pk), status="pending")
    assert [r["reviewRating"]["alternateName"] for r in found] == ["true"]


def test_with_a_pattern_the_download_has_no_warning_and_each_review_its_url(team, article):
    Project.objects.filter(pk=team["project"].pk).update(factcheck_url_pattern=PATTERN)
    annotation = accepted(article, team, "annotator")
    response, found = download(api_as(team["viewer"]), url("api_project_export", team["project"].pk))
    assert WARNING_HEADER not in response
    public = Project.objects.get(pk=team["project"].pk).public_uuid
    assert found[0]["url"] == PATTERN.format(uuid=uuid.uuid5(public, str(annotation.pk)))
    # The fixture's article has no date and no address; the claim no source linked.
    expected = ([], ["itemReviewed.author", "itemReviewed.datePublished"])
    assert [(f.errors, f.warnings) for f in check_export(json.dumps(found))] == [expected]


def test_the_page_download_warns_too(team, article, client):
    accepted(article, team, "annotator")
    client.force_login(team["viewer"])
    response, found = download(client, reverse("project_export_download", args=[team["project"].pk]))
    assert "fact-check URL pattern" in response[WARNING_HEADER] and len(found) == 1


def notice(page: bytes):
    found = lxml.html.fromstring(page).get_element_by_id("project-export-claimreview-url", None)
    return found


def test_the_export_menu_says_claimreview_lacks_its_url_and_shows_owners_the_way_to_the_setting(team, client):
    detail = reverse("project_detail", args=[team["project"].pk])
    client.force_login(team["owner"])
    found = notice(client.get(detail).content)
    assert found is not None and "notice-warn" in found.get("class")
    assert found.xpath(".//a/@href") == [
        reverse("project_edit", args=[team["project"].pk]) + "#id_factcheck_url_pattern"
    ]
    client.force_login(team["viewer"])
    found = notice(client.get(detail).content)
    assert found is not None and found.xpath(".//a") == []
    Project.objects.filter(pk=team["project"].pk).update(factcheck_url_pattern=PATTERN)
    assert notice(client.get(detail).content) is None


def test_owners_set_the_pattern_on_the_settings_page_and_a_bad_one_is_shown_inline(team, client):
    project = team["project"]
    client.force_login(team["owner"])
    edit = reverse("project_edit", args=[project.pk])
    form = {
        "name": project.name,
        "guidelines_format": "plain",
        "visibility": project.visibility,
        "annotators_per_article": "1",
        "watch_hourly_days": "2",
        "watch_daily_days": "30",
    }
    response = client.post(edit, {**form, "factcheck_url_pattern": "https://factcheck.example.org/checks/"})
    assert response.status_code == 422
    errors = [p.text_content() for p in lxml.html.fromstring(response.content).find_class("field-error")]
    assert errors == ["Include {uuid} or {annotation_id}, so that each fact-check gets its own address."]
    response = client.post(edit, {**form, "factcheck_url_pattern": f"  {PATTERN} "})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.factcheck_url_pattern == PATTERN
    assert 'value="https://factcheck.example.org/checks/{uuid}"' in client.get(edit).content.decode()


def test_the_api_reads_and_sets_the_pattern_and_refuses_a_bad_one_with_a_400(team):
    owner = api_as(team["owner"])
    path = project_url(team["project"])
    assert owner.get(path).json()["factcheck_url_pattern"] == ""
    refused = owner.patch(path, {"factcheck_url_pattern": "https://factcheck.example.org/{article_id}"})
    assert refused.status_code == 400
    assert "Include {uuid} or {annotation_id}" in json.dumps(refused.json())
    changed = owner.patch(path, {"factcheck_url_pattern": PATTERN})
    assert changed.status_code == 200 and changed.json()["factcheck_url_pattern"] == PATTERN
    assert api_as(team["annotator"]).patch(path, {"factcheck_url_pattern": ""}).status_code == 403
    assert owner.patch(path, {"factcheck_url_pattern": ""}).json()["factcheck_url_pattern"] == ""
