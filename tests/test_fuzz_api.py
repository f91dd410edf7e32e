"""Fuzz the whole API from its own OpenAPI schema (schemathesis, in process), as a project owner.

Every operation gets generated requests, valid and invalid; each response must not be a 5xx and must
match what the schema says for its status code and content type (LOAD-6, A6). Path ids name objects
that exist (half the time in the fuzzing phase), so the fuzzer reaches real rows and not only 404s.
FUZZ_EXAMPLES tunes the depth (30: about 35 s on SQLite, 45 s on PostgreSQL); FUZZ_PATHS picks paths.
It can fail: a planted 500 for start > end was found in seconds, with a curl line to reproduce it.
"""

from __future__ import annotations

import logging
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from articles.links import LinkSpec, create_link
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
# Content types too: every answer, errors included, is the JSON the schema promises (INPUT-9).
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/", get_wsgi_application(), headers={"Accept": "application/vnd.oai.openapi+json"}
).exclude(path="/api/v1/auth/token/", method="DELETE")  # revoking the fuzzer's own token ends the run
if os.environ.get("FUZZ_PATHS"):  # e.g. FUZZ_PATHS='^/api/v1/(articles|annotations)/' to fuzz a part
    schema = schema.include(path_regex=os.environ["FUZZ_PATHS"])

# Ids of the objects the current test created, by path parameter; set by the `world` fixture.
KNOWN: dict[str, int] = {}


def _known_id(path: str, name: str) -> int | None:
    if name != "id":
        return KNOWN.get(name)
    for prefix, key in (
        ("/members/", "member"),
        ("/labels/", "label"),
        ("/link-types/", "link_type"),
        ("/links/", "link"),
        ("/annotations/", "annotation"),
        ("/articles/", "article"),
        ("/projects/", "project"),
    ):
        if prefix in path:
            return KNOWN.get(key)
    return None


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, point the generated path at an object that exists."""
    if not path_parameters:
        return st.just(path_parameters)
    known = {name: _known_id(context.operation.path, name) for name in path_parameters}
    real = {name: value if known[name] is None else known[name] for name, value in path_parameters.items()}
    return st.sampled_from([path_parameters, real])


def aim_at_real_rows(case) -> None:
    """Coverage-phase cases vary the body or query around a fixed path; let that path name real rows."""
    phase = case.meta.phase if case.meta is not None else None
    if phase is None or phase.name.value != "coverage" or not case.path_parameters:
        return
    if str(getattr(phase.data, "parameter_location", "") or "").endswith("path"):
        return  # this case is about the path itself (ids like "AAA" or -1): keep it
    case.path_parameters = {
        name: _known_id(case.operation.path, name) or value for name, value in case.path_parameters.items()
    }


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection open across in-process requests, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(team, in_process_requests):
    """The owner's token and one of everything, so that ids in paths can name real rows."""
    article = make_article(team["project"], by=team["owner"], text="The minister said “taxes will fall” 👩🏽‍⚖️.")
    annotation = make_annotation(article, author=team["owner"], label="claim", quote="taxes will fall")
    project = team["project"]
    source = make_annotation(article, author=team["owner"], label="source", quote="minister")
    KNOWN.clear()
    KNOWN.update(
        project=project.pk,
        project_pk=project.pk,
        article=article.pk,
        article_pk=article.pk,
        annotation=annotation.pk,
        member=project.memberships.get(user=team["annotator"]).pk,
        label=project.labels.get(key="opinion").pk,
        link_type=project.link_types.get(key="held_by").pk,
        link=create_link(article, LinkSpec(annotation.pk, source.pk, "claimed_by"), author=team["owner"]).pk,
    )
    return {"Authorization": f"Token {Token.objects.create(user=team['owner']).key}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_the_api_never_fails_and_always_matches_its_schema(case, world, caplog):
    """No 5xx, no response that contradicts the schema, and no database conflict reached by bad input."""
    caplog.set_level(logging.WARNING, logger="articles.api.errors")
    aim_at_real_rows(case)
    response = case.call(headers=world)
    case.validate_response(response, checks=CHECKS, headers=world)
    conflicts = [record.getMessage() for record in caplog.records if "Integrity conflict" in record.getMessage()]
    assert not conflicts, f"input reached a database constraint: {conflicts}"
