"""Investment's false friends of the fourth session: money earned, given or borrowed, money
poured into sites, shares as the way a takeover is paid, control as a stake's end state, and
shares sold on the market. Sentences written for these tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector


def news(detector: EventDetector, text: str, language: str = "en") -> set[str]:
    return set(detector.analyse("", text, language).news_types)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Money earned: results, prices, fares, an outlook.
        ("en", "Booking Holdings pulls in $5.8 billion in quarterly revenue as summer travel holds up."),
        ("en", "Delta raised fares on Atlantic routes, bringing in an extra $400 million."),
        ("en", "Netflix raised its annual revenue outlook to $44 billion after adding subscribers."),
        ("en", "Disney+ raised subscription prices to $15.99 a month in North America."),
        # Money given: a gift, grants.
        ("en", "Stanford receives a $75 million gift from an alumna to build a climate institute."),
        ("en", "The chipmaker received $6.6 billion in grants for its Arizona fabs."),
        ("fr", "La SNCF a reçu une subvention de 2 milliards d'euros pour ses trains de nuit."),
        # Money borrowed: project finance, bank capital.
        ("en", "The developer secured $1.4 billion of project financing for its lithium mine in Nevada."),
        ("en", "Barclays raised $1.25 billion in additional tier 1 capital on Tuesday."),
        # Pay, not a raise of capital.
        ("en", "Costco will raise wages for 200,000 workers, at a cost of $500 million a year."),
        # Money poured into sites, fields and projects, not a company.
        ("en", "Occidental pumps another $3 billion into West Texas shale drilling."),
        ("en", "Equinor will put $2 billion into floating wind projects off Norway next year."),
        ("en", "ExxonMobil plans to invest $20 billion in Permian Basin drilling over five years."),
        ("en", "The EU will invest €20 billion in AI gigafactories, the Commission said."),
        # Securities bought, not a company invested in.
        ("en", "The state pension fund invested $2 billion in US Treasuries last quarter."),
        # An aggregate of a market, not a deal.
        ("en", "Investors poured $9 billion into robotics start-ups last quarter, PitchBook data show."),
        # A stake's value, not a stake bought.
        ("en", "Alphabet's investment in SpaceX is now worth $20 billion, filings show."),
        ("en", "Prosus booked a $3 billion gain on its investments in Tencent and Delivery Hero."),
        # A start-up that failed to raise money.
        ("en", "Berlin scooter start-up Rollr shut down after failing to raise new funding."),
        # Raising a fund, however far the fund comes after the verb.
        ("en", "Brookfield raises a record $28 billion for its latest global infrastructure fund"),
        # Shares sold on the market, no buyer named.
        ("en", "Bayer sold a further $600 million of shares in Covestro, cutting its holding to 4%."),
    ],
)
def test_money_earned_given_borrowed_or_poured_into_sites_is_no_investment(
    detector: EventDetector, language: str, text: str
) -> None:
    assert "investment" not in news(detector, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "Alaska Air has agreed to acquire Hawaiian Holdings in a cash-and-stock deal worth $1.9 billion.",
        ),
        (
            "en",
            "Under the terms, Chevron will acquire Hess in an all-stock transaction valued at $53 billion.",
        ),
        ("en", "Synopsys will buy Ansys for $35 billion in cash and shares."),
        ("en", "Mars agreed to buy Kellanova for $83.50 a share, or $36 billion including debt."),
        ("fr", "Safran rachète Collins Aerospace pour 1,8 milliard de dollars, payés en actions."),
        ("es", "Repsol comprará la eléctrica por 900 millones, pagados en acciones."),
    ],
)
def test_shares_that_pay_for_a_takeover_are_no_stake(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "Air France-KLM will buy a further 40% of SAS, giving the French group control of the airline.",
        ),
        ("en", "Renault is buying 35% more of the Spanish supplier, handing it control of the business."),
        ("fr", "Orange a racheté les parts de ses trois partenaires dans la coentreprise de fibre."),
        ("es", "Iberdrola compra otro 30% de la eléctrica, lo que le da el control de la compañía."),
    ],
)
def test_a_stake_that_gives_control_is_an_acquisition(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        # What those rules must still let through.
        ("en", "Rheinmetall gets $300 million from Temasek for a 9% stake.", "investment"),
        ("en", "Nvidia pours $5 billion into Intel, taking a 4% stake in its old rival.", "investment"),
        ("en", "BlackRock injected $1 billion into the Indian payments start-up Razorpay.", "investment"),
        ("en", "Vodafone sold a 10% stake in Vantage Towers to KKR for €1.4 billion.", "investment"),
        ("fr", "L'État a injecté 3 milliards d'euros dans le capital du motoriste.", "investment"),
        ("en", "Lockheed gets $1.2 billion order from Poland for Patriot missiles.", "partnership"),
        ("fr", "Alstom obtient une commande de 900 millions d'euros de la SNCF.", "partnership"),
        (
            "en",
            "Hyundai is teaming up with Waymo to put its driverless system into Ioniq taxis.",
            "partnership",
        ),
    ],
)
def test_investments_and_orders_next_to_those_traps_still_count(
    detector: EventDetector, language: str, text: str, kind: str
) -> None:
    assert news(detector, text, language) == {kind}
