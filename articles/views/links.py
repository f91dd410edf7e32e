"""Making, reviewing and removing links between spans on the annotate page; articles.links holds every rule.

The editor's Link button asks for its choices when pressed (`link_choices`: the types allowed by label and the
annotations that may be the target), so showing an annotation costs no query for link types. Making and
reviewing or removing a link answer htmx with the link panel of the annotation the editor shows, and the article's link
map out of band (static/articles/links.js draws the connectors from it): 200 when done; 409 for a link that
exists, 412 for a stale version and 422 for input the domain refused, each with its message in the panel. A
refusal of the role is Django's 403 (htmx shows it in the page's flash box). A plain POST redirects to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from articles import access
from articles.errors import AlreadyExists, InvalidInput, StaleVersion
from articles.forms import whole_number
from articles.links import LinkSpec, create_link, delete_link, review_link
from articles.models import Annotation, Article, Link, ReviewStatus
from articles.permissions import Action
from articles.views.annotate import TEMPLATE, message_of
from articles.views.workspace import link_panel, links_of, lower_first, my_work, offered_targets, shorten


def answer(
    request: HttpRequest, article: Article, selected: Annotation, *, role: str | None, status: int = 200, **outcome: Any
) -> HttpResponse:
    """The link panel of `selected` and the article's link map (htmx), or back to the page with a message."""
    if not request.htmx:
        if "link_error" in outcome:
            messages.error(request, outcome["link_error"])
        elif "link_notice" in outcome:
            messages.info(request, outcome["link_notice"])
        return redirect(reverse("article_annotate", args=[article.pk]) + f"?selected={selected.pk}")
    work = my_work(article.pk, request.user, role)
    links = links_of(article, request.user, role)
    context = {
        "article": article,
        "selected": selected,
        "links": links,
        **link_panel(selected, user=request.user, role=role, work=work, links=links),
        **outcome,
    }
    response = render(request, TEMPLATE + "#link-changes", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def link_choices(request: HttpRequest, annotation_id: int) -> HttpResponse:
    """The Link button's choices for an annotation (htmx): by label it may link to, the types allowed and the
    highlighted annotations carrying it; a plain request goes to the page with the annotation selected."""
    annotation = access.annotation_for(request.user, annotation_id)
    if not request.htmx:
        return redirect(reverse("article_annotate", args=[annotation.article_id]) + f"?selected={annotation.pk}")
    access.require(annotation.my_role, Action.ANNOTATE)
    labels = list(annotation.article.project.labels.all())
    context = {
        "article": annotation.article,
        "selected": annotation,
        "link_targets": offered_targets(annotation, user=request.user, labels=labels),
    }
    response = render(request, TEMPLATE + "#link-form", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def link_create(request: HttpRequest, article_id: int) -> HttpResponse:
    """Link the annotation the editor shows (`from`) to another of the article (`to`) with a type's key."""
    article = access.article_for(request.user, article_id)
    source = access.annotation_for(request.user, request.POST.get("from"))
    if source.article_id != article.pk:
        raise Http404("No such annotation in this article.")
    spec = LinkSpec(
        from_id=source.pk,
        to_id=whole_number(request.POST.get("to")),
        type=request.POST.get("type", ""),
        note=request.POST.get("note", ""),
    )
    try:
        link = create_link(article, spec, author=request.user)
    except InvalidInput as error:
        return answer(request, article, source, role=article.my_role, status=422, link_error=message_of(error))
    except AlreadyExists as error:
        return answer(request, article, source, role=article.my_role, status=409, link_error=str(error))
    done = f"Linked: {lower_first(link.type.name)} “{shorten(link.to_annotation.quote, 60)}”."
    return answer(request, article, source, role=article.my_role, link_notice=done, link_created=link.pk)


def shown_end(link: Link, data: QueryDict) -> Annotation:
    """The end of `link` whose editor the button was in (`panel`), so the answer is that editor's panel."""
    return link.to_annotation if whole_number(data.get("panel")) == link.to_annotation_id else link.from_annotation


def stale_message(error: StaleVersion, refused: str) -> str:
    """What a stale version means for the page: the link changed (the list shows it as it is now) or is gone."""
    if error.current is None:
        return "This link was removed meanwhile."
    return f"{refused}: someone changed this link meanwhile; it is shown as it is now."


@login_required
@require_POST
def link_delete(request: HttpRequest, link_id: int) -> HttpResponse:
    """Remove a link at the version the page showed; the panel shown is that of the end the editor shows."""
    link = access.link_for(request.user, link_id)
    selected = shown_end(link, request.POST)
    role = link.my_role
    try:
        delete_link(link, by=request.user, expected_version=whole_number(request.POST.get("version")))
    except InvalidInput as error:  # the user's work here is locked
        return answer(request, link.article, selected, role=role, status=422, link_error=message_of(error))
    except StaleVersion as error:
        stale = stale_message(error, "Not removed")
        return answer(request, link.article, selected, role=role, status=412, link_error=stale)
    return answer(request, link.article, selected, role=role, link_notice="Link removed.")


REVIEWED = {
    ReviewStatus.ACCEPTED: "Link accepted.",
    ReviewStatus.REJECTED: "Link rejected.",
    ReviewStatus.PENDING: "Link set back to pending.",
}


@login_required
@require_POST
def link_review(request: HttpRequest, link_id: int) -> HttpResponse:
    """Accept or reject a link, or set it back to pending, at the version the page showed. Reviewers and owners
    only, never on their own link: review_link refuses the others (403)."""
    link = access.link_for(request.user, link_id)
    selected = shown_end(link, request.POST)
    role = link.my_role
    version = whole_number(request.POST.get("version"))
    try:
        review_link(link, by=request.user, status=request.POST.get("status", ""), expected_version=version)
    except InvalidInput as error:
        return answer(request, link.article, selected, role=role, status=422, link_error=message_of(error))
    except StaleVersion as error:
        stale = stale_message(error, "Not reviewed")
        return answer(request, link.article, selected, role=role, status=412, link_error=stale)
    done = REVIEWED[ReviewStatus(link.status)]
    return answer(request, link.article, selected, role=role, link_notice=done, link_reviewed=link.pk)
