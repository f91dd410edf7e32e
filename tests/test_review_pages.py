"""The team review pages: workflow through the forms, the role matrix (AUTHZ-5, AUTHZ-7), escaping (XSS-1, XSS-4)
and a constant number of queries for a project with 1,000 articles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.access import role_in
from articles.anchoring import text_sha256
from articles.annotation_write import update_annotation
from articles.models import Annotation, Article, Assignment, AssignmentState, Comment, Membership, Role
from articles.workflow import transition
from tests.factories import add_member, make_annotation, make_article

State = AssignmentState
TEXT = "The minister said taxes will fall. Critics called the plan reckless and unfunded today."
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_whole_workflow_through_the_pages(team):
    """Assign, annotate, submit; reject one span with a comment and request changes; fix; resubmit; approve."""
    owner, annotator, reviewer = (client_for(team[r]) for r in ("owner", "annotator", "reviewer"))
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    assign_url = reverse("project_assignments", args=[team["project"].pk])
    response = owner.post(assign_url, {"op": "assign", "articles": [article.pk], "annotators": [team["annotator"].pk]})
    assert response.status_code == 302
    work = Assignment.objects.get(article=article, annotator=team["annotator"])
    queue = annotator.get(reverse("my_queue"))
    assert article.title in queue.content.decode() and 'value="submit"' in queue.content.decode()

    claim = make_annotation(article, author=team["annotator"], start=18, end=33)
    wrong = make_annotation(article, author=team["annotator"], label="opinion", start=35, end=58)
    done = annotator.post(
        reverse("assignment_transition", args=[work.pk]),
        {"action": "submit", "version": work.version, "back": "queue"},
        **HTMX,
    )
    assert done.status_code == 200 and "locked until a reviewer answers" in done.content.decode()

    review_url = reverse("assignment_review", args=[work.pk])
    page = reviewer.get(review_url).content.decode()
    assert 'id="action-approve"' in page and "taxes will fall" in page
    decided = reviewer.post(
        reverse("assignment_decide", args=[work.pk]),
        {"annotation": wrong.pk, "version": wrong.version, "status": "rejected", "comment": "A quote, not an opinion."},
        **HTMX,
    )
    assert decided.status_code == 200 and "A quote, not an opinion." in decided.content.decode()
    work.refresh_from_db()
    asked = reviewer.post(
        reverse("assignment_transition", args=[work.pk]),
        {"action": "request_changes", "version": work.version, "message": "Fix the rejected span, please."},
        **HTMX,
    )
    assert asked.status_code == 200 and "Changes requested" in asked.content.decode()
    assert "Fix the rejected span, please." in annotator.get(reverse("my_queue")).content.decode()

    update_annotation(Annotation.objects.get(pk=wrong.pk), by=team["annotator"], changes={"label": "quote"})
    work.refresh_from_db()
    resubmit = annotator.post(
        reverse("assignment_transition", args=[work.pk]), {"action": "submit", "version": work.version, "back": "queue"}
    )
    assert resubmit.status_code == 302 and resubmit["Location"] == reverse("my_queue")
    work.refresh_from_db()
    approved = reviewer.post(
        reverse("assignment_transition", args=[work.pk]), {"action": "approve", "version": work.version}
    )
    assert approved.status_code == 302
    assert set(Annotation.objects.filter(pk__in=[claim.pk, wrong.pk]).values_list("status", flat=True)) == {"accepted"}
    history = reviewer.get(review_url).content.decode()
    assert "Workflow history (5)" in history and "Reviewed" in history


def test_a_stale_decision_is_refused_with_the_current_state(team, article):
    """CONC-1 in the page: a decision sent with an old version changes nothing and says so (412)."""
    span = make_annotation(article, author=team["annotator"])
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=State.SUBMITTED)
    reviewer = client_for(team["reviewer"])
    first = reviewer.post(
        reverse("assignment_decide", args=[work.pk]),
        {"annotation": span.pk, "version": 1, "status": "accepted"},
        **HTMX,
    )
    second = client_for(team["owner"]).post(
        reverse("assignment_decide", args=[work.pk]),
        {"annotation": span.pk, "version": 1, "status": "rejected"},
        **HTMX,
    )
    assert (first.status_code, second.status_code) == (200, 412)
    assert "Someone else changed this meanwhile" in second.content.decode()
    assert Annotation.objects.get(pk=span.pk).status == "accepted"
    stale = reviewer.post(reverse("assignment_transition", args=[work.pk]), {"action": "approve", "version": 7}, **HTMX)
    assert stale.status_code == 412 and Assignment.objects.get(pk=work.pk).state == State.SUBMITTED


def setup_matrix(team):
    ex_member = add_member(team["project"], Role.REVIEWER)
    team["project"].memberships.filter(user=ex_member).delete()
    team["ex_member"] = ex_member
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    span = make_annotation(article, author=team["annotator"], start=18, end=33)
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=State.SUBMITTED)
    return article, span, work


ROLES = ["owner", "reviewer", "annotator", "annotator2", "viewer", "outsider", "ex_member"]


def allowed(letters: str, hidden: str = "") -> dict[str, int]:
    names = {"O": "owner", "R": "reviewer", "A": "annotator", "B": "annotator2", "V": "viewer"}
    result = {name: 403 for name in names.values()} | {"outsider": 404, "ex_member": 404}
    return result | {names[c]: 200 for c in letters} | {names[c]: 404 for c in hidden}


PAGES = {
    "review_queue": (lambda t, a, s, w: reverse("review_queue", args=[t["project"].pk]), allowed("OR")),
    "assign": (lambda t, a, s, w: reverse("project_assignments", args=[t["project"].pk]), allowed("O")),
    "members": (lambda t, a, s, w: reverse("project_members", args=[t["project"].pk]), allowed("O")),
    "agreement": (lambda t, a, s, w: reverse("project_agreement_page", args=[t["project"].pk]), allowed("ORV")),
    "dashboard": (lambda t, a, s, w: reverse("project_dashboard_page", args=[t["project"].pk]), allowed("ORABV")),
    "review_page": (lambda t, a, s, w: reverse("assignment_review", args=[w.pk]), allowed("ORAV", "B")),
    "adjudicate": (lambda t, a, s, w: reverse("article_adjudicate", args=[a.pk]), allowed("ORABV")),
}

POSTS = {
    "approve": (
        lambda t, a, s, w: (reverse("assignment_transition", args=[w.pk]), {"action": "approve", "version": 1}),
        allowed("OR", "B"),
    ),
    "decide": (
        lambda t, a, s, w: (
            reverse("assignment_decide", args=[w.pk]),
            {"annotation": s.pk, "version": 1, "status": "rejected"},
        ),
        allowed("OR", "B"),
    ),
    "comment": (
        lambda t, a, s, w: (reverse("assignment_comment", args=[w.pk]), {"annotation": s.pk, "body": "Hm."}),
        allowed("ORA", "B"),
    ),
    "adjudicate": (
        lambda t, a, s, w: (reverse("article_adjudicate", args=[a.pk]), {"action": "accept", "annotation": s.pk}),
        allowed("OR"),
    ),
    "assign": (
        lambda t, a, s, w: (
            reverse("project_assignments", args=[t["project"].pk]),
            {"op": "assign", "articles": [a.pk], "annotators": [t["annotator2"].pk]},
        ),
        allowed("O"),
    ),
    "add_member": (
        lambda t, a, s, w: (
            reverse("project_members", args=[t["project"].pk]),
            {"username": "outsider", "role": "owner"},
        ),
        allowed("O"),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_opens_for_exactly_the_right_roles(team, name, role):
    """AUTHZ-5 / AUTHZ-7 for the pages: never-members and ex-members get 404, other roles 403 where refused."""
    article, span, work = setup_matrix(team)
    build, expected = PAGES[name]
    assert client_for(team[role]).get(build(team, article, span, work)).status_code == expected[role], (name, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POSTS))
def test_every_page_action_is_allowed_to_exactly_the_right_roles(team, name, role):
    article, span, work = setup_matrix(team)
    build, expected = POSTS[name]
    path, data = build(team, article, span, work)
    before = (
        list(Assignment.objects.values_list("pk", "state", "version")),
        list(Annotation.objects.values_list("pk", "status")),
        Comment.objects.count(),
        Membership.objects.count(),
    )
    response = client_for(team[role]).post(path, data, **HTMX)
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] != 200:
        assert before == (
            list(Assignment.objects.values_list("pk", "state", "version")),
            list(Annotation.objects.values_list("pk", "status")),
            Comment.objects.count(),
            Membership.objects.count(),
        )


def test_anonymous_visitors_are_sent_to_sign_in(team, article):
    for url in (reverse("my_queue"), reverse("project_dashboard_page", args=[team["project"].pk])):
        response = client_for(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_hostile_text_shows_literally_on_every_review_page(team):
    """XSS-1 / XSS-4: titles, quotes, comments, questions and messages are escaped everywhere."""
    article = make_article(team["project"], text=f"{PAYLOAD} is quoted here.", title=PAYLOAD, by=team["owner"])
    span = make_annotation(article, author=team["annotator"], start=0, end=len(PAYLOAD))
    update_annotation(span, by=team["annotator"], changes={"is_flagged": True, "question": PAYLOAD})
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=State.IN_PROGRESS)
    transition(work, "submit", by=team["annotator"])
    reviewer = client_for(team["reviewer"])
    reviewer.post(reverse("assignment_comment", args=[work.pk]), {"annotation": span.pk, "body": PAYLOAD})
    transition(work, "request_changes", by=team["reviewer"], message=PAYLOAD)
    pages = [
        reviewer.get(reverse("assignment_review", args=[work.pk])),
        reviewer.get(reverse("review_queue", args=[team["project"].pk])),
        reviewer.get(reverse("article_adjudicate", args=[article.pk])),
        client_for(team["annotator"]).get(reverse("my_queue")),
    ]
    for page in pages:
        html = page.content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert Comment.objects.get().body == PAYLOAD


def test_owners_manage_members_but_never_remove_the_last_owner(team):
    owner = client_for(team["owner"])
    url = reverse("project_members", args=[team["project"].pk])
    added = owner.post(url, {"username": "outsider", "role": "annotator"}, **HTMX)
    assert added.status_code == 200 and role_in(team["project"], team["outsider"]) == "annotator"
    unknown = owner.post(url, {"username": "nobody-at-all", "role": "annotator"}, **HTMX)
    assert unknown.status_code == 422 and "No active user" in unknown.content.decode()
    viewer = Membership.objects.get(project=team["project"], user=team["viewer"])
    assert owner.post(url, {"membership": viewer.pk, "role": "reviewer"}, **HTMX).status_code == 200
    assert role_in(team["project"], team["viewer"]) == "reviewer"
    own = Membership.objects.get(project=team["project"], user=team["owner"])
    refused = owner.post(url, {"membership": own.pk, "remove": "1"}, **HTMX)
    assert refused.status_code == 422 and "at least one owner" in refused.content.decode()
    assert owner.post(url, {"membership": viewer.pk, "remove": "1"}, **HTMX).status_code == 200
    assert role_in(team["project"], team["viewer"]) is None


def test_owners_assign_in_bulk_spread_evenly_and_take_work_back(team):
    owner = client_for(team["owner"])
    url = reverse("project_assignments", args=[team["project"].pk])
    articles = [make_article(team["project"], by=team["owner"]) for _ in range(4)]
    bulk = owner.post(
        url,
        {
            "op": "assign",
            "articles": [a.pk for a in articles[:2]],
            "annotators": [team["annotator"].pk, team["annotator2"].pk],
        },
        **HTMX,
    )
    assert bulk.status_code == 200 and Assignment.objects.count() == 4
    spread = owner.post(url, {"op": "spread", "per_article": 2}, **HTMX)
    assert spread.status_code == 200 and Assignment.objects.count() == 8
    work = Assignment.objects.first()
    assert owner.post(url, {"op": "unassign", "assignment": work.pk}, **HTMX).status_code == 200
    assert not Assignment.objects.filter(pk=work.pk).exists()
    nothing = owner.post(url, {"op": "assign", "articles": [], "annotators": [team["annotator"].pk]}, **HTMX)
    assert nothing.status_code == 422 and "Choose at least one" in nothing.content.decode()


def test_the_agreement_page_links_each_disputed_article_to_its_comparison(team):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    make_annotation(article, author=team["annotator"], start=18, end=33)
    make_annotation(article, author=team["annotator2"], start=18, end=30)
    for user in (team["annotator"], team["annotator2"]):
        Assignment.objects.create(article=article, annotator=user, state=State.SUBMITTED)
    page = client_for(team["viewer"]).get(reverse("project_agreement_page", args=[team["project"].pk])).content.decode()
    assert 'id="pair-matrix"' in page and "annotator2" in page
    assert reverse("article_adjudicate", args=[article.pk]) in page and "0 agreed · 1 disputed · 0 settled" in page
    board = client_for(team["reviewer"]).post(
        reverse("article_adjudicate", args=[article.pk]),
        {
            "action": "write",
            "label": "claim",
            "start": 18,
            "end": 33,
            "replaces": list(Annotation.objects.filter(article=article).values_list("pk", flat=True)),
        },
        **HTMX,
    )
    assert board.status_code == 200 and "1</strong> span in the accepted set" in board.content.decode()


def grow(team, articles: int) -> Assignment:
    """Add `articles` articles, each finished by two annotators, and return one submission to review."""
    project = team["project"]
    start = Article.objects.count()
    texts = [f"Report {start + i}: {TEXT}" for i in range(articles)]
    created = Article.objects.bulk_create(
        Article(project=project, title=f"Report {start + i}", text=text, text_sha256=text_sha256(text))
        for i, text in enumerate(texts)
    )
    Assignment.objects.bulk_create(
        Assignment(article=a, annotator=team[who], state=State.SUBMITTED)
        for a in created
        for who in ("annotator", "annotator2")
    )
    label = team["project"].labels.get(key="claim")
    Annotation.objects.bulk_create(
        Annotation(
            article=a,
            author=team[who],
            label=label,
            start=len(a.text) - 54 + shift,
            end=len(a.text) - 39,
            quote=a.text[len(a.text) - 54 + shift : len(a.text) - 39],
        )
        for a in created
        for who, shift in (("annotator", 0), ("annotator2", 2))
    )
    return Assignment.objects.filter(annotator=team["annotator"]).order_by("pk").first()


@pytest.mark.parametrize(
    "page", ["dashboard", "review_page", "review_queue", "agreement", "assign", "my_queue", "adjudicate"]
)
def test_pages_run_the_same_number_of_queries_for_ten_and_a_thousand_articles(team, page, django_assert_num_queries):
    """LOAD-2: no N+1 anywhere; the page of a 1,000-article project costs what a 10-article one does."""
    work = grow(team, 10)
    user = team["annotator"] if page == "my_queue" else team["owner"]
    url = {
        "dashboard": reverse("project_dashboard_page", args=[team["project"].pk]),
        "review_page": reverse("assignment_review", args=[work.pk]),
        "review_queue": reverse("review_queue", args=[team["project"].pk]),
        "agreement": reverse("project_agreement_page", args=[team["project"].pk]),
        "assign": reverse("project_assignments", args=[team["project"].pk]),
        "my_queue": reverse("my_queue"),
        "adjudicate": reverse("article_adjudicate", args=[work.article_id]),
    }[page]
    client = client_for(user)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(team, 990)
    with django_assert_num_queries(len(small), info=f"{page}: {len(small)} queries at 10 articles") as large:
        response = client.get(url)
    assert response.status_code == 200 and len(large) == len(small)
