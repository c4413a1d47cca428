"""Stakes and businesses sold: what makes a sale an acquisition, an investment or no event (fresh5's
errors, seventh session; sentences written for these tests)."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector
from tests.alerts.events.reading import news


@pytest.mark.parametrize(
    "text",
    [
        # "parts" of a business are no shares (French "parts" are).
        "Siemens sells parts of its logistics software unit to Körber",
        "Philips agreed to sell parts of its domestic appliances business to Hillhouse for €4.4 billion",
    ],
)
def test_parts_of_a_business_sold_are_an_acquisition(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"acquisition"}


def test_french_parts_are_still_shares(detector: EventDetector) -> None:
    assert news(detector, "Le fonds Ardian rachète des parts de Data4 pour 300 millions d'euros", "fr") == {
        "investment"
    }


@pytest.mark.parametrize(
    "text",
    [
        # A seller getting out of its whole holding with no buyer named sold into the market.
        "Norway's wealth fund sold all of its shares in Caterpillar last quarter",
        "Siemens sells remaining stake in Siemens Energy",
        "Berkshire sells its entire stake in Paramount at a loss",
    ],
)
def test_a_whole_holding_sold_with_no_buyer_is_no_event(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Siemens sells its remaining stake in Valeo Siemens to Valeo",
        "Vivendi buys the remaining stake in Lagardère",
        "Bayer sells its entire animal health business to Elanco",
        "Temasek sells its entire 51% stake in Olam's agri unit",
    ],
)
def test_a_holding_sold_to_a_buyer_or_bought_out_is_an_acquisition(
    detector: EventDetector, text: str
) -> None:
    assert news(detector, text) == {"acquisition"}


@pytest.mark.parametrize(
    "text",
    [
        # A deal completed is a takeover closed (fresh5's and fresh4's errors).
        "Mars completed its $36 billion Kellanova deal on Tuesday",
        "Synopsys closes Ansys deal after Chinese approval",
        "Boeing and Spirit AeroSystems closed the deal in December",
    ],
)
def test_a_deal_closed_is_an_acquisition(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"acquisition"}


@pytest.mark.parametrize(
    "text",
    [
        "Shares closed higher after the deal with Samsung",
        "Nvidia closed its first quarter with a deal with Samsung",
    ],
)
def test_a_close_that_is_no_completion_leaves_a_partnership(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"partnership"}


@pytest.mark.parametrize(
    "text",
    [
        # Power changing hands is no takeover (note5's leftover).
        "Labour wins control of the city council in Birmingham",
        "Democrats win control of the Virginia legislature",
    ],
)
def test_control_of_a_political_body_is_no_acquisition(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Ashgrove secures control of Kalgoorlie Nickel after a sweetened bid",
        "Crédit Agricole wins control of Banco BPM",
        "Lawmakers cleared Nippon Steel to take control of U.S. Steel",
    ],
)
def test_control_of_a_company_won_is_an_acquisition(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"acquisition"}


@pytest.mark.parametrize(
    "text",
    [
        # A price to be paid for a company (note5's leftover "pay $35bn … for Ansys").
        "Mars to pay $36 billion for Kellanova",
        "Google agreed to pay $32 billion in cash for Wiz, its biggest deal ever",
    ],
)
def test_a_price_to_pay_for_a_company_is_an_acquisition(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"acquisition"}


@pytest.mark.parametrize(
    "text",
    [
        "Boeing to pay $200 million for misleading investors",
        "Airlines pay more for jet fuel as prices rise",
        "Still, that is modest next to the $19 billion Facebook paid for WhatsApp",
    ],
)
def test_fines_goods_and_prices_recalled_are_no_acquisition(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # German and Spanish acquisitions (fresh4's errors, note5's leftover).
        ("de", "Bayer hat seine Pharmasparte Consumer Health an den Finanzinvestor KKR verkauft"),
        ("de", "Continental übernimmt restliche Anteile an der Software-Tochter Elektrobit"),
        ("de", "Beiersdorf schnappt sich die US-Sonnenschutzmarke Coola"),
        ("es", "Naturgy ha tomado el control de la portuguesa Galp Gás"),
    ],
)
def test_german_and_spanish_acquisitions(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A goods word opening a name is a company bought, not goods ordered (fresh4's errors).
        ("en", "Brookfield buys Gas Natural Fenosa"),
        ("en", "Macquarie to buy Electricity North West"),
        ("es", "Endesa culmina la compra de la mexicana Power Grid Solutions"),
    ],
)
def test_a_goods_word_opening_a_name_is_a_company(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"acquisition"}


def test_goods_in_lowercase_are_still_an_order(detector: EventDetector) -> None:
    assert news(detector, "Qantas agreed to buy 20 Airbus jets from the lessor") == {"partnership"}
