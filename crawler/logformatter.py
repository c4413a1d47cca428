"""Scrapy's log formatter, without building the "Crawled (304)" record nobody will see.

Scrapy's engine asks the formatter for a DEBUG record on every response (its
flags, its referer read from the request's headers) and only then lets
logging drop it. newsmon runs at INFO unless asked for DEBUG: the record is
built only when the engine's logger would emit it, and reads as before then.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.logformatter import LogFormatter as ScrapyLogFormatter

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response
    from scrapy.logformatter import LogFormatterResult

# The logger Scrapy's engine logs "Crawled (…)" with.
ENGINE_LOGGER = logging.getLogger("scrapy.core.engine")


class LogFormatter(ScrapyLogFormatter):
    def crawled(self, request: Request, response: Response, spider: Spider) -> LogFormatterResult | None:  # type: ignore[override]
        if not ENGINE_LOGGER.isEnabledFor(logging.DEBUG):
            return None
        return super().crawled(request, response, spider)
