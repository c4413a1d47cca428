"""Partnership wordings misread on fresh4 (sixth session), each a class tested in sentences written
for these tests, not benchmark items."""

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
        ("en", "Orders at Japanese machine-tool makers slid 8% in November"),
        ("en", "Vestas' order intake climbed to 4.2 GW in the third quarter as offshore demand recovered"),
        ("en", "Kone's orders received dropped 5% on weak Chinese construction"),
        (
            "en",
            "Thales' backlog hit a record €50 billion at the end of June, helped by contracts from France",
        ),
        ("en", "Embraer logged 60 net orders in the quarter and delivered 47 jets"),
        ("fr", "Les prises de commandes de Safran progressent de 12 % au troisième trimestre"),
        ("es", "La cartera de pedidos de Talgo alcanza un máximo histórico"),
        ("es", "Los pedidos de Airbus caen un 20 % en el semestre"),
    ],
)
def test_orders_and_backlogs_counted_are_no_order_won(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Nordex lands 500 MW order from Enel, lifting its order intake to a record",
        "Siemens Gamesa wins order from RWE as group profit rose 10%",
        "Orders from Riyadh Air lift Airbus",
    ],
)
def test_an_order_won_before_the_figures_is_still_one(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"partnership"}
