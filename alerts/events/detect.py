"""Events in an article, sentence by sentence: what happened, between whom, for how much, and is it news.

For each sentence (the headline first, then the summary's and the text's):

1. One pass of one automaton (:mod:`alerts.events.patterns`) over the
   folded sentence finds organisation aliases (:mod:`alerts.events.orgs`),
   event triggers and cues (:mod:`alerts.events.lexicon`, one file per
   language, all languages at once). Only sentences with a trigger are
   looked at further.
2. A trigger counts according to its group (lexicon/README.md): ``firm``
   phrases alone ("agreed to buy", "funding round", "joint venture");
   ``money`` ones next to an amount ("raises $40m"); ``invest`` ones with an
   amount or a name, and not into plants, charity or staff (capex,
   charitable and workforce "investment plans"); ``buy`` ones with a name,
   turned into an order (a partnership) when what is bought is goods;
   ``sale`` ones when a business changes hands; generic ``deal`` words
   ("deal", "agreement", "order") only when nothing more specific is there.
   Buying a stake without control is an investment. A phrase inside a
   word-sense cue ("investment bank", "partner at", "big deal") is no
   trigger; an analyst's rating or a market-value story none at all.
3. Arguments from the same sentence: actors (listed organisations and
   look-alike names; the investor or buyer first when the wording says so)
   and the amount (:func:`alerts.events.amounts.find_amounts`).
4. News or background: a mention is background when its sentence recalls
   it ("which raised", a past year, "last year", a comparison), denies or
   blocks it, or is an aside of opinion or a condition; or when the trigger
   sits in a relative clause (", which Microsoft bought"). A mention is the
   article's news when it is not background and is in the headline or the
   lead (first two sentences), or when its type is reported by two
   sentences or more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from alerts.events import lexicon, sentences
from alerts.events.amounts import Amount, find_amounts
from alerts.events.lexicon import Cue, Tail, Trigger
from alerts.events.orgs import Alias, OrgIndex, OrgMention, lookalikes, resolve_overlaps, word_spans
from alerts.events.patterns import Hit, PhraseSet
from db.textfold import word_string

EVENT_TYPES = ("investment", "acquisition", "partnership")

LEAD_SENTENCES = 2
# An article's sentences are joined by a word no text has, to be scanned in one pass.
_SEPARATOR = "\nzqxsentencezqx\n"
_MARK = " zqxsentencezqx "
# A split phrase's second part ("sammelt 500 Millionen Dollar ... ein") within this many words.
TAIL_WINDOW = 10

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
# More than half: control ("88 %", "100 percent").
_MAJORITY = re.compile(
    r"(?<![\d.,])(?:100|[5-9]\d)(?:[.,]\d+)?\s*(?:%|per ?cent|pour cent|Prozent|por ciento)"
)
_PAST_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
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
_BACKGROUND_CUES = frozenset({"background", "denial", "opinion"})
_NOT_AN_INVESTMENT = frozenset({"capex", "charity", "workforce"})


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

    @property
    def news_types(self) -> frozenset[str]:
        return frozenset(event.type for event in self.events if event.news)


@dataclass
class _Sentence:
    """One sentence's hits, sorted by kind."""

    text: str
    lead: bool
    aliases: list[tuple[Hit[object], Alias]] = field(default_factory=list)
    triggers: list[tuple[Hit[object], Trigger]] = field(default_factory=list)
    cues: dict[str, list[Hit[object]]] = field(default_factory=dict)
    tails: dict[str, list[int]] = field(default_factory=dict)
    _spans: list[tuple[int, int]] | None = None

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


class EventDetector:
    """Organisations, events and amounts of articles; build once, share between threads."""

    def __init__(self, orgs: OrgIndex | None = None) -> None:
        self.orgs = orgs if orgs is not None else OrgIndex()
        entries: list[tuple[str, object]] = [*self.orgs.entries(), *lexicon.entries()]
        self._phrases: PhraseSet[object] = PhraseSet(entries)
        # A key standing for a trigger makes its sentence worth reading closely.
        self._has_trigger = [
            any(isinstance(p, Trigger) for p in self._phrases.payloads(key))
            for key in range(len(self._phrases))
        ]
        self._this_year = date.today().year

    def analyse(self, title: str, text: str, language: str | None, summary: str = "") -> Analysis:
        orgs: dict[str, None] = {}
        read = self._scan(self._units(title, summary, text), orgs)
        found: list[tuple[_Sentence, list[_Mention]]] = []
        lead_types: set[str] = set()
        for sentence in read:
            if sentence.lead:
                mentions = self._mentions(sentence)
                found.append((sentence, mentions))
                lead_types.update(m.type for m in mentions if not m.background)
        # Further down, only what the headline and lead did not already say can
        # still be news (by repetition): other sentences are not looked at.
        body: list[tuple[_Sentence, list[_Mention]]] = []
        for sentence in read:
            if not sentence.lead and not _possible_types(sentence) <= lead_types:
                body.append((sentence, self._mentions(sentence)))
        repeated = _repeated(body) - lead_types
        events: list[Event] = []
        amounts: list[Amount] = []
        for sentence, mentions in (*found, *body):
            news = [not m.background and (sentence.lead or m.type in repeated) for m in mentions]
            if not any(news):
                actors = tuple(dict.fromkeys(alias.org for _, alias in sentence.aliases))
                events.extend(Event(m.type, actors, None, sentence.text, False) for m in mentions)
                continue
            # The arguments are worked out for the news only.
            stated = self._amounts(sentence.text, language)
            amounts.extend(stated)
            amount = max(stated, key=lambda a: a.usd) if stated else None
            names = self._names(sentence, language)
            # One amount per sentence: it prices the investment or acquisition, if any, not the partnership.
            priced = {m.type for m in mentions} - {"partnership"} or {"partnership"}
            for mention, is_news in zip(mentions, news, strict=True):
                actors = _actors(sentence, names, mention.trigger, mention.group)
                cost = amount if is_news and mention.type in priced else None
                events.append(Event(mention.type, actors, cost, sentence.text, is_news))
        return Analysis(tuple(orgs), tuple(events), tuple(amounts))

    # --- reading sentences ---------------------------------------------------------------

    @staticmethod
    def _units(title: str, summary: str, text: str) -> list[tuple[str, bool]]:
        """The sentences to read, each with whether it is in the headline or the lead."""
        body = sentences.split(text)
        units = [(title.strip(), True)] if title.strip() else []
        if summary.strip():
            # A feed's summary is usually the lead again; what it adds counts as lead.
            seen = {word_string(sentence) for sentence in body}
            units.extend((s, True) for s in sentences.split(summary) if word_string(s) not in seen)
        units.extend((sentence, index < LEAD_SENTENCES) for index, sentence in enumerate(body))
        return units

    def _scan(self, units: Sequence[tuple[str, bool]], orgs: dict[str, None]) -> list[_Sentence]:
        """The sentences with a trigger, from one automaton pass over all of them; ``orgs`` gets the names."""
        string = word_string(_SEPARATOR.join(text for text, _ in units))
        # starts[i]: offset of the space before sentence i's first word.
        starts = [0]
        position = string.find(_MARK)
        while position >= 0:
            starts.append(position + len(_MARK) - 1)
            position = string.find(_MARK, position + 1)
        starts.append(len(string))
        # Hits come in text order: bucket them per sentence; read closely only
        # the sentences with a trigger (cues alone say nothing).
        buckets: list[list[tuple[int, int, int]]] = [[] for _ in units]
        triggered = set()
        index = 0
        for start, words, key in self._phrases.raw(string):
            while start >= starts[index + 1]:
                index += 1
            buckets[index].append((start, words, key))
            if self._has_trigger[key]:
                triggered.add(index)
        read = []
        for index, hits in enumerate(buckets):
            if index in triggered:
                sentence = self._sentence(units[index], string, starts[index], hits)
                aliases: Iterable[Alias] = (alias for _, alias in sentence.aliases)
                read.append(sentence)
            else:
                aliases = (
                    p for _, _, key in hits for p in self._phrases.payloads(key) if isinstance(p, Alias)
                )
            for alias in aliases:
                if alias.org not in orgs and self.orgs.accepts(alias, units[index][0]):
                    orgs[alias.org] = None
        return read

    def _sentence(
        self, unit: tuple[str, bool], string: str, base: int, hits: list[tuple[int, int, int]]
    ) -> _Sentence:
        sentence = _Sentence(*unit)
        for start, words, key in hits:
            first = string.count(" ", base, start)
            hit: Hit[object] = Hit(first, first + words - 1, self._phrases.payloads(key))
            for payload in hit.payloads:
                if isinstance(payload, Trigger):
                    sentence.triggers.append((hit, payload))
                elif isinstance(payload, Cue):
                    sentence.cues.setdefault(payload.name, []).append(hit)
                elif isinstance(payload, Alias):
                    sentence.aliases.append((hit, payload))
                elif isinstance(payload, Tail):
                    sentence.tails.setdefault(payload.phrase, []).append(hit.first)
        return sentence

    def _mentions(self, sentence: _Sentence) -> list[_Mention]:
        cues = sentence.cues
        if "analyst" in cues or "market" in cues:
            return []
        senses = cues.get("wordsense", [])
        triggers = [
            (hit, trigger)
            for hit, trigger in sentence.triggers
            if not any(sense.first <= hit.first and hit.last <= sense.last for sense in senses)
            and (trigger.tail is None or _followed(hit, sentence.tails.get(trigger.tail, ())))
        ]
        if not triggers:
            return []
        if "stake" not in cues and _PERCENT.search(sentence.text):
            cues = {**cues, "stake": []}  # "takes 5 % of", "acquires 10% of": a share, not the company
        if "majority" not in cues and _MAJORITY.search(sentence.text):
            cues = {**cues, "majority": []}
        firm = {trigger.type for _, trigger in triggers if trigger.group == "firm"}
        has_amount = _MONEY_HINT.search(sentence.text) is not None
        has_name = bool(sentence.aliases) or _NAME.search(sentence.text) is not None
        typed: dict[str, tuple[Hit[object], str]] = {}
        deals: list[Hit[object]] = []
        for hit, trigger in triggers:
            kind = _kind(trigger, cues, firm, has_amount, has_name)
            if kind == "deal":
                deals.append(hit)
            elif kind is not None and kind not in typed:
                typed[kind] = (hit, trigger.group)
        if not typed and deals and has_name:
            typed["partnership"] = (deals[0], "deal")
        if not typed:
            return []
        background = not _BACKGROUND_CUES.isdisjoint(cues) or self._past_year(sentence.text)
        clauses = [match.span() for match in _RELATIVE.finditer(sentence.text)]
        spans = sentence.spans() if clauses else []
        mentions = []
        for kind, (hit, group) in typed.items():
            recalled = bool(clauses) and _inside(spans[hit.first][0], clauses)
            mentions.append(_Mention(kind, hit, group, background or recalled))
        return mentions

    def _past_year(self, text: str) -> bool:
        return any(int(year) < self._this_year - 1 for year in _PAST_YEAR.findall(text))

    def _names(self, sentence: _Sentence, language: str | None) -> list[OrgMention]:
        spans = sentence.spans()
        listed = []
        for hit, alias in sentence.aliases:
            start, end = spans[hit.first][0], spans[hit.last][1]
            if self.orgs.accepts(alias, sentence.text, start, end):
                listed.append(OrgMention(alias.org, start, end, True))
        return resolve_overlaps([*listed, *lookalikes(sentence.text, language)])

    @staticmethod
    def _amounts(text: str, language: str | None) -> list[Amount]:
        if not _MONEY_HINT.search(text):
            return []
        return list(find_amounts(text, language))


def _kind(
    trigger: Trigger, cues: dict[str, list[Hit[object]]], firm: set[str], has_amount: bool, has_name: bool
) -> str | None:
    """The event type a trigger stands for in its sentence, "deal" for a generic one, or None."""
    kind = trigger.type
    group = trigger.group
    others = bool(firm - {kind})
    if group == "deal":
        return None if firm else "deal"
    if group == "money" and (not has_amount or others):
        return None
    if group == "invest" and (not (has_amount or has_name) or not _NOT_AN_INVESTMENT.isdisjoint(cues)):
        return None
    if group == "buy":
        if "goods" in cues:
            return "partnership" if has_name and not others else None
        if not has_name or others:
            return None
    if group == "sale" and "business" not in cues:
        return None
    if kind == "acquisition" and "stake" in cues and "majority" not in cues:
        return "investment"
    return kind


def _followed(hit: Hit[object], tails: Iterable[int]) -> bool:
    return any(0 < first - hit.last <= TAIL_WINDOW for first in tails)


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _possible_types(sentence: _Sentence) -> set[str]:
    """The event types a sentence's triggers could stand for (a stake bought is an investment…)."""
    types = set()
    for _, trigger in sentence.triggers:
        types.add(trigger.type)
        if trigger.type == "acquisition":
            types.add("investment")
        if trigger.group in ("buy", "deal"):
            types.add("partnership")
    return types


def _repeated(found: Sequence[tuple[_Sentence, list[_Mention]]]) -> set[str]:
    """Event types reported (not as background) by two sentences or more."""
    counts: dict[str, int] = {}
    for _, mentions in found:
        for mention in mentions:
            if not mention.background:
                counts[mention.type] = counts.get(mention.type, 0) + 1
    return {kind for kind, count in counts.items() if count >= 2}


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
