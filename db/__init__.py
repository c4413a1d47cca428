"""Storage: models, sessions, migrations, search. The leaf package: imports nothing of newsmon."""
