"""Organisations: the shipped list, the config's aliases, guards for common words, look-alike names."""

from __future__ import annotations

import pytest

from alerts.events.orgs import OrgIndex, lookalikes, word_spans
from db.textfold import word_string


@pytest.fixture(scope="module")
def index() -> OrgIndex:
    return OrgIndex({"Acme Robotics": ["Acme", "ACME Corp"], "OpenAI": ["O.AI"]})


def names(index: OrgIndex, text: str) -> list[tuple[str, str, bool]]:
    return [(m.name, text[m.start : m.end], m.listed) for m in index.find(text)]


def test_the_shipped_list_has_at_least_300_organisations() -> None:
    assert len({alias.org for alias in OrgIndex().aliases}) >= 300


@pytest.mark.parametrize(
    ("text", "canonical", "written"),
    [
        ("Meta Platforms a investi dans Scale AI.", "Meta", "Meta Platforms"),
        ("Alphabet's Google said on Monday", "Google", "Alphabet"),
        ("Le français Mistral a levé 600 millions.", "Mistral AI", "Mistral"),
        ("Microsofts Beteiligung an OpenAI wächst.", "Microsoft", "Microsofts"),
        ("El fondo soberano PIF entra en el capital.", "Public Investment Fund", "PIF"),
        (
            "La Banque européenne d’investissement prête 500 M€.",
            "European Investment Bank",
            "Banque européenne d’investissement",
        ),
        ("NVIDIA and TSMC signed a deal.", "Nvidia", "NVIDIA"),
    ],
)
def test_aliases_in_four_languages_give_the_canonical_name(
    index: OrgIndex, text: str, canonical: str, written: str
) -> None:
    found = names(index, text)
    assert (canonical, written, True) in found


def test_longest_alias_wins_over_a_shorter_one_inside_it(index: OrgIndex) -> None:
    assert names(index, "Google DeepMind and Amazon Web Services teamed up.")[:2] == [
        ("Google DeepMind", "Google DeepMind", True),
        ("Amazon", "Amazon Web Services", True),
    ]


def test_the_configs_aliases_extend_the_list(index: OrgIndex) -> None:
    assert names(index, "ACME Corp signs with O.AI")[:2] == [
        ("Acme Robotics", "ACME Corp", True),
        ("OpenAI", "O.AI", True),
    ]
    assert index.canonical("acme corp") == "Acme Robotics"
    assert index.canonical("Open AI") == "OpenAI"
    assert index.canonical("Nobody Ltd") is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Apple buys a start-up.", True),
        ("She ate an apple at the meeting.", False),
        ("APPLE PIE RECIPES FOR AUTUMN", False),
        ("Über den Deal berichtete das Handelsblatt.", False),
        ("Der Fahrdienst Uber kauft Getir.", True),
        ("Le mistral souffle fort sur Marseille.", False),
        ("The meta question is who pays.", False),
        ("Amazon opened a lab.", True),
        ("Bei der Auktion war das Interesse groß, sagte er bei der Vorstellung.", False),
        ("Dans le monde entier, les ventes reculent.", False),
        ("Selon Le Monde, la vente est conclue.", True),
        ("Tenía prisa por cerrar la operación.", False),
    ],
)
def test_guarded_aliases_count_only_with_their_capitals(text: str, found: bool) -> None:
    listed = [m for m in OrgIndex().find(text) if m.listed]
    assert bool(listed) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Scale matters more than speed, the minister said.", False),
        ("The deal values Scale at $14bn.", True),
        ("Together they signed a pact.", False),
        ("Investors led by Thrive backed Together in May.", True),
        ("Character counts, he said.", False),
    ],
)
def test_common_word_aliases_do_not_count_as_the_first_word_of_a_sentence(text: str, found: bool) -> None:
    listed = [m.name for m in OrgIndex().find(text) if m.listed]
    assert any(name in ("Scale AI", "Together AI", "Character.AI") for name in listed) is found


@pytest.mark.parametrize(
    ("text", "language", "name"),
    [
        ("Shares of Blue Harbor Logistics Inc. rose.", "en", "Blue Harbor Logistics Inc."),
        ("Der Maschinenbauer Nordwerk GmbH wird verkauft.", "de", "Nordwerk GmbH"),
        ("El grupo Construcciones Vela SA compra una planta.", "es", "Construcciones Vela SA"),
        ("the insurer Rhône Assurances SAS said", "fr", "Rhône Assurances SAS"),
        ("a unit of Harbor & Finch Capital Partners", "en", "Harbor & Finch Capital Partners"),
        ("it bought the Dutch firm Groen Energie BV last year", "en", "Groen Energie BV"),
    ],
)
def test_names_with_a_legal_or_corporate_suffix_look_like_organisations(
    text: str, language: str, name: str
) -> None:
    assert name in [m.name for m in lookalikes(text, language)]


def test_capitalised_runs_count_outside_german_but_not_nationalities_or_sentence_starts() -> None:
    assert [m.name for m in lookalikes("The deal with Pacific Cold Storage closed.")] == [
        "Pacific Cold Storage"
    ]
    assert [m.name for m in lookalikes("French AI startup Kyro raised money.")] == []
    assert [m.name for m in lookalikes("Der Autobauer Volkswagen Nutzfahrzeuge wächst.", "de")] == []


def test_offsets_are_in_the_text_as_written_even_when_folding_changes_lengths(index: OrgIndex) -> None:
    text = "Straße: l’œuvre ﬁnale — Nvidia kauft."
    mention = next(m for m in index.find(text) if m.name == "Nvidia")
    assert text[mention.start : mention.end] == "Nvidia"
    spans = word_spans(text)
    assert len(spans) == len(word_string(text).split())
    assert [text[a:b] for a, b in spans][:3] == ["Straße", "l", "œuvre"]
