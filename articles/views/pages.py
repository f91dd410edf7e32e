"""Project screens: the project list, a project's article list (live search) and adding an article."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from articles import access
from articles.article_write import create_article
from articles.errors import InvalidInput
from articles.forms import ArticleFilterForm, ArticleForm, add_domain_errors
from articles.permissions import Action, role_allows
from articles.project_write import may_create_projects
from articles.views.label_styles import label_stylesheet
from articles.views.listing import article_listing
from articles.views.review_context import project_nav
from articles.views.workspace import labels_version


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = access.projects_for(request.user).annotate(article_count=Count("articles", distinct=True))
    context = {"projects": projects, "can_create": may_create_projects(request.user)}
    return render(request, "articles/project_list.html", context)


@login_required
@require_GET
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    role = project.my_role
    labels = list(project.labels.all())
    members = list(User.objects.filter(memberships__project=project).order_by("username"))
    form = ArticleFilterForm(request.GET, labels=labels, members=members)
    filters = form.filters()
    listing = article_listing(project, request.user, labels, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "project": project,
        "role": role,
        "form": form,
        "filters": filters,
        "listing": listing,
        "query": query.urlencode(),
        "list_url": reverse("project_detail", args=[project.pk]),
        "labels_css_version": labels_version(labels),
        "can_add": role_allows(role, Action.MANAGE_ARTICLES),
        "nav": project_nav(project, role, "project_detail"),
    }
    response = render(request, "articles/project_detail.html" + ("#article-list" if request.htmx else ""), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def project_labels_css(request: HttpRequest, project_id: int) -> HttpResponse:
    """Serve the project's label colours as CSS; the page links it with a version, so cache it long."""
    project = access.project_for(request.user, project_id)
    response = HttpResponse(label_stylesheet(list(project.labels.all())), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=31536000, immutable" if request.GET.get("v") else "private, no-cache"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    role = project.my_role
    access.require(role, Action.MANAGE_ARTICLES)
    form, duplicate_id = ArticleForm(request.POST or None, initial={"language": "en"}), None
    if request.method == "POST" and form.is_valid():
        try:
            article = create_article(project, by=request.user, **form.article_fields())
        except InvalidInput as error:
            add_domain_errors(form, error)
            duplicate_id = error.extra.get("duplicate_id")
        else:
            messages.success(request, f"Added “{article.title}”. Select text to annotate it.")
            url = reverse("article_annotate", args=[article.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = {"project": project, "form": form, "duplicate_id": duplicate_id}
    template = "articles/article_form.html" + ("#article-form" if request.htmx else "")
    return render(request, template, context, status=422 if form.errors else 200)
