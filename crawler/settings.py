"""Scrapy settings for newsmon's crawler (``scrapy.cfg``: ``default = crawler.settings``).

newsmon's configuration overrides these per crawl (``CrawlContext.settings``).
"""

from __future__ import annotations

from crawler import policy as _policy

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Honest and reachable: sites that mind can find who we are and block us in robots.txt.
USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0
# A graceful stop lasts about the slowest in-flight request: keep it short (Scrapy's default is 180 s).
DOWNLOAD_TIMEOUT = 20
# The address policy and download limits (crawler.policy): only http(s), no private addresses
# in discovered links, capped bodies and redirects, Retry-After honoured.
DOWNLOAD_HANDLERS = _policy.SETTINGS["DOWNLOAD_HANDLERS"]
DOWNLOAD_MAXSIZE = _policy.SETTINGS["DOWNLOAD_MAXSIZE"]
DOWNLOAD_WARNSIZE = _policy.SETTINGS["DOWNLOAD_WARNSIZE"]
REDIRECT_MAX_TIMES = _policy.SETTINGS["REDIRECT_MAX_TIMES"]
TWISTED_DNS_RESOLVER = _policy.SETTINGS["TWISTED_DNS_RESOLVER"]
NEWSMON_RETRY_AFTER_MAX = _policy.SETTINGS["NEWSMON_RETRY_AFTER_MAX"]

# Callbacks yield one item or a feed's requests, and the pipelines are synchronous: Scrapy's
# default of 100 parallel item workers only costs 100 asyncio tasks per callback.
CONCURRENT_ITEMS = 8
# Scrapy re-reads and parses a generator callback's source file to warn about `return value` once
# per response (its cache is keyed by the bound method, new with every request): ~0.9 ms of CPU
# each, a third of a 304's cost, and an OSError per response once the file changed under a running
# daemon (an upgrade in place).
WARN_ON_GENERATOR_RETURN_VALUE = False

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# The HTTP cache would hide new feed entries (RFC2616Policy) and turn 304s into cached 200s:
# validators are kept per source in the database instead.
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote-control extension writes token files under the home directory.
REMOTE_CONTROL_ENABLED = False

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
# A daemon crawls each source every few minutes: CrawlService logs one line per source instead.
STATS_DUMP = False
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    **_policy.SETTINGS["DOWNLOADER_MIDDLEWARES"],
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.pipelines.MetadataPipeline": 200,
    "crawler.pipelines.CanonicalUrlPipeline": 300,
    "crawler.pipelines.LanguagePipeline": 400,
    "crawler.pipelines.LeadPipeline": 500,
    "crawler.pipelines.AssessPipeline": 800,
    "crawler.pipelines.StorePipeline": 900,
}
EXTENSIONS = {
    "crawler.extensions.FetchRecorder": 100,
}

# Builds the CrawlContext when the spider is run by `scrapy crawl feed` (a function of the Settings).
NEWSMON_CONTEXT_FACTORY = "newsmon.wiring:crawl_context_from_environment"
