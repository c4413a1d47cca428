"""Article text: newsmon's extraction against trafilatura's own ``extract()`` on the same bytes.

Pages: ``tests/crawler/extraction/{tune,held}/*.html``, written to imitate the
hard cases of real news sites — live blogs, galleries, paywalled teasers,
comment-heavy pages, text only in JSON-LD, standfirsts in the page's
``<header>``, bylines, related-links boxes — in English, French, German and
Spanish, and pages imitating real makes of news site (WordPress themes, Arc
XP's inline Fusion state, Next.js's ``__NEXT_DATA__``, AMP, Substack, Medium,
wire copy in regional papers, press-release portals). Beside each page,
``*.txt`` holds the expected title (first line), optionally lines
``published: <ISO 8601>``, ``language: <ISO 639-1>`` and ``zone: <IANA
name>`` (the source's time zone, for a date the page writes without an
offset), a blank line, then the main text as a reader would copy it, one
paragraph a line. The extractor was tuned on ``tune/`` only; ``held/`` was
written before the tuning and measures it (a new page goes to ``held/`` when
the first byte of the SHA-256 of its name is odd).

Score: token-level F1 of the text (words and numbers, case-folded, as a
multiset) against the expected text; a line equal to the page's title is not
text, for either extractor. Baseline, in the same run: ``trafilatura.extract``
with its defaults on the same HTML. Reported per page and per half, as mean
F1 and the ratio newsmon / trafilatura (target ≥ 1.0× on the held-out half),
with the title exact-match rate, the published dates exact (to the second,
of the pages that state one), the languages right (as the pipeline detects
them: title and text, the page's ``lang`` a hint) and the time per page.

Run: ``python -m benchmarks extraction`` (or ``make bench``).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import trafilatura

from crawler.extract import extract_page
from crawler.language import detect_language

PAGES = Path(__file__).resolve().parents[1] / "tests" / "crawler" / "extraction"
HALVES = ("tune", "held")
TARGET = 1.0
_TOKEN = re.compile(r"\w+")
T = TypeVar("T")


@dataclass(frozen=True)
class Golden:
    name: str
    html: str
    title: str
    text: str
    published: datetime | None = None
    language: str | None = None
    zone: tzinfo = UTC


@dataclass(frozen=True)
class Score:
    newsmon: float
    trafilatura: float
    title_ok: bool
    date_ok: bool | None  # None: the golden states no date
    language_ok: bool | None
    newsmon_ms: float
    trafilatura_ms: float


def goldens(half: str) -> list[Golden]:
    """The pages of one half with their expected title and text."""
    found = []
    for page in sorted((PAGES / half).glob("*.html")):
        head, _, text = page.with_suffix(".txt").read_text(encoding="utf-8").partition("\n\n")
        title, *lines = head.strip().splitlines()
        fields = dict(line.split(": ", 1) for line in lines)
        published = datetime.fromisoformat(fields["published"]) if "published" in fields else None
        zone = ZoneInfo(fields["zone"]) if "zone" in fields else UTC
        html, language = page.read_text(encoding="utf-8"), fields.get("language")
        found.append(Golden(page.stem, html, title.strip(), text.strip(), published, language, zone))
    return found


def f1(found: str, expected: str) -> float:
    """Token-level F1: words and numbers, case-folded, counted as a multiset."""
    got, want = Counter(_TOKEN.findall(found.casefold())), Counter(_TOKEN.findall(expected.casefold()))
    common = sum((got & want).values())
    if not common:
        return 1.0 if not got and not want else 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def without_title(text: str, title: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.strip().casefold() != title.casefold())


def score(golden: Golden) -> Score:
    page, newsmon_ms = _timed(lambda: extract_page(golden.html, golden.zone))
    theirs, trafilatura_ms = _timed(lambda: trafilatura.extract(golden.html) or "")
    published = page.published.replace(microsecond=0) if page.published else None
    language = detect_language(f"{page.title}\n{page.text}", [page.language])
    return Score(
        newsmon=f1(without_title(page.text, golden.title), golden.text),
        trafilatura=f1(without_title(theirs, golden.title), golden.text),
        title_ok=page.title == golden.title,
        date_ok=None if golden.published is None else published == golden.published,
        language_ok=None if golden.language is None else language == golden.language,
        newsmon_ms=newsmon_ms,
        trafilatura_ms=trafilatura_ms,
    )


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - started) * 1000


def report(half: str) -> float:
    """Print one half's scores; return the ratio of mean F1s (newsmon / trafilatura)."""
    pages = goldens(half)
    scores = [score(g) for g in pages]
    print(f"{half}: {len(pages)} pages")
    print(f"  {'page':<28} {'newsmon F1':>10} {'trafilatura F1':>15}")
    for golden, result in zip(pages, scores, strict=True):
        checks = {"title": result.title_ok, "date": result.date_ok, "language": result.language_ok}
        misses = [what for what, ok in checks.items() if ok is False]
        note = f"  ({', '.join(misses)} wrong)" if misses else ""
        print(f"  {golden.name:<28} {result.newsmon:>10.3f} {result.trafilatura:>15.3f}{note}")
    ours = sum(s.newsmon for s in scores) / len(scores)
    theirs = sum(s.trafilatura for s in scores) / len(scores)
    titles = sum(s.title_ok for s in scores)
    dated = [s.date_ok for s in scores if s.date_ok is not None]
    languages = [s.language_ok for s in scores if s.language_ok is not None]
    ms_ours = sum(s.newsmon_ms for s in scores) / len(scores)
    ms_theirs = sum(s.trafilatura_ms for s in scores) / len(scores)
    print(
        f"  mean F1 newsmon {ours:.3f}, trafilatura {theirs:.3f}: {ours / theirs:.3f}x;"
        f" titles exact {titles}/{len(scores)}; dates exact {sum(dated)}/{len(dated)};"
        f" languages {sum(languages)}/{len(languages)}; {ms_ours:.1f} ms vs {ms_theirs:.1f} ms a page"
    )
    return ours / theirs


def main() -> int:
    extract_page("<html><body><p>warm-up</p></body></html>")  # imports and caches out of the timings
    ratios = {half: report(half) for half in HALVES}
    held = ratios["held"]
    print(f"newsmon's text F1 is {held:.3f}x trafilatura's on the held-out pages (target ≥ {TARGET:.1f}x)")
    return 0 if held >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
