"""Organisations outside the shipped list as an event's actors: single names in the trigger's
argument places, places and people's titles left out (alerts/events/orgs.py, places.py)."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector
from alerts.events.orgs import arguments, lookalikes
from alerts.events.places import is_place


def actors(detector: EventDetector, text: str, language: str = "en", title: str = "") -> set[str]:
    analysis = detector.analyse(title, text, language)
    news = [event for event in analysis.events if event.news]
    assert news, text
    return {actor for event in news for actor in event.actors}


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # A one-word subject and object, neither on the shipped list.
        ("Halliburton agreed to buy Weatherford in an all-stock deal.", {"Halliburton", "Weatherford"}),
        ("Ryanair has taken a 20% stake in Aegean, the Greek carrier said.", {"Ryanair", "Aegean"}),
        ("Heineken snapped up Distell for $2.5 billion on Monday.", {"Heineken", "Distell"}),
        # An abbreviation with its dots, and a name before a possessive.
        ("Cleveland-Cliffs completed its takeover of U.S. Steel.", {"Cleveland-Cliffs", "U.S. Steel"}),
        ("Glencore agreed to buy Teck's coal business for $7 billion.", {"Glencore", "Teck"}),
        # Two subjects joined by "and".
        ("Iberia and Finnair teamed up on routes to Asia.", {"Iberia", "Finnair"}),
        ("Renault et Stellantis s'associent pour produire des moteurs.", {"Renault", "Stellantis"}),
    ],
)
def test_names_in_argument_places_are_actors(detector: EventDetector, text: str, wanted: set[str]) -> None:
    language = "fr" if " et " in text else "en"
    assert wanted <= actors(detector, text, language)


@pytest.mark.parametrize(
    ("text", "not_wanted"),
    [
        ("Pittsburgh-based Kestrel Foods agreed to buy Marlow for $400 million.", "Pittsburgh-based"),
        ("Drake Oil said on Monday it had agreed to buy Ardent in Texas.", "Texas"),
        ("The Dutch insurer Voya took a 9% stake in Aviva's San Diego unit.", "San Diego"),
        ("Regulators cleared Kestrel's purchase of Marlow on Monday.", "Regulators"),
        ("Harlow Steel agreed to buy Vantor for 300 million dollars.", "Dollars"),
        # A product or brand before "maker" names the company, not an actor.
        ("Harlow Foods agreed to buy Crunchos maker Delmar Snacks.", "Crunchos"),
        ("Le géant de Redmond va injecter 2 milliards de dollars dans Kyutai.", "Redmond"),
    ],
)
def test_places_titles_and_plain_words_are_no_actors(
    detector: EventDetector, text: str, not_wanted: str
) -> None:
    assert not_wanted not in actors(detector, text)


def test_german_nouns_are_no_single_word_names_but_a_name_after_its_noun_is() -> None:
    text = "Der Ölkonzern Adnoc übernimmt den Kunststoffhersteller aus Leverkusen."
    start = text.index("übernimmt")
    names = [m.name for m in arguments(text, [(start, start + len("übernimmt"))], "de")]
    assert names == ["Adnoc"]
    text = "Die Gruppe kauft den Zulieferer Brandt."
    start = text.index("kauft")
    assert [m.name for m in arguments(text, [(start, start + len("kauft"))], "de")] == ["Brandt"]


@pytest.mark.parametrize(
    "name",
    ["San Diego", "Abu Dhabi", "Allemagne", "Bayern", "Cataluña", "North Sea", "Texas", "Estados Unidos"],
)
def test_places_in_four_languages_are_places(name: str) -> None:
    assert is_place(name)


@pytest.mark.parametrize("name", ["Santander", "Toyota", "Lufthansa", "Kellanova", "Chevron", "Orange"])
def test_companies_named_like_places_or_not_at_all_are_no_places(name: str) -> None:
    assert not is_place(name)


def test_a_place_made_of_capitalised_words_is_no_look_alike() -> None:
    assert [m.name for m in lookalikes("The bank opened an office in San Diego on Friday.")] == []
    assert [m.name for m in lookalikes("It signed with San Diego Gas & Electric.")] == [
        "San Diego Gas & Electric"
    ]
