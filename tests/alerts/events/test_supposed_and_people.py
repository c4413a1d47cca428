"""Deal words whose deal is supposed or whose partners are people: classes from fresh9-dev's errors
(eleventh session), tested in articles written for these tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector
from tests.alerts.events.reading import article_news


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A deal as the subject of a conditional: supposed, not made.
        (
            "en",
            "Takeover of Finnair would need Helsinki's blessing, officials say",
            "A takeover of Finnair by any foreign carrier would need the Finnish state's consent, "
            "ministry officials told lawmakers on Tuesday. No airline has made an approach. The state "
            "owns 56% of the carrier. Finnair's shares were unchanged.",
        ),
        (
            "en",
            "Pharmacy chains' tie-up could cut 900 stores, union warns",
            "Unions say a combination of the two largest Chilean pharmacy chains could close 900 stores. "
            "Neither chain has confirmed any talks. Together they sell half of the country's medicines. "
            "The competition regulator declined to comment.",
        ),
        (
            "fr",
            "Un rapprochement entre les deux distributeurs serait mal vu à Bruxelles",
            "Une fusion de Système U et d'Intermarché pourrait se heurter aux règles de concurrence, "
            "estiment des juristes. Les deux enseignes n'ont rien annoncé. Elles pèsent ensemble près "
            "de 30 % du marché français. Leurs présidents se sont rencontrés en septembre.",
        ),
        (
            "de",
            "Fusion der beiden Genossenschaftsbanken würde 300 Stellen kosten",
            "Ein Zusammenschluss der Volksbank Mittelhessen mit der Nachbarbank könnte nach Berechnungen "
            "der Gewerkschaft 300 Stellen kosten. Beide Häuser schweigen zu den Plänen. Gespräche gibt "
            "es nach eigenen Angaben nicht. Die Bilanzsumme läge bei 15 Milliarden Euro.",
        ),
        (
            "es",
            "Una fusión de las dos mayores navieras chilenas sería revisada por la FNE",
            "Una fusión entre CSAV y una naviera rival podría tardar un año en ser aprobada, según "
            "abogados consultados. Ninguna empresa ha confirmado conversaciones. El sector mueve el 80 % "
            "del comercio exterior chileno. Las acciones de CSAV subieron un 1 %.",
        ),
    ],
)
def test_a_deal_supposed_in_a_conditional_is_no_news(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


@pytest.mark.parametrize(
    ("language", "title", "text", "expected"),
    [
        # A deal agreed and what it would do: the conditional tells the effect of a deal made.
        (
            "en",
            "Japan's Yamato agrees to buy parcel firm Sagawa",
            "Yamato Holdings has agreed to buy Sagawa Express for 400 billion yen. The deal would make "
            "Yamato the largest parcel carrier in Japan. Regulators must approve it.",
            {"acquisition"},
        ),
        (
            "en",
            "Two Gulf ports sign a merger that would create the region's biggest operator",
            "Abu Dhabi Ports and Oman's Asyad signed a merger agreement on Sunday that would create the "
            "Gulf's largest port operator. The combined group would run 14 terminals. Shareholders vote "
            "in March.",
            {"acquisition"},
        ),
        (
            "es",
            "Sigma y Grupo Herdez sellan una alianza que crearía un gigante de los embutidos",
            "Sigma Alimentos y Grupo Herdez sellaron una alianza para distribuir juntos sus embutidos en "
            "Centroamérica, anunciaron el lunes. La empresa conjunta tendría ventas de 800 millones de "
            "dólares. Empezará a operar en enero.",
            {"partnership"},
        ),
    ],
)
def test_a_conditional_after_a_deal_made_leaves_it_news(
    detector: EventDetector, language: str, title: str, text: str, expected: set[str]
) -> None:
    assert article_news(detector, title, text, language) == expected


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # People named by what they do who team up: no deal between organisations.
        (
            "en",
            "Three architects team up to rebuild Beirut's old port houses",
            "Three Lebanese architects have teamed up to restore a row of Ottoman-era houses near the "
            "port, paid for by private donors. The work starts in spring. The houses were damaged in "
            "the 2020 blast. About 40 craftsmen will be hired.",
        ),
        (
            "fr",
            "Deux vignerons du Beaujolais s'associent pour sauver un vieux cépage",
            "Les vignerons Paul Morel et Claire Dufour s'associent pour replanter deux hectares de "
            "gamay à jus blanc, un cépage presque disparu. Les premières bouteilles sont attendues en "
            "2029. Les deux amis se connaissent depuis le lycée agricole. Le projet coûte 80 000 euros.",
        ),
        (
            "es",
            "Dos hermanos se asocian para abrir una panadería en Valparaíso",
            "Los hermanos Tomás y Matías Rojas se asocian para abrir una panadería de masa madre en el "
            "cerro Alegre. El local tendrá diez empleados. Ambos trabajaron antes en Santiago. Abrirá "
            "sus puertas en marzo.",
        ),
    ],
)
def test_people_who_team_up_make_no_partnership(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # People who team up with a company, or companies named by people's words: a partnership.
        (
            "en",
            "Two chefs partner with Nestlé on a range of ready meals",
            "Two Michelin-starred chefs will partner with Nestlé on a range of frozen meals sold in "
            "Britain, the company said. The meals go on sale in March. Nestlé did not give the terms.",
        ),
        (
            "de",
            "Siemens und Bosch arbeiten bei Wärmepumpen zusammen",
            "Siemens und Bosch arbeiten künftig bei der Steuerung von Wärmepumpen zusammen, teilten "
            "die Konzerne mit. Die Ingenieure beider Firmen entwickeln eine gemeinsame Software. Sie "
            "soll 2027 auf den Markt kommen.",
        ),
    ],
)
def test_organisations_that_team_up_stay_partners(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A question inside a headline asks who will deal; it reports no deal.
        (
            "en",
            "Who will take over Ghana's last gold refinery? Bidders circle in Accra",
            "Ghana's government has said it wants a private owner for the Gold Refinery of Accra. Several "
            "mining groups are said to be interested. No offer has been filed. The refinery has run at a "
            "loss for three years.",
        ),
        (
            "es",
            "¿Quién comprará la cervecera Backus? Las apuestas en Lima",
            "En Lima crecen las especulaciones sobre el futuro de Backus. La empresa no ha comentado los "
            "rumores. Sus ventas subieron un 4 % el año pasado. Emplea a 3.000 personas en Perú.",
        ),
    ],
)
def test_a_question_in_a_headline_reports_no_deal(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_a_deal_told_after_a_question_stays_news(detector: EventDetector) -> None:
    title = "Who is Apollo? The US fund takes a 25% stake in Hornsea 3"
    text = (
        "Apollo has agreed to buy a 25% stake in the Hornsea 3 offshore wind farm from Ørsted for "
        "£2 billion. Ørsted keeps the rest. Construction started last year."
    )
    assert article_news(detector, title, text) == {"investment"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # Deals counted by what they did to results, or named as what owns the news.
        (
            "fr",
            "Les contrats d'export tirent les ventes du levurier Lesaffre",
            "Le levurier lillois Lesaffre a vu ses ventes progresser de 8 % sur l'année. Le groupe n'a "
            "pas communiqué son bénéfice. Il emploie 11 000 personnes. Ses usines tournent à plein.",
        ),
        (
            "en",
            "Podcast deals added two points to Spotify's margin, finance chief says",
            "Spotify's gross margin rose two points in the quarter, its finance chief told analysts. "
            "The company added 15 million users. Its shares rose 6% in New York. Advertising sales "
            "were flat.",
        ),
        (
            "en",
            "Merger's architects step down from Glencore board",
            "Two directors who steered Glencore through its combination with Xstrata in 2013 are "
            "stepping down from the board, the miner said. They leave in May. The board will shrink to "
            "nine members. Glencore shares were flat.",
        ),
    ],
)
def test_deals_told_by_their_effect_or_as_owners_are_no_news(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_deals_signed_before_an_effect_further_on_stay_news(detector: EventDetector) -> None:
    title = "Paystack signs deals with Visa and Mastercard"
    text = (
        "Paystack has signed deals with Visa and Mastercard that will lift its card limits, the "
        "Lagos payments company said. The agreements start in January. Paystack is owned by Stripe."
    )
    assert article_news(detector, title, text) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A verb denied just before the deal word: a deal said not to be made.
        (
            "en",
            "Kenya Airways has not signed new code-share deals this year, CEO says",
            "Kenya Airways has not signed any code-share agreements this year, chief executive Allan "
            "Kilavuka said on Monday. The airline is focused on repairing its grounded jets. It flew "
            "5 million passengers last year. Its losses narrowed.",
        ),
        (
            "fr",
            "Le FC Sochaux n'a toujours pas trouvé de sponsor maillot",
            "Le FC Sochaux n'a pas signé de nouveau partenaire principal pour la saison, a reconnu son "
            "président. Le club joue en National. Son budget a baissé de 20 %. Le stade Bonal sonne "
            "creux.",
        ),
        (
            "de",
            "Telekom will beim Glasfaserausbau nicht mit Huawei kooperieren",
            "Die Deutsche Telekom wird beim Ausbau ihres Glasfasernetzes nicht mit Huawei kooperieren, "
            "sagte Vorstandschef Tim Höttges. Die Bundesregierung hatte Sicherheitsfragen gestellt. Der "
            "Ausbau kostet bis 2030 rund 30 Milliarden Euro. Die Aktie stieg leicht.",
        ),
    ],
)
def test_a_deal_word_after_a_negation_is_no_news(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_a_deal_whose_terms_are_not_disclosed_stays_news(detector: EventDetector) -> None:
    title = "Sanlam buys Namibian insurer for an undisclosed sum"
    text = (
        "Sanlam has bought Hollard Namibia, the South African group said on Tuesday. It did not "
        "disclose the price of the acquisition. Hollard Namibia has 300 staff."
    )
    assert article_news(detector, title, text) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "title", "text", "expected"),
    [
        # A generic deal word in the headline names the deal the lead tells in specific words.
        (
            "en",
            "Ghana's Hollard unit changes hands in $60m deal",
            "Sanlam has bought Hollard Ghana from its South African parent for $60 million, the insurer "
            "said on Monday. Hollard Ghana has 40 branches. The regulator approved the sale last week.",
            {"acquisition"},
        ),
        (
            "fr",
            "Accord à 80 millions d'euros pour la start-up rennaise Klaxoon",
            "Le fonds Bpifrance a pris 15 % du capital de Klaxoon pour 80 millions d'euros, a annoncé "
            "la start-up rennaise. Elle veut recruter 200 personnes. Son chiffre d'affaires a doublé.",
            {"investment"},
        ),
        # A deal of its own in the lead, beside the stake, stays a partnership.
        (
            "en",
            "Telecom Egypt bets on local cloud start-up",
            "Telecom Egypt has bought a 10% stake in Cairo start-up Cloudex for $20 million. The stake "
            "comes with a five-year agreement to host Cloudex's servers in its data centres. Cloudex "
            "was founded in 2019.",
            {"investment", "partnership"},
        ),
    ],
)
def test_a_generic_deal_in_the_headline_is_the_one_the_lead_tells(
    detector: EventDetector, language: str, title: str, text: str, expected: set[str]
) -> None:
    assert article_news(detector, title, text, language) == expected


@pytest.mark.parametrize(
    ("language", "title", "text", "expected"),
    [
        # Orders or contracts lost are a result counted, not a deal.
        (
            "en",
            "Sri Lankan tea exporters lose orders as Russian buyers turn to Kenya",
            "Sri Lanka's tea exporters lost nearly $200 million of orders this year as Russian and Iraqi "
            "buyers switched to cheaper Kenyan leaf, the Colombo Tea Traders' Association said. Auction "
            "prices fell 6%. Growers blamed fertiliser costs. The rupee was stable.",
            set(),
        ),
        (
            "de",
            "Zulieferer Leoni verliert Aufträge von zwei Autobauern",
            "Der Kabelspezialist Leoni verliert nach eigenen Angaben Aufträge von zwei großen Autobauern. "
            "Der Umsatz werde deshalb im kommenden Jahr sinken, teilte das Unternehmen mit. Namen nannte "
            "Leoni nicht. Die Aktie fiel um vier Prozent.",
            set(),
        ),
        # One contract lost names who won it.
        (
            "en",
            "Alstom loses the Johannesburg metro contract to CRRC",
            "South Africa's rail agency has awarded CRRC a contract worth $900 million to build 60 metro "
            "trains for Johannesburg, after Alstom's bid was rejected. Deliveries start in 2027.",
            {"partnership"},
        ),
    ],
)
def test_orders_lost_are_a_result_counted(
    detector: EventDetector, language: str, title: str, text: str, expected: set[str]
) -> None:
    assert article_news(detector, title, text, language) == expected


@pytest.mark.parametrize(
    ("language", "title", "text", "expected"),
    [
        # A co-operative is an organisation, not a cooperation.
        (
            "fr",
            "Les coopératives viticoles de l'Hérault face à la chute des ventes",
            "Les caves coopératives de l'Hérault ont vendu 12 % de vin en moins cette année, selon leur "
            "fédération. Plusieurs coopératives envisagent d'arracher des vignes. La région compte 80 "
            "caves. Les prix du vrac ont baissé.",
            set(),
        ),
        (
            "es",
            "Una cooperativa de cafeteros de Huila exporta su primer lote a Japón",
            "La cooperativa Cadefihuila envió su primer contenedor de café especial a Japón, informó su "
            "gerente. El lote pesa 18 toneladas. Los socios recibirán un precio mayor. La cosecha fue "
            "buena este año.",
            set(),
        ),
        (
            "en",
            "Arla buys Danish organic cooperative's dairy",
            "Arla Foods has agreed to buy the dairy of Thise, a Danish organic cooperative, for an "
            "undisclosed sum. Thise's 100 farmers will supply Arla. The dairy employs 250 people.",
            {"acquisition"},
        ),
    ],
)
def test_a_co_operative_is_an_organisation_not_a_cooperation(
    detector: EventDetector, language: str, title: str, text: str, expected: set[str]
) -> None:
    assert article_news(detector, title, text, language) == expected


@pytest.mark.parametrize(
    ("language", "title", "text", "expected"),
    [
        # A deal a court or a regulator freezes or suspends is not done.
        (
            "en",
            "Judge freezes Zambia's copper offtake deal with Trafigura",
            "A Lusaka judge has suspended a copper offtake agreement between state miner ZCCM and "
            "Trafigura until a challenge by minority shareholders is heard. ZCCM said it would appeal. "
            "Copper prices rose 2%. The hearing is set for March.",
            set(),
        ),
        (
            "es",
            "Un juez suspende el contrato de Aena con una constructora china en Brasil",
            "Un juez federal de Brasilia suspendió el contrato de Aena con China Railway para ampliar el "
            "aeropuerto de Recife, tras una denuncia de un competidor. Aena recurrirá. Las obras debían "
            "empezar en enero. El aeropuerto recibe 9 millones de pasajeros.",
            set(),
        ),
        # Talks suspended and resumed, then a deal: the deal is news.
        (
            "en",
            "Vale agrees to sell nickel unit stake after suspended talks resume",
            "Vale has agreed to sell a 10% stake in its base metals unit to Manara Minerals for $2.5 "
            "billion, after talks suspended in June resumed last month. The deal values the unit at $25 "
            "billion.",
            {"investment"},
        ),
    ],
)
def test_a_deal_frozen_or_suspended_is_not_done(
    detector: EventDetector, language: str, title: str, text: str, expected: set[str]
) -> None:
    assert article_news(detector, title, text, language) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Deal-making as an activity ("deal work", "deal flow"): no deal of its own.
        "Baker McKenzie's Riyadh office said deal work picked up in the second half, led by "
        "sovereign funds. The firm hired four lawyers. It expects a busy 2026.",
        "Bankers in São Paulo say deal flow has slowed since the central bank raised rates. Fees fell "
        "by a third. Several listings were postponed.",
    ],
)
def test_deal_making_as_an_activity_is_no_deal(detector: EventDetector, text: str) -> None:
    assert article_news(detector, "Gulf and Brazil advisers see a mixed year", text) == set()


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # A German stake cut, with "Anteil" and no pronoun, or in the perfect with its participle last.
        (
            "Norges Bank senkt Anteil an Siemens Energy unter fünf Prozent",
            "Der norwegische Staatsfonds hat seinen Anteil an Siemens Energy unter die Schwelle von fünf "
            "Prozent gesenkt, wie aus einer Mitteilung hervorgeht. Er hält nun 4,8 Prozent. Die Aktie "
            "gab leicht nach. Der Fonds verwaltet 1,7 Billionen Dollar.",
        ),
        (
            "Blackrock reduziert seinen Anteil an der Lufthansa",
            "Der Vermögensverwalter Blackrock hat seinen Anteil an der Lufthansa auf 2,9 Prozent "
            "verringert. Das geht aus einer Stimmrechtsmitteilung hervor. Die Aktie stieg um ein Prozent. "
            "Lufthansa fliegt wieder mehr Ziele in Asien an.",
        ),
    ],
)
def test_a_german_stake_cut_is_no_investment(detector: EventDetector, title: str, text: str) -> None:
    assert article_news(detector, title, text, "de") == set()


@pytest.mark.parametrize(
    ("language", "title", "text", "expected"),
    [
        # An investment word that is a word of a company's name reports no investment.
        (
            "en",
            "Centum Investment reports higher profit on Nairobi property sales",
            "Centum Investment said half-year profit rose 20% as it sold flats at Two Rivers. The "
            "Nairobi-listed group cut its debt by a third. Its shares rose 4%.",
            set(),
        ),
        (
            "en",
            "Sanlam Investment Management hires a new chief for Africa",
            "Sanlam Investment Management has named Thabo Dloti its head for Africa outside South "
            "Africa. He joins from Liberty. The unit manages $30 billion.",
            set(),
        ),
        ("fr", "Le fonds Qatar Investment Authority nomme un nouveau directeur pour l'Europe", "", set()),
        ("es", "Mubadala Investment Company abre una oficina en São Paulo", "", set()),
        # Title case and lower case still report one.
        ("en", "Apple Makes Investment In Chip Startup Rivos", "", {"investment"}),
        ("en", "Nvidia makes a $2 billion investment in xAI", "", {"investment"}),
    ],
)
def test_an_investment_word_in_a_company_name_is_none(
    detector: EventDetector, language: str, title: str, text: str, expected: set[str]
) -> None:
    assert article_news(detector, title, text, language) == expected


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # A minority position bought is a stake: an investment, not a takeover.
        (
            "Itochu buys minority position in Vietnamese dairy TH Milk",
            "Itochu has bought a 15% position in TH Milk for about $150 million, the Japanese trading "
            "house said. The founding family keeps control. TH Milk runs farms in Nghe An.",
        ),
        (
            "Aramco buys a 10% position in Chinese refiner Rongsheng's unit",
            "Saudi Aramco has bought a 10% position in Rongsheng's Zhejiang refinery for $3.4 billion. "
            "Rongsheng keeps the rest. The refinery will take Saudi crude for 20 years.",
        ),
    ],
)
def test_a_position_bought_is_a_stake(detector: EventDetector, title: str, text: str) -> None:
    assert "investment" in article_news(detector, title, text)
    assert "acquisition" not in article_news(detector, title, text)


@pytest.mark.parametrize(
    ("language", "title", "text", "expected"),
    [
        # Deals as what a change could lead to: supposed, not made.
        (
            "en",
            "Vietnam eases foreign ownership caps for banks",
            "Vietnam will let foreign investors own up to 49% of local banks, a rule that bankers say "
            "could lead to a wave of stake purchases by Japanese lenders such as MUFG and SMBC. The rule "
            "takes effect in July. Foreign ownership is now capped at 30%.",
            set(),
        ),
        (
            "fr",
            "Le Maroc assouplit les règles sur les assureurs",
            "Le Maroc va relever le plafond des participations étrangères dans les assureurs, une "
            "réforme qui pourrait conduire à des prises de participation d'Allianz ou d'AXA. Le texte "
            "entre en vigueur en janvier. Le marché compte 23 compagnies.",
            set(),
        ),
        # A deal agreed that an approval could clear stays news.
        (
            "en",
            "Etihad agrees to buy 20% of Air Austral",
            "Etihad Airways has agreed to buy a 20% stake in Air Austral for 40 million euros, a step "
            "that could pave the way for the partnership the two airlines announced in June. "
            "Regulators in France must approve it.",
            {"investment"},
        ),
    ],
)
def test_deals_a_change_could_lead_to_are_supposed(
    detector: EventDetector, language: str, title: str, text: str, expected: set[str]
) -> None:
    assert article_news(detector, title, text, language) == expected


def test_a_german_indicative_is_no_conditional(detector: EventDetector) -> None:
    # Folded, "wurde" (was) is "würde" (would): only the umlaut makes a conditional.
    title = "Übernahme des Netzbetreibers Tennet Deutschland wurde genehmigt"
    text = (
        "Die Übernahme von Tennet Deutschland durch die KfW wurde am Freitag vom Bundeskartellamt "
        "genehmigt. Der Kaufpreis liegt bei 22 Milliarden Euro. Tennet betreibt 14 000 Kilometer "
        "Leitungen."
    )
    assert article_news(detector, title, text, "de") == {"acquisition"}
