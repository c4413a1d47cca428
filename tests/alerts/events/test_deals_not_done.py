"""Deals that are not done: contracts left to lapse, agreements rejected, talks frozen or about a
deal, deals refused. Classes from fresh5's errors (seventh session), tested in sentences written for
these tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector
from tests.alerts.events.reading import news


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A contract that lapses, or is let lapse, is no contract signed.
        ("en", "Vodafone will not renew its supply contract with Huawei when it runs out in 2026"),
        ("en", "Danone and Carrefour let their supply contract expire after a pricing row"),
        ("fr", "Le contrat de fourniture entre Orange et Nokia ne sera pas renouvelé"),
        ("de", "Der Liefervertrag zwischen Bosch und Daimler wird nicht verlängert"),
        ("es", "El contrato de patrocinio entre Iberia y el Real Madrid no se renovará"),
        # Rejected, frozen, stalled, refused.
        ("en", "Shareholders of Ubisoft reject the Tencent joint venture plan"),
        ("en", "Talks on a licensing deal between Disney and Epic have stalled"),
        ("en", "Spotify refuses to sign a licensing agreement with the French collecting society"),
        ("fr", "Les actionnaires d'Atos ont rejeté l'accord avec Onepoint"),
        ("es", "Las negociaciones para una alianza entre Repsol y Eni están congeladas"),
        # Talks about a deal are no deal.
        ("en", "Unicredit and Commerzbank hold first merger talks"),
        ("en", "Iberia and Qatar Airways end code-share talks"),
    ],
)
def test_deals_not_done_are_no_event(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("After months of merger talks, Chevron agreed to buy Hess for $53 billion", "acquisition"),
        ("Unilever renews its supply contract with Cargill for five years", "partnership"),
        ("Heineken signs a sponsorship deal with the Rugby World Cup", "partnership"),
    ],
)
def test_deals_done_after_talks_or_renewed_still_count(detector: EventDetector, text: str, kind: str) -> None:
    assert news(detector, text) == {kind}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Bidding in a tender is no takeover bid; a tender opened is no contract won yet.
        ("en", "Saab plans to bid for the Dutch submarine tender"),
        ("en", "Rolls-Royce bids for Czech reactor tender against EDF"),
        ("en", "Network Rail puts its signalling contract out to tender"),
        ("en", "Transport for London launched a tender for 100 electric buses"),
        ("de", "Die Bahn schreibt einen Auftrag über 200 Züge aus"),
        ("fr", "La SNCF lance un appel d'offres pour 30 trains régionaux"),
        ("es", "Adif saca a licitación el contrato de mantenimiento de la alta velocidad"),
    ],
)
def test_tenders_opened_or_bid_for_are_no_event(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Thales wins the Canadian submarine contract after a two-year tender"),
        ("de", "Siemens gewinnt den von der Bahn ausgeschriebenen Auftrag über 200 Züge"),
        ("es", "Talgo se adjudica el contrato de Adif tras ganar la licitación"),
    ],
)
def test_a_tender_won_is_still_a_contract(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Peace between states, votes of citizens and players' contracts are no business deal.
        ("en", "The Colombian peace agreement turns ten"),
        ("en", "Swiss voters back a new framework agreement with the EU"),
        ("es", "El acuerdo de paz entre Armenia y Azerbaiyán se firma en Washington"),
        ("es", "El Atlético ficha al portero del Oporto con contrato hasta 2030"),
        ("fr", "L'accord de paix entre l'Arménie et l'Azerbaïdjan signé à Washington"),
        ("de", "Der FC Bayern verpflichtet einen Stürmer mit Vertrag bis 2030"),
        ("de", "Das Friedensabkommen für Gaza tritt in Kraft"),
    ],
)
def test_peace_votes_and_players_are_no_partnership(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


def test_a_contract_running_to_a_year_is_still_one(detector: EventDetector) -> None:
    assert news(detector, "Iberdrola firma un contrato con Amazon hasta 2035", "es") == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Plans dropped, offers withdrawn, plugs pulled, no intention, not for sale, lawsuits.
        ("en", "Stellantis drops plans for a battery joint venture with CATL in Spain"),
        ("en", "Glencore had withdrawn its takeover offer for Teck by the end of the week"),
        ("en", "Ubisoft pulls the plug on its Tencent partnership"),
        ("en", "Vodafone halts talks on a network-sharing deal with Orange"),
        ("en", "BHP has no intention of making a new offer for Anglo American"),
        ("en", "Shareholders sue Activision over Microsoft takeover"),
        ("fr", "Vivendi a retiré son offre sur Lagardère"),
        ("es", "BBVA no tiene intención de mejorar su oferta por Sabadell"),
    ],
)
def test_plans_dropped_and_offers_withdrawn_are_no_event(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft agreed to buy Activision for $69 billion after suspended talks resumed",
        "Shareholders approve Chevron's takeover of Hess after lawsuit is dropped",
    ],
)
def test_a_deal_done_after_a_pause_or_a_lawsuit_still_counts(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"acquisition"}
