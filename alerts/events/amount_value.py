"""An amount of money as :mod:`alerts.events.amounts` finds it, and as alerts and ``show`` write it.

Apart from the grammar that finds amounts: showing stored ones (``newsmon show``, a
message) must not compile it, which costs more than such a command's whole work.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.money import USD_PER_UNIT


@dataclass(frozen=True)
class Amount:
    value: float  # as stated, in units of `currency` (10 milliards de dollars -> 1e10)
    currency: str  # ISO 4217
    usd: float  # normalised with the dated rate table (db.money)
    text: str  # the phrase as written in the text
    start: int  # character offsets in the text given
    end: int
    lower_bound: bool = False  # vague amounts ("des milliards", "more than $1bn")
    upper: float | None = None  # ranges: value..upper (in `currency`)


def format_amount(amount: Amount) -> str:
    """ "$10B (10 milliards de dollars)", "$450M", "≥ $1B (des milliards)": USD first, then as written."""
    vague = amount.lower_bound and not any(c.isdigit() for c in amount.text)
    shown = _short_usd(amount.usd, floor=vague)
    if amount.upper is not None:
        shown = f"{shown}–{_short_usd(amount.upper * USD_PER_UNIT[amount.currency])}"
    if amount.lower_bound:
        shown = f"≥ {shown}"
    if amount.currency == "USD" and "$" in amount.text:
        return shown
    return f"{shown} ({amount.text})"


_SHORT = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def _short_usd(usd: float, *, floor: bool = False) -> str:
    """$1.17B; with ``floor``, one significant digit rounded down ($1B), for vague lower bounds."""
    size, suffix = next(((size, suffix) for size, suffix in _SHORT if usd >= size * 0.9995), (1.0, ""))
    number = usd / size
    if floor and number >= 1:
        magnitude = 10 ** (len(str(int(number))) - 1)
        number = number // magnitude * magnitude
    return f"${float(f'{number:.3g}'):g}{suffix}"
