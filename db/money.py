"""Money in US dollars: the one rate table that stored amounts and ``amount>=`` queries share.

Rates are a dated snapshot kept in the repository, never fetched: an amount
is compared by its order of magnitude, and a rate that is months old moves a
billion by a few per cent at most. ``RATES_AS_OF`` says when they were taken.
"""

from __future__ import annotations

from datetime import date

RATES_AS_OF = date(2025, 11, 28)

# US dollars for one unit of each currency (ISO 4217).
USD_PER_UNIT: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1.16,
    "GBP": 1.32,
    "JPY": 0.0064,
    "CNY": 0.141,
    "CHF": 1.24,
    "CAD": 0.715,
    "HKD": 0.1285,
    "AUD": 0.654,
    "INR": 0.0112,
}


class UnknownCurrencyError(ValueError):
    def __init__(self, currency: str) -> None:
        known = ", ".join(sorted(USD_PER_UNIT))
        super().__init__(f"unknown currency {currency!r}; known: {known}")
        self.currency = currency


def to_usd(value: float, currency: str) -> float:
    """``value`` units of ``currency`` in US dollars; :class:`UnknownCurrencyError` if it has no rate."""
    rate = USD_PER_UNIT.get(currency.upper())
    if rate is None:
        raise UnknownCurrencyError(currency)
    return value * rate
