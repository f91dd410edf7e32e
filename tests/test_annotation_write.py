"""The one write path for annotations: validation, concurrency, double submits, history and undo."""

import pytest

from articles.annotation_write import (
    create_annotation,
    create_annotations,
    delete_annotation,
    restore_annotation,
    review_annotation,
    update_annotation,
)
from articles.errors import AlreadyExists, InvalidInput, StaleVersion
from articles.models import Annotation, AnnotationEvent, EventAction
from tests.factories import make_article, make_project

TEXT = "The mayor said “taxes will fall” 🙂 and taxes will fall again, said Zoë."


@pytest.fixture
def article(team):
    return make_article(team["project"], text=TEXT, by=team["owner"])


def test_span_is_stored_with_its_quote_and_context(article, team):
    start = TEXT.index("“taxes")
    annotation = create_annotation(article, author=team["annotator"], label="quote", start=start, end=start + 17)
    assert annotation.quote == "“taxes will fall”"
    assert annotation.prefix == TEXT[:start] and annotation.suffix == TEXT[start + 17 :][:32]
    assert annotation.version == 1
    assert AnnotationEvent.objects.get(annotation_id=annotation.pk).action == EventAction.CREATED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start": 0, "end": 10_000}, "end"),
        ({"start": 5, "end": 5}, "end"),
        ({"start": -2, "end": 3}, "start"),
        ({"start": 0, "end": 3, "quote": "Tha"}, "quote"),
        ({"start": 0}, "end"),
        ({"quote": "nowhere"}, "quote"),
        ({"quote": "taxes will fall"}, "quote"),
    ],
    ids=["beyond", "empty", "negative", "mismatch", "half-offsets", "absent-quote", "ambiguous-quote"],
)
def test_invalid_spans_are_refused_and_nothing_is_stored(article, team, fields, field):
    with pytest.raises(InvalidInput) as error:
        create_annotation(article, author=team["annotator"], label="claim", **fields)
    assert field in error.value.errors
    assert not Annotation.objects.exists()


def test_ambiguous_quote_reports_the_candidate_offsets(article, team):
    with pytest.raises(InvalidInput) as error:
        create_annotation(article, author=team["annotator"], label="claim", quote="taxes will fall")
    starts = [c["start"] for c in error.value.extra["candidates"]]
    assert starts == [TEXT.index("taxes"), TEXT.rindex("taxes")]


def test_quote_selector_with_context_anchors_the_second_occurrence(article, team):
    annotation = create_annotation(
        article, author=team["annotator"], label="claim", quote="taxes will fall", prefix="🙂 and "
    )
    assert annotation.start == TEXT.rindex("taxes")


def test_labels_of_other_projects_are_unknown(article, team):
    with pytest.raises(InvalidInput, match="label"):
        create_annotation(article, author=team["annotator"], label="verdict", start=0, end=3)
    foreign = make_project().labels.get(key="claim")
    with pytest.raises(InvalidInput, match="another project"):
        create_annotation(article, author=team["annotator"], label=foreign, start=0, end=3)


def test_attributes_are_checked_against_the_label_fields(article, team):
    with pytest.raises(InvalidInput, match="verdict"):
        create_annotation(
            article, author=team["annotator"], label="claim", start=0, end=3, attributes={"verdict": "probably"}
        )
    with pytest.raises(InvalidInput, match="http"):
        create_annotation(
            article, author=team["annotator"], label="source", start=0, end=3, attributes={"url": "javascript:alert(1)"}
        )
    with pytest.raises(InvalidInput, match="finite"):
        create_annotation(
            article, author=team["annotator"], label="claim", start=0, end=3, attributes={"score": float("inf")}
        )


def test_double_submit_returns_the_first_annotation(article, team):
    """CONC-2: the same span twice gives AlreadyExists carrying the stored row, never a twin."""
    first = create_annotation(article, author=team["annotator"], label="claim", start=0, end=3)
    with pytest.raises(AlreadyExists) as error:
        create_annotation(article, author=team["annotator"], label="claim", start=0, end=3)
    assert error.value.existing == first
    assert Annotation.objects.count() == 1


def test_stale_version_changes_nothing(article, team):
    """CONC-1: two editors start from version 1; the second write is refused with the current state."""
    annotation = create_annotation(article, author=team["annotator"], label="claim", start=0, end=3)
    update_annotation(annotation, by=team["annotator"], expected_version=1, changes={"label": "opinion"})
    with pytest.raises(StaleVersion) as error:
        update_annotation(annotation, by=team["reviewer"], expected_version=1, changes={"note": "late"})
    assert error.value.current.version == 2 and error.value.current.label.key == "opinion"
    assert Annotation.objects.get().note == ""


def test_changing_boundaries_recomputes_the_quote_and_records_the_change(article, team):
    annotation = create_annotation(article, author=team["annotator"], label="claim", start=0, end=3)
    update_annotation(annotation, by=team["annotator"], changes={"end": 9, "note": "wider"})
    annotation.refresh_from_db()
    assert annotation.quote == "The mayor" and annotation.version == 2
    event = AnnotationEvent.objects.filter(action=EventAction.UPDATED).get()
    assert event.changes["end"] == [3, 9] and event.changes["quote"] == ["The", "The mayor"]


def test_server_set_fields_cannot_be_changed_through_edits(article, team):
    """AUTHZ-6: status, author and version are not editable fields."""
    annotation = create_annotation(article, author=team["annotator"], label="claim", start=0, end=3)
    with pytest.raises(InvalidInput) as error:
        update_annotation(annotation, by=team["annotator"], changes={"status": "accepted", "author": 1})
    assert set(error.value.errors) == {"status", "author"}


def test_review_decisions_are_versioned_and_recorded(article, team):
    annotation = create_annotation(article, author=team["annotator"], label="claim", start=0, end=3)
    review_annotation(annotation, by=team["reviewer"], status="accepted", expected_version=1)
    with pytest.raises(StaleVersion):
        review_annotation(annotation, by=team["owner"], status="rejected", expected_version=1)
    assert Annotation.objects.get().status == "accepted"
    assert AnnotationEvent.objects.filter(action=EventAction.REVIEWED).count() == 1


def test_bulk_create_is_all_or_nothing_with_errors_by_index(article, team):
    specs = [{"label": "claim", "start": 0, "end": 3}, {"label": "claim", "start": 0, "end": 999}]
    with pytest.raises(InvalidInput) as error:
        create_annotations(article, specs, author=team["annotator"])
    assert list(error.value.errors) == ["1"] and "end" in error.value.errors["1"]
    assert not Annotation.objects.exists()
    created = create_annotations(article, specs[:1] + [{"label": "quote", "quote": "Zoë"}], author=team["annotator"])
    assert [a.quote for a in created] == ["The", "Zoë"]


def test_delete_then_undo_restores_the_same_annotation(article, team):
    annotation = create_annotation(article, author=team["annotator"], label="claim", start=0, end=3, note="keep me")
    delete_annotation(annotation, by=team["annotator"])
    assert not Annotation.objects.exists()
    restored = restore_annotation(article, annotation.pk, by=team["annotator"])
    assert (restored.pk, restored.note, restored.author) == (annotation.pk, "keep me", team["annotator"])
    actions = list(AnnotationEvent.objects.filter(annotation_id=annotation.pk).values_list("action", flat=True))
    assert actions == ["created", "deleted", "restored"]
    with pytest.raises(InvalidInput):
        restore_annotation(article, annotation.pk, by=team["annotator"])


def test_deleting_a_stale_version_is_refused(article, team):
    annotation = create_annotation(article, author=team["annotator"], label="claim", start=0, end=3)
    update_annotation(annotation, by=team["annotator"], changes={"note": "changed"})
    with pytest.raises(StaleVersion):
        delete_annotation(annotation, by=team["reviewer"], expected_version=1)
    assert Annotation.objects.count() == 1
