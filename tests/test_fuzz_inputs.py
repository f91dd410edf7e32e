"""No page form field, page query parameter or API input answers a hostile value with a server error.

The inputs are found, not listed: the pages of articles/urls.py as an owner, a reviewer, an annotator and a
signed-out visitor meet them in a seeded project (every form, parsed with lxml, and every query parameter its
links use), and every operation of the API's OpenAPI schema (query parameters, headers, top-level body fields).
Each input gets each hostile value in turn, the rest as the page or the schema has it; every answer must be
below 500, and on the API JSON. Each request is rolled back, so every one meets the same scene. Run it on
PostgreSQL too: only there do text columns refuse NUL and bigints refuse 25 digits.
"""

from __future__ import annotations

import copy
import json
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, quote_from_bytes, urlencode, urljoin, urlsplit

import lxml.html
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve, reverse
from rest_framework.authtoken.models import Token

from articles import assignment, discussion, workflow
from articles.links import LinkSpec, create_link, link_types_of, types_allowed
from articles.models import (
    Annotation,
    Article,
    Assignment,
    Comment,
    Job,
    JobKind,
    Membership,
    Suggestion,
    Webhook,
    WebhookDelivery,
)
from articles.revisions import add_revision
from articles.views import listing, review_context, workspace_list
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.fuzz

HOSTILE: dict[str, bytes] = {
    "NUL": b"a\x00b",
    "control characters": b"\x01\x1b",
    "25 digits": b"9" * 25,
    "minus 25 digits": b"-" + b"9" * 25,
    "100,000 characters": b"x" * 100_000,
    "invalid UTF-8": b"\xff\xfe",
    "overlong UTF-8": b"\xc0\xaf",
}
# What a URL itself can carry: ids as percent-encoded NUL, invalid UTF-8 or 25 digits; broken whole queries.
PATH_SEGMENTS = ("%00", "9" * 25, "%FF%FE", "%C0%AF")
ODD_QUERIES = ("%FF%FE", "%C0%AF", "%00=%00", "%", "a=%zz")
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
SCHEMA_PARAMETER = re.compile(r"{(\w+)}")
ROLES = ("owner", "reviewer", "annotator", None)  # None: signed out (the sign-in page and its ?next=)
HTMX = {"HTTP_HX_REQUEST": "true"}
REQUIRED_SAMPLES = {"url": "https://example.com/", "date": "2024-05-01", "number": "1", "email": "a@example.com"}


@dataclass
class Scene:
    """The seeded project as the fuzzer needs it: a signed-in client per role, and ids and values to send."""

    clients: dict[str | None, Client]
    page_ids: dict[str, int]  # route parameters of the pages
    api_ids: dict[str, int]  # schema path parameters, and `{id}` by the collection named before it
    body_values: dict[str, object]  # valid values of API body fields that name rows of the scene
    visited: list[tuple[str | None, str, HttpResponse]]  # pages only a POST reaches (undo, import preview)
    token: str


@dataclass
class Tally:
    """Requests sent, and every answer that was a server error (or, on the API, not JSON)."""

    sent: int = 0
    failures: list[str] = field(default_factory=list)

    def send(self, client: Client, what: str, call: Callable[[], HttpResponse]) -> tuple[HttpResponse | None, bytes]:
        """Send one request in a transaction that is rolled back, keeping the client's cookies, so a form
        whose hostile value is ignored does its work without changing what the next request meets."""
        self.sent += 1
        cookies = copy.deepcopy(client.cookies)
        try:
            with transaction.atomic():
                response = call()
                body = b"".join(response.streaming_content) if response.streaming else response.content
                transaction.set_rollback(True)
        except Exception:  # a crash while streaming an export is a server error too
            self.failures.append(f"{what}: raised\n{traceback.format_exc()}")
            return None, b""
        finally:
            client.cookies = cookies
        if response.status_code >= 500:
            trace = "".join(traceback.format_exception(*response.exc_info)) if response.exc_info else ""
            self.failures.append(f"{what}: {response.status_code}\n{trace}")
        return response, body


# The scene ----------------------------------------------------------------------------------------------


def client_for(user: User | None) -> Client:
    """A client that answers a server error with its status (500), as a browser would see it."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def seed_review(team: dict, waiting: Article) -> tuple[Article, list[Assignment], list[Annotation], Comment]:
    """An article two annotators labelled differently and submitted (a dispute to adjudicate), a reviewer's
    comment on one span, and `waiting` assigned but not started."""
    project, owner = team["project"], team["owner"]
    # "Fuzz" is what an empty required field gets (a quote, say), so the text holds it once.
    article = make_article(project, text="The minister said “taxes will fall”. Fuzz tests find what breaks.")
    works = assignment.assign(
        project, by=owner, articles=[article.pk], annotators=[team["annotator"].pk, team["annotator2"].pk]
    )
    assignment.assign(project, by=owner, articles=[waiting.pk], annotators=[team["annotator"].pk])
    spans = [
        make_annotation(article, author=work.annotator, label=label, start=0, end=7)
        for work, label in zip(works, ("claim", "opinion"))
    ]
    for work in works:
        for action in ("start", "submit"):
            workflow.transition(work, action, by=work.annotator)
    # A correction that orphans a span (the orphan queue's forms) on an article with a web address (Re-fetch).
    make_annotation(article, author=team["reviewer"], label="claim", quote="find what breaks")
    Article.objects.filter(pk=article.pk).update(url="https://news.example.org/fuzz")
    add_revision(article, by=owner, text="The minister said “taxes will fall”. Fuzz tests help.")
    article.refresh_from_db()
    return article, works, spans, discussion.add_comment(spans[0], by=team["reviewer"], body="Why a claim?")


def pages_after_posts(owner: Client, article: Article, *, by: User) -> list[tuple[str, str, HttpResponse]]:
    """(role, the page the browser shows, the answer) of what only a POST shows: the annotate page after a
    deletion (htmx swaps in its undo form) and an import's preview (its confirm form, a staged import)."""
    deleted = make_annotation(article, author=by, start=8, end=15)
    undo = owner.post(reverse("annotation_delete", args=[deleted.pk]), {"version": deleted.version}, **HTMX)
    import_page = reverse("project_import", args=[article.project_id])
    preview = owner.post(import_page, {"format": "auto", "title": "Pasted", "text": "Pasted."})
    assert undo.status_code == preview.status_code == 200
    return [("owner", reverse("article_annotate", args=[article.pk]), undo), ("owner", import_page, preview)]


def link_choices(owner: Client, annotation) -> tuple[str, str, HttpResponse]:
    """The Link button's choices (htmx only): the form that makes a link."""
    path = reverse("link_choices", args=[annotation.pk])
    answer = owner.get(path, **HTMX)
    assert answer.status_code == 200
    return "owner", path, answer


@pytest.fixture
def scene(team, article, settings, tmp_path, monkeypatch) -> Scene:
    """A project with two articles, spans by three people, two submitted assignments disputing one span and
    one waiting, a comment, a deleted annotation, a staged import and an API token; lists one item a page."""
    for module, name in ((listing, "PAGE_SIZE"), (review_context, "PAGE_SIZE"), (workspace_list, "LIST_WINDOW")):
        monkeypatch.setattr(module, name, 1)  # every pager shows, and with it its page parameter
    project, owner = team["project"], team["owner"]
    article, works, spans, comment = seed_review(team, waiting=article)
    # A queued export job: its page polls and offers Cancel (the tests' immediate backend would finish one at once).
    job = Job.objects.create(project=project, created_by=owner, kind=JobKind.EXPORT, idempotency_key="fuzz")
    # A webhook with a delivery to replay; its address is private, so the guard refuses it and nothing is sent.
    hook = Webhook.objects.create(project=project, url="http://127.0.0.1:9/", events=["annotation.created"], secret="x")
    delivery = WebhookDelivery.objects.create(webhook=hook, event="annotation.created", body="{}")
    # A link from the first span to a source span, with a type its labels allow.
    source = make_annotation(article, author=owner, label="source", start=0, end=3)
    link_type = types_allowed(link_types_of(project), spans[0].label.key, "source")[0]
    link = create_link(article, LinkSpec(spans[0].pk, source.pk, link_type.key), author=owner)
    # A suggestion from the built-in suggester, switched on, and an HTTP suggester to remove.
    builtin = project.suggesters.get(kind="builtin")
    project.suggesters.filter(pk=builtin.pk).update(enabled=True)
    project.suggesters.create(name="remote", kind="http", url="http://127.0.0.1:9/")
    suggestion = Suggestion.objects.create(
        article=article,
        suggester=builtin,
        label=project.labels.get(key="quote"),
        start=0,
        end=3,
        quote=article.text[:3],
        confidence=0.5,
        key="fuzz",
    )
    clients = {role: client_for(team[role] if role else None) for role in ROLES}
    return Scene(
        clients=clients,
        page_ids={
            "project_id": project.pk,
            "article_id": article.pk,
            "annotation_id": spans[0].pk,
            "assignment_id": works[0].pk,
            "label_id": spans[0].label_id,
            "job_id": job.pk,
            "webhook_id": hook.pk,
            "delivery_id": delivery.pk,
            "link_type_id": link_type.pk,
            "link_id": link.pk,
            "suggester_id": builtin.pk,
        },
        api_ids={
            "project_pk": project.pk,
            "article_pk": article.pk,
            "projects": project.pk,
            "articles": article.pk,
            "annotations": spans[0].pk,
            "assignments": works[0].pk,
            "comments": comment.pk,
            "members": Membership.objects.get(project=project, user=team["annotator"]).pk,
            "labels": project.labels.get(key="claim").pk,
            "jobs": job.pk,
            "webhooks": hook.pk,
            "delivery_pk": delivery.pk,
            "revisions": 2,
            "links": link.pk,
            "link-types": link_type.pk,
            "suggestions": suggestion.pk,
            "suggesters": builtin.pk,
        },
        body_values={
            "project": project.pk,
            "annotation": spans[0].pk,
            "parent": comment.pk,
            "label": "claim",
            "start": 0,
            "end": 4,
            "articles": [article.pk],
            "annotators": [team["annotator"].pk],
            "username": "outsider",
            "color": "#3366cc",
            "url": "http://127.0.0.1:9/",
            "events": ["annotation.created"],
        },  # a private address: refused, never fetched
        visited=[*pages_after_posts(clients["owner"], article, by=owner), link_choices(clients["owner"], spans[0])],
        token=Token.objects.create(user=owner).key,
    )


# Pages: what takes input, found on the pages themselves ----------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One place that takes input, as a user meets it: a form, or a link with a query."""

    role: str | None
    method: str
    path: str
    fields: tuple[tuple[str, str], ...]  # what the page sends as it stands
    names: tuple[str, ...]  # every input, sent or not (unchecked boxes, other buttons, files)
    files: tuple[str, ...] = ()
    htmx_path: str | None = None  # where htmx sends it, when the page does
    htmx_target: str = ""  # the id of the region htmx asks for (the HX-Target header)

    @property
    def url_name(self) -> str | None:
        return url_name(self.path)

    def key(self) -> tuple:
        return self.url_name, self.method, self.names, self.htmx_path is not None

    def routes(self) -> list[tuple[str, dict[str, str]]]:
        """Where it goes plainly, and by htmx (with its headers) if the page sends it so."""
        if self.htmx_path is None:
            return [(self.path, {})]
        return [(self.path, {}), (self.htmx_path, {**HTMX, "HTTP_HX_TARGET": self.htmx_target})]


def url_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).url_name
    except Resolver404:
        return None


def page_paths(ids: dict[str, object]) -> Iterator[tuple[str, str]]:
    """(url name, path) of every page of articles/urls.py, its route parameters taken from `ids`."""
    for pattern in get_resolver("articles.urls").url_patterns:
        route = str(pattern.pattern)
        yield pattern.name, "/" + ROUTE_PARAMETER.sub(lambda match: str(ids[match.group(1)]), route)


def htmx_target(element) -> str:
    """The id htmx names in HX-Target for a request from `element` (hx-target is inherited)."""
    target = (element.xpath("ancestor-or-self::*[@hx-target][1]/@hx-target") or [""])[0]
    return element.get("id", "") if target == "this" else target.removeprefix("#")


def browser_values(form: lxml.html.FormElement) -> tuple[list[tuple[str, str]], set[str]]:
    """What a browser sends for the form as it stands, its first button pressed, and the names of all its
    inputs (lxml: inputs, selects, textareas; plus buttons). An empty required field is filled in, so that
    a hostile value elsewhere gets past the form's first check."""
    values = [(name, value) for name, value in form.form_values() if name != "csrfmiddlewaretoken"]
    for element in form.xpath(
        ".//input[@required][@name][not(@type='radio' or @type='checkbox')] | .//textarea[@required][@name]"
    ):
        name = element.get("name")
        if not any(key == name and value.strip() for key, value in values):
            values = [(key, value) for key, value in values if key != name]
            values.append((name, REQUIRED_SAMPLES.get(element.get("type", "text"), "Fuzz")))
    buttons = form.xpath(".//button[@name] | .//input[@type='submit'][@name]")
    values += [(button.get("name"), button.get("value", "")) for button in buttons[:1]]
    names = {name for name in form.inputs.keys() if name != "csrfmiddlewaretoken"}
    return values, names | {button.get("name") for button in buttons}


def form_target(role: str | None, form: lxml.html.FormElement, page: str) -> Target:
    """The form as a target; sent by htmx, it carries the fields of the forms its hx-include names too."""
    values, names = browser_values(form)
    hx = form.get("hx-post") or form.get("hx-get")
    for selector in (form.xpath("ancestor-or-self::*[@hx-include][1]/@hx-include") or [""])[0].split(","):
        included = form.getroottree().xpath("//form[@id=$id]", id=selector.strip()[1:])
        if hx and selector.strip().startswith("#") and included and included[0] is not form:
            more_values, more_names = browser_values(included[0])
            values, names = values + more_values, names | more_names
    files = tuple(sorted(element.get("name") for element in form.xpath(".//input[@type='file'][@name]")))
    method = "POST" if form.get("hx-post") or form.get("method", "get").lower() == "post" else "GET"
    action = urljoin(page, form.get("action") or page)
    if method == "GET":
        action = urlsplit(action).path  # a browser replaces the action's query with the form's
    return Target(
        role,
        method,
        action,
        tuple(values),
        tuple(sorted(names)),
        files,
        urljoin(page, hx) if hx else None,
        htmx_target(form) if hx else "",
    )


def query_target(role: str | None, url: str, *, htmx: str | None = None) -> Target | None:
    """A GET of one of our pages whose URL carries a query, else None."""
    parts = urlsplit(url)
    if not parts.query or parts.netloc not in ("", "testserver") or url_name(parts.path) is None:
        return None
    pairs = tuple(parse_qsl(parts.query, keep_blank_values=True))
    if not pairs:
        return None
    return Target(
        role,
        "GET",
        parts.path,
        pairs,
        tuple(sorted({name for name, _ in pairs})),
        (),
        parts.path if htmx is not None else None,
        htmx or "",
    )


def button_targets(role: str | None, tree, page: str) -> Iterator[Target]:
    """A button with its own `formaction` (or `hx-post`) sends its form elsewhere: each is a target too."""
    for button in tree.xpath("//form//button[@formaction]"):
        form = button.xpath("ancestor::form[1]")[0]
        target = form_target(role, form, page)
        hx = button.get("hx-post")
        yield replace(
            target,
            method="POST",
            path=urljoin(page, button.get("formaction")),
            htmx_path=urljoin(page, hx) if hx else None,
            htmx_target=htmx_target(button) if hx else "",
        )


def targets_of(role: str | None, page: str, response: HttpResponse) -> Iterator[Target | None]:
    """The forms of the page, the queries of its links, stylesheets and htmx requests, and of its redirect."""
    if response.status_code in (301, 302):
        yield query_target(role, urljoin(page, response["Location"]))
    if not response.get("Content-Type", "").startswith("text/html") or not response.content.strip():
        return
    tree = lxml.html.fromstring(response.content)
    yield from (form_target(role, form, page) for form in tree.forms)
    yield from button_targets(role, tree, page)
    for element in tree.xpath("//a[@href] | //link[@href] | //*[@hx-get]"):
        hx = element.get("hx-get")
        yield query_target(role, urljoin(page, hx or element.get("href")), htmx=htmx_target(element) if hx else None)


def crawl(scene: Scene, tally: Tally) -> list[Target]:
    """Every form and query of every page as each role sees it (and of the pages their links open), the
    first role to meet one keeping it. A GET of a page that answers htmx with a fragment (it varies on
    HX-Request) is sent by htmx too. A page that only takes POSTs must be reached by some form."""
    found: dict[tuple, Target] = {}
    post_only, fragments = set(), set()
    pages = [(role, path, None) for role in ROLES for _, path in page_paths(scene.page_ids)] + scene.visited
    while pages:
        role, page, response = pages.pop(0)
        if response is None:
            client = scene.clients[role]
            response, _ = tally.send(client, f"GET {page} as {role}", lambda: client.get(page))
        if response is None:
            continue
        post_only |= {url_name(page)} if response.status_code == 405 else set()
        fragments |= {url_name(page)} if "HX-Request" in response.get("Vary", "") else set()
        for target in filter(None, targets_of(role, page, response)):
            if target.method == "GET" and (role, *target.key()) not in found:
                pages.append((role, f"{target.path}?{urlencode(target.fields)}", None))
            found.setdefault((role, *target.key()), target)
    unreached = post_only - {target.url_name for target in found.values() if target.method == "POST"}
    assert not unreached, f"no page has a form that posts to {unreached}: seed the scene so that one does"
    targets = {target.key(): target for target in reversed(found.values())}.values()
    return [
        replace(target, htmx_path=target.path)
        if target.method == "GET" and target.htmx_path is None and target.url_name in fragments
        else target
        for target in targets
    ]


def submit(client: Client, target: Target, path: str, name: str, value: bytes, **headers: str) -> HttpResponse:
    """Send the target with `value` in the input `name` and the rest as the page has them."""
    rest = [(key, item) for key, item in target.fields if key != name]
    if target.files:
        return client.post(path, multipart(rest, name, value, name in target.files), **headers)
    query = urlencode(rest) + "&" + quote_from_bytes(name.encode()) + "=" + quote_from_bytes(value)
    if target.method == "GET":
        return client.get(f"{urlsplit(path).path}?{query}", **headers)
    return client.post(path, query, content_type="application/x-www-form-urlencoded", **headers)


def multipart(rest: list[tuple[str, str]], name: str, value: bytes, is_file: bool) -> dict[str, list]:
    """A multipart body with `value` as raw bytes, or as a file's name and content for a file input."""
    data: dict[str, list] = {}
    for key, item in rest:
        data.setdefault(key, []).append(item)
    data[name] = [SimpleUploadedFile(value.decode(errors="replace") + ".txt", value) if is_file else value]
    return data


def fuzz_pages(scene: Scene, tally: Tally) -> None:
    """Each input of each page once with each hostile value; where the page sends it by htmx, every other
    value goes by htmx (its region) and the rest plainly (the whole page, or a redirect when accepted).
    The same input of the same page in several forms (a thread's reply and a new comment) is fuzzed once,
    in the fullest of them, where the hostile value meets the most valid company."""
    fuzzed: set[tuple] = set()
    for target in sorted(crawl(scene, tally), key=lambda target: -sum(bool(value) for _, value in target.fields)):
        client = scene.clients[target.role]
        routes = target.routes()
        for name in target.names:
            if (target.url_name, target.method, name) in fuzzed:
                continue
            fuzzed.add((target.url_name, target.method, name))
            for number, (label, value) in enumerate(HOSTILE.items()):
                path, headers = routes[number % len(routes)]
                what = f"{target.method} {path} {name}={label}{' (htmx)' if headers else ''} as {target.role}"
                tally.send(client, what, lambda: submit(client, target, path, name, value, **headers))
    owner = scene.clients["owner"]
    for name, path in page_paths({key: "{%s}" % key for key in scene.page_ids}):
        for method, hostile in broken_urls(path, scene.page_ids):
            tally.send(owner, f"{method} {hostile} ({name})", lambda: owner.generic(method, hostile))


def broken_urls(template: str, ids: dict[str, object]) -> Iterator[tuple[str, str]]:
    """(method, URL): the path with each id in turn a hostile segment, or with a NUL segment added, read
    and posted; and with broken queries, read."""
    real = template.format(**ids)
    for name in SCHEMA_PARAMETER.findall(template):
        for segment in PATH_SEGMENTS:
            yield from (
                ("GET", template.format(**{**ids, name: segment})),
                ("POST", template.format(**{**ids, name: segment})),
            )
    yield from (("GET", real.rstrip("/") + "/%00/"), ("POST", real.rstrip("/") + "/%00/"))
    yield from (("GET", f"{real}?{query}") for query in ODD_QUERIES)


# The API: its inputs from its OpenAPI schema -------------------------------------------------------------


def resolved(schema: dict, node: dict) -> dict:
    """The schema node with `$ref`, `allOf` and a first `oneOf` followed."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        elif "allOf" in node:
            node = {**resolved(schema, node["allOf"][0]), **{k: v for k, v in node.items() if k != "allOf"}}
        elif "oneOf" in node:
            node = node["oneOf"][0]
        else:
            return node


def valid_value(schema: dict, name: str, node: dict, known: dict[str, object]) -> object:
    """A value the field accepts: one naming a row of the scene, else the schema's default, enum or type."""
    if name in known:
        return known[name]
    node = resolved(schema, node)
    if "default" in node:
        return node["default"]
    if [value for value in node.get("enum", []) if value is not None]:
        return next(value for value in node["enum"] if value is not None)
    samples = {"integer": node.get("minimum", 1), "number": 1, "boolean": False, "array": [], "object": {}}
    if node.get("type") in samples:
        return samples[node["type"]]
    return "2024-05-01T12:00:00Z" if node.get("format") == "date-time" else "x" * max(1, node.get("minLength", 1))


def json_value(value: bytes) -> bytes:
    """A hostile value as JSON: digits as a number, text as a string, invalid UTF-8 raw inside quotes."""
    if re.fullmatch(rb"-?\d+", value):
        return value
    try:
        return json.dumps(value.decode()).encode()
    except UnicodeDecodeError:
        return b'"' + value + b'"'


def json_body(base: dict[str, object], name: str | None = None, value: bytes = b"") -> bytes:
    items = [(json.dumps(key).encode(), json.dumps(item).encode()) for key, item in base.items() if key != name]
    if name is not None:
        items.append((json.dumps(name).encode(), json_value(value)))
    return b"{" + b",".join(key + b":" + item for key, item in items) + b"}"


def path_values(template: str, ids: dict[str, int]) -> dict[str, int]:
    """The path's parameters, naming rows of the scene; `{id}` by the collection named before it."""
    values = {}
    for match in SCHEMA_PARAMETER.finditer(template):
        name = match.group(1)
        values[name] = ids[template[: match.start()].rstrip("/").rsplit("/", 1)[1] if name == "id" else name]
    return values


@dataclass
class Operation:
    """One API operation and what it sends when nothing is hostile."""

    method: str
    template: str  # the path with its parameters left in: /api/v1/projects/{project_pk}/labels/{id}/
    ids: dict[str, int]
    queries: list[str]
    headers: dict[str, str]  # META keys
    body: dict[str, object] | None
    fields: list[str]
    content_types: dict[str, list[str]]  # by status code

    def requests(self) -> Iterator[tuple[str, str, dict[str, str], bytes]]:
        """(what, url, headers, body) for each input with each hostile value, and for broken URLs."""
        path, plain = self.template.format(**self.ids), json_body(self.body) if self.body is not None else b""
        for name in self.queries:
            for label, value in HOSTILE.items():
                yield (
                    f"?{name}={label}",
                    f"{path}?{quote_from_bytes(name.encode())}={quote_from_bytes(value)}",
                    self.headers,
                    plain,
                )
        for name in self.headers:
            for label, value in HOSTILE.items():
                yield f"header {name}={label}", path, {**self.headers, name: value.decode("latin-1")}, plain
        for name in self.fields:
            for label, value in HOSTILE.items():
                yield f"body {name}={label}", path, self.headers, json_body(self.body, name, value)
        for method, url in broken_urls(self.template, self.ids):
            if method == "GET":  # each URL once, sent with the operation's method
                yield "URL", url, self.headers, plain


def operations(schema: dict, scene: Scene, client: Client, auth: dict[str, str]) -> Iterator[Operation]:
    """Every operation of the schema, its path naming rows of the scene, If-Match from the resource's ETag,
    and a body of the required fields (and those the scene knows a good value for)."""
    for template, methods in schema["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            ids = path_values(template, scene.api_ids)
            headers = {
                "HTTP_" + p["name"].upper().replace("-", "_"): etag_of(client, template.format(**ids), auth)
                for p in parameters
                if p["in"] == "header"
            }
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            body, fields = None, []
            if content is not None:
                node = resolved(schema, content["schema"])
                properties = node.get("properties", {})
                fields = sorted(properties)
                body = {
                    name: valid_value(schema, name, properties[name], scene.body_values)
                    for name in fields
                    if name in node.get("required", []) or name in scene.body_values
                }
            content_types = {code: list(answer.get("content", {})) for code, answer in operation["responses"].items()}
            yield Operation(
                method.upper(),
                template,
                ids,
                [p["name"] for p in parameters if p["in"] == "query"],
                headers,
                body,
                fields,
                content_types,
            )


def etag_of(client: Client, path: str, auth: dict[str, str]) -> str:
    """The ETag of the resource at `path`, or of the nearest one above it (`/transition/` of an assignment)."""
    parts = path.rstrip("/").split("/")
    while len(parts) > 3:
        response = client.get("/".join(parts) + "/", **auth)
        if response.has_header("ETag"):
            return response["ETag"]
        parts.pop()
    return "*"


def is_json(response: HttpResponse, body: bytes) -> bool:
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    try:
        json.loads(body)
    except ValueError:
        return False
    return media_type == "application/json" or media_type.endswith("+json")


def fuzz_api(scene: Scene, tally: Tally) -> None:
    """Each input of each operation with each hostile value, as the owner; errors must be JSON, and so must
    successes unless the schema names another media type for them (CSV and JSON Lines exports)."""
    client, auth = Client(raise_request_exception=False), {"HTTP_AUTHORIZATION": f"Token {scene.token}"}
    schema = json.loads(client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json", **auth).content)
    for operation in operations(schema, scene, client, auth):
        for what, url, headers, body in operation.requests():
            description = f"{operation.method} {url[:200]} {what}"
            response, content = tally.send(
                client,
                description,
                lambda: client.generic(operation.method, url, body, content_type="application/json", **auth, **headers),
            )
            if response is None or response.status_code >= 500 or (response.status_code == 204 and not content):
                continue
            declared = operation.content_types.get(str(response.status_code), [])
            documented_other = response.status_code < 400 and declared and not any("json" in t for t in declared)
            if not documented_other and not is_json(response, content):
                tally.failures.append(
                    f"{description}: {response.status_code} {response.get('Content-Type')}, not JSON: {content[:200]!r}"
                )


def test_no_page_or_api_input_causes_a_server_error(scene):
    """A hostile value anywhere gets a 4xx, or the page's usual answer with the form's error or the value
    ignored; never a 5xx (SQLite: OverflowError on 25 digits; PostgreSQL: NUL in text, bigint overflow)."""
    tally = Tally()
    fuzz_pages(scene, tally)
    fuzz_api(scene, tally)
    print(f"{tally.sent} requests sent")
    assert not tally.failures, f"{len(tally.failures)} of {tally.sent} requests failed:\n\n" + "\n\n".join(
        tally.failures[:20]
    )
