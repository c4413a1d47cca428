"""A generic deal word that opens an organisation's name is no deal (fresh5's errors, seventh
session; sentences written for these tests)."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector


def news(detector: EventDetector, text: str) -> set[str]:
    return set(detector.analyse(text, "", "en").news_types)


@pytest.mark.parametrize(
    "text",
    [
        "The Alliance for Automotive Innovation said the rule would raise prices for Ford and GM",
        "Partnership for Public Service warns Deloitte of federal job losses",
        "The Alliance of Small Island States urged Shell and BP to cut emissions faster",
    ],
)
def test_a_body_named_for_its_cause_is_no_deal(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Nvidia Announces Partnership For AI Chips With Microsoft",
        "Alliance with Renault lifts Nissan shares",
        "Partnership with OpenAI gives Microsoft an edge in cloud",
    ],
)
def test_a_deal_named_first_or_in_title_case_is_still_one(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"partnership"}
