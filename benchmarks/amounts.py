"""Amounts benchmark: speed of ``alerts.events.amounts.find_amounts`` and how well it reads amounts.

Speed — every sentence of the event set's development half and of the labelled topic
articles (``tests/alerts/labelled/``), most without any amount, read by ``find_amounts``
with their language; baseline in the same run: natura's ``Finder.findall`` (an English
money finder) over the same sentences. CPU time of this process (``time.process_time``),
so that other processes sharing the machine do not count. Target: 20,000 sentences/s.

Quality — the phrases of ``tests/alerts/events/amount_phrases.jsonl`` read exactly (value,
currency, lower bound, range), and the deal amounts labelled in the event set
(``amount_usd``) found within 25 % in their item's text, on both halves.

Run: ``python -m benchmarks amounts`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from alerts.events.amounts import Amount, find_amounts
from benchmarks.eventset import load

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ROOT / "tests" / "alerts" / "events" / "amount_phrases.jsonl"
LABELLED = ROOT / "tests" / "alerts" / "labelled"
TARGET_PER_S = 20_000
ROUNDS = 5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"“])")


def sentences() -> list[tuple[str, str]]:
    found = []
    for item in load("dev"):
        text = f"{item.title}. {item.text}" if item.title else item.text
        found += [(s, item.lang) for s in _SENTENCE_END.split(text)]
    for path in sorted(LABELLED.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            article = json.loads(line)
            for paragraph in [article["title"], *article["paragraphs"]]:
                found += [(s, path.stem) for s in _SENTENCE_END.split(paragraph)]
    return found


def per_second(
    read: Callable[[str, str], object], corpus: Sequence[tuple[str, str]], rounds: int = ROUNDS
) -> float:
    """Best of a few rounds: the least disturbed by the machine's other work."""
    best = math.inf
    for _ in range(rounds):
        started = time.process_time()
        for text, language in corpus:
            read(text, language)
        best = min(best, time.process_time() - started)
    return len(corpus) / best


def speed_report() -> bool:
    from natura import Finder

    corpus = sentences()
    with_amount = [(text, language) for text, language in corpus if find_amounts(text, language)]
    finder = Finder()
    ours = per_second(find_amounts, corpus)
    # natura is slow: one round over a sample is enough for a ratio.
    theirs = per_second(lambda text, _language: finder.findall(text), corpus[::5], rounds=1)
    only = per_second(find_amounts, with_amount)
    print(f"{len(corpus)} sentences ({len(with_amount)} with an amount), CPU time, best of {ROUNDS} rounds")
    print(f"  find_amounts        {ours:>10,.0f} sentences/s   (target {TARGET_PER_S:,})")
    print(
        f"  natura (baseline)   {theirs:>10,.0f} sentences/s   -> find_amounts is {ours / theirs:.0f}x faster"
    )
    print(f"  find_amounts, only sentences holding an amount: {only:,.0f}/s")
    return ours >= TARGET_PER_S


def _same(amount: Amount, want: dict[str, Any]) -> bool:
    return (
        math.isclose(amount.value, want["value"], rel_tol=1e-9)
        and amount.currency == want["currency"]
        and amount.lower_bound == want.get("lower_bound", False)
        and (amount.upper or 0.0) == want.get("upper", 0.0)
    )


def quality_report() -> None:
    phrases = [json.loads(line) for line in PHRASES.read_text("utf-8").splitlines() if line.strip()]
    exact = 0
    for phrase in phrases:
        want = [] if phrase["expected"] == "none" else phrase["expected"]
        got = find_amounts(phrase["text"], phrase["lang"])
        exact += len(got) == len(want) and all(_same(a, w) for a, w in zip(got, want, strict=True))
    print(f"phrases read exactly: {exact} of {len(phrases)}")
    for half in ("dev", "heldout"):
        labelled = [(item, item.amount_usd) for item in load(half) if item.amount_usd is not None]
        found = 0
        for item, usd in labelled:
            text = f"{item.title}. {item.text}" if item.title else item.text
            found += any(abs(a.usd - usd) <= 0.25 * usd for a in find_amounts(text, item.lang))
        print(f"event set, {half}: deal amounts found within 25 %: {found} of {len(labelled)}")


def main() -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    ok = speed_report()
    print()
    quality_report()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
