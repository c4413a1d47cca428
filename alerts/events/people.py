"""People, who are not organisations: "Warren Buffett", "Mr Dimon", "chief executive Jensen Huang".

A capitalised name is a person's when a title or a role stands just before it ("Mr",
"billionaire", "chief executive", "founded by", "Vorstandschef", "fondateur", "consejero
delegado"), when a role follows it (", chief executive of", ", who founded"), or when it has two
or three words, the first a given name (``data/given_names.txt``, made by
``data/make_given_names.py``) and the last no company word ("Ford Motor", "Charles River
Laboratories"), with no "&" or "of" joining them ("Johnson & Johnson", "Bank of America").
Companies named after a person ("Morgan Stanley") count when listed: the shipped list and the
config's ``orgs:`` come before names that only look like an organisation.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from db.textfold import WORD_RE, fold

DATA = Path(__file__).resolve().parent / "data" / "given_names.txt"

# Folded, as they stand before a person's name.
_TITLES = """
    mr mrs ms dr sir dame lord lady m mme mlle herr frau sr sra srta don dona
    ceo cfo coo cto executive chairman chairwoman chair president founder cofounder billionaire
    boss head director minister secretary senator governor chancellor spokesman spokeswoman
    spokesperson economist pdg patron patronne fondateur fondatrice directeur directrice
    presidente milliardaire dirigeant dirigeante chef vorstandschef konzernchef firmenchef
    grunder grunderin milliardar vorstandsvorsitzende vorstandsvorsitzender aufsichtsratschef
    fundador fundadora consejero consejera delegado delegada multimillonario
"""
# Phrases of several words, folded, hyphens as spaces.
_TITLE_PHRASES = frozenset(
    {
        ("chief", "executive"),
        ("co", "founder"),
        ("managing", "director"),
        ("founded", "by"),
        ("co", "founded", "by"),
        ("chaired", "by"),
        ("fondee", "par"),
        ("fonde", "par"),
        ("gegrundet", "von"),
        ("fundada", "por"),
        ("fundado", "por"),
    }
)
_TITLE_WORDS = frozenset(_TITLES.split())
# After a person's name: ", chief executive of", ", the company's founder", ", who".
_ROLE_AFTER = re.compile(
    r"\s*,\s*(?:the\s+|its\s+|a\s+|le\s+|la\s+|der\s+|die\s+|el\s+)?(?:\w+(?:'s|’s)\s+)?"
    r"(?:chief|ceo|cfo|founder|co-founder|cofounder|chairman|chairwoman|chair|president|head|boss|"
    r"director|managing|owner|billionaire|who|pdg|fondateur|fondatrice|directeur|directrice|"
    r"presidente?|patron|chef|grunder|vorstandschef|fundador|fundadora|consejero|quien)\b"
)
# Last words that make a name a company's, however personal its first word.
_COMPANY_WORDS_TEXT = """
    motor motors laboratories labs lab bank group capital partners ventures energy airlines
    airways holdings holding foods brands industries systems technologies technology
    pharmaceuticals pharma therapeutics robotics media entertainment financial insurance health
    healthcare resources steel oil gas power electric communications networks software
    semiconductor semiconductors aerospace logistics retail stores goods music studios pictures
    records petroleum chemical chemicals mining metals solutions services international global
    worldwide corp inc co company ltd plc llc sa ag se nv ab gmbh trust fund foundation
    institute university college hospital associates management investments securities
"""
_COMPANY_WORDS = frozenset(_COMPANY_WORDS_TEXT.split())
_LINKS = frozenset({"&", "of", "de", "du", "des", "del", "and", "et", "und", "y"})


@cache
def given_names() -> frozenset[str]:
    return frozenset(DATA.read_text("utf-8").split())


def is_person(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]``, a capitalised name, is a person's rather than an organisation's."""
    before = fold(text[max(0, start - 30) : start]).replace("-", " ").split()
    if before and not before[-1][-1:].isalnum() and before[-1][-1:] not in ".,":
        before = []  # a bracket or a quote ends what could title the name
    before = [word.rstrip(".,") for word in before[-3:]]
    if before and (
        before[-1] in _TITLE_WORDS or tuple(before[-2:]) in _TITLE_PHRASES or tuple(before) in _TITLE_PHRASES
    ):
        return True
    if _ROLE_AFTER.match(fold(text[end : end + 60])):
        return True
    raw = text[start:end].split()
    if not 2 <= len(raw) <= 3 or any(fold(word) in _LINKS for word in raw):
        return False
    words = WORD_RE.findall(fold(text[start:end]))
    given = given_names()
    return len(words) == len(raw) and words[0] in given and words[-1] not in _COMPANY_WORDS
