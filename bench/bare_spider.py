"""A bare Scrapy spider: fetches every URL of a reading list and stores nothing.

The baseline of ``bench/bench_crawl.py``: what Scrapy itself costs to download the pages,
so the full ``scrapy crawl seeds`` pipeline can be given as a ratio to it. Run it outside
the project directory (no ``scrapy.cfg``), so only Scrapy's defaults apply:

    cd /tmp && scrapy runspider /path/to/bench/bare_spider.py -a urls=reading-list.txt \\
        -s CONCURRENT_REQUESTS=16 -s CONCURRENT_REQUESTS_PER_DOMAIN=16
"""

from __future__ import annotations

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls_file = urls

    async def start(self):
        with open(self.urls_file, encoding="utf-8") as f:
            for line in f:
                url = line.strip()
                # Same list as the full crawl: headings are text lines, links start http.
                if url.startswith(("http://", "https://")):
                    yield scrapy.Request(url, dont_filter=True)

    def parse(self, response):
        # Nothing is stored; the length is read so the body is really there.
        self.crawler.stats.inc_value("bench/bytes", len(response.body))
