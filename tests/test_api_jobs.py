"""Jobs over the API: starting an export job, following it, cancelling it, downloading its file, by role."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from articles.models import Job, JobStatus
from tests.api_client import api_as, url
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.usefixtures("job_results")  # result files in a directory of each test's own


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


ROLES = ("owner", "reviewer", "annotator", "viewer")


def start(team, who="owner", **body):
    return api_as(team[who]).post(url("api_project_export_job", team["project"].pk), body, format="json")


def test_starting_an_export_answers_202_with_the_job_and_its_address(team, article):
    make_annotation(article, team["annotator"], label="claim")
    response = start(team, format="jsonl", label=["claim"])
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == f"http://testserver/api/v1/jobs/{job['id']}/"
    assert {key: job[key] for key in ("kind", "status", "done", "total", "percent", "error", "attempts")} == {
        "kind": "export",
        "status": "succeeded",  # the immediate backend of the tests ran it already
        "done": 1,
        "total": 1,
        "percent": 100,
        "error": "",
        "attempts": 1,
    }
    assert job["result"] == f"http://testserver/api/v1/jobs/{job['id']}/result/"
    assert job["params"]["format"] == "jsonl" and job["params"]["label"] == ["claim"]
    assert job["created_by"] == "owner" and job["result_name"].endswith(".jsonl")

    download = api_as(team["owner"]).get(job["result"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert download["X-Content-Type-Options"] == "nosniff" and download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"].startswith('attachment; filename="desk-')
    line = json.loads(b"".join(download.streaming_content).decode().splitlines()[0])
    assert line["text"] == article.text


def test_a_queued_job_reads_as_queued_with_no_result(team, queue):
    job = start(team).json()
    assert (job["status"], job["result"], job["started_at"], job["total"]) == ("queued", None, None, None)
    assert api_as(team["owner"]).get(url("job-result", job["id"])).status_code == 404


def test_the_same_idempotency_key_returns_the_same_job(team, queue):
    first = start(team, format="csv", idempotency_key="nightly-2026-11-30")
    again = start(team, format="csv", idempotency_key="nightly-2026-11-30")
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"] and Job.objects.count() == 1
    conflict = start(team, format="json", idempotency_key="nightly-2026-11-30")
    assert conflict.status_code == 409 and conflict.json()["existing"]["id"] == first.json()["id"]
    taken = start(team, who="viewer", format="csv", idempotency_key="nightly-2026-11-30")
    assert taken.status_code == 400 and set(taken.json()) == {"idempotency_key"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"status": ["maybe"]}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2024-05-02", "until": "2024-05-01"}, "until"),
        ({"label": "claim"}, "label"),
        ({"label": ["x" * 151]}, "label"),
        ({"idempotency_key": "x" * 101}, "idempotency_key"),
        ({"idempotency_key": "caf\u00e9"}, "idempotency_key"),
        ({"base_url": "http://evil.example/"}, "base_url"),
        ({"kind": "export"}, "kind"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(team, body, field):
    response = start(team, **body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_member_starts_and_follows_their_own_job(team, role):
    job = start(team, who=role).json()
    client = api_as(team[role])
    assert client.get(url("job-detail", job["id"])).json()["status"] == "succeeded"
    assert client.get(url("job-result", job["id"])).status_code == 200


@pytest.mark.parametrize("role", ("reviewer", "annotator", "viewer", "outsider"))
def test_others_jobs_are_a_404_except_for_owners(team, role):
    """A job holds what its starter may see: other members and outsiders do not learn it exists."""
    job = start(team, who="annotator2").json()
    client = api_as(team[role])
    for response in (
        client.get(url("job-detail", job["id"])),
        client.get(url("job-result", job["id"])),
        client.post(url("job-cancel", job["id"])),
    ):
        assert response.status_code == 404 and response.json() == {"detail": "No such job in your projects."}
    assert api_as(team["owner"]).get(url("job-detail", job["id"])).status_code == 200


def test_outsiders_cannot_start_jobs_in_a_project_they_are_not_in(team):
    response = start(team, who="outsider")
    assert response.status_code == 404 and not Job.objects.exists()


@pytest.mark.parametrize("job_id", ["0", "9" * 25, str(2**63)])
def test_ids_out_of_range_are_a_404(team, job_id):
    client = api_as(team["owner"])
    assert client.get(f"/api/v1/jobs/{job_id}/").status_code == 404
    assert client.post(f"/api/v1/jobs/{job_id}/cancel/").status_code == 404
    assert client.post(f"/api/v1/projects/{job_id}/exports/", {}, format="json").status_code == 404


def test_signed_out_callers_get_a_401(team):
    assert api_as().get("/api/v1/jobs/1/").status_code == 401
    assert api_as().post(url("api_project_export_job", team["project"].pk), {}, format="json").status_code == 401


def test_cancelling_over_the_api(team, queue):
    job = start(team, who="viewer").json()
    response = api_as(team["viewer"]).post(url("job-cancel", job["id"]))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert response.json()["finished_at"] is not None
    again = api_as(team["owner"]).post(url("job-cancel", job["id"]))
    assert again.status_code == 200 and again.json()["status"] == "cancelled"


def test_unknown_query_parameters_are_refused(team):
    job = start(team).json()
    response = api_as(team["owner"]).get(url("job-detail", job["id"]), {"expand": "1"})
    assert response.status_code == 400 and "expand" in response.json()


def test_an_expired_file_is_no_longer_served(team):
    job = start(team).json()
    from django.utils import timezone

    Job.objects.filter(pk=job["id"]).update(result_expires_at=timezone.now())
    client = api_as(team["owner"])
    assert client.get(url("job-detail", job["id"])).json()["result"] is None
    assert client.get(url("job-result", job["id"])).status_code == 404
    assert Job.objects.get(pk=job["id"]).status == JobStatus.SUCCEEDED


def test_a_member_who_left_no_longer_sees_their_job(team):
    job = start(team, who="annotator").json()
    team["project"].memberships.filter(user=team["annotator"]).delete()
    assert api_as(team["annotator"]).get(url("job-detail", job["id"])).status_code == 404


def test_exports_of_articles_in_the_project_reach_the_file(team):
    for _ in range(3):
        make_article(team["project"], by=team["owner"])
    job = start(team, format="csv").json()
    assert (job["done"], job["total"]) == (3, 3)
