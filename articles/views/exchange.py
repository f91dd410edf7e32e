"""Download and import pages: export buttons on the project and article pages, and the import page.

Downloads stream through the same export code as the API. An import is previewed first: the inputs
are read and checked against the project without writing (every problem, duplicate and notice is
shown), kept under a token, and stored all or nothing only when the owner confirms.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles import access, imports, rate_limits
from articles.errors import InvalidInput
from articles.export_download import export_response
from articles.export_scope import ExportScope, parse_filters
from articles.exports import FORMATS
from articles.fetching import FetchError, fetch
from articles.imports import staging
from articles.imports.staging import StagedFile
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
        required=False, max_length=2000, label="Web address", widget=forms.URLInput(attrs={"placeholder": "https://"})
    )

    def clean(self) -> dict:
        data = super().clean()
        files = data.get("files") or []
        if not files and not (data.get("text") or "").strip() and not data.get("url"):
            raise forms.ValidationError("Choose files, paste an article or give a web address.")
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


def _entries(request: HttpRequest, form: ImportForm) -> list[tuple[StagedFile, bytes]] | None:
    """Collect the uploaded files, the pasted article and the fetched page; None after a fetch error."""
    data = form.cleaned_data
    entries = [(StagedFile(imports.safe_name(upload.name), data["format"]), upload.read()) for upload in data["files"]]
    if data["text"].strip():
        pasted = json.dumps([{"title": data["title"], "text": data["text"]}], ensure_ascii=False).encode()
        entries.append((StagedFile("pasted article", "json"), pasted))
    if data["url"]:
        if not rate_limits.count_request("url_import", request.user.pk, settings.URL_IMPORT_RATE).allowed:
            form.add_error("url", "Too many pages fetched in the last minute; try again shortly.")
            return None
        try:
            page = fetch(data["url"])
        except FetchError as error:
            form.add_error("url", str(error))
            return None
        entries.append(
            (
                StagedFile("web page", url=page.url, content_type=page.content_type, charset=page.charset or ""),
                page.body,
            )
        )
    return entries


def _preview(request: HttpRequest, project, plan, token: str | None) -> HttpResponse:
    context = {"project": project, "summary": plan.summary(), "token": token}
    return render(request, "articles/import_preview.html", context, status=422 if plan.problems else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    role = project.my_role
    access.require(role, Action.IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and (entries := _entries(request, form)) is not None:
        plan = imports.plan_import(
            project,
            staging.batches(entries),
            by=request.user,
            own_prefix=request.build_absolute_uri("/api/v1/articles/"),
        )
        token = None if plan.problems else staging.stage(entries, user_id=request.user.pk, project_id=project.pk)
        return _preview(request, project, plan, token)
    context = {"project": project, "form": form, "formats": imports.FORMATS}
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
