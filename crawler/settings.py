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
DOWNLOAD_HANDLERS = {
    **_policy.SETTINGS["DOWNLOAD_HANDLERS"],
    # Scrapy's, with each host name encoded once (crawler.handlers).
    "http": "crawler.handlers.HTTP11DownloadHandler",
    "https": "crawler.handlers.HTTP11DownloadHandler",
}
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
LOG_FORMATTER = "crawler.logformatter.LogFormatter"
FEED_EXPORT_ENCODING = "utf-8"

# Every component below runs for every request or response, an unchanged (304) feed included:
# Scrapy's that newsmon has no use for are off, and the stats are cheaper ones (crawler.stats).
_DOWNLOADER = "scrapy.downloadermiddlewares"
DOWNLOADER_MIDDLEWARES = {
    **_policy.SETTINGS["DOWNLOADER_MIDDLEWARES"],
    f"{_DOWNLOADER}.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    # Spiders set no allowed_domains (the address policy decides where requests may go) and no
    # http_user/http_pass: both let every request through after a signal and a method call each.
    f"{_DOWNLOADER}.offsite.OffsiteMiddleware": None,
    f"{_DOWNLOADER}.httpauth.HttpAuthMiddleware": None,
    f"{_DOWNLOADER}.stats.DownloaderStats": None,
    "crawler.stats.DownloaderStats": 850,
    # Scrapy's only when the environment names a proxy: newsmon sets no proxy per request.
    f"{_DOWNLOADER}.httpproxy.HttpProxyMiddleware": None,
    "crawler.middlewares.HttpProxyMiddleware": 750,
    # A 304 goes to its request's errback, without the scraper's work on a response (crawler.middlewares).
    "crawler.middlewares.NotModifiedMiddleware": 800,
}
_SPIDER = "scrapy.spidermiddlewares"
SPIDER_MIDDLEWARES = {
    # Sources are one level deep by construction (a document, then its pages; sitemaps count their
    # own nesting): request depths were counted for nothing.
    f"{_SPIDER}.depth.DepthMiddleware": None,
    # A warning for spider authors who copy response.meta into new requests, which these never do.
    f"{_SPIDER}.metacopy.MetaCopyDetectionMiddleware": None,
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
    "scrapy.extensions.corestats.CoreStats": None,
    "crawler.stats.CoreStats": 0,
}
STATS_CLASS = "crawler.stats.StatsCollector"
# Scrapy's queue, which counted every host's downloads with a call per host on every request taken.
SCHEDULER_PRIORITY_QUEUE = "crawler.pqueues.DownloaderAwarePriorityQueue"
# A daemon runs crawls every few minutes: LogStats' "Crawled N pages" at each crawl's start says
# nothing that CrawlService's line per source does not, and MemoryUsage polls a limit newsmon
# never sets (its memory is measured by benchmarks.politeness).
LOGSTATS_INTERVAL = 0
MEMUSAGE_ENABLED = False

# Builds the CrawlContext when the spider is run by `scrapy crawl feed` (a function of the Settings).
NEWSMON_CONTEXT_FACTORY = "newsmon.wiring:crawl_context_from_environment"
