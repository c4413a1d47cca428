"""Extraction, field merging, language and lead on realistic pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.extract import extract_page
from crawler.language import detect_language
from crawler.merge import choose_title, choose_url
from crawler.text import html_to_text, lead, truncate

PAGES = Path(__file__).parent / "pages"
A = "https://a.example.com"
SITE = Path(__file__).parent / "site"


def test_a_german_news_page_keeps_its_body_and_drops_the_furniture() -> None:
    page = extract_page((PAGES / "de-article.html").read_text(encoding="utf-8"))
    assert page.title == "Bahn testet Wasserstoffzug im Harz"
    assert page.authors == ("Katrin Vogel",)
    assert page.published == datetime(2024, 3, 4, 5, 12, tzinfo=UTC)
    assert page.canonical == "https://nachrichten-nord.example.de/regional/wasserstoffzug-harz"  # og:url
    assert page.language == "de"
    assert page.description.startswith("Auf der Strecke zwischen Goslar")
    assert page.text.startswith("Auf der Strecke zwischen Goslar und Bad Harzburg")
    assert "Batteriezüge seien auf kurzen Strecken" in page.text
    for furniture in (
        "Cookie",
        "Anzeige",
        "Artikel teilen",
        "Mehr zum Thema",
        "Meistgelesen",
        "Newsletter",
        "Rechte",
    ):
        assert furniture not in page.text
    assert detect_language(page.text) == "de"


def test_a_french_page_with_boilerplate() -> None:
    html = (SITE / "fr/2024/03/satellite-glaciers.html").read_text(encoding="utf-8")
    page = extract_page(html)
    assert page.canonical == "/fr/2024/03/satellite-glaciers.html"  # as written: the pipeline resolves it
    assert page.text.startswith("Depuis son orbite")  # the title line is not part of the text
    assert "Copernicus" in page.text
    for furniture in (
        "Tous droits réservés",
        "Gérer les cookies",
        "Inscrivez-vous",
        "À lire aussi",
        "Partager",
    ):
        assert furniture not in page.text


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<html></html>",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        "<html><body><nav>Menu</nav></body></html>",  # the fallbacks find no article in a menu either
    ],
)
def test_pages_without_an_article_give_empty_text(body: str | bytes) -> None:
    assert extract_page(body).text == ""


@pytest.mark.parametrize(
    ("page", "feed", "chosen"),
    [
        ("Title", "Title", "Title"),
        ("Title - Site name", "Title", "Title"),  # the feed's is a prefix: the page adds the site's name
        ("Full title of the story", "Full title of…", "Full title of the story"),  # a cut feed title
        ("", "Feed title", "Feed title"),
        ("Page title", "", "Page title"),
        ("Welcome to Example News", "Minister resigns over budget", "Minister resigns over budget"),
        (
            "Minister resigns over the budget row",
            "Minister resigns over budget",
            "Minister resigns over the budget row",
        ),
    ],
)
def test_choose_title(page: str, feed: str, chosen: str) -> None:
    assert choose_title(page, feed) == chosen


@pytest.mark.parametrize(
    ("entry", "page_url", "canonical", "chosen"),
    [
        (f"{A}/x?utm_source=rss", f"{A}/x?utm_source=rss", None, f"{A}/x"),
        (f"{A}/x", f"{A}/x", "/y", f"{A}/y"),  # a relative canonical
        (f"{A}/x", "https://www.a.example.com/x", f"{A}/x/", f"{A}/x"),  # same site, other host
        (f"{A}/x", f"{A}/x", "https://other.example.org/x", f"{A}/x"),  # cross-site: refused
        (f"{A}/x", f"{A}/x", f"{A}/", f"{A}/x"),  # the home page: refused
        (f"{A}/x", f"{A}/moved", None, f"{A}/moved"),  # after a redirect
        (f"{A}/x", None, None, f"{A}/x"),  # the page was never fetched
    ],
)
def test_choose_url(entry: str, page_url: str | None, canonical: str | None, chosen: str) -> None:
    assert choose_url(entry, page_url, canonical) == chosen


@pytest.mark.parametrize(
    ("text", "hints", "language"),
    [
        ("Le partenariat entre les deux sociétés se poursuit, selon un communiqué publié lundi.", (), "fr"),
        ("The company said on Tuesday that it had raised new funding from investors.", ("fr",), "en"),
        ("OpenAI", ("en",), "en"),  # too short: the hint decides
        ("OpenAI", (), None),
        ("Microsoft investit dans OpenAI", ("fr",), "fr"),  # ambiguous: a plausible hint wins
        ("Die Bundesregierung hat am Dienstag ein neues Gesetz zum Klimaschutz beschlossen.", ("en",), "de"),
        ("", ("es", "en"), "es"),
    ],
)
def test_detect_language(text: str, hints: tuple[str, ...], language: str | None) -> None:
    assert detect_language(text, hints) == language


def test_lead_is_the_first_paragraph_cut_at_a_word() -> None:
    assert lead("First paragraph.\nSecond one.") == "First paragraph."
    long = "word " * 200
    cut = lead(long)
    assert len(cut) <= 400 and cut.endswith("…") and cut[:-1].rstrip().endswith("word")
    assert lead("\n\n  \nAfter blank lines") == "After blank lines"
    assert truncate("short", 400) == "short"


def test_html_to_text() -> None:
    assert (
        html_to_text("<p>One <b>bold</b> move.</p><p>Two&nbsp;paragraphs.</p>")
        == "One bold move.\nTwo paragraphs."
    )
    assert html_to_text("Plain text, no markup") == "Plain text, no markup"
    assert html_to_text("<script>track()</script><p>Text</p>") == "Text"
    assert html_to_text("Fish &amp; chips") == "Fish & chips"
    assert html_to_text("") == ""
