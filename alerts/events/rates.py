"""A dated table of exchange rates: what one unit of a currency was worth in US dollars.

Amounts are compared in USD (``amount>=1B``), so every currency the amount grammar
knows needs a rate here. The table is kept in the repository, never fetched: update
the rates and ``RATES_AS_OF`` together, from one day's reference rates.
"""

from __future__ import annotations

from datetime import date

# Approximate mid-market rates of that day, rounded to three or four significant digits:
# precise enough to rank and threshold deal sizes, not to settle a payment.
RATES_AS_OF = date(2025, 6, 30)

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


def to_usd(value: float, currency: str) -> float:
    """``value`` units of ``currency`` in US dollars; KeyError for a currency without a rate."""
    return value * USD_PER_UNIT[currency]
