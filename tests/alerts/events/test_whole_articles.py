"""Whole articles whose headline decides how their lead is read. Classes from fresh7-dev's and
artdev's errors (ninth session), tested in articles written for these tests, not benchmark items."""

from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector
from tests.alerts.events.reading import article_news, news


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A headline that judges or denies a deal frames the lead that tells it again.
        (
            "en",
            "Opinion: why the Unilever bid for Haleon is the wrong move",
            "Unilever's offer for Haleon, made public on Monday, values the consumer-health group at "
            "£40 billion. It would saddle the buyer with debt for a decade.",
        ),
        (
            "de",
            "Kommentar: Warum der Verkauf der Kliniksparte nicht aufgeht",
            "Fresenius verkauft seine Kliniksparte an den Finanzinvestor KKR. Der Konzern verspricht "
            "sich davon mehr Spielraum.",
        ),
        (
            "fr",
            "Danone dément toute vente de sa filiale Alpro",
            "Le groupe agroalimentaire a démenti jeudi les informations de presse selon lesquelles il "
            "préparerait la cession de sa filiale de boissons végétales Alpro, qui réalise un milliard "
            "d'euros de ventes.",
        ),
        (
            "en",
            "Watchdog blocks Aviva's purchase of Direct Line",
            "The Competition and Markets Authority said on Tuesday that Aviva's £3.7 billion takeover "
            "of Direct Line would leave drivers with less choice. Aviva said it would appeal.",
        ),
    ],
)
def test_a_judged_or_denied_headline_frames_its_lead(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # A deal recalled in the headline frames nothing: the lead's own deal is news.
        (
            "Five years after its 2019 merger, Aon agrees to buy NFP",
            "Aon has agreed to buy the insurance broker NFP for $13.4 billion, the company said on "
            "Wednesday. The deal is expected to close next year.",
            {"acquisition"},
        ),
        # A headline denying one deal leaves the lead's deal of another type news.
        (
            "Siemens denies plan to sell its rail unit",
            "Siemens Mobility has won a €3 billion contract from Egypt's national railway to build a "
            "high-speed line, the company said on Monday.",
            {"partnership"},
        ),
    ],
)
def test_a_headline_frames_only_the_deal_it_judges(
    detector: EventDetector, title: str, text: str, expected: set[str]
) -> None:
    assert article_news(detector, title, text) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A holder cutting its stake, or selling shares to the market in an accelerated placement.
        ("fr", "Bolloré réduit sa participation dans Lagardère à 20 %"),
        ("es", "Criteria reduce su participación en Naturgy tras vender un 5 %"),
        ("de", "Porsche SE reduziert seine Beteiligung an Volkswagen auf 25 Prozent"),
        (
            "en",
            "SoftBank raised $2 billion by selling T-Mobile shares to investors in an accelerated bookbuild",
        ),
        (
            "fr",
            "Wendel a cédé 5 % de Bureau Veritas auprès d'investisseurs institutionnels dans le cadre "
            "d'un placement accéléré",
        ),
        # Italy's football league is no Series A round.
        ("en", "Qatari fund completes takeover of Serie A side Sampdoria"),
        ("es", "Un grupo saudí compra un club de la Serie A"),
    ],
)
def test_stakes_cut_placed_or_in_a_league_are_no_investment(
    detector: EventDetector, language: str, text: str
) -> None:
    assert "investment" not in news(detector, text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "La startup Clikalia cierra una ronda de serie A de 20 millones con Mubadala"),
        ("en", "Mistral raises a $100 million Series A led by Lightspeed"),
        ("fr", "Temasek prend une participation dans la start-up Pasqal"),
    ],
)
def test_rounds_and_stakes_taken_still_count(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"investment"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A player right after the words of a purchase: a player signed, no company bought.
        ("fr", "Le PSG s'offre un attaquant brésilien pour 60 millions d'euros"),
        ("es", "El Real Madrid se hace con el centrocampista turco Arda Güler"),
        ("en", "Chelsea snaps up striker João Félix from Atlético Madrid"),
        ("en", "Arsenal buys midfielder Declan Rice for £105 million"),
        ("de", "Bayern kauft Stürmer Harry Kane für 100 Millionen Euro"),
    ],
)
def test_players_bought_are_no_acquisition(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "RedBird agrees to buy AC Milan for €1.2 billion, and keeps its star striker"),
        ("fr", "Le fonds Oaktree s'offre l'Inter Milan pour 1 milliard d'euros"),
    ],
)
def test_clubs_bought_still_count(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == {"acquisition"}


@pytest.mark.parametrize(
    "text",
    [
        # Orders counted as a result that slipped or dipped: no order won.
        "Atlas Copco's orders slip but its margin holds up",
        "Siemens Energy orders dipped 5% as wind contracts dried up",
    ],
)
def test_orders_that_slipped_are_no_partnership(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


def test_an_order_won_as_the_backlog_dips_still_counts(detector: EventDetector) -> None:
    assert news(detector, "Alstom wins $2bn order from Amtrak as its backlog dips") == {"partnership"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A price told in the conditional ("a deal could value") is one of a deal not made.
        (
            "en",
            "Carlyle in talks to buy StandardAero",
            "Carlyle is in talks to buy StandardAero, people familiar with the matter said. "
            "A deal could value StandardAero at $5 billion including debt, one of them said.",
        ),
        (
            "fr",
            "Vivendi en discussions pour racheter Lagardère",
            "Vivendi discute du rachat de Lagardère, selon des sources. "
            "Un accord pourrait valoriser Lagardère à 3 milliards d'euros.",
        ),
        (
            "es",
            "Abertis, en conversaciones para comprar una autopista chilena",
            "Abertis mantiene conversaciones para comprar la autopista Costanera Norte, según "
            "fuentes del mercado. "
            "Un acuerdo podría valorar Costanera Norte en 900 millones de euros.",
        ),
        (
            "de",
            "Vonovia prüft Kauf von Deutsche Wohnen",
            "Vonovia prüft einen Kauf von Deutsche Wohnen, berichten Insider. "
            "Eine Vereinbarung könnte Deutsche Wohnen mit 18 Milliarden Euro bewerten.",
        ),
    ],
)
def test_a_deal_priced_in_the_conditional_is_no_partnership(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_a_deal_made_with_a_conditional_earn_out_still_counts(detector: EventDetector) -> None:
    title = "Carlyle to buy StandardAero for $5 billion"
    text = (
        "Carlyle agreed on Monday to buy StandardAero for $5 billion. "
        "The deal could be worth more if targets are met."
    )
    assert article_news(detector, title, text) == {"acquisition"}


@pytest.mark.parametrize(
    "text",
    [
        # Prices in a shop are no deal between organisations.
        "Currys opened its January sale on Friday, promising its biggest deals ever on laptops",
        "Target starts its summer deals event on Sunday, with discounts on Samsung televisions",
    ],
)
def test_shop_deals_are_no_partnership(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        # Supply contracts named in one German word by what they supply.
        "Aurubis hat mit Statkraft einen Stromliefervertrag über zehn Jahre geschlossen",
        "Uniper hat mit Equinor einen Gasliefervertrag über fünf Jahre geschlossen",
    ],
)
def test_german_supply_contracts_named_by_what_they_supply(detector: EventDetector, text: str) -> None:
    assert news(detector, text, "de") == {"partnership"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Stakes listed among the parts of a business bought: the business is bought.
        (
            "en",
            "Harbour Energy has agreed to buy Wintershall Dea's Norwegian business, including stakes "
            "in six producing fields, for $11 billion",
        ),
        (
            "fr",
            "TotalEnergies rachète les activités brésiliennes de Galp, dont des participations dans "
            "trois champs pétroliers, pour 2 milliards de dollars",
        ),
        (
            "de",
            "Wintershall kauft das Nordseegeschäft von Shell einschließlich Beteiligungen an vier "
            "Feldern für 2 Milliarden Euro",
        ),
    ],
)
def test_stakes_listed_in_a_business_bought_leave_an_acquisition(
    detector: EventDetector, language: str, text: str
) -> None:
    assert news(detector, text, language) == {"acquisition"}


@pytest.mark.parametrize(
    "text",
    [
        "Temasek takes a 10% stake in Adyen for $1 billion",
        "Aramco buys a 10% stake in Horse Powertrain, including rights to two board seats",
    ],
)
def test_stakes_taken_are_still_investments(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"investment"}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A deal named by one noun just after "after": what followed it is the news.
        ("en", "Carlsberg to close a brewery after Britvic takeover"),
        ("en", "UniCredit shuts 300 branches following Banco BPM merger"),
        ("fr", "Orange ferme des boutiques en Espagne après la fusion MasOrange"),
        ("de", "Vonovia baut 500 Stellen ab nach Deutsche-Wohnen-Übernahme"),
        ("es", "Sabadell cierra 200 oficinas tras la fusión con TSB"),
    ],
)
def test_what_followed_a_deal_is_not_the_deal(detector: EventDetector, language: str, text: str) -> None:
    assert news(detector, text, language) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A verb tells the deal itself, whatever comes before it.
        ("After months of talks, Chevron agrees to buy Hess for $53 billion", {"acquisition"}),
        ("Airbus wins order from IndiGo after a tender", {"partnership"}),
    ],
)
def test_a_deal_told_by_its_verb_after_after_still_counts(
    detector: EventDetector, text: str, expected: set[str]
) -> None:
    assert news(detector, text) == expected


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A headline recalling a deal, then the lead naming it with a definite article: the same
        # deal recalled, not news.
        (
            "en",
            "BT to cut 2,000 jobs after EE merger",
            "The merger completed in June after the regulator approved it. BT said the cuts would "
            "fall mostly on back-office roles.",
        ),
        (
            "fr",
            "Orange ferme 40 boutiques en Espagne après la fusion MasOrange",
            "La fusion a été finalisée en mars et a créé le premier opérateur du pays. Les fermetures "
            "toucheront surtout les centres commerciaux.",
        ),
        (
            "de",
            "Vonovia baut 500 Stellen ab nach Deutsche-Wohnen-Übernahme",
            "Die Übernahme wurde im Herbst abgeschlossen. Betroffen sind vor allem Verwaltungsstellen "
            "in Berlin.",
        ),
    ],
)
def test_the_lead_naming_the_headline_s_recalled_deal_recalls_it(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_the_lead_naming_the_headline_s_news_is_news(detector: EventDetector) -> None:
    title = "Chevron to buy Hess for $53 billion"
    text = (
        "Chevron agreed on Monday to buy Hess for $53 billion in stock. The deal adds oil fields in Guyana."
    )
    assert article_news(detector, title, text) == {"acquisition"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # Orders or contracts said not to exist: the absence is the news (tenth session, fresh8-dev).
        (
            "en",
            "Skyway signs no jet orders at Farnborough as engines stay short",
            "Skyway left the Farnborough Airshow with no new aircraft orders, its chief executive said, "
            "blaming a shortage of engines. The carrier will lease older planes instead.",
        ),
        (
            "fr",
            "Aucune commande pour le chantier naval de Brest depuis deux ans",
            "Le chantier n'a reçu aucune commande de navire depuis 2023, a regretté le maire. Les 300 "
            "salariés sont au chômage partiel.",
        ),
        (
            "de",
            "Waggonbauer in Görlitz ohne Anschlussaufträge",
            "Der Waggonbauer hat in diesem Jahr keine neuen Aufträge erhalten, sagte der Betriebsrat. Die "
            "Produktion läuft im Sommer aus.",
        ),
        (
            "es",
            "Ningún pedido nuevo para el astillero de Vigo este año",
            "El astillero no ha firmado ningún contrato nuevo este año, según el comité de empresa. La "
            "plantilla teme un expediente de regulación.",
        ),
    ],
)
def test_orders_said_not_to_exist_are_no_partnership(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_a_deal_with_no_fee_still_counts(detector: EventDetector) -> None:
    # "no" further from the deal word qualifies its terms.
    headline = "Spotify signs a podcast partnership with the BBC, with no fee paid upfront"
    assert news(detector, headline) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A consumer's contract with a network is a tariff, not a deal between organisations.
        (
            "en",
            "Three to raise phone contract prices again in April",
            "Customers on contracts will pay an extra £2 a month from April, the network said. Citizens "
            "Advice called the rises unfair.",
        ),
        (
            "fr",
            "Free augmente le prix de ses contrats mobiles",
            "L'opérateur augmentera de deux euros par mois le prix de ses contrats mobiles à partir de "
            "janvier. L'UFC-Que Choisir dénonce une hausse déguisée.",
        ),
        (
            "es",
            "Los contratos de permanencia, en el punto de mira de Consumo",
            "El Ministerio de Consumo quiere limitar los contratos de permanencia de las operadoras a seis "
            "meses. Las compañías dicen que encarecerá los móviles.",
        ),
    ],
)
def test_consumers_contracts_are_no_partnership(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_a_network_contract_won_still_counts(detector: EventDetector) -> None:
    assert news(detector, "Nokia wins 5G network contract from Deutsche Telekom") == {"partnership"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A study described as a collaboration names its authors: the finding is the news.
        (
            "en",
            "Coral reefs recover faster than thought, researchers find",
            "Reefs off Australia regrew half their coral within six years of a bleaching. The findings, "
            "from a collaboration of James Cook University and CSIRO, appear in Science.",
        ),
        (
            "de",
            "Forscher finden Ursache für Bienensterben",
            "Ein Virus schwächt die Bienen im Winter stärker als bisher angenommen. Die Studie, eine "
            "Zusammenarbeit der Universitäten Hohenheim und Würzburg, erscheint in Nature.",
        ),
        (
            "es",
            "Un fármaco antiguo frena la metástasis en ratones",
            "Un antiinflamatorio barato reduce la metástasis del cáncer de mama en ratones. El estudio, "
            "fruto de la colaboración entre el CNIO y el Hospital del Mar, se publica hoy.",
        ),
    ],
)
def test_a_study_told_as_a_collaboration_is_no_partnership(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_a_research_collaboration_signed_still_counts(detector: EventDetector) -> None:
    headline = "Sanofi signs research collaboration with Institut Pasteur on vaccines"
    assert news(detector, headline) == {"partnership"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # Where a result came from: orders counted, not an order won.
        (
            "en",
            "Kone sales up 5% in the third quarter",
            "The lift maker's sales rose 5 per cent to €2.8 billion. Growth came mainly from modernisation "
            "orders in Europe, the company said.",
        ),
        (
            "fr",
            "Le chiffre d'affaires de Haulotte progresse de 9 %",
            "Le fabricant de nacelles a réalisé 180 millions d'euros de ventes au trimestre. La hausse "
            "provient surtout des commandes des loueurs américains.",
        ),
        (
            "es",
            "Talgo eleva sus ventas un 12 %",
            "El fabricante de trenes facturó 420 millones de euros en el semestre. El crecimiento procede "
            "sobre todo de los contratos firmados en Alemania y Dinamarca.",
        ),
    ],
)
def test_orders_a_result_came_from_are_no_partnership(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_an_order_that_comes_from_a_buyer_still_counts(detector: EventDetector) -> None:
    headline = "Alstom wins €900m order for 40 trains from Swiss railway SBB"
    assert news(detector, headline) == {"partnership"}


@pytest.mark.parametrize(
    "text",
    [
        # Investors' demand in an offering, counted in orders.
        "Vinci sold €1bn of ten-year bonds on Monday, attracting orders of €4.2bn from investors.",
        "The placement drew orders for the shares worth three times the amount on offer, bankers said.",
    ],
)
def test_orders_for_bonds_or_shares_are_no_partnership(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == set()


def test_an_order_for_jets_from_a_lessor_still_counts(detector: EventDetector) -> None:
    assert news(detector, "Airbus wins orders for 60 jets from lessor Avolon") == {"partnership"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A headline labelled as a column: the deals it names are its examples, not its news.
        (
            "en",
            "Column: Britain keeps selling its best tech companies",
            "Arm was bought by SoftBank, DeepMind by Google. Now another chip designer is being acquired "
            "by an American rival, and ministers cheer.",
        ),
        (
            "de",
            "Gastbeitrag: Mittelstand braucht mehr Wagniskapital",
            "Start-ups sammeln Millionen ein, doch der Mittelstand geht leer aus. Investoren beteiligen "
            "sich lieber an Software-Firmen als an Maschinenbauern.",
        ),
        (
            "es",
            "Tribuna: las alianzas que necesita la banca europea",
            "BBVA y Sabadell podrían haber firmado una alianza hace años. Los bancos europeos deben "
            "colaborar con las fintech en lugar de competir con ellas.",
        ),
    ],
)
def test_a_column_headline_makes_no_deal_news(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == set()


def test_a_deal_headline_with_a_colon_still_counts(detector: EventDetector) -> None:
    title = "Exclusive: Mistral raises €600m from General Catalyst"
    text = "The Paris start-up raised €600 million in a round led by General Catalyst, it said on Tuesday."
    assert article_news(detector, title, text) == {"investment"}


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        # A deal's terms kept secret are no second deal agreed.
        (
            "de",
            "Brauerei Meinel geht an Radeberger",
            "Die Radeberger Gruppe übernimmt die Brauerei Meinel aus Hof. Über die Konditionen wurde "
            "Stillschweigen vereinbart.",
        ),
        (
            "es",
            "Mahou compra la cervecera gallega Estrella del Norte",
            "Mahou San Miguel ha comprado la cervecera Estrella del Norte. Las partes acordaron no revelar "
            "el precio de la operación.",
        ),
    ],
)
def test_terms_kept_secret_are_no_partnership(
    detector: EventDetector, language: str, title: str, text: str
) -> None:
    assert article_news(detector, title, text, language) == {"acquisition"}


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # A licensing partner named as who made or sells a product: its byline, not a deal signed.
        (
            "Heart drug fails to beat placebo in late-stage trial",
            "Arvion's heart-failure pill, developed with licensing partner Ono, did no better than "
            "placebo after a year. Arvion shares fell 30 per cent.",
        ),
        (
            "Migraine spray sales disappoint in Japan",
            "The spray, sold in Japan by licensing partner Kissei, brought in ¥2bn in the year. Analysts "
            "had expected twice as much.",
        ),
    ],
)
def test_a_licensing_partner_named_as_a_byline_is_no_partnership(
    detector: EventDetector, title: str, text: str
) -> None:
    assert article_news(detector, title, text) == set()


def test_a_licensing_partner_chosen_still_counts(detector: EventDetector) -> None:
    headline = "Ono signs licensing deal with Arvion for heart-failure pill in Asia"
    assert news(detector, headline) == {"partnership"}


@pytest.mark.parametrize(
    "text",
    [
        # A cue word that ends a company's name is the name, not what the money is for.
        "Thrive Capital invests $150 million in Cityblock Health",
        "Prosus leads $80m investment in Kenyan start-up Eneza Education",
    ],
)
def test_a_name_ending_in_a_cue_word_is_invested_in(detector: EventDetector, text: str) -> None:
    assert news(detector, text) == {"investment"}


@pytest.mark.parametrize(
    "text",
    [
        "Bill Gates puts $50 million into the Gates Foundation",
        "Microsoft to invest $1bn in Kenya's schools and hospitals",
    ],
)
def test_gifts_and_spending_named_after_a_name_still_are_no_investment(
    detector: EventDetector, text: str
) -> None:
    assert news(detector, text) == set()
