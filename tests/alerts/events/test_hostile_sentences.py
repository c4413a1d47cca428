"""Hostile copy cannot stall detection: its cost grows with the text's length, not its square.

A page with no sentence end ("Microsoft invests in OpenAI and " over and
over) once made one sentence whose phrases were read against each other:
128 KB took 13 s of CPU. Such runs are now cut into pieces
(``sentences.MAX_SENTENCE``) and a sentence's phrases read are capped
(``detect.READ_PHRASES``). CPU time is compared, per byte, with ordinary
articles analysed in the same test: a ratio, not a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from alerts.events.detect import EventDetector
from alerts.events.sentences import MAX_SENTENCE, bounded, split
from alerts.rules import ArticleText, RuleSet
from benchmarks.events import articles
from benchmarks.rules import load_shipped
from db.textfold import word_string

SIZE = 64_000
# CPU per byte of a hostile text over that of ordinary articles. Linear detection stays within
# ~10x on the worst shapes below; the quadratic one was over 1,000x at this size.
PER_BYTE_BOUND = 50
DEAL = "Microsoft agreed to invest $10bn in OpenAI and "


def _repeat(unit: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


HOSTILE = {
    "deal, no sentence end": _repeat("Microsoft invests in OpenAI and "),
    "one trigger word": _repeat("invest "),
    "buys": DEAL + _repeat("buys "),
    "digits": DEAL + _repeat("1,000,000 "),
    "dollar signs": DEAL + _repeat("$"),
    "amounts": DEAL + _repeat("$1 "),
    "capitalised words": DEAL + _repeat("Alpha Beta Gamma Delta "),
    "organisations": DEAL + _repeat("Microsoft Google Amazon "),
    "closing asides": DEAL + _repeat(", its biggest deal") + "; and more",
    "relative clauses": DEAL + _repeat(", which bought Google"),
    "results": DEAL + _repeat("profits rose "),
    "no space nor ASCII punctuation": DEAL + _repeat("€invests€Microsoft€profits€rose€which€OpenAI€stake€"),
    "one long word": DEAL + _repeat("a"),
}


def _cpu(run: Callable[[], object]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


@pytest.fixture(scope="module")
def ordinary_per_byte(detector: EventDetector) -> float:
    """CPU seconds per byte of detection plus rules on ordinary ~5 KB articles."""
    corpus = articles(count=40)
    topics, specs = load_shipped()
    rules = RuleSet.compile(specs, topics)

    def run() -> None:
        for title, text, language in corpus:
            analysis = detector.analyse(title, text, language)
            rules.match(ArticleText(title, "", text, "", "s", language, text_words=analysis.text_words))

    run()  # warm the lazy patterns
    return _cpu(run) / sum(len(title) + len(text) for title, text, _ in corpus)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_costs_what_its_length_does(
    detector: EventDetector, ordinary_per_byte: float, name: str
) -> None:
    text = HOSTILE[name]
    topics, specs = load_shipped()
    rules = RuleSet.compile(specs, topics)

    def run() -> None:
        analysis = detector.analyse("x", text, "en")
        rules.match(ArticleText("x", "", text, "", "s", "en", text_words=analysis.text_words))

    assert _cpu(run) / len(text) < PER_BYTE_BOUND * ordinary_per_byte


@pytest.mark.parametrize("name", ["deal, no sentence end", "closing asides", "organisations"])
def test_a_hostile_headline_costs_what_its_length_does(
    detector: EventDetector, ordinary_per_byte: float, name: str
) -> None:
    title = HOSTILE[name]
    assert (
        _cpu(lambda: detector.analyse(title, "Body.", "en")) / len(title) < PER_BYTE_BOUND * ordinary_per_byte
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_pieces_are_bounded_and_keep_every_word(detector: EventDetector, name: str) -> None:
    text = HOSTILE[name]
    pieces = split(text)
    assert word_string("\n".join(pieces)) == word_string(text)
    if name not in ("one long word", "no space nor ASCII punctuation"):
        assert max(map(len, pieces)) <= MAX_SENTENCE
    # The rules read the text as detection folded it: the pieces must not change a word of it.
    assert detector.analyse("x", text, "en").text_words == word_string(text)


def test_a_run_without_breaks_is_left_whole() -> None:
    assert list(bounded("x" * (MAX_SENTENCE + 5))) == ["x" * (MAX_SENTENCE + 5)]
    assert list(bounded("y " + "x" * MAX_SENTENCE)) == ["y", "x" * MAX_SENTENCE]
    assert list(bounded("  ")) == []
    assert list(bounded(" A headline. ")) == ["A headline."]


def test_a_hostile_text_still_reports_its_deal(detector: EventDetector) -> None:
    analysis = detector.analyse("x", HOSTILE["deal, no sentence end"], "en")
    assert analysis.news_types == {"investment"}
    assert {"Microsoft", "OpenAI"} <= set(analysis.orgs)


def test_a_real_long_sentence_is_read_whole(detector: EventDetector) -> None:
    # A long sentence of legal copy (~1,900 characters), its deal told at the very end.
    clauses = ", ".join(
        f"subject to condition {n} of the agreement signed by the parties and the regulators"
        for n in range(20)
    )
    sentence = f"Under the terms disclosed on Monday, {clauses}, Microsoft agreed to buy Nuance for $19.7bn."
    assert 1500 < len(sentence) <= MAX_SENTENCE
    assert split(sentence) == [sentence]
    (event,) = detector.analyse("Regulatory filing", sentence, "en").events
    assert (event.type, event.news, event.actors[:2]) == ("acquisition", True, ("Microsoft", "Nuance"))
    assert event.sentence == sentence


def test_a_deal_beyond_the_first_piece_of_a_run_on_is_found(detector: EventDetector) -> None:
    text = _repeat("the market was calm and ", 3000) + " Microsoft agreed to buy Nuance for $19.7bn and more"
    assert len(split(text)) == 2
    analysis = detector.analyse("Markets", text, "en")
    assert analysis.news_types == {"acquisition"}
