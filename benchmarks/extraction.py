"""Article text: newsmon's extraction against trafilatura's own ``extract()`` on the same bytes.

Pages: ``tests/crawler/extraction/{tune,held}/*.html``, written to imitate the
hard cases of real news sites — live blogs, galleries, paywalled teasers,
comment-heavy pages, text only in JSON-LD, standfirsts in the page's
``<header>``, bylines, related-links boxes — in English, French, German and
Spanish. Beside each page, ``*.txt`` holds the expected title (first line),
a blank line, then the main text as a reader would copy it, one paragraph a
line. The extractor was tuned on ``tune/`` only; ``held/`` was written
before the tuning and measures it.

Score: token-level F1 of the text (words and numbers, case-folded, as a
multiset) against the expected text; a line equal to the page's title is not
text, for either extractor. Baseline, in the same run: ``trafilatura.extract``
with its defaults on the same HTML. Reported per page and per half, as mean
F1 and the ratio newsmon / trafilatura (target ≥ 1.0× on the held-out half),
with the title exact-match rate and the time per page.

Run: ``python -m benchmarks extraction`` (or ``make bench``).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import trafilatura

from crawler.extract import extract_page

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


@dataclass(frozen=True)
class Score:
    newsmon: float
    trafilatura: float
    title_ok: bool
    newsmon_ms: float
    trafilatura_ms: float


def goldens(half: str) -> list[Golden]:
    """The pages of one half with their expected title and text."""
    found = []
    for page in sorted((PAGES / half).glob("*.html")):
        title, _, text = page.with_suffix(".txt").read_text(encoding="utf-8").partition("\n\n")
        found.append(Golden(page.stem, page.read_text(encoding="utf-8"), title.strip(), text.strip()))
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
    page, newsmon_ms = _timed(lambda: extract_page(golden.html))
    theirs, trafilatura_ms = _timed(lambda: trafilatura.extract(golden.html) or "")
    return Score(
        newsmon=f1(without_title(page.text, golden.title), golden.text),
        trafilatura=f1(without_title(theirs, golden.title), golden.text),
        title_ok=page.title == golden.title,
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
        title = "" if result.title_ok else "  (title differs)"
        print(f"  {golden.name:<28} {result.newsmon:>10.3f} {result.trafilatura:>15.3f}{title}")
    ours = sum(s.newsmon for s in scores) / len(scores)
    theirs = sum(s.trafilatura for s in scores) / len(scores)
    titles = sum(s.title_ok for s in scores)
    ms_ours = sum(s.newsmon_ms for s in scores) / len(scores)
    ms_theirs = sum(s.trafilatura_ms for s in scores) / len(scores)
    print(
        f"  mean F1 newsmon {ours:.3f}, trafilatura {theirs:.3f}: {ours / theirs:.3f}x;"
        f" titles exact {titles}/{len(scores)}; {ms_ours:.1f} ms vs {ms_theirs:.1f} ms a page"
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
