"""Links between spans on the annotate page: the list in the editor, the link map, making, reviewing and removing
links (htmx and plain POST), who sees and may change what, and queries that do not grow with the links."""

from __future__ import annotations

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.assignment import assign
from articles.links import LinkSpec, create_link
from articles.models import AnchorStatus, Annotation, AssignmentState, Link, LinkType, Visibility
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "“Taxes will fall,” said the minister. The State Department disagreed. Prices rose 5% last year."


@pytest.fixture
def spans(team):
    article = make_article(team["project"], text=TEXT)
    author = team["annotator"]
    return {
        "article": article,
        "quote": make_annotation(article, author, "quote", quote="Taxes will fall,"),
        "minister": make_annotation(article, author, "source", quote="the minister"),
        "department": make_annotation(article, author, "source", quote="The State Department"),
        "claim": make_annotation(article, author, "claim", quote="Prices rose 5% last year."),
    }


def said_by(spans, source="minister", author=None):
    spec = LinkSpec(spans["quote"].pk, spans[source].pk, "said_by")
    return create_link(spans["article"], spec, author=author or spans["quote"].author)


def page(client, article, **query):
    return client.get(reverse("article_annotate", args=[article.pk]), query)


def tree(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def flat(element) -> str:
    return " ".join(element.text_content().split())


def lines(response) -> list[str]:
    return [flat(item) for item in tree(response).find_class("link-item")]


def link_map(response) -> list[tuple[int, int, str, str]]:
    found = tree(response).get_element_by_id("link-map")
    return [
        (int(li.get("data-from")), int(li.get("data-to")), li.get("data-color"), li.get("data-name")) for li in found
    ]


def choices(client, annotation, **headers):
    return client.get(reverse("link_choices", args=[annotation.pk]), **{**HTMX, **headers})


def create(client, spans, to: str = "minister", kind: str = "said_by", **headers):
    data = {"from": spans["quote"].pk, "to": spans[to].pk if to in spans else to, "type": kind}
    return client.post(reverse("link_create", args=[spans["article"].pk]), data, **{**HTMX, **headers})


def remove(client, link: Link, selected: Annotation, version: int | None = None, **headers):
    data = {"version": link.version if version is None else version, "panel": selected.pk}
    return client.post(reverse("link_delete", args=[link.pk]), data, **{**HTMX, **headers})


# --- seeing links


def test_the_editor_lists_links_in_words_both_ways(client, team, spans):
    link = said_by(spans)
    client.force_login(team["annotator"])
    outgoing = lines(page(client, spans["article"], selected=spans["quote"].pk))
    assert len(outgoing) == 1
    assert outgoing[0].startswith("said by: the minister (source) · annotator")
    assert "Remove the link said by: the minister" in outgoing[0]
    incoming = lines(page(client, spans["article"], selected=spans["minister"].pk))
    assert incoming[0].startswith("says: Taxes will fall, (quote)")
    fragment = client.get(reverse("annotation_detail", args=[spans["minister"].pk]), **HTMX)
    assert lines(fragment) == incoming
    item = tree(fragment).get_element_by_id(f"link-item-{link.pk}")
    assert item.find_class("link-end")[0].get("data-ann") == str(spans["quote"].pk)


def test_a_renamed_type_reads_back_with_an_arrow(client, team, spans):
    said_by(spans)
    LinkType.objects.filter(project=team["project"], key="said_by").update(name="Uttered by")
    client.force_login(team["annotator"])
    assert lines(page(client, spans["article"], selected=spans["minister"].pk))[0].startswith(
        "← uttered by: Taxes will fall, (quote)"
    )


def test_the_link_map_carries_every_visible_link_for_the_connectors(client, team, spans):
    first = said_by(spans)
    second = create_link(
        spans["article"],
        LinkSpec(spans["claim"].pk, spans["department"].pk, "backed_by"),
        author=team["annotator"],
    )
    client.force_login(team["viewer"])
    response = page(client, spans["article"])
    assert link_map(response) == [
        (spans["quote"].pk, spans["minister"].pk, first.type.color, "Said by"),
        (spans["claim"].pk, spans["department"].pk, second.type.color, "Backed by"),
    ]
    assert tree(response).get_element_by_id("link-map").get("hidden") is not None
    htmx = client.get(reverse("article_annotate", args=[spans["article"].pk]), **HTMX)
    assert len(link_map(htmx)) == 2  # the workspace region carries it too


def test_an_orphaned_end_is_flagged_in_the_list(client, team, spans):
    said_by(spans)
    orphaned = {"anchor_status": AnchorStatus.ORPHANED, "start": None, "end": None}
    Annotation.objects.filter(pk=spans["minister"].pk).update(**orphaned)
    client.force_login(team["annotator"])
    response = page(client, spans["article"], selected=spans["quote"].pk)
    assert "an end has no place in the text since a revision" in lines(response)[0]
    assert tree(response).find_class("is-orphaned")


def test_hostile_type_names_stay_text(client, team, spans):
    said_by(spans)
    LinkType.objects.filter(project=team["project"], key="said_by").update(name="<img src=x onerror=alert(1)>")
    client.force_login(team["annotator"])
    response = page(client, spans["article"], selected=spans["quote"].pk)
    assert not tree(response).xpath("//img | //*[@onerror]")
    assert link_map(response)[0][3] == "<img src=x onerror=alert(1)>"


# --- what the Link button offers


def test_link_offers_only_the_targets_and_types_the_labels_allow(client, team, spans):
    client.force_login(team["annotator"])
    shown = tree(page(client, spans["article"], selected=spans["claim"].pk))
    button = shown.get_element_by_id("link-button")
    assert button.get("data-choices") == reverse("link_choices", args=[spans["claim"].pk])
    assert not shown.xpath("//*[@id='link-form']")  # the choices come when Link is pressed
    response = choices(client, spans["claim"])
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    form = tree(response)
    assert form.get("id") == "link-form"
    groups = form.find_class("link-types")
    assert [group.get("data-to-label") for group in groups] == ["source"]
    candidates = groups[0].get("data-candidates").split()
    assert candidates == [str(spans["minister"].pk), str(spans["department"].pk)]
    assert [(b.get("value"), b.get("data-number")) for b in groups[0].find_class("link-type-choice")] == [
        ("claimed_by", "1"),
        ("backed_by", "2"),
    ]
    assert form.xpath(".//input[@name='from']")[0].get("value") == str(spans["claim"].pk)
    assert form.get("hx-post") == reverse("link_create", args=[spans["article"].pk])


def test_orphans_and_hidden_annotations_are_no_candidates(client, team, spans):
    orphaned = {"anchor_status": AnchorStatus.ORPHANED, "start": None, "end": None}
    Annotation.objects.filter(pk=spans["minister"].pk).update(**orphaned)
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    theirs = make_annotation(spans["article"], team["annotator2"], "source", quote="Prices")
    client.force_login(team["annotator"])
    group = tree(choices(client, spans["quote"])).find_class("link-types")[0]
    assert group.get("data-candidates").split() == [str(spans["department"].pk)]
    client.force_login(team["reviewer"])
    group = tree(choices(client, spans["quote"])).find_class("link-types")[0]
    assert group.get("data-candidates").split() == [str(spans["department"].pk), str(theirs.pk)]


def test_a_label_no_type_starts_at_says_so(client, team, spans):
    client.force_login(team["annotator"])
    response = choices(client, spans["minister"])
    assert b'id="link-form"' not in response.content
    assert "No link type starts at a source" in flat(tree(response))
    plain = choices(client, spans["minister"], HTTP_HX_REQUEST="")
    assert plain.status_code == 302 and plain["Location"].endswith(f"?selected={spans['minister'].pk}")


def test_viewers_see_links_but_cannot_make_or_remove_them(client, team, spans):
    link = said_by(spans)
    client.force_login(team["viewer"])
    response = page(client, spans["article"], selected=spans["quote"].pk)
    assert lines(response)[0].startswith("said by: the minister")
    assert b'id="link-button"' not in response.content and b"link-remove" not in response.content
    assert choices(client, spans["quote"]).status_code == 403
    assert create(client, spans, to="department").status_code == 403
    assert remove(client, link, spans["quote"]).status_code == 403
    assert Link.objects.count() == 1


def test_annotators_remove_only_their_own_links_reviewers_anyone(client, team, spans):
    link = said_by(spans)
    client.force_login(team["annotator2"])
    response = page(client, spans["article"], selected=spans["quote"].pk)
    assert b"link-remove" not in response.content and b'id="link-button"' in response.content
    assert remove(client, link, spans["quote"]).status_code == 403
    client.force_login(team["reviewer"])
    assert b"link-remove" in page(client, spans["article"], selected=spans["quote"].pk).content
    assert remove(client, link, spans["quote"]).status_code == 200
    assert not Link.objects.exists()


def test_others_links_stay_hidden_in_independent_projects_until_submit(client, team, spans):
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    article = spans["article"]
    other = make_annotation(article, team["annotator2"], "quote", quote="Taxes will fall,")
    source = make_annotation(article, team["annotator2"], "source", quote="the minister")
    theirs = create_link(article, LinkSpec(other.pk, source.pk, "said_by"), author=team["annotator2"])
    mine = said_by(spans)
    client.force_login(team["annotator"])
    assert [row[:2] for row in link_map(page(client, article))] == [(spans["quote"].pk, spans["minister"].pk)]
    client.force_login(team["reviewer"])
    shown = {(row[0], row[1]) for row in link_map(page(client, article))}
    assert shown == {
        (theirs.from_annotation_id, theirs.to_annotation_id),
        (mine.from_annotation_id, mine.to_annotation_id),
    }


# --- making links


def test_creating_a_link_answers_the_panel_and_the_map(client, team, spans):
    client.force_login(team["annotator"])
    response = create(client, spans)
    assert response.status_code == 200
    link = Link.objects.get()
    assert (link.from_annotation_id, link.to_annotation_id, link.type.key, link.author) == (
        spans["quote"].pk,
        spans["minister"].pk,
        "said_by",
        team["annotator"],
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="link-panel"')
    assert f'data-created="{link.pk}"' in html
    assert "Linked: said by “the minister”." in html
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    link_list = fragment.xpath("//*[@id='link-map']")[0]
    assert link_list.get("hx-swap-oob") == "true" and len(link_list) == 1
    assert [flat(item) for item in fragment.find_class("link-item")][0].startswith("said by: the minister")
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("to", "kind", "status", "message"),
    [
        ("minister", "said_by", 409, "This link already exists."),
        ("claim", "said_by", 422, "A said_by link goes from quote to source; this one would go from quote to claim."),
        ("minister", "nope", 422, "Unknown link type 'nope'"),
        ("quote", "said_by", 422, "A span cannot link to itself."),
        ("", "said_by", 422, "Send the id of an annotation of this article."),
    ],
)
def test_refused_links_say_why_in_the_panel(client, team, spans, to, kind, status, message):
    said_by(spans)
    client.force_login(team["annotator"])
    response = create(client, spans, to=to, kind=kind)
    assert response.status_code == status
    assert message in flat(tree(response).get_element_by_id("link-error"))
    assert Link.objects.count() == 1


def test_a_source_from_another_article_is_not_found(client, team, spans):
    other = make_article(team["project"], text=TEXT + " Later.")
    client.force_login(team["annotator"])
    url = reverse("link_create", args=[other.pk])
    data = {"from": spans["quote"].pk, "to": spans["minister"].pk, "type": "said_by"}
    assert client.post(url, data, **HTMX).status_code == 404
    client.force_login(team["outsider"])
    assert create(client, spans).status_code == 404
    assert not Link.objects.exists()


def test_locked_work_makes_no_links(client, team, spans):
    work = assign(team["project"], articles=[spans["article"].pk], annotators=[team["annotator"].pk], by=team["owner"])
    type(work[0]).objects.filter(pk=work[0].pk).update(state=AssignmentState.SUBMITTED)
    client.force_login(team["annotator"])
    assert b'id="link-button"' not in page(client, spans["article"], selected=spans["quote"].pk).content
    response = create(client, spans)
    assert response.status_code == 422 and "locked" in flat(tree(response).get_element_by_id("link-error"))


def test_a_plain_post_redirects_to_the_page_with_the_source_selected(client, team, spans):
    client.force_login(team["annotator"])
    response = create(client, spans, HTTP_HX_REQUEST="")
    assert response.status_code == 302
    assert response["Location"] == reverse("article_annotate", args=[spans["article"].pk]) + (
        f"?selected={spans['quote'].pk}"
    )
    assert Link.objects.count() == 1
    assert "Linked: said by" in client.get(response["Location"]).content.decode()


def test_a_note_given_with_the_type_is_saved_and_shown(client, team, spans):
    client.force_login(team["annotator"])
    assert tree(choices(client, spans["quote"])).xpath("//input[@id='link-note' and @name='note']")
    data = {"from": spans["quote"].pk, "to": spans["minister"].pk, "type": "said_by", "note": "On the radio, 8 May"}
    response = client.post(reverse("link_create", args=[spans["article"].pk]), data, **HTMX)
    assert response.status_code == 200 and Link.objects.get().note == "On the radio, 8 May"
    assert lines(response)[0].startswith("said by: the minister (source) · annotator · pending On the radio, 8 May")
    shown = lines(page(client, spans["article"], selected=spans["minister"].pk))
    assert "On the radio, 8 May" in shown[0]


# --- reviewing links


def review(client, link: Link, selected: Annotation, status: str, version: int | None = None, **headers):
    data = {"status": status, "version": link.version if version is None else version, "panel": selected.pk}
    return client.post(reverse("link_review", args=[link.pk]), data, **{**HTMX, **headers})


def review_buttons(response, link: Link) -> list[str]:
    item = tree(response).get_element_by_id(f"link-item-{link.pk}")
    return [button.get("value") for button in item.find_class("link-review")]


def test_a_reviewer_accepts_rejects_and_sets_back_a_link(client, team, spans):
    link = said_by(spans)
    client.force_login(team["reviewer"])
    shown = page(client, spans["article"], selected=spans["quote"].pk)
    assert lines(shown)[0].startswith("said by: the minister (source) · annotator · pending")
    assert review_buttons(shown, link) == ["accepted", "rejected"]  # "back to pending" only once reviewed
    response = review(client, link, spans["minister"], "accepted")
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert f'data-ann="{spans["minister"].pk}"' in html.split(">", 1)[0]  # the panel of the end it was done in
    assert f'data-reviewed="{link.pk}"' in html.split(">", 1)[0]
    assert "Link accepted." in html and "says: Taxes will fall, (quote) · annotator · accepted" in lines(response)[0]
    assert review_buttons(response, link) == ["rejected", "pending"]
    link.refresh_from_db()
    assert (link.status, link.version) == ("accepted", 2)
    assert link_map_of_fragment(html) == 1  # the map comes along as for the other link answers
    assert review(client, link, spans["quote"], "rejected").status_code == 200
    link.refresh_from_db()
    response = review(client, link, spans["quote"], "pending")
    assert "Link set back to pending." in response.content.decode()
    assert Link.objects.get().status == "pending"
    client.force_login(team["owner"])
    assert review(client, Link.objects.get(), spans["quote"], "rejected").status_code == 200


def test_no_one_reviews_their_own_link_and_annotators_none(client, team, spans):
    theirs = said_by(spans)
    mine = said_by(spans, source="department", author=team["reviewer"])
    client.force_login(team["reviewer"])
    shown = page(client, spans["article"], selected=spans["quote"].pk)
    assert review_buttons(shown, theirs) == ["accepted", "rejected"] and review_buttons(shown, mine) == []
    assert review(client, mine, spans["quote"], "accepted").status_code == 403
    for user in ("annotator", "annotator2", "viewer"):
        client.force_login(team[user])
        assert b"link-review" not in page(client, spans["article"], selected=spans["quote"].pk).content
        assert review(client, theirs, spans["quote"], "accepted").status_code == 403
    client.force_login(team["outsider"])
    assert review(client, theirs, spans["quote"], "accepted").status_code == 404
    assert set(Link.objects.values_list("status", flat=True)) == {"pending"}


def test_a_stale_or_unknown_review_is_refused_in_the_panel(client, team, spans):
    link = said_by(spans)
    Link.objects.filter(pk=link.pk).update(version=2, note="changed meanwhile")
    client.force_login(team["reviewer"])
    response = review(client, link, spans["quote"], "accepted", version=1)
    assert response.status_code == 412
    assert "Not reviewed: someone changed this link meanwhile" in flat(tree(response).get_element_by_id("link-error"))
    assert "changed meanwhile" in lines(response)[0]  # shown as it is now
    assert Link.objects.get().status == "pending"
    response = review(client, link, spans["quote"], "maybe", version=2)
    assert response.status_code == 422 and "Choose one of" in flat(tree(response).get_element_by_id("link-error"))
    Link.objects.all().delete()
    response = review(client, link, spans["quote"], "accepted")
    assert response.status_code == 404  # gone: the access layer no longer finds it


def test_a_plain_review_post_redirects_with_the_message(client, team, spans):
    link = said_by(spans)
    client.force_login(team["reviewer"])
    response = review(client, link, spans["quote"], "rejected", HTTP_HX_REQUEST="")
    assert response.status_code == 302 and response["Location"].endswith(f"?selected={spans['quote'].pk}")
    assert "Link rejected." in client.get(response["Location"]).content.decode()
    assert Link.objects.get().status == "rejected"


# --- removing links


def test_removing_a_link_from_either_end(client, team, spans):
    link = said_by(spans)
    client.force_login(team["annotator"])
    response = remove(client, link, spans["minister"])
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-ann="{spans["minister"].pk}"' in html.split(">", 1)[0]  # the panel of the end it was removed from
    assert "Link removed." in html and not Link.objects.exists()
    assert link_map_of_fragment(html) == 0


def link_map_of_fragment(html: str) -> int:
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    return len(fragment.xpath("//*[@id='link-map']")[0])


def test_a_stale_version_is_not_removed(client, team, spans):
    link = said_by(spans)
    Link.objects.filter(pk=link.pk).update(version=2)
    client.force_login(team["annotator"])
    response = remove(client, link, spans["quote"], version=1)
    assert response.status_code == 412
    assert "Not removed: someone changed this link meanwhile" in flat(tree(response).get_element_by_id("link-error"))
    assert Link.objects.count() == 1
    assert lines(response)[0].startswith("said by: the minister")


def test_deleting_an_end_takes_its_connector_away(client, team, spans):
    said_by(spans)
    client.force_login(team["annotator"])
    minister = spans["minister"]
    response = client.post(
        reverse("annotation_delete", args=[minister.pk]), {"version": minister.version, "list_bounds": "*|*"}, **HTMX
    )
    assert response.status_code == 200 and not Link.objects.exists()
    found = lxml.html.fragment_fromstring(response.content.decode(), create_parent="div").xpath("//*[@id='link-map']")
    assert found[0].get("hx-swap-oob") == "true" and len(found[0]) == 0


# --- queries


def count_queries(client, url, **headers) -> tuple[int, int, int]:
    """All queries of one request, and those reading links and link types."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    links = [each for each in sql if 'FROM "articles_link"' in each]
    types = [each for each in sql if '"articles_linktype' in each and each not in links]
    return len(sql), len(links), len(types)


def test_the_page_reads_links_in_the_same_queries_however_many_there_are(client, team, django_assert_num_queries):
    text = " ".join(f"“Quote {n},” said Source {n}." for n in range(40))
    article = make_article(team["project"], text=text)
    author = team["annotator"]
    pairs = [
        (
            make_annotation(article, author, "quote", quote=f"Quote {n},"),
            make_annotation(article, author, "source", quote=f"Source {n}."),
        )
        for n in range(40)
    ]
    selected = pairs[0][0]
    create_link(article, LinkSpec(selected.pk, pairs[0][1].pk, "said_by"), author=author)
    client.force_login(author)
    url = reverse("article_annotate", args=[article.pk])
    detail = reverse("annotation_detail", args=[selected.pk])
    offered = reverse("link_choices", args=[selected.pk])
    requests = [(url, {}), (url + f"?selected={selected.pk}", {}), (url, HTMX), (detail, HTMX), (offered, HTMX)]
    few = [count_queries(client, each, **headers) for each, headers in requests]
    assert [links for _, links, _ in few] == [1, 1, 1, 1, 0]  # one query for the article's links
    assert [types for _, _, types in few] == [0, 0, 0, 0, 3]  # link_types_of only when Link asks for its choices
    for quote, source in pairs[1:]:
        create_link(article, LinkSpec(quote.pk, source.pk, "said_by"), author=author)
    for source in (pairs[1][1], pairs[2][1]):  # more links at the selected annotation itself
        create_link(article, LinkSpec(selected.pk, source.pk, "said_by"), author=author)
    for (each, headers), (total, _, _) in zip(requests, few, strict=True):
        with django_assert_num_queries(total):
            response = client.get(each, **headers)
        assert response.status_code == 200
    assert len(lines(client.get(url, {"selected": selected.pk}))) == 3
    assert len(link_map(client.get(url))) == 42
