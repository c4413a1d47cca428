"""The words of the amount grammar (:mod:`alerts.events.amounts`): currencies and scales in en/fr/de/es.

Each phrase carries the language family it gives away, so that a match can tell which
thousand separator and which "billion" its writer used: ``"en"``, ``"eu"`` (French,
German or Spanish) or ``""`` when it could be either.
"""

from __future__ import annotations

# Written before or after the number, glued or with one space: "$10bn", "10 Md€", "CHF 200 Mio.".
SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "U.S.$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "HK$": "HKD",
    "S$": "SGD",
    "NZ$": "NZD",
    "R$": "BRL",
    "MX$": "MXN",
    "NT$": "TWD",
    "CN¥": "CNY",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    # Yen in English, French, German and Spanish business copy; the yuan is written "yuan" or "CN¥".
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "Rs.": "INR",
    "Rs": "INR",
    "RMB": "CNY",
    "Fr.": "CHF",
}

# ISO 4217 codes, upper case only: "EUR 1.5bn", "200 Mio. CHF".
CODES = (
    *("USD", "EUR", "GBP", "JPY", "CNY", "CHF", "CAD", "HKD", "AUD", "NZD", "INR", "KRW"),
    *("SEK", "NOK", "DKK", "BRL", "MXN", "SGD", "TWD", "ZAR", "SAR", "AED", "PLN"),
)

# Currency names after the number ("10 milliards de dollars", "10 Mrd. US-Dollar"), any case.
WORDS: dict[str, tuple[str, str]] = {
    # USD
    "us dollars": ("USD", "en"),
    "u.s. dollars": ("USD", "en"),
    "american dollars": ("USD", "en"),
    "dollars": ("USD", ""),
    "dollar": ("USD", ""),
    "dollars américains": ("USD", "eu"),
    "dollars us": ("USD", "eu"),
    "us-dollar": ("USD", "eu"),
    "us-dollars": ("USD", "eu"),
    "dólares estadounidenses": ("USD", "eu"),
    "dólares": ("USD", "eu"),
    "dólar": ("USD", "eu"),
    # EUR
    "euros": ("EUR", ""),
    "euro": ("EUR", ""),
    # GBP
    "pounds sterling": ("GBP", "en"),
    "pounds": ("GBP", "en"),
    "pound": ("GBP", "en"),
    "sterling": ("GBP", "en"),
    "livres sterling": ("GBP", "eu"),
    "livres": ("GBP", "eu"),
    "pfund sterling": ("GBP", "eu"),
    "pfund": ("GBP", "eu"),
    "libras esterlinas": ("GBP", "eu"),
    "libras": ("GBP", "eu"),
    # JPY, CNY
    "japanese yen": ("JPY", "en"),
    "yen": ("JPY", ""),
    "yens": ("JPY", "eu"),
    "yenes": ("JPY", "eu"),
    "yuan": ("CNY", ""),
    "yuans": ("CNY", "eu"),
    "yuanes": ("CNY", "eu"),
    "renminbi": ("CNY", ""),
    # CHF
    "swiss francs": ("CHF", "en"),
    "francs suisses": ("CHF", "eu"),
    "schweizer franken": ("CHF", "eu"),
    "franken": ("CHF", "eu"),
    "francos suizos": ("CHF", "eu"),
    # Other dollars
    "canadian dollars": ("CAD", "en"),
    "dollars canadiens": ("CAD", "eu"),
    "kanadische dollar": ("CAD", "eu"),
    "kanadischen dollar": ("CAD", "eu"),
    "dólares canadienses": ("CAD", "eu"),
    "australian dollars": ("AUD", "en"),
    "dollars australiens": ("AUD", "eu"),
    "australische dollar": ("AUD", "eu"),
    "australischen dollar": ("AUD", "eu"),
    "dólares australianos": ("AUD", "eu"),
    "hong kong dollars": ("HKD", "en"),
    "dollars de hong kong": ("HKD", "eu"),
    "hongkong-dollar": ("HKD", "eu"),
    "dólares de hong kong": ("HKD", "eu"),
    "singapore dollars": ("SGD", "en"),
    "dollars de singapour": ("SGD", "eu"),
    "singapur-dollar": ("SGD", "eu"),
    "dólares de singapur": ("SGD", "eu"),
    "new zealand dollars": ("NZD", "en"),
    # INR, KRW
    "indian rupees": ("INR", "en"),
    "rupees": ("INR", "en"),
    "roupies": ("INR", "eu"),
    "rupien": ("INR", "eu"),
    "rupias": ("INR", "eu"),
    "korean won": ("KRW", "en"),
    "won": ("KRW", ""),
    "wons": ("KRW", "eu"),
    # Nordic crowns
    "swedish kronor": ("SEK", "en"),
    "swedish crowns": ("SEK", "en"),
    "kronor": ("SEK", ""),
    "couronnes suédoises": ("SEK", "eu"),
    "schwedische kronen": ("SEK", "eu"),
    "schwedischen kronen": ("SEK", "eu"),
    "coronas suecas": ("SEK", "eu"),
    "norwegian kroner": ("NOK", "en"),
    "norwegian crowns": ("NOK", "en"),
    "couronnes norvégiennes": ("NOK", "eu"),
    "norwegische kronen": ("NOK", "eu"),
    "norwegischen kronen": ("NOK", "eu"),
    "coronas noruegas": ("NOK", "eu"),
    "danish kroner": ("DKK", "en"),
    "danish crowns": ("DKK", "en"),
    "couronnes danoises": ("DKK", "eu"),
    "dänische kronen": ("DKK", "eu"),
    "dänischen kronen": ("DKK", "eu"),
    "coronas danesas": ("DKK", "eu"),
    # BRL, MXN
    "brazilian reais": ("BRL", "en"),
    "reais": ("BRL", ""),
    "réaux brésiliens": ("BRL", "eu"),
    "reales brasileños": ("BRL", "eu"),
    "mexican pesos": ("MXN", "en"),
    "pesos mexicains": ("MXN", "eu"),
    "mexikanische pesos": ("MXN", "eu"),
    "pesos mexicanos": ("MXN", "eu"),
}

# Scale words, any case: multiplier and language family. "billion" is not here: it is 10^9
# in English and 10^12 in French and German ("Billion", like Spanish "billón").
SCALES: dict[str, tuple[float, str]] = {
    "thousand": (1e3, "en"),
    "million": (1e6, ""),
    "millions": (1e6, ""),
    "mn": (1e6, "en"),
    "mln": (1e6, "en"),
    "bn": (1e9, "en"),
    "bln": (1e9, "en"),
    "trillion": (1e12, "en"),
    "trillions": (1e12, "en"),
    "tn": (1e12, "en"),
    "trn": (1e12, "en"),
    "crore": (1e7, "en"),
    "crores": (1e7, "en"),
    "lakh": (1e5, "en"),
    "lakhs": (1e5, "en"),
    "mille": (1e3, "eu"),
    "milliard": (1e9, "eu"),
    "milliards": (1e9, "eu"),
    "md": (1e9, "eu"),
    "mds": (1e9, "eu"),
    "mrd": (1e9, "eu"),
    "mrd.": (1e9, "eu"),
    "mrds": (1e9, "eu"),
    "tausend": (1e3, "eu"),
    "tsd.": (1e3, "eu"),
    "mio": (1e6, "eu"),
    "mio.": (1e6, "eu"),
    "mill.": (1e6, "eu"),
    "millionen": (1e6, "eu"),
    "milliarde": (1e9, "eu"),
    "milliarden": (1e9, "eu"),
    "billionen": (1e12, "eu"),
    "mil": (1e3, "eu"),
    "millón": (1e6, "eu"),
    "millon": (1e6, "eu"),
    "millones": (1e6, "eu"),
    "mil millones": (1e9, "eu"),
    "millardo": (1e9, "eu"),
    "millardos": (1e9, "eu"),
    "billón": (1e12, "eu"),
    "billones": (1e12, "eu"),
}
BILLION = ("billion", "billions")

# Glued to the digits and case-sensitive: "$10B", "£300m", "$5k", "1,5 M€".
LETTER_SCALES: dict[str, float] = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "b": 1e9, "B": 1e9, "T": 1e12}

# Numbers written as words before a scale word: "half a billion dollars", "deux milliards d'euros".
NUMBER_WORDS: dict[str, float] = {
    "half a": 0.5,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
    "a hundred": 100,
    "un demi-": 0.5,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "vingt": 20,
    "cent": 100,
    "eine halbe": 0.5,
    "ein": 1,
    "eine": 1,
    "einer": 1,
    "einen": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "zwölf": 12,
    "zwanzig": 20,
    "hundert": 100,
    "medio": 0.5,
    "el": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "veinte": 20,
    "cien": 100,
}

# "more than $1bn": the amount is a lower bound.
AT_LEAST = (
    "more than|over|at least|upwards of|north of|in excess of|above|"
    "plus de|plus d'|plus d’|au moins|au-delà de|"
    "mehr als|mindestens|"
    "más de|al menos|por encima de|superior a|supera|"
    "exceeds|exceeding|dépasse les|dépasse|übersteigt"
)

# "between €5 and 7 billion": the word before the first number of a range.
BETWEEN = ("between", "from", "entre", "zwischen", "von")

# Deal nouns after a number with a scale that make it money although no currency is written.
MONEY_NOUNS = (
    "deal|takeover|bid|offer|acquisition|purchase|investment|round|funding|contract|order|"
    "merger|loan|package|valuation|fund|financing|buyout|stake"
)
# "por 1.400 millones", "pour 2 milliards", "für 10 Milliarden", "for 2 billion": a price...
PRICE_PREPOSITIONS = "for|por|pour|für|de|à hauteur de|valued at|worth|valorada en|valorisée à"
# ...when what follows is not the thing counted ("pour 2 millions de visiteurs", "for 3 million years").
FUNCTION_WORDS = (
    "to|from|in|at|a|al|à|au|an|von|bis|en|y|et|and|und|with|avec|con|mit|par|by|dans|im|for|pour|para|für"
)

# "$57 a share": a price per share, not an amount of the deal.
PER_SHARE = (
    "a share|per share|each share|a piece|par action|l'action|l’action|je aktie|pro aktie|"
    "por acción|por título|la acción"
)

DEFAULT_CURRENCY = {"en": "USD", "fr": "EUR", "de": "EUR", "es": "EUR"}
