"""Job pages: start a project export as a job, follow it on its page, cancel it, download its file.

The job page polls its status region with htmx every second until the job is finished (the finished
region has no trigger, so polling stops by itself). Starting comes from the export menu's "Prepare a
file" button (htmx: the answer redirects to the job page; a refusal swaps in the menu's message).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from articles import access, jobs
from articles.errors import AlreadyExists, InvalidInput
from articles.job_download import result_response
from articles.models import Job, JobKind, Role

EXPORT_FILTERS = ("label", "author", "status", "since", "until")


def _refused(request: HttpRequest, project, message: str) -> HttpResponse:
    if request.htmx:
        context = {"prefix": "project-export", "job_message": message}
        return render(request, "articles/export_menu.html#export-job-message", context, status=422)
    messages.error(request, message)
    return redirect("project_detail", project.pk)


@login_required
@require_POST
def project_export_job(request: HttpRequest, project_id: int) -> HttpResponse:
    """Start preparing the project's export as a file (the menu's format and filters), then show its job."""
    project = access.project_for(request.user, project_id)
    params = {name: request.POST.getlist(name) for name in EXPORT_FILTERS if any(request.POST.getlist(name))}
    params |= {"format": request.POST.get("format", "json"), "base_url": request.build_absolute_uri("/")}
    try:
        job, _ = jobs.start_job(
            project,
            kind=JobKind.EXPORT,
            by=request.user,
            params=params,
            idempotency_key=request.POST.get("idempotency_key") or None,
        )
    except InvalidInput as error:
        return _refused(request, project, " ".join(str(m) for ms in error.errors.values() for m in ms))
    except AlreadyExists as error:
        return _refused(request, project, str(error))
    url = reverse("job_detail", args=[job.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _context(request: HttpRequest, job: Job) -> dict:
    mine = job.created_by_id == request.user.pk
    return {
        "job": job,
        "project": job.project,
        "can_cancel": not job.is_finished and (mine or access.role_in(job.project, request.user) == Role.OWNER),
        "downloadable": jobs.result_available(job),
    }


def _status(request: HttpRequest, job: Job, status: int = 200) -> HttpResponse:
    template = "articles/job_detail.html" + ("#job-status" if request.htmx else "")
    response = render(request, template, _context(request, job), status=status)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's page; for htmx, only its status region (what the page polls)."""
    return _status(request, jobs.job_for(request.user, job_id))


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = jobs.cancel_job(jobs.job_for(request.user, job_id), by=request.user)
    if not request.htmx:
        return redirect("job_detail", job.pk)
    return _status(request, job)


@login_required
@require_GET
def job_result(request: HttpRequest, job_id: int) -> HttpResponse:
    """Download the job's file: only who may see the job, only while the file is kept."""
    return result_response(jobs.job_for(request.user, job_id))
