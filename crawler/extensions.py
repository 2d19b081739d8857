"""Crawl-wide extensions: arXiv metadata in a background thread, and the closing summary
(which also writes the graph)."""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from twisted.internet import threads

from graph.store import Store, store_path
from graph.text import keywords, summarize

from .items import PaperRefItem
from .outcomes import is_dns_reason

logger = logging.getLogger(__name__)


def arxiv_documents(store: Store) -> int:
    """Give every listed arXiv link the outcome and text of its paper.

    A reading-list line that links a paper (``https://arxiv.org/pdf/1710.07035.pdf``) is a
    document like any other: it is ``ok`` with the paper's title and abstract once the
    metadata arrived, ``not_found`` when arXiv does not know the id, ``error`` when the
    API failed (``dns_error`` when its host name did not resolve). Returns how many
    documents were updated.
    """
    rows = store.conn.execute(
        "SELECT r.doc_url, p.* FROM paper_refs r JOIN papers p ON p.arxiv_id = r.arxiv_id"
        " WHERE r.how = 'seed'").fetchall()
    for row in rows:
        status = row["status"]
        doc = {"url": row["doc_url"], "kind": "arxiv"}
        if status == "ok":
            doc.update(outcome="ok", reason=None, final_url=row["abs_url"] or row["doc_url"],
                       title=row["title"], authors=row["authors"], published=row["published"],
                       lang="en", text=row["abstract"], summary=row["summary"],
                       keywords=row["keywords"], fetched_via="arxiv-api")
        elif status == "not_found":
            doc.update(outcome="not_found", reason=f"arXiv has no paper {row['arxiv_id']}")
        elif status == "failed":
            # No answer because the API's name did not resolve: as dead as any other link
            # whose host does not resolve (and retried, as failures are, on the next run).
            outcome = "dns_error" if is_dns_reason(row["error"]) else "error"
            doc.update(outcome=outcome, reason=f"arXiv API: {row['error']}")
        else:
            continue
        store.upsert_document(doc)
    return len(rows)


class ArxivMetadata:
    """Fetches arXiv metadata for the papers the crawl finds, off the reactor thread.

    Papers are fetched when the page crawl is idle, in batches of up to 100 ids sorted by
    id: N papers cost ceil(N/100) requests, and the same crawl asks the same questions, so
    a WARC replay finds every answer. The crawl stays open until every paper has its
    metadata or its failure recorded.
    """

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.path = store_path(settings.get("DATA_DIR", "data"))
        self.fetcher = None
        self.session = None              # set by the WARC extensions to record/replay
        self.running = False
        self.waiting: set[str] = set()   # ids referenced since the last fetch started
        self.known: set[str] = set()
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # The first fetch of a crawl retries papers that failed in an earlier one.
        self.statuses = ("pending", "failed")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _get_fetcher(self):
        if self.fetcher is None:
            from .arxiv_fetch import ArxivFetcher

            self.fetcher = ArxivFetcher.from_settings(self.crawler.settings,
                                                      session=self.session)
        return self.fetcher

    def spider_closed(self, spider=None):
        if self.fetcher is not None:
            self.fetcher.close()

    def item_scraped(self, item, response=None, spider=None):
        if isinstance(item, PaperRefItem) and item["arxiv_id"] not in self.known:
            self.known.add(item["arxiv_id"])
            self.waiting.add(item["arxiv_id"])

    def spider_idle(self, spider=None):
        if self.waiting:
            self._start()
        if self.running:
            raise DontCloseSpider

    def _start(self):
        if self.running or not self.waiting:
            return
        self.running = True
        self.waiting.clear()
        d = threads.deferToThread(self._fetch)
        d.addErrback(lambda f: logger.error("arXiv metadata step failed: %s", f.value))
        d.addBoth(self._done)

    def _fetch(self):
        from .arxiv_fetch import fetch_pending_papers

        store = Store(self.path)
        try:
            statuses, self.statuses = self.statuses, ("pending",)
            counts = fetch_pending_papers(store, self._get_fetcher(), summarize=summarize,
                                          keywords=keywords, statuses=statuses)
            arxiv_documents(store)
            return counts
        finally:
            store.close()

    def _done(self, result):
        self.running = False
        # Let the engine see at once that the crawl may close, not at its next heartbeat
        # (5 s later: most of an offline first run). Private in Scrapy 2.19, hence getattr:
        # without it the heartbeat still closes the crawl.
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()
        return None


class CrawlSummary:
    """Records the crawl, writes the graph and prints one summary when the crawl ends."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.data_dir = crawler.settings.get("DATA_DIR", "data")
        self.write_graph = crawler.settings.getbool("WRITE_GRAPH", True)
        self.started = time.monotonic()
        self.crawl_id = None
        # Set when the list gave nothing to crawl; `scrapy crawl` prints it and exits 1.
        self.warning: str | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        self.started = time.monotonic()
        store = Store(store_path(self.data_dir))
        try:
            self.crawl_id = store.start_crawl(str(getattr(spider, "options", None)
                                                  and spider.options.seeds))
        finally:
            store.close()

    def spider_closed(self, spider, reason):
        reading_list = getattr(spider, "reading_list", None)
        if reading_list is not None:
            name = Path(str(getattr(spider.options, "seeds", "") or "the list")).name
            self.warning = no_links_warning(reading_list, name)
        store = Store(store_path(self.data_dir))
        try:
            summary = crawl_summary(store, getattr(spider, "options", None))
            summary["finish_reason"] = reason
            summary["seconds"] = round(time.monotonic() - self.started, 1)
            graph_path = self._write_graph(store) if self.write_graph else None
            summary["graph"] = str(graph_path) if graph_path else None
            if self.crawl_id is not None:
                store.finish_crawl(self.crawl_id, summary)
        finally:
            store.close()
        print(format_summary(summary, self.data_dir), file=sys.stdout, flush=True)

    def _write_graph(self, store: Store) -> Path | None:
        try:
            from graph.build import write_default_graph

            return write_default_graph(self.data_dir)
        except Exception as exc:  # the crawl's data is safe in the store either way
            logger.error("could not write the graph: %s (run `python -m graph build`)", exc)
            return None


def no_links_warning(reading_list, name: str = "the list", shown: int = 10) -> str | None:
    """Why a list gave no link to crawl, with its rejected lines; None if it gave one.

    >>> from crawler.reading_list import parse_reading_list
    >>> print(no_links_warning(parse_reading_list("ftp://example.org/a.txt"), "list.txt"))
    Warning: list.txt has no link to crawl: its only line with a link was rejected:
      line 1: ftp://example.org/a.txt: scheme 'ftp' is not crawled (only http:// and https://)
    >>> print(no_links_warning(parse_reading_list(""), "list.txt"))
    Warning: list.txt has no links: nothing was crawled (one http:// or https:// link per line; see the README's reading-list format).
    """
    if reading_list.seeds:
        return None
    problems = list(reading_list.problems)
    if not problems:
        texts = sum(1 for h in reading_list.hints if h.kind == "hint")
        kept = f", only {texts} line(s) of text, kept as hints" if texts else ""
        return (f"Warning: {name} has no links{kept}: nothing was crawled (one http:// or"
                " https:// link per line; see the README's reading-list format).")
    if len(problems) == 1:
        head = f"Warning: {name} has no link to crawl: its only line with a link was rejected:"
    else:
        head = (f"Warning: {name} has no link to crawl: all {len(problems)} lines with links"
                " were rejected:")
    lines = [head] + [f"  line {p.line}: {p.reason}" for p in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"  ... and {len(problems) - shown} more (the store's problems table)")
    return "\n".join(lines)


def crawl_summary(store: Store, options=None) -> dict:
    """Counts for the end-of-crawl summary, read back from the store."""
    list_path = str(options.seeds) if options else None
    seeds = store.seed_outcomes(list_path)
    by_url = {s["url"]: s for s in seeds}
    outcomes = Counter((s["outcome"] or "not crawled") for s in by_url.values())
    papers = Counter(p["status"] for p in store.papers())
    pages = store.conn.execute(
        "SELECT COUNT(*) FROM documents WHERE outcome = 'ok' AND kind != 'arxiv'").fetchone()[0]
    problems = len(store.problems())
    citations = Counter(s["status"] for s in store.citation_status().values())
    references = store.counts()["citations"]
    return {"seed_lines": len(seeds), "seed_urls": len(by_url), "outcomes": dict(outcomes),
            "pages_ok": pages, "papers": dict(papers), "skipped_lines": problems,
            "citations": dict(citations), "references": references}


def format_summary(summary: dict, data_dir: str) -> str:
    outcomes = summary["outcomes"]
    ok = outcomes.get("ok", 0)
    failed = ", ".join(f"{n} {reason}" for reason, n in sorted(outcomes.items())
                       if reason != "ok") or "none"
    papers = summary["papers"]
    lines = [
        "",
        f"Crawl finished in {summary['seconds']} s ({summary['finish_reason']}).",
        f"  seeds: {summary['seed_urls']} URLs on {summary['seed_lines']} lines: "
        f"{ok} ok; failed: {failed}",
        f"  pages stored: {summary['pages_ok']}   papers: "
        + (", ".join(f"{n} {s}" for s, n in sorted(papers.items())) or "none"),
    ]
    if summary.get("citations"):
        lines.append(f"  citations: {summary['references']} references of "
                     + ", ".join(f"{n} {s}" for s, n in sorted(summary["citations"].items()))
                     + " papers (Semantic Scholar)")
    if summary["skipped_lines"]:
        lines.append(f"  reading-list lines skipped: {summary['skipped_lines']}"
                     " (see the log above)")
    lines.append(f"  store: {store_path(data_dir)}")
    if summary.get("graph"):
        lines.append(f"  graph: {summary['graph']}")
    return "\n".join(lines)
