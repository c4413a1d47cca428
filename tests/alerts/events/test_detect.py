"""Event detection: triggers in four languages, the traps the keyword topics fell into, the news judgement.

The sentences are written for these tests (wire copy, trade press, many
industries); none is taken from the benchmark's labelled set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.events import lexicon
from alerts.events.detect import EventDetector
from alerts.events.orgs import OrgIndex


@pytest.fixture(scope="module")
def detector() -> EventDetector:
    return EventDetector(OrgIndex({"Nordlicht Robotik": ["Nordlicht"]}))


def news(detector: EventDetector, text: str, language: str = "en", title: str = "") -> set[str]:
    return set(detector.analyse(title, text, language).news_types)


POSITIVES = [
    # investment
    (
        "en",
        "Salesforce Ventures led a $65 million Series B in the Berlin-based payroll start-up Kontor.",
        "investment",
    ),
    ("en", "Toyota plans to invest $500 million in air-taxi maker Joby Aviation.", "investment"),
    ("en", "Ford will invest $900 million in Redwood Materials to expand battery recycling.", "investment"),
    ("en", "Chevron took a stake in the geothermal developer Fervo Energy.", "investment"),
    ("en", "Aramco bought $2 billion of Rumo Logistics's new shares in a private placement.", "investment"),
    (
        "en",
        "Biotech firm Kallisto Therapeutics raised $120m from investors led by Novo Holdings.",
        "investment",
    ),
    ("fr", "La fintech lyonnaise Paylane lève 40 millions d'euros auprès d'Eurazeo.", "investment"),
    ("fr", "Bpifrance entre au capital du fabricant de batteries Verkor.", "investment"),
    (
        "de",
        "Das Kölner Start-up Lernwerk sammelt 30 Millionen Euro in einer Finanzierungsrunde ein.",
        "investment",
    ),
    ("de", "Der Staatsfonds steigt beim Hamburger Hafenbetreiber ein.", "investment"),
    (
        "es",
        "La startup valenciana Solvia Labs capta 12 millones en una ronda liderada por Kibo Ventures.",
        "investment",
    ),
    ("es", "El fondo Mubadala toma un 8 % del operador de fibra Adamo.", "investment"),
    # acquisition
    ("en", "Cisco agreed to buy cybersecurity firm Splunk for $28 billion in cash.", "acquisition"),
    ("en", "Mars Inc. struck a takeover deal for snack maker Kellanova.", "acquisition"),
    ("en", "Danone gained control of the plant-milk maker after its offer closed.", "acquisition"),
    ("en", "Private equity firm KKR bought out the family owners of the Italian pasta maker.", "acquisition"),
    ("en", "Sony scooped up the anime streaming service Crunchyroll from AT&T.", "acquisition"),
    ("en", "Pfizer completed its $43 billion purchase of Seagen on Thursday.", "acquisition"),
    ("en", "Ineos agreed a takeover of the French yoghurt maker for €1.2 billion.", "acquisition"),
    ("en", "EU regulators approve Mars's $36 billion Kellanova deal.", "acquisition"),
    ("en", "Oracle and OpenAI strike a $30 billion-a-year cloud deal.", "partnership"),
    ("fr", "Le groupe Bouygues rachète l'opérateur Equans pour 7,1 milliards d'euros.", "acquisition"),
    ("fr", "Vinci met la main sur le gestionnaire d'aéroports britannique.", "acquisition"),
    ("de", "Der Chemiekonzern Henkel übernimmt einen US-Klebstoffhersteller.", "acquisition"),
    ("de", "Siemens Healthineers kauft den Spezialisten für Krebstherapie Varian.", "acquisition"),
    ("es", "Repsol adquiere el 100 % de la renovable ConnectGen por 768 millones de dólares.", "acquisition"),
    ("es", "El grupo cervecero Mahou se hace con la marca de sidra Maeloc.", "acquisition"),
    # partnership in the broad sense
    ("en", "Lockheed Martin wins $1.2 billion Army contract to build interceptor missiles.", "partnership"),
    ("en", "Spotify lands deals with three major record labels for audiobooks.", "partnership"),
    ("en", "Ford and SK On have reached an agreement to build two battery plants.", "partnership"),
    ("en", "Rakuten signs a five-year sponsorship deal with FC Barcelona.", "partnership"),
    ("en", "Delta and Virgin Atlantic expand their code-share on transatlantic routes.", "partnership"),
    ("en", "Medtronic is partnering with Nvidia on AI-assisted endoscopy.", "partnership"),
    (
        "en",
        "A collaboration between Moderna and Merck will test a personalised cancer vaccine.",
        "partnership",
    ),
    ("en", "Shell teamed up with the Dutch utility Eneco to bid for offshore wind farms.", "partnership"),
    ("fr", "Renault et Geely s'associent dans les moteurs thermiques.", "partnership"),
    ("fr", "Dassault Aviation décroche un contrat de 80 Rafale auprès des Émirats.", "partnership"),
    ("de", "Bosch und Microsoft arbeiten bei generativer KI für Fahrzeuge zusammen.", "partnership"),
    ("de", "Die Bahn bestellt bei Siemens Mobility 60 neue Hochgeschwindigkeitszüge.", "partnership"),
    ("es", "Telefónica y Microsoft firman una alianza para llevar la nube a las pymes.", "partnership"),
    (
        "es",
        "Navantia gana un contrato de 1.500 millones para construir fragatas para Arabia Saudí.",
        "partnership",
    ),
]


@pytest.mark.parametrize(("language", "text", "kind"), POSITIVES)
def test_events_worded_many_ways_in_four_languages(
    detector: EventDetector, language: str, text: str, kind: str
) -> None:
    assert kind in news(detector, text, language)


NEGATIVES = [
    ("en", "Intel will invest $20 billion in two new chip factories in Ohio."),  # capex
    ("en", "The carmaker's investment plans include a new paint shop at its Kentucky plant."),  # capex
    ("en", "The Gates Foundation will invest $200 million in maternal health programmes."),  # charity
    ("en", "Walmart announced a $1 billion investment in training for its store workers."),  # workforce
    ("en", "Morgan Stanley upgraded Boeing to overweight and raised its price target."),  # analyst
    ("en", "Nvidia added $200 billion in market value on Tuesday."),  # market value
    ("en", "Shares of the insurer, which Berkshire bought in 2008, fell 3%."),  # past mention
    ("en", "The unit, which raised $300 million last year, employs 400 people."),  # past mention
    ("en", "Unilever denied it was in talks to sell its tea business."),  # denial
    ("en", "Regulators blocked the proposed merger of the two grocery chains."),  # blocked
    ("en", "She became a partner at the law firm Freshfields in 2019."),  # word sense
    ("en", "It's not a big deal, the coach said after the draw."),  # word sense
    ("en", "Goldman Sachs's investment banking revenue rose 20%."),  # word sense
    ("en", "The charity raises awareness of heart disease among young athletes."),  # word sense
    ("en", "Sarah Chen takes over as chief executive of the insurer in May."),  # a role, not a company
    ("en", "Foxconn to invest $1 billion to expand an Indian iPhone plant."),  # capex, with a purpose
    ("en", "The lender is exploring strategic options, including a possible sale."),  # rumour
    ("en", "The start-up has raised $90 million to date from Accel and Index Ventures."),  # history
    ("fr", "Le groupe lance un programme de rachat d'actions de 500 millions d'euros."),  # buyback
    ("de", "Die Stadt übernimmt die Kosten für den Umbau des Stadions."),  # covers costs
    ("en", "Northvolt secures a $5 billion loan to expand its Swedish gigafactory."),  # debt
    ("en", "Intel gets $7.9 billion in federal funding for its chip plants."),  # subsidy
    ("fr", "La start-up obtient un prêt de 50 millions d'euros de la BEI."),  # debt
    ("en", "The company sells its software to banks and the firm's insurers."),  # selling products
    ("en", "Walmart bought back $4 billion of its shares in the quarter."),  # buyback
    ("es", "Europa redujo la compra de gas ruso a la mitad el año pasado."),  # goods
    ("fr", "TotalEnergies va investir 2 milliards d'euros dans ses raffineries françaises."),  # capex
    ("fr", "Le courtier Oddo relève son objectif de cours sur Capgemini."),  # analyst
    ("fr", "Le groupe dément toute discussion en vue d'un rachat de son concurrent."),  # denial
    ("de", "BASF investiert 3 Milliarden Euro in neue Anlagen am Standort Ludwigshafen."),  # capex
    ("de", "Die Analysten von Jefferies stufen die Aktie von SAP auf Kaufen hoch."),  # analyst
    ("de", "Das Kartellamt untersagt die Fusion der beiden Regionalzeitungen."),  # blocked
    ("es", "Inditex destinará 900 millones a modernizar sus tiendas este año."),  # capex
    ("es", "La empresa niega estar negociando la venta de su filial mexicana."),  # denial
    ("es", "Caixabank mejora la recomendación de Ferrovial a comprar."),  # analyst
]


@pytest.mark.parametrize(("language", "text"), NEGATIVES)
def test_the_traps_raise_no_event(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Orsted took a 50% stake in the offshore wind farm's developer, Northwind Power.", "investment"),
        ("Orsted took a 51% stake in the offshore wind farm's developer, Northwind Power.", "acquisition"),
        ("Vivendi a porté sa participation dans Lagardère à 57,4 %.", "acquisition"),
        ("Vivendi a porté sa participation dans Lagardère à 29 %.", "investment"),
        ("Indra compra el 100 % del fabricante de radares Escribano.", "acquisition"),
        ("Elon Musk bought $1 billion of Tesla's stock, a filing showed.", "investment"),
        ("Chevron agreed to buy Hess in a $53 billion all-stock deal.", "acquisition"),
    ],
)
def test_a_stake_is_an_investment_and_more_than_half_is_control(
    detector: EventDetector, text: str, kind: str
) -> None:
    assert news(detector, text, None) == {kind}


@pytest.mark.parametrize(
    "text",
    [
        "Boeing machinists approve a new contract, ending their strike.",
        "Senators reached a deal on the farm bill late on Thursday.",
        "Stellantis will invest $4.1 billion in its U.S. plants.",
        "Hyundai to invest $21 billion in the U.S. over four years.",
    ],
)
def test_labour_political_and_own_plant_deals_are_no_events(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


def test_a_deal_recalled_deeper_in_an_article_is_background(detector: EventDetector) -> None:
    text = (
        "Software maker Atlas Forge reported quarterly revenue above forecasts. Cloud sales rose 18%. "
        "The company bought the analytics firm Quantly for $400 million in 2019. "
        "Quantly, which Atlas Forge acquired to enter the bank market, now brings a third of sales."
    )
    analysis = detector.analyse("Atlas Forge beats forecasts", text, "en")
    assert analysis.news_types == frozenset()
    assert [(event.type, event.news) for event in analysis.events] == [("acquisition", False)] * 2


def test_an_event_repeated_in_the_body_is_news_without_the_headline(detector: EventDetector) -> None:
    text = (
        "The Lyon-based grocer reported higher sales on Monday. Margins were stable. "
        "It also confirmed it would acquire the regional chain Marché Vert. "
        "The acquisition gives it 120 more stores in the south-east."
    )
    assert news(detector, text, "en", title="Grocer's sales rise") == {"acquisition"}


def test_the_headline_carries_the_news(detector: EventDetector) -> None:
    text = "The company said the terms were not disclosed. Closing is expected in the third quarter."
    assert news(detector, text, "en", title="Nordlicht Robotik snaps up Danish warehouse-robot maker") == {
        "acquisition"
    }


def test_actors_and_amount_of_the_seed_like_article(detector: EventDetector) -> None:
    analysis = detector.analyse(
        "Microsoft investit 10 milliards de dollars dans OpenAI et étend leur partenariat",
        "OpenAI a annoncé lundi un nouvel investissement de Microsoft.",
        "fr",
    )
    assert analysis.news_types == {"investment", "partnership"}
    investment = next(event for event in analysis.events if event.type == "investment")
    assert investment.actors[:2] == ("Microsoft", "OpenAI")
    assert investment.amount is not None and investment.amount.usd == pytest.approx(1e10)
    partnership = next(event for event in analysis.events if event.type == "partnership")
    assert partnership.amount is None  # the amount prices the investment
    assert {"Microsoft", "OpenAI"} <= set(analysis.orgs)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Anthropic raised $4 billion from Amazon.", "Amazon"),
        ("The robotics start-up was acquired by Hyundai for $1.1 billion.", "Hyundai"),
        ("Nordlicht wird von Bosch übernommen.", "Bosch"),
        ("Microsoft invests $10bn in OpenAI.", "Microsoft"),
    ],
)
def test_the_investor_or_buyer_comes_first(detector: EventDetector, text: str, first: str) -> None:
    events = [event for event in detector.analyse("", text, None).events if event.news]
    assert events and events[0].actors[0] == first


def test_organisations_outside_the_list_are_actors(detector: EventDetector) -> None:
    (event,) = detector.analyse(
        "", "Harbor Freight Tools agreed to buy Pacific Cold Storage Inc.", "en"
    ).events
    assert event.actors == ("Harbor Freight Tools", "Pacific Cold Storage Inc.")


def test_orgs_of_the_whole_article_are_listed_once(detector: EventDetector) -> None:
    analysis = detector.analyse(
        "Weather report",
        "Nvidia and AMD shares rose. Later, Nvidia said nothing. apple juice prices fell.",
        "en",
    )
    assert analysis.orgs == ("Nvidia", "AMD")
    assert analysis.events == ()


def test_a_lexicon_with_an_unknown_group_is_refused_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "xx.yaml"
    bad.write_text("triggers:\n  investment:\n    strong: [raises]\ncues: {}\n", "utf-8")
    with pytest.raises(ValueError, match=r"xx\.yaml: unknown trigger group 'strong' under investment"):
        lexicon.read(bad)


def test_generic_words_repeated_in_the_body_refer_back_and_make_no_news(detector: EventDetector) -> None:
    text = (
        "The carmaker reported record sales in the quarter. Margins widened. "
        "The investment of $2 billion announced in spring is on track, it said. "
        "Renault's board expects the investment to lift margins."
    )
    assert news(detector, text, "en", title="Carmaker's sales hit record") == set()


# Error kinds of the issue, each a rule naming its phenomenon (written for these tests).
PHENOMENA_NEGATIVE = [
    pytest.param("en", "Volvo to invest $1bn in new trucks and workshops", id="capex: goods bought"),
    pytest.param("de", "Siemens investiert eine Milliarde Euro in Erlangen", id="capex: a place, no company"),
    pytest.param(
        "fr", "Danone va investir 200 millions d'euros à Évian pour moderniser l'usine", id="capex: à + town"
    ),
    pytest.param("en", "Evercore raises Apple to outperform, lifts target to $250", id="analyst rating"),
    pytest.param(
        "en", "Lazard's quarterly revenue rose 20% as fees from merger advice climbed", id="earnings: results"
    ),
    pytest.param(
        "de", "Deutsche Bank verdient mehr dank Fusionen und Übernahmen", id="earnings: M&A activity"
    ),
    pytest.param("en", "The state owns a 30% stake in the carmaker.", id="a stake held, not taken"),
    pytest.param("en", "Norges Bank cut its stake in Siemens to 2%", id="a stake cut"),
    pytest.param("en", "KKR raised $7 billion for its new Asia fund", id="fund launch"),
    pytest.param("es", "La gestora cierra un fondo de 300 millones para invertir en startups", id="fund: es"),
    pytest.param("en", "Apple's services arm leans on its deal with Google", id="a deal it has"),
    pytest.param("en", "TSMC will raise its capital spending to $40 billion", id="capex raised"),
    pytest.param(
        "en", "The deal-making boom added $2 trillion to the value of tech stocks", id="market value"
    ),
    pytest.param("de", "Allianz steigert den Gewinn", id="the insurer, not an alliance"),
    pytest.param("en", "Is it time to invest in Arm after the sell-off?", id="a question reports nothing"),
    pytest.param("en", "Investment income lifts Aviva's first-half profit", id="investment income"),
    pytest.param(
        "en", "Investment in the new cruise terminal will reach €300 million.", id="capex: a terminal"
    ),
]


@pytest.mark.parametrize(("language", "text"), PHENOMENA_NEGATIVE)
def test_the_error_kinds_of_the_issue_raise_no_event(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("en", "Toyota will invest $500 million in an air taxi maker.", "investment"),
        ("en", "Index Ventures and Accel also invested in the round.", "investment"),
        ("de", "Bosch steckt 80 Millionen Euro in den Münchner Drohnenhersteller.", "investment"),
        ("en", "The startup raised $50 million from investors led by a Saudi fund.", "investment"),
        ("en", "The takeover values Darktrace at $5bn, a 20% premium to its share price.", "acquisition"),
        (
            "fr",
            "Le groupe a racheté 45 % du capital et devient l'unique propriétaire de la société.",
            "acquisition",
        ),
        ("de", "Lufthansa und Condor haben ihre Zusammenarbeit deutlich ausgeweitet.", "partnership"),
    ],
)
def test_what_those_rules_must_still_let_through(
    detector: EventDetector, language: str, text: str, kind: str
) -> None:
    assert news(detector, text, language) == {kind}


def test_the_deal_named_again_is_the_same_event(detector: EventDetector) -> None:
    text = "Nestlé agreed to buy Blue Bottle for $500 million. The deal gives the Swiss group a coffee brand."
    assert news(detector, text, title="Coffee consolidation") == {"acquisition"}


def test_rounds_and_periods_are_no_actors(detector: EventDetector) -> None:
    analysis = detector.analyse(
        "Anthropic raises $450 million in Series C funding led by Spark Capital", "", "en"
    )
    (event,) = [event for event in analysis.events if event.news]
    assert "Spark Capital" in event.actors
    assert not any(actor.startswith("Series") for actor in event.actors)
    analysis = detector.analyse("Q3 Results: Nordlicht raises $20m from Blue Harbor Ventures", "", "en")
    assert "Q3 Results" not in {actor for event in analysis.events for actor in event.actors}


def test_only_the_news_amounts_count_for_the_article(detector: EventDetector) -> None:
    """`amount>=1B` is meant to select big deals: an amount recalled in passing does not count."""
    recalled = detector.analyse(
        "LinkedIn launches a new app",
        "Microsoft, which bought LinkedIn for $26 billion in 2016, said on Monday the app is free.",
        "en",
    )
    assert recalled.amounts == ()
    news_amount = detector.analyse("Microsoft invests $10 billion in OpenAI", "", "en")
    assert [amount.usd for amount in news_amount.amounts] == [pytest.approx(1e10)]


def test_a_long_articles_tail_is_not_read_for_events(detector: EventDetector) -> None:
    filler = " ".join(f"The plant in {town} ran at full capacity." for town in "ABCDEFGHIJK")
    tail = "Globex agreed to buy Initech for $2 billion. The takeover of Initech will close in June."
    analysis = detector.analyse("Factory output rises", f"{filler} {tail}", "en")
    assert analysis.news_types == frozenset()
    near_the_top = detector.analyse("Factory output rises", f"{tail} {filler}", "en")
    assert near_the_top.news_types == {"acquisition"}


def test_results_told_after_a_deal_are_a_detail_of_it(detector: EventDetector) -> None:
    assert news(detector, "Lumen Robotics raises $50 million as its revenue grows 300%.") == {"investment"}
