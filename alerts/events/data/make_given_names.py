"""Write ``given_names.txt``: first names, to tell a person ("Warren Buffett") from a company.

Run by hand when the sources change (``python alerts/events/data/make_given_names.py``); the
list is shipped, so nothing is read from a package at run time. Source, pinned in
pyproject.toml's dev extras: the ``names`` package's copy of the 1990 US Census first names
(public domain; ``dist.male.first``, ``dist.female.first``), every name at least ``MIN_SHARE``
percent of people carry. The census is American: ``INTERNATIONAL`` adds the French, German,
Spanish, Italian and other first names business news names most. Names that are also an
ordinary capitalised word or a month (``NOT_GIVEN``) are left out: "Will Apple buy…", "May".
One name a line, folded like rule terms (:func:`db.textfold.word_string`).
"""

from __future__ import annotations

from pathlib import Path

import names

from db.textfold import word_string

OUT = Path(__file__).resolve().parent / "given_names.txt"
CENSUS = Path(names.__file__).resolve().parent
MIN_SHARE = 0.005  # percent of the population

INTERNATIONAL = """
    elon jensen satya sundar masayoshi mukesh gautam ratan nandan azim shiv sergey andrey alexei
    vladimir oleg mikhail xavier bernard francois francoise thierry arnaud vincent emmanuel pascal
    olivier benoit christel stephane sebastien jerome laurent gilles yves herve jean pierre
    jacques alain didier fabrice nicolas guillaume mathieu antoine etienne helene veronique
    sylvie nathalie isabelle agnes ursula wolfgang armin ola oliver olaf joachim jurgen juergen
    klaus friedrich markus matthias ralf rolf uwe dieter gerhard horst manfred gunther gunter
    heinz hans stefan christian christoph torsten thorsten frank florian sebastian tobias
    kai jorg joerg andreas bernd detlef volker herbert hubertus reinhold carsten belen
    pedro pablo josu amancio florentino ignacio inigo javier sergio alvaro gonzalo jaime
    mercedes ana pilar carmen ainhoa begona nuria montserrat rafael fernando alfonso cesar
    giorgia giorgio giuseppe giovanni luca matteo marco alessandro andrea paolo francesco
    lorenzo roberto stefano claudio carlo silvio mario enrico vittorio sergio gianni
    xi li wei jun jack pony lei changpeng zhang mustafa demis dario ilya mira reid vinod
    masa akio tadashi hiroshi takeshi koji kazuo yoshihiro masahiro lars mats anders jens
    henrik magnus niklas nils sven bjorn jan pieter maarten wouter bram kees ruud joost
    mohammed mohamed muhammad ahmed khalid abdullah sultan tamim yasir
"""

# First names that are also ordinary capitalised words or months, in headlines and names.
NOT_GIVEN_TEXT = """
    will may june april august march sky summer autumn winter hope joy faith grace dawn
    rose page chase grant bill art guy mark sterling royal young king major rich
    china india georgia virginia carolina dakota austin dallas houston phoenix jordan
    america paris london berlin florence lourdes victoria sydney orlando
    general
"""
NOT_GIVEN = frozenset(NOT_GIVEN_TEXT.split())


def census(path: Path) -> set[str]:
    found = set()
    for line in path.read_text("utf-8").splitlines():
        name, share, *_ = line.split()
        if float(share) >= MIN_SHARE:
            found.add(word_string(name).strip())
    return found


def main() -> None:
    given = census(CENSUS / "dist.male.first") | census(CENSUS / "dist.female.first")
    given |= {word_string(name).strip() for name in INTERNATIONAL.split()}
    OUT.write_text("".join(f"{name}\n" for name in sorted(given - NOT_GIVEN - {""})), "utf-8")


if __name__ == "__main__":
    main()
