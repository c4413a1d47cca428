"""The channel-neutral message: one-line titles and the snippet around the matched terms."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alerts.message import Fragment, build_snippet, find_terms, one_line, terms_pattern


def hits(fragments: tuple[Fragment, ...]) -> list[str]:
    return [f.text for f in fragments if f.hit]


def test_terms_are_found_fold_insensitively_at_word_boundaries() -> None:
    text = "La comète ÉNERGIE passe; xénergie non. Les investisseurs investissent."
    snippet = build_snippet([text], ["comete", "energie", "invest*"])
    assert hits(snippet) == ["comète", "ÉNERGIE", "investisseurs", "investissent"]


def test_phrases_and_hyphenated_terms_match_as_words_in_sequence() -> None:
    text = "OpenAI a lancé GPT-4 et reçu des milliards\nde dollars."
    snippet = build_snippet([text], ['"milliards de dollars"', "GPT-4", "title:OpenAI"])
    assert hits(snippet) == ["OpenAI", "GPT-4", "milliards de dollars"]


def test_the_window_starts_near_the_first_hit_on_a_word_and_is_bounded() -> None:
    text = "préambule " * 100 + "Microsoft investit dans OpenAI. " + "suite " * 200
    snippet = build_snippet([text], ["OpenAI", "investit"], width=200)
    rendered = "".join(f.text for f in snippet)
    assert rendered.startswith("… préambule")
    assert rendered.endswith("…") and len(rendered) <= 205
    assert hits(snippet) == ["investit", "OpenAI"]


def test_the_first_text_with_a_hit_is_used_else_the_first_non_empty() -> None:
    assert hits(build_snippet(["nothing here", "OpenAI in the summary"], ["openai"])) == ["OpenAI"]
    assert build_snippet(["", "just a summary"], ["absent"]) == (Fragment("just a summary"),)
    assert build_snippet(["", ""], ["x"]) == ()


def test_snippets_are_one_line() -> None:
    snippet = build_snippet(["Ligne une\r\n\u2028OpenAI\tdeux\x00"], ["openai"])
    assert all("\n" not in f.text and "\x00" not in f.text and "\u2028" not in f.text for f in snippet)


def test_one_line_drops_controls_separators_and_bidi_but_keeps_emoji_joiners() -> None:
    assert one_line("a\r\nb\u2028c\u2029d\x85e\u202ef\x00g") == "a b c d e f g"
    assert (
        one_line("👨\u200d👩\u200d👧 🏴\U000e0067\U000e0062\U000e007f")
        == "👨\u200d👩\u200d👧 🏴\U000e0067\U000e0062\U000e007f"
    )


@given(st.text(), st.lists(st.text(min_size=1, max_size=12), max_size=5))
def test_find_terms_spans_always_lie_within_the_text(text: str, terms: list[str]) -> None:
    pattern = terms_pattern(terms)
    if pattern is None:
        return
    for start, end in find_terms(text, pattern):
        assert 0 <= start < end <= len(text)


def test_letters_folded_by_the_rules_are_highlighted_too() -> None:
    # The rule engine folds Ø→o, œ→oe, ß→ss (db/textfold.py): the snippet must find what it matched.
    text = "Ørsted met en œuvre un plan à la Straße du port."
    for terms in (["orsted", "oeuvre", "strasse"], ["ØRSTED", "Œuvre", "Straße"]):
        assert hits(build_snippet([text], terms)) == ["Ørsted", "œuvre", "Straße"]
