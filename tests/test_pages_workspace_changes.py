"""A write's answer carries only what changed (out-of-band swaps), and applying it gives the page a fresh
render would give: the same highlighted text, and the same items on the sidebar page the browser shows."""

from __future__ import annotations

import random

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.annotation_write import create_annotations
from articles.highlighting import BLOCK
from articles.models import Annotation
from articles.views.workspace_list import LIST_WINDOW
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
OPEN = "*|*"  # the whole list is on the browser's page


def long_text(paragraphs: int = 12) -> str:
    sentence = "The minister said “taxes will fall” for 🚲 riders in Zoë's town, officials wrote. "
    return "\n\n".join(sentence * 9 for _ in range(paragraphs))


def workspace(client, article, **query) -> lxml.html.HtmlElement:
    response = client.get(reverse("article_annotate", args=[article.pk]), query, **HTMX)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def apply_changes(page: lxml.html.HtmlElement, body: bytes) -> None:
    """Apply the out-of-band swaps of an answer to `page` as htmx does: outerHTML by id, delete, or the
    element's children inserted before a target or at the end of one."""
    for element in lxml.html.fragments_fromstring(body.decode()):
        if isinstance(element, str) or element.get("hx-swap-oob") is None:
            continue
        how = element.attrib.pop("hx-swap-oob")
        style, _, selector = how.partition(":")
        if not selector:  # "true" or a bare style: the element's own id
            style, selector = ("outerHTML" if how == "true" else how), "#" + element.get("id")
        target = page.get_element_by_id(selector.removeprefix("#"))
        element.tail = None  # htmx swaps the element, not the text after it in the answer
        if style == "outerHTML":
            element.tail = target.tail
            target.addprevious(element)
            target.getparent().remove(target)
        elif style == "delete":
            target.tail = None
            target.getparent().remove(target)
        elif style == "beforebegin":
            for child in list(element):
                target.addprevious(child)
        elif style == "beforeend":
            target.extend(list(element))
        else:
            raise AssertionError(f"unexpected swap {how}")


def text_html(page: lxml.html.HtmlElement) -> str:
    return lxml.html.tostring(page.get_element_by_id("article-text"), encoding="unicode")


def listed_ids(page: lxml.html.HtmlElement) -> list[str]:
    return [item.get("data-ann") for item in page.get_element_by_id("ann-list").iter("a")]


def post(client, name: str, pk: int, data: dict, bounds: str):
    return client.post(reverse(name, args=[pk]), {**data, "list_bounds": bounds}, **HTMX)


@pytest.fixture
def long_article(team):
    article = make_article(team["project"], text=long_text())
    words = [index + 1 for index, char in enumerate(article.text) if char == " "]
    specs = [
        {"label": ("claim", "quote")[n % 2], "start": words[3 * n], "end": words[3 * n + 2] - 1} for n in range(60)
    ]
    create_annotations(article, specs, author=team["annotator"])
    return article


def test_a_create_answers_with_its_blocks_item_counts_editor_and_notices_only(client, team, long_article):
    client.force_login(team["annotator"])
    before = workspace(client, long_article)
    start = long_article.text.index("officials", 2000)
    response = post(
        client, "annotation_create", long_article.pk, {"label": "source", "start": start, "end": start + 9}, OPEN
    )
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    created = Annotation.objects.get(label__key="source")
    answer = lxml.html.fromstring("<div>" + response.content.decode() + "</div>")
    blocks = answer.xpath("./span[@class='tb']")
    assert len(blocks) == 1 and f'data-ids="{created.pk}"' in lxml.html.tostring(blocks[0], encoding="unicode")
    assert len(response.content) < 2 * BLOCK * 12  # a block of highlights, one item, the editor: not the page
    notices = answer.get_element_by_id("notices")
    assert (notices.get("data-selected"), notices.get("data-created")) == (str(created.pk), str(created.pk))
    assert answer.get_element_by_id("annotation-editor").get("data-ann") == str(created.pk)
    assert "61" in answer.get_element_by_id("list-head").text_content()
    apply_changes(before, response.content)
    after = workspace(client, long_article)
    assert text_html(before) == text_html(after)
    assert listed_ids(before) == listed_ids(after)


def test_a_plain_htmx_write_without_the_list_page_gets_the_whole_workspace(client, team, article):
    client.force_login(team["annotator"])
    start = article.text.index("taxes will fall")
    response = client.post(
        reverse("annotation_create", args=[article.pk]),
        {"label": "claim", "start": start, "end": start + 15},
        **HTMX,
    )
    assert response.status_code == 200 and "HX-Reswap" not in response
    assert response.content.decode().lstrip().startswith('<div id="workspace"')


@pytest.mark.parametrize("bounds", ["", "1|2", "a:b:c|*", "1:2|*", "99999999999:1:1|*", "*|*|*"])
def test_unreadable_list_bounds_fall_back_to_the_whole_workspace(client, team, article, bounds):
    client.force_login(team["annotator"])
    response = post(client, "annotation_create", article.pk, {"label": "claim", "start": 0, "end": 7}, bounds)
    assert response.status_code == 200 and "HX-Reswap" not in response
    assert Annotation.objects.count() == 1


def test_refusals_still_answer_with_the_whole_workspace(client, team, article):
    client.force_login(team["annotator"])
    response = post(
        client, "annotation_create", article.pk, {"label": "claim", "start": 0, "end": 7, "quote": "x"}, OPEN
    )
    assert response.status_code == 422 and "HX-Reswap" not in response
    assert 'id="workspace"' in response.content.decode()


def test_edit_in_place_replaces_the_item_and_a_moved_span_moves_it(client, team, long_article):
    client.force_login(team["annotator"])
    first, second = Annotation.objects.in_text_order()[:2]
    page = workspace(client, long_article)
    relabel = post(
        client, "annotation_update", first.pk, {"label": "opinion", "version": first.version, "note": "n"}, OPEN
    )
    assert f'<li id="ann-li-{first.pk}" hx-swap-oob="true">' in relabel.content.decode()
    apply_changes(page, relabel.content)
    first.refresh_from_db()
    moved = post(
        client,
        "annotation_update",
        first.pk,
        {"label": "opinion", "version": first.version, "note": "n", "start": second.start + 1, "end": second.end},
        OPEN,
    )
    assert moved.status_code == 200
    body = moved.content.decode()
    assert f'id="ann-li-{first.pk}" hx-swap-oob="delete"' in body and 'hx-swap-oob="beforebegin:#ann-li-' in body
    apply_changes(page, moved.content)
    fresh = workspace(client, long_article)
    assert text_html(page) == text_html(fresh) and listed_ids(page) == listed_ids(fresh)


def test_delete_removes_the_item_and_restore_brings_it_back(client, team, long_article):
    client.force_login(team["annotator"])
    victim = Annotation.objects.in_text_order()[5]
    page = workspace(client, long_article)
    deleted = post(client, "annotation_delete", victim.pk, {"version": victim.version}, OPEN)
    assert deleted.status_code == 200 and "Undo" in deleted.content.decode()
    apply_changes(page, deleted.content)
    assert str(victim.pk) not in listed_ids(page)
    restored = client.post(
        reverse("annotation_restore", args=[long_article.pk, victim.pk]), {"list_bounds": OPEN}, **HTMX
    )
    apply_changes(page, restored.content)
    fresh = workspace(client, long_article)
    assert text_html(page) == text_html(fresh) and listed_ids(page) == listed_ids(fresh)


def test_on_a_paged_list_only_items_inside_the_shown_page_change(client, team):
    article = make_article(team["project"], text=long_text(40))
    words = [index + 1 for index, char in enumerate(article.text) if char == " "]
    count = LIST_WINDOW + 30
    create_annotations(
        article,
        [{"label": "claim", "start": words[n], "end": words[n + 1] - 1} for n in range(count)],
        author=team["owner"],
    )
    client.force_login(team["annotator"])
    page = workspace(client, article)  # the first page: items 1-100
    bounds = page.get_element_by_id("annotation-list").get("data-bounds")
    assert bounds.startswith("*|")
    late = words[count + 5]
    outside = post(client, "annotation_create", article.pk, {"label": "quote", "start": late, "end": late + 3}, bounds)
    assert "ann-list" not in outside.content.decode() and "ann-li-" not in outside.content.decode()
    early = post(client, "annotation_create", article.pk, {"label": "quote", "start": 0, "end": 3}, bounds)
    apply_changes(page, outside.content)
    apply_changes(page, early.content)
    assert listed_ids(page)[0] == str(Annotation.objects.get(start=0).pk)
    assert len(listed_ids(page)) == LIST_WINDOW + 1
    assert f"1–{LIST_WINDOW + 1} of {count + 2}" in page.get_element_by_id("list-head").text_content()
    assert text_html(page) == text_html(workspace(client, article))


def test_random_writes_keep_the_page_equal_to_a_fresh_render(client, team, long_article):
    """Thirty creates, edits, deletes and restores at random places: after each, the page patched with the
    answer shows the same text and the same list as a fresh render."""
    client.force_login(team["annotator"])
    rng = random.Random(12)
    page = workspace(client, long_article)
    words = [index + 1 for index, char in enumerate(long_article.text) if char == " "]
    deleted: list[int] = []
    for _ in range(30):
        mine = list(Annotation.objects.filter(author=team["annotator"]))
        choice = rng.choice(["create", "create", "edit", "delete", "restore"])
        if choice == "create" or not mine:
            first = rng.randrange(len(words) - 6)
            data = {"label": rng.choice(["claim", "quote", "source"]), "start": words[first]}
            data["end"] = words[first + rng.randint(1, 5)] - 1
            response = post(client, "annotation_create", long_article.pk, data, OPEN)
        elif choice == "edit":
            target = rng.choice(mine)
            first = rng.randrange(len(words) - 6)
            data = {"label": "opinion", "version": target.version, "note": "", "start": words[first]}
            data["end"] = words[first + 2] - 1
            response = post(client, "annotation_update", target.pk, data, OPEN)
        elif choice == "delete":
            target = rng.choice(mine)
            deleted.append(target.pk)
            response = post(client, "annotation_delete", target.pk, {"version": target.version}, OPEN)
        else:
            if not deleted:
                continue
            response = client.post(
                reverse("annotation_restore", args=[long_article.pk, deleted.pop()]), {"list_bounds": OPEN}, **HTMX
            )
        if response.status_code != 200:  # a duplicate span: refused with the whole workspace
            page = lxml.html.fromstring(response.content.decode())
            continue
        apply_changes(page, response.content)
        fresh = workspace(client, long_article)
        assert text_html(page) == text_html(fresh), choice
        assert listed_ids(page) == listed_ids(fresh), choice


def test_a_create_answer_costs_the_same_queries_however_many_annotations(client, team):
    client.force_login(team["annotator"])
    counts = []
    for extra in (0, 150):
        article = make_article(team["project"], text=long_text(20 + extra))
        for n in range(extra):
            make_annotation(article, author=team["owner"], start=n * 3, end=n * 3 + 2)
        post(client, "annotation_create", article.pk, {"label": "claim", "start": 0, "end": 3}, OPEN)  # warm up
        with CaptureQueriesContext(connection) as queries:
            response = post(client, "annotation_create", article.pk, {"label": "quote", "start": 0, "end": 3}, OPEN)
        assert response.status_code == 200
        counts.append(len(queries))
    # session, user, article with role, label, the insert (with its history), labels, rows, the page's few in
    # full, own work: 11 on PostgreSQL (one statement stores an annotation), 12 on SQLite (two)
    assert counts[0] == counts[1] <= 12, counts
