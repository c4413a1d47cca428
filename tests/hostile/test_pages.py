"""Hostile article pages: each costs about what an ordinary page of its size costs."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from functools import partial

import pytest

from crawler.crowding import MAX_ELEMENTS, MAX_INLINE
from crawler.extract import MAX_ATTRIBUTES, PageContent, extract_page

PARAGRAPH = "<p>" + "Microsoft invests in OpenAI, according to people familiar with the matter. " * 5 + "</p>"


def page(body: str, head: str = "<title>Microsoft invests in OpenAI</title>") -> str:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body><article>{body}</article></body></html>"


def cpu(extract: Callable[[], PageContent]) -> tuple[float, PageContent]:
    started = time.process_time()
    content = extract()
    return max(time.process_time() - started, 1e-3), content


def test_a_tag_with_thousands_of_attributes_costs_what_its_size_does() -> None:
    # libxml2 compares each attribute with every one before it: 8,000 cost 0.6 s, 200,000 minutes.
    crowded = " ".join(f'a{n}="x"' for n in range(50_000))
    hostile = page(f"<div {crowded}>{PARAGRAPH * 4}</div>")
    ordinary = page(PARAGRAPH * (len(hostile) // len(PARAGRAPH)))
    hostile_seconds, content = cpu(lambda: extract_page(hostile))
    ordinary_seconds, _ = cpu(lambda: extract_page(ordinary))
    assert "Microsoft invests in OpenAI" in content.text
    assert hostile_seconds < 5 * ordinary_seconds, (hostile_seconds, ordinary_seconds)


def test_tags_with_few_attributes_keep_them() -> None:
    attributes = " ".join(f'data-a{n}="x"' for n in range(MAX_ATTRIBUTES - 2))
    canonical = f'<link rel="canonical" {attributes} href="https://news.example.org/a">'
    content = extract_page(page(PARAGRAPH * 4, head=f"<title>t</title>{canonical}").encode())
    assert content.canonical == "https://news.example.org/a"
    assert "Microsoft invests in OpenAI" in content.text


def test_a_crowded_canonical_link_loses_its_attributes_only() -> None:
    attributes = " ".join(f'data-a{n}="x"' for n in range(MAX_ATTRIBUTES + 1))
    canonical = f'<link rel="canonical" {attributes} href="https://news.example.org/a">'
    content = extract_page(page(PARAGRAPH * 4, head=f"<title>Deal</title>{canonical}"))
    assert content.canonical is None
    assert content.title == "Deal"
    assert "Microsoft invests in OpenAI" in content.text


def test_json_ld_nested_too_deep_is_skipped_and_the_page_read() -> None:
    # A RecursionError from json.loads: the article was lost.
    # Earlier tests' garbage is finalised here, not at the recursion limit: Twisted's Deferreds log their
    # unhandled errors from __del__, which cannot format a traceback that deep (crawls collect rarely).
    gc.collect()
    for depth in (900, 100_000):
        script = '<script type="application/ld+json">' + "[" * depth + "]" * depth + "</script>"
        content = extract_page(page(PARAGRAPH * 4, head=f"<title>Deal</title>{script}"))
        assert content.title == "Deal"
        assert "Microsoft invests in OpenAI" in content.text


def _hostile_shapes() -> dict[str, str]:
    return {
        "empty-divs": page("<div></div>" * 100_000 + PARAGRAPH * 4),
        "spans-in-a-paragraph": page(PARAGRAPH * 4 + "<p>" + "<span>w</span> " * 30_000 + "</p>"),
        "links": page(PARAGRAPH * 4 + "".join(f'<a href="/a{n}">l{n}</a> ' for n in range(30_000))),
        "table": page(PARAGRAPH * 4 + "<table>" + ("<tr>" + "<td>x</td>" * 300 + "</tr>") * 300 + "</table>"),
        "line-breaks": page(PARAGRAPH * 4 + "<p>" + "w<br>" * 100_000 + "</p>"),
        "list-items": page(PARAGRAPH * 4 + "<ul>" + "<li>w</li>" * 50_000 + "</ul>"),
        "empty-inline-with-text": page(PARAGRAPH * 4 + "<div>" + "<i></i>w " * 60_000 + "</div>"),
    }


@pytest.mark.parametrize("shape", sorted(_hostile_shapes()))
def test_an_element_heavy_page_costs_at_most_a_few_ordinary_pages_of_its_size(shape: str) -> None:
    # 100,000 empty <div>s cost 24 times an ordinary page per byte (12 s), 8,000 <span>s in one
    # paragraph 3.4 s and 50,000 minutes (trafilatura is quadratic in a block's inline elements).
    hostile = _hostile_shapes()[shape]
    ordinary = page(PARAGRAPH * (len(hostile) // len(PARAGRAPH)))
    hostile_seconds, content = cpu(lambda: extract_page(hostile))
    ordinary_seconds, _ = cpu(lambda: extract_page(ordinary))
    assert "Microsoft invests in OpenAI" in content.text
    assert hostile_seconds < 8 * ordinary_seconds, (hostile_seconds, ordinary_seconds)


def test_an_element_heavy_page_keeps_its_article_and_its_date() -> None:
    head = '<title>Deal</title><meta property="article:published_time" content="2024-03-12T06:45:00+00:00">'
    body = (
        PARAGRAPH * 4 + "<div></div>" * (MAX_ELEMENTS + 10) + "<p>" + "<b>w</b> " * (MAX_INLINE + 1) + "</p>"
    )
    content = extract_page(page(body, head=head))
    assert content.title == "Deal"
    assert content.published is not None and content.published.isoformat() == "2024-03-12T06:45:00+00:00"
    assert content.text.startswith(extract_page(page(PARAGRAPH * 4, head=head)).text)
    assert content.text.endswith(" w" * MAX_INLINE)  # the crowded paragraph, as its text


def test_an_app_state_nested_too_deep_or_too_big_is_bounded() -> None:
    gc.collect()  # as above: no finaliser runs at the recursion limit
    deep = '<script id="__NEXT_DATA__" type="application/json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    content = extract_page(page(PARAGRAPH * 4 + deep, head="<title>Deal</title>"))
    assert "Microsoft invests in OpenAI" in content.text
    block = '{"type": "paragraph", "children": [{"text": "Microsoft invests in OpenAI, people say."}]}'
    state = 'window.__INITIAL_STATE__ = {"body": [' + ", ".join([block] * 50_000) + "]};"
    unclosed = "window.__STATE__ = [" * 100_000  # each decode could read to the script's end
    for scripts, opening in (
        (f"{state}</script><script>{unclosed}", "Microsoft invests in OpenAI, people say."),
        (f"{unclosed}</script><script>{state}", "Loading"),  # past the states a page may have: not read
    ):
        hostile = page(f"<p>Loading</p><script>{scripts}</script>")
        ordinary = page(PARAGRAPH * (len(hostile) // len(PARAGRAPH)))
        hostile_seconds, content = cpu(partial(extract_page, hostile))
        ordinary_seconds, _ = cpu(partial(extract_page, ordinary))
        assert content.text.startswith(opening)
        assert hostile_seconds < 5 * ordinary_seconds, (hostile_seconds, ordinary_seconds)
