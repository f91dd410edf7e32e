"""The demo data: idempotent, every label, overlapping spans and non-ASCII text."""

from django.core.management import call_command

from articles.models import Annotation, Article, Project


def test_seed_demo_twice_creates_the_demo_once(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (Project.objects.count(), Article.objects.count(), Annotation.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Project.objects.count(), Article.objects.count(), Annotation.objects.count()) == counts
    assert counts[1] >= 4


def test_demo_covers_every_label_overlaps_and_non_ascii(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    annotations = list(Annotation.objects.select_related("label", "article"))
    assert {a.label.key for a in annotations} == {"claim", "quote", "source", "opinion"}
    assert all(a.article.text[a.start : a.end] == a.quote for a in annotations)
    overlapping = [
        (a, b)
        for a in annotations
        for b in annotations
        if a.pk < b.pk and a.article_id == b.article_id and a.start < b.end and b.start < a.end
    ]
    assert overlapping
    texts = "".join(Article.objects.values_list("text", flat=True))
    assert "“" in texts and "é" in texts and any(ord(char) > 0xFFFF for char in texts)
    assert {m.user.username: m.role for m in Project.objects.get().memberships.select_related("user")} == {
        "demo": "owner",
        "alice": "annotator",
        "bob": "reviewer",
    }


def test_demo_gives_the_reviewer_a_submission_to_review(db):
    from django.contrib.auth.models import User

    from articles.assignment import review_queue

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    queue = list(review_queue(User.objects.get(username="bob")))
    assert [a.annotator.username for a in queue] == ["alice"] and queue[0].state == "submitted"
