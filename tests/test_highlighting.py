"""Highlighting: segments cover the text exactly once and carry exactly the spans covering them."""

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from articles.highlighting import Span, render_html, segments

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=120)


@st.composite
def text_with_spans(draw):
    text = draw(texts)
    spans = []
    for number in range(draw(st.integers(0, 12))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(Span(id=number, start=start, end=end, label=draw(st.sampled_from(["claim", "quote"]))))
    return text, spans


@given(text_with_spans())
def test_segments_concatenate_to_the_text(case):
    text, spans = case
    parts = segments(text, spans)
    assert "".join(part.text for part in parts) == text
    assert all(part.start < part.end for part in parts)
    assert [p.end for p in parts[:-1]] == [p.start for p in parts[1:]]


@given(text_with_spans())
def test_each_code_point_is_covered_by_exactly_the_spans_containing_it(case):
    text, spans = case
    for part in segments(text, spans):
        for position in range(part.start, part.end):
            expected = {span.id for span in spans if span.start <= position < span.end}
            assert {span.id for span in part.spans} == expected


@given(text_with_spans())
def test_segment_spans_are_ordered_outermost_first(case):
    text, spans = case
    for part in segments(text, spans):
        keys = [(span.start, -span.end) for span in part.spans]
        assert keys == sorted(keys)


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


@given(text_with_spans())
def test_rendered_html_escapes_any_text_and_keeps_it_exactly(case):
    """XSS-2: whatever the text holds, the only elements are our <mark>s and the text survives."""
    text, spans = case
    html = render_html(segments(text, spans))
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    assert set(parser.tags) <= {"mark"}
    assert "".join(parser.text) == text


def test_hostile_text_renders_literally():
    text = "<script>alert(1)</script> & <img src=x onerror=alert(1)>"
    html = render_html(segments(text, [Span(1, 0, 8, "claim", title='"><svg onload=alert(1)>')]))
    assert "<script>" not in html and "<img" not in html and "<svg" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html


def test_nested_spans_split_into_three_segments():
    parts = segments("abcdef", [Span(1, 0, 6, "quote"), Span(2, 2, 4, "claim")])
    assert [(p.text, [s.id for s in p.spans]) for p in parts] == [("ab", [1]), ("cd", [1, 2]), ("ef", [1])]
