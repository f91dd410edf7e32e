"""Running suggesters: HTTP endpoints under the guard, failures kept for owners, jobs on demand and on new text,
and the suggestions API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from articles.errors import InvalidInput
from articles.models import Annotation, Job, Link, Suggester, Suggestion
from articles.revisions import add_revision
from articles.suggester_write import delete_suggester, register_suggester, update_suggester
from articles.suggesters import parse_answer, run_on, start_suggest
from tests.api_client import api_as as api_client
from tests.factories import make_article
from tests.suggester_server import SuggesterServer

TEXT = 'The mayor spoke on Monday. "We will rebuild the bridge," said Ana Costa, the mayor. Work starts in May.'


@pytest.fixture
def server(settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = True  # the test server listens on a loopback address
    with SuggesterServer() as running:
        settings.URL_IMPORT_ALLOWED_PORTS = [running.server_address[1]]
        yield running


@pytest.fixture
def endpoint(team, server):
    return register_suggester(team["project"], by=team["owner"], name="desk-model", url=server.url("/"))


def test_owners_register_http_suggesters_with_a_checked_address(team, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    with pytest.raises(InvalidInput) as refused:
        register_suggester(team["project"], by=team["owner"], name="local", url="http://127.0.0.1/")
    assert "not public" in str(refused.value.errors["url"])
    with pytest.raises(InvalidInput):
        register_suggester(team["project"], by=team["owner"], name="Bad Name", url="https://example.org/")
    with pytest.raises(PermissionDenied):
        register_suggester(team["project"], by=team["reviewer"], name="x", url="https://example.org/")
    made = register_suggester(team["project"], by=team["owner"], name="x", url="https://example.org/s")
    assert (made.kind, made.enabled, made.timeout_seconds) == ("http", True, 10)
    with pytest.raises(InvalidInput):
        register_suggester(team["project"], by=team["owner"], name="x", url="https://example.org/t")


def test_the_builtin_suggester_is_only_switched_on_or_off(team):
    builtin = Suggester.objects.get(project=team["project"], kind="builtin")
    with pytest.raises(InvalidInput):
        update_suggester(builtin, by=team["owner"], changes={"url": "https://example.org/"})
    with pytest.raises(InvalidInput):
        delete_suggester(builtin, by=team["owner"])
    assert update_suggester(builtin, by=team["owner"], changes={"enabled": True}).enabled


def test_an_http_suggester_gets_the_text_and_labels_and_its_spans_are_stored(team, endpoint, server):
    article = make_article(team["project"], text=TEXT)
    assert run_on(article, [endpoint]) == {"desk-model": 2}
    request = server.requests[-1]
    assert request["text"] == TEXT and request["protocol"] == 1
    assert {"quote", "source"} <= {label["key"] for label in request["labels"]}
    quote = Suggestion.objects.get(article=article, label__key="quote")
    assert quote.quote == "We will rebuild the bridge," and quote.link_to.quote == "Ana Costa"
    assert Suggester.objects.get(pk=endpoint.pk).last_error == ""


@pytest.mark.parametrize(
    ("path", "retried", "message"),
    [
        ("/broken", False, "not JSON"),
        ("/outside", False, "outside the text"),
        ("/denied", False, "HTTP 403"),
        ("/fail", True, "500"),
    ],
)
def test_a_failing_suggester_stores_nothing_and_its_owners_see_why(team, endpoint, server, path, retried, message):
    update_suggester(endpoint, by=team["owner"], changes={"url": server.url(path)})
    article = make_article(team["project"], text=TEXT)
    if retried:
        with pytest.raises(OSError):
            run_on(article, [Suggester.objects.get(pk=endpoint.pk)])
    else:
        assert run_on(article, [Suggester.objects.get(pk=endpoint.pk)]) == {}
    assert message in Suggester.objects.get(pk=endpoint.pk).last_error
    assert not Suggestion.objects.exists()


def test_a_slow_suggester_is_cut_off_at_its_time_limit(team, endpoint, server):
    update_suggester(endpoint, by=team["owner"], changes={"url": server.url("/slow"), "timeout_seconds": 1})
    with pytest.raises(OSError):
        run_on(make_article(team["project"], text=TEXT), [Suggester.objects.get(pk=endpoint.pk)])
    assert Suggester.objects.get(pk=endpoint.pk).last_error


@pytest.mark.parametrize(
    "body",
    [
        b'{"spans": [{"label": "quote", "start": 1.5, "end": 3}]}',
        b'{"spans": [{"label": "quote", "start": 0, "end": 3, "confidence": 2}]}',
        b'{"spans": [{"label": "quote", "start": 0, "end": 3, "link": {"type": "said_by", "to": 0}}]}',
        b'{"spans": [{"label": "quote", "start": 0, "end": 3, "attributes": []}]}',
        b'{"spans": [{"start": 0, "end": 3}]}',
        b'{"spans": {}}',
        b"[]",
    ],
)
def test_malformed_answers_are_refused_whole(body):
    from articles.suggesters import SuggesterFailed  # noqa: PLC0415

    with pytest.raises(SuggesterFailed):
        parse_answer(body, 20)


def test_a_run_on_demand_is_a_job(team, endpoint):
    article = make_article(team["project"], text=TEXT)
    job = start_suggest(article, by=team["annotator"])
    job.refresh_from_db()
    assert (job.kind, job.status, job.created_by) == ("suggest", "succeeded", team["annotator"])
    assert Suggestion.objects.filter(article=article).count() == 2
    with pytest.raises(PermissionDenied):
        start_suggest(article, by=team["viewer"])


def test_nothing_to_run_is_said_plainly(team):
    with pytest.raises(InvalidInput) as refused:
        start_suggest(make_article(team["project"], text=TEXT), by=team["annotator"])
    assert "switched on" in str(refused.value.errors["suggesters"])


def test_new_articles_and_revisions_are_suggested_on_once_committed(team, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(team["project"], text=TEXT)
    assert Job.objects.filter(kind="suggest", created_by=None).count() == 1
    assert Suggestion.objects.filter(article=article, current=True).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        add_revision(article, text=TEXT.replace("Monday", "Tuesday"), by=team["owner"])
    assert Job.objects.filter(kind="suggest").count() == 2
    assert set(Suggestion.objects.filter(article=article).values_list("text_revision", flat=True)) == {2}


def test_switched_off_suggesters_queue_nothing(team, endpoint, django_capture_on_commit_callbacks):
    update_suggester(endpoint, by=team["owner"], changes={"enabled": False})
    with django_capture_on_commit_callbacks(execute=True):
        make_article(team["project"], text=TEXT)
    assert not Job.objects.filter(kind="suggest").exists()


# The API ----------------------------------------------------------------------------------------------------


@pytest.fixture
def suggested(team, endpoint):
    article = make_article(team["project"], text=TEXT)
    run_on(article, [endpoint])
    return article


def test_the_api_lists_accepts_and_rejects(team, suggested):
    client = api_client(team["annotator"])
    listed = client.get(f"/api/v1/articles/{suggested.pk}/suggestions/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    quote = next(row for row in rows if row["label"] == "quote")
    assert quote["quote"] == "We will rebuild the bridge," and quote["link"]["type"] == "said_by"
    assert TEXT[quote["start"] : quote["end"]] == quote["quote"]
    accepted = client.post(f"/api/v1/suggestions/{quote['id']}/accept/", {}, format="json")
    assert accepted.status_code == 201, accepted.content
    body = accepted.json()
    assert body["annotation"]["quote"] == "We will rebuild the bridge," and body["annotation"]["label"] == "quote"
    assert [link["type"] for link in body["links"]] == ["said_by"]
    assert Annotation.objects.count() == 2 and Link.objects.count() == 1
    again = client.post(f"/api/v1/suggestions/{quote['id']}/accept/", {}, format="json")
    assert again.status_code == 400
    rows = client.get(f"/api/v1/articles/{suggested.pk}/suggestions/").json()
    assert (rows["results"] if isinstance(rows, dict) else rows) == []


def test_the_api_accepts_with_changes_and_rejects(team, suggested):
    client = api_client(team["annotator"])
    quote = Suggestion.objects.get(article=suggested, label__key="quote")
    end = quote.end - 1  # without the comma
    response = client.post(
        f"/api/v1/suggestions/{quote.pk}/accept/", {"end": end, "speaker": "A. Costa"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["annotation"]["quote"] == "We will rebuild the bridge"
    assert response.json()["links"] == []
    source = Suggestion.objects.get(article=suggested, label__key="source")
    assert client.post(f"/api/v1/suggestions/{source.pk}/reject/").status_code == 200
    assert client.post(f"/api/v1/suggestions/{source.pk}/reject/").status_code == 400


def test_bad_acceptance_input_is_a_400_with_the_field(team, suggested):
    client = api_client(team["annotator"])
    quote = Suggestion.objects.get(article=suggested, label__key="quote")
    for body, field in [({"end": "x"}, "end"), ({"start": 0, "end": 10**9}, "end"), ({"label": "nope"}, "label")]:
        response = client.post(f"/api/v1/suggestions/{quote.pk}/accept/", body, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.content)
    assert not Annotation.objects.exists()


def test_api_permissions_are_those_of_annotating(team, suggested):
    quote = Suggestion.objects.get(article=suggested, label__key="quote")
    viewer, outsider = api_client(team["viewer"]), api_client(team["outsider"])
    assert viewer.get(f"/api/v1/articles/{suggested.pk}/suggestions/").status_code == 403
    assert viewer.post(f"/api/v1/suggestions/{quote.pk}/accept/", {}, format="json").status_code == 403
    assert viewer.post(f"/api/v1/articles/{suggested.pk}/suggestions/run/").status_code == 403
    assert outsider.get(f"/api/v1/articles/{suggested.pk}/suggestions/").status_code == 404
    assert outsider.post(f"/api/v1/suggestions/{quote.pk}/reject/").status_code == 404
    assert api_client(team["annotator"]).post(f"/api/v1/suggestions/{10**30}/reject/").status_code == 404


def test_the_api_runs_suggesters_as_a_job(team, suggested):
    response = api_client(team["annotator"]).post(f"/api/v1/articles/{suggested.pk}/suggestions/run/")
    assert response.status_code == 202, response.content
    assert response.json()["kind"] == "suggest"


def test_owners_manage_suggesters_through_the_api(team, server):
    owner = api_client(team["owner"])
    base = f"/api/v1/projects/{team['project'].pk}/suggesters/"
    made = owner.post(base, {"name": "m", "url": server.url("/")}, format="json")
    assert made.status_code == 201, made.content
    assert {row["name"] for row in owner.get(base).json()} == {"builtin", "m"}
    assert owner.patch(f"{base}{made.json()['id']}/", {"enabled": False}, format="json").json()["enabled"] is False
    assert owner.post(base, {"name": "n", "url": "ftp://x"}, format="json").status_code == 400
    assert (
        api_client(team["annotator"]).post(base, {"name": "n", "url": server.url("/")}, format="json").status_code
        == 403
    )
    assert owner.delete(f"{base}{made.json()['id']}/").status_code == 204


def test_ssrf11_a_name_that_resolves_to_a_private_address_is_never_called(team, settings):
    """SSRF-11: the address is checked again when each run resolves it; an inward one fails the run, with its
    reason kept, before any connection."""
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    inward = register_suggester(team["project"], by=team["owner"], name="inward", url="http://localhost/suggest")
    article = make_article(team["project"], text=TEXT)
    assert run_on(article, [inward]) == {}
    assert "refused" in Suggester.objects.get(pk=inward.pk).last_error
    assert not Suggestion.objects.exists()
