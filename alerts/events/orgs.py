"""Organisations by any of their names: the shipped AI-industry list plus the config's ``orgs:``.

Aliases are compiled into the rule engine's automaton (:mod:`alerts.events.patterns`),
so they are found the way rule terms are: folded, on whole words, in one pass.
An alias that is also an ordinary word (``data/orgs.yaml``: ``guarded``,
``common``) counts only where it is written with its own capitalisation —
"Apple", not "apple"; "Uber", not the German "Über" — and a ``common`` one
not as the first word of a sentence, where every word is capitalised.

Names outside the list still count when they look like an organisation
(:func:`lookalikes`): a capitalised name before a legal or corporate suffix
("Acme Robotics Inc.", "Vinci SA", "Nordwerk GmbH"), or, outside German
(where every noun is capitalised, and only the word before a suffix is
taken), a run of two or more capitalised words inside a sentence
("Blue Harbor Logistics"). Around an event's trigger (:func:`arguments`), a
single capitalised name counts too: the subject before it ("Chevron agreed
to buy…"), the object after it ("…to buy Hess", "a stake in Aethon"), and a
name before a possessive ("Teck's coal unit"). Places ("San Diego",
"Abu Dhabi-based", "Allemagne": :mod:`alerts.events.places`), people ("Warren Buffett's
Berkshire", "chief executive Jensen Huang": :mod:`alerts.events.people`; a lone surname owning
the company named after it: "Musk's SpaceX"), sites or things named ("the Thacker Pass mine",
"Trident II missiles") and models counted ("25 A350 jets") never count; a month's name counts where
it dates nothing ("Mars to buy Kellanova", not "in March"). German names are taken in their
base form: "der Deutschen Bank" is Deutsche Bank, "Thyssenkrupps Stahlsparte" Thyssenkrupp's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from ruamel.yaml import YAML

from alerts.events.patterns import PhraseSet
from alerts.events.people import is_person
from alerts.events.places import is_place
from db.textfold import WORD_RE, fold, word_string

DATA = Path(__file__).resolve().parent / "data" / "orgs.yaml"

# Guard levels of an alias.
FREE, CASED, COMMON = 0, 1, 2


@dataclass(frozen=True)
class OrgMention:
    name: str  # canonical name, or the name as written for an organisation outside the list
    start: int
    end: int
    listed: bool


@dataclass(frozen=True)
class Alias:
    """One name of a listed organisation, as a payload of the automaton."""

    org: str
    text: str
    guard: int

    def pattern(self) -> re.Pattern[str]:
        return _cased_pattern(self.text)


@cache
def _cased_pattern(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_]){re.escape(text)}(?![^\W_])")


def accepted(alias: Alias, text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether the guard of ``alias`` lets it count in ``text`` (between ``start`` and ``end``):
    "Runway" the start-up, not "a third runway"."""
    if alias.guard == FREE:
        return True
    for match in alias.pattern().finditer(text, start, len(text) if end is None else end):
        if alias.guard == CASED or not sentence_initial(text, match.start()):
            return True
    return False


@dataclass(frozen=True)
class _Shipped:
    orgs: Mapping[str, tuple[str, ...]]
    guarded: frozenset[str]
    common: frozenset[str]


@cache
def _shipped() -> _Shipped:
    raw = YAML(typ="safe").load(DATA.read_text("utf-8"))
    orgs = {str(name): tuple(str(alias) for alias in aliases or ()) for name, aliases in raw["orgs"].items()}
    return _Shipped(orgs, frozenset(raw["guarded"]), frozenset(raw["common"]))


class OrgIndex:
    """The shipped organisations plus ``extra`` (canonical name -> aliases), compiled once."""

    def __init__(self, extra: Mapping[str, Sequence[str]] = MappingProxyType({})) -> None:
        shipped = _shipped()
        self._guarded = shipped.guarded
        self._common = shipped.common
        names: dict[str, tuple[str, ...]] = dict(shipped.orgs)
        for name, aliases in extra.items():
            names[name] = (*names.get(name, ()), *aliases)
        self.aliases: tuple[Alias, ...] = tuple(self._aliases(names))
        self._by_folded = {word_string(alias.text): alias.org for alias in self.aliases}
        self._phrases: PhraseSet[Alias] | None = None

    def _aliases(self, names: Mapping[str, Sequence[str]]) -> Iterable[Alias]:
        for org, aliases in names.items():
            seen: set[str] = set()
            for text in (org, *aliases):
                if text in seen or not WORD_RE.search(fold(text)):
                    continue
                seen.add(text)
                guard = COMMON if text in self._common else CASED if text in self._guarded else FREE
                yield Alias(org, text, guard)
                # German genitive: "Microsofts Beteiligung", "Nvidias Chips".
                if guard == FREE and " " not in text and text[-1:].isalpha() and text[-1] not in "sSxXzZ":
                    yield Alias(org, text + "s", FREE)
                # German adjectives after an article: "der Deutschen Bank".
                inflected = _weak_inflection(text)
                if guard == FREE and inflected not in seen:
                    seen.add(inflected)
                    yield Alias(org, inflected, FREE)

    def entries(self) -> list[tuple[str, Alias]]:
        """(phrase, alias) pairs, for compiling aliases into a larger automaton."""
        return [(alias.text, alias) for alias in self.aliases]

    def canonical(self, alias: str) -> str | None:
        """The canonical name an alias stands for (folded comparison), or None."""
        return self._by_folded.get(word_string(alias))

    def find(self, text: str) -> list[OrgMention]:
        """Listed organisations and look-alikes in ``text``, in order, overlaps resolved longest first."""
        if self._phrases is None:
            self._phrases = PhraseSet(self.entries())
        spans = word_spans(text)
        found: list[OrgMention] = []
        for hit in self._phrases.scan(word_string(text)):
            start, end = spans[hit.first][0], spans[hit.last][1]
            for alias in hit.payloads:
                if self.accepts(alias, text, start, end):
                    found.append(OrgMention(alias.org, start, end, True))
                    break
        found.extend(lookalikes(text))
        return resolve_overlaps(found)

    # Whether the guard of an alias lets it count in a text (between two offsets).
    accepts = staticmethod(accepted)


def sentence_initial(text: str, position: int) -> bool:
    """Whether ``position`` starts a sentence: only quotes and brackets after a full stop or the start."""
    before = text[:position].rstrip(" \t\"'«“‘„(¿¡[")
    return not before or before[-1] in ".!?…:\n"


def resolve_overlaps(mentions: Iterable[OrgMention]) -> list[OrgMention]:
    """Leftmost-longest listed mentions, then look-alikes where no listed one is; in text order."""
    ordered = sorted(mentions, key=lambda m: (not m.listed, m.start, -(m.end - m.start)))
    kept: list[OrgMention] = []
    for mention in ordered:
        if not any(mention.start < other.end and other.start < mention.end for other in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def word_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` in ``text`` of each word of :func:`db.textfold.word_string` (same order).

    When folding keeps the length (most text: accents are dropped, case
    changes in place), offsets in the folded text are offsets in ``text``.
    Otherwise each whitespace-separated chunk is folded on its own (folding
    never joins across whitespace); a chunk folding to a different number
    of words than it holds (rare: "™", decomposed accents) gives its span to
    each of them.
    """
    folded = fold(text)
    if len(folded) == len(text):
        return [match.span() for match in WORD_RE.finditer(folded)]
    spans: list[tuple[int, int]] = []
    for chunk in re.finditer(r"\S+", text):
        part = chunk.group()
        base = chunk.start()
        pieces = WORD_RE.findall(fold(part))
        raw = [(base + m.start(), base + m.end()) for m in WORD_RE.finditer(part)]
        spans.extend(raw if len(raw) == len(pieces) else [chunk.span()] * len(pieces))
    return spans


# --- names that look like an organisation -------------------------------------------------

_SUFFIXES = (
    r"Inc\.?|Corp\.?|Corporation|Co\.|Ltd\.?|Limited|LLC|L\.L\.C\.|plc|PLC|S\.A\.S\.?|SAS|S\.A\.|SA|SE|"
    r"AG|GmbH|KGaA|S\.p\.A\.|SpA|S\.L\.|SL|NV|N\.V\.|BV|B\.V\.|AB|ASA|Oyj|SARL|S\.à r\.l\.|Holdings?|"
    r"Group|Groupe|Grupo|"
    r"Capital|Ventures|Partners|Technologies|Labs|Systems|Therapeutics|Pharmaceuticals|Robotics|Energy|"
    r"Bank|Banque|Motors|Airlines|Aerospace|Semiconductor|AI"
)
# A capitalised word; dots only inside it ("Character.AI"), not the full stop after it.
_CAP = r"[A-ZÀ-ÖØ-Þ][\w&'’-]*(?:\.[\w&'’-]+)*"
_LEGAL = re.compile(rf"\b((?:{_CAP}\s+){{0,3}}{_CAP})\s*,?\s+(?:{_SUFFIXES})(?![\w])")
# In German every noun is capitalised: only the word before the suffix is the name.
_LEGAL_DE = re.compile(rf"\b({_CAP})\s*,?\s+(?:{_SUFFIXES})(?![\w])")
# Words that link the parts of one name ("Bank of America", "Banco de Sabadell"); "and" joins two.
_LINKED = r"(?:\s+(?:&|of|de|du|des|del)\s+|\s+)"
_RUN = re.compile(rf"\b{_CAP}(?:{_LINKED}{_CAP})+")

# Capitalised words that start or make up non-organisation runs (dates, titles, nationalities…).
NOT_NAMES_TEXT = """
    the a an this that these those its his her their our in on at for with by from as after before
    but and or if when while under over about says said chief executive officer ceo cfo president
    minister prime secretary chairman chairwoman founder analyst analysts monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september
    october november december le la les l un une des du de ce cette son sa ses leur au aux en dans
    pour par avec selon lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars
    avril mai juin juillet aout septembre octobre novembre decembre el los las lo una unos unas del
    al en con segun lunes martes miercoles jueves viernes sabado domingo enero febrero marzo abril
    mayo junio julio agosto septiembre octubre noviembre diciembre der die das den dem ein eine
    mit und nach laut french german british american chinese us european spanish japanese korean
    indian israeli canadian swiss dutch italian swedish danish norwegian finnish saudi emirati
    taiwanese australian brazilian mexican irish chilean argentine argentinian peruvian colombian
    venezuelan nigerian kenyan egyptian moroccan turkish greek polish czech hungarian
    romanian austrian belgian portuguese russian ukrainian qatari kuwaiti omani iranian iraqi
    pakistani vietnamese thai malaysian indonesian singaporean filipino scottish welsh
    english texan californian bavarian catalan basque francaise francais allemand allemande americain
    americaine chinois chinoise espanol espanola aleman alemana estadounidense frances francesa
    britanico britanica
"""
NOT_NAMES = frozenset(NOT_NAMES_TEXT.split())
# Capitalised runs that name a funding round or a period, not an organisation ("Series C",
# "Q3 Results", "First Quarter"): every word is one of these, a single letter or a number.
_ROUND_OR_PERIOD_TEXT = """
    series serie round ronda runde tranche seed q1 q2 q3 q4 h1 h2 fy quarter results half year first
    second third fourth trimestre semestre quartal halbjahr geschaftsjahr exercice ejercicio
"""
_ROUND_OR_PERIOD = frozenset(_ROUND_OR_PERIOD_TEXT.split())


def lookalikes(text: str, language: str | None = None) -> list[OrgMention]:
    """Names outside the list that look like an organisation's."""
    found = []
    for match in (_LEGAL_DE if language == "de" else _LEGAL).finditer(text):
        start, name_end = _trim(text, match.start(1), match.end(1))
        if name_end > start:
            found.append(OrgMention(text[start : match.end()], start, match.end(), False))
    if language != "de":
        for run in _RUN.finditer(text):
            for part_start, part_end in _owners_apart(text, *run.span()):
                start, end = _trim(text, part_start, part_end)
                end = _unpossessed(text, start, end)
                # At a sentence's start the first capital proves nothing: three words then.
                words = text.count(" ", start, end) + 1
                if (
                    words >= (3 if sentence_initial(text, start) else 2)
                    and not _round_or_period(text[start:end])
                    and not _placed(text[start:end])
                    and not is_person(text, start, end)
                    and not _THING.match(text, end)
                ):
                    found.append(OrgMention(text[start:end], start, end, False))
    return found


def _owners_apart(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A capitalised run cut after each possessive inside it: "Warren Buffett's Berkshire
    Hathaway" is the owner "Warren Buffett's" and "Berkshire Hathaway"."""
    if "'" not in text[start:end] and "’" not in text[start:end]:
        return [(start, end)]
    parts = []
    for owner in _INNER_POSSESSIVE.finditer(text, start, end):
        if owner.end() < end:
            parts.append((start, owner.end()))
            start = owner.end() + 1
    return [*parts, (start, end)]


_INNER_POSSESSIVE = re.compile(r"[^\s']+(?:'s|’s)(?=\s)")


def _weak_inflection(name: str) -> str:
    """``name`` as German writes it after an article when it opens with an adjective:
    "Deutsche Bank" is "der Deutschen Bank"; other names are returned as they are."""
    first, _, rest = name.partition(" ")
    return f"{first}n {rest}" if rest and first.endswith("sche") else name


# --- names around a trigger ---------------------------------------------------------------

# A capitalised word, an abbreviation with its dots ("U.S. Steel") included, or a name opening with
# digits and mixing cases ("3SBio", "23andMe"; not "5G" or "10bn").
_ARG_WORD = rf"(?:[A-Z]\.(?:[A-Z]\.)+|{_CAP}|\d+(?=[A-Za-z]*[a-z])(?=[A-Za-z]*[A-Z])[A-Za-z][\w&'’-]*)"
_ARG_RUN = re.compile(rf"{_ARG_WORD}(?:{_LINKED}{_ARG_WORD})*")
# Between a trigger and its object, or a subject and its trigger: a few words, no clause break.
ARGUMENT_GAP = 6
_BREAK = re.compile(r"\.(?!\d)|[;:!?()\[\]\"“”«»]|\s[-–—]\s|,\s*(?:which|who|que|qui|die|der|das)\b")
# Words joining two subjects ("Mastercard and Standard Chartered teamed up").
_AND = re.compile(r"^\s*(?:,|and|&|et|und|y|e)\s*$")
# Capitalised words that start a sentence or stand near a deal without naming an
# organisation: people and groups of them, pronouns, short acronyms of places and things.
_NOT_ARGUMENTS_TEXT = """
    shares investors analysts shareholders regulators officials sources executives lawmakers
    it they we he she both under according also meanwhile separately last earlier however now
    today new there here one two three talks plans deal agreement terms us uk eu ai ia ki ev ipo
    lng gdp etf esg usa uae covid il elle ils nous ella ellos er sie es wir
    million millions billion billions bn milliard milliards millionen milliarden mio mrd millones
    dollar dollars euro euros pound pounds franc francs franken dolares libras yen yuan pence cents
"""
_NOT_ARGUMENTS = frozenset(_NOT_ARGUMENTS_TEXT.split())
# Before a German noun rather than a name: articles, and prepositions of places and purposes
# ("aus Neckarsulm", "für Krebsmittel").
_ARTICLES_DE_TEXT = """
    der die das den dem des ein eine einen einem einer eines beim vom zum zur im am ins aus in
    nach nahe um ab bis fur zu
"""
_ARTICLES_DE = frozenset(_ARTICLES_DE_TEXT.split())
# German nouns (every one capitalised) by their endings: not a single-word name.
_NOUN_DE = re.compile(
    r"(?:ung|heit|keit|schaft|tion|tät|ismus|ment|nahme|kauf|auftrag|vertrag|er|kette|ern|en|konzern|"
    r"unternehmen|firma|riese|start-up|geschäft|mittel|werk|markt|netz|paket|sparte|bereich)$"
)


def arguments(
    text: str, triggers: Sequence[tuple[int, int]], language: str | None = None
) -> list[OrgMention]:
    """Names that look like organisations in the argument places of the triggers at
    ``text[start:end]`` for each ``(start, end)`` of ``triggers``: the subject (and one joined
    to it by "and"), the object, and names before a possessive ("'s"). Only the capitalised
    runs next to a trigger are judged, each once."""
    runs = [part for match in _ARG_RUN.finditer(text) for part in _owners_apart(text, *match.span())]
    cache: dict[int, OrgMention | None] = {}

    def judged(index: int) -> OrgMention | None:
        if index not in cache:
            name = _name(text, *runs[index], language)
            cache[index] = name if name is not None and _acceptable(text, name, language) else None
        return cache[index]

    found: list[OrgMention] = []
    for start, end in triggers:
        before = [index for index, (_, run_end) in enumerate(runs) if run_end <= start]
        for index in reversed(before):
            subject = judged(index)
            if subject is not None and _close(text, subject.end, start):
                found.append(subject)
                joined = judged(index - 1) if index > 0 else None
                if joined is not None and _AND.match(text[joined.end : subject.start]):
                    found.append(joined)
                break
            if not _close(text, runs[index][1], start):
                break
        for index in range(len(before), len(runs)):
            if runs[index][0] < end:
                continue
            if not _close(text, end, runs[index][0]):
                break
            target = judged(index)
            if target is not None:
                found.append(target)
                break
    for index, (run_start, run_end) in enumerate(runs):
        if text.endswith(("'s", "’s"), run_start, run_end) and not _owner_of_a_name(text, runs, index):
            owner = judged(index)
            if owner is not None:
                found.append(owner)
    return found


def _owner_of_a_name(text: str, runs: Sequence[tuple[int, int]], index: int) -> bool:
    """Whether the run at ``index`` is one word owning the name right after it ("Musk's SpaceX",
    "Kretinsky's EPCG"): a surname, of a person a headline names as the owner, while the company
    owned is the actor. An owner of something unnamed ("Teck's coal unit") is the company."""
    start, end = runs[index]
    if " " in text[start:end] or index + 1 == len(runs):
        return False
    following_start, following_end = runs[index + 1]
    first = fold(text[following_start:following_end].split()[0])
    # "Gap's British stores": a nationality or a place is no name.
    return not text[end:following_start].strip() and first not in NOT_NAMES and not is_place(first)


def _name(text: str, start: int, end: int, language: str | None) -> OrgMention | None:
    if _placed(text[start : _unpossessed(text, start, end)]):
        return None  # before "Saudi" is trimmed as a nationality: "Saudi Arabia's" is a place
    start, end = _trim(text, start, end)
    if language == "de":
        # "der Ölkonzern Adnoc": the noun before a German name is no part of it.
        for word in re.finditer(r"\S+", text[start:end]):
            if _WEAK_ADJECTIVE.match(word.group()) or not _leading_noun_de(word.group()):
                start += word.start()
                break
        else:
            return None
        return _german_base(text, start, end)
    end = _unpossessed(text, start, end)
    return OrgMention(text[start:end], start, end, False) if end > start else None


def _leading_noun_de(word: str) -> bool:
    """Whether a word before a German name is a noun naming it ("Ölkonzern Adnoc", "Autobauer
    BMW") rather than the name's first word: a short word with only a plural's or an agent's
    ending is a name ("Daimler Truck")."""
    return bool(_NOUN_DE.search(word)) and (len(word) >= 8 or not _WEAK_ENDING_DE.search(word))


_WEAK_ENDING_DE = re.compile(r"(?:er|en|ern)$")
# "der Deutschen Bahn", "der Europäischen Investitionsbank": an adjective after an article.
_WEAK_ADJECTIVE = re.compile(r"[A-ZÄÖÜ]\w*schen$")
# "Thyssenkrupps Stahlsparte", "Rheinmetalls Marinegeschäft": a name in the genitive before a noun.
_GENITIVE = re.compile(r"([A-ZÄÖÜ][\w-]{3,}[^s\W])s\s+([A-ZÄÖÜ]\w+)")


def _german_base(text: str, start: int, end: int) -> OrgMention | None:
    """A German name as its base form says it: "Deutschen Bahn" is Deutsche Bahn, and in
    "Thyssenkrupps Stahlsparte" the name is Thyssenkrupp."""
    name = text[start:end]
    genitive = _GENITIVE.match(name)
    if genitive and (_NOUN_DE.search(genitive[2]) or genitive[2].endswith(("e", "geschäft", "werk"))):
        return OrgMention(genitive[1], start, start + genitive.end(1) + 1, False)
    first, _, rest = name.partition(" ")
    if rest and _WEAK_ADJECTIVE.match(first):
        name = f"{first[:-1]} {rest}"
    return OrgMention(name, start, end, False) if name else None


def _acceptable(text: str, name: OrgMention, language: str | None) -> bool:
    words = [fold(part) for part in WORD_RE.findall(name.name)]
    # "Mars to buy Kellanova": a month's name that dates nothing names a company.
    company = words == words[:1] and words[0] in MONTHS and not _dated(text, name.start, name.end)
    if not words or (_round_or_period(name.name) and not company) or _placed(name.name):
        return False
    if all(word in _NOT_ARGUMENTS or word in NOT_NAMES or word.isdigit() for word in words) and not company:
        return False
    if is_person(text, name.start, name.end):
        return False
    if _PRODUCT.match(text, name.end) or _THING.match(text, name.end) or _model(text, name):
        return False
    if language == "de" and " " not in name.name:
        # Every German noun is capitalised: a single word is a name first in its sentence
        # ("Rheinmetall kauft"), after the noun it names ("der Ölkonzern Adnoc") or, with no
        # article, after a verb or a preposition ("übernimmt Covestro", "von Altair"), where
        # a noun has one; and not with a noun's ending ("kauft den Zulieferer", "für Software").
        previous = text[: name.start].split()[-1:]
        after_noun = bool(previous) and previous[0][:1].isupper() and fold(previous[0]) not in NOT_NAMES
        bare = bool(previous) and previous[0].islower() and fold(previous[0]) not in _ARTICLES_DE
        placed = sentence_initial(text, name.start) or after_noun or (bare and not name.name.endswith("e"))
        return placed and not _NOUN_DE.search(name.name)
    return True


# "ChatGPT maker OpenAI", "Pringles owner Kellanova": a product or brand names its maker.
_PRODUCT = re.compile(r"\s+(?:maker|owner|parent|creator|developer|producer|brand)\b")
# "the Thacker Pass mine", "Three Mile Island reactor", "Trident II missiles": a site or a
# thing named, not who deals.
_THING = re.compile(
    r"\s+(?:[a-z-]+\s+){0,2}?(?:mines?|reactors?|projects?|fields?|oilfields?|blocks?|deposits?|"
    r"missiles?|assets|ranges|pipelines?|refinery|refineries|terminals?)\b"
)


# "25 A350 jets", "15 KC-46 tankers": a number counts a model, not companies ("270 GetGo stores"
# counts a chain's shops: only a name with a digit is a model's).
_COUNTED = re.compile(r"(?<![\w.,])\d+\s+$")


def _model(text: str, name: OrgMention) -> bool:
    return any(c.isdigit() for c in name.name) and _COUNTED.search(text, 0, name.start) is not None


def _close(text: str, start: int, end: int) -> bool:
    """Whether a name ending or starting at ``start``/``end`` is next to the trigger: a few
    words apart, in the same clause."""
    gap = text[start:end]
    return len(gap.split()) <= ARGUMENT_GAP and not _BREAK.search(gap)


def _unpossessed(text: str, start: int, end: int) -> int:
    """The end of a name without its possessive ("Teck's" is Teck)."""
    return end - 2 if text[start:end].endswith(("'s", "’s")) else end


# "Abu Dhabi-based", "in Texas", "Dutch North Sea": a place, not an organisation.
_PLACE_ADJECTIVE = re.compile(
    r"-(?:based|born|listed|headquartered|basierte\w*|ansässige\w*)$", re.IGNORECASE
)


def _placed(name: str) -> bool:
    return bool(_PLACE_ADJECTIVE.search(name)) or is_place(name)


def _round_or_period(name: str) -> bool:
    return all(
        word in _ROUND_OR_PERIOD or word in NOT_NAMES or len(word) == 1 or word.isdigit()
        for word in (fold(part) for part in WORD_RE.findall(name))
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading function words, titles and dates from a capitalised run."""
    for word in re.finditer(r"\S+", text[start:end]):
        folded = fold(word.group().strip(",."))
        if folded not in NOT_NAMES or (
            folded in MONTHS and not _dated(text, start + word.start(), start + word.end())
        ):
            return start + word.start(), end
    return end, end


# Month names that are also companies' ("Mars"): a month only where it dates something.
MONTHS_TEXT = """
    january february march april may june july august september october november december
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
"""
MONTHS = frozenset(MONTHS_TEXT.split())
# Words before a month that date with it ("in March", "début mars", "seit Mai", "desde marzo").
_DATING_TEXT = """
    in on since until from early late mid last next this of end en au de del le el fin debut
    mi depuis jusqu des im seit ab bis anfang ende mitte vom zum desde hasta finales principios
    mediados
"""
_DATING = frozenset(_DATING_TEXT.split())


def _dated(text: str, start: int, end: int) -> bool:
    """Whether the month name at ``text[start:end]`` dates something: a number beside it
    ("3 mars", "March 2025") or a dating word before it ("in March", "début mars")."""
    before = fold(text[max(0, start - 16) : start]).split()
    after = text[end : end + 6].split()
    return bool(
        (before and (before[-1].rstrip(".,").isdigit() or before[-1] in _DATING))
        or (after and after[0].rstrip(".,")[:1].isdigit())
    )
