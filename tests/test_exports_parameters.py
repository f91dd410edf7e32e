"""Export parameters are checked in full before the first byte streams (INPUT-4, INPUT-5, INPUT-8).

A streamed download has sent its 200 before the database reads the filters, so anything the database
would refuse (PostgreSQL: NUL in text) must be refused first: a JSON 400 on the API, the download
form's error message on the pages. Run on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.api_client import api_as, url
from tests.factories import make_annotation

SURFACES = ["api", "page"]


@pytest.fixture
def export_as_viewer(team, article, client):
    """GET the project's export with `query` on one surface; return (status, streaming, error text or body)."""
    make_annotation(article, team["annotator"], attributes={"verdict": "false"})
    client.force_login(team["viewer"])
    project = team["project"]

    def get(surface: str, query: dict) -> tuple[int, bool, str]:
        if surface == "api":
            response = api_as(team["viewer"]).get(url("api_project_export", project.pk), query)
        else:
            response = client.get(reverse("project_export_download", args=[project.pk]), query)
        if response.streaming:
            return response.status_code, True, b"".join(response.streaming_content).decode()
        if surface == "api":
            return response.status_code, False, json.dumps(response.json())
        return response.status_code, False, " ".join(str(m) for m in get_messages(response.wsgi_request))

    return get


def refusal(export_as_viewer, surface: str, query: dict) -> str:
    """The error for `query`: a JSON 400 from the API, a redirect back to the form with a message on pages."""
    status, streaming, text = export_as_viewer(surface, query)
    assert not streaming and status == (400 if surface == "api" else 302), (status, text[:300])
    return text


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("name", ["label", "author", "status", "since", "until", "page"])
def test_nul_characters_in_export_parameters_are_400(export_as_viewer, surface, name):
    assert "NUL" in refusal(export_as_viewer, surface, {name: "a\x00b"})


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("value", ["a\x1bb", "a\nb", "a\x7fb", "a\x85b"])
def test_control_characters_in_export_parameters_are_400(export_as_viewer, surface, value):
    assert "Control characters" in refusal(export_as_viewer, surface, {"author": value})


@pytest.mark.parametrize("surface", SURFACES)
def test_overlong_export_parameters_are_400(export_as_viewer, surface):
    assert "at most 150 characters" in refusal(export_as_viewer, surface, {"label": "c" * 151})
    assert "at most 150 characters" in refusal(export_as_viewer, surface, {"since": "2024-05-01" + " " * 150})


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("page", ["0", "2", "-1", "1.5", "one", "99999999999999999999999"])
def test_out_of_range_export_pages_are_400(export_as_viewer, surface, page):
    assert "page=1" in refusal(export_as_viewer, surface, {"format": "w3c", "page": page})


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(
    "query", [{"until": "9999-12-31"}, {"until": "9999-12-31T23:00:00-05:00"}, {"since": "0001-01-01T00:00:00+05:00"}]
)
def test_out_of_range_export_dates_are_400(export_as_viewer, surface, query):
    assert "between the years 1 and 9999" in refusal(export_as_viewer, surface, query)


@pytest.mark.parametrize("surface", SURFACES)
def test_repeated_single_value_export_parameters_are_400(export_as_viewer, surface):
    assert "Give since once" in refusal(export_as_viewer, surface, {"since": ["2024-05-01", "2024-06-01"]})


@pytest.mark.parametrize("surface", SURFACES)
def test_good_parameters_still_stream_the_export(export_as_viewer, surface):
    """The checks refuse only what cannot match: the same user gets the filtered page of the collection."""
    query = {
        "format": "w3c",
        "page": "1",
        "label": "claim",
        "author": "annotator",
        "since": "2024-05-01T09:30+02:00",
        "until": "9999-12-30",
    }
    status, streaming, text = export_as_viewer(surface, query)
    assert (status, streaming) == (200, True)
    page = json.loads(text)
    assert page["type"] == "AnnotationPage" and len(page["items"]) == page["partOf"]["total"] == 1
