"""Hostile article pages: each costs about what an ordinary page of its size costs."""

from __future__ import annotations

import time
from collections.abc import Callable

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
    for depth in (900, 100_000):
        script = '<script type="application/ld+json">' + "[" * depth + "]" * depth + "</script>"
        content = extract_page(page(PARAGRAPH * 4, head=f"<title>Deal</title>{script}"))
        assert content.title == "Deal"
        assert "Microsoft invests in OpenAI" in content.text
