"""arXiv metadata through the ``arxiv`` package: batches, one client, pacing, timeouts, retries.

>>> fetcher = ArxivFetcher(api_url="http://127.0.0.1:8000/api/query")   # doctest: +SKIP
>>> fetcher.fetch(["1710.07035", "1506.01497v3", "not-an-id"])           # doctest: +SKIP
{'1506.01497': {'status': 'ok', 'title': 'Faster R-CNN: ...', ...},
 '1710.07035': {'status': 'ok', ...}, 'not-an-id': {'status': 'failed', 'error': ...}}

What the package leaves to its caller, done here:

- One shared ``arxiv.Client``: its pacing is per instance. Its own delay and retries are
  switched off (``delay_seconds=0``, ``num_retries=0``): the package retries at once, without
  backoff, and does not retry timeouts. :class:`ArxivFetcher` paces and retries instead.
- Pacing across every call and thread: a lock plus a monotonic clock; the next request starts
  ``delay_seconds`` after the previous answer was read, and only one request is in flight.
- A timeout: the package's session has none, so a silent server would block forever. The
  client's session is an :class:`ApiSession`, which gives every request a timeout and the
  whole answer a deadline.
- ``max_results`` per batch: the package's default (100) silently truncates larger lists;
  each request asks for exactly the batch's length, at most 100 ids.
- One page per batch: the API counts unknown ids in ``totalResults``, which makes the
  package ask for a second page that cannot hold anything; that request is never sent.
- Ids are validated before any request: one malformed id makes the API reject the whole
  batch with HTTP 400.
- A host name that does not resolve is final: no backoff retries (with no network they only
  add waits), and the fetcher sends nothing more to that endpoint; every paper asked for
  afterwards fails at once with the same reason (``retry_dns=True`` retries instead).

Results are plain dicts: ``{'status': 'ok', 'title', 'authors', 'abstract',
'primary_category', 'categories', 'published', 'updated', 'doi', 'journal_ref', 'comment',
'pdf_url', 'abs_url'}``, ``{'status': 'not_found'}`` or ``{'status': 'failed', 'error'}``.
:meth:`ArxivFetcher.fetch` never raises for what the network or the API does.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import parse_qs, urlsplit

import arxiv
import requests
import urllib3
from lxml import etree

from crawler.http_body import BodyTooLarge, read_within
from crawler.outcomes import DNS_FAILURE, is_dns_failure
from graph.arxiv_ids import arxiv_abs_url, normalize_arxiv_id

logger = logging.getLogger(__name__)

#: The real API, in the form the package uses (``{}`` takes the query string).
DEFAULT_API_URL = "https://export.arxiv.org/api/query?{}"
#: Ids per request; also the most the API reliably answers in one page for an id list.
MAX_BATCH_SIZE = 100
#: The largest answer read (100 entries are about 300 KB).
MAX_ANSWER_BYTES = 20 * 1024 * 1024

PaperResult = dict[str, Any]

_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_WS = re.compile(r"\s+")


# -- errors ---------------------------------------------------------------------------------
class ArxivApiError(Exception):
    """An answer that is not a usable API response; ``reason`` says why for the store."""

    def __init__(self, reason: str, retryable: bool = True, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class _ExtraPage(Exception):
    """The package asked for a further page of an id list; see the module docstring."""


class _Stopped(Exception):
    """The fetcher was closed while waiting."""


# -- settings -------------------------------------------------------------------------------
def query_url_format(api_url: str | None) -> str:
    """The package's ``query_url_format`` for an endpoint given with or without ``{}``.

    >>> query_url_format("http://127.0.0.1:8000/api/query")
    'http://127.0.0.1:8000/api/query?{}'
    >>> query_url_format(None) == DEFAULT_API_URL
    True
    """
    if not api_url or not str(api_url).strip():
        return DEFAULT_API_URL
    url = str(api_url).strip()
    if "{}" in url:
        return url
    if "?" not in url:
        return url + "?{}"
    return url + ("{}" if url.endswith(("?", "&")) else "&{}")


# -- the HTTP side --------------------------------------------------------------------------
class _Pacer:
    """One request at a time, each starting ``delay`` seconds after the previous answer."""

    def __init__(self, delay: float, stop: threading.Event):
        self.delay = delay
        self._stop = stop
        self._lock = threading.Lock()
        self._last_end: float | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._lock:
            if self._last_end is not None:
                wait = self._last_end + self.delay - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    raise _Stopped()
            try:
                yield
            finally:
                # Measured after the answer: the server sees gaps of at least `delay`.
                self._last_end = time.monotonic()


def _read_body(resp: requests.Response, deadline: float, timeout: float) -> bytes:
    """The whole body, or ReadTimeout once ``deadline`` passes (a trickling server)."""
    raw = resp.raw
    if not isinstance(raw, urllib3.response.BaseHTTPResponse):
        return resp.content  # an answer built in memory (a replayed record): nothing to wait for
    try:
        return read_within(raw, deadline, f"{timeout:g}", MAX_ANSWER_BYTES,
                           decode_content=True)
    except BodyTooLarge as exc:
        raise ArxivApiError(str(exc), retryable=False) from exc


def _retry_after(resp: requests.Response) -> float | None:
    value = (resp.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _parse_feed(body: bytes) -> etree._Element:
    """The root of a strictly parsed Atom feed, or ArxivApiError (retryable: proxies and
    overloaded front ends produce such answers for a while)."""
    if not body.strip():
        raise ArxivApiError("empty answer: no body")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        detail = getattr(exc, "msg", None) or str(exc)
        raise ArxivApiError(f"malformed answer, not an Atom feed: {detail}") from None
    if root.tag != f"{_ATOM}feed":
        raise ArxivApiError(
            f"malformed answer: <{etree.QName(root).localname}> instead of an Atom feed")
    return root


def _api_error(root: etree._Element) -> str | None:
    """The message of an error entry (``<id>http://arxiv.org/api/errors#...``), if any."""
    for entry in root.iterfind(f"{_ATOM}entry"):
        if "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
            return _WS.sub(" ", entry.findtext(f"{_ATOM}summary") or "error").strip()
    return None


def check_answer(status: int, body: bytes, reason: str = "",
                 retry_after: float | None = None) -> None:
    """Raise ArxivApiError unless ``body`` is a usable API answer.

    >>> try:
    ...     check_answer(503, b"busy")
    ... except ArxivApiError as exc:
    ...     print(exc.reason, exc.retryable)
    HTTP 503 Service Unavailable True
    """
    if status != 200:
        try:
            detail = _api_error(_parse_feed(body))
        except ArxivApiError:
            detail = None
        if detail:
            text = f"HTTP {status}: {detail}"
        else:
            try:
                phrase = reason or HTTPStatus(status).phrase
            except ValueError:
                phrase = ""
            text = f"HTTP {status} {phrase}".strip()
        raise ArxivApiError(text, retryable=status == 429 or status >= 500,
                            retry_after=retry_after)
    root = _parse_feed(body)
    detail = _api_error(root)
    if detail:
        raise ArxivApiError(f"arXiv API error: {detail}", retryable=False)
    if root.find(f"{_OPENSEARCH}totalResults") is None:
        raise ArxivApiError("malformed answer: Atom feed without opensearch:totalResults")


class ApiSession(requests.Session):
    """The ``arxiv.Client``'s session: pacing, a timeout on every request, a deadline on the
    whole answer, and a check that the answer is an API feed.

    ``inner`` (a ``requests.Session``) sends the requests when given, so whatever it does
    (record to WARC, replay from WARC) sees every API request; adapters mounted on this
    session serve the same purpose.
    """

    def __init__(self, timeout: float, delay_seconds: float,
                 inner: requests.Session | None = None, stop: threading.Event | None = None):
        super().__init__()
        self.timeout = timeout
        self.inner = inner
        self.pacer = _Pacer(delay_seconds, stop or threading.Event())
        self.request_count = 0
        self._count_lock = threading.Lock()

    def request(self, method, url, *args, **kwargs):
        if int((parse_qs(urlsplit(url).query).get("start") or ["0"])[0] or 0) > 0:
            raise _ExtraPage(url)
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        kwargs["stream"] = True
        send = self.inner.request if self.inner is not None else super().request
        with self.pacer.turn():
            with self._count_lock:
                self.request_count += 1
            deadline = time.monotonic() + self.timeout
            resp = send(method, url, *args, **kwargs)
            try:
                body = _read_body(resp, deadline, self.timeout)
            except BaseException:
                resp.close()
                raise
            # What requests does itself once a streamed body is read.
            resp._content, resp._content_consumed = body, True
        check_answer(resp.status_code, body, resp.reason or "", _retry_after(resp))
        return resp


# -- results --------------------------------------------------------------------------------
def _clean(text: str | None) -> str | None:
    text = _WS.sub(" ", text or "").strip()
    return text or None


def _iso(value) -> str | None:
    return value.isoformat() if value is not None and value.year > 1 else None


def paper_fields(result: arxiv.Result) -> PaperResult:
    """The ``{'status': 'ok', ...}`` dict of one parsed entry. Whitespace is collapsed (the
    API wraps titles and abstracts at 80 columns); the abstract is kept whole."""
    arxiv_id = normalize_arxiv_id(result.get_short_id()) or result.get_short_id()
    return {
        "status": "ok",
        "title": _clean(result.title),
        "authors": [name for name in (_clean(a.name) for a in result.authors) if name],
        "abstract": _clean(result.summary),
        "primary_category": result.primary_category or None,
        "categories": list(result.categories),
        "published": _iso(result.published),
        "updated": _iso(result.updated),
        "doi": _clean(result.doi),
        "journal_ref": _clean(result.journal_ref),
        "comment": _clean(result.comment),
        "pdf_url": result.pdf_url,
        "abs_url": arxiv_abs_url(arxiv_id),
    }


def _failed(error: str) -> PaperResult:
    return {"status": "failed", "error": error}


def _short(exc: Exception) -> str:
    """A one-line reason from requests' long nested messages."""
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\][^'\")\]]*", text)
    if m:
        return m.group(0).strip()
    return text[:200]


# -- the fetcher ----------------------------------------------------------------------------
class ArxivFetcher:
    """Fetches paper metadata by id; safe to share between threads.

    ``session``: a ``requests.Session`` that sends every API request (e.g. one that records
    to or replays from WARC), or a ``requests`` transport adapter mounted for http:// and
    https://. Pacing, timeout and the answer checks apply either way.
    """

    def __init__(self, api_url: str | None = DEFAULT_API_URL, delay_seconds: float = 3.0,
                 timeout: float = 30, retries: int = 3, backoff: float = 2.0,
                 batch_size: int = MAX_BATCH_SIZE, session=None, max_retry_after: float = 60.0,
                 retry_dns: bool = False):
        if not 1 <= int(batch_size) <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH_SIZE}, not {batch_size}")
        if timeout is None or float(timeout) <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.api_url = query_url_format(api_url)
        self.delay_seconds = max(0.0, float(delay_seconds))
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.batch_size = int(batch_size)
        self.max_retry_after = float(max_retry_after)
        self.retry_dns = bool(retry_dns)
        self.unresolved: str | None = None   # why the endpoint's name did not resolve
        host = (urlsplit(self.api_url.replace("{}", "")).hostname or "").lower()
        self.host = host
        if self.delay_seconds < 3 and (host == "arxiv.org" or host.endswith(".arxiv.org")):
            logger.warning("arXiv asks for at most one request every 3 s; delay is %g s",
                           self.delay_seconds)

        self._stop = threading.Event()
        self._lock = threading.Lock()   # the client is shared state: one batch at a time
        self.session = ApiSession(self.timeout, self.delay_seconds, stop=self._stop)
        if isinstance(session, requests.adapters.BaseAdapter):
            self.session.mount("http://", session)
            self.session.mount("https://", session)
        elif session is not None:
            self.session.inner = session
        self.client = arxiv.Client(page_size=self.batch_size, delay_seconds=0.0, num_retries=0)
        self.client.query_url_format = self.api_url
        # The package has no parameter for its session; this attribute is the one it uses.
        self.client._session = self.session

    @classmethod
    def from_settings(cls, settings, session=None) -> "ArxivFetcher":
        """Build from Scrapy settings (or any mapping with ``get``): ARXIV_API_URL,
        ARXIV_DELAY_SECONDS, ARXIV_TIMEOUT, ARXIV_RETRIES, ARXIV_BACKOFF, ARXIV_BATCH_SIZE,
        DNS_FAILURES_ARE_FINAL."""
        def get(name, default):
            value = settings.get(name)
            return default if value is None or value == "" else value

        return cls(api_url=get("ARXIV_API_URL", DEFAULT_API_URL),
                   delay_seconds=float(get("ARXIV_DELAY_SECONDS", 3.0)),
                   timeout=float(get("ARXIV_TIMEOUT", 30)),
                   retries=int(get("ARXIV_RETRIES", 3)),
                   backoff=float(get("ARXIV_BACKOFF", 2.0)),
                   batch_size=int(get("ARXIV_BATCH_SIZE", MAX_BATCH_SIZE)),
                   session=session,
                   retry_dns=str(get("DNS_FAILURES_ARE_FINAL", True)).strip().lower()
                   in ("0", "false", "no", "off"))

    @property
    def request_count(self) -> int:
        """Requests sent to the API so far (retries included)."""
        return self.session.request_count

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        """Stop: waits end at once, batches not yet answered come back 'failed'."""
        self._stop.set()
        self.session.close()

    def fetch(self, ids: Iterable[str]) -> dict[str, PaperResult]:
        """Metadata for every id, keyed by versionless id (an invalid id by itself, as given).

        Ids are sorted and deduplicated first, so the same ids always make the same
        requests (which is what replaying a recording needs).
        """
        results: dict[str, PaperResult] = {}
        wanted: set[str] = set()
        for raw in ids:
            arxiv_id = normalize_arxiv_id(raw)
            if arxiv_id is None:
                key = raw if isinstance(raw, str) else repr(raw)
                results[key] = _failed(f"invalid arXiv id: {raw!r}")
            else:
                wanted.add(arxiv_id)
        ordered = sorted(wanted)
        for i in range(0, len(ordered), self.batch_size):
            results.update(self._fetch_batch(ordered[i:i + self.batch_size]))
        return results

    # -- one batch --------------------------------------------------------------------------
    def _fetch_batch(self, batch: list[str]) -> dict[str, PaperResult]:
        try:
            with self._lock:
                return self._fetch_batch_locked(batch)
        except Exception as exc:  # a bug here must not lose the crawl: record it per paper
            logger.exception("arXiv batch failed unexpectedly")
            return {i: _failed(f"unexpected error: {type(exc).__name__}: {exc}") for i in batch}

    def _fetch_batch_locked(self, batch: list[str]) -> dict[str, PaperResult]:
        attempt, empty_before = 0, False
        while True:
            if self._stop.is_set():
                return {i: _failed("stopped before arXiv answered") for i in batch}
            if self.unresolved:
                return {i: _failed(self.unresolved) for i in batch}
            try:
                found = self._query(batch)
            except Exception as exc:
                reason, retryable, retry_after = self._classify(exc)
                if reason.startswith(DNS_FAILURE) and not self.retry_dns:
                    self.unresolved = reason
                    logger.warning("arXiv API: %s; no further request to %s in this crawl"
                                   " (%d ids failed)", reason, self.host, len(batch))
                    return {i: _failed(reason) for i in batch}
                if retryable and attempt < self.retries:
                    wait = self.backoff * 2 ** attempt
                    if retry_after is not None:
                        wait = max(wait, min(retry_after, self.max_retry_after))
                    logger.info("arXiv API: %s; retrying %d ids in %.1f s", reason,
                                len(batch), wait)
                    attempt += 1
                    self._stop.wait(wait)
                    continue
                tries = attempt + 1
                error = reason + (f" (gave up after {tries} attempts)" if tries > 1 else "")
                logger.warning("arXiv API: %s for %d ids", error, len(batch))
                return {i: _failed(error) for i in batch}
            if not found and not empty_before and attempt < self.retries:
                # An answer without a single entry is what an unknown id gets, and what the
                # API sometimes sends by mistake: ask once more before believing it.
                empty_before = True
                wait = self.backoff * 2 ** attempt
                attempt += 1
                self._stop.wait(wait)
                continue
            if not found and len(batch) > 1:
                # Several unknown ids in one batch is unlikely; an empty answer is not.
                # 'failed' is retried on a later run, 'not_found' is final.
                times = " twice" if empty_before else ""
                return {i: _failed(f"empty answer: arXiv returned no entry for any of the "
                                   f"{len(batch)} ids{times}") for i in batch}
            return {i: paper_fields(found[i]) if i in found else {"status": "not_found"}
                    for i in batch}

    def _query(self, batch: list[str]) -> dict[str, arxiv.Result]:
        """One request for the batch; the entries found, by versionless id."""
        self.client.page_size = len(batch)
        search = arxiv.Search(id_list=batch, max_results=len(batch))
        wanted = set(batch)
        found: dict[str, arxiv.Result] = {}
        try:
            for result in self.client.results(search):
                arxiv_id = normalize_arxiv_id(result.get_short_id())
                if arxiv_id in wanted:
                    found.setdefault(arxiv_id, result)
        except _ExtraPage:
            pass
        return found

    def _classify(self, exc: Exception) -> tuple[str, bool, float | None]:
        """(reason, retryable, seconds the server asked to wait)."""
        if isinstance(exc, ArxivApiError):
            return exc.reason, exc.retryable, exc.retry_after
        if isinstance(exc, _Stopped):
            return "stopped before arXiv answered", False, None
        if isinstance(exc, requests.exceptions.Timeout):
            return f"timed out: no complete answer within {self.timeout:g} s", True, None
        if isinstance(exc, requests.exceptions.ConnectionError):
            if is_dns_failure(exc):
                return (f"{DNS_FAILURE}: {self.host} did not resolve ({_short(exc)})", True,
                        None)
            return f"connection failed: {_short(exc)}", True, None
        if isinstance(exc, (requests.exceptions.ChunkedEncodingError,
                            requests.exceptions.ContentDecodingError)):
            return f"broken answer: {_short(exc)}", True, None
        if isinstance(exc, requests.exceptions.RequestException):
            return f"request failed: {_short(exc)}", False, None
        if isinstance(exc, arxiv.ArxivError):
            return str(exc), True, None
        return f"unexpected error: {type(exc).__name__}: {exc}", False, None


# -- the store side -------------------------------------------------------------------------
def _first_sentences(text: str, lang: str | None = None, sentences: int = 3) -> str:
    """Stand-in summary when graph.text is missing: the abstract's first sentences."""
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:sentences])


def _default_text_functions() -> tuple[Callable, Callable | None]:
    """graph.text's summarize and keywords; the first sentences and none without it."""
    try:
        from graph.text import keywords, summarize
    except Exception as exc:  # graph.text or one of its dependencies is unavailable
        logger.warning("graph.text unavailable (%s): summaries are the first sentences", exc)
        return _first_sentences, None
    return summarize, keywords


def _paper_row(arxiv_id: str, result: PaperResult, summarize: Callable | None,
               keywords: Callable | None) -> dict:
    status = result.get("status")
    if status != "ok":
        return {"arxiv_id": arxiv_id, "status": status if status == "not_found" else "failed",
                "error": result.get("error")}
    row = {"arxiv_id": arxiv_id, "error": None}
    row.update({k: v for k, v in result.items() if k != "error"})
    abstract = result.get("abstract") or ""
    if summarize and abstract:
        try:
            row["summary"] = summarize(abstract, "en") or None
        except Exception as exc:
            logger.warning("no summary for %s: %s", arxiv_id, exc)
    if keywords:
        text = ". ".join(t for t in (result.get("title"), abstract) if t)
        try:
            row["keywords"] = list(keywords(text, "en") or []) if text else []
        except Exception as exc:
            logger.warning("no keywords for %s: %s", arxiv_id, exc)
    return row


def fetch_pending_papers(store, fetcher: ArxivFetcher, summarize: Callable | None = None,
                         keywords: Callable | None = None,
                         statuses: Iterable[str] = ("pending", "failed")) -> dict[str, int]:
    """Fetch the papers of ``store`` whose status is in ``statuses`` and write the results.

    Each batch is written as soon as it is answered. ``summarize(text, lang) -> str`` and
    ``keywords(text, lang) -> list[str]`` default to graph.text's; the summary is drawn from
    the abstract, keywords from title and abstract, and the abstract itself is stored whole.
    Returns counts: requested, ok, not_found, failed, requests (HTTP requests made).

    >>> counts = fetch_pending_papers(store, ArxivFetcher())   # doctest: +SKIP
    >>> counts                                                # doctest: +SKIP
    {'requested': 14, 'ok': 13, 'not_found': 1, 'failed': 0, 'requests': 1}
    """
    if summarize is None or keywords is None:
        default_summarize, default_keywords = _default_text_functions()
        summarize = summarize or default_summarize
        keywords = keywords or default_keywords
    ids = sorted({p["arxiv_id"] for status in statuses for p in store.papers(status)})
    counts = {"requested": len(ids), "ok": 0, "not_found": 0, "failed": 0, "requests": 0}
    before = fetcher.request_count
    for i in range(0, len(ids), fetcher.batch_size):
        if fetcher.closed:
            break
        chunk = ids[i:i + fetcher.batch_size]
        results = fetcher.fetch(chunk)
        for arxiv_id in chunk:
            key = normalize_arxiv_id(arxiv_id) or arxiv_id
            result = results.get(key) or _failed("no result")
            row = _paper_row(arxiv_id, result, summarize, keywords)
            store.upsert_paper(row)
            counts[row["status"]] += 1
    counts["requests"] = fetcher.request_count - before
    return counts
