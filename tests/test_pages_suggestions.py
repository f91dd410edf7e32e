"""Suggestions in the pages: offered in the annotate page (to those who annotate), accepted with edits, rejected
for good, every quote at once, the suggesters run from the page; and the Suggesters section of the settings."""

from __future__ import annotations

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Annotation, Job, Label, Link, Suggester, Suggestion, SuggestionDecision
from articles.suggestions import Found, store
from tests.factories import make_article

HTMX = {"HTTP_HX_REQUEST": "true"}
# Emoji, CJK and Arabic before the spans: code points and UTF-16 part ways before the first suggestion.
TEXT = (
    "Tokyo 東京 👩🏽‍⚖️ 🇩🇪 «مرحبا» report.\n\n"
    "“Taxes will fall,” said Maria Lopez, the finance minister. Prices rose 5% in 2025, the office said."
)


def span(part: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def found() -> list[Found]:
    return [
        Found("quote", *span("Taxes will fall,"), 0.9, {"speaker": "Maria Lopez"}, "said_by", 1),
        Found("source", *span("Maria Lopez"), 0.8),
        Found("claim", *span("Prices rose 5% in 2025"), 0.35),
    ]


@pytest.fixture
def builtin(team):
    suggester = Suggester.objects.get(project=team["project"], kind="builtin")
    suggester.enabled = True
    suggester.save()
    return suggester


@pytest.fixture
def article(team, builtin):
    article = make_article(team["project"], text=TEXT)
    store(article, builtin, found(), labels=list(Label.objects.filter(project=team["project"])), version="1")
    return article


def page_tree(response):
    return lxml.html.fromstring(response.content)


def offered_items(response) -> list[dict[str, str]]:
    """The suggestions the page lists: their offsets, label and accessible name."""
    return [dict(item.attrib) for item in page_tree(response).xpath('//*[@id="suggestion-list"]//button')]


def annotate(client, article, **headers):
    return client.get(reverse("article_annotate", args=[article.pk]), **headers)


def post(client, name: str, article, data: dict, **headers):
    return client.post(reverse(name, args=[article.pk]), data, **headers)


def suggestion(article, label: str) -> Suggestion:
    return Suggestion.objects.get(article=article, label__key=label)


def test_annotators_see_each_offered_suggestion_with_its_code_point_offsets_and_name(client, team, article):
    client.force_login(team["annotator"])
    items = offered_items(annotate(client, article))
    assert [(item["data-label"], TEXT[int(item["data-start"]) : int(item["data-end"])]) for item in items] == [
        ("quote", "Taxes will fall,"),
        ("source", "Maria Lopez"),
        ("claim", "Prices rose 5% in 2025"),
    ]
    assert items[0]["aria-label"] == "Suggested quote: “Taxes will fall,”, 90%"
    assert items[0]["data-speaker"] == "Maria Lopez" and items[0]["data-link"] == "said by: Maria Lopez"
    tree = page_tree(annotate(client, article))
    assert tree.get_element_by_id("accept-all-quotes").text_content().split() == ["Accept", "all", "quotes", "1"]
    assert tree.get_element_by_id("run-suggesters") is not None
    shortcuts = tree.get_element_by_id("help-dialog").text_content()
    assert "Next / previous suggestion" in shortcuts


@pytest.mark.parametrize("who", ["viewer"])
def test_viewers_see_no_suggestions(client, team, article, who):
    client.force_login(team[who])
    response = annotate(client, article)
    assert response.status_code == 200
    assert not page_tree(response).xpath('//*[@id="suggestions"]')
    claim = {"suggestion": suggestion(article, "claim").pk}
    assert post(client, "suggestion_accept", article, claim).status_code == 403
    assert post(client, "suggestion_reject", article, claim).status_code == 403


def test_nothing_is_shown_while_no_suggester_is_switched_on(client, team, article, builtin):
    builtin.enabled = False
    builtin.save()
    client.force_login(team["annotator"])
    assert not page_tree(annotate(client, article)).xpath('//*[@id="suggestions"]')


def test_outsiders_and_other_articles_get_404(client, team, article):
    other = make_article(team["project"], text="Another text entirely.")
    client.force_login(team["annotator"])
    data = {"suggestion": suggestion(article, "claim").pk}
    assert post(client, "suggestion_accept", other, data, **HTMX).status_code == 404
    client.force_login(team["outsider"])
    assert post(client, "suggestion_accept", article, data, **HTMX).status_code == 404


def test_accepting_unchanged_makes_the_annotation_and_the_link_to_its_source(client, team, article):
    client.force_login(team["annotator"])
    quote = suggestion(article, "quote")
    data = {"suggestion": quote.pk, "label": "quote", "start": quote.start, "end": quote.end, "speaker": "Maria Lopez"}
    response = post(client, "suggestion_accept", article, data, **HTMX)
    assert response.status_code == 200
    made = Annotation.objects.get(label__key="quote")
    source = Annotation.objects.get(label__key="source")
    assert (made.quote, made.author) == ("Taxes will fall,", team["annotator"])
    assert made.attributes == {"speaker": "Maria Lopez"}
    link = Link.objects.get()
    assert (link.from_annotation_id, link.to_annotation_id, link.type.key) == (made.pk, source.pk, "said_by")
    tree = page_tree(response)
    assert tree.get_element_by_id("notices").get("data-created") == str(made.pk)
    assert tree.xpath(f'//*[@id="article-text"]//mark[contains(concat(" ", @data-ids, " "), " {made.pk} ")]')
    assert [li.get("data-link") for li in tree.xpath('//*[@id="link-map"]/li')] == [str(link.pk)]
    assert [item.get("data-label") for item in tree.xpath('//*[@id="suggestion-list"]//button')] == ["claim"]


def test_acceptance_can_be_edited_first(client, team, article):
    client.force_login(team["annotator"])
    quote = suggestion(article, "quote")
    start, end = span("Taxes will fall")
    data = {"suggestion": quote.pk, "label": "quote", "start": start, "end": end, "speaker": "  The  minister "}
    response = post(client, "suggestion_accept", article, data, **HTMX)
    assert response.status_code == 200
    made = Annotation.objects.get()
    assert (made.quote, made.attributes) == ("Taxes will fall", {"speaker": "The minister"})
    assert not Link.objects.exists()  # another speaker: the proposed link to Maria Lopez is left out
    claim = suggestion(article, "claim")
    relabelled = {"suggestion": claim.pk, "label": "opinion", "start": claim.start, "end": claim.end}
    assert post(client, "suggestion_accept", article, relabelled, **HTMX).status_code == 200
    assert Annotation.objects.get(label__key="opinion").quote == "Prices rose 5% in 2025"


def test_a_refused_acceptance_says_why_in_the_panel_and_keeps_what_was_typed(client, team, article):
    client.force_login(team["annotator"])
    quote = suggestion(article, "quote")
    data = {"suggestion": quote.pk, "label": "quote", "start": quote.start, "end": len(TEXT) + 5, "speaker": "Ana"}
    response = post(client, "suggestion_accept", article, data, **HTMX)
    assert response.status_code == 422
    tree = page_tree(response)
    assert tree.get_element_by_id("suggestion-error").text_content().strip()
    assert tree.get_element_by_id("suggestions").get("data-selected") == str(quote.pk)
    assert tree.get_element_by_id("suggestion-form").get("hidden") is None
    assert tree.get_element_by_id("suggestion-end").get("value") == str(len(TEXT) + 5)
    assert tree.get_element_by_id("suggestion-speaker").get("value") == "Ana"
    bad = {**data, "end": "ten"}
    response = post(client, "suggestion_accept", article, bad, **HTMX)
    assert response.status_code == 422
    assert "whole number" in page_tree(response).get_element_by_id("suggestion-error").text_content()
    assert not Annotation.objects.exists() and not SuggestionDecision.objects.exists()


def test_a_plain_form_accept_goes_back_to_the_page(client, team, article):
    client.force_login(team["annotator"])
    claim = suggestion(article, "claim")
    response = post(client, "suggestion_accept", article, {"suggestion": claim.pk})
    assert response.status_code == 302
    assert Annotation.objects.get().label.key == "claim"


def test_a_rejection_is_remembered_for_that_person_only(client, team, article):
    client.force_login(team["annotator"])
    claim = suggestion(article, "claim")
    response = post(client, "suggestion_reject", article, {"suggestion": claim.pk}, **HTMX)
    assert response.status_code == 200
    tree = page_tree(response)
    assert tree.get("id") == "suggestions"  # only the panel comes back
    assert tree.get("data-after") == str(claim.start)
    assert "Rejected" in tree.get_element_by_id("suggestion-notice").text_content()
    assert [item["data-label"] for item in offered_items(response)] == ["quote", "source"]
    assert [item["data-label"] for item in offered_items(annotate(client, article))] == ["quote", "source"]
    assert post(client, "suggestion_reject", article, {"suggestion": claim.pk}, **HTMX).status_code == 422
    assert not Annotation.objects.exists()
    client.force_login(team["annotator2"])
    assert "claim" in [item["data-label"] for item in offered_items(annotate(client, article))]


def test_accept_all_quotes(client, team, article):
    client.force_login(team["annotator"])
    response = post(client, "suggestions_accept_all", article, {}, **HTMX)
    assert response.status_code == 200
    assert sorted(Annotation.objects.values_list("label__key", flat=True)) == ["quote", "source"]
    assert Link.objects.count() == 1
    assert "Accepted 1 quote and 1 link" in page_tree(response).get_element_by_id("notices").text_content()
    assert [item["data-label"] for item in offered_items(response)] == ["claim"]


def test_running_the_suggesters_from_the_page(client, team, article):
    client.force_login(team["annotator"])
    response = post(client, "suggestions_run", article, {}, **HTMX)
    # the test settings run jobs at once: the answer is the workspace with what the built-in rules found
    assert response.status_code == 200 and response["HX-Retarget"] == "#workspace"
    tree = page_tree(response)
    assert tree.get("id") == "workspace"
    assert "have run" in tree.get_element_by_id("suggestion-notice").text_content()
    quotes = [item for item in offered_items(response) if item["data-label"] == "quote"]
    assert any("Taxes will fall" in TEXT[int(item["data-start"]) : int(item["data-end"])] for item in quotes)


def test_a_run_waiting_for_a_worker_polls_until_it_is_done(client, team, article, queue):
    from articles.jobs import run_job  # noqa: PLC0415

    client.force_login(team["annotator"])
    response = post(client, "suggestions_run", article, {}, **HTMX)
    assert response.status_code == 200
    waiting = page_tree(response)
    job = Job.objects.get(kind="suggest")
    status_url = reverse("suggestions_run_status", args=[article.pk, job.pk])
    assert (waiting.get("id"), waiting.get("hx-get")) == ("suggest-run", status_url)
    assert "queued" in waiting.text_content()
    assert page_tree(client.get(status_url, **HTMX)).get("hx-get") == status_url  # still waiting
    run_job.call(job.pk)
    done = client.get(status_url, **HTMX)
    assert done["HX-Retarget"] == "#workspace" and page_tree(done).get("id") == "workspace"
    other = make_article(team["project"], text="Other text.")
    assert client.get(reverse("suggestions_run_status", args=[other.pk, job.pk]), **HTMX).status_code == 404


def test_running_with_every_suggester_off_says_so(client, team, article, builtin):
    builtin.enabled = False
    builtin.save()
    client.force_login(team["annotator"])
    response = post(client, "suggestions_run", article, {}, **HTMX)
    assert response.status_code == 422
    assert "No suggester is switched on" in page_tree(response).text_content()


def count(client, url, **headers) -> tuple[int, int]:
    """All queries of one request, and those reading suggestions."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    return len(sql), sum('FROM "articles_suggestion"' in each for each in sql)


def test_suggestions_cost_one_query_however_many_there_are(client, team, builtin):
    text = " ".join(f"“Quote number {n},” said Source {n}." for n in range(60))
    article = make_article(team["project"], text=text)
    labels = list(Label.objects.filter(project=team["project"]))

    def suggest(how_many: int) -> None:
        spans = [span(f"Quote number {n},", text) for n in range(how_many)]
        items = [Found("quote", start, end, 0.8, {"speaker": f"Source {n}"}) for n, (start, end) in enumerate(spans)]
        store(article, builtin, items, labels=labels, version="1")

    client.force_login(team["annotator"])
    url = reverse("article_annotate", args=[article.pk])
    suggest(2)
    annotate(client, article)  # the session is read and cached once
    few, few_htmx = count(client, url), count(client, url, **HTMX)
    suggest(60)
    assert count(client, url) == few and count(client, url, **HTMX) == few_htmx
    assert few[1] == few_htmx[1] == 1  # the offered suggestions: one query
    assert len(offered_items(annotate(client, article))) == 60
    builtin.enabled = False
    builtin.save()
    # switched off: one query asks whether any suggester is on, and no suggestion is read
    assert count(client, url) == (few[0] - 1, 0)


def test_an_annotation_written_on_the_page_does_not_read_suggestions(client, team, article):
    client.force_login(team["annotator"])
    data = {"label": "claim", "start": 0, "end": 5, "list_bounds": "*|*"}
    with CaptureQueriesContext(connection) as queries:
        response = post(client, "annotation_create", article, data, **HTMX)
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert not any('"articles_suggest' in query["sql"] for query in queries.captured_queries)


# --- the Suggesters section of the settings


def settings_url(project) -> str:
    return reverse("project_edit", args=[project.pk])


def test_owners_switch_the_builtin_suggester_on_and_off(client, team):
    builtin = Suggester.objects.get(project=team["project"], kind="builtin")
    client.force_login(team["owner"])
    tree = page_tree(client.get(settings_url(team["project"])))
    assert "Built-in rules" in tree.get_element_by_id(f"suggester-{builtin.pk}").text_content()
    url = reverse("suggester_update", args=[team["project"].pk, builtin.pk])
    response = client.post(url, {"enabled": "on"}, **HTMX)
    assert response.status_code == 200
    assert Suggester.objects.get(pk=builtin.pk).enabled
    tree = page_tree(response)
    assert "switched on" in tree.get_element_by_id("suggester-notice").text_content()
    assert "Switch off" in tree.get_element_by_id(f"suggester-{builtin.pk}-switch").text_content()
    assert client.post(url, {}).status_code == 302  # a plain form goes back to the settings page
    assert not Suggester.objects.get(pk=builtin.pk).enabled
    assert not tree.xpath(f'//*[@id="suggester-{builtin.pk}-delete"]')  # the built-in one is never removed


def test_owners_register_and_remove_an_http_suggester_and_see_its_last_run(client, team, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    project = team["project"]
    client.force_login(team["owner"])
    add = reverse("suggester_add", args=[project.pk])
    local = {"name": "desk-model", "url": "http://127.0.0.1/suggest", "timeout_seconds": "5"}
    refused = client.post(add, local, **HTMX)
    assert refused.status_code == 422
    tree = page_tree(refused)
    assert "not public" in tree.get_element_by_id("suggester-url-error").text_content()
    assert tree.get_element_by_id("suggester-name").get("value") == "desk-model"  # what was typed stays
    assert not Suggester.objects.filter(kind="http").exists()
    bad_time = client.post(add, {"name": "desk-model", "url": "https://example.org/s", "timeout_seconds": "0"}, **HTMX)
    assert bad_time.status_code == 422 and page_tree(bad_time).get_element_by_id("suggester-timeout-error") is not None
    done = client.post(add, {"name": "desk-model", "url": "https://example.org/s", "timeout_seconds": "5"}, **HTMX)
    assert done.status_code == 200
    made = Suggester.objects.get(kind="http")
    assert (made.name, made.url, made.timeout_seconds, made.enabled) == ("desk-model", "https://example.org/s", 5, True)
    Suggester.objects.filter(pk=made.pk).update(last_error="the endpoint answered HTTP 404")
    from django.utils import timezone  # noqa: PLC0415

    Suggester.objects.filter(pk=made.pk).update(last_run_at=timezone.now())
    item = page_tree(client.get(settings_url(project))).get_element_by_id(f"suggester-{made.pk}").text_content()
    assert "Last error: the endpoint answered HTTP 404" in item and "Last run" in item
    removed = client.post(reverse("suggester_delete", args=[project.pk, made.pk]), **HTMX)
    assert removed.status_code == 200 and not Suggester.objects.filter(pk=made.pk).exists()


@pytest.mark.parametrize("who", ["reviewer", "annotator", "viewer"])
def test_only_owners_manage_suggesters(client, team, who):
    builtin = Suggester.objects.get(project=team["project"], kind="builtin")
    client.force_login(team[who])
    project = team["project"]
    url = reverse("suggester_update", args=[project.pk, builtin.pk])
    assert client.post(url, {"enabled": "on"}, **HTMX).status_code == 403
    add = reverse("suggester_add", args=[project.pk])
    assert client.post(add, {"name": "x", "url": "https://example.org/"}, **HTMX).status_code == 403
    assert client.post(reverse("suggester_delete", args=[project.pk, builtin.pk]), **HTMX).status_code == 403
    assert not Suggester.objects.get(pk=builtin.pk).enabled and Suggester.objects.count() == 1
    client.force_login(team["outsider"])
    assert client.post(url, {"enabled": "on"}, **HTMX).status_code == 404
