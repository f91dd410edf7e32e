"""The pages of living articles: the revisions page (list, word diff, a corrected text, a re-fetch), the orphan
queue (re-attach, delete) and the "changed after annotation" flags on the annotate page, the review queue and
the dashboard; who may do what, inline refusals and constant query counts."""

from __future__ import annotations

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import AnchorStatus, Annotation, Article, Assignment, AssignmentState
from articles.revisions import add_revision
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
INTRO = "Breaking: officials met on Monday."
P1 = "The mayor said the new bridge will open in May next year."
P2 = "Critics called the whole budget reckless and unfunded."
P3 = "Residents welcomed the news 🎉 and café owners agreed."
CLAIM = "the new bridge will open in May next year"
TEXT = f"{P1}\n\n{P2}\n\n{P3}"
CORRECTED = f"{INTRO}\n\n{P1.replace('in May', 'in June')}\n\n{P3}"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tree(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def flat(element) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture
def story(team):
    """An article with three annotations: one on words a correction edits, one on a sentence it deletes, and
    one after an emoji on words it keeps."""
    article = make_article(team["project"], text=TEXT, title="Bridge", outlet="Daily Post", url="https://example.org/b")
    claim = make_annotation(
        article, team["annotator"], label="claim", quote="the new bridge will open in May next year"
    )
    opinion = make_annotation(article, team["annotator"], label="opinion", quote=P2)
    quote = make_annotation(article, team["reviewer"], label="quote", quote="Residents welcomed the news 🎉")
    return {"article": article, "claim": claim, "opinion": opinion, "quote": quote}


def revise(client: Client, article: Article, text: str, htmx: bool = True, **data):
    data = {"text": text, "note": "", "version": article.version, **data}
    return client.post(reverse("article_revision_add", args=[article.pk]), data, **(HTMX if htmx else {}))


def corrected(team, story) -> Article:
    add_revision(story["article"], by=team["owner"], text=CORRECTED, note="Opening date corrected")
    return Article.objects.get(pk=story["article"].pk)


# --- the revisions page


def test_members_read_the_revisions_page_but_only_owners_and_reviewers_get_the_forms(team, story):
    url = reverse("article_revisions", args=[story["article"].pk])
    for role in ("owner", "reviewer"):
        page = tree(client_for(team[role]).get(url))
        assert page.get_element_by_id("revise-form") is not None and page.get_element_by_id("refetch-form") is not None
    for role in ("annotator", "viewer"):
        response = client_for(team[role]).get(url)
        assert response.status_code == 200
        assert not tree(response).xpath("//main//form[@method='post']")
    assert client_for(team["outsider"]).get(url).status_code == 404


def test_annotators_viewers_and_outsiders_cannot_add_a_revision_or_refetch(team, story):
    article = story["article"]
    for role, status in (("annotator", 403), ("viewer", 403), ("outsider", 404)):
        client = client_for(team[role])
        assert revise(client, article, CORRECTED).status_code == status
        assert client.post(reverse("article_refetch", args=[article.pk]), **HTMX).status_code == status
    assert Article.objects.get(pk=article.pk).text_revision == 1


def test_a_corrected_text_becomes_revision_2_and_the_counts_show_inline(team, story):
    response = revise(client_for(team["reviewer"]), story["article"], CORRECTED, note="Opening date corrected")
    assert response.status_code == 200
    region = tree(response)
    assert region.get("id") == "revision-workspace"  # the region alone, for htmx
    notice = flat(region.get_element_by_id("revision-notice"))
    assert notice.startswith("Revision 2 added. Annotations: 0 exact · 1 shifted · 1 changed · 1 orphaned.")
    assert "Re-attach the orphaned ones" in notice
    row = flat(region.get_element_by_id("revision-2"))
    assert "reviewer" in row and "Opening date corrected" in row and "Entered by a person" in row
    assert "0 exact · 1 shifted · 1 changed · 1 orphaned" in row
    assert "Original text" in flat(region.get_element_by_id("revision-1"))
    assert "From revision 1 to revision 2" in flat(region.get_element_by_id("diff-summary"))
    assert "June" in " ".join(flat(ins) for ins in region.xpath("//div[@id='diff-text']/ins"))
    assert "May" in " ".join(flat(ins) for ins in region.xpath("//div[@id='diff-text']/del"))
    assert Article.objects.get(pk=story["article"].pk).text == CORRECTED


def test_a_plain_post_redirects_to_the_page_with_the_counts_as_a_message(team, story):
    client = client_for(team["owner"])
    response = revise(client, story["article"], CORRECTED, htmx=False)
    assert response.status_code == 302 and response["Location"] == reverse(
        "article_revisions", args=[story["article"].pk]
    )
    page = tree(client.get(response["Location"]))
    assert "Revision 2 added." in flat(page.get_element_by_id("flash"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n ", "The article text is empty."),
        ("x" * 81, "The text is longer than 80 characters."),
    ],
)
def test_an_empty_or_too_long_text_is_refused_inline_and_what_was_typed_stays(team, story, settings, text, message):
    settings.ARTICLE_MAX_CHARS = 80
    response = revise(client_for(team["owner"]), story["article"], text, note="my note")
    assert response.status_code == 422
    region = tree(response)
    assert flat(region.get_element_by_id("revise-error")) == message
    assert region.get_element_by_id("revise-text").text_content() == text
    assert region.get_element_by_id("revise-note").get("value") == "my note"
    assert Article.objects.get(pk=story["article"].pk).text_revision == 1


def test_the_text_of_another_article_is_refused_as_a_duplicate(team, story):
    make_article(team["project"], text=CORRECTED, title="The other one")
    response = revise(client_for(team["owner"]), story["article"], CORRECTED)
    assert response.status_code == 422
    assert "The other one" in flat(tree(response).get_element_by_id("revise-error"))


def test_the_same_text_says_which_revision_it_is_and_changes_nothing(team, story):
    client = client_for(team["owner"])
    response = revise(client, story["article"], TEXT)
    assert response.status_code == 200
    assert flat(tree(response).get_element_by_id("revise-info")) == "The text is the same as revision 1."
    article = corrected(team, story)
    response = revise(client, article, CORRECTED.replace("\n", "\r\n"))  # canonical form: the same text
    assert flat(tree(response).get_element_by_id("revise-info")) == "The text is the same as revision 2."
    assert Article.objects.get(pk=article.pk).text_revision == 2


def test_a_revision_sent_from_a_stale_page_is_refused_and_the_typed_text_kept(team, story):
    stale_version = story["article"].version
    corrected(team, story)
    response = revise(client_for(team["reviewer"]), story["article"], TEXT + " More.", version=stale_version)
    assert response.status_code == 412
    region = tree(response)
    assert "someone added revision 2" in flat(region.get_element_by_id("revise-error"))
    assert region.get_element_by_id("revise-text").text_content() == TEXT + " More."


def test_the_diff_compares_any_two_revisions_and_marks_insertions_and_deletions(team, story):
    article = corrected(team, story)
    add_revision(article, by=team["owner"], text=CORRECTED.replace("Monday", "Tuesday"))
    client = client_for(team["viewer"])
    url = reverse("article_revisions", args=[article.pk])
    page = tree(client.get(url))
    assert page.get_element_by_id("diff-from").xpath("option[@selected]")[0].get("value") == "2"
    (deleted,) = [flat(e) for e in page.xpath("//div[@id='diff-text']/del")]
    (inserted,) = [flat(e) for e in page.xpath("//div[@id='diff-text']/ins")]
    assert deleted.startswith("[deleted: Monday") and inserted.startswith("[inserted: Tuesday")
    region = tree(client.get(url, {"from": 1, "to": 3}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="revision-diff"))
    assert region.get("id") == "revision-diff"
    deleted = " ".join(flat(e) for e in region.xpath("//div[@id='diff-text']/del"))
    inserted = " ".join(flat(e) for e in region.xpath("//div[@id='diff-text']/ins"))
    assert "Critics" in deleted and "May" in deleted and "June" in inserted and "Tuesday" in inserted
    assert "From revision 1 to revision 3" in flat(region.get_element_by_id("diff-summary"))
    odd = tree(client.get(url, {"from": "99", "to": "x"}))  # out of range: the defaults
    assert "From revision 2 to revision 3" in flat(odd.get_element_by_id("diff-summary"))
    same = tree(client.get(url, {"from": 2, "to": 2}))
    assert "Pick two different revisions" in flat(same.get_element_by_id("diff-summary"))


def test_long_unchanged_stretches_are_shortened_unless_the_whole_text_is_asked_for(team):
    long_text = " ".join(f"word{i}" for i in range(400))
    article = make_article(team["project"], text=long_text)
    add_revision(article, by=team["owner"], text=long_text.replace("word200 ", "changed "))
    client = client_for(team["owner"])
    url = reverse("article_revisions", args=[article.pk])
    short = tree(client.get(url)).get_element_by_id("diff-text")
    assert len(short.find_class("diff-skip")) == 2 and "word0 " not in short.text_content()
    whole = tree(client.get(url, {"whole": "1"})).get_element_by_id("diff-text")
    assert not whole.find_class("diff-skip") and whole.text_content().startswith("word0 word1")


def test_an_unrevised_article_has_nothing_to_compare(team, story):
    page = tree(client_for(team["annotator"]).get(reverse("article_revisions", args=[story["article"].pk])))
    assert "nothing to compare yet" in flat(page.get_element_by_id("diff-summary"))
    assert len(page.get_element_by_id("revision-table").xpath("tbody/tr")) == 1


def test_refetch_is_offered_only_for_web_addresses(team):
    article = make_article(team["project"], url="ftp://example.org/x")
    page = tree(client_for(team["owner"]).get(reverse("article_revisions", args=[article.pk])))
    assert page.get_element_by_id("revise-form") is not None
    assert not page.xpath("//*[@id='refetch-form']")


def test_refetch_starts_a_job_and_goes_to_its_page(team, story, queue):
    client = client_for(team["reviewer"])
    response = client.post(reverse("article_refetch", args=[story["article"].pk]), **HTMX)
    job_url = response["HX-Redirect"]
    assert job_url.startswith("/jobs/")
    assert client.get(job_url).status_code == 200
    plain = client.post(reverse("article_refetch", args=[story["article"].pk]))  # without JavaScript
    assert plain.status_code == 302 and plain["Location"].startswith("/jobs/")


def test_refetch_of_an_article_without_a_web_address_is_refused_inline(team):
    article = make_article(team["project"])
    response = client_for(team["owner"]).post(reverse("article_refetch", args=[article.pk]), **HTMX)
    assert response.status_code == 422
    assert "no web address" in flat(tree(response).get_element_by_id("refetch-error"))


# --- the orphan queue


def orphans_page(client: Client, article: Article, **headers):
    return client.get(reverse("article_orphans", args=[article.pk]), **headers)


def reattach_post(client: Client, annotation: Annotation, htmx: bool = True, **data):
    annotation.refresh_from_db()
    article = Article.objects.get(pk=annotation.article_id)
    values = {"version": annotation.version, "revision": article.text_revision, "start": "", "end": "", "quote": ""}
    url = reverse("orphan_reattach", args=[annotation.article_id, annotation.pk])
    return client.post(url, {**values, **data}, **(HTMX if htmx else {}))


def test_the_queue_lists_orphans_then_changed_ones_with_what_identifies_them(team, story):
    article = corrected(team, story)
    page = tree(orphans_page(client_for(team["viewer"]), article))
    assert page.get_element_by_id("orphan-text").text_content() == CORRECTED
    assert [int(li.get("data-ann")) for li in page.find_class("orphan-card")] == [
        story["opinion"].pk,
        story["claim"].pk,
    ]
    orphan = flat(page.get_element_by_id(f"orphan-{story['opinion'].pk}"))
    assert "Opinion" in orphan and "Orphaned" in orphan and "by annotator" in orphan
    assert P2 in orphan and "Anchored to" in orphan and "revision 1" in orphan
    fuzzy = flat(page.get_element_by_id(f"orphan-{story['claim'].pk}"))
    assert "% similar" in fuzzy and "in May next year" in fuzzy and "in June next year" in fuzzy
    assert flat(page.get_element_by_id("queue-title")) == "1 orphaned · 1 changed"
    assert not page.xpath("//main//form[@method='post']")  # viewers read only


def test_the_queue_answers_404_to_outsiders_and_offers_each_member_what_they_may_change(team, story):
    article = corrected(team, story)
    assert orphans_page(client_for(team["outsider"]), article).status_code == 404
    author = tree(orphans_page(client_for(team["annotator"]), article))
    assert author.xpath(f"//li[@id='orphan-{story['opinion'].pk}']//form[contains(@class, 'reattach-form')]")
    other = tree(orphans_page(client_for(team["annotator2"]), article))
    assert not other.xpath("//main//form[@method='post']")
    reviewer = tree(orphans_page(client_for(team["reviewer"]), article))
    assert len(reviewer.find_class("reattach-form")) == 2


def test_reattaching_by_offsets_makes_the_orphan_exact_and_says_so(team, story):
    article = corrected(team, story)
    start = CORRECTED.index("officials met")
    response = reattach_post(client_for(team["annotator"]), story["opinion"], start=start, end=start + 13)
    assert response.status_code == 200
    region = tree(response)
    assert region.get("id") == "orphan-workspace"
    assert "is exact now (characters" in flat(region.get_element_by_id("orphan-notice"))
    opinion = Annotation.objects.get(pk=story["opinion"].pk)
    assert (opinion.anchor_status, opinion.quote, opinion.original_quote) == (AnchorStatus.EXACT, "officials met", P2)
    assert opinion.anchored_revision == article.text_revision and opinion.text_changed
    assert flat(region.get_element_by_id("queue-title")) == "0 orphaned · 1 changed"


def test_reattaching_by_a_typed_passage_and_keeping_a_changed_one_where_it_was_found(team, story):
    corrected(team, story)
    client = client_for(team["reviewer"])
    assert reattach_post(client, story["opinion"], quote="café owners agreed").status_code == 200
    assert Annotation.objects.get(pk=story["opinion"].pk).quote == "café owners agreed"
    claim = Annotation.objects.get(pk=story["claim"].pk)
    response = reattach_post(client, claim, start=claim.start, end=claim.end)  # "Keep where it was found"
    assert response.status_code == 200
    assert Annotation.objects.get(pk=claim.pk).anchor_status == AnchorStatus.EXACT
    assert tree(response).get_element_by_id("queue-empty") is not None


def test_a_plain_reattach_post_redirects_back_to_the_queue(team, story):
    article = corrected(team, story)
    response = reattach_post(client_for(team["owner"]), story["opinion"], htmx=False, quote="officials")
    assert response.status_code == 302 and response["Location"] == reverse("article_orphans", args=[article.pk])


def test_reattach_refusals_show_on_the_annotations_card(team, story):
    article = corrected(team, story)
    client = client_for(team["annotator"])
    nothing = reattach_post(client, story["opinion"])
    assert nothing.status_code == 422
    assert "Select the passage" in flat(tree(nothing).get_element_by_id("orphan-error"))
    ambiguous = reattach_post(client, story["opinion"], quote="the")
    assert ambiguous.status_code == 422
    card = tree(ambiguous).get_element_by_id(f"orphan-{story['opinion'].pk}")
    assert "occurs" in flat(card.get_element_by_id("orphan-error")) and card.find_class("quote-choice")
    assert card.get_element_by_id(f"reattach-quote-{story['opinion'].pk}").get("value") == "the"
    stale = reattach_post(client, story["opinion"], quote="officials", version=story["opinion"].version - 1)
    assert stale.status_code == 412 and "changed this annotation meanwhile" in flat(tree(stale))
    moved_on = reattach_post(client, story["opinion"], quote="officials", revision=article.text_revision - 1)
    assert moved_on.status_code == 422 and "text changed since this page was loaded" in flat(tree(moved_on))
    assert Annotation.objects.get(pk=story["opinion"].pk).is_orphaned


def test_only_whoever_may_change_an_annotation_reattaches_or_deletes_it(team, story):
    article = corrected(team, story)
    for role, status in (("annotator2", 403), ("viewer", 403), ("outsider", 404)):
        client = client_for(team[role])
        assert reattach_post(client, story["opinion"], quote="officials").status_code == status
        url = reverse("orphan_delete", args=[article.pk, story["opinion"].pk])
        assert client.post(url, {"version": story["opinion"].version}, **HTMX).status_code == status
    other = make_article(team["project"], text="Another text entirely.")
    wrong = reverse("orphan_reattach", args=[other.pk, story["opinion"].pk])
    assert client_for(team["owner"]).post(wrong, {"quote": "Another"}, **HTMX).status_code == 404
    assert Annotation.objects.get(pk=story["opinion"].pk).is_orphaned


def test_deleting_from_the_queue_removes_it_and_offers_undo(team, story):
    article = corrected(team, story)
    opinion = Annotation.objects.get(pk=story["opinion"].pk)
    url = reverse("orphan_delete", args=[article.pk, opinion.pk])
    response = client_for(team["annotator"]).post(url, {"version": opinion.version}, **HTMX)
    assert response.status_code == 200
    region = tree(response)
    assert flat(region.get_element_by_id("orphan-notice")).startswith("Deleted Opinion “Critics called")
    undo = region.get_element_by_id("undo-delete").getparent()
    assert undo.get("action") == reverse("annotation_restore", args=[article.pk, opinion.pk])
    assert not Annotation.objects.filter(pk=opinion.pk).exists()
    assert client_for(team["annotator"]).post(undo.get("action")).status_code == 302
    assert Annotation.objects.get(pk=opinion.pk).quote == P2  # back, as it was: still waiting to be re-attached


# --- flags on the annotate page, the review queue and the dashboard


def test_the_annotate_page_flags_changed_annotations_and_links_the_orphans_and_revisions(team, story):
    article = corrected(team, story)
    client = client_for(team["annotator"])
    url = reverse("article_annotate", args=[article.pk])
    page = tree(client.get(url))
    assert flat(page.get_element_by_id("orphan-link")) == "Orphaned (1)"
    assert page.get_element_by_id("orphan-link").get("href") == reverse("article_orphans", args=[article.pk])
    assert page.get_element_by_id("revisions-link").get("href") == reverse("article_revisions", args=[article.pk])
    items = {int(item.get("data-ann")): flat(item) for item in page.find_class("ann-item")}
    assert set(items) == {story["claim"].pk, story["quote"].pk}  # the orphan has no place in the text
    assert "Changed after annotation" in items[story["claim"].pk]
    assert "Changed after annotation" not in items[story["quote"].pk]
    editor = tree(client.get(reverse("annotation_detail", args=[story["claim"].pk]), **HTMX))
    note = flat(editor.get_element_by_id("changed-note"))
    assert f"Originally: “{CLAIM}”" in note and "% similar" in note


def test_an_unrevised_article_shows_no_orphan_link_or_flags(team, story):
    page = tree(client_for(team["annotator"]).get(reverse("article_annotate", args=[story["article"].pk])))
    assert not page.xpath("//*[@id='orphan-link']") and not page.find_class("changed-badge")
    assert flat(page.get_element_by_id("revisions-link")).startswith("Revision 1")


def test_the_review_queue_counts_changed_annotations_per_submission(team, story):
    corrected(team, story)
    work = Assignment.objects.create(
        article=story["article"], annotator=team["annotator"], state=AssignmentState.SUBMITTED
    )
    page = tree(client_for(team["reviewer"]).get(reverse("review_queue", args=[team["project"].pk])))
    assert flat(page.get_element_by_id(f"changed-{work.pk}")) == "2 changed after annotation"


def test_the_dashboard_counts_changed_articles_by_outlet_as_the_reader_may_see_them(team, story):
    corrected(team, story)
    other = make_article(team["project"], text="Another story here.", outlet="")
    make_annotation(other, team["annotator"], quote="Another story")
    add_revision(other, by=team["owner"], text="A different story here.")
    page = tree(client_for(team["owner"]).get(reverse("project_dashboard_page", args=[team["project"].pk])))
    rows = [[flat(cell) for cell in row] for row in page.xpath("//section[@id='changed-outlets']//tbody/tr")]
    assert rows == [["Daily Post", "1", "2"], ["(no outlet)", "1", "1"]]


def test_new_pages_cost_the_same_queries_for_few_and_many_annotations(team):
    def build(count: int) -> Article:
        words = [f"Sentence number {i} says something." for i in range(count)]
        article = make_article(team["project"], text=" ".join(words), url="https://example.org/x")
        for i in range(count):
            make_annotation(article, team["annotator"], quote=f"number {i} says")
        kept = [w for i, w in enumerate(words) if i % 3]  # every third sentence goes: orphans
        add_revision(article, by=team["owner"], text=" ".join(kept).replace("says", "said"))
        return article

    def count(client: Client, name: str, article: Article) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=[article.pk])).status_code == 200
        return len(queries)

    client = client_for(team["reviewer"])
    few, many = build(3), build(30)
    for name in ("article_revisions", "article_orphans"):
        assert count(client, name, few) == count(client, name, many), name
    assert count(client, "article_revisions", many) <= 12
    assert count(client, "article_orphans", many) <= 12
