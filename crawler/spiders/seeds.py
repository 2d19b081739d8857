"""``scrapy crawl seeds``: crawl every link of a reading list into the store.

Arguments (``-a NAME=VALUE``):

- ``seeds``: the reading list to crawl (default: the list bundled with the project).
- ``depth``: how many hops from the list to follow (default 1). At depth 1 the links and
  arXiv citations in the listed pages' main text are followed too: pages are fetched,
  papers get their arXiv metadata (not their PDFs). 0 = only what the list names.
- ``max_pages``: at most this many pages beyond the listed ones (default 100).
- ``max_papers``: at most this many papers beyond the listed ones (default 200).
- ``format``: the list's format, ``text``, ``markdown``, ``bookmarks`` or ``bibtex``
  (default: detected from the file, see crawler/lists).
- ``restart``: 1 to fetch everything again after an interrupted crawl of the same list
  (default 0: a re-run after a kill or Ctrl-C continues where it stopped, JOBDIR or not).
- ``citations``: 1 (default) fetches every paper's references, with the citing sentences,
  from the Semantic Scholar Graph API; 0 does not.
- ``max_references``: keep at most this many references a paper (default: all).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import scrapy

from crawler import BUNDLED_READING_LIST
from crawler.archive import (availability_url, is_unreachable, list_timestamp,
                             parse_availability, served_reason)
from crawler.extract.code import github_raw_url
from crawler.items import DocumentItem, PaperRefItem, ReadingListItem
from crawler.lists import FORMATS as LIST_FORMATS
from crawler.outcomes import classify_failure, is_dead
from crawler.processing import Processor
from crawler.reading_list import canonical_url, read_reading_list
from crawler.resume import done_documents, job_state
from graph.arxiv_ids import arxiv_id_from_url
from graph.store import Store, store_path


_GITHUB_RAW = "https://raw.githubusercontent.com"


class SpiderArgumentError(ValueError):
    """An ``-a`` argument the spider cannot use; the message says which and why."""


@dataclass(frozen=True)
class CrawlOptions:
    seeds: Path
    depth: int = 1
    max_pages: int = 100
    max_papers: int = 200
    list_format: str | None = None
    restart: bool = False
    citations: bool = True
    max_references: int | None = None


def _non_negative_int(name: str, value) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SpiderArgumentError(f"-a {name}={value!r}: expected a whole number") from None
    if number < 0:
        raise SpiderArgumentError(f"-a {name}={value!r}: must be 0 or more")
    return number


def _list_format(value) -> str | None:
    if value is None or str(value).strip().lower() in ("", "auto"):
        return None
    name = str(value).strip().lower()
    if name not in LIST_FORMATS:
        raise SpiderArgumentError(f"-a format={value!r}: choose one of "
                                  f"{', '.join(LIST_FORMATS)} (or leave it out to detect it)")
    return name


def _flag(name: str, value) -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SpiderArgumentError(f"-a {name}={value!r}: expected 1 or 0")


def crawl_options(seeds=None, depth=1, max_pages=100, max_papers=200, list_format=None,
                  restart=0, citations=1, max_references=None) -> CrawlOptions:
    """Validate the spider's ``-a`` arguments.

    >>> crawl_options(depth="0").depth
    0
    >>> crawl_options(list_format="BibTeX").list_format
    'bibtex'
    >>> o = crawl_options(citations="0", max_references="50"); (o.citations, o.max_references)
    (False, 50)
    """
    return CrawlOptions(
        seeds=Path(seeds) if seeds else BUNDLED_READING_LIST,
        depth=_non_negative_int("depth", depth),
        max_pages=_non_negative_int("max_pages", max_pages),
        max_papers=_non_negative_int("max_papers", max_papers),
        list_format=_list_format(list_format),
        restart=_flag("restart", restart),
        citations=_flag("citations", citations),
        max_references=(None if max_references is None or str(max_references).strip() == ""
                        else _non_negative_int("max_references", max_references)),
    )


class SeedsSpider(scrapy.Spider):
    name = "seeds"

    def __init__(self, seeds=None, depth=1, max_pages=100, max_papers=200, format=None,
                 restart=0, citations=1, max_references=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = crawl_options(seeds, depth, max_pages, max_papers, format, restart,
                                     citations, max_references)
        self._unfinished_since: str | None = None
        self.reading_list = None
        self._pages_left = self.options.max_pages
        self._papers_seen: set[str] = set()
        self._papers_left = self.options.max_papers
        self._requested: set[str] = set()
        self._done: dict[str, dict] = {}        # finished before a restart (JOBDIR)
        self._dead: deque[DocumentItem] = deque()  # dead seeds waiting for the web archive
        self._asking_archive = False
        self._archive_down: str | None = None
        self._archive_timestamp: str | None = None

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        if not settings.get("HTTPCACHE_DIR"):
            cache_dir = Path(settings.get("DATA_DIR") or "data").resolve() / "httpcache"
            settings.set("HTTPCACHE_DIR", str(cache_dir), priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.processor = Processor(crawler.settings.getint("EXTRACT_PROCESSES", 2))
        # Read before this crawl records itself as started (spider_opened).
        spider._unfinished_since = spider._interrupted_crawl(crawler.settings)
        crawler.signals.connect(spider._close_processor, signal=scrapy.signals.spider_closed)
        return spider

    def _raw_url(self, url: str) -> str | None:
        raw = github_raw_url(url)
        base = self.settings.get("GITHUB_RAW_BASE", _GITHUB_RAW).rstrip("/")
        if raw and raw.startswith(_GITHUB_RAW) and base != _GITHUB_RAW:
            raw = base + raw[len(_GITHUB_RAW):]
        return raw

    def _close_processor(self, spider=None):
        self.processor.close()

    # -- the list ----------------------------------------------------------------------
    async def start(self):
        self.reading_list = read_reading_list(self.options.seeds, self.options.list_format)
        list_path = str(self.options.seeds)
        for problem in self.reading_list.problems:
            self.logger.warning("%s:%d: skipped %r: %s", self.options.seeds.name,
                                problem.line, problem.text, problem.reason)
        self._archive_timestamp = self._list_timestamp()
        self._done = self._resumed_job(list_path)
        yield ReadingListItem(list_path=list_path, reading_list=self.reading_list)
        first_line: dict[str, str] = {}
        for seed in self.reading_list.seeds:
            first_line.setdefault(seed.url, seed.raw)
        for url, raw in first_line.items():
            arxiv_id = arxiv_id_from_url(url)
            if arxiv_id:
                self._papers_seen.add(arxiv_id)
                if url not in self._done:
                    yield DocumentItem(url=url, final_url=url, outcome="pending", kind="arxiv",
                                       depth=0, is_seed=1, links=None,
                                       reason=f"waiting for arXiv metadata of {arxiv_id}")
                yield PaperRefItem(arxiv_id=arxiv_id, doc_url=url, how="seed",
                                   evidence=raw.strip()[:300], depth=0)
                continue
            if url in self._done:
                self._requested.add(url)
                for item in self._follow(url, 1, self._done[url]):
                    yield item
                continue
            yield self._request(url, depth=0, is_seed=True)

    def _interrupted_crawl(self, settings) -> str | None:
        """When the interrupted crawls of this list began (None: start afresh)."""
        if self.options.restart or settings.get("JOBDIR"):
            return None
        path = store_path(settings.get("DATA_DIR") or "data")
        if not path.exists():
            return None
        store = Store(path)
        try:
            return store.unfinished_since(str(self.options.seeds))
        finally:
            store.close()

    def _resumed_job(self, list_path: str) -> dict[str, dict]:
        """What a resumed job (same ``JOBDIR``), or without JOBDIR the interrupted crawls
        of the same list, already finished; see crawler/resume.py."""
        jobdir = self.settings.get("JOBDIR")
        if jobdir:
            state = job_state(jobdir, list_path)
            if not state["resumed"]:
                return {}
            since, what = state["started_at"], f"the job started {state['started_at']} in {jobdir}"
        elif self._unfinished_since:
            since = self._unfinished_since
            what = (f"the interrupted crawl of {self.options.seeds.name} started {since}"
                    " (-a restart=1 fetches everything again)")
        else:
            return {}
        store = Store(store_path(self.settings.get("DATA_DIR") or "data"))
        try:
            done = done_documents(store, since)
        finally:
            store.close()
        self.logger.info("resuming %s: %d documents already done", what, len(done))
        return done

    def _request(self, url: str, depth: int, is_seed: bool) -> scrapy.Request:
        self._requested.add(url)
        fetch_url = self._raw_url(url) or url
        return scrapy.Request(
            fetch_url, callback=self.parse, errback=self.failed, dont_filter=is_seed,
            meta={"doc_url": url, "depth": depth, "is_seed": is_seed},
        )

    # -- responses ---------------------------------------------------------------------
    @staticmethod
    def fetched_via(response) -> str:
        if response.meta.get("fetched_via"):
            return response.meta["fetched_via"]
        return "cache" if "cached" in response.flags else "live"

    async def parse(self, response):
        meta = response.meta
        content_type = response.headers.get(b"Content-Type")
        content_type = content_type.decode("latin-1") if content_type else None
        result = await self.processor.run(meta["doc_url"], response.url, content_type,
                                          response.body)
        doc = result["document"]
        doc.update(http_status=response.status, depth=meta["depth"],
                   is_seed=int(meta["is_seed"]), fetched_via=self.fetched_via(response),
                   archive_timestamp=meta.get("archive_timestamp"))
        yield DocumentItem(**doc, links=result["links"])
        for item in self._follow(meta["doc_url"], meta["depth"] + 1, result):
            yield item

    def _follow(self, doc_url: str, depth: int, result: dict):
        if depth > self.options.depth:
            return
        for arxiv_id, how, evidence in result["paper_refs"]:
            if arxiv_id not in self._papers_seen:
                if self._papers_left <= 0:
                    continue
                self._papers_left -= 1
                self._papers_seen.add(arxiv_id)
            yield PaperRefItem(arxiv_id=arxiv_id, doc_url=doc_url, how=how,
                               evidence=(evidence or "")[:300], depth=depth)
        for to, _anchor in result["links"]:
            if arxiv_id_from_url(to) or urlsplit(to).scheme not in ("http", "https"):
                continue
            try:
                url = canonical_url(to)
            except ValueError:
                continue
            if url in self._requested:
                continue
            if self._pages_left <= 0:
                break
            self._pages_left -= 1
            if url in self._done:   # finished before a restart: follow what it found then
                self._requested.add(url)
                yield from self._follow(url, depth + 1, self._done[url])
                continue
            yield self._request(url, depth=depth, is_seed=False)

    def failed(self, failure):
        request = failure.request
        meta = request.meta
        outcome, reason, status = classify_failure(failure.value)
        response = getattr(failure.value, "response", None)
        item = DocumentItem(
            url=meta["doc_url"], final_url=response.url if response is not None else None,
            outcome=outcome, reason=reason, http_status=status, depth=meta["depth"],
            is_seed=int(meta["is_seed"]), links=None,
            fetched_via=self.fetched_via(response) if response is not None else None,
        )
        if meta["is_seed"] and is_dead(outcome, status) and self.settings.getbool(
                "ARCHIVE_FALLBACK"):
            self._dead.append(item)
            if not self._asking_archive:
                yield from self._ask_archive()
            return
        yield item

    # -- dead seeds: the web archive (crawler/archive.py) --------------------------------
    def _list_timestamp(self) -> str | None:
        try:
            urls = [s.url for s in self.reading_list.seeds] if self.reading_list else []
            return list_timestamp(self.options.seeds, self.settings.get("ARCHIVE_TIMESTAMP"),
                                  urls)
        except ValueError as exc:
            self.logger.error("%s; asking the web archive for its newest snapshots", exc)
            return None

    def _ask_archive(self):
        """Ask the availability API about the next dead seed. One question at a time, so
        the archive is asked politely, and none once it turned out unreachable."""
        self._asking_archive = False
        while self._dead:
            item = self._dead.popleft()
            if self._archive_down:
                item["reason"] += f"; web archive not asked ({self._archive_down})"
                yield item
                continue
            self._asking_archive = True
            api = self.settings.get("ARCHIVE_API_URL") or "https://archive.org/wayback/available"
            yield scrapy.Request(
                availability_url(api, item["url"], self._archive_timestamp),
                callback=self._archive_answer, errback=self._archive_failed, dont_filter=True,
                meta={"dead": item, "archive_service": True, "dont_obey_robotstxt": True,
                      "max_retry_times": 1, "depth_reset": True})
            return

    def _archive_answer(self, response):
        item = response.meta["dead"]
        try:
            snapshot = parse_availability(response.body)
        except ValueError:
            self._archive_down = "its availability API did not answer JSON"
            item["reason"] += f"; web archive unreachable ({self._archive_down})"
            snapshot = None
        else:
            if snapshot is None:
                item["reason"] += "; no web-archive snapshot"
        if snapshot is None:
            yield item
        else:
            yield scrapy.Request(
                snapshot.raw_url, callback=self._archived_page, errback=self._snapshot_failed,
                dont_filter=True,
                meta={"doc_url": item["url"], "depth": 0, "is_seed": True, "dead": item,
                      "snapshot": snapshot, "fetched_via": "archive",
                      "archive_timestamp": snapshot.iso, "archive_service": True,
                      "dont_obey_robotstxt": True, "depth_reset": True})
        yield from self._ask_archive()

    def _archive_failed(self, failure):
        item = failure.request.meta["dead"]
        outcome, reason, status = classify_failure(failure.value)
        if is_unreachable(outcome, status):
            self._archive_down = f"unreachable earlier in this crawl: {reason}"
        item["reason"] += f"; web archive API failed ({reason})"
        yield item
        yield from self._ask_archive()

    async def _archived_page(self, response):
        meta = response.meta
        async for item in self.parse(response):
            if isinstance(item, DocumentItem) and item["url"] == meta["doc_url"]:
                problem = item.get("reason") if item.get("outcome") != "ok" else None
                item["reason"] = served_reason(meta["dead"]["reason"], meta["snapshot"],
                                               problem)
            yield item

    def _snapshot_failed(self, failure):
        meta = failure.request.meta
        item = meta["dead"]
        outcome, reason, status = classify_failure(failure.value)
        if is_unreachable(outcome, status):
            self._archive_down = f"unreachable earlier in this crawl: {reason}"
        item["reason"] += f"; web archive snapshot of {meta['snapshot'].date} failed: {reason}"
        yield item
