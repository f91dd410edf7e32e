"""The demo data: idempotent, every label, overlapping spans, non-ASCII text and valid links of every type."""

from django.core.management import call_command

from articles.links import link_types_of
from articles.models import Annotation, Article, Link, LinkEvent, Project


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Project, Article, Annotation, Link))


def test_seed_demo_twice_creates_the_demo_once(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts() == first
    assert first[1] >= 4 and first[3] >= 4


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


def test_demo_links_join_spans_of_one_article_with_allowed_labels(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    project = Project.objects.get()
    allowed = {each.key: (set(each.from_keys), set(each.to_keys)) for each in link_types_of(project)}
    links = list(
        Link.objects.select_related("type", "author", "from_annotation__label", "to_annotation__label").filter(
            article__project=project
        )
    )
    assert {link.type.key for link in links} == set(allowed) == {"said_by", "claimed_by", "backed_by", "held_by"}
    for link in links:
        start, end = link.from_annotation, link.to_annotation
        assert start.article_id == end.article_id == link.article_id
        assert start.label.key in allowed[link.type.key][0] and end.label.key in allowed[link.type.key][1]
    said = [link for link in links if link.type.key == "said_by"]
    # each quote is said by the source naming its speaker
    assert all(link.from_annotation.attributes["speaker"] in link.to_annotation.quote for link in said)
    assert len({link.article_id for link in said}) == Article.objects.count()  # every article has one
    assert {link.author.username for link in links} == {"alice", "demo"}
    assert {link.status for link in links} == {"accepted", "pending"}
    created = set(LinkEvent.objects.filter(action="created").values_list("link_id", flat=True))
    assert created == {link.pk for link in links}  # made through the write path, with their history


def test_demo_offers_the_builtin_suggesters_suggestions_once(db):
    from articles.demo import demo_suggestion_count
    from articles.models import Suggester, Suggestion

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Suggester.objects.get(project__slug="demo-desk", kind="builtin").enabled
    first = demo_suggestion_count()
    assert first >= 4
    assert Suggestion.objects.filter(label__key="quote", current=True).exists()
    assert {each.article_id for each in Suggestion.objects.all()} == set(Article.objects.values_list("pk", flat=True))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert demo_suggestion_count() == first and Suggestion.objects.count() == first
