"""Leads of whole articles that mention deals a reader would not alert on: orders and contracts
counted as the cause of a result, ... Classes from artdev's errors (eighth session), tested in
sentences written for these tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector
from tests.alerts.events.reading import news


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Orders and contracts as the cause of a result or a forecast: counted, not won today.
        ("en", "Leonardo lifts its outlook, helped by helicopter orders from European navies"),
        ("en", "Alstom's margin improved, driven by signalling contracts with Indian railways"),
        ("en", "Vestas returned to profit after a flurry of turbine orders from utilities in Germany"),
        ("en", "The shipbuilder booked contracts worth $4 billion in the quarter, mostly for LNG carriers"),
        ("fr", "Airbus relève sa prévision grâce aux commandes des compagnies asiatiques"),
        ("fr", "Le bénéfice de Nexans est porté par les contrats de câbles sous-marins"),
        ("de", "Renk verdient dank neuer Aufträge der Bundeswehr deutlich mehr"),
        ("es", "Navantia mejora sus cuentas impulsada por los contratos firmados con la Armada"),
    ],
)
def test_orders_counted_as_a_cause_are_no_partnership(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Leonardo wins a helicopter order from the Italian navy, helped by its local plant"),
        ("en", "Alstom signs contracts with Indian Railways to supply 100 trains"),
        ("fr", "Nexans remporte un contrat de câbles sous-marins avec RTE"),
        ("de", "Renk erhält Aufträge der Bundeswehr über 500 Millionen Euro"),
    ],
)
def test_orders_won_still_count(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A product made "in partnership with" someone: a byline of the launch, not a deal signed.
        ("en", "Sony launches a headset developed in partnership with Bose"),
        ("en", "Adidas unveils a football boot designed in collaboration with Lionel Messi"),
        ("en", "The bank's new card, created in partnership with Mastercard, goes on sale in May"),
        ("fr", "Renault présente une citadine conçue en partenariat avec Ampere"),
        ("de", "Lidl bringt eine in Zusammenarbeit mit Bosch entwickelte Küchenmaschine heraus"),
        ("es", "Seat lanza un patinete diseñado en colaboración con Segway"),
    ],
)
def test_products_made_with_a_partner_are_no_partnership(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Sony and Bose agree to develop headsets in partnership",
        "Adidas signs a partnership with Lionel Messi's foundation",
    ],
)
def test_partnerships_formed_to_make_products_still_count(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A sponsor named by its title in a sports report: who sponsors, not a sponsorship signed.
        ("en", "Ferrari's title sponsor HP watched Leclerc crash out in Monaco"),
        ("en", "Liverpool, with shirt sponsor Standard Chartered on their chests, beat Everton 2-0"),
        ("en", "Main sponsor Rolex had its logo on every hoarding as Alcaraz won the final"),
        ("es", "El Betis, con su patrocinador principal Finetwork en la camiseta, empata en Vigo"),
    ],
)
def test_sponsors_named_by_their_title_are_no_partnership(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    "text",
    [
        "HP becomes Ferrari's new title sponsor in a $100m-a-year deal",
        "Standard Chartered signs a shirt sponsorship with Liverpool until 2027",
        "Emirates is named as Olympique Lyonnais' new shirt sponsor",
        "Qatar Airways becomes the main sponsor of the Tour de France",
    ],
)
def test_sponsors_signed_still_count(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # "Contract" naming a trade: a maker that works for others, not a contract signed.
        ("en", "Jabil, a contract manufacturer for Apple, reported higher sales"),
        ("en", "Lonza, the contract drug maker, cuts its forecast as biotech clients hold back"),
        ("en", "Pegatron, the iPhone contract assembler, opens a plant in Vietnam"),
        ("en", "Samsung's contract chipmaking arm posts a wider loss"),
        ("fr", "Le sous-traitant Recipharm, fabricant sous contrat de médicaments, embauche à Lyon"),
    ],
)
def test_contract_makers_are_no_partnership(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A deal the parties already have, named to explain something else.
        ("en", "The app comes preinstalled under a long-standing agreement between Apple and Google"),
        ("en", "Under its existing contract with Boeing, Spirit will keep making fuselages until 2030"),
        ("fr", "Le service est proposé dans le cadre d'un partenariat de longue date entre Orange et Deezer"),
        ("es", "La aerolínea vuela a Miami gracias a su acuerdo de larga data con American Airlines"),
    ],
)
def test_deals_the_parties_already_have_are_no_partnership(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Unilever extends its long-standing partnership with Cargill"),
        ("fr", "Orange et Deezer prolongent leur partenariat de longue date"),
        ("en", "Under a new agreement, Spirit will make fuselages for Boeing until 2030"),
    ],
)
def test_deals_renewed_or_new_still_count(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A contract with staff ending a strike, or raising wages: labour, not a deal between firms.
        ("en", "Airbus machinists in Wichita approve a three-year contract"),
        ("en", "Ford reaches agreement with dock workers, ending a two-week strike at its Cologne plant"),
        ("en", "Air Canada signs a contract with its flight attendants that includes a 12% wage increase"),
        ("fr", "Air France signe un accord avec les pilotes qui met fin à la grève"),
        ("de", "Lufthansa beendet mit einer Einigung mit den Piloten den Streik"),
        ("es", "Iberia firma un acuerdo con los tripulantes que pone fin a la huelga"),
    ],
)
def test_contracts_ending_strikes_are_no_partnership(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Airbus signs a $2bn contract with Spirit AeroSystems to make wings",
        "Despite the strike, Boeing wins an order from Ryanair",
    ],
)
def test_contracts_between_firms_still_count_near_strikes(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A deal fought in court: the lawsuit is the news, the deal is old.
        ("en", "Hulu's sports venture with Fox faces an antitrust suit from rival streamers"),
        ("en", "Court hears Kroger's claims over the collapsed Albertsons merger"),
        ("en", "Shareholders file suit against Paramount's merger with Skydance"),
        ("fr", "Free porte plainte contre l'alliance entre SFR et Bouygues Telecom"),
        ("de", "Aktionäre ziehen gegen die Fusion von Vonovia und Deutsche Wohnen vor Gericht"),
        ("es", "Los accionistas presentan una demanda contra la fusión de Unicaja y Liberbank"),
    ],
)
def test_deals_fought_in_court_are_no_event(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Court clears the way for Chevron to complete its acquisition of Hess", "acquisition"),
        ("After settling their lawsuit, Disney and Epic signed a licensing deal", "partnership"),
    ],
)
def test_deals_next_to_courts_still_count(detector: EventDetector, text: str, kind: str) -> None:
    assert news(detector, text) == {kind}


def test_a_deal_closed_after_a_lawsuit_settled_still_counts(detector: EventDetector) -> None:
    text = "Mars completed its purchase of Kellanova two days after settling a long-running antitrust suit"
    assert news(detector, text) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A deal under review or delayed: the review or the delay is the news, the deal is known.
        ("en", "Brussels opens a formal probe into Adobe's planned purchase of Figma"),
        ("en", "The CMA launched an investigation into Vodafone's merger with Three"),
        ("en", "Completion of Synopsys's takeover of Ansys is delayed by China's review"),
        ("en", "No agreement was reached on the sale of Reckitt's home unit to Advent"),
        ("fr", "Bruxelles ouvre une enquête approfondie sur le rachat d'Activision par Microsoft"),
        ("de", "Das Kartellamt leitet eine vertiefte Prüfung der Übernahme von Covestro ein"),
        ("es", "La CNMC abre una investigación en profundidad sobre la compra de Sabadell por BBVA"),
    ],
)
def test_deals_under_review_or_delayed_are_no_event(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Brussels clears Adobe's purchase of Figma after an in-depth review",
        "Synopsys completes its takeover of Ansys after China's approval",
    ],
)
def test_deals_cleared_after_review_still_count(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Bruxelles autorise le rachat de Figma par Adobe après un examen approfondi"),
        ("de", "Das Kartellamt genehmigt die Übernahme von Covestro nach vertiefter Prüfung"),
    ],
)
def test_deals_cleared_after_review_count_in_other_languages(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Parts bought from a supplier: an order, not a company bought.
        ("en", "Volvo Cars agreed to buy radar sensors from Aptiv for its next SUV"),
        ("en", "Stellantis agrees to buy battery cells from CATL for cheaper electric cars"),
        ("fr", "Renault achète des capteurs à Valeo pour sa future Clio"),
        ("es", "Seat compra baterías a LG Energy para su fábrica de Martorell"),
    ],
)
def test_parts_bought_are_an_order(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"partnership"}


def test_a_parts_maker_bought_is_an_acquisition(detector: EventDetector) -> None:
    assert news(detector, "Aptiv agreed to buy sensor maker Wind River") == {"acquisition"}


@pytest.mark.parametrize(
    "text",
    [
        # Money raised from the market in an offering: a listing's proceeds, no organisation's investment.
        "Arm raised $4.87 billion in the offering, which was priced at the top of its range",
        "Porsche rose on its debut after the carmaker raised 9.4 billion euros in the share offering",
        "Rivian raised $1.5 billion in a follow-on offering of its shares",
    ],
)
def test_money_raised_in_an_offering_is_no_investment(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


def test_shares_sold_to_an_investor_still_count(detector: EventDetector) -> None:
    assert news(detector, "Rivian raised $1.5 billion by selling new shares to Volkswagen") == {"investment"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A company named by the merger it came from: its origin, not a merger today.
        ("en", "Stellantis, formed by the merger of PSA and Fiat Chrysler, cuts its forecast"),
        ("en", "Warner Bros. Discovery, created by the merger of WarnerMedia and Discovery, cuts 1,000 jobs"),
        ("fr", "Stellantis, issu de la fusion de PSA et de Fiat Chrysler, abaisse ses prévisions"),
        ("de", "Der aus der Fusion von Linde und Praxair entstandene Konzern erhöht die Dividende"),
        ("es", "Naturgy, nacida de la fusión de Gas Natural y Unión Fenosa, sube sus tarifas"),
    ],
)
def test_companies_named_by_their_merger_are_no_acquisition(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


def test_a_merger_forming_a_company_still_counts(detector: EventDetector) -> None:
    text = "Glencore and Xstrata agree to merge, forming a mining giant"
    assert news(detector, text) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # "Acquired" describing what a company already owns: no takeover today.
        ("en", "Integration costs of the acquired business weighed on Smith & Nephew's margins"),
        ("en", "Sales at acquired companies added 4% to Rentokil's revenue"),
        ("en", "Ahold said the acquired stores in Belgium would keep their names"),
    ],
)
def test_acquired_as_an_adjective_is_no_acquisition(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    "text",
    ["Ahold acquired 71 stores from Delhaize", "Rentokil has acquired Terminix, the pest control company"],
)
def test_acquired_as_a_verb_still_counts(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A deal as the subject of what it did to results: a deal the company has, not a new one.
        ("en", "Its joint venture with Toyota posted a loss for the third quarter"),
        ("en", "The takeover of Activision added $2 billion to Microsoft's quarterly sales"),
        ("en", "The Pioneer deal, completed in May, boosted Exxon's output to a record"),
        ("en", "Its merger with Sprint hurt T-Mobile's margins for a year"),
    ],
)
def test_deals_whose_effect_is_told_are_no_event(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Toyota and Suzuki form a joint venture that will build cars in India", "partnership"),
        ("Microsoft agreed to buy Activision, which added players to Game Pass", "acquisition"),
    ],
)
def test_new_deals_told_with_an_effect_still_count(detector: EventDetector, text: str, kind: str) -> None:
    assert news(detector, text) == {kind}
