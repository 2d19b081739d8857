"""The citation step of a crawl: every paper's references from Semantic Scholar, in a
background thread.

It needs only the papers' arXiv ids, so it runs alongside the arXiv metadata fetch: whenever
the page crawl is idle and the store holds papers without a citation status, one thread asks
the API for them (crawler/semantic_scholar.py), and the crawl stays open until every paper
has its status. The first round of a crawl also asks again for papers that failed before.
``-a citations=0`` switches the step off; ``-a max_references=N`` keeps at most N references
a paper.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from twisted.internet import threads

from graph.store import Store, store_path

logger = logging.getLogger(__name__)


class CitationFetch:
    def __init__(self, crawler):
        self.crawler = crawler
        self.path = store_path(crawler.settings.get("DATA_DIR", "data"))
        self.client = None
        self.session = None              # set by the WARC extension to record/replay
        self.enabled = True
        self.max_references: int | None = None
        self.running = False
        self.retry_failed = True         # the first round only
        self.counts: dict[str, int] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider=None):
        options = getattr(spider, "options", None)
        if options is not None:
            self.enabled = options.citations
            self.max_references = options.max_references

    def spider_closed(self, spider=None):
        if self.client is not None:
            self.client.close()

    def _get_client(self):
        if self.client is None:
            from .semantic_scholar import SemanticScholarClient

            self.client = SemanticScholarClient.from_settings(self.crawler.settings,
                                                              session=self.session)
        return self.client

    def spider_idle(self, spider=None):
        if self.enabled and not self.running:
            store = Store(self.path)
            try:
                pending = store.citations_to_fetch(retry_failed=self.retry_failed)
            finally:
                store.close()
            if pending:
                self.running = True
                self.retry_failed = False
                d = threads.deferToThread(self._fetch, pending)
                d.addErrback(lambda f: logger.error("citation step failed: %s", f.value))
                d.addBoth(self._done)
        if self.running:
            raise DontCloseSpider

    def _fetch(self, arxiv_ids: list[str]):
        from .semantic_scholar import fetch_citations

        store = Store(self.path)
        try:
            counts = fetch_citations(store, self._get_client(), arxiv_ids,
                                     self.max_references)
        finally:
            store.close()
        for name, n in counts.items():
            self.counts[name] = self.counts.get(name, 0) + n
        logger.info("Citations: %(ok)d papers ok, %(not_found)d unknown to Semantic "
                    "Scholar, %(failed)d failed; %(citations)d references in %(requests)d "
                    "requests", counts)
        return counts

    def _done(self, result):
        self.running = False
        # As for the arXiv step: let the engine see at once that the crawl may close.
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()
        return None
