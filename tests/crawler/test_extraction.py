"""Article text and title on pages imitating the hard cases (tests/crawler/extraction, golden files).

Each page has its expected title and main text beside it; ``benchmarks.extraction``
compares the same pages with trafilatura's own ``extract()``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from trafilatura.utils import load_html

from benchmarks.extraction import HALVES, Golden, f1, goldens, without_title
from crawler.extract import extract_page
from crawler.feeds import parse_feed
from crawler.furniture import without_furniture
from crawler.runner import CrawlService
from crawler.standfirst import standfirst
from crawler.text import lead
from crawler.titles import common_suffix, without_site_name
from db.engine import Database
from tests.crawler.helpers import articles, context
from tests.servers import Reply, TestServer

GOLDENS = {g.name: g for half in HALVES for g in goldens(half)}
MIN_F1 = 0.9
Run = Callable[[Any], Any]


def page(name: str) -> Golden:
    return GOLDENS[name]


@pytest.mark.parametrize("golden", list(GOLDENS.values()), ids=list(GOLDENS))
def test_golden_pages_give_their_title_and_main_text(golden: Golden) -> None:
    extracted = extract_page(golden.html, golden.zone)
    assert extracted.title == golden.title
    assert f1(without_title(extracted.text, golden.title), golden.text) >= MIN_F1


def test_the_golden_set_covers_both_halves_and_four_languages() -> None:
    halves = {half: goldens(half) for half in HALVES}
    assert all(len(pages) >= 8 for pages in halves.values())
    assert {name.split("-")[0] for name in GOLDENS} >= {"en", "fr", "de", "es"}


@pytest.mark.parametrize(
    ("name", "opening"),
    [
        ("de-paywall-standfirst", "Das Münchner Unternehmen will mit dem Geld eigene Sprachmodelle"),  # heise
        ("es-standfirst-h2", "La operación, valorada en 85 millones de euros"),  # an <h2> subtitle
        ("fr-chapo-related", "La start-up parisienne d'intelligence artificielle"),  # class="teaser"
        ("de-forum-comments", "Der Softwarekonzern kauft ein Start-up"),  # a plain <p> in <header>
    ],
)
def test_a_standfirst_beside_the_headline_is_the_first_paragraph(name: str, opening: str) -> None:
    text = extract_page(page(name).html).text
    assert text.startswith(opening)
    assert lead(text).startswith(opening)  # and so what `lead:` rules see
    assert text.count(opening) == 1


def test_a_byline_beside_the_headline_is_no_standfirst() -> None:
    assert not extract_page(page("en-related-byline").html).text.startswith("Alex Morgan")
    assert "312 comments" not in extract_page(page("en-comments").html).text
    body = "<p>" + "The council approved the new budget on Tuesday after a long debate. " * 5 + "</p>"
    cases = {
        "By Jane Doe and John Roe, Reuters, March 3, 2024": "",
        "Von Jan Bergmann und Eva Roth, heute um 17:23 Uhr": "",
        "The council's vote ends a dispute that had closed two libraries.": None,  # a standfirst
    }
    for paragraph, expected in cases.items():
        html = f"<html><body><article><header><h1>Budget</h1><p>{paragraph}</p></header>{body}</article>"
        assert standfirst(load_html(html), "Budget") == (paragraph if expected is None else expected)


def test_text_only_in_json_ld_is_the_text() -> None:
    text = extract_page(page("es-jsonld-only").html).text
    assert text.startswith("Telefónica ha firmado una alianza estratégica")
    assert "Cargando" not in text and "JavaScript" not in text
    html_body = extract_page(page("de-jsonld-app").html).text  # articleBody in HTML, in an @graph
    assert html_body.splitlines()[0].startswith("Bosch und ein Forschungslabor")
    assert "<p>" not in html_body


def test_a_visible_teaser_gives_way_to_the_json_ld_body() -> None:
    text = extract_page(page("fr-teaser-paywall").html).text
    assert "sous réserve du feu vert des autorités de la concurrence" in text
    assert "réservé aux abonnés" not in text


def test_live_blogs_and_galleries_keep_every_entry_and_caption() -> None:
    live = extract_page(page("en-liveblog").html).text
    for entry in ("Nvidia has reported quarterly revenue", "TSMC has warned", "Good morning and welcome"):
        assert entry in live
    gallery = extract_page(page("fr-gallery").html).text
    assert "chien robot grimpe des escaliers" in gallery
    assert "© AFP" not in gallery


def test_comments_stay_out_of_the_text() -> None:
    text = extract_page(page("en-comments").html).text
    assert "Benchmarks are meaningless at this point" not in text
    assert "running the full model requires" in text


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        ("Headline | TechCrunch", ["TechCrunch"], "Headline"),
        ("SAP kauft Start-up - Golem.de", ["Golem.de"], "SAP kauft Start-up"),
        ("heise online: Neue CPU", ["heise online"], "Neue CPU"),
        ("Headline – byteline", ["Byteline"], "Headline"),
        ("Interview: OpenAI", ["OpenAI"], "Interview: OpenAI"),  # a colon only ends a leading name
        ("A - B - Blog", ["Blog"], "A - B"),
        ("Inteligencia artificial - ¿quién paga?", [], "Inteligencia artificial - ¿quién paga?"),
        ("Inteligencia artificial - ¿quién paga?", ["El Blog"], "Inteligencia artificial - ¿quién paga?"),
        ("TechCrunch", ["TechCrunch"], "TechCrunch"),  # nothing but the name: kept
        ("Why TechCrunch matters", ["TechCrunch"], "Why TechCrunch matters"),
        ("Spider-Man returns", ["Man returns"], "Spider-Man returns"),  # no separator: kept
    ],
)
def test_the_site_name_leaves_a_title_only_when_the_site_is_named(
    title: str, names: list[str], expected: str
) -> None:
    assert without_site_name(title, names) == expected


def test_a_suffix_every_feed_title_shares_is_the_sites_name() -> None:
    assert common_suffix(["A | Site", "B | Site", "C | Site"]) == "Site"
    assert common_suffix(["A | Site", "B | Site"]) is None  # too few to tell
    assert common_suffix(["A | Site", "B | Other", "C | Site"]) is None
    assert common_suffix(["A - Site", "B | Site", "C | Site"]) is None
    items = "".join(
        f"<item><title>{t}</title><link>https://s.example/{i}</link></item>"
        for i, t in enumerate(("Un - deux - Le Site", "Trois - Le Site", "Quatre - Le Site"))
    )
    feed = parse_feed(f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), "https://s.example/")
    assert [e.title for e in feed.entries] == ["Un - deux", "Trois", "Quatre"]
    mixed = items.replace("Quatre - Le Site", "Quatre")
    feed = parse_feed(f'<rss version="2.0"><channel>{mixed}</channel></rss>'.encode(), "https://s.example/")
    assert feed.entries[0].title == "Un - deux - Le Site"  # no shared suffix: titles as written


def test_a_crawled_articles_lead_and_title_from_its_page_and_feed(
    database: Database, run_on_reactor: Run
) -> None:
    heise = page("de-paywall-standfirst")
    titles = (heise.title, "Neue Halbleiterfabrik in Dresden", "Open-Source-Modelle holen auf")
    items = "".join(
        f"<item><title>{t} | heise online</title><link>{{base}}/{i}</link></item>"
        for i, t in enumerate(titles)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>heise</title>{items}</channel></rss>'
    html = {"Content-Type": "text/html; charset=utf-8"}
    with TestServer() as server:
        server.set(
            "/feed.xml", Reply(body=feed.format(base=server.base_url), headers={"Content-Type": "text/xml"})
        )
        server.set("/0", Reply(body=heise.html, headers=html))
        for i in (1, 2):
            server.set(
                f"/{i}", Reply(body=f"<html><body><article><h1>{titles[i]}</h1></article>", headers=html)
            )
        run_on_reactor(CrawlService().crawl(context(database, ("heise", server.url("/feed.xml")))))
    stored = {a.title: a for a in articles(database)}
    assert set(stored) == set(titles)  # the feed's shared suffix and the page's named site are gone
    assert stored[heise.title].lead.startswith("Das Münchner Unternehmen will mit dem Geld")


def test_a_bare_day_gets_the_time_the_page_states() -> None:
    paris = ZoneInfo("Europe/Paris")
    byline = '<p class="meta"><span class="date">Publié le 03/12/2026 à 14:05</span>, mis à jour à 15:30</p>'
    related = '<aside><span class="date">02/12/2026 à 09:10</span></aside>'
    body = "<p>" + "Le conseil municipal a voté le budget mardi soir après un long débat. " * 8 + "</p>"
    html = '<html lang="fr"><head><link rel="canonical" href="https://x.example/2026/12/03/budget"></head>'
    page = f"{html}<body>{related}<article><h1>Budget</h1>{byline}{body}</article></body></html>"
    assert extract_page(page, paris).published == datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
    updated_only = page.replace("Publié le 03/12/2026 à 14:05", "03/12/2026")
    assert extract_page(updated_only, paris).published == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # the day
    stated = page.replace(
        "<head>", '<head><meta property="article:published_time" content="2026-12-03T08:01:00Z">'
    )
    assert extract_page(stated, paris).published == datetime(2026, 12, 3, 8, 1, tzinfo=UTC)
    month = (
        stated.replace("/2026/12/03/", "/2026/12/")
        .replace("08:01", "18:01")
        .replace("2026-12-03", "2026-12-17")
    )
    assert extract_page(month, paris).published == datetime(2026, 12, 17, 18, 1, tzinfo=UTC)  # not the 1st


def test_a_body_only_in_the_apps_inline_state_is_the_text() -> None:
    arc = extract_page(page("en-arc-fusion-state").html).text  # Fusion.globalContent's content_elements
    assert arc.splitlines()[0] == "The utility must keep one Sherburne County unit on standby through 2030."
    assert arc.splitlines()[1].startswith("The Minnesota Public Utilities Commission on Thursday")
    assert "Glen Stubbe" not in arc and "Business Minute newsletter" not in arc  # image, raw_html
    slate = extract_page(page("en-nextjs-next-data").html).text  # __NEXT_DATA__'s Slate paragraphs
    assert "the company needed to match its cost base to a smaller respiratory market." in slate
    assert slate.startswith("The company will close its Norwood pilot plant")  # the story's "dek"
    assert "Daily Dose" not in slate and "Novavax" not in slate  # an embed, the related articles
    span = {"_type": "span", "text": "The port authority approved the new terminal on Monday."}
    portable = [{"_type": "block", "children": [span]}, {"_type": "image", "alt": "A crane"}]
    html_body = (
        "<p>"
        + "The port authority approved the new terminal on Monday. " * 10
        + "</p><p>It opens in 2028.</p>"
    )
    for state in ({"post": {"body": portable * 30}}, {"story": {"html": html_body}}):
        script = f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script>'
        text = extract_page(f"<html><body><main><p>Loading…</p></main>{script}</body></html>").text
        assert text.startswith("The port authority approved the new terminal on Monday.")
        assert "A crane" not in text


def test_embedded_posts_datelines_copyrights_and_a_releases_contacts_are_no_text() -> None:
    amp = extract_page(page("en-amp-story").html).text  # <amp-twitter> around a twitter-tweet blockquote
    assert "@HeatPumpAssoc" not in amp and "Charlotte Lee" in amp
    release = extract_page(page("en-press-release-portal").html).text
    assert release.splitlines()[-1].startswith("This press release contains forward-looking statements")
    assert "Copyright" not in extract_page(page("en-wire-ap-regional").html).text
    first = "The regional council approved the budget for the coming year after a long debate on Tuesday."
    kept = (first, "Copyright issues were not discussed.", "Source: council minutes.")
    dateline = "3 décembre 2026 à 14h05"
    assert without_furniture("\n".join((*kept[:2], dateline, kept[2]))) == "\n".join(kept)


def test_see_also_links_bylines_and_a_videos_legend_are_no_text() -> None:
    for name, furniture in (
        ("en-wordpress-sharebar", "Related: Northwest Seaport Alliance"),
        ("fr-wordpress-lire-aussi", "À lire aussi : Sodebo"),
        ("fr-amp-regional", "VIDÉO. Le chantier de Crolles"),  # a <p class="video-legende">
        ("fr-gallery", "Par Claire Martin"),
    ):
        assert furniture not in extract_page(page(name).html).text
    kept = (
        "Related companies were not named in the filing, the regulator said on Monday.",
        "Par ailleurs, en 2024, le chiffre d'affaires a progressé de 12 %.",
        "By Friday, 14:00, the board had not answered.",
        "By Monday, March 3, 2025, the company had sold all of its stakes in the region's mines.",
        "Por Dios, dijo el alcalde, que nadie vuelva a construir allí.",
        "9:30 a.m. was when the market opened, an hour late.",
    )
    assert without_furniture("\n".join(kept)) == "\n".join(kept)
    dropped = (
        "Mehr zum Thema: Schaeffler baut Stellen ab",
        "By Jane Doe and John Roe | March 3, 2024",
        "17h40",
    )
    assert without_furniture("\n".join((*kept, *dropped))) == "\n".join(kept)
    assert without_furniture("- 16:45 Uhr Kanzler besucht Pavillon\n12.48 GMT Fuel duty frozen") == (
        "Kanzler besucht Pavillon\nFuel duty frozen"
    )


def test_the_one_h1_is_the_title_when_the_metadata_words_it_for_search_engines() -> None:
    assert (
        extract_page(page("de-og-title-seo").html).title
        == "Bund erhöht das Wohngeld um durchschnittlich 15 Prozent"
    )
    site = '<meta property="og:site_name" content="Anzeiger">'
    head = f'<head><meta property="og:title" content="Wohngeld 2027: alle Infos | Anzeiger">{site}'
    body = (
        "<p>"
        + "Das Wohngeld steigt zum 1. Januar um durchschnittlich 15 Prozent, beschloss das Kabinett. " * 5
    )
    for h1s, title in (
        ("<h1>Bund erhöht das Wohngeld</h1>", "Bund erhöht das Wohngeld"),
        ("<h1>Anzeiger</h1>", "Wohngeld 2027: alle Infos"),  # the site's name
        ('<h1><a href="/">Hanse Anzeiger Online</a></h1>', "Wohngeld 2027: alle Infos"),  # a logo
        ("<h1>Wohngeld</h1>", "Wohngeld 2027: alle Infos"),  # too short for a headline
        ("<h1>Bund erhöht das Wohngeld</h1><h1>Mehr aus Hamburg heute</h1>", "Wohngeld 2027: alle Infos"),
    ):
        assert (
            extract_page(f"<html>{head}</head><body><article>{h1s}{body}</p></article></body></html>").title
            == title
        )
