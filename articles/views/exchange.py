"""Download and import pages: export buttons on the project and article pages, and the import page.

Downloads stream through the same export code as the API. An import of files or a pasted article is
previewed first: the inputs are read and checked against the project without writing (every problem,
duplicate and notice is shown), kept under a token in the database (articles.imports.staging), and
stored all or nothing only when the owner confirms. Web addresses (one, or a list of up to 1,000) and
files above IMPORT_BACKGROUND_BYTES are imported by a background job instead (articles.imports.background);
the import page then follows that job (`?job=<id>`): a progress bar polled with htmx until the job is
done, then its report.
"""

from __future__ import annotations

import json
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles import access, imports, jobs, rate_limits
from articles.errors import AlreadyExists, InvalidInput
from articles.export_download import export_response
from articles.export_scope import ExportScope, parse_filters
from articles.exports import FORMATS
from articles.imports import background, staging
from articles.imports.staging import Entries, StagedFile
from articles.models import Job, Role
from articles.permissions import Action

ACCEPT = ".txt,.md,.markdown,.html,.htm,.json,.jsonld,.jsonl,.ndjson,.csv"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs):
        super().__init__(widget=MultipleFileInput(attrs={"accept": ACCEPT}), **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ImportForm(forms.Form):
    files = MultipleFileField(
        required=False, label="Files", help_text="Text, Markdown, HTML pages, JSON, JSONL or CSV; several at once."
    )
    format = forms.ChoiceField(
        choices=[("auto", "Recognise from name and content"), *imports.FORMATS.items()],
        initial="auto",
        label="Format of the files",
    )
    title = forms.CharField(required=False, max_length=500, label="Title")
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Text",
        max_length=settings.ARTICLE_MAX_CHARS,
    )
    url = forms.CharField(
        required=False,
        max_length=background.MAX_ADDRESSES * (background.MAX_ADDRESS_LENGTH + 2),
        label="Web addresses",
        help_text=f"One address per line, up to {background.MAX_ADDRESSES:,}.",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "https://", "spellcheck": "false"}),
    )
    # Names this submission: sending the form twice (a double click, a reload) finds the job it started.
    idempotency_key = forms.CharField(required=False, max_length=jobs.MAX_KEY_LENGTH, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        files = data.get("files") or []
        pasted = (data.get("text") or "").strip()
        if not files and not pasted and not data.get("url"):
            raise forms.ValidationError("Choose files, paste an article or give web addresses.")
        if data.get("url") and (files or pasted):
            self.add_error("url", "Import web addresses on their own: leave the files and the pasted article empty.")
        if len(files) > imports.MAX_FILES:
            self.add_error("files", f"Import at most {imports.MAX_FILES} files at once.")
        for upload in files:
            if upload.size > imports.MAX_FILE_BYTES:
                self.add_error(
                    "files",
                    f"{imports.safe_name(upload.name)} is larger than {imports.MAX_FILE_BYTES // (1024 * 1024)} MB.",
                )
        return data


def _download(request: HttpRequest, project, role: str, article, back: str) -> HttpResponse:
    access.require(role, Action.EXPORT)
    key = request.GET.get("format", "json")
    try:
        if key not in FORMATS:
            raise InvalidInput.single("format", "Choose one of the offered formats.")
        filters = parse_filters(request.GET)
    except InvalidInput as error:
        messages.error(request, " ".join(str(m) for ms in error.errors.values() for m in ms))
        return redirect(back)
    scope = ExportScope(project, request.user, article, filters)
    return export_response(scope, key, base_url=request.build_absolute_uri("/"))


@login_required
@require_GET
def project_export_download(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    role = project.my_role
    return _download(request, project, role, None, reverse("project_detail", args=[project.pk]))


@login_required
@require_GET
def article_export_download(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    role = article.my_role
    return _download(request, article.project, role, article, reverse("article_annotate", args=[article.pk]))


def _entries(form: ImportForm) -> Entries:
    """Collect the uploaded files and the pasted article."""
    data = form.cleaned_data
    entries = [(StagedFile(imports.safe_name(upload.name), data["format"]), upload.read()) for upload in data["files"]]
    if data["text"].strip():
        pasted = json.dumps([{"title": data["title"], "text": data["text"]}], ensure_ascii=False).encode()
        entries.append((StagedFile("pasted article", "json"), pasted))
    return entries


def _job_page(project, job: Job) -> HttpResponse:
    return redirect(f"{reverse('project_import', args=[project.pk])}?job={job.pk}")


def _start(request: HttpRequest, project, form: ImportForm, kind: str, params: dict) -> Job | None:
    """Start an import job for the form; None with the form's errors when it is refused."""
    try:
        job, _ = jobs.start_job(
            project,
            kind=kind,
            by=request.user,
            params=params,
            idempotency_key=form.cleaned_data.get("idempotency_key") or None,
        )
    except AlreadyExists as error:  # this form started an import before, with other content
        if kind == background.FILE_IMPORT:
            return error.existing  # uploads sent twice (a double click, a reload): follow the first
        form.data = form.data.copy()  # addresses changed after going back: say so, and let a resend start anew
        form.data["idempotency_key"] = secrets.token_urlsafe(24)  # sending it once more starts a new one
        form.add_error(
            None, f"This form already started import job {error.existing.pk}; send it again to start another."
        )
        return None
    except InvalidInput as error:
        for field, messages in error.errors.items():
            if isinstance(messages, dict):  # addresses: index -> messages
                for index, texts in sorted(messages.items()):
                    form.add_error("url", " ".join(f"Line {index + 1}: {text}" for text in texts))
            else:
                form.add_error("url" if field == "urls" else None, " ".join(str(m) for m in messages))
        return None
    return job


def _start_url_import(request: HttpRequest, project, form: ImportForm) -> Job | None:
    if not rate_limits.count_request("url_import", request.user.pk, settings.URL_IMPORT_RATE).allowed:
        form.add_error("url", "Too many imports from the web in the last minute; try again shortly.")
        return None
    urls = background.addresses_in(form.cleaned_data["url"])
    return _start(request, project, form, background.URL_IMPORT, {"urls": urls})


def _start_file_import(request: HttpRequest, project, form: ImportForm, entries: Entries) -> Job | None:
    token = staging.stage(entries, user_id=request.user.pk, project_id=project.pk)
    params = {"staging": token, "own_prefix": request.build_absolute_uri("/api/v1/articles/")}
    job = _start(request, project, form, background.FILE_IMPORT, params)
    if job is None or job.params.get("staging") != token:
        staging.discard(token)  # refused, or the same form sent again: its first files are the ones imported
    else:
        staging.hand_to(token, job.pk)
    return job


def _large(form: ImportForm) -> bool:
    return any(upload.size > settings.IMPORT_BACKGROUND_BYTES for upload in form.cleaned_data["files"])


def _import_job(request: HttpRequest, project, job_id: str) -> HttpResponse:
    """The import page following one import job: its bar while it runs (polled), then its report."""
    job = jobs.job_for(request.user, job_id)
    if job.project_id != project.pk or job.kind not in background.KINDS:
        raise Http404("No such import in this project.")
    finished = job.is_finished
    if job.kind == background.URL_IMPORT:
        report = background.url_report(job) if finished else None
    else:
        report = background.stored_report(job) if finished else None
    context = {
        "project": project,
        "job": job,
        "report": report,
        "problems": job.error.split("\n") if job.error else [],
        "can_cancel": not finished and (job.created_by_id == request.user.pk or project.my_role == Role.OWNER),
    }
    template = "articles/import_report.html" + ("#import-job" if request.htmx else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "no-store"
    return response


def _preview(request: HttpRequest, project, plan, token: str | None) -> HttpResponse:
    context = {"project": project, "summary": plan.summary(), "token": token}
    return render(request, "articles/import_preview.html", context, status=422 if plan.problems else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request: HttpRequest, project_id: int) -> HttpResponse:
    """The import form; its preview (files, a pasted article); or the job it started (web addresses, large
    files), followed at `?job=<id>`."""
    project = access.project_for(request.user, project_id)
    role = project.my_role
    access.require(role, Action.IMPORT)
    if request.method == "GET" and "job" in request.GET:
        return _import_job(request, project, request.GET["job"])
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["url"]:
            job = _start_url_import(request, project, form)
        elif _large(form):
            job = _start_file_import(request, project, form, _entries(form))
        else:
            entries = _entries(form)
            plan = imports.plan_import(
                project,
                staging.batches(entries),
                by=request.user,
                own_prefix=request.build_absolute_uri("/api/v1/articles/"),
            )
            token = None if plan.problems else staging.stage(entries, user_id=request.user.pk, project_id=project.pk)
            return _preview(request, project, plan, token)
        if job is not None:
            return _job_page(project, job)
    if not form.is_bound:
        form = ImportForm(initial={"idempotency_key": secrets.token_urlsafe(24)})
    context = {
        "project": project,
        "form": form,
        "formats": imports.FORMATS,
        "background_bytes": settings.IMPORT_BACKGROUND_BYTES,
    }
    return render(request, "articles/import_form.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def project_import_commit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    role = project.my_role
    access.require(role, Action.IMPORT)
    token = request.POST.get("token", "")
    entries = staging.claim(token, user_id=request.user.pk, project_id=project.pk)
    if entries is None:
        messages.error(
            request,
            "That preview is no longer waiting (it was imported already, has expired, or is someone else's); "
            "choose the files again.",
        )
        return redirect("project_import", project.pk)
    try:
        plan = imports.run_import(
            project,
            staging.batches(entries),
            by=request.user,
            own_prefix=request.build_absolute_uri("/api/v1/articles/"),
        )
    except imports.ImportFailed as failure:
        return _preview(request, project, failure.plan, None)
    created = plan.summary()["created"]
    messages.success(
        request,
        f"Imported {created['articles']} article(s) and {created['annotations']} "
        f"annotation(s); skipped {len(plan.skipped)} duplicate(s).",
    )
    return redirect("project_detail", project.pk)
