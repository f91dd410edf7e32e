"""Large file imports as background jobs, and import staging in the shared store (the database).

Files above IMPORT_BACKGROUND_BYTES are staged by the web request and imported by a worker (`file_import`),
all or nothing, with progress and the line at fault for every problem; smaller ones keep the preview. A
preview staged through one app server is confirmed through another: the staging lives in the database.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import lxml.html
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles import jobs
from articles.errors import InvalidInput
from articles.imports import background, staging
from articles.jobs import run_job, start_job
from articles.models import Annotation, Article, ImportStaging, Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    """Result files in the test's own directory, a small threshold, and a staging directory that must stay
    unused (nothing is kept on the web server's disk any more)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "job_results": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "results")},
        },
    }
    settings.IMPORT_BACKGROUND_BYTES = 200
    settings.IMPORT_STAGING_DIR = tmp_path / "local-staging"
    yield
    assert not (tmp_path / "local-staging").exists()


def jsonl(count: int, *, start: int = 0) -> str:
    return "\n".join(
        json.dumps(
            {
                "title": f"Story {n}",
                "text": f"Text {n} about the harbour, long enough to matter.",
                "spans": [{"start": 0, "end": 4, "label": "claim"}],
            }
        )
        for n in range(start, start + count)
    )


def upload(name: str, content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="application/octet-stream")


def send(client, project, **data):
    return client.post(reverse("project_import", args=[project.pk]), {"format": "auto", **data})


def page_of(project, job: Job) -> str:
    return f"{reverse('project_import', args=[project.pk])}?job={job.pk}"


def test_a_large_file_is_staged_and_imported_by_a_job_with_progress(client, team, queue):
    project = team["project"]
    client.force_login(team["owner"])
    content = jsonl(5)
    assert len(content.encode()) > 200
    response = send(client, project, files=[upload("stories.jsonl", content)])
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == page_of(project, job)
    assert job.kind == background.FILE_IMPORT and job.status == JobStatus.QUEUED
    staged = ImportStaging.objects.get()
    assert staged.job_id == job.pk and staged.token == job.params["staging"] and not Article.objects.exists()

    assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.done, job.total) == (5, 5)
    assert Article.objects.filter(project=project).count() == 5 and Annotation.objects.count() == 5
    assert not ImportStaging.objects.exists()  # read, imported, gone
    html = client.get(page_of(project, job)).content.decode()
    summary = lxml.html.fromstring(html).xpath("string(//p[@id='import-summary'])")
    assert " ".join(summary.split()) == "Imported 5 articles and 5 annotations; skipped 0 duplicates."


def test_a_large_upload_sent_twice_imports_once(client, team, queue):
    client.force_login(team["owner"])
    first = send(client, team["project"], files=[upload("s.jsonl", jsonl(3))], idempotency_key="form-1")
    again = send(client, team["project"], files=[upload("s.jsonl", jsonl(3))], idempotency_key="form-1")
    job = Job.objects.get()
    assert first["Location"] == again["Location"] == page_of(team["project"], job)
    assert list(ImportStaging.objects.values_list("token", flat=True)) == [job.params["staging"]]


def test_a_url_form_resent_with_other_addresses_says_so_and_can_be_sent_again(client, team, queue):
    client.force_login(team["owner"])
    send(client, team["project"], url="https://news.example/a", idempotency_key="form-2")
    changed = send(client, team["project"], url="https://news.example/b", idempotency_key="form-2")
    job = Job.objects.get()
    assert changed.status_code == 422 and f"already started import job {job.pk}".encode() in changed.content
    key = lxml.html.fromstring(changed.content).xpath("//input[@name='idempotency_key']/@value")[0]
    assert key != "form-2"
    assert send(client, team["project"], url="https://news.example/b", idempotency_key=key).status_code == 302
    assert Job.objects.count() == 2


def test_a_small_file_keeps_the_preview(client, team):
    client.force_login(team["owner"])
    response = send(client, team["project"], files=[upload("one.jsonl", jsonl(1))])
    assert response.status_code == 200 and b'name="token"' in response.content and not Job.objects.exists()


def test_a_broken_large_file_fails_the_job_with_every_line_at_fault_and_stores_nothing(client, team):
    client.force_login(team["owner"])
    broken = jsonl(3) + '\n{"text": \n{"title": "no text"}\n'
    response = send(client, team["project"], files=[upload("../bad.jsonl", broken)])
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and not Article.objects.exists() and not ImportStaging.objects.exists()
    assert job.error.splitlines()[0] == "Nothing was imported: 2 problem(s)."
    html = client.get(response["Location"]).content.decode()
    problems = lxml.html.fromstring(html).xpath("//ol[@id='import-problems']/li/text()")
    assert problems[0].startswith("bad.jsonl, line 4, column 10: ")
    assert problems[1] == "bad.jsonl, line 5: text: This field is required."


def test_a_retry_after_a_storage_error_stores_nothing_twice(team, queue, monkeypatch):
    """The articles went in, then writing the report failed (an OSError): the job is tried again with the same
    staged files and finds every article already there."""
    real = background.store_result
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(5, "Input/output error")
        return real(*args, **kwargs)

    monkeypatch.setattr(background, "store_result", flaky)
    token = staging.stage(
        [(staging.StagedFile("s.jsonl"), jsonl(3).encode())], user_id=team["owner"].pk, project_id=team["project"].pk
    )
    job, _ = start_job(
        team["project"],
        kind=background.FILE_IMPORT,
        by=team["owner"],
        params={"staging": token, "own_prefix": "http://testserver/api/v1/articles/"},
    )
    staging.hand_to(token, job.pk)
    assert run_job.call(job.pk) == JobStatus.QUEUED and ImportStaging.objects.filter(token=token).exists()
    assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    assert Article.objects.count() == 3 and Annotation.objects.count() == 3
    job.refresh_from_db()
    report = json.loads(jobs.results().open(job.result_path).read())
    assert report["created"]["articles"] == 0 and len(report["skipped"]) == 3
    assert not ImportStaging.objects.exists()


def test_a_file_job_needs_staged_files_of_the_same_user_and_project(team):
    token = staging.stage(
        [(staging.StagedFile("s.jsonl"), b"{}")], user_id=team["owner"].pk, project_id=team["project"].pk
    )
    other_owner = team["reviewer"]
    team["project"].memberships.filter(user=other_owner).update(role="owner")
    params = {"staging": token, "own_prefix": "http://testserver/api/v1/articles/"}
    with pytest.raises(InvalidInput, match="no longer waiting"):
        start_job(team["project"], kind=background.FILE_IMPORT, by=other_owner, params=params)
    with pytest.raises(InvalidInput, match="Unknown field"):
        start_job(team["project"], kind=background.FILE_IMPORT, by=team["owner"], params={**params, "path": "/etc"})
    with pytest.raises(PermissionDenied):
        start_job(team["project"], kind=background.FILE_IMPORT, by=team["annotator"], params=params)
    assert not Job.objects.exists()


# Staging in the shared store ------------------------------------------------------------------------


def test_a_preview_made_through_one_server_is_confirmed_through_another(team):
    """Two clients with their own sessions stand for two app servers behind a load balancer."""
    project = team["project"]
    first, second = Client(), Client()
    first.force_login(team["owner"])
    second.force_login(team["owner"])
    preview = send(first, project, files=[upload("one.jsonl", jsonl(1))])
    token = lxml.html.fromstring(preview.content).xpath("//input[@name='token']/@value")[0]
    assert ImportStaging.objects.filter(token=token, job=None).exists()
    second.post(reverse("project_import_commit", args=[project.pk]), {"token": token})
    assert Article.objects.get().title == "Story 0" and not ImportStaging.objects.exists()
    again = first.post(reverse("project_import_commit", args=[project.pk]), {"token": token}, follow=True)
    assert b"no longer waiting" in again.content and Article.objects.count() == 1


def test_staging_keeps_each_input_apart_and_belongs_to_its_user_and_project(team):
    owner, project = team["owner"], team["project"]
    entries = [
        (staging.StagedFile("a.csv", "csv"), b"title,text\nA,Body\n"),
        (staging.StagedFile("empty.txt"), b""),
        (staging.StagedFile("web page", url="https://x.example/", content_type="text/html", charset="utf-8"), b"<p>x"),
    ]
    token = staging.stage(entries, user_id=owner.pk, project_id=project.pk)
    assert staging.claim(token, user_id=team["reviewer"].pk, project_id=project.pk) is None
    assert staging.claim(token, user_id=owner.pk, project_id=project.pk + 1) is None
    assert staging.claim("../../etc/passwd", user_id=owner.pk, project_id=project.pk) is None
    assert staging.load(token, user_id=owner.pk, project_id=project.pk) == entries  # a job's read leaves it
    assert staging.claim(token, user_id=owner.pk, project_id=project.pk) == entries
    assert staging.claim(token, user_id=owner.pk, project_id=project.pk) is None


def test_old_previews_are_swept_but_a_jobs_files_wait_for_their_job(team, queue):
    owner, project = team["owner"], team["project"]
    old = staging.stage([(staging.StagedFile("a.txt"), b"A")], user_id=owner.pk, project_id=project.pk)
    held = staging.stage([(staging.StagedFile("b.txt"), b"B")], user_id=owner.pk, project_id=project.pk)
    job = Job.objects.create(project=project, kind=background.FILE_IMPORT, created_by=owner, idempotency_key="k")
    staging.hand_to(held, job.pk)
    ImportStaging.objects.update(created_at=ImportStaging.objects.get(token=old).created_at - timedelta(hours=2))
    assert staging.claim(old, user_id=owner.pk, project_id=project.pk) is None  # expired
    staging.stage([(staging.StagedFile("c.txt"), b"C")], user_id=owner.pk, project_id=project.pk)
    assert not ImportStaging.objects.filter(token=old).exists() and ImportStaging.objects.filter(token=held).exists()
    assert staging.claim(held, user_id=owner.pk, project_id=project.pk) is None  # a job's files are not a preview
    job.delete()
    assert not ImportStaging.objects.filter(token=held).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite lets one writer at a time; PostgreSQL row locks")
def test_concurrent_confirmations_of_one_preview_take_it_once(team):
    """Two confirmations at the same moment (say, through two servers): one takes the staged files, the other
    is told the preview is gone."""
    entries = [(staging.StagedFile("a.json", "json"), json.dumps([{"text": "A story."}]).encode())]
    for _ in range(10):
        token = staging.stage(entries, user_id=team["owner"].pk, project_id=team["project"].pk)
        barrier, taken = threading.Barrier(2), []

        def confirm():
            barrier.wait()
            try:
                taken.append(staging.claim(token, user_id=team["owner"].pk, project_id=team["project"].pk))
            finally:
                connection.close()

        threads = [threading.Thread(target=confirm) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(result is None for result in taken) == [False, True]
    assert not ImportStaging.objects.exists()
