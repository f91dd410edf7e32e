"""Storing new annotations with their history rows: paired correctly, all or nothing, few round trips."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from articles import annotation_insert
from articles.annotation_insert import insert_annotations
from articles.annotation_write import build_annotation, create_annotation
from articles.errors import AlreadyExists
from articles.models import Annotation, AnnotationEvent, Label
from tests.api_client import annotations_url, api_as
from tests.factories import make_article

LABELS = ("claim", "quote", "source", "opinion")


def _spans(article, author, count: int, first: int = 0) -> list[Annotation]:
    return [
        build_annotation(
            article,
            author=author,
            label=article.project.labels.get(key=LABELS[n % 4]),
            start=first + n // 4,
            end=first + n // 4 + 3 + n % 4,
            note=f"note {n}",
            attributes={},
        )
        for n in range(count)
    ]


def _assert_history_matches(annotations: list[Annotation], by) -> None:
    events = {event.annotation_id: event for event in AnnotationEvent.objects.filter(action="created")}
    for annotation in annotations:
        event = events[annotation.pk]
        stored = Annotation.objects.get(pk=annotation.pk)
        assert (event.snapshot["label"], event.snapshot["start"], event.snapshot["end"], event.snapshot["note"]) == (
            stored.label.key,
            stored.start,
            stored.end,
            stored.note,
        )
        assert event.article_id == stored.article_id and event.actor_id == by.pk
        assert stored.created_at == annotation.created_at == event.created_at


@pytest.mark.parametrize("count", [1, 7, 150])
def test_each_history_row_belongs_to_its_annotation_across_statements(team, monkeypatch, count):
    monkeypatch.setattr(annotation_insert, "ROWS_PER_STATEMENT", 50)  # 150 spans: three statements
    article = make_article(team["project"], text="Ein Satz über Zoë 🚲 und 東京の記者. " * 10)
    built = _spans(article, team["annotator"], count)
    insert_annotations(built, team["reviewer"])
    assert Annotation.objects.filter(article=article).count() == AnnotationEvent.objects.count() == count
    assert all(annotation.pk and not annotation._state.adding for annotation in built)
    _assert_history_matches(built, team["reviewer"])


def test_a_duplicate_in_a_later_statement_stores_nothing(team, article, monkeypatch):
    """DATA-6: all or nothing, even when the rows go in several statements."""
    monkeypatch.setattr(annotation_insert, "ROWS_PER_STATEMENT", 5)
    create_annotation(article, author=team["annotator"], label="opinion", start=3, end=5)
    built = _spans(article, team["annotator"], 15)  # fine on their own; the twin comes last, in statement 4
    built.append(build_annotation(article, author=team["annotator"], label="opinion", start=3, end=5))
    with pytest.raises(IntegrityError):
        insert_annotations(built, team["annotator"])
    assert Annotation.objects.filter(article=article).count() == AnnotationEvent.objects.count() == 1


def test_annotations_built_before_their_label_was_stored_take_its_id(team, article):
    """Imports build labels and annotations together, then store them in that order; until then, refused."""
    label = Label(project=team["project"], key="rumour", name="Rumour", color="#123456")
    built = build_annotation(article, author=team["annotator"], label=label, start=0, end=4)
    with pytest.raises(ValueError, match="label stored first"):
        insert_annotations([built], team["annotator"])
    label.save()
    insert_annotations([built], team["annotator"])
    assert Annotation.objects.get(pk=built.pk).label_id == label.pk
    assert built._state.db == "default" and AnnotationEvent.objects.get().annotation_id == built.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [True, False])
def test_outside_a_transaction_one_statement_stores_an_annotation_and_its_history(team, article, settings, prepared):
    settings.DB_PREPARED_STATEMENTS = prepared
    built = _spans(article, team["annotator"], 1)
    with CaptureQueriesContext(connection) as queries:
        insert_annotations(built, team["annotator"])
    statements = [query["sql"] for query in queries]
    if connection.vendor == "postgresql":  # one statement: no BEGIN, no COMMIT, no second INSERT
        # A prepared statement's first use on a connection prepares and runs it in the same round trip.
        expected = ("EXECUTE q", "PREPARE q") if prepared else ("WITH new AS (INSERT",)
        assert len(statements) == 1 and statements[0].startswith(expected), [sql[:40] for sql in statements]
    else:  # SQLite: the annotations, then their history, in one transaction
        assert [sql.split(" (")[0] for sql in statements if sql.startswith("INSERT")] == [
            'INSERT INTO "articles_annotation"',
            'INSERT INTO "articles_annotationevent"',
        ]
    _assert_history_matches(built, team["annotator"])
    with pytest.raises(AlreadyExists) as twin:  # CONC-2: the double submit finds the first one
        create_annotation(article, author=team["annotator"], label=built[0].label, start=0, end=3)
    assert twin.value.existing.pk == built[0].pk
    assert Annotation.objects.count() == AnnotationEvent.objects.count() == 1  # the connection still works


@pytest.mark.django_db(transaction=True)
def test_the_api_creates_an_annotation_in_four_queries_on_postgresql(team, article):
    """Token, article with role, label with the author's lock state, then one insert with its history."""
    client = api_as(team["annotator"])
    assert client.post(annotations_url(article), {"label": "claim", "start": 0, "end": 3}).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = client.post(annotations_url(article), {"label": "quote", "start": 4, "end": 9})
    assert response.status_code == 201, response.json()
    if connection.vendor == "postgresql":  # prepared by the first request: each one now just runs
        assert [q["sql"][:9] for q in queries] == ["EXECUTE q"] * 4, [q["sql"][:60] for q in queries]
    else:  # SQLite: the insert and its history are two statements in one transaction
        assert len([q for q in queries if q["sql"].startswith(("SELECT", "INSERT"))]) == 5


@pytest.mark.django_db(transaction=True)
def test_prepared_statements_are_planned_once_per_connection_and_survive_reconnects(team, article):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    for number in range(3):
        create_annotation(article, author=team["annotator"], label="claim", start=number, end=number + 4)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'q%%'")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(" AS WITH new AS (INSERT" in text for text in prepared)
    assert any("articles_label" in text for text in prepared)
    connection.close()  # a new session has none: they are prepared again
    annotation = create_annotation(article, author=team["annotator"], label="quote", start=0, end=4)
    _assert_history_matches([annotation], team["annotator"])


@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_by_a_failed_first_use_is_run_next_time(team, article):
    """A duplicate fails the EXECUTE sent with the PREPARE; the statement stays prepared for the next insert."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    first, twin, second = (_spans(article, team["annotator"], 1, first=start) for start in (0, 0, 5))
    insert_annotations(first, team["annotator"])
    connection.close()  # a new session: the insert's first use is the duplicate
    with CaptureQueriesContext(connection) as queries, pytest.raises(IntegrityError):
        insert_annotations(twin, team["annotator"])
    assert [query["sql"][:9] for query in queries] == ["PREPARE q"]
    with CaptureQueriesContext(connection) as queries:
        insert_annotations(second, team["annotator"])
    assert [query["sql"][:9] for query in queries] == ["EXECUTE q"]
    _assert_history_matches(first + second, team["annotator"])
