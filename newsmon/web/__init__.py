"""The web interface and JSON API (`newsmon serve`): FastAPI, Jinja2 pages, htmx vendored.

Imported only by `newsmon serve` and the tests, so other verbs never load FastAPI or uvicorn.
"""
