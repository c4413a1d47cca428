"""Investment's traps measured on the supplement's third round: own shares bought back, a stake
sold down, money raised for a fund, lawsuits over a deal, advice, and capital spending in a
place or a foreign country's mine. Sentences written for these tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector


def news(detector: EventDetector, text: str, language: str = "en", headline: bool = False) -> set[str]:
    title, body = (text, "") if headline else ("", text)
    return set(detector.analyse(title, body, language).news_types)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Buying back its own shares.
        ("en", "Unilever bought €1.5 billion of its own shares in the first half."),
        ("en", "Rio Tinto will repurchase $2 billion of stock after record iron ore profits."),
        ("fr", "Stellantis rachète pour 1,5 milliard d'euros de ses propres actions."),
        ("de", "Die Allianz kauft eigene Aktien für eine Milliarde Euro."),
        # A stake sold down on the market, with no buyer named.
        ("en", "Temasek sold 3% of its stake in Standard Chartered through a placement."),
        ("en", "The state is selling part of its holding in NatWest, cutting 5% of its stake in the bank."),
        # Money raised for a fund, however far the verb comes after it.
        ("en", "KKR closed its third Asia infrastructure fund at $6.4 billion, the most it has ever raised."),
        # A lawsuit over a deal reports the lawsuit, not the deal.
        ("en", "Pension funds sued Walgreens over its $5 billion investment in VillageMD."),
        ("en", "The regulator charged the broker with hiding its stake in the retailer from investors."),
        ("de", "Aktionäre haben Bayer wegen der Übernahme von Monsanto verklagt."),
        # Advice, not an event.
        ("en", "Investors should buy shares in European lenders before rates fall, strategists said."),
        # Spending in a place or on a mine in a country named by its adjective.
        ("en", "Vale is investing $2 billion in its Peruvian copper mine expansion."),
        ("en", "Tata Steel will invest £1.25 billion in a new furnace at its Port Talbot works."),
        # The company's own site, named after a possessive.
        ("en", "Porsche will invest €1 billion in new engines and its Zuffenhausen factory."),
        # An ordinary word that is also a listed start-up's name ("Runway", guarded).
        ("en", "Gatwick will invest £2.2 billion in a second runway once the plan is approved."),
        # Explainers and a company's investment arm.
        ("en", "How Aramco's stake in Reliance turned into a headache"),
        ("fr", "Pourquoi TotalEnergies investit 10 milliards au Qatar"),
        ("en", "Its investment arm oversees $15 billion for insurers and pension funds."),
    ],
)
def test_traps_are_no_investment(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # The rules above leave these alone.
        (
            "Mitsui will invest $300 million in Ohio-based hydrogen developer Verdagy for a minority stake.",
            "investment",
        ),
        ("Abu Dhabi's Mubadala bought a 20% stake in the Spanish grid operator Redeia.", "investment"),
        ("Chilean miner Codelco raised $900 million from investors led by Japan's JOGMEC.", "investment"),
        ("Shareholders of Hess approved Chevron's takeover after a lawsuit was dropped.", "acquisition"),
        ("KKR led a $200 million round in the fund administrator Carta.", "investment"),
        ("Runway raised $308 million in a round led by General Atlantic.", "investment"),
    ],
)
def test_investments_near_the_traps_still_count(detector: EventDetector, text: str, kind: str) -> None:
    assert kind in news(detector, text)


def test_a_partner_let_into_the_capital_with_a_percentage_is_an_investment(detector: EventDetector) -> None:
    assert news(detector, "Endesa da entrada a Masdar con un 49 % en sus parques solares.", "es") == {
        "investment"
    }


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        # Control told at the end of a long sentence, or as the partners' shares bought.
        (
            "en",
            "Carlsberg bought out its joint venture partner's 40% share in the Baltic brewer "
            "for €250 million, becoming sole owner.",
            "acquisition",
        ),
        (
            "en",
            "Orkla agreed to buy its partner's stake in their Finnish snacks venture, "
            "giving it sole control.",
            "acquisition",
        ),
        ("en", "Philips takes full ownership of its Chinese lighting unit", "acquisition"),
        ("es", "Acciona compra la participación de sus socios en la desaladora de Sídney.", "acquisition"),
        # A stake raised, short of control.
        ("fr", "Le fonds norvégien a porté sa part dans Saint-Gobain à 6 %.", "investment"),
        (
            "en",
            "Ageas raised its holding in the Portuguese insurer to 30% and said "
            "it may seek full control one day.",
            "investment",
        ),
    ],
)
def test_control_or_a_stake(detector: EventDetector, language: str, text: str, kind: str) -> None:
    assert news(detector, text, language) == {kind}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Toyota and Panasonic will invest $2 billion in a joint venture to make solid-state cells."),
        (
            "en",
            "Ford and SK On plan to invest $11 billion in joint battery plants in Kentucky and Tennessee.",
        ),
        ("fr", "Stellantis et Saft investiront 1 milliard d'euros dans leur coentreprise de batteries."),
        (
            "de",
            "Daimler und Volvo investieren 600 Millionen Euro "
            "in ein Gemeinschaftsunternehmen für Brennstoffzellen.",
        ),
        ("es", "Iberdrola y Masdar invertirán 1.600 millones en una empresa conjunta eólica."),
    ],
)
def test_partners_money_put_into_their_joint_venture_is_a_partnership(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == {"partnership"}


def test_money_put_into_a_company_beside_a_joint_venture_stays_an_investment(detector: EventDetector) -> None:
    text = (
        "Renault will bis zu zwei Milliarden Euro in den Batteriehersteller Verkor stecken "
        "und ein Gemeinschaftsunternehmen gründen."
    )
    assert "investment" in news(detector, text, "de")


def test_a_german_split_verb_of_withdrawal_is_a_denial(detector: EventDetector) -> None:
    assert (
        news(detector, "Der Staatsfonds sagt den Einstieg bei dem Versorger ab", "de", headline=True) == set()
    )


@pytest.mark.parametrize(
    "text",
    [
        "Stellantis to invest $400 million in New Mexico engine factory",
        "Hyundai will invest $5 billion in South Carolina chip factory",
        "Nestlé to invest $1 billion in New Jersey coffee plant",
    ],
)
def test_a_place_of_several_words_before_a_plant_is_no_recipient(detector: EventDetector, text: str) -> None:
    # "South" or "Jersey" alone is no place: the two words together are.
    assert news(detector, text, headline=True) == set()


def test_a_company_after_a_place_of_several_words_is_still_the_recipient(detector: EventDetector) -> None:
    assert news(
        detector, "Amazon to invest $4 billion in San Francisco start-up Anthropic", headline=True
    ) == {"investment"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Advice to readers on what to buy (fresh5's errors, seventh session).
        ("en", "Two healthcare stocks to buy after Pfizer's takeover of Metsera"),
        ("fr", "Comment investir dans l'IA sans acheter d'actions Nvidia"),
        ("es", "Cinco formas de invertir en el litio sin comprar acciones de Albemarle"),
    ],
)
def test_advice_on_what_to_buy_is_no_event(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Stakes worded otherwise (fresh5's and fresh4's errors, seventh session).
        ("en", "Brookfield picks up a 10% stake in Tata Power's renewables arm"),
        ("en", "Norges Bank took a minority interest in Orsted's Hornsea 3 wind farm company"),
        ("de", "Katar steigt mit 15 Prozent bei dem Energiekonzern RWE ein"),
        ("de", "Der Bund stieg mit 20 Prozent beim Rüstungskonzern KNDS ein"),
    ],
)
def test_stakes_picked_up_or_entered_with_a_percentage(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == {"investment"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The minority interest in the subsidiary is shown separately in the accounts"),
        ("de", "Der Umsatz steigt mit 5 Prozent bei Siemens auf ein Rekordniveau"),
    ],
)
def test_accounts_and_growth_are_no_stake(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    "text",
    [
        # Money landed from investors is a round (fresh2's errors, seventh session).
        "Fintech Qonto landed €150 million from Tiger Global and Tencent",
        "Robotics start-up Figure lands $675 million from Microsoft and Nvidia",
    ],
)
def test_money_landed_from_investors_is_an_investment(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"investment"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("A $300 million jet landed in Dubai carrying Emirates executives", set()),
        ("Rheinmetall lands €300 million in new orders from Berlin", set()),
        ("Vestas lands $400 million order from RWE", {"partnership"}),
    ],
)
def test_planes_landed_and_orders_landed_raise_no_money(
    detector: EventDetector, text: str, found: set[str]
) -> None:
    assert news(detector, text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Nokia lands $2bn 5G deal with AT&T",
        "Thales landed a €900 million agreement to supply radars to Poland",
    ],
)
def test_a_deal_landed_is_won_not_money_raised(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"partnership"}
