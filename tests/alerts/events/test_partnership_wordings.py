"""Partnerships worded otherwise: letters of intent and arrangements, partners chosen or official,
ventures and forces joined. Classes from fresh5's errors (seventh session), tested in sentences
written for these tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector
from tests.alerts.events.reading import news


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


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Partners chosen, named official, tenders won.
        ("en", "Adidas becomes official partner of the 2026 World Cup"),
        ("en", "Leonardo won the Polish helicopter tender against Airbus"),
        ("fr", "Safran retenu par Airbus pour équiper le futur avion régional"),
        ("fr", "Orange devient partenaire premium du Tour de France"),
        ("fr", "La RATP a confié à Siemens la modernisation de la ligne 4"),
        ("de", "Siemens Mobility erhält den Zuschlag für 90 Züge der S-Bahn Hamburg"),
        ("es", "Indra, elegida por Aena para renovar los radares de Barajas"),
        ("es", "Talgo gana el concurso de Renfe para 30 trenes de alta velocidad"),
    ],
)
def test_partners_chosen_or_official_and_tenders_won(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The law firm named Sarah Jones an official partner at its London office"),
        ("fr", "Le conseil d'administration a confié à Jean Dupont la direction générale"),
    ],
)
def test_a_person_made_partner_or_given_a_post_is_no_deal(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Forces joined and ventures owned together.
        ("en", "Glencore and Teck form a jointly owned venture for their Chilean copper mines"),
        ("en", "Honda and Sony set up a 50-50 venture to build electric cars"),
        ("de", "Lufthansa und Condor bündeln ihre Kräfte bei der Wartung"),
        ("es", "Mapfre colaborará con Google Cloud en la tramitación de siniestros"),
    ],
)
def test_forces_joined_and_ventures_owned_together(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"partnership"}
