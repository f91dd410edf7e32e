"""Download menus and the import page: preview first, then an all-or-nothing import on confirmation."""

from __future__ import annotations

import csv
import io
import json

import lxml.html
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from articles import imports
from articles.fetching import GENERIC_MESSAGE
from articles.models import Annotation, Article, Job
from tests.factories import make_annotation, make_project
from tests.local_web_server import LocalWebServer

pytestmark = pytest.mark.django_db
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture(autouse=True)
def fresh_rates():
    cache.clear()


def upload(name: str, content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="application/octet-stream")


def preview(client, project, follow=False, **data):
    return client.post(reverse("project_import", args=[project.pk]), {"format": "auto", **data}, follow=follow)


def token_of(response) -> str:
    tree = lxml.html.fromstring(response.content)
    return tree.xpath("//input[@name='token']/@value")[0]


def test_the_project_page_offers_downloads_to_all_and_import_to_owners(client, team):
    client.force_login(team["viewer"])
    page = client.get(reverse("project_detail", args=[team["project"].pk])).content.decode()
    assert reverse("project_export_download", args=[team["project"].pk]) in page and ">Import<" not in page
    client.force_login(team["owner"])
    page = client.get(reverse("project_detail", args=[team["project"].pk])).content.decode()
    assert reverse("project_import", args=[team["project"].pk]) in page


def test_the_download_menu_runs_no_queries(team, django_assert_num_queries):
    template = Template("{% load exchange %}{% export_menu project role labels=labels %}")
    with django_assert_num_queries(0):
        html = template.render(
            Context({"project": team["project"], "role": "viewer", "labels": [("", "Any"), ("claim", "Claim")]})
        )
    assert 'value="claim"' in html and 'value="claimreview"' in html


def test_downloading_from_the_page_streams_the_filtered_export(client, team, article):
    make_annotation(article, team["annotator"], label="claim", start=0, end=7)
    accepted = make_annotation(article, team["annotator"], label="quote", start=8, end=14, note="=1+1")
    Annotation.objects.filter(pk=accepted.pk).update(status="accepted")
    client.force_login(team["viewer"])
    response = client.get(
        reverse("project_export_download", args=[team["project"].pk]),
        {"format": "csv", "status": "accepted", "label": "", "since": "", "until": ""},
    )
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["label"], r["note"]) for r in rows] == [("quote", "'=1+1")]
    article_download = client.get(reverse("article_export_download", args=[article.pk]), {"format": "w3c"})
    assert json.loads(b"".join(article_download.streaming_content))["total"] == 2


def test_bad_download_choices_come_back_as_a_message(client, team):
    client.force_login(team["viewer"])
    response = client.get(reverse("project_export_download", args=[team["project"].pk]), {"since": "soon"}, follow=True)
    assert response.redirect_chain and "ISO 8601" in response.content.decode()


def test_downloads_and_imports_are_404_for_outsiders_and_login_for_anonymous(client, team, article):
    """AUTHZ-1, AUTHZ-8: no export or import by guessing ids."""
    urls = [
        reverse("project_export_download", args=[team["project"].pk]),
        reverse("article_export_download", args=[article.pk]),
        reverse("project_import", args=[team["project"].pk]),
    ]
    assert all(client.get(url).status_code == 302 for url in urls)
    client.force_login(team["outsider"])
    assert all(client.get(url).status_code == 404 for url in urls)
    client.force_login(team["reviewer"])
    assert client.get(urls[2]).status_code == 403


def test_an_import_is_previewed_then_committed_once(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    assert client.get(reverse("project_import", args=[project.pk])).status_code == 200
    content = "\n".join(
        json.dumps(
            {
                "title": f"Story {n}",
                "text": f"Text {n} about the harbour.",
                "spans": [{"start": 0, "end": 4, "label": "claim"}],
            }
        )
        for n in range(3)
    )
    response = preview(client, project, files=[upload("stories.jsonl", content)])
    assert response.status_code == 200 and not Article.objects.exists()
    page = response.content.decode()
    assert "Ready to add <strong>3</strong> articles and <strong>3</strong> annotations" in page
    token = token_of(response)
    commit = client.post(reverse("project_import_commit", args=[project.pk]), {"token": token}, follow=True)
    assert Article.objects.filter(project=project).count() == 3 and Annotation.objects.count() == 3
    assert "Imported 3 article(s) and 3 annotation(s)" in commit.content.decode()
    again = client.post(reverse("project_import_commit", args=[project.pk]), {"token": token}, follow=True)
    assert "expired" in again.content.decode() and Article.objects.count() == 3


def test_a_preview_belongs_to_its_user_and_project(client, team):
    """AUTHZ-8: another owner cannot confirm someone's staged import, nor move it to another project."""
    project = team["project"]
    client.force_login(team["owner"])
    token = token_of(preview(client, project, text="A pasted story about the harbour."))
    other_owner = team["reviewer"]
    project.memberships.filter(user=other_owner).update(role="owner")
    client.force_login(other_owner)
    client.post(reverse("project_import_commit", args=[project.pk]), {"token": token})
    elsewhere = make_project(team["owner"], name="Elsewhere")
    client.force_login(team["owner"])
    client.post(reverse("project_import_commit", args=[elsewhere.pk]), {"token": token})
    client.post(reverse("project_import_commit", args=[project.pk]), {"token": "../../etc/passwd"})
    assert not Article.objects.exists()
    client.post(reverse("project_import_commit", args=[project.pk]), {"token": token})
    assert Article.objects.get().title == "A pasted story about the harbour."


def test_a_broken_file_shows_every_problem_and_offers_no_import(client, team):
    client.force_login(team["owner"])
    bad = upload("../../bad.jsonl", '{"text": "ok"}\n{"text": \n{"title": "no text"}\n')
    response = preview(client, team["project"], files=[bad, upload("fine.csv", "title,text\nA,Body\n")])
    assert response.status_code == 422 and b'name="token"' not in response.content
    items = lxml.html.fromstring(response.content).xpath("//ol[@class='import-problems']/li")
    problems = [li.text_content().split() for li in items]
    assert [p[:3] for p in problems] == [["bad.jsonl,", "line", "2,"], ["bad.jsonl,", "line", "3,"]]
    assert not Article.objects.exists()


def test_hostile_titles_are_shown_as_text_in_the_preview(client, team):
    """XSS-1, XSS-6: titles and messages from files are escaped."""
    client.force_login(team["owner"])
    response = preview(client, team["project"], title=PAYLOAD, text="Body of the story.")
    assert PAYLOAD.encode() not in response.content and b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_the_form_needs_something_and_limits_files(client, team, monkeypatch):
    client.force_login(team["owner"])
    assert preview(client, team["project"]).status_code == 422
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 10)
    response = preview(client, team["project"], files=[upload("big.txt", "x" * 11)])
    assert response.status_code == 422 and b"larger than" in response.content


def test_a_page_is_imported_from_its_address_by_a_job(client, team, settings):
    """A web address starts a job (run at once by the tests' backend); the page follows it to its report."""
    with LocalWebServer() as server:
        settings.URL_IMPORT_ALLOWED_PORTS = (server.port,)
        settings.URL_IMPORT_ALLOW_PRIVATE = True
        client.force_login(team["owner"])
        response = preview(client, team["project"], url=server.url("/article"), follow=True)
        assert response.redirect_chain[-1][0].endswith(f"?job={Job.objects.get().pk}")
        assert (
            b"Harbour bridge to close for repairs" in response.content
            and b"Stored <strong>1</strong>" in response.content
        )
        assert Article.objects.get().outlet == "The Coast Gazette" and server.connections == 1  # fetched once


def test_ssrf_a_refused_address_is_a_generic_form_error(client, team, settings):
    """Refused by its text: a form error at once. Refused by where it leads: the job's report says so."""
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    client.force_login(team["owner"])
    response = preview(client, team["project"], url="file:///etc/passwd")
    assert response.status_code == 422 and GENERIC_MESSAGE.encode() in response.content
    response = preview(client, team["project"], url="http://169.254.169.254/latest/meta-data/", follow=True)
    assert b"failed <strong>1</strong>" in response.content and GENERIC_MESSAGE.encode() in response.content


def test_the_article_page_offers_a_download_of_that_article(client, team, article):
    client.force_login(team["owner"])
    page = client.get(reverse("article_annotate", args=[article.pk])).content.decode()
    assert reverse("article_export_download", args=[article.pk]) in page
    assert reverse("project_import", args=[team["project"].pk]) not in page  # imports start from the project
