"""Citations through the Semantic Scholar Graph API: batches, pacing, timeouts, retries.

>>> client = SemanticScholarClient("http://127.0.0.1:8000/graph/v1")     # doctest: +SKIP
>>> fetch_citations(store, client, ["1504.08083", "1506.01497"])          # doctest: +SKIP
{'requested': 2, 'ok': 2, 'not_found': 0, 'failed': 0, 'citations': 7, 'requests': 3}

Two endpoints, so that a recorded or fake server can answer them:

- ``POST {base}/paper/batch?fields=...`` with ``{"ids": ["ARXIV:<id>", ...]}``, at most 500
  ids a request, ids sorted (the same papers make the same requests, which a WARC replay
  needs); the answer is a list in the same order, ``null`` for an unknown paper;
- ``GET {base}/paper/ARXIV:<id>/references?fields=...&offset=0&limit=1000`` for the citing
  sentences, following ``next``; asked only for papers whose batch answer lists references.

One request at a time, each ``delay_seconds`` after the previous answer (the public API
allows about one a second without a key; ``S2_API_KEY`` is sent as ``x-api-key``). 429 and
5xx answers, timeouts, broken and garbled answers are retried with exponential backoff,
at least as long as ``Retry-After`` asks (up to a limit). A 404 or a ``null`` records the
paper as ``not_found``. When the API cannot be reached at all (its name does not resolve:
at once; refused or silent: after the retries), the client says so once and the remaining
papers are recorded ``failed`` without further requests; the next crawl asks again.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any, Iterable
from urllib.parse import urlsplit

import requests
import urllib3

from crawler.arxiv_fetch import _Pacer, _retry_after, _short, _Stopped
from crawler.http_body import BodyTooLarge, read_within
from crawler.outcomes import DNS_FAILURE, is_dns_failure
from graph.arxiv_ids import normalize_arxiv_id
from graph.citations import paper_key

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.semanticscholar.org/graph/v1"
MAX_BATCH_SIZE = 500
PAGE_LIMIT = 1000
MAX_ANSWER_BYTES = 50 * 1024 * 1024
BATCH_FIELDS = ("paperId,externalIds,title,year,authors,references.paperId,"
                "references.externalIds,references.title,references.year")
REFERENCE_FIELDS = "contexts,intents,isInfluential,paperId,externalIds,title,year,authors"


class S2Error(Exception):
    """A request that got no usable answer; ``reason`` is the one line for the store."""

    def __init__(self, reason: str, retryable: bool = True, retry_after: float | None = None,
                 status: int | None = None, unreachable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.unreachable = unreachable


class SemanticScholarClient:
    """Asks the Graph API; safe to share between threads (one request at a time).

    ``session``: a ``requests.Session`` or a transport adapter (e.g. the WARC recorder or
    replayer) mounted for http:// and https://.
    """

    def __init__(self, api_url: str | None = DEFAULT_API_URL, delay_seconds: float = 1.0,
                 timeout: float = 30, retries: int = 3, backoff: float = 2.0,
                 api_key: str | None = None, session=None, max_retry_after: float = 60.0):
        if timeout is None or float(timeout) <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.api_url = (str(api_url or "").strip() or DEFAULT_API_URL).rstrip("/")
        self.host = urlsplit(self.api_url).hostname or self.api_url
        self.delay_seconds = max(0.0, float(delay_seconds))
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.max_retry_after = float(max_retry_after)
        self.down: str | None = None        # why the API is unreachable, once it is
        self.request_count = 0
        self._stop = threading.Event()
        self._pacer = _Pacer(self.delay_seconds, self._stop)
        if isinstance(session, requests.Session):
            self.session = session
        else:
            self.session = requests.Session()
            if session is not None:
                self.session.mount("http://", session)
                self.session.mount("https://", session)
        self.session.headers["Accept"] = "application/json"
        if api_key:
            self.session.headers["x-api-key"] = api_key

    @classmethod
    def from_settings(cls, settings, session=None, env=None) -> "SemanticScholarClient":
        """From Scrapy settings: SEMANTIC_SCHOLAR_API_URL, SEMANTIC_SCHOLAR_DELAY_SECONDS,
        SEMANTIC_SCHOLAR_TIMEOUT, SEMANTIC_SCHOLAR_RETRIES, SEMANTIC_SCHOLAR_BACKOFF; the key
        from the environment's S2_API_KEY."""
        def get(name, default):
            value = settings.get(name)
            return default if value is None or value == "" else value

        env = os.environ if env is None else env
        return cls(api_url=get("SEMANTIC_SCHOLAR_API_URL", DEFAULT_API_URL),
                   delay_seconds=float(get("SEMANTIC_SCHOLAR_DELAY_SECONDS", 1.0)),
                   timeout=float(get("SEMANTIC_SCHOLAR_TIMEOUT", 30)),
                   retries=int(get("SEMANTIC_SCHOLAR_RETRIES", 3)),
                   backoff=float(get("SEMANTIC_SCHOLAR_BACKOFF", 2.0)),
                   api_key=(env.get("S2_API_KEY") or "").strip() or None, session=session)

    def close(self) -> None:
        """Stop: waits end at once, later calls fail."""
        self._stop.set()
        self.session.close()

    # -- the two endpoints ------------------------------------------------------------------
    def batch_url(self) -> str:
        return f"{self.api_url}/paper/batch?fields={BATCH_FIELDS}"

    def references_url(self, arxiv_id: str, offset: int = 0, limit: int = PAGE_LIMIT) -> str:
        return (f"{self.api_url}/paper/ARXIV:{arxiv_id}/references?fields={REFERENCE_FIELDS}"
                f"&offset={offset}&limit={limit}")

    def batch(self, arxiv_ids: list[str]) -> list[dict | None]:
        """The batch answers for up to 500 ids, in order (None: unknown there)."""
        if len(arxiv_ids) > MAX_BATCH_SIZE:
            raise ValueError(f"at most {MAX_BATCH_SIZE} ids a batch, not {len(arxiv_ids)}")
        answer = self._call("POST", self.batch_url(),
                            {"ids": [f"ARXIV:{i}" for i in arxiv_ids]})
        if not isinstance(answer, list) or len(answer) != len(arxiv_ids):
            raise S2Error("malformed answer: not a list with one entry per id")
        return [a if isinstance(a, dict) else None for a in answer]

    def references(self, arxiv_id: str, max_items: int | None = None) -> list[dict]:
        """Every reference item of the paper (``{contexts, intents, isInfluential,
        citedPaper}``), page after page, at most ``max_items``."""
        items: list[dict] = []
        offset = 0
        while True:
            limit = PAGE_LIMIT if max_items is None else max(1, min(PAGE_LIMIT,
                                                                     max_items - len(items)))
            page = self._call("GET", self.references_url(arxiv_id, offset, limit))
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise S2Error("malformed answer: no 'data' list")
            items.extend(d for d in data if isinstance(d, dict))
            nxt = page.get("next")
            if (not isinstance(nxt, int) or nxt <= offset or not data
                    or (max_items is not None and len(items) >= max_items)):
                return items if max_items is None else items[:max_items]
            offset = nxt

    # -- one call, with retries -------------------------------------------------------------
    def _call(self, method: str, url: str, body: Any = None) -> Any:
        attempt = 0
        while True:
            if self.down:
                raise S2Error(f"API unreachable: {self.down}", retryable=False,
                              unreachable=True)
            if self._stop.is_set():
                raise S2Error("stopped before Semantic Scholar answered", retryable=False)
            try:
                return self._once(method, url, body)
            except S2Error as exc:
                error = exc
            except _Stopped:
                raise S2Error("stopped before Semantic Scholar answered", retryable=False)
            if not error.retryable or attempt >= self.retries:
                if error.unreachable:
                    self.down = error.reason
                if attempt:
                    error.reason += f" (gave up after {attempt + 1} attempts)"
                raise error
            wait = self.backoff * 2 ** attempt
            if error.retry_after is not None:
                wait = max(wait, min(error.retry_after, self.max_retry_after))
            logger.info("Semantic Scholar API: %s; retrying in %.1f s", error.reason, wait)
            attempt += 1
            self._stop.wait(wait)

    def _once(self, method: str, url: str, body: Any) -> Any:
        with self._pacer.turn():
            self.request_count += 1
            deadline = time.monotonic() + self.timeout
            try:
                resp = self.session.request(method, url, json=body, timeout=self.timeout,
                                            stream=True)
                try:
                    raw = resp.raw
                    if isinstance(raw, urllib3.response.BaseHTTPResponse):
                        data = read_within(raw, deadline, f"{self.timeout:g}",
                                           MAX_ANSWER_BYTES, decode_content=True)
                    else:
                        data = resp.content
                finally:
                    resp.close()
            except BodyTooLarge as exc:
                raise S2Error(str(exc), retryable=False) from None
            except requests.exceptions.Timeout:
                raise S2Error(f"timed out: no complete answer within {self.timeout:g} s",
                              unreachable=True) from None
            except requests.exceptions.ConnectionError as exc:
                if is_dns_failure(exc):
                    # No network or no such host: retrying only adds waits.
                    raise S2Error(f"{DNS_FAILURE}: {self.host} did not resolve "
                                  f"({_short(exc)})", retryable=False,
                                  unreachable=True) from None
                raise S2Error(f"connection failed: {_short(exc)}", unreachable=True) from None
            except requests.exceptions.RequestException as exc:
                raise S2Error(f"request failed: {_short(exc)}") from None
        status = resp.status_code
        if status == 404:
            raise S2Error("HTTP 404: not in Semantic Scholar", retryable=False, status=404)
        if status != 200:
            raise S2Error(f"HTTP {status} {resp.reason or ''}".strip(),
                          retryable=status == 429 or status >= 500,
                          retry_after=_retry_after(resp), status=status)
        try:
            return json.loads(data)
        except ValueError:
            # Proxies and overloaded front ends send such pages for a while: retried.
            raise S2Error("malformed answer: not JSON") from None


# -- the store side -------------------------------------------------------------------------
def _cited(paper: dict | None) -> dict | None:
    """The cited_papers row of an API paper object (None: no identifier at all)."""
    if not isinstance(paper, dict):
        return None
    ext = paper.get("externalIds") if isinstance(paper.get("externalIds"), dict) else {}
    key = paper_key(ext, paper.get("paperId"))
    if key is None:
        return None
    authors = [a.get("name") for a in paper.get("authors") or [] if isinstance(a, dict)
               and a.get("name")]
    year = paper.get("year")
    return {"key": key, "s2_id": paper.get("paperId"),
            "arxiv_id": normalize_arxiv_id(ext.get("ArXiv")) if ext.get("ArXiv") else None,
            "doi": (str(ext["DOI"]).lower() if ext.get("DOI") else None),
            "title": " ".join(str(paper.get("title") or "").split()) or None,
            "year": year if isinstance(year, int) else None, "authors": authors or None}


def _strings(values) -> list[str]:
    return [" ".join(v.split()) for v in values or [] if isinstance(v, str) and v.strip()]


def fetch_citations(store, client: SemanticScholarClient, arxiv_ids: Iterable[str],
                    max_references: int | None = None) -> dict[str, int]:
    """Fetch the references of these arXiv papers and write them to ``store``.

    Each paper ends with a citation status: ``ok`` (its references stored), ``not_found``
    (unknown to Semantic Scholar) or ``failed`` (with the reason; what the batch gave is
    kept, and the paper is asked again by the next crawl). ``max_references`` bounds the
    references kept per paper. Returns counts.
    """
    ids = sorted({normalize_arxiv_id(i) or i for i in arxiv_ids})
    counts = {"requested": len(ids), "ok": 0, "not_found": 0, "failed": 0, "citations": 0,
              "requests": 0}
    before, was_down = client.request_count, client.down
    for start in range(0, len(ids), MAX_BATCH_SIZE):
        chunk = ids[start:start + MAX_BATCH_SIZE]
        try:
            answers = client.batch(chunk)
        except S2Error as exc:
            for arxiv_id in chunk:
                store.set_citation_status(arxiv_id, "failed", exc.reason)
            counts["failed"] += len(chunk)
            if not exc.unreachable:
                logger.warning("Semantic Scholar API: %s for %d papers", exc.reason, len(chunk))
            continue
        for arxiv_id, answer in zip(chunk, answers):
            status = _one_paper(store, client, arxiv_id, answer, max_references)
            counts[status[0]] += 1
            counts["citations"] += status[1]
    counts["requests"] = client.request_count - before
    if client.down and not was_down:
        logger.warning("Semantic Scholar API unreachable (%s): citations of %d papers not "
                       "fetched; the next crawl asks again", client.down, counts["failed"])
    return counts


def _one_paper(store, client: SemanticScholarClient, arxiv_id: str, answer: dict | None,
               max_references: int | None) -> tuple[str, int]:
    if answer is None:
        store.set_citation_status(arxiv_id, "not_found", "unknown to Semantic Scholar")
        return "not_found", 0
    citing = f"arXiv:{arxiv_id}"
    rows: dict[str, dict] = {}
    papers: dict[str, dict] = {}
    batch_source = f"{client.api_url}/paper/batch"
    for ref in answer.get("references") or []:
        cited = _cited(ref)
        if cited and cited["key"] != citing:
            papers.setdefault(cited["key"], cited)
            rows.setdefault(cited["key"], {"cited": cited["key"], "source": batch_source})
    error = None
    if answer.get("references") is None or rows:
        # The batch lists what is cited; the citing sentences come from this endpoint.
        source = f"{client.api_url}/paper/ARXIV:{arxiv_id}/references"
        try:
            for item in client.references(arxiv_id, max_references):
                cited = _cited(item.get("citedPaper"))
                if not cited or cited["key"] == citing:
                    continue  # an unresolved reference: nothing to connect it to
                papers[cited["key"]] = {**papers.get(cited["key"], {}),
                                        **{k: v for k, v in cited.items() if v is not None}}
                influential = item.get("isInfluential")
                rows[cited["key"]] = {
                    "cited": cited["key"], "contexts": _strings(item.get("contexts")),
                    "intents": _strings(item.get("intents")),
                    "is_influential": influential if isinstance(influential, bool) else None,
                    "source": source}
        except S2Error as exc:
            if exc.status != 404:
                error = f"references: {exc.reason}"
                if not exc.unreachable:
                    logger.warning("Semantic Scholar API: %s for arXiv:%s", exc.reason,
                                   arxiv_id)
    kept = list(rows.values())
    if max_references is not None:
        kept = kept[:max_references]
    store.save_citations(citing, kept, [papers[r["cited"]] for r in kept])
    status = "failed" if error else "ok"
    store.set_citation_status(arxiv_id, status, error, answer.get("paperId"), len(kept))
    return status, len(kept)
