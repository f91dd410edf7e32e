"""Annotation history rows: bulk creation records what a single creation records, on every database."""

import pytest

from articles.annotation_write import create_annotation, create_annotations
from articles.models import AnnotationEvent, EventAction
from tests.factories import make_article

TEXT = "The mayor said “taxes will fall” 🙂 and taxes will fall again, said Zoë. " * 20
NOTE = "Zoë’s “view” 🙂"


@pytest.fixture
def article(team):
    return make_article(team["project"], text=TEXT, by=team["owner"])


def expected_snapshot(author) -> dict:
    """The history snapshot of the quote at 15-33 as sent below, written out from the text by hand."""
    return {
        "label": "quote",
        "author_id": author.pk,
        "start": 15,
        "end": 33,
        "quote": "“taxes will fall” ",
        "prefix": "The mayor said ",
        "suffix": "🙂 and taxes will fall again, sai",
        "note": NOTE,
        "attributes": {"speaker": "The mayor"},
        "status": "pending",
        "is_flagged": False,
        "question": "",
        "anchor_status": "exact",
        "anchor_score": None,
        "anchored_revision": 1,
        "original_quote": "“taxes will fall” ",
        "version": 1,
    }


def test_bulk_creation_records_the_same_history_row_as_a_single_creation(article, team):
    one = create_annotation(
        article,
        author=team["annotator"],
        label="quote",
        start=15,
        end=33,
        note=NOTE,
        attributes={"speaker": "The mayor"},
    )
    many = create_annotations(
        article,
        [{"label": "quote", "start": 15, "end": 33, "note": NOTE, "attributes": {"speaker": "The mayor"}}],
        author=team["annotator2"],
    )
    for annotation, actor in ((one, team["annotator"]), (many[0], team["annotator2"])):
        event = AnnotationEvent.objects.get(annotation_id=annotation.pk)
        assert (event.action, event.actor, event.article_id, event.changes, event.created_at) == (
            EventAction.CREATED,
            actor,
            article.pk,
            {},
            annotation.created_at,
        )
        assert event.snapshot == expected_snapshot(actor)


def test_a_large_bulk_creation_records_every_annotation_once(article, team):
    """More rows than one statement may carry on SQLite (999 parameters): the history is written in batches."""
    specs = [{"label": "claim", "start": n, "end": n + 3} for n in range(300)]
    created = create_annotations(article, specs, author=team["annotator"])
    events = AnnotationEvent.objects.filter(article=article).order_by("annotation_id")
    assert [e.annotation_id for e in events] == sorted(a.pk for a in created)
    assert [e.snapshot["start"] for e in events] == list(range(300))
