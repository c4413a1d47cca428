"""The end of one crawl inside a long-lived crawler: what was learnt about hosts for that crawl is forgotten.

A Scrapy crawler is one crawl for `newsmon crawl` and the daemon, and the
policy keeps what it learns about hosts for as long as its crawler lives:
hosts that did not resolve or kept timing out, hosts given up on after a
long ``Retry-After``, robots.txt read. The crawler role's spider on the
Redis queue (crawler/jobspider.py) is one crawler for every job, so it sends
``crawl_ended`` as each source's crawl ends, and the components keeping such
knowledge connect to it and forget what is done (a download still awaited
stays). Their longer-lived caches (robots.txt, crawler.robotscache) are
not touched.
"""

from __future__ import annotations

crawl_ended = object()  # a Scrapy signal, without arguments
