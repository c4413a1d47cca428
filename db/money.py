"""Money in US dollars: the one rate table that stored amounts and ``amount>=`` queries share.

Rates are a dated snapshot kept in the repository, never fetched: an amount
is compared by its order of magnitude, and a rate that is months old moves a
billion by a few per cent at most. Every currency the amount grammar
(``alerts.events.amounts``) knows needs a rate here; update the rates and
``RATES_AS_OF`` together, from one day's reference rates.
"""

from __future__ import annotations

from datetime import date

# Approximate mid-market rates of that day, rounded to three or four significant digits:
# precise enough to rank and threshold deal sizes, not to settle a payment.
RATES_AS_OF = date(2025, 6, 30)

# US dollars for one unit of each currency (ISO 4217).
USD_PER_UNIT: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1.172,
    "GBP": 1.371,
    "JPY": 0.00693,
    "CNY": 0.1396,
    "CHF": 1.256,
    "CAD": 0.7335,
    "HKD": 0.1274,
    "AUD": 0.6557,
    "NZD": 0.6083,
    "INR": 0.01168,
    "KRW": 0.000739,
    "SEK": 0.1051,
    "NOK": 0.0991,
    "DKK": 0.1571,
    "BRL": 0.1833,
    "MXN": 0.0533,
    "SGD": 0.7853,
    "TWD": 0.0343,
    "ZAR": 0.0563,
    "SAR": 0.2666,
    "AED": 0.2723,
    "PLN": 0.2764,
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
