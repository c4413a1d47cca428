"""Events in an article, sentence by sentence: what happened, between whom, for how much, and is it news.

1. The article's sentences (the headline, what the summary adds, the
   text's: :mod:`alerts.events.sentences`) are joined and scanned in one
   pass of one automaton (:mod:`alerts.events.patterns`) that holds the
   organisation aliases (:mod:`alerts.events.orgs`) and every language's
   event triggers and cues (:mod:`alerts.events.lexicon`). Only sentences
   with a trigger are read further.
2. A trigger counts according to its group (lexicon/README.md): ``firm``
   phrases alone ("agreed to buy", "funding round", "teams up"); ``stake``
   ones as an investment, or an acquisition when the stake is a majority;
   ``share`` verbs with a percentage ("takes 5 % of"); ``money`` ones next to
   an amount ("raises $40m"); ``invest`` verbs and ``noun`` investments with
   an amount or a name, and not into plants, places, gifts or staff (capex,
   charitable and workforce "investment plans"); ``buy`` verbs with a name,
   an order (a partnership) when goods are bought; ``sale`` ones when a
   business changes hands; generic ``deal`` words ("deal", "agreement",
   "partnership", "joint venture") only when nothing more specific is in the
   sentence. Buying a stake without control is an investment. A trigger
   inside a word-sense phrase ("investment bank", "partner at", "big deal")
   or an organisation's name ("Allianz") is none; an analyst's rating or a
   market-value story has no event at all. Cues such as goods, capex or a
   denial count near their trigger only.
3. News or background: a mention is background when its sentence recalls
   it ("which raised", a past year, "last year", a comparison), reports
   talks or rumours, is an aside of opinion or a condition, when a denial or
   a block is near it, or when it sits in a relative clause (", which
   Microsoft bought"). A mention is the article's news when it is not
   background and is in the headline or the lead (first two sentences), or,
   for a type the headline and lead do not report, when two sentences or
   more do (the first of them is then the news, the others repeat it).
   Further down, sentences whose triggers could only repeat what the
   headline and lead already report are not read, nor are those after each
   open type is settled (reported twice, once in specific words), nor any
   below the article's first ``READ_SENTENCES`` (the inverted pyramid):
   ``Analysis.events`` holds the mentions read. One automaton pass over the
   sentences that may be read finds their organisations, triggers and cues;
   below them, organisations alone are looked for (an automaton of their own).
4. Arguments, for the news: actors from the same sentence (listed
   organisations and look-alike names; the investor or buyer first when the
   wording says so) and the amount (:func:`alerts.events.amounts.find_amounts`),
   which prices the investment or acquisition rather than a partnership
   reported with it.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import NamedTuple

from alerts.events import lexicon, sentences
from alerts.events.amounts import Amount, find_amounts
from alerts.events.lexicon import Cue, Tail, Trigger
from alerts.events.orgs import (
    FREE,
    NOT_NAMES,
    Alias,
    OrgIndex,
    OrgMention,
    accepted,
    arguments,
    lookalikes,
    resolve_overlaps,
    word_spans,
)
from alerts.events.patterns import Hit, PhraseSet
from alerts.events.places import in_places, is_place
from db.textfold import fold, word_string

EVENT_TYPES = ("investment", "acquisition", "partnership")

LEAD_SENTENCES = 2
# News is told at the top (the inverted pyramid): below this many sentences (the headline
# included) a long article only recalls, explains and comments, and only its organisations
# are looked for.
READ_SENTENCES = 12
# A sentence's phrases are read against each other (what holds what, which cue is near which
# trigger): only its first this many are read, which bounds the cost of a hostile one ("invests "
# over and over). Real sentences have at most 14; legal copy repeating its terms, a few dozen.
READ_PHRASES = 128
# An article's sentences are joined by a word no text has, to be scanned in one pass.
_SEPARATOR = "\nzqxsentencezqx\n"
_MARK = " zqxsentencezqx "
_MARK_WORD = _MARK.strip()
# A split phrase's second part ("sammelt 500 Millionen Dollar ... ein") within this many words.
TAIL_WINDOW = 12

# Something that may be an amount of money: worth asking the amounts grammar.
_MONEY_HINT = re.compile(
    r"[$€£¥₹]|\b(?:US|C|A|HK|S)\$|\d\s*(?:bn|mn|m|k|md|mds|mrd|mio)\b|\b\d[\d.,\s]*\s*(?:[Mm]illion|[Bb]illion|"
    r"[Mm]illiard|[Mm]illi?on|Mrd|Mio|[Mm]illones|mil millones|[Tt]rillion|[Bb]ill?[oó]n|dollars?|euros?|"
    r"Euro|Dollar|pounds?|francs?|Franken|d[oó]lares|libras|yen|yuan)|Milliarden|Millionen|milliards?|"
    r"millions?|billions?|millones"
)
# A capitalised word that is not the first of its sentence: a name of some kind.
_NAME = re.compile(r"(?<=[\w,;:)”\"'’]\s)[A-ZÀ-ÖØ-Þ][\w&’'.-]*[A-Za-z0-9]|\b[A-Z][A-Z0-9&]{1,}\b")
_PERCENT = re.compile(r"\d\s*%|\d\s*(?:per ?cent|pour cent|Prozent|por ciento)\b")
# A percentage that sizes a holding ("a 20% stake", "20 % du capital", "25 Prozent an"), not a
# premium, a rise or a market share ("a 40% premium", "rose 9%").
_STAKE_PERCENT = re.compile(
    r"\d\s*(?:%|per ?cent|pour cent|Prozent|por ciento)\s*(?:-\s*)?(?:stake|holding|interest|position|"
    r"shareholding|share\b|of\b|in\b|de\b|du\b|des\b|dans\b|del\b|en\b|an\b|am\b|der\b|"
    r"participa|Beteiligung|Anteil)",
    re.IGNORECASE,
)
# Financial results that went up or down: deals named after them in a sentence are where the money
# came from ("profit rose as advisory fees from mergers rebounded"), not news. Orders and backlogs
# counted are results too ("orders slid 8%", "its backlog hit a record, helped by contracts from").
_RESULTS = re.compile(
    r"\b(?:profits?|revenues?|earnings|sales|fees|income|b[ée]n[ée]fices?|chiffre d.affaires|r[ée]sultats?|"
    r"Gewinne?|Umsatz|Ums[äa]tze|Erl[öo]se?|beneficios?|ingresos|ventas|facturaci[óo]n|orders|backlog|"
    r"bookings|commandes|pedidos|Auftr[äa]ge|Auftragseingang|Auftragsbestand)\b"
    r"(?:\W+\w+){0,7}?\W+(?:rose|rises|rise|jump\w*|climb\w*|grew|grows|soar\w*|fell|falls?|dropp\w*|"
    r"slump\w*|beats?|miss\w*|was lifted|progress\w*|augment\w*|recul\w*|bondi\w*|baiss\w*|"
    r"steig\w*|stieg\w*|sink\w*|sank|w[äa]chs\w*|wuchs|cre[cs]\w*|creci\w*|aument\w*|ca[eí]\w*|"
    r"sub\w*|baj\w*|sl[iu]d\w*|slip\w*|dip\w*|declin\w*|shr[aiu]nk\w*|hits?|reach\w*|swell\w*|"
    r"atteign\w*|atteint|alcanz\w*|erreich\w*)\b"
    r"|\bverdien\w* (?:mehr|weniger)",
    re.IGNORECASE,
)
# More than half: control ("88 %", "100 percent").
_MAJORITY = re.compile(
    r"(?<![\d.,])(?:100|5[1-9]|[6-9]\d)(?:[.,]\d+)?\s*(?:%|per ?cent|pour cent|Prozent|por ciento)"
)
# What closes a sentence to size or place its own deal, to the end: a superlative naming a deal or a
# contract ("…, its biggest deal since 2022", "…, the largest deal in the retailer's history", "…, sa plus
# grosse acquisition depuis 2017", "…, die größte Übernahme seit", "…, su mayor compra desde"), or a
# deal it extends ("…, extending the alliance they formed in 2019", "…, expanding a collaboration
# that began three years ago").
_CLOSING_ASIDE = re.compile(
    r",\s*(?:(?:its|their|the|sa|son|leur|la|le|die|der|das|seine|ihre|su|el)\s+(?:\w+\s+)?"
    r"(?:biggest|largest|costliest|priciest|most expensive|plus grosse?|plus importante?|gr[öo]ß?s?te\w*|"
    r"mayor|m[áa]s grande)\s+(?:\w+\s+)?(?:deal|acquisition|takeover|purchase|buyout|merger|investment|"
    r"transaction|rachat|op[ée]ration|[ÜU]bernahme|Zukauf|Kauf|Deal|compra|adquisici[óo]n|operaci[óo]n|"
    r"contract|order|contrat|commande|Auftrag|contrato|pedido)\b"
    r"|(?:extending|expanding|deepening|broadening|widening|renewing|building on)\s)[^;]*$",
    re.IGNORECASE,
)
# A body named for what it works for ("Partnership for a Healthier America names…", "The Alliance
# for Automotive Innovation said…"): an organisation, not a deal; at the start of a sentence, as title
# case elsewhere ("Nvidia Announces Partnership For AI") would look the same.
_NAMED_BODY = re.compile(
    r"\W*(?:The\s+)?(?:Partnership|Alliance|Collaboration|Cooperation)\s+(?:for|of|to)\s+(?:(?:a|an|the)\s+)?[A-Z]"
)
# A headline labelled as a column ("Opinion: …", "Tribune : …", "Kommentar: …"): the article argues,
# and the deals it names, in its headline, lead or body, are its examples, not its news.
_COLUMN = re.compile(
    r"\W*(?:opinion|column|comment|editorial|tribune|[ée]ditorial|[ée]dito|chronique|point de vue|"
    r"kommentar|leitartikel|gastbeitrag|meinung|gastkommentar|opini[oó]n|tribuna|columna)\s*:",
    re.IGNORECASE,
)
_EXPLAINER = re.compile(r"\W*(?:how|why|pourquoi|comment|warum|wieso|por qu[eé]|c[oó]mo)\s", re.IGNORECASE)
# A year between word boundaries, the one before it tested last: starting with the digits lets
# the regex engine skip in C to the next "1" or "2".
_PAST_YEAR = re.compile(r"(19[5-9]\d|20\d\d)\b(?<!\w\d{4})")
# Conditionals ("A merger of Grab and GoTo would give…": a deal supposed), negations ("did not name
# new sponsors") and people named by what they do, in the plural ("Two surgeons team up"), folded:
# read around a trigger by `supposed`, `negated` and `people_partner`, and looked for only in a
# sentence that has a trigger, not by the automaton, which scans the whole text.
_CONDITIONALS_TEXT = """
    would could might may serait seraient pourrait pourraient creerait donnerait permettrait
    ferait aurait devrait wurde wurden konnte konnten ware waren durfte durften seria serian
    podria podrian daria crearia permitiria tendria haria supondria
"""
_CONDITIONALS = frozenset(_CONDITIONALS_TEXT.split())
_NEGATIONS_TEXT = """
    not never didn doesn hasn haven hadn isn wasn weren aren cannot pas jamais nicht nie niemals
    no nunca
"""
_NEGATIONS = frozenset(_NEGATIONS_TEXT.split())
_PEOPLE_TEXT = """
    surgeons doctors physicians nurses chefs cooks sommeliers winemakers lawyers artists
    musicians singers designers architects athletes friends brothers sisters siblings twins
    spouses couple chirurgiens medecins infirmieres chefs cuisiniers sommeliers vignerons
    avocats artistes musiciens chanteurs createurs architectes sportifs amis freres soeurs
    jumeaux jumelles epoux chirurgen arzte arztinnen koche kochinnen sommeliers winzer
    winzerinnen anwalte anwaltinnen kunstler kunstlerinnen musiker sanger sangerinnen
    architekten sportler freunde freundinnen bruder schwestern geschwister zwillinge ehepaar
    cirujanos medicos medicas chefs cocineros cocineras sumilleres enologos abogados abogadas
    artistas musicos cantantes disenadores arquitectos deportistas amigos amigas hermanos
    hermanas gemelos esposos pareja
"""
_PEOPLE = frozenset(_PEOPLE_TEXT.split())
_RULE_WORDS = _CONDITIONALS | _NEGATIONS | _PEOPLE
# German conditionals fold onto the indicative ("würde", "wurde"): the text must have the umlaut.
_UMLAUT_CONDITIONALS = frozenset(
    {"würde", "würden", "könnte", "könnten", "wäre", "wären", "dürfte", "dürften"}
)
_FOLDED_UMLAUT_CONDITIONALS = frozenset(fold(word) for word in _UMLAUT_CONDITIONALS)
# Who tells a supposed deal: "lawyers say a merger would…", "selon eux, une fusion…".
_SAYING_TEXT = """
    say says said think believe argue estimate reckon disent estiment jugent sagen meinen
    glauben schatzen dicen creen estiman opinan
"""
_SAYING = frozenset(_SAYING_TEXT.split())
# Words that open a clause about the deal rather than its verb: "a merger that would create" tells
# what an agreed merger does.
_CLAUSE_OPENERS = frozenset({"that", "which", "who", "qui", "que", "dont", "welche", "welcher", "cual"})
_INDEFINITE_TEXT = """
    a an any such another un une toute ein eine einer eines einem una cualquier
"""
_INDEFINITE = frozenset(_INDEFINITE_TEXT.split())
# "with" before a name after a partnership word: an organisation is a partner ("partner with Nestlé").
_WITH = frozenset({"with", "avec", "mit", "con"})
# Words that end a company's name after an investment word ("Sanlam Investment Management").
_NAME_ENDS_TEXT = """
    group management corp corporation authority fund company co holdings holding bank trust
    partners office council agency managers advisors advisers ltd limited inc llc ag gmbh sa plc
    board house
"""
_NAME_ENDS = frozenset(_NAME_ENDS_TEXT.split())
# After a conditional, verbs of what deals could follow from ("could lead to a wave of purchases").
_CONSEQUENCES_TEXT = """
    lead open pave trigger spark prompt mean conduire ouvrir entrainer declencher provoquer
    fuhren auslosen offnen llevar abrir provocar desencadenar
"""
_CONSEQUENCES = frozenset(_CONSEQUENCES_TEXT.split())


# A relative clause, which recalls rather than reports: ", which Microsoft bought for $69bn,".
_RELATIVE = re.compile(
    r",\s*(?:which|who|que|qui|dont|lequel|laquelle|lesquels|die|der|das|den|dem|deren|dessen|welche[rsnm]?|"
    r"el cual|la cual|los cuales|cuyo|cuya)\b[^,;:]*"
)
# After the trigger, these words introduce the investor or the buyer ("acquired by", "led by").
_AGENT = re.compile(
    r"\b(?:by|from|led by|par|auprès de|aupres de|de la part de|von|vom|durch|bei|por|de parte de)"
    r"(?:\s+(?:the|its|la|le|l’|l'|les|der|dem|den|des|el|los|las|su|sus)\b)?[\w\s'’-]{0,12}\s*$",
    re.IGNORECASE,
)
# Cues that make every mention of their sentence background; "denial" only near its trigger.
_BACKGROUND_CUES = ("background", "opinion", "rumour")
# Trigger groups whose wording names the event type on its own.
_SPECIFIC = frozenset({"firm", "stake"})
# Where a cue is looked for: (words before, words after) the trigger; elsewhere the whole sentence.
_WINDOWS = {
    "goods": (0, 5),
    # German puts the verb last: "seine Sparte ... verkauft".
    "business": (10, 6),
    "capex": (8, 12),
    "place": (0, 6),
    "debt": (8, 8),
    "charity": (8, 12),
    "workforce": (8, 12),
    "denial": (10, 10),
    "stake": (8, 8),
    "majority": (8, 10),
    # German puts the verb last: "in ein Gemeinschaftsunternehmen investieren".
    "joint": (10, 10),
    # A stake someone already holds ("owns a 12% stake in") is no event.
    "held": (6, 0),
    # Raising spending, closing a fund: money that goes into no company.
    "spending": (0, 4),
    "fund": (3, 12),
    # Money earned or given ("gets a $2bn engine order", "receives a $100m gift").
    "income": (0, 8),
    # Orders counted as the cause of a result ("helped by a surge in defence orders").
    "counted": (12, 0),
    # A deal named as the backdrop of other news, just before it ("en plena opa del BBVA").
    "backdrop": (3, 0),
    # A one-word deal noun just after "after" ("after Three merger", "nach der Übernahme").
    "since": (3, 0),
    # A player just after the words of a purchase ("se hace con el delantero").
    "player": (0, 4),
    # "no" just before a deal word or just after its verb ("no new aircraft orders", "orders no planes").
    "none": (3, 1),
    # Orders or contracts lost ("lost about $1bn of orders", "verliert Aufträge"), a few words before them.
    "lost": (6, 0),
    # A study just before a partnership word names its authors ("The study, a collaboration between").
    "study": (4, 0),
}
_NOT_AN_INVESTMENT = ("capex", "charity", "workforce", "place", "debt", "goods")
# Groups of generic words ("the investment", "the deal"), which may only refer back to an event.
_ANAPHORIC = frozenset({"noun", "deal"})
# Before a generic deal word: one the article's subject already has ("its partnership with
# Apple", "su alianza con"), or one named before ("the deal", "l'accord", "der Deal").
_POSSESSIVES_TEXT = """
    its their his her our son sa ses leur leurs sein seine seinen seiner seines ihr ihre ihren ihrer
    su sus
"""
_POSSESSIVES = frozenset(_POSSESSIVES_TEXT.split())
_DEFINITE_TEXT = """
    the this that l le la cet cette ce der die das den dem dieser diese dieses el este esta ese esa
"""
_DEFINITE = frozenset(_DEFINITE_TEXT.split())
# Plural definite articles, which name deals counted by their effect ("Les partenariats … portent").
_PLURAL_DEFINITE = frozenset({"les", "los", "las", "these", "those", "ces", "diese", "esos", "esas"})
# A company named by what it is ("the air taxi maker", "la biotech lyonnaise", "den
# US-Elektroautobauer"): singular, as an investment goes into one.
_COMPANY_NOUN = re.compile(
    r"\b(?:in|into|dans|en)\s+(?:[\w'’-]+\s+){0,3}?"
    r"(?:(?:company|firm|start-?up|maker|developer|provider|group|lender|insurer|operator|platform|"
    r"soci[ée]t[ée]|entreprise|jeune pousse|fabricant|groupe|[ée]diteur|biotech|banque|assureur|"
    r"op[ée]rateur|plateforme|empresa|compa[ñn][íi]a|fabricante|grupo|gestora|aseguradora|banco|"
    r"operadora|tecnol[óo]gica|biotecnol[óo]gica|subsidiary|filiale|filial|joint venture|coentreprise)"
    r"|[\w-]*(?:hersteller|bauer|firma|unternehmen|konzern|[Ss]tart-?[Uu]p|anbieter|entwickler|"
    r"spezialist|versicherer|forscher|plattform|tochter\w*))\b",
    re.IGNORECASE,
)
_PREPOSITIONS_TEXT = """
    from of on with through under after to in for by de du des sur avec grace dans par pour apres
    von aus mit dank durch bei nach unter zu fur con por en a tras sobre
"""
_PREPOSITIONS = frozenset(_PREPOSITIONS_TEXT.split())
# Words that introduce who acts ("led by a fund", "liderados por un fondo").
_AGENTS = frozenset({"by", "from", "par", "aupres", "von", "vom", "durch", "por"})
# Prepositions that put a capitalised word after an investment in a place ("à Dunkerque").
_PLACE_PREPOSITIONS = frozenset({"a", "au", "aux", "across", "throughout"})
_NOT_BEFORE_RECIPIENTS = _PLACE_PREPOSITIONS | _POSSESSIVES
# First words of capex cues that are no site or work ("to build", "in its", "there").
_NOT_A_SITE = _PREPOSITIONS | _POSSESSIVES | {"there", "own"}
# Words that open a clause of its own: what follows is no object of the verb before them.
_CLAUSES = frozenset(
    {"as", "while", "after", "because", "since", "when", "but", "alors", "tandis", "während", "mientras"}
)
# Soon after goods, words that make them a company's trade or assets ("chip maker", "oil and gas
# producer", "gas business", "two power plants").
_MAKERS_TEXT = """
    maker makers producer producers manufacturer manufacturers company companies firm group operator
    developer supplier retailer distributor generator generators business businesses unit division
    assets operations arm giant specialist utility plant plants field fields station stations farm
    farms portfolio stake
"""
_MAKERS = frozenset(_MAKERS_TEXT.split())
# Majority cues that say a seller gets out of its whole holding ("sells its entire stake in"), not
# who gains control.
_SOLD_OUT = frozenset(
    {"entire", "all of", "remaining", "rest of", "whole of", "remainder of", "totalite", "integralite"}
    | {"komplett", "vollstandig", "restlichen", "totalidad"}
)
# Just before a generic deal word, verbs that complete a takeover ("closes $14bn Juniper deal").
_COMPLETED = frozenset({"closes", "closed", "completes", "completed", "finalises", "finalizes", "finalised"})
# A German compound naming a business ("ihre Logistiktochter Schenker", "die Pharmasparte"), which the
# business cues, whole words, do not find.
_BUSINESS_COMPOUND = re.compile(r"\w(?:tochter|sparte|gesch[äa]ft|gesellschaft)\b", re.IGNORECASE)
# A deal word in the plural ("orders", "contrats", "Aufträge", "Vereinbarungen"): deals counted.
_PLURAL = re.compile(r"(?:s|äge|en)$", re.IGNORECASE)
# Before a deal word after a preposition ("under a long-standing agreement", "durch die
# bestehende Partnerschaft"), or just after it ("dans le cadre d'un partenariat de longue date", "su
# acuerdo de larga data"): a deal the parties already have.
_STANDING_BEFORE = frozenset(
    {"standing", "longstanding", "running", "longtime", "existing", "bestehende", "bestehenden"}
    | {"langjahrige", "langjahrigen", "langjahriger", "historique", "historico", "historica"}
)
_STANDING_AFTER = frozenset({"longue date", "larga data", "existant", "existante", "en vigueur", "vigente"})
# Soon after a deal named with a determiner, verbs telling what it did to results ("its joint venture
# with Toyota posted a loss", "the takeover added $2bn to sales"): a deal the company has; or to
# others ("Rival's funding round puts pressure on Mistral"): a deal told for its effect.
_EFFECTS = frozenset(
    {"added", "contributed", "lifted", "boosted", "weighed", "weighs", "hurt", "hurts", "dragged", "drags"}
    | {"posted", "posts", "generated", "diluted", "accounted", "cost", "lastro", "belastete", "pese"}
    | {"pressure", "pression", "druck", "presion"}
    | {"cut", "cuts", "drove", "drives", "drive", "porte", "portent", "dope", "dopent", "tire", "tirent"}
    | {"plombe", "plombent", "stutzt", "stutzen", "treibt", "treiben", "impulsa", "impulsan", "pesan"}
)
# Prepositions before who buys what is sold.
_TO = frozenset({"to", "a", "an", "al"})
# Prepositions before what money goes into.
_INTO = frozenset({"in", "into", "dans", "en", "ins"})
# Names of bodies that receive gifts, not investments ("the Gates Foundation").
_GIFT_NAMES = frozenset({"foundation", "fund", "trust", "endowment", "charity", "charities"})
_INCLUDING_TEXT = """
including includes included notamment dont compris comprenant einschliesslich inklusive samt
incluidas incluidos incluida incluido incluyendo incluye
"""
_INCLUDING = frozenset(_INCLUDING_TEXT.split())


@dataclass(frozen=True)
class Event:
    type: str
    actors: tuple[str, ...]
    amount: Amount | None
    sentence: str
    news: bool


@dataclass(frozen=True)
class Analysis:
    orgs: tuple[str, ...]
    events: tuple[Event, ...]
    amounts: tuple[Amount, ...]
    # The text as db.textfold.word_string folds it, cut from detection's own fold: the rules
    # need it too (alerts.rules.ArticleText.text_words), and folding is a good part of their cost.
    text_words: str | None = field(default=None, repr=False, compare=False)

    @property
    def news_types(self) -> frozenset[str]:
        return frozenset(event.type for event in self.events if event.news)


class _Payloads(NamedTuple):
    """What one key of the automaton stands for, sorted by kind once (at build time)."""

    aliases: tuple[Alias, ...]
    triggers: tuple[Trigger, ...]
    cues: tuple[Cue, ...]
    tails: tuple[Tail, ...]
    all: tuple[object, ...]

    @classmethod
    def of(cls, payloads: tuple[object, ...]) -> _Payloads:
        return cls(
            tuple(p for p in payloads if isinstance(p, Alias)),
            tuple(p for p in payloads if isinstance(p, Trigger)),
            tuple(p for p in payloads if isinstance(p, Cue)),
            tuple(p for p in payloads if isinstance(p, Tail)),
            payloads,
        )


@dataclass
class _Sentence:
    """One sentence with a trigger: its raw hits, sorted by kind when it is read."""

    text: str
    lead: bool
    string: str  # the article's word string, and where this sentence starts in it
    base: int
    hits: list[tuple[int, int, int]]  # (offset, words, key) of every phrase of the sentence
    kinds: Sequence[_Payloads] | None  # per key; None once read
    headline: bool = False  # the title's (or a feed summary's own) sentences, before the text's
    aliases: list[tuple[Hit[object], Alias]] = field(default_factory=list)
    triggers: list[tuple[Hit[object], Trigger]] = field(default_factory=list)
    cues: dict[str, list[tuple[Hit[object], Cue]]] = field(default_factory=dict)
    tails: dict[str, list[int]] = field(default_factory=dict)
    _spans: list[tuple[int, int]] | None = None

    def read(self) -> _Sentence:
        """Sort the hits into aliases, triggers, cues and tails, with word positions (once)."""
        if self.kinds is not None:
            string, base, kinds = self.string, self.base, self.kinds
            for start, words, key in self.hits:
                first = string.count(" ", base, start)
                kind = kinds[key]
                hit: Hit[object] = Hit(first, first + words - 1, kind.all)
                self.triggers.extend((hit, trigger) for trigger in kind.triggers)
                self.aliases.extend((hit, alias) for alias in kind.aliases)
                for cue in kind.cues:
                    self.cues.setdefault(cue.name, []).append((hit, cue))
                for tail in kind.tails:
                    self.tails.setdefault(tail.phrase, []).append(first)
            self.kinds = None
        return self

    @cached_property
    def money(self) -> bool:
        """Whether something in the sentence may be an amount of money (asked by its triggers and,
        for the news, by its amounts)."""
        return _MONEY_HINT.search(self.text) is not None

    def spans(self) -> list[tuple[int, int]]:
        """Where each folded word is in ``text`` (computed once)."""
        if self._spans is None:
            self._spans = word_spans(self.text)
        return self._spans


@dataclass(frozen=True)
class _Mention:
    type: str
    trigger: Hit[object]
    group: str
    background: bool
    # A generic deal word after a definite article ("the deal"), which may name an event
    # reported before it rather than one of its own.
    anaphoric: bool = False
    # Background because the sentence judges, explains or denies the deal rather than recalls
    # it: in a headline, that frames the lead's telling of the same deal (``analyse``).
    framed: bool = False
    # After a definite article ("The merger", "la fusion"): it may name a deal told before it.
    definite: bool = False


class EventDetector:
    """Organisations, events and amounts of articles; build once, share between threads."""

    def __init__(self, orgs: OrgIndex | None = None) -> None:
        self.orgs = orgs if orgs is not None else OrgIndex()
        # Organisations, triggers and the cues and tails that qualify a trigger are looked for in
        # the sentences that may be read, in one pass.
        self._phrases: PhraseSet[object] = PhraseSet([*self.orgs.entries(), *lexicon.entries()])
        # Below the sentences read only organisations are looked for: by an automaton of their own.
        self._org_phrases: PhraseSet[Alias] = PhraseSet(self.orgs.entries())
        self._org_aliases = [self._org_phrases.payloads(key) for key in range(len(self._org_phrases))]
        self._kinds = [_Payloads.of(self._phrases.payloads(key)) for key in range(len(self._phrases))]
        # Per key: the organisations it names, the event types its triggers could report.
        self._aliases = [kinds.aliases for kinds in self._kinds]
        self._types = [
            frozenset(kind for trigger in kinds.triggers for kind in _possible(trigger))
            for kinds in self._kinds
        ]
        # ... and those its specific triggers could report, the only ones that make a body
        # sentence's type news by repetition (_repeated).
        self._named_types = [
            frozenset(
                kind
                for trigger in kinds.triggers
                if trigger.group not in _ANAPHORIC
                for kind in _possible(trigger)
            )
            for kinds in self._kinds
        ]
        self._this_year = date.today().year

    def analyse(self, title: str, text: str, language: str | None, summary: str = "") -> Analysis:
        orgs: dict[str, None] = {}
        units, first_body, body_words = self._units(title, summary, text)
        scanned, named, text_words = self._scan(units, first_body, body_words, orgs)
        found: list[tuple[_Sentence, list[_Mention]]] = []
        lead_types: set[str] = set()
        framed: set[str] = set()
        recalled: set[str] = set()
        for sentence, _ in scanned:
            if sentence.lead:
                mentions = self._mentions(sentence.read(), language)
                if lead_types:
                    # "Prada agreed to buy Versace. The deal unites…": the same event.
                    mentions = [m for m in mentions if not m.anaphoric]
                if framed and not sentence.headline:
                    # "Kommentar: Warum die Übernahme…", "Arvelle dément vouloir céder…": the lead
                    # tells the headline's deal again, and it is still judged or denied.
                    mentions = [replace(m, background=True) if m.type in framed else m for m in mentions]
                if recalled and not sentence.headline:
                    # "… after Three merger. The merger completed in June": the headline's deal again.
                    mentions = [
                        replace(m, background=True) if m.definite and m.type in recalled else m
                        for m in mentions
                    ]
                if sentence.headline:
                    framed.update(m.type for m in mentions if m.framed)
                    framed.difference_update(m.type for m in mentions if not m.background)
                    recalled.update(m.type for m in mentions if m.background)
                    recalled.difference_update(m.type for m in mentions if not m.background)
                found.append((sentence, mentions))
                lead_types.update(m.type for m in mentions if not m.background)
        if _told_specifically(found):
            # "Radio Africa becomes part of Nation Media in $19m deal. Nation Media has bought Radio
            # Africa…": a generic deal word in the headline names the deal the lead tells in specific
            # words. One in the lead is a deal of its own ("… comes with a commercial agreement").
            found = [
                (s, [_as_told(m) for m in mentions] if s.headline else mentions) for s, mentions in found
            ]
            lead_types = {m.type for _, mentions in found for m in mentions if not m.background}
        # Further down, only what the headline and lead did not already say, and
        # two sentences or more could say, can still be news (by repetition):
        # other sentences are not read.
        counts = Counter(kind for sentence, possible in scanned if not sentence.lead for kind in possible)
        open_types = {kind for kind, count in counts.items() if count >= 2 and kind in named} - lead_types
        body = self._body([(s, p) for s, p in scanned if not s.lead], open_types, language)
        # A type reported by two body sentences or more is news: its first mention
        # stands for it, the others are the same news told again.
        repeated = _repeated(body) - lead_types
        events: list[Event] = []
        amounts: list[Amount] = []
        column = _COLUMN.match(title) is not None
        for sentence, mentions in (*found, *body):
            news = []
            for m in mentions:
                first = m.type in repeated and not m.background and not sentence.lead
                news.append(not column and not m.background and (sentence.lead or first))
                if first:
                    repeated.discard(m.type)
            if not any(news):
                actors = tuple(dict.fromkeys(alias.org for _, alias in sentence.aliases))
                events.extend(Event(m.type, actors, None, sentence.text, False) for m in mentions)
                continue
            # The arguments are worked out for the news only.
            stated = self._amounts(sentence, language)
            amounts.extend(stated)
            amount = max(stated, key=lambda a: a.usd) if stated else None
            names = self._names(sentence, language, [m.trigger for m in mentions])
            # One amount per sentence: it prices the investment or acquisition, if any, not the partnership.
            priced = {m.type for m in mentions} - {"partnership"} or {"partnership"}
            for mention, is_news in zip(mentions, news, strict=True):
                actors = _actors(sentence, names, mention.trigger, mention.group)
                cost = amount if is_news and mention.type in priced else None
                events.append(Event(mention.type, actors, cost, sentence.text, is_news))
        return Analysis(tuple(orgs), tuple(events), tuple(amounts), text_words)

    def _body(
        self, scanned: Sequence[tuple[_Sentence, frozenset[str]]], open_types: set[str], language: str | None
    ) -> list[tuple[_Sentence, list[_Mention]]]:
        """The body sentences read for ``open_types``, in order, until each type is settled:
        reported twice, once in specific words (:func:`_repeated`); later sentences could
        only tell the same news again."""
        body: list[tuple[_Sentence, list[_Mention]]] = []
        for sentence, possible in scanned:
            if possible.isdisjoint(open_types):
                continue
            body.append((sentence, self._mentions(sentence.read(), language)))
            settled = _repeated(body)
            if settled:
                open_types -= settled
                if not open_types:
                    break
        return body

    # --- reading sentences ---------------------------------------------------------------

    @staticmethod
    def _units(title: str, summary: str, text: str) -> tuple[list[tuple[str, bool]], int, str]:
        """The sentences to read, each with whether it is in the headline or the lead, the
        index of the text's first, and the text's sentences joined by the separator and folded:
        the text is folded once, for the summary's sentences to be compared with its own and
        for the scan (:meth:`_scan`)."""
        body = sentences.split(text)
        body_words = word_string(_SEPARATOR.join(body))
        units = [(piece, True) for piece in sentences.bounded(title)]
        if summary.strip():
            # A feed's summary is usually the lead again; what it adds counts as lead.
            seen = _word_strings(body, body_words)
            units.extend((s, True) for s in sentences.split(summary) if word_string(s) not in seen)
        first_body = len(units)
        units.extend((sentence, index < LEAD_SENTENCES) for index, sentence in enumerate(body))
        return units, first_body, body_words

    def _scan(
        self, units: Sequence[tuple[str, bool]], first_body: int, body_words: str, orgs: dict[str, None]
    ) -> tuple[list[tuple[_Sentence, frozenset[str]]], set[str], str]:
        """The sentences with a trigger, each with the event types it could report, the types
        the body's specific triggers could report, and the text's word string, from one fold
        and one automaton pass over all sentences joined; ``orgs`` gets the organisations of all.
        ``body_words``: the text's sentences (``units[first_body:]``) joined and folded."""
        string = _joined_words([text for text, _ in units[:first_body]], body_words, len(units) > first_body)
        # starts[i]: offset of the space before sentence i's first word.
        starts = _marked_starts(string, len(units))
        marked = starts is not None
        if starts is None:
            starts = _measured_starts(units, len(string))
        # Hits come in text order: bucket them per sentence; only sentences with
        # a trigger are kept to be read (cues alone say nothing).
        tail = starts[min(READ_SENTENCES, len(units))]
        buckets: list[list[tuple[int, int, int]]] = [[] for _ in units[:READ_SENTENCES]]
        possible: dict[int, frozenset[str]] = {}
        named: set[str] = set()
        index = 0
        aliases, types, accepts = self._aliases, self._types, self.orgs.accepts
        lengths, words = self._phrases.lengths, self._phrases.words
        for end, key in self._phrases.ends(string, 0, tail):
            while end >= starts[index + 1]:
                index += 1
            for alias in aliases[key]:
                if alias.org not in orgs and accepts(alias, units[index][0]):
                    orgs[alias.org] = None
            if len(buckets[index]) == READ_PHRASES:
                continue
            if types[key]:
                possible[index] = possible.get(index, frozenset()) | types[key]
                if not units[index][1]:
                    named |= self._named_types[key]
            buckets[index].append((end - lengths[key] + 1, words[key], key))
        # Below the sentences read, only organisations are looked for.
        for end, key in self._org_phrases.ends(string, tail):
            for alias in self._org_aliases[key]:
                if alias.org not in orgs and (
                    alias.guard == FREE or accepts(alias, units[bisect.bisect_right(starts, end) - 1][0])
                ):
                    orgs[alias.org] = None
        sentences = [
            (
                _Sentence(*units[i], string, starts[i], buckets[i], self._kinds, i < first_body),
                types,
            )
            for i, types in sorted(possible.items())
        ]
        # The text's sentences are its words in order (splitting drops no word): without the
        # marks, they are the text's word string.
        if marked:
            text_words = body_words.replace(_MARK[1:], "")
        else:
            joined = " ".join(folded for text, _ in units[first_body:] if (folded := word_string(text)[1:-1]))
            text_words = f" {joined} " if joined else " "
        return sentences, named, text_words

    def _mentions(self, sentence: _Sentence, language: str | None) -> list[_Mention]:
        cues = {
            name: [
                hit
                for hit, cue in hits
                if cue.tail is None or _followed(hit, sentence.tails.get(cue.tail, ()))
            ]
            for name, hits in sentence.cues.items()
        }
        if cues.get("analyst") or cues.get("market"):
            return []
        # A trigger inside a word-sense phrase ("investment bank") or an organisation's
        # name ("Allianz", "Partners Group") is no trigger.
        covers = [*cues.get("wordsense", ()), *(hit for hit, _ in sentence.aliases)]
        triggers = [
            (hit, trigger)
            for hit, trigger in sentence.triggers
            if not any(other.first <= hit.first and hit.last <= other.last for other in covers)
            and (trigger.tail is None or _followed(hit, sentence.tails.get(trigger.tail, ())))
        ]
        # A word inside a longer phrase ("bought" in "bought out") is that phrase's, not a trigger of its own.
        triggers = [
            (hit, trigger)
            for hit, trigger in triggers
            if not any(
                other.first <= hit.first
                and hit.last <= other.last
                and other.last - other.first > hit.last - hit.first
                for other, _ in triggers
            )
        ]
        if not triggers:
            return []
        if "stake" in cues or any(t.group == "stake" for _, t in triggers):
            # A stake listed among what is bought ("its North Sea business, including stakes in
            # eight fields") is part of the purchase, not a stake taken.
            triggers = [(hit, t) for hit, t in triggers if t.group != "stake" or not _listed(sentence, hit)]
            cues["stake"] = [hit for hit in cues.get("stake", ()) if not _listed(sentence, hit)]
            if not triggers:
                return []
        specific = {t.type for _, t in triggers if t.group in _SPECIFIC}
        minority = any(t.group == "stake" for _, t in triggers)
        context = _Context(sentence, cues, specific, language, minority)
        typed: dict[str, tuple[Hit[object], str]] = {}
        deals: list[Hit[object]] = []
        for hit, trigger in triggers:
            kind = context.kind(hit, trigger)
            if kind == "deal":
                deals.append(hit)
            elif kind is not None and kind not in typed and not context.negated(hit):
                # "did not name new sponsors": a deal said not to be made (asked last: it is rare).
                typed[kind] = (hit, trigger.group)
        deal = next((hit for hit in deals if not context.negated(hit)), None) if deals else None
        if not typed and deal is not None and context.has_name and not cues.get("politics"):
            typed["partnership"] = (deal, "deal")
        if cues.get("labour"):
            # "IG Metall struck a deal with Volkswagen management to cut jobs": a labour deal.
            typed.pop("partnership", None)
        if not typed:
            return []
        # An aside closing the sentence sizes its own deal against earlier ones ("…, its biggest
        # deal since 2022") or names the one it extends ("…, extending the alliance they formed in
        # 2019"): what it recalls makes nothing else background.
        aside = _CLOSING_ASIDE.search(sentence.text)
        told = sentence.text[: aside.start()] if aside else sentence.text
        # A question reports nothing ("Should you invest in Nvidia?"), nor does an
        # explainer ("How Microsoft's stake in OpenAI became its biggest bet").
        judged = (
            sentence.text.rstrip(" \"'»”’)").endswith("?")
            or _EXPLAINER.match(sentence.text) is not None
            or any(_before(sentence, hit, len(told)) for hit in cues.get("opinion", ()))
        )
        background = (
            judged
            or any(
                _before(sentence, hit, len(told)) for name in _BACKGROUND_CUES for hit in cues.get(name, ())
            )
            or self._past_year(told)
        )
        # A sentence that is background as a whole needs no clause looked at.
        clauses = [] if background else [match.span() for match in _RELATIVE.finditer(sentence.text)]
        if aside and not background:
            clauses.append(aside.span())
        # Results told first make what follows their cause ("profit rose as deal fees climbed");
        # told after a deal they are a detail of it ("raises $50m as revenue grows 300%").
        results = None if background else _RESULTS.search(sentence.text)
        spans = sentence.spans() if clauses or results else []
        mentions = []
        for kind, (hit, group) in typed.items():
            recalled = bool(clauses) and _inside(spans[hit.first][0], clauses)
            # "<=": an order that is itself the result counted ("orders slid 8%") is no order won.
            recalled |= results is not None and results.start() <= spans[hit.first][0]
            refused = context.near(hit, "denial")
            denied = (
                refused
                or context.near(hit, "backdrop")
                or context.followed_deal(hit, group)
                or context.supposed(hit)
            )
            # "Who will buy into Starbucks China? A guessing game…": a question asks, as one closing
            # its sentence does (``judged``), and frames the lead as it does.
            asked = context.asked(hit)
            denied |= asked
            definite = not _DEFINITE.isdisjoint(context.words_before(hit, 1))
            framed = judged or refused or asked
            mentions.append(
                _Mention(
                    kind,
                    hit,
                    group,
                    background or recalled or denied,
                    group == "deal" and definite,
                    framed,
                    definite,
                )
            )
        return mentions

    def _past_year(self, text: str) -> bool:
        return any(int(year) < self._this_year - 1 for year in _PAST_YEAR.findall(text))

    def _names(
        self, sentence: _Sentence, language: str | None, triggers: Sequence[Hit[object]]
    ) -> list[OrgMention]:
        """Listed organisations, look-alike names, and names in the triggers' argument places."""
        spans = sentence.spans()
        listed = []
        for hit, alias in sentence.aliases:
            start, end = spans[hit.first][0], spans[hit.last][1]
            if self.orgs.accepts(alias, sentence.text, start, end):
                listed.append(OrgMention(alias.org, start, end, True))
        around = arguments(
            sentence.text, [(spans[hit.first][0], spans[hit.last][1]) for hit in triggers], language
        )
        return resolve_overlaps([*listed, *lookalikes(sentence.text, language), *around])

    @staticmethod
    def _amounts(sentence: _Sentence, language: str | None) -> list[Amount]:
        if not sentence.money:
            return []
        return list(find_amounts(sentence.text, language))


class _Context:
    """What a sentence offers its triggers: cues (by word position), amounts, names, percentages."""

    def __init__(
        self,
        sentence: _Sentence,
        cues: dict[str, list[Hit[object]]],
        specific: set[str],
        language: str | None,
        minority: bool = False,
    ) -> None:
        self.sentence = sentence
        self.language = language
        self.text = sentence.text
        self.cues = cues
        self.specific = specific
        self.phrases = [hit for hit, trigger in sentence.triggers if trigger.group in _SPECIFIC]
        self.minority = minority

    # Both looked for only when a trigger's group asks.
    @cached_property
    def has_name(self) -> bool:
        return bool(self.sentence.aliases) or _NAME.search(self.text) is not None

    @property
    def has_amount(self) -> bool:
        return self.sentence.money

    def near(self, trigger: Hit[object], cue: str) -> bool:
        """Whether ``cue`` occurs in the window the cue is looked for around ``trigger``.

        A stake is not where a specific trigger's own words or a way of paying hold it
        ("all-stock deal", "in cash and shares").
        """
        payments = [*self.phrases, *self.cues.get("payment", ())] if cue == "stake" else []
        return any(
            _within(trigger, cue, hit)
            and not any(t.first <= hit.first and hit.last <= t.last for t in payments)
            for hit in self.cues.get(cue, ())
        )

    def goods_bought(self, trigger: Hit[object], ordered: bool = False) -> bool:
        """Whether goods follow the trigger ("buys 150 jets", "to buy power from"), not a company
        named by what it makes or a business ("buys bus maker Van Hool", "power producer Calpine",
        "its gas business"). ``ordered``: only as an order puts them, counted or bought from a
        seller ("agreed to buy 25 jets", "a deal to buy power from"), and written in lowercase, not
        as a word of a name ("Marathon Oil"), which leaves German out, where nouns are capitalised."""
        spans = self.sentence.spans()

        def words(start: int, end: int) -> list[str]:
            return self.folded[max(0, start) : end]

        def an_order(hit: Hit[object]) -> bool:
            counted = any(word.isdigit() for word in words(hit.first - 3, hit.first))
            sold = "from" in words(hit.last + 1, hit.last + 4)
            return not self.text[spans[hit.first][0]].isupper() and (counted or sold)

        def named(hit: Hit[object]) -> bool:
            # "Electricity North West", "Power Finance Corp": the first word of a name.
            after = spans[hit.last + 1] if hit.last + 1 < len(spans) else None
            return (
                self.language != "de"
                and self.text[spans[hit.first][0]].isupper()
                and after is not None
                and self.text[after[0]].isupper()
            )

        return self.units_named(trigger) or any(
            _within(trigger, "goods", hit)
            and _MAKERS.isdisjoint(words(hit.last + 1, hit.last + 4))
            and (not ordered or an_order(hit))
            and not named(hit)
            for hit in self.cues.get("goods", ())
        )

    def units_named(self, trigger: Hit[object]) -> bool:
        """Whether a count opens the name the trigger is followed by ("l'achat de 26 Rafale", "to
        buy 40 Airbus A321neo"): a product counted in units, for a company is never counted. A
        business noun after the name ("buys 71 Ahold stores") leaves it to the other rules; so does
        German, where every noun is capitalised ("erwirbt 30 Prozent an")."""
        if self.language == "de":
            return False
        spans = self.sentence.spans()
        start = trigger.last + 1
        for index in range(start, min(start + 2, len(spans) - 1)):
            if not self.text[slice(*spans[index])].isdigit():
                continue
            name = spans[index + 1]
            after = [fold(self.text[slice(*span)]) for span in spans[index + 2 : index + 5]]
            return (
                self.text[name[0]].isupper()
                and _MAKERS.isdisjoint(after)
                and not any(
                    _within(trigger, cue, hit)
                    for cue in ("business", "capex")
                    for hit in self.cues.get(cue, ())
                )
            )
        return False

    def named_recipient(self, trigger: Hit[object]) -> bool:
        """Whether a name follows the trigger before any capex-like cue: "invest $1bn in Globalstar
        to expand…" invests in a company; "invest $1bn in plants" does not. In German, where every
        noun is capitalised, only listed organisations count."""
        spans = self.sentence.spans()
        cues = [
            hit.first
            for cue in _NOT_AN_INVESTMENT
            for hit in self.cues.get(cue, ())
            if hit.first > trigger.last
            # "in India's Shriram Finance": the country owns the name that follows; no place invested in.
            and not (cue == "place" and self.text.startswith(("'s ", "’s "), spans[hit.last][1]))
            and not (cue == "charity" and self.ends_a_name(hit))
        ]
        limit = min(cues, default=trigger.last + 10)
        if any(
            trigger.last < hit.first < limit
            and accepted(alias, self.text, spans[hit.first][0], spans[hit.last][1])
            for hit, alias in self.sentence.aliases
        ):
            return True
        if self.language == "de":
            # The verb comes last in German: "in den US-Elektroautobauer Rivian stecken".
            return _COMPANY_NOUN.search(self.text) is not None
        if trigger.last + 1 < len(spans):
            start, end = spans[trigger.last][1], spans[min(limit, len(spans)) - 1][1]
            if _COMPANY_NOUN.search(self.text, start, end):
                return True
        words = [self.text[start:end] for start, end in spans[trigger.last + 1 : limit]]
        if limit < len(spans) and fold(self.text[slice(*spans[limit])]) not in _NOT_A_SITE:
            # Names just before what the money builds qualify it: "in Permian Basin drilling".
            while words and words[-1][:1].isupper() and not words[-1].endswith(("'s", "’s")):
                words.pop()
        # "à Dunkerque" is a place, "its Maranello plant" the company's own site, and so is
        # "North Carolina" in "its North Carolina battery plant".
        placed = in_places(words)
        return any(
            index not in placed
            and _recipient_like(word)
            and (index == 0 or fold(words[index - 1]) not in _NOT_BEFORE_RECIPIENTS)
            for index, word in enumerate(words)
        )

    def ends_a_name(self, cue: Hit[object]) -> bool:
        """Whether a one-word charity cue is the capitalised end of a company's name ("in Mosaic
        Health", "in Bright Education"): the company invested in, not what the money is for. A
        foundation or a trust so named is still a gift's recipient; debt and capex cues keep their
        capitals ("in US Treasuries", "its Gigafactory Berlin")."""
        spans = self.sentence.spans()
        if cue.first != cue.last or cue.first < 2:
            return False
        word, before = (self.text[slice(*spans[i])] for i in (cue.first, cue.first - 1))
        return word[:1].isupper() and before[:1].isupper() and fold(word) not in _GIFT_NAMES

    def named_body(self, trigger: Hit[object]) -> bool:
        """Whether a generic deal word is the first of an organisation's name ("Partnership for a
        Healthier America")."""
        opening = _NAMED_BODY.match(self.text)
        return opening is not None and self.sentence.spans()[trigger.first][0] < opening.end()

    def owned(self, trigger: Hit[object]) -> bool:
        """Whether a generic deal word is one its subject already has: a possessive after a
        preposition ("revenue from its partnership", "leans on its deal", "de su alianza"); after a
        verb it is news ("prolongent leur collaboration"). A genitive is a possessive too: "revenue
        from the company's joint venture"."""
        words = self.words_before(trigger, 4)
        return any(
            (word in _POSSESSIVES and index > 0 and words[index - 1] in _PREPOSITIONS)
            or (word == "s" and index == len(words) - 1 and not _PREPOSITIONS.isdisjoint(words[:-2]))
            for index, word in enumerate(words)
        )

    def standing(self, trigger: Hit[object]) -> bool:
        """Whether a deal word after a preposition is one the parties already have: "long-standing",
        "existing" before it ("under a long-standing agreement"), "de longue date", "de larga data",
        "vigente" just after it; after a verb it is news ("extends its long-standing partnership")."""
        words = self.words_before(trigger, 5)
        after = " ".join(self.folded[trigger.last + 1 : trigger.last + 4])
        return any(
            word in _STANDING_BEFORE and not _PREPOSITIONS.isdisjoint(words[:index])
            for index, word in enumerate(words)
        ) or (
            not _PREPOSITIONS.isdisjoint(words)
            and any(f" {phrase} " in f" {after} " for phrase in _STANDING_AFTER)
        )

    def effect(self, trigger: Hit[object]) -> bool:
        """Whether a deal named with a determiner is the subject of what it did to results ("its
        joint venture with Toyota posted a loss", "the Pioneer deal, completed in May, boosted
        output", "Les partenariats de distribution portent les ventes"), not a deal made: the
        sentence's verb comes within six words of it. Deals in the bare plural are counted by their
        effect when the verb follows at once ("shirt and stadium deals accounted for most of the
        rise"); further on it may be another clause's ("signs deals with A and B, which lifted")."""
        before = self.words_before(trigger, 2)
        after = self.folded[trigger.last + 1 : trigger.last + 7]
        # "s": a genitive ("Rival's funding round", "Exxon's takeover"), split off its name.
        if (
            _DEFINITE.isdisjoint(before)
            and _POSSESSIVES.isdisjoint(before)
            and _PLURAL_DEFINITE.isdisjoint(before)
            and "s" not in before
        ):
            if not after or after[0] not in _EFFECTS:
                return False
            word = self.text[slice(*self.sentence.spans()[trigger.last])]
            return _PLURAL.search(word) is not None
        return not _EFFECTS.isdisjoint(after)

    def possessor(self, trigger: Hit[object]) -> bool:
        """Whether the deal word is a genitive ("Shipping alliances' reshuffle leaves ports exposed",
        "the merger's architects"): what the deal has is the news, not the deal."""
        if "'" not in self.text and "’" not in self.text:
            return False
        end = self.sentence.spans()[trigger.last][1]
        return self.text.startswith(("'s ", "’s ", "' ", "’ "), end)

    def counted(self, trigger: Hit[object]) -> bool:
        """Whether a partnership word is deals counted as the cause of a result: in the plural after a
        `counted` cue ("helped by defence orders", "grâce aux commandes", "dank neuer Aufträge"), or
        saying who signed such deals ("contratos firmados con"), not a deal won today."""
        spans = self.sentence.spans()

        def plural(hit: Hit[object]) -> bool:
            return _PLURAL.search(self.text[slice(*spans[hit.last])]) is not None and any(
                _within(hit, "counted", cue) for cue in self.cues.get("counted", ())
            )

        return plural(trigger) or any(
            0 < trigger.first - hit.first <= 3 and plural(hit)
            for hit, other in self.sentence.triggers
            if other.type == "partnership" and hit.last < trigger.first
        )

    def tail_in_wordsense(self, trigger: Hit[object], tail: str) -> bool:
        """Whether every second part of a split trigger is inside a word-sense phrase ("launches a
        headset developed in partnership with Bose": no partnership launched)."""
        senses = self.cues.get("wordsense", ())
        tails = [
            first for first in self.sentence.tails.get(tail, ()) if 0 < first - trigger.last <= TAIL_WINDOW
        ]
        return bool(tails) and all(any(s.first <= first <= s.last for s in senses) for first in tails)

    def into_fund(self, trigger: Hit[object]) -> bool:
        """Whether the money goes into a fund ("raised $5bn for its fourth fund", "lève un fonds"),
        not into a company by a fund ("de inversores liderados por un fondo")."""
        before, after = _WINDOWS["fund"]
        return any(
            trigger.first - before <= hit.first <= trigger.last + after
            and _AGENTS.isdisjoint(self.words_before(hit, 3))
            for hit in self.cues.get("fund", ())
        )

    def into_joint_venture(self, trigger: Hit[object]) -> bool:
        """Whether the money goes into a joint venture ("in a joint venture", "dans leur
        coentreprise", "in ein Gemeinschaftsunternehmen"), not beside one ("… stecken und ein
        Gemeinschaftsunternehmen gründen")."""
        before, after = _WINDOWS["joint"]
        return any(
            trigger.first - before <= hit.first <= trigger.last + after
            and not _INTO.isdisjoint(self.words_before(hit, 3))
            for hit in self.cues.get("joint", ())
        )

    def spent_by_deal(self, trigger: Hit[object]) -> bool:
        """Whether the sentence opens on the deal as the one investing ("The alliance plans an
        initial investment of", "La coentreprise investira", "El consorcio invertirá"): the money is
        what the partners' venture will spend, no stake taken in anyone."""
        deals = [hit for hit, found in self.sentence.triggers if found.group == "deal"]
        return any(
            hit.first <= 1
            and 0 < trigger.first - hit.last <= 4
            and (hit.first == 0 or not _DEFINITE.isdisjoint(self.words_before(hit, 1)))
            for hit in [*deals, *self.cues.get("joint", ())]
        )

    def earned(self, trigger: Hit[object]) -> bool:
        """Whether the money is earned or given ("pulls in $5bn in revenue", "gets a $2bn order"),
        not told beside a result ("raises $50m as its revenue grows")."""
        return any(
            _CLAUSES.isdisjoint(self.folded[trigger.last + 1 : hit.first])
            for hit in self.cues.get("income", ())
            if _within(trigger, "income", hit)
        )

    def buyer_named(self, trigger: Hit[object]) -> bool:
        """Whether a sale names who buys: a name after "to", "à", "an", "a" ("sold 10% to Temasek")."""
        spans = self.sentence.spans()
        words = [self.text[start:end] for start, end in spans[trigger.last + 1 :]]
        return any(
            fold(word) in _TO and any(_recipient_like(name) for name in words[index + 1 : index + 4])
            for index, word in enumerate(words)
        )

    def completed(self, trigger: Hit[object]) -> bool:
        """Whether a generic deal word is the object of a verb completing it, across its determiner,
        price and name only ("closes $14bn Juniper deal"), not a market's close ("shares closed
        higher after the deal")."""
        for word in reversed(self.words_before(trigger, 5)):
            if word in _COMPLETED:
                return True
            if word in _PREPOSITIONS or word in _CLAUSES or word in ("higher", "lower", "up", "down"):
                return False
        return False

    def paid_for_a_name(self, trigger: Hit[object], tail: str) -> bool:
        """Whether what a price is paid for ("pay $35bn … for Ansys") is a name: the word just after
        the tail, capitalised and no place, date or title."""
        spans = self.sentence.spans()
        return any(
            0 < first - trigger.last <= TAIL_WINDOW
            and first + 1 < len(spans)
            and _recipient_like(self.text[slice(*spans[first + 1])])
            for first in self.sentence.tails.get(tail, ())
        )

    def polity_after(self, trigger: Hit[object]) -> bool:
        """Whether a political body or post follows the trigger closely ("control of the Senate")."""
        return any(0 < hit.first - trigger.last <= 4 for hit in self.cues.get("politics", ()))

    def sold_out(self, trigger: Hit[object]) -> bool:
        """Whether a stake sold is the seller's whole holding ("its entire stake", "the rest of its
        shares"), with no percentage saying control changes hands. ``trigger`` is the sale, or the
        stake phrase ("stake in") after one."""
        sold = any(
            (t.group == "sale" and 0 < trigger.first - hit.first <= 4)
            or (t.group == "stake" and 0 < hit.first - trigger.first <= 4)
            for hit, t in self.sentence.triggers
        )
        if not (self.near(trigger, "stake") or sold) or _MAJORITY.search(self.text):
            return False
        spans = self.sentence.spans()
        majority = [hit for hit in self.cues.get("majority", ()) if _within(trigger, "majority", hit)]
        return bool(majority) and all(
            fold(self.text[spans[hit.first][0] : spans[hit.last][1]]) in _SOLD_OUT for hit in majority
        )

    def followed_deal(self, trigger: Hit[object], group: str) -> bool:
        """Whether the news is what followed a deal named by one specific noun ("to spend £11bn
        after Three merger", "sales jump after Celso takeover"): a verb ("after it agreed to buy")
        tells the deal itself, and a generic word may be today's ("shares rose after the deal")."""
        return trigger.first == trigger.last and group == "firm" and self.near(trigger, "since")

    def words_before(self, trigger: Hit[object], count: int) -> list[str]:
        """The ``count`` folded words before ``trigger``."""
        return self.folded[max(0, trigger.first - count) : trigger.first]

    def supposed(self, trigger: Hit[object]) -> bool:
        """Whether the deal is the subject of a conditional ("A merger of Grab and GoTo would give",
        "Takeover of Finnair would need", "Grab-GoTo tie-up would create", "Ein Zusammenschluss von
        … könnte"): it opens the sentence (or follows who says it) bare, after an indefinite
        article, or right before the conditional, and the conditional comes within ten words with
        no clause opening between. "The deal would give Chevron…" tells an agreed deal, "a merger
        that would create" its effect, "raised its holding and said it may" an intention."""
        conditionals = self.conditionals
        if not conditionals:
            return False
        if self.consequence(trigger, conditionals):
            return True
        after = [first for first in conditionals if 0 < first - trigger.last <= 10]
        if not after:
            return False
        before = self.words_before(trigger, 3)
        if trigger.first > 4 and _SAYING.isdisjoint(before):
            return False
        bare = trigger.first == 0 or before[-1] in _INDEFINITE
        spans = self.sentence.spans()
        for index in range(trigger.last + 1, min(after)):
            word, end = self.folded[index], spans[index][1]
            if word in _CLAUSE_OPENERS or word in _SAYING or self.text[end : end + 1] in (",", ";", ":"):
                return False
        return bare or min(after) == trigger.last + 1

    @cached_property
    def folded(self) -> list[str]:
        """The sentence's folded words, by position (as its hits count them)."""
        sentence = self.sentence
        end = sentence.string.find(_MARK_WORD, sentence.base)
        return sentence.string[sentence.base : end if end != -1 else len(sentence.string)].split()

    @cached_property
    def rule_words(self) -> bool:
        """Whether the sentence has a conditional, a negation or people at all: most have none."""
        return not _RULE_WORDS.isdisjoint(self.folded)

    def where(self, words: frozenset[str]) -> list[int]:
        """The positions of ``words`` in the sentence."""
        if not self.rule_words or words.isdisjoint(self.folded):
            return []
        return [index for index, word in enumerate(self.folded) if word in words]

    @cached_property
    def negations(self) -> list[int]:
        return self.where(_NEGATIONS)

    @cached_property
    def people(self) -> list[int]:
        return self.where(_PEOPLE)

    @cached_property
    def conditionals(self) -> list[int]:
        """Where the sentence's conditionals are: "würde", not "wurde", which folds the same."""
        spans = self.sentence.spans()
        return [
            first
            for first in self.where(_CONDITIONALS)
            if self.folded[first] not in _FOLDED_UMLAUT_CONDITIONALS
            or self.text[slice(*spans[first])].lower() in _UMLAUT_CONDITIONALS
        ]

    def people_partner(self, trigger: Hit[object]) -> bool:
        """Whether who teams up are people, not organisations: the words before a partnership word
        name people by what they do ("Two surgeons have teamed up", "Les chefs … s'associent"), the
        sentence names no listed organisation, and "with" does not follow ("partner with Nestlé").
        Names alone are not enough: "Ralph Lauren" and "Hugo Boss" are companies too."""
        if not any(first < trigger.first for first in self.people):
            return False
        spans = self.sentence.spans()
        if any(
            accepted(alias, self.text, spans[hit.first][0], spans[hit.last][1])
            for hit, alias in self.sentence.aliases
        ):
            return False
        after = self.folded[trigger.first : trigger.last + 3]
        return _WITH.isdisjoint(after)

    def asked(self, trigger: Hit[object]) -> bool:
        """Whether the trigger is inside a question that does not end its sentence ("Who will buy into
        Starbucks China? A guessing game in Shanghai", "¿Quién se quedará con Tottus? Los candidatos"):
        a "?" follows it with no other mark that ends a clause between ("X buys Y: what next?")."""
        if "?" not in self.text:
            return False
        spans = self.sentence.spans()
        start = spans[trigger.last][1] if trigger.last < len(spans) else len(self.text)
        question = self.text.find("?", start)
        return question != -1 and not any(mark in self.text[start:question] for mark in ".!:;")

    def negated(self, trigger: Hit[object]) -> bool:
        """Whether a negation stands at most three words before the deal word with no definite
        article or possessive between ("did not name new sponsors", "n'a pas annoncé de nouveau
        partenariat", "no ha firmado ningún contrato"): a deal said not to be made. "did not disclose
        the deal's value" names a deal that is."""
        near = [first for first in self.negations if 0 < trigger.first - first <= 3]
        if not near:
            return False
        between = self.words_before(trigger, trigger.first - max(near) - 1)
        return _DEFINITE.isdisjoint(between) and _POSSESSIVES.isdisjoint(between)

    def lost(self, trigger: Hit[object]) -> bool:
        """Whether orders or contracts in the plural are lost ("lost about $1 billion of orders", "perd
        des commandes", "verliert Aufträge"): a result counted, like orders that slip; one contract
        lost names who won it ("lost the contract to Airbus")."""
        last = self.sentence.spans()[trigger.last]
        return self.near(trigger, "lost") and _PLURAL.search(self.text[slice(*last)]) is not None

    def in_a_name(self, trigger: Hit[object]) -> bool:
        """Whether an investment word is a word of a company's name: capitalised before a company
        word ("Sanlam Investment Management", "China Investment Corp"), or anywhere but first in a
        sentence written in lower case ("Centum Investment reports higher profit"). Title-case
        headlines ("Apple Makes Investment In Rivos") and German, which capitalises every noun,
        tell nothing by their capitals."""
        spans = self.sentence.spans()
        start, end = spans[trigger.first][0], spans[trigger.last][1]
        if not self.text[start].isupper():
            return False
        following = spans[trigger.last + 1] if trigger.last + 1 < len(spans) else None
        if following is not None and fold(self.text[slice(*following)]) in _NAME_ENDS:
            return True
        if self.language == "de" or trigger.first == 0:
            return False
        long = [self.text[a:b] for a, b in spans if b - a >= 4]
        return sum(word[0].isupper() for word in long) < 0.6 * len(long) and end > start

    def consequence(self, trigger: Hit[object], conditionals: Sequence[int]) -> bool:
        """Whether deals are what something could lead to ("a change that could lead to a wave of stake
        purchases", "pourrait ouvrir la voie à des rachats"): a conditional, then a verb of
        consequence, in the seven words before the deal word, with no definite article or possessive
        just before it ("could pave the way for the merger" names one agreed)."""
        start = trigger.first - 7
        if not any(start <= first < trigger.first for first in conditionals):
            return False
        words = self.words_before(trigger, 7)
        if not _DEFINITE.isdisjoint(words[-1:]) or not _POSSESSIVES.isdisjoint(words[-1:]):
            return False
        start = trigger.first - len(words)
        return any(
            start <= first < trigger.first and not _CONSEQUENCES.isdisjoint(words[first - start + 1 :])
            for first in conditionals
        )

    def stake(self, trigger: Hit[object]) -> bool:
        return self.near(trigger, "stake") or _STAKE_PERCENT.search(self.text) is not None

    def majority(self, trigger: Hit[object]) -> bool:
        # "control" is the end state the whole sentence reports ("…, becoming sole owner").
        return (
            self.near(trigger, "majority")
            or bool(self.cues.get("control"))
            or _MAJORITY.search(self.text) is not None
        )

    def kind(self, hit: Hit[object], trigger: Trigger) -> str | None:
        """The event type ``trigger`` stands for here, "deal" for a generic word, or None."""
        kind, group = trigger.type, trigger.group
        others = bool(self.specific - {kind})
        # "revenue from its partnership with Apple" is one the company has, not news.
        if kind == "partnership" and (self.owned(hit) or self.counted(hit) or self.standing(hit)):
            return None
        if self.effect(hit) or self.possessor(hit):
            return None
        if kind != "partnership" and self.near(hit, "player"):
            # "Le PSG s'offre un attaquant", "Arsenal buys midfielder Declan Rice": a player signed.
            return None
        if kind == "partnership" and (
            self.near(hit, "none") or self.near(hit, "study") or self.people_partner(hit) or self.lost(hit)
        ):
            # "placed no new orders", "keine neuen Aufträge", "ningún contrato": a deal said not to be;
            # "The study, a collaboration between two labs": who did the research, not a deal made;
            # "Two surgeons team up": people, not organisations.
            return None
        if trigger.tail is not None and self.tail_in_wordsense(hit, trigger.tail):
            return None
        if group in ("noun", "invest") and self.in_a_name(hit):
            # "Centum Investment reports higher profit", "Union Investment votes against": a company.
            return None
        if group == "deal":
            if self.specific or self.named_body(hit):
                return None
            # "HPE closes $14bn Juniper deal": a deal completed is a takeover closed.
            return "acquisition" if self.completed(hit) else "deal"
        if group in ("invest", "noun") and self.into_joint_venture(hit) and not self.stake(hit):
            # The partners' money put into their joint venture is the venture's, a partnership:
            # "Honda and LG will invest $4.4bn in a joint venture".
            return "deal"
        if group in ("invest", "noun") and self.spent_by_deal(hit) and not self.stake(hit):
            return None
        if group == "money" and (
            others
            or not self.has_amount
            or self.near(hit, "debt")
            or self.earned(hit)
            or self.near(hit, "spending")
            or self.into_fund(hit)
        ):
            return None
        if group == "share":
            if others or not _STAKE_PERCENT.search(self.text):
                return None
            return "acquisition" if self.majority(hit) else "investment"
        if group in ("invest", "noun") and (
            (group == "noun" and others)
            # "Bezos invests in humanoid robot start-up": a sentence-initial surname proves no name,
            # the company invested in does.
            or not (self.has_amount or self.has_name or (group == "invest" and self.named_recipient(hit)))
            or (any(self.near(hit, cue) for cue in _NOT_AN_INVESTMENT) and not self.named_recipient(hit))
            # Investing is putting money into an organisation: the verb needs one ("invests in
            # Joby", a stake), not a place, a plant or a sector ("invests billions in Grünheide").
            or (group == "invest" and not (self.named_recipient(hit) or self.stake(hit)))
            # What is put into something is money only when an amount says so ("put its
            # self-driving system into Ioniq cars").
            or (trigger.tail is not None and not self.has_amount)
        ):
            return None
        if group == "stake" and self.near(hit, "held"):
            return None
        if group == "buy" and trigger.tail is not None and not self.paid_for_a_name(hit, trigger.tail):
            # "pay $200m for misleading investors" is a fine, not a price.
            return None
        if group == "buy":
            if self.goods_bought(hit):
                return "partnership" if self.has_name and not others else None
            if others or not self.has_name:
                return None
        if kind == "acquisition" and group == "firm" and self.goods_bought(hit, ordered=True):
            # "agreed to buy 25 jets", "a deal to buy power from": an order, not a company bought.
            return "deal"

        if kind == "acquisition" and "control" in trigger.phrase and self.polity_after(hit):
            # "Republicans take control of the Senate": power, not a company, changes hands.
            return None
        if group == "sale" and not (self.near(hit, "business") or _BUSINESS_COMPOUND.search(self.text)):
            return None
        if group in ("sale", "stake") and self.sold_out(hit) and not self.buyer_named(hit):
            # "SoftBank sells its entire Nvidia stake": shares sold into the market, no buyer.
            return None
        if group == "stake" and self.majority(hit):
            return "acquisition"
        if kind == "acquisition" and (self.stake(hit) or self.minority) and not self.majority(hit):
            # Shares sold with no buyer named went to the market ("selling $800m of shares").
            return "investment" if group != "sale" or self.buyer_named(hit) else None
        return kind


def _word_strings(texts: Sequence[str], folded: str | None = None) -> set[str]:
    """``{word_string(text) for text in texts}``, from one fold of them all joined by the mark
    (``folded``, when the caller has it)."""
    if not texts:
        return set()
    parts = (word_string(_SEPARATOR.join(texts)) if folded is None else folded).split(_MARK_WORD)
    # A text that writes the mark itself is cut by it: fold each text on its own.
    return set(parts) if len(parts) == len(texts) else {word_string(text) for text in texts}


def _joined_words(head: Sequence[str], body_words: str, body: bool) -> str:
    """``word_string(_SEPARATOR.join([*head, *body_sentences]))`` from the body's own (``body_words``,
    ``body``: whether it has sentences): folding goes character by character and the separator
    keeps words apart, so only the head is folded again (the headline and the summary's
    sentences, short)."""
    if not head:
        return body_words
    head_words = word_string(_SEPARATOR.join(head))
    # Both strings open and close with a space: the mark joins them as a word of its own.
    return head_words + _MARK_WORD + body_words if body else head_words


def _marked_starts(string: str, units: int) -> list[int] | None:
    """Where each of ``units`` texts joined by the separator and folded into ``string`` starts (the
    offset of the space before its first word), then the string's end; None when a text writes
    the mark's word itself, even inside a word (hostile or odd copy): the marks then tell nothing."""
    pieces = string.split(_MARK_WORD)
    if len(pieces) != max(units, 1):
        return None
    # Each text's words are followed by the mark, which ends where the next text's first space is.
    return [0, *itertools.accumulate(map(len(_MARK_WORD).__add__, map(len, pieces[:-1]))), len(string)]


def _measured_starts(units: Sequence[tuple[str, bool]], length: int) -> list[int]:
    """:func:`_marked_starts` from each text's own word string: each mark begins at the last space of
    the text before it."""
    starts = [0]
    for text, _ in units[:-1]:
        starts.append(starts[-1] + len(word_string(text)) - 1 + len(_MARK) - 1)
    return [*starts, length]


def _recipient_like(word: str) -> bool:
    """A capitalised word that may name a company: not a date, title, nationality or place
    ("its Dunkirk plant"), nor a short acronym ("AI", "EV", "US")."""
    return (
        word[:1].isupper()
        and not (word.isupper() and len(word) <= 3)
        and fold(word) not in NOT_NAMES
        and not is_place(word)
    )


def _listed(sentence: _Sentence, hit: Hit[object]) -> bool:
    """Whether ``hit`` is listed among the parts of something ("including stakes in")."""
    spans = sentence.spans()[max(0, hit.first - 3) : hit.first]
    return any(fold(sentence.text[start:end]) in _INCLUDING for start, end in spans)


def _within(trigger: Hit[object], cue: str, hit: Hit[object]) -> bool:
    """Whether ``hit`` of ``cue`` is in the window that cue is looked for around ``trigger``."""
    before, after = _WINDOWS.get(cue, (1000, 1000))
    return trigger.first - before <= hit.first and hit.last <= trigger.last + after


def _followed(hit: Hit[object], tails: Iterable[int]) -> bool:
    return any(0 < first - hit.last <= TAIL_WINDOW for first in tails)


def _before(sentence: _Sentence, hit: Hit[object], end: int) -> bool:
    """Whether ``hit`` starts before character ``end`` of the sentence."""
    spans = sentence.spans()
    return hit.first >= len(spans) or spans[hit.first][0] < end


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _possible(trigger: Trigger) -> tuple[str, ...]:
    """The event types a trigger could report (a stake bought is an investment, goods an order…)."""
    types = [trigger.type]
    if trigger.type == "acquisition":
        types.append("investment")
    if trigger.group in ("stake", "share"):
        types.append("acquisition")
    if trigger.group in ("buy", "deal"):
        types.append("partnership")
    return tuple(types)


def _told_specifically(found: Sequence[tuple[_Sentence, list[_Mention]]]) -> bool:
    """Whether the lead reports an acquisition or an investment in specific words and the headline a
    partnership in generic ones only ("in $19m deal"), and nothing else does: the same deal."""
    news = [(s.headline, m) for s, mentions in found for m in mentions if not m.background]
    return (
        any(not headline and m.type != "partnership" and m.group not in _ANAPHORIC for headline, m in news)
        and any(headline and m.type == "partnership" for headline, m in news)
        and all(headline and m.group == "deal" for headline, m in news if m.type == "partnership")
    )


def _as_told(mention: _Mention) -> _Mention:
    """A generic partnership mention as the specific deal told beside it: background."""
    if mention.type == "partnership" and mention.group == "deal":
        return replace(mention, background=True)
    return mention


def _repeated(found: Sequence[tuple[_Sentence, list[_Mention]]]) -> set[str]:
    """Event types reported (not as background) by two sentences or more, one of them in
    specific words: "the investment", "the deal" only refer back to an event named elsewhere."""
    counts: dict[str, int] = {}
    named: set[str] = set()
    for _, mentions in found:
        for mention in mentions:
            if not mention.background:
                counts[mention.type] = counts.get(mention.type, 0) + 1
                if mention.group not in _ANAPHORIC:
                    named.add(mention.type)
    return {kind for kind, count in counts.items() if count >= 2 and kind in named}


def _actors(
    sentence: _Sentence, names: Sequence[OrgMention], trigger: Hit[object], group: str
) -> tuple[str, ...]:
    """Organisations of the sentence, the investor or buyer first when the wording says who it is.

    The agent is named after "by", "from", "led by", "par", "auprès de", "von",
    "durch", "por"… ("acquired by Hyundai", "von Bosch übernommen"); for a
    company raising money, the ones after the trigger are its investors.
    """
    if not names:
        return ()
    text = sentence.text
    agents = [name for name in names if _AGENT.search(text[max(0, name.start - 24) : name.start])]
    if not agents and group == "money":
        spans = sentence.spans()
        after = spans[trigger.last][1] if trigger.last < len(spans) else len(text)
        agents = [name for name in names if name.start >= after]
    return tuple(dict.fromkeys([*(name.name for name in agents), *(name.name for name in names)]))
