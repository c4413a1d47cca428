"""The crawler: a Scrapy project that fetches feeds and article pages and stores articles.

Sources are data (``crawler.context.CrawlSource``); one generic feed spider
serves them all. ``crawler.runner.CrawlService`` runs crawls on one
long-lived Scrapy runner inside the process's asyncio event loop.
"""
