"""Partnerships worded otherwise: letters of intent and arrangements, partners chosen or official,
ventures and forces joined. Classes from fresh5's errors (seventh session), tested in sentences
written for these tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector


@pytest.fixture(scope="module")
def detector() -> EventDetector:
    return EventDetector()


def news(detector: EventDetector, text: str, language: str = "en") -> set[str]:
    return set(detector.analyse(text, "", language).news_types)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Airbus and Air India sign a letter of intent for pilot training in Hyderabad"),
        ("en", "The Guardian strikes a licensing arrangement with OpenAI over its archive"),
        ("fr", "Naval Group et la Grèce signent une lettre d'intention pour quatre corvettes"),
        ("es", "Navantia y Saudi Arabia firman una carta de intenciones para cinco corbetas"),
    ],
)
def test_letters_of_intent_and_arrangements(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"partnership"}
