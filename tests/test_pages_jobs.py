"""The job page and the export menu's "Prepare a file": polling that stops when the job is done, cancel, download."""

from __future__ import annotations

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from articles.jobs import run_job
from articles.models import Job, JobStatus
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.usefixtures("job_results")  # result files in a directory of each test's own

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def prepare(client: Client, project, htmx: bool = True, **data):
    data = {"format": "json", "status": "", "label": "", "since": "", "until": "", **data}
    return client.post(reverse("project_export_job", args=[project.pk]), data, **(HTMX if htmx else {}))


def status_region(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content).get_element_by_id("job-status")


def test_the_project_page_offers_prepare_a_file_and_the_article_page_does_not(team, article):
    client = client_for(team["viewer"])
    page = lxml.html.fromstring(client.get(reverse("project_detail", args=[team["project"].pk])).content)
    (button,) = page.xpath("//button[@form]")
    assert button.text_content() == "Prepare a file" and button.get("form") == "project-export-job"
    form = page.get_element_by_id("project-export-job")
    job_url = reverse("project_export_job", args=[team["project"].pk])
    assert (form.get("method"), form.get("action"), form.get("hx-post")) == ("post", job_url, job_url)
    assert form.get("hx-include") == "#project-export-form"
    assert page.get_element_by_id("project-export-form").get("method") == "get"
    assert set(form.fields) == {"csrfmiddlewaretoken", "idempotency_key"} and len(form.fields["idempotency_key"]) > 20
    assert page.get_element_by_id("project-export-job-message").get("hidden") is not None
    annotate = client.get(reverse("article_annotate", args=[article.pk])).content.decode()
    assert "Prepare a file" not in annotate


def test_preparing_redirects_to_the_job_page_which_polls_until_the_job_is_done(team, queue):
    make_annotation(make_article(team["project"], by=team["owner"]), author=team["owner"], start=0, end=7)
    client = client_for(team["annotator"])
    response = prepare(client, team["project"], format="csv", idempotency_key="click-1")
    job = Job.objects.get()
    page_url = reverse("job_detail", args=[job.pk])
    assert response["HX-Redirect"] == page_url
    assert prepare(client, team["project"], format="csv", idempotency_key="click-1")["HX-Redirect"] == page_url
    assert Job.objects.count() == 1  # a double click starts one job

    page = client.get(page_url)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    region = status_region(page)
    assert (region.get("hx-get"), region.get("hx-trigger")) == (page_url, "every 1s")
    assert region.xpath(".//progress") and "Queued" in region.text_content()
    assert region.xpath(".//button[@id='job-cancel']") and not region.xpath(".//a[@id='job-download']")
    polled = client.get(page_url, **HTMX)
    assert polled.content.decode().lstrip().startswith('<section id="job-status"')
    assert status_region(polled).get("hx-trigger") == "every 1s"

    run_job.call(job.pk)
    done = status_region(client.get(page_url, **HTMX))
    assert done.get("hx-trigger") is None and done.get("hx-get") is None  # polling stops
    (progress,) = done.xpath(".//progress")
    assert (progress.get("max"), progress.get("value")) == ("1", "1")
    assert "Succeeded" in done.text_content() and not done.xpath(".//button")
    (link,) = done.xpath(".//a[@id='job-download']")
    download = client.get(link.get("href"))
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(download.streaming_content).startswith(b"article_id,")


def test_a_plain_post_redirects_and_bad_filters_are_shown_in_the_menu(team):
    client = client_for(team["owner"])
    response = prepare(client, team["project"], htmx=False)
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[Job.objects.get().pk])
    refused = prepare(client, team["project"], since="2024-05-02", until="2024-05-01")
    assert refused.status_code == 422
    message = lxml.html.fromstring(refused.content)
    assert message.get("id") == "project-export-job-message" and message.get("role") == "alert"
    assert message.text_content() == "until must be later than since."
    plain = prepare(client, team["project"], htmx=False, format="pdf")
    assert plain.status_code == 302 and plain["Location"] == reverse("project_detail", args=[team["project"].pk])
    assert Job.objects.count() == 1


def test_a_failed_job_shows_its_error(team, queue):
    prepare(client_for(team["annotator"]), team["project"])
    job = Job.objects.get()
    team["project"].memberships.filter(user=team["annotator"]).delete()
    run_job.call(job.pk)
    region = status_region(client_for(team["owner"]).get(reverse("job_detail", args=[job.pk]), **HTMX))
    (alert,) = region.xpath(".//*[@role='alert']")
    assert alert.text_content() == "Your role in this project does not allow this."
    assert region.get("hx-trigger") is None


def test_cancel_stops_polling_and_keeps_nothing(team, queue):
    client = client_for(team["reviewer"])
    prepare(client, team["project"])
    job = Job.objects.get()
    response = client.post(reverse("job_cancel", args=[job.pk]), **HTMX)
    region = status_region(response)
    assert region.get("hx-trigger") is None and "Cancelled" in region.text_content()
    assert "nothing was kept" in region.text_content()
    assert run_job.call(job.pk) == "skipped"
    plain = client.post(reverse("job_cancel", args=[job.pk]))
    assert plain.status_code == 302 and Job.objects.get().status == JobStatus.CANCELLED


@pytest.mark.parametrize("role", ("reviewer", "annotator2", "viewer", "outsider"))
def test_another_members_job_is_a_404_but_owners_see_it(team, role):
    prepare(client_for(team["annotator"]), team["project"])
    job = Job.objects.get()
    client = client_for(team[role])
    for name in ("job_detail", "job_result"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("job_cancel", args=[job.pk])).status_code == 404
    assert client_for(team["owner"]).get(reverse("job_detail", args=[job.pk])).status_code == 200


def test_outsiders_cannot_prepare_files_and_signed_out_users_sign_in(team):
    assert prepare(client_for(team["outsider"]), team["project"]).status_code == 404
    assert Client().get(reverse("job_detail", args=[1])).status_code == 302
    assert not Job.objects.exists()


def test_the_job_page_has_no_inline_script_or_style(team):
    client = client_for(team["owner"])
    prepare(client, team["project"])
    page = lxml.html.fromstring(client.get(reverse("job_detail", args=[Job.objects.get().pk])).content)
    assert not page.xpath("//script[not(@src)] | //style | //*[@style]")
    assert not [name for element in page.iter() for name in element.attrib if name.startswith("on")]
