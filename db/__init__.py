"""Storage: models, sessions, migrations, search. The leaf package: imports nothing of newsmon.

Also the few small values every other package shares, being the one package
they all import: text folding (``textfold``), durations (``durations``),
``Retry-After`` (``retry_after``), and the typed options the config and the
plug-ins' options models are built from (``options``), and the secrets
nothing may show (``redact``).
"""
