"""Detection hands the rules the text it folded: exactly what db.textfold.word_string makes of it.

The rules then skip folding the text again (``ArticleText.text_words``), so
any difference would change which rules match: it is checked on awkward
texts here and on every labelled article and event item.
"""

from __future__ import annotations

import pytest

from alerts.events.detect import _SEPARATOR, EventDetector, _joined_words, _word_strings
from alerts.events.sentences import split
from alerts.rules import ArticleText, RuleSet, RuleSpec
from benchmarks.eventset import HALVES, load
from benchmarks.rules import load_all_labelled
from db.textfold import word_string


@pytest.mark.parametrize(
    ("title", "text", "summary"),
    [
        ("OpenAI raises $6.6bn", "", ""),
        ("", "", ""),
        ("", "   \n  ", ""),
        ("Title", "—\n…\nMicrosoft invests. — . Next one!", ""),
        ("Deal", "Acme Inc. said on Monday it would buy Foo. The deal closes in May.", ""),
        ("Zürich", "Straße → 東京 ™ ﬁnance. Œuvre d’OpenAI ½ µ.\n\nÉNERGIE: x\u200by.", ""),
        ("Soft", "Ap\u00adple bought it.\u00ad Next.\u200b Then\ufeff more. «C’est fait.» ¿Y ahora?", ""),
        (
            "Summary",
            "Mistral AI raised €600m. Nvidia joined the round.",
            "Mistral AI raised €600m. It said so.",
        ),
        ("Long", " ".join(f"Sentence {n} names Anthropic and Amazon." for n in range(40)), ""),
    ],
)
def test_text_words_are_the_texts_word_string(
    detector: EventDetector, title: str, text: str, summary: str
) -> None:
    assert detector.analyse(title, text, "en", summary).text_words == word_string(text)


def test_on_every_labelled_article_and_event_item(detector: EventDetector) -> None:
    articles = [entry.article for labelled in load_all_labelled().values() for entry in labelled]
    items = [(item.title, item.text, item.lang) for half in HALVES for item in load(half)]
    checked = [(a.title, a.text, a.language, a.summary) for a in articles] + [(*i, "") for i in items]
    assert len(checked) > 1000
    for title, text, language, summary in checked:
        assert detector.analyse(title, text, language, summary).text_words == word_string(text), text[:80]


def test_rules_match_the_same_with_the_folded_text(detector: EventDetector) -> None:
    rules = RuleSet.compile([RuleSpec("phrase", '"joined the round" OR (nvidia AND €600m*)', ())], {})
    text = "Mistral AI raised €600m.\nNvidia joined the round."
    analysis = detector.analyse("Mistral", text, "en")
    article = ArticleText("Mistral", "", text, "", "s", "en")
    shared = ArticleText("Mistral", "", text, "", "s", "en", text_words=analysis.text_words)
    assert rules.match(shared) == rules.match(article) != []


def test_a_summary_adds_only_the_sentences_the_text_lacks(detector: EventDetector) -> None:
    # The text's sentences are folded together, once, to tell which of the summary's are new.
    text = "Mistral AI raised €600m from investors.\nThe company is based in Paris.\n—"
    summary = "MISTRAL AI RAISED €600M FROM INVESTORS. Nvidia agreed to buy Run:ai."
    events = detector.analyse("", text, "en", summary).events
    assert [(event.type, event.sentence) for event in events] == [
        ("acquisition", "Nvidia agreed to buy Run:ai."),
        ("investment", "Mistral AI raised €600m from investors."),
    ]
    assert len(detector.analyse("", "", "en", "— Nvidia agreed to buy Run:ai.").events) == 1


def test_sentences_folded_together_are_each_folded_alone() -> None:
    texts = [item.text for half in HALVES for item in load(half)] + [
        "—",
        "",
        "Ap\u00adple. x\u200by",
        "Straße ™ 東京",
    ]
    for text in texts:
        body = split(text)
        assert _word_strings(body) == {word_string(sentence) for sentence in body}, text[:80]
    assert _word_strings([]) == set()
    assert _word_strings(["—", "OpenAI"]) == {" ", " openai "}


@pytest.mark.parametrize("mark", ["zqxsentencezqx", "ZQXSENTENCEZQX", "zqxséntencezqx", "Azqxsentencezqxb"])
def test_a_text_that_writes_the_sentence_mark_is_read_as_any_other(
    detector: EventDetector, mark: str
) -> None:
    # Detection joins sentences with a word of its own before folding them: copy from the web
    # that writes it (folded) must not shift the sentences, nor lose it from the folded text.
    text = "Acme raises $5m. " * 3 + f"Word {mark} more. " * 30 + "The apple. Apple bought Foo for $2bn."
    plain = text.replace(mark, "filler")
    found = detector.analyse("Acme news", text, "en", f"{mark} said. Acme raises $5m.")
    expected = detector.analyse("Acme news", plain, "en", "filler said. Acme raises $5m.")
    assert found.text_words == word_string(text)
    assert (found.orgs, found.news_types) == (expected.orgs, expected.news_types)
    assert "Apple" in found.orgs
    assert _word_strings([f"A {mark} b.", "C."]) == {word_string(f"A {mark} b."), " c "}


@pytest.mark.parametrize(
    ("head", "body"),
    [
        (["OpenAI raises $6.6bn", "It said so."], ["Mistral AI raised €600m.", "Nvidia joined."]),
        ([], ["Mistral AI raised €600m."]),
        (["OpenAI raises $6.6bn"], []),
        (["—"], ["…", "Straße ™ 東京"]),
        (["Œuvre d’OpenAI"], ["—"]),
        ([], []),
    ],
)
def test_the_head_is_folded_onto_the_texts_own_fold(head: list[str], body: list[str]) -> None:
    # Detection folds the text once and folds only the headline and the summary's sentences again.
    body_words = word_string(_SEPARATOR.join(body))
    assert _joined_words(head, body_words, bool(body)) == word_string(_SEPARATOR.join([*head, *body]))
