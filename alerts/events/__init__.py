"""What an article reports: organisations, events (investment, acquisition, partnership) and amounts.

- :mod:`alerts.events.orgs` — the organisations of the shipped list and the
  config's ``orgs:``, by any alias, plus names that merely look like one.
- :mod:`alerts.events.detect` — sentence by sentence, event triggers from
  multilingual lexicons (``alerts/events/lexicon/``), their actors and
  amounts, and whether each mention is the article's news.
- :mod:`alerts.events.amounts` — amounts of money in four languages, in USD.

Pure functions over text: data files are read once, nothing is downloaded,
no I/O at match time.
"""
