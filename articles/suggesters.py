"""Running suggesters on an article: the built-in rules, or a project's HTTP endpoint, as a job.

A run asks each switched-on suggester of the project for spans on the article's latest text and stores
what they found (articles.suggestions.store). Runs are jobs (articles.jobs): started by a member on
demand, or by the server once an article is added or revised. An HTTP suggester is called under the URL
import's guard (no private addresses, bounded size and time); a network failure retries the job with
backoff, and every failure is kept on the suggester for its owners to see.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.errors import InvalidInput
from articles.fetching import FetchError, FetchPolicy, post_json
from articles.jobs import JobProgress, Runner, register, start_job, start_scheduled_job
from articles.models import Article, Job, JobKind, Label, Project, Suggester, SuggesterKind
from articles.permissions import Action
from articles.process_snapshot import ProcessSnapshot
from articles.suggesting import builtin
from articles.suggestions import Found, store

MAX_ARTICLES_PER_JOB = 1000
MAX_SPANS = 5000  # an answer with more spans than this is refused whole
MAX_RESPONSE_BYTES = 5 * 1024 * 1024
PROTOCOL_VERSION = 1


class SuggesterFailed(Exception):
    """A suggester could not answer usefully; the message is shown to the project's owners."""


def builtin_spans(text: str, language: str) -> list[Found]:
    """The built-in rules' spans (articles.suggesting.builtin) as Found."""
    found = builtin.suggest(text, language or "en")
    return [
        Found(
            each.label,
            each.start,
            each.end,
            each.confidence,
            dict(each.attributes),
            "said_by" if each.said_by is not None else "",
            each.said_by,
        )
        for each in found
    ]


def request_body(article: Article, labels: Sequence[Label]) -> bytes:
    """What an HTTP suggester receives (docs/suggestions.md, "The HTTP protocol")."""
    payload = {
        "protocol": PROTOCOL_VERSION,
        "article": {"id": article.pk, "title": article.title, "url": article.url, "revision": article.text_revision},
        "text": article.text,
        "language": article.language or "",
        "labels": [{"key": each.key, "name": each.name, "description": each.description} for each in labels],
    }
    return json.dumps(payload, ensure_ascii=False).encode()


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SuggesterFailed(f"{what} is not a number")
    return value


def parse_answer(body: bytes, text_length: int) -> list[Found]:
    """Read an HTTP suggester's answer: {"spans": [{"label", "start", "end", "confidence", "attributes"?,
    "link"?: {"type", "to"}}]}; anything malformed refuses the whole answer with the item at fault."""
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SuggesterFailed("the answer is not JSON") from None
    spans = answer.get("spans") if isinstance(answer, dict) else None
    if not isinstance(spans, list):
        raise SuggesterFailed('the answer has no "spans" list')
    if len(spans) > MAX_SPANS:
        raise SuggesterFailed(f"the answer has more than {MAX_SPANS} spans")
    found = []
    for index, item in enumerate(spans):
        where = f"spans[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise SuggesterFailed(f"{where} needs a label")
        start, end = _number(item.get("start"), f"{where}.start"), _number(item.get("end"), f"{where}.end")
        if start != int(start) or end != int(end) or not 0 <= start < end <= text_length:
            raise SuggesterFailed(f"{where} has offsets outside the text (code points, end exclusive)")
        confidence = _number(item.get("confidence", 0.5), f"{where}.confidence")
        if not 0 <= confidence <= 1:
            raise SuggesterFailed(f"{where}.confidence is not between 0 and 1")
        attributes = item.get("attributes")
        attributes = {} if attributes is None else attributes
        if not isinstance(attributes, dict):
            raise SuggesterFailed(f"{where}.attributes is not an object")
        link = item.get("link") or {}
        target = link.get("to") if isinstance(link, dict) else None
        if link and (not isinstance(link.get("type"), str) or not isinstance(target, int) or target == index):
            raise SuggesterFailed(f'{where}.link needs a "type" and "to", the index of another span')
        if isinstance(target, int) and not 0 <= target < len(spans):
            raise SuggesterFailed(f"{where}.link.to is not the index of a span of the answer")
        found.append(
            Found(item["label"], int(start), int(end), float(confidence), attributes, link.get("type", ""), target)
        )
    return found


def http_spans(suggester: Suggester, article: Article, labels: Sequence[Label]) -> list[Found]:
    """Ask an HTTP suggester; network trouble is an OSError (the job retries), a bad answer SuggesterFailed."""
    base = FetchPolicy.from_settings()
    policy = FetchPolicy(
        allow_private=base.allow_private,
        max_bytes=MAX_RESPONSE_BYTES,
        timeout=float(suggester.timeout_seconds),
        ports=base.ports,
        max_redirects=0,
    )
    try:
        status, body = post_json(suggester.url, request_body(article, labels), policy)
    except FetchError as error:
        if error.transient:
            raise OSError(f"{suggester.name}: {error}") from error
        raise SuggesterFailed(f"the endpoint was refused or cut off: {error}") from None
    if status >= 500 or status == 429:
        raise OSError(f"{suggester.name}: the endpoint answered {status}")
    if status != 200:
        raise SuggesterFailed(f"the endpoint answered HTTP {status}")
    return parse_answer(body, len(article.text))


def spans_of(suggester: Suggester, article: Article, labels: Sequence[Label]) -> list[Found]:
    if suggester.kind == SuggesterKind.BUILTIN:
        return builtin_spans(article.text, article.language)
    return http_spans(suggester, article, labels)


def version_of(suggester: Suggester) -> str:
    return builtin.SUGGESTER_VERSION if suggester.kind == SuggesterKind.BUILTIN else ""


def run_on(article: Article, suggesters: Iterable[Suggester]) -> dict[str, int]:
    """Run each suggester on the article and store its suggestions; return how many each one offers.

    A suggester that fails keeps its message (last_error) and stores nothing; the others still run. A network
    failure is raised after the others ran, so the job is retried.
    """
    labels = list(Label.objects.filter(project_id=article.project_id))
    counts, retry = {}, None
    for suggester in suggesters:
        try:
            found = spans_of(suggester, article, labels)
        except SuggesterFailed as error:
            _note(suggester, str(error))
            continue
        except OSError as error:
            _note(suggester, str(error))
            retry = error
            continue
        with transaction.atomic():
            counts[suggester.name] = store(article, suggester, found, labels=labels, version=version_of(suggester))
        _note(suggester, "")
    if retry is not None:
        raise retry
    return counts


def _note(suggester: Suggester, error: str) -> None:
    Suggester.objects.filter(pk=suggester.pk).update(last_error=error[:2000], last_run_at=timezone.now())


def _article_ids(project: Project, params: Mapping[str, Any]) -> list[int]:
    ids = params.get("articles")
    if (
        set(params) - {"articles"}
        or not isinstance(ids, list)
        or not 0 < len(ids) <= MAX_ARTICLES_PER_JOB
        or not all(isinstance(each, int) and not isinstance(each, bool) for each in ids)
    ):
        raise InvalidInput.single("articles", f"Give the ids of 1 to {MAX_ARTICLES_PER_JOB} articles of this project.")
    found = set(Article.objects.filter(project=project, pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(set(ids)):
        raise InvalidInput.single("articles", "Give the ids of articles of this project.")
    return sorted(found)


def check_suggest(project: Project, user, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"articles": _article_ids(project, params)}


def run_suggest(job: Job, progress: JobProgress) -> None:
    ids = _article_ids(job.project, job.params)
    suggesters = list(Suggester.objects.filter(project=job.project, enabled=True))
    progress.reset(total=len(ids))
    for article in Article.objects.filter(pk__in=ids).order_by("id").iterator(chunk_size=50):
        if suggesters:
            run_on(article, suggesters)
        progress.update(1)


def start_suggest(article: Article, *, by) -> Job:
    """Run the project's switched-on suggesters on the article now, as a job (members who annotate)."""
    if not Suggester.objects.filter(project_id=article.project_id, enabled=True).exists():
        raise InvalidInput.single("suggesters", "No suggester is switched on in this project (project settings).")
    job, _ = start_job(
        article.project,
        kind=JobKind.SUGGEST,
        by=by,
        params={"articles": [article.pk]},
        idempotency_key=f"{article.pk}:r{article.text_revision}:u{by.pk}:{timezone.now():%Y%m%d%H%M}",
    )
    return job


def _projects_suggesting() -> frozenset[int]:
    return frozenset(Suggester.objects.filter(enabled=True).values_list("project_id", flat=True).distinct())


# Adding an article asks whether its project runs suggesters: mostly not, and then without a query.
_suggesting = ProcessSnapshot(_projects_suggesting, lambda: settings.SUGGESTER_CACHE_SECONDS)


def read_suggesting() -> frozenset[int]:
    """Read which projects run suggesters now, and keep the answer for SUGGESTER_CACHE_SECONDS."""
    return _suggesting.load()


def forget_suggesting() -> None:
    """Ask the database next time which projects run suggesters (in tests)."""
    _suggesting.forget()


def suggesters_changed() -> None:
    """A suggester changed here: ask the database again now, and once more when the change is committed."""
    _suggesting.forget()
    transaction.on_commit(_suggesting.forget)


def queue_for_new_text(project_id: int, articles: Sequence[tuple[Article, int]]) -> None:
    """Once the articles' text is stored (added, or a new revision; `articles` holds (article, revision)
    pairs): queue a run of the project's switched-on suggesters on them, one job per slot of articles."""
    known = _suggesting.fresh()
    if not articles or (known is not None and project_id not in known):
        return

    def queue() -> None:
        if project_id not in (_suggesting.fresh() or read_suggesting()):
            return
        project = Project.objects.get(pk=project_id)
        for first in range(0, len(articles), MAX_ARTICLES_PER_JOB):
            chunk = [(article.pk, revision) for article, revision in articles[first : first + MAX_ARTICLES_PER_JOB]]
            key = "new:" + ",".join(f"{pk}r{revision}" for pk, revision in chunk[:3]) + f":{len(chunk)}"
            start_scheduled_job(project, kind=JobKind.SUGGEST, params={"articles": [pk for pk, _ in chunk]}, key=key)

    transaction.on_commit(queue, robust=True)


register(JobKind.SUGGEST, Runner(action=Action.ANNOTATE, check=check_suggest, run=run_suggest))
