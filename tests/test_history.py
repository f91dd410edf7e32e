"""Annotation history rows: bulk creation records what a single creation records, on every database."""

import pytest

from articles.annotation_write import create_annotation, create_annotations
from articles.history import snapshot
from articles.models import AnnotationEvent, EventAction
from tests.factories import make_article

TEXT = "The mayor said “taxes will fall” 🙂 and taxes will fall again, said Zoë. " * 20


@pytest.fixture
def article(team):
    return make_article(team["project"], text=TEXT, by=team["owner"])


def test_bulk_creation_records_the_same_history_row_as_a_single_creation(article, team):
    one = create_annotation(article, author=team["annotator"], label="quote", start=15, end=33,
                            note="Zoë’s “view” 🙂", attributes={"speaker": "The mayor"})
    many = create_annotations(article, [{"label": "quote", "start": 15, "end": 33, "note": "Zoë’s “view” 🙂",
                                         "attributes": {"speaker": "The mayor"}}], author=team["annotator2"])
    single, bulk = (AnnotationEvent.objects.get(annotation_id=a.pk) for a in (one, many[0]))
    for event, annotation, actor in ((single, one, team["annotator"]), (bulk, many[0], team["annotator2"])):
        assert (event.action, event.actor, event.article_id, event.changes) == (
            EventAction.CREATED, actor, article.pk, {})
        assert event.snapshot == snapshot(annotation) and event.created_at is not None
    assert {k: v for k, v in bulk.snapshot.items() if k != "author_id"} == {
        k: v for k, v in single.snapshot.items() if k != "author_id"}


def test_a_large_bulk_creation_records_every_annotation_once(article, team):
    """More rows than one statement may carry on SQLite (999 parameters): the history is written in batches."""
    specs = [{"label": "claim", "start": n, "end": n + 3} for n in range(300)]
    created = create_annotations(article, specs, author=team["annotator"])
    events = AnnotationEvent.objects.filter(article=article).order_by("annotation_id")
    assert [e.annotation_id for e in events] == sorted(a.pk for a in created)
    assert [e.snapshot["start"] for e in events] == list(range(300))
