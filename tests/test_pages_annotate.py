"""The annotate page: exact text with highlights, who sees what, hostile content, constant queries."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.annotation_write import create_annotations
from articles.models import Label, Visibility
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db

PAYLOADS = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> \"><svg onload=alert(1)> '><b>x</b> "
    "</textarea><script>alert(1)</script> </script><script>alert(1)</script> javascript:alert(1) "
    '<a href="#" hx-get="/api/v1/" hx-trigger="load" hx-target="body">x</a> <div hx-on:htmx:load="alert(1)">x</div> '
    "{{ 7*7 }} {% debug %} \u2028\u2029 &lt;script&gt; &amp; < >"
)


def page(client, article, **query):
    return client.get(reverse("article_annotate", args=[article.pk]), query)


def text_element(response):
    return lxml.html.fromstring(response.content).get_element_by_id("article-text")


def sidebar_ids(response) -> list[int]:
    tree = lxml.html.fromstring(response.content)
    return [int(item.get("data-ann")) for item in tree.find_class("ann-item")]


def test_the_text_in_the_page_is_exactly_the_article_text(client, team):
    text = "Line one.\n\n  Indented “quote” — café 👩🏽‍⚖️ 𝒳\nالعربية\tend\n"
    article = make_article(team["project"], text=text)
    make_annotation(article, team["annotator"], start=0, end=9)
    make_annotation(article, team["annotator"], label="quote", start=22, end=29)
    client.force_login(team["annotator"])
    element = text_element(page(client, article))
    assert element.text_content() == article.text
    marks = element.findall(".//mark")
    assert [mark.text_content() for mark in marks] == ["Line one.", "“quote”"]


def test_overlapping_annotations_render_as_nested_segments_with_all_labels(client, team, article):
    claim = make_annotation(article, team["annotator"], label="claim", start=0, end=20)
    quote = make_annotation(article, team["annotator"], label="quote", start=10, end=30)
    client.force_login(team["annotator"])
    marks = text_element(page(client, article)).findall(".//mark")
    assert [mark.get("data-ids") for mark in marks] == [str(claim.pk), f"{claim.pk} {quote.pk}", str(quote.pk)]
    assert marks[1].get("data-labels") == "claim quote"
    assert "depth-2" in marks[1].get("class") and "hl-quote" in marks[1].get("class")
    assert "Claim" in marks[1].get("title") and "Quote" in marks[1].get("title")


def test_hostile_text_notes_and_label_names_stay_text_xss_1_to_4(client, team):
    article = make_article(team["project"], text=f"Start. {PAYLOADS} End.", title=PAYLOADS)
    Label.objects.filter(project=team["project"], key="quote").update(
        name="</script><script>alert(1)</script>", description='"><img src=x onerror=alert(1)>'
    )
    start = article.text.index("<img")
    make_annotation(article, team["annotator"], label="quote", start=start, end=start + 26, note=PAYLOADS)
    client.force_login(team["annotator"])
    response = page(client, article)
    html = response.content.decode()
    element = text_element(response)
    assert element.text_content() == article.text
    assert [child.tag for child in element.iter()] == ["div", "span", "mark"]  # one text block, one highlight
    tree = lxml.html.fromstring(response.content)
    assert all(script.get("src") or script.get("type") == "application/json" for script in tree.iter("script"))
    assert not tree.xpath("//img | //svg | //*[@onerror] | //*[@onload] | //@*[starts-with(name(), 'hx-on')]")
    assert not tree.xpath("//*[@hx-trigger='load']")
    config = json.loads(tree.get_element_by_id("annotator-config").text)
    assert config["labels"][1]["name"] == "</script><script>alert(1)</script>"
    assert "{{ 7*7 }}" in html and "49" not in element.text_content()


def test_pages_carry_no_inline_scripts_styles_or_handlers_xss_7(client, team, article):
    make_annotation(article, team["annotator"], note="hello")
    client.force_login(team["annotator"])
    html = page(client, article, selected=article.annotations.get().pk).content.decode()
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"\shx-on", html)
    for script in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in script or 'type="application/json"' in script
    assert 'hx-history="false"' in html


def test_an_article_url_that_is_not_http_never_becomes_a_link_xss_1(client, team):
    article = make_article(team["project"], url="javascript:alert(1)")
    client.force_login(team["annotator"])
    assert b"javascript:alert(1)" not in page(client, article).content
    safe = make_article(team["project"], url="https://example.org/a")
    assert b'href="https://example.org/a" rel="noopener noreferrer nofollow"' in page(client, safe).content


def test_non_members_and_ex_members_get_404_everywhere_authz_1_and_7(client, team, article):
    annotation = make_annotation(article, team["annotator"])
    removed = team["annotator2"]
    team["project"].memberships.filter(user=removed).delete()
    urls = [
        reverse("article_annotate", args=[article.pk]),
        reverse("annotation_detail", args=[annotation.pk]),
    ]
    for user in (team["outsider"], removed):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(reverse("article_annotate", args=[article.pk + 10_000])).status_code == 404


def test_viewers_see_annotations_but_no_label_toolbar(client, team, article):
    make_annotation(article, team["annotator"], note="visible")
    client.force_login(team["viewer"])
    response = page(client, article, selected=article.annotations.get().pk)
    tree = lxml.html.fromstring(response.content)
    assert tree.find_class("ann-item")
    assert b'id="selection-toolbar"' not in response.content
    assert b'id="editor-form"' not in response.content
    assert b"Only its author or a reviewer can change this annotation." in response.content
    assert json.loads(tree.get_element_by_id("annotator-config").text)["canAnnotate"] is False


def test_mine_shows_only_the_users_own_annotations(client, team, article):
    own = make_annotation(article, team["annotator"])
    make_annotation(article, team["annotator2"], label="quote")
    client.force_login(team["annotator"])
    assert len(sidebar_ids(page(client, article))) == 2
    assert sidebar_ids(page(client, article, who="mine")) == [own.pk]


def test_independent_projects_hide_others_annotations_from_annotators(client, team, article):
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    own = make_annotation(article, team["annotator"])
    other = make_annotation(article, team["annotator2"], label="quote")
    client.force_login(team["annotator"])
    response = page(client, article)
    assert sidebar_ids(response) == [own.pk]
    assert b"you see only your own annotations" in response.content
    client.force_login(team["annotator"])
    assert client.get(reverse("annotation_detail", args=[other.pk]), HTTP_HX_REQUEST="true").status_code == 404
    client.force_login(team["reviewer"])
    assert sorted(sidebar_ids(page(client, article))) == sorted([own.pk, other.pk])


def test_hidden_labels_leave_the_text_and_list_but_keep_their_count(client, team, article):
    make_annotation(article, team["annotator"], label="claim")
    quote = make_annotation(article, team["annotator"], label="quote", start=10, end=20)
    client.force_login(team["annotator"])
    response = page(client, article, labels_shown="1", show=["quote", "source", "opinion"])
    assert sidebar_ids(response) == [quote.pk]
    assert [mark.get("data-labels") for mark in text_element(response).findall(".//mark")] == ["quote"]
    assert b"1 hidden by the label filter." in response.content


def test_htmx_gets_only_the_workspace_region(client, team, article):
    client.force_login(team["annotator"])
    response = client.get(reverse("article_annotate", args=[article.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="workspace"')
    assert "<html" not in html and 'id="article-text"' in html
    assert "HX-Request" in response["Vary"]


def test_editor_fragment_shows_the_label_fields_for_the_annotation(client, team, article):
    annotation = make_annotation(
        article,
        team["annotator"],
        label="source",
        attributes={"name": "Statistics office", "url": "https://stats.example"},
    )
    client.force_login(team["annotator"])
    response = client.get(reverse("annotation_detail", args=[annotation.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="annotation-editor"')
    assert 'name="attr-name"' in html and 'value="Statistics office"' in html
    assert 'type="url" name="attr-url"' in html
    assert f'name="version" value="{annotation.version}"' in html
    plain = client.get(reverse("annotation_detail", args=[annotation.pk]))
    assert plain.status_code == 302
    assert plain["Location"] == reverse("article_annotate", args=[article.pk]) + f"?selected={annotation.pk}"


def test_annotate_page_costs_the_same_queries_for_10_or_2000_annotations(client, team):
    """A 50,000-character article: the page and its htmx region do not query per annotation."""
    words = ("Officials said the budget would grow by four percent next year, " * 800)[:50_000]
    article = make_article(team["project"], text=words)
    labels = ["claim", "quote", "source", "opinion"]

    def add(count: int, offset: int) -> None:
        specs = [
            {"label": labels[i % 4], "start": (offset + i) * 24, "end": (offset + i) * 24 + 30 + i % 50}
            for i in range(count)
        ]
        for chunk in range(0, len(specs), 1000):
            create_annotations(article, specs[chunk : chunk + 1000], author=team["annotator"])

    client.force_login(team["annotator"])

    def measure(**headers) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("article_annotate", args=[article.pk]), **headers)
        assert response.status_code == 200
        highlighted = {i for mark in text_element(response).findall(".//mark") for i in mark.get("data-ids").split()}
        return len(queries), len(highlighted)

    add(10, 0)
    few, shown = measure()
    few_htmx, _ = measure(HTTP_HX_REQUEST="true")
    assert shown == 10
    add(1990, 10)
    many, shown = measure()
    assert shown == 2000
    # 9: one more than before suggestions, to ask whether the project runs a suggester (the annotator may
    # annotate here); none is switched on, so no suggestions are read (tests/test_pages_suggestions.py)
    assert many == few <= 9
    assert measure(HTTP_HX_REQUEST="true")[0] == few_htmx


def test_the_sidebar_lists_long_articles_a_page_at_a_time(client, team):
    article = make_article(team["project"], text="word " * 2000)
    specs = [{"label": "claim", "start": i * 5, "end": i * 5 + 4} for i in range(450)]
    created = create_annotations(article, specs, author=team["annotator"])
    client.force_login(team["annotator"])
    first = page(client, article)
    assert sidebar_ids(first) == [a.pk for a in created[:100]]
    assert "1–100 of 450, in text order" in " ".join(lxml.html.fromstring(first.content).text_content().split())
    around = page(client, article, selected=created[300].pk)
    assert sidebar_ids(around)[0] == created[260].pk and created[300].pk in sidebar_ids(around)
    later = client.get(
        reverse("article_annotate", args=[article.pk]),
        {"list_from": 400},  # the last page: 400-449
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="annotation-list",
    )
    html = later.content.decode()
    assert html.lstrip().startswith('<section id="annotation-list"') and 'id="article-text"' not in html
    assert sidebar_ids(later) == [a.pk for a in created[400:]]
    assert 'rel="prev"' in html and 'rel="next"' not in html
