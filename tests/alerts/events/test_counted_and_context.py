"""Deals read wrongly in whole articles' leads: products counted in units bought as if they were
companies. Classes from artdev's errors (tenth session), tested in sentences written for these
tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector
from tests.alerts.events.reading import news


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A count before a name: units of a product, never a company.
        ("en", "Qatar Airways signed a deal with Boeing to buy 40 Dreamliner jets"),
        ("en", "Poland agreed with Hanwha to buy 180 K9 howitzers for its army"),
        ("fr", "La Grèce a signé avec Naval Group un contrat pour l'achat de 3 Belharra"),
        ("es", "Indra firmó con el Ejército un contrato para la compra de 12 Lanza radares"),
    ],
)
def test_products_counted_are_no_acquisition(detector: EventDetector, language: str, text: str) -> None:
    assert "acquisition" not in news(detector, text, language)


@pytest.mark.parametrize(
    ("language", "text", "event"),
    [
        # Not counted, or counted in percent or as a business: still a company bought.
        ("en", "Saab agreed to buy Kockums from ThyssenKrupp", "acquisition"),
        ("en", "Couche-Tard agreed to buy 2,000 Shell stations in the United States", "acquisition"),
        ("de", "Rheinmetall erwirbt 30 Prozent an dem Munitionshersteller Nitrochemie", "investment"),
    ],
)
def test_companies_bought_still_count(detector: EventDetector, language: str, text: str, event: str) -> None:
    assert event in news(detector, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A deal named as the backdrop of other news: the other news is the story.
        ("en", "Anglo American names a new chairman in the midst of a takeover battle with BHP"),
        ("fr", "Le bénéfice de Carrefour progresse de 8% en pleine OPA de Couche-Tard"),
        ("de", "Commerzbank streicht 3.900 Stellen mitten in der Übernahmeschlacht mit Unicredit"),
        ("es", "Naturgy eleva su beneficio un 12% en plena opa de Taqa"),
    ],
)
def test_deals_as_backdrop_are_no_news(detector: EventDetector, language: str, text: str) -> None:
    assert "acquisition" not in news(detector, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # The backdrop told after the deal leaves the deal the news.
        ("en", "BBVA launches a takeover bid for Sabadell amid a wave of bank mergers"),
        ("es", "Telefónica compra la alemana 1&1 en plena ola de fusiones del sector"),
    ],
)
def test_deals_before_a_backdrop_still_count(detector: EventDetector, language: str, text: str) -> None:
    assert "acquisition" in news(detector, text, language)


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        # The partners' venture investing: what it will spend, no stake taken in anyone.
        (
            "en",
            "Shell and Equinor form a joint venture",
            "The joint venture foresees an investment of $900 million.",
        ),
        (
            "fr",
            "TotalEnergies et Air Liquide s'allient",
            "L'alliance prévoit un investissement de 150 millions d'euros.",
        ),
        (
            "es",
            "Iberdrola y Masdar firman una alianza",
            "La alianza contempla una inversión de 500 millones de euros.",
        ),
    ],
)
def test_money_spent_by_the_deal_is_no_investment(
    detector: EventDetector, language: str, title: str, body: str
) -> None:
    assert "investment" not in detector.analyse(title, body, language).news_types


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # An investor named before the money still invests.
        ("en", "Microsoft will invest $1 billion in the alliance's partner OpenAI"),
        ("es", "La alianza de Telefónica con Amazon llega tras una inversión de 50 millones en Nubix"),
    ],
)
def test_investments_beside_a_deal_still_count(detector: EventDetector, language: str, text: str) -> None:
    assert "investment" in news(detector, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Market headlines put a holding in focus: watched, not bought today.
        ("en", "European telecoms slip; Telefonica's Vodafone Spain stake in focus"),
        ("en", "Siemens Energy's Gamesa stake in the spotlight after wind losses"),
        ("de", "Die Beteiligung von Porsche an Volkswagen im Fokus der Anleger"),
        ("es", "La participación de Criteria en Naturgy, en el punto de mira del mercado"),
    ],
)
def test_stakes_in_focus_are_no_investment(detector: EventDetector, language: str, text: str) -> None:
    assert "investment" not in news(detector, text, language)


def test_a_stake_bought_to_focus_still_counts(detector: EventDetector) -> None:
    text = "Blackstone takes a $1 billion stake in data-centre firm Aligned to focus on AI demand"
    assert "investment" in news(detector, text)


@pytest.mark.parametrize(
    ("language", "text", "event"),
    [
        # A deal named by its owner's genitive and told by what it did to others or to results.
        ("en", "Anthropic's funding round piles pressure on Cohere, say bankers", "investment"),
        ("en", "Exxon's takeover of Pioneer lifted output by a fifth last quarter", "acquisition"),
        ("fr", "La levée de fonds de Mistral met la pression sur Aleph Alpha", "investment"),
    ],
)
def test_deals_told_by_their_effect_are_no_news(
    detector: EventDetector, language: str, text: str, event: str
) -> None:
    assert event not in news(detector, text, language)


def test_a_deal_made_under_pressure_still_counts(detector: EventDetector) -> None:
    text = "SoftBank invests $2 billion in Cohere, putting pressure on rivals"
    assert "investment" in news(detector, text)
