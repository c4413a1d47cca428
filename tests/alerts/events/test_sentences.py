"""Sentence splitting around abbreviations, initials, ordinals and quotes."""

from __future__ import annotations

import pytest

from alerts.events.sentences import split


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Acme Inc. said on Monday it would buy Foo. The deal closes in May.",
            ["Acme Inc. said on Monday it would buy Foo.", "The deal closes in May."],
        ),
        (
            "Die Telekom zahlt 2 Mrd. Euro, z. B. an die S.A. Tochter. Danach folgt mehr.",
            ["Die Telekom zahlt 2 Mrd. Euro, z. B. an die S.A. Tochter.", "Danach folgt mehr."],
        ),
        (
            "Am 1. Januar übernimmt Bosch die Sparte. Das Kartellamt stimmte zu.",
            ["Am 1. Januar übernimmt Bosch die Sparte.", "Das Kartellamt stimmte zu."],
        ),
        (
            "J.P. Morgan advised. U.S. regulators approved!",
            ["J.P. Morgan advised.", "U.S. regulators approved!"],
        ),
        (
            "«C’est fait.» Le Sr. Pérez firmó. ¿Y ahora? Nadie sabe…",
            ["«C’est fait.»", "Le Sr. Pérez firmó.", "¿Y ahora?", "Nadie sabe…"],
        ),
        (
            "First paragraph without stop\nSecond paragraph.",
            ["First paragraph without stop", "Second paragraph."],
        ),
        ("Shares rose 1.5 percent. version 2.0 ships.", ["Shares rose 1.5 percent. version 2.0 ships."]),
        ("", []),
        ("  \n ", []),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert split(text) == expected
