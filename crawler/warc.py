"""Record a crawl to a WARC file and replay it with no network at all.

WARC (ISO 28500) is the web-archiving standard: warcio, pywb, OpenWayback and the Internet
Archive's tools read it, so a recording is a fixture anyone can inspect, and replaying it
gives the same store and graph without touching the web.

Recording (``-s WARC_OUTPUT=crawl.warc.gz``): :class:`WarcRecorderMiddleware` sits at 950,
between the HTTP cache (900) and the download handler, so it sees each response as it came
off the wire: the body still compressed (HttpCompressionMiddleware, at 590, inflates it
later), every redirect hop and retry, robots.txt, the web-archive API. A middleware rather
than the ``response_downloaded`` signal, because it also sees failed downloads and the
responses the HTTP cache serves (recorded too, so a re-run still writes a complete WARC;
their WARC-Date is the time of the re-run). Twisted has already de-chunked the body and
dropped hop-by-hop headers (Transfer-Encoding, Connection), so the records hold the headers
Scrapy received and the entity body, which is what WARC readers expect when no
Transfer-Encoding is declared. A download that failed (DNS, refused connection, timeout,
size limit) has no HTTP response: it is kept as a ``metadata`` record of type
:data:`FAILURE_TYPE`, so a replay fails, retries and falls back to the web archive exactly
as the recorded crawl did. The arXiv API is called by the ``arxiv`` package through
``requests``, off the reactor thread: :class:`RecordingAdapter` records those exchanges into
the same file (one lock for both threads). A new crawl starts the file afresh; a resumed
job (``JOBDIR``) adds to it.

Replay (``-s WARC_REPLAY=crawl.warc.gz``): :class:`WarcReplayHandler` answers http and https
requests from the archive, and :class:`ReplayAdapter` the arXiv API. Records of one URL are
served in the order they were recorded (a 500 then its successful retry), the last one again
once they run out. A URL the archive lacks fails with :class:`NotInArchive`
(outcome ``not_in_archive``). The HTTP cache is switched off, so what is stored comes from
the archive, and so are the politeness waits (nothing goes out); documents get
``fetched_via='replay'``. Names are not resolved (see crawler/safety.py). An arXiv query is
matched by its exact URL: the same pending papers make the same batches, which holds when
every batch starts at idle (up to 100 papers); a larger crawl may batch differently.

>>> WarcIndex("crawl.warc.gz").take("https://example.org/")    # doctest: +SKIP
Recorded(status=200, protocol='HTTP/1.1', headers=[...], body=b'<html>...')
"""

from __future__ import annotations

import io
import json
import threading
import time
import weakref
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

import requests
import scrapy
import urllib3
from scrapy import signals
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError,
                               DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, IgnoreRequest, NotConfigured,
                               ResponseDataLossError)
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .http_body import read_within
from .outcomes import classify_failure
from .resume import JOB_FILE

#: Content type of the metadata record that stands for a download that failed.
FAILURE_TYPE = "application/vnd.readinglist-graph.fetch-failure+json"
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
               "transfer-encoding", "upgrade"}
# Failures replayed as the class they were recorded as, so RetryMiddleware treats them alike.
_REPLAYED_CLASSES = {cls.__name__: cls for cls in (
    CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
    DownloadCancelledError, DownloadFailedError, ResponseDataLossError,
    ConnectError, ConnectionDone, ConnectionLost)}
_REPLAYED_REQUESTS_ERRORS = {cls.__name__: cls for cls in (
    requests.exceptions.ConnectionError, requests.exceptions.ConnectTimeout,
    requests.exceptions.ReadTimeout, requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
    requests.exceptions.SSLError)}


_SECRET_HEADERS = {"x-api-key", "authorization", "cookie"}


class NotInArchive(IgnoreRequest):
    """Replay found no record of the URL in the WARC file."""

    outcome = "not_in_archive"


class ReplayedFailure(IgnoreRequest):
    """A recorded failure of a kind that is not retried (a blocked link, an unknown error)."""


class ApiNotInArchive(requests.exceptions.RequestException):
    """Replay found no record of this arXiv API request (not retried by the fetcher)."""


# -- records ------------------------------------------------------------------------------
@dataclass
class Recorded:
    """An HTTP response as stored in a ``response`` record (body not yet decompressed)."""

    status: int
    protocol: str
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class RecordedFailure:
    """A download that failed: its outcome and reason as the crawl stored them."""

    outcome: str
    reason: str
    error: str          # the exception's class name


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _request_line(method: str, url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{method} {target} HTTP/1.1", parts.netloc


def complete_length(path: Path) -> int:
    """How many leading bytes of a WARC file hold whole records.

    A crawl killed while writing leaves half a record at the end; appending after it would
    hide every later record from readers, so a resumed recording cuts the file here first.
    """
    end = 0
    with open(path, "rb") as f, open(path, "rb") as member:
        it = ArchiveIterator(f)
        try:
            for _record in it:
                offset, length = it.get_record_offset(), it.get_record_length()
                member.seek(offset)
                chunk = member.read(length)
                if len(chunk) < length:
                    break
                if path.suffix == ".gz":
                    inflater = zlib.decompressobj(31)
                    inflater.decompress(chunk)
                    if not inflater.eof:     # a gzip member without its trailer
                        break
                elif not chunk.endswith(b"\r\n\r\n"):
                    break
                end = offset + length
        except Exception:  # a torn record: what came before it is intact
            pass
    return end


class WarcWriterShared:
    """One WARC file written from the reactor thread and the arXiv thread alike.

    Each record is flushed as soon as it is written, so a killed crawl keeps every record
    but the one being written. ``append`` (a resumed job) continues an existing file, cut
    first to its whole records (:func:`complete_length`); otherwise the file starts afresh.
    """

    def __init__(self, path: str | Path, info: dict, append: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        if append and self.path.exists() and self.path.stat().st_size:
            keep = complete_length(self.path)
            with open(self.path, "r+b") as f:
                f.truncate(keep)
        self._file = open(self.path, "ab" if append else "wb")
        self._writer = WARCWriter(self._file, gzip=self.path.suffix == ".gz",
                                  warc_version="1.0")
        self._write(self._writer.create_warcinfo_record(self.path.name, info))

    def _write(self, *records) -> None:
        with self._lock:
            if self._file.closed:
                return  # the crawl is over; a late answer is not part of it
            if len(records) == 2:
                self._writer.write_request_response_pair(*records)
            else:
                self._writer.write_record(records[0])
            self._file.flush()

    def exchange(self, method: str, url: str, request_headers: list[tuple[str, str]],
                 request_body: bytes, response: Recorded, ip_address: str | None = None):
        """Write the request and response records of one HTTP exchange."""
        request_line, host = _request_line(method, url)
        # An API key is a secret, and a recording is a file people share.
        request_headers = [(k, "(redacted)" if k.lower() in _SECRET_HEADERS else v)
                           for k, v in request_headers]
        if not any(name.lower() == "host" for name, _ in request_headers):
            request_headers = [("Host", host)] + list(request_headers)
        warc_headers = {"WARC-IP-Address": ip_address} if ip_address else {}
        resp = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(response.body), warc_headers_dict=warc_headers,
            http_headers=StatusAndHeaders(f"{response.status} {response.reason}".strip(),
                                          response.headers, protocol=response.protocol))
        req = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(request_body or b""),
            http_headers=StatusAndHeaders(request_line, request_headers, is_http_request=True))
        self._write(req, resp)

    def failure(self, url: str, outcome: str, reason: str, error: str) -> None:
        """Write a metadata record for a download that got no HTTP response."""
        body = json.dumps({"outcome": outcome, "reason": reason, "error": error},
                          ensure_ascii=False).encode("utf-8")
        self._write(self._writer.create_warc_record(
            url, "metadata", payload=io.BytesIO(body), length=len(body),
            warc_content_type=FAILURE_TYPE))

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()


class WarcIndex:
    """The responses and failures of a WARC file by URL, read on demand (thread-safe)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._offsets: dict[str, list[int]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        with open(self.path, "rb") as f:
            it = ArchiveIterator(f)
            for record in it:
                kind = record.rec_type
                if kind == "response" or (kind == "metadata" and record.rec_headers.get_header(
                        "Content-Type") == FAILURE_TYPE):
                    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
                    self._offsets.setdefault(url, []).append(it.get_record_offset())

    def __contains__(self, url: str) -> bool:
        return url in self._offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def take(self, url: str) -> Recorded | RecordedFailure | None:
        """The next record of ``url`` (the last one once all were served), or None."""
        with self._lock:
            offsets = self._offsets.get(url)
            if not offsets:
                return None
            n = self._served.get(url, 0)
            self._served[url] = n + 1
            offset = offsets[min(n, len(offsets) - 1)]
        return self._read(offset)

    def _read(self, offset: int) -> Recorded | RecordedFailure:
        with open(self.path, "rb") as f:
            f.seek(offset)
            record = next(iter(ArchiveIterator(f)))
            if record.rec_type == "metadata":
                data = json.loads(record.raw_stream.read().decode("utf-8"))
                return RecordedFailure(data.get("outcome") or "error", data.get("reason") or "",
                                       data.get("error") or "")
            http = record.http_headers
            headers = list(http.headers)
            stream = record.raw_stream
            if "chunked" in (http.get_header("Transfer-Encoding") or "").lower():
                # Other recorders keep the chunked stream; our records never are.
                stream = ChunkedDataReader(stream, decomp_type=None)
                headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
            status, _, reason = http.statusline.partition(" ")
            return Recorded(int(status), http.protocol or "HTTP/1.1", reason, headers,
                            stream.read())


def _with_outcome(exc: BaseException, failure: RecordedFailure) -> BaseException:
    exc.outcome, exc.outcome_reason = failure.outcome, failure.reason
    return exc


def replayed_exception(failure: RecordedFailure) -> BaseException:
    """The exception a recorded failure is replayed as (same class when it is retried)."""
    cls = _REPLAYED_CLASSES.get(failure.error)
    if cls is None:
        return _with_outcome(ReplayedFailure(failure.reason), failure)
    try:
        exc = cls(failure.reason)
    except TypeError:
        exc = cls()
    return _with_outcome(exc, failure)


# -- Scrapy -------------------------------------------------------------------------------
def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name in headers for value in headers.getlist(name)]


class WarcArchive:
    """Owns the WARC writer and reader of one crawl, and routes the arXiv API through them."""

    def __init__(self, crawler):
        settings = crawler.settings
        output, replay = settings.get("WARC_OUTPUT"), settings.get("WARC_REPLAY")
        if not output and not replay:
            raise NotConfigured
        self.crawler = crawler
        self.index = WarcIndex(replay) if replay else None
        self.writer = None
        if output:
            # A resumed job (its JOBDIR already started) adds to the recording it began.
            jobdir = settings.get("JOBDIR")
            resumed = bool(jobdir) and (Path(jobdir) / JOB_FILE).is_file()
            self.writer = WarcWriterShared(output, {
                "software": f"readinglist-graph with Scrapy {scrapy.__version__} and warcio",
                "format": "WARC File Format 1.0",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "replayed-from": replay,
            }, append=resumed)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider=None):
        from .citations import CitationFetch
        from .extensions import ArxivMetadata

        for api in (self.crawler.get_extension(ArxivMetadata),
                    self.crawler.get_extension(CitationFetch)):
            if api is None:
                continue
            if self.index is not None:
                api.session = ReplayAdapter(self.index, self.writer)
            elif self.writer is not None:
                api.session = RecordingAdapter(self.writer)

    def engine_stopped(self):
        if self.writer is not None:
            self.writer.close()


class WarcRecorderMiddleware:
    """Downloader middleware (at 950) writing every exchange to ``WARC_OUTPUT``."""

    def __init__(self, writer: WarcWriterShared):
        self.writer = writer
        self._sent: weakref.WeakSet = weakref.WeakSet()

    @classmethod
    def from_crawler(cls, crawler):
        archive = crawler.get_extension(WarcArchive)
        if archive is None or archive.writer is None:
            raise NotConfigured
        return cls(archive.writer)

    def process_request(self, request, spider=None):
        self._sent.add(request)    # it reached the download handler (not the HTTP cache)
        return None

    def process_response(self, request, response, spider=None):
        ip = getattr(response, "ip_address", None)
        self.writer.exchange(
            request.method, request.url, _header_pairs(request.headers), request.body,
            Recorded(response.status, response.protocol or "HTTP/1.1", _phrase(response.status),
                     _header_pairs(response.headers), response.body),
            ip_address=str(ip) if ip else None)
        return response

    def process_exception(self, request, exception, spider=None):
        # Download failures, and the links refused before any download (replay must
        # refuse them too without resolving names).
        if request in self._sent or getattr(exception, "outcome", None) == "blocked_private":
            outcome, reason, _ = classify_failure(exception)
            self.writer.failure(request.url, outcome, reason, type(exception).__name__)
        return None


class WarcReplayHandler:
    """Download handler for http and https answering from ``WARC_REPLAY``, offline."""

    lazy = False

    def __init__(self, crawler):
        archive = crawler.get_extension(WarcArchive)
        self.index = archive.index
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def download_request(self, request):
        entry = self.index.take(request.url)
        if entry is None:
            raise NotInArchive(f"{request.url} is not in {self.index.path.name}")
        if isinstance(entry, RecordedFailure):
            raise replayed_exception(entry)
        maxsize = request.meta.get("download_maxsize", self.maxsize)
        if maxsize and len(entry.body) > maxsize:
            raise DownloadCancelledError(f"Received {len(entry.body)} bytes which is larger "
                                         f"than download max size ({maxsize}).")
        request.meta.setdefault("fetched_via", "replay")
        headers = Headers()
        for name, value in entry.headers:
            headers.appendlist(name, value)
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=entry.body)
        return respcls(url=request.url, status=entry.status, headers=headers, body=entry.body,
                       flags=["replay"], protocol=entry.protocol)

    async def close(self):
        pass


def settings_problem(settings) -> str | None:
    """What is wrong with ``WARC_OUTPUT`` and ``WARC_REPLAY``, in one line; None if nothing.

    >>> settings_problem({"WARC_REPLAY": "/nonexistent.warc.gz"})
    'WARC_REPLAY=/nonexistent.warc.gz: no such file'
    """
    output, replay = settings.get("WARC_OUTPUT"), settings.get("WARC_REPLAY")
    if not replay:
        return None
    path = Path(replay)
    if not path.is_file():
        return f"WARC_REPLAY={replay}: no such file"
    try:
        with open(path, "rb") as f:
            next(iter(ArchiveIterator(f)))
    except StopIteration:
        return f"WARC_REPLAY={replay}: the file holds no WARC record"
    except Exception as exc:
        return f"WARC_REPLAY={replay}: not a WARC file ({type(exc).__name__}: {exc})"
    if output and Path(output).resolve() == path.resolve():
        return "WARC_OUTPUT and WARC_REPLAY name the same file"
    return None


class WarcAddon:
    """With ``WARC_REPLAY``: http and https come from the archive, and the HTTP cache is off
    (what the store gets must come from the archive, and a replay must not fill the cache
    that a later live crawl would read). Registered in ``ADDONS``: only an add-on can change
    the download handlers from a setting's value."""

    def update_settings(self, settings):
        problem = settings_problem(settings)
        if problem:
            raise ValueError(problem)
        if not settings.get("WARC_REPLAY"):
            return
        handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
        handlers.update(http=f"{__name__}.WarcReplayHandler",
                        https=f"{__name__}.WarcReplayHandler")
        settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
        settings.set("HTTPCACHE_ENABLED", False, priority="spider")
        # Nothing goes out, so there is no server to wait for (-s still overrides these).
        for name, value in (("DOWNLOAD_DELAY", 0), ("AUTOTHROTTLE_ENABLED", False),
                            ("RETRY_BACKOFF_BASE", 0), ("ARXIV_DELAY_SECONDS", 0),
                            ("SEMANTIC_SCHOLAR_DELAY_SECONDS", 0)):
            settings.set(name, value, priority="spider")


# -- requests (the arXiv API) -------------------------------------------------------------
def _urllib3_response(rec: Recorded) -> urllib3.HTTPResponse:
    # A urllib3 response over the raw bytes: requests and the arXiv fetcher read and
    # decompress it exactly as a live one.
    version = 10 if rec.protocol.upper().endswith("1.0") else 11
    headers = [(k, v) for k, v in rec.headers if k.lower() not in _HOP_BY_HOP]
    return urllib3.HTTPResponse(body=io.BytesIO(rec.body), headers=headers, status=rec.status,
                                version=version, reason=rec.reason, preload_content=False,
                                decode_content=True)


def _read_raw(raw, timeout, limit: int = 64 * 1024 * 1024) -> bytes:
    """The undecoded body, within ``timeout`` seconds overall (a trickling server)."""
    total = timeout[-1] if isinstance(timeout, tuple) else timeout
    return read_within(raw, time.monotonic() + float(total or 60), str(total), limit,
                       decode_content=False)


class RecordingAdapter(requests.adapters.HTTPAdapter):
    """A ``requests`` transport that sends for real and records each exchange."""

    def __init__(self, writer: WarcWriterShared, **kwargs):
        super().__init__(**kwargs)
        self.writer = writer

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        try:
            live = super().send(request, stream=True, timeout=timeout, verify=verify,
                                cert=cert, proxies=proxies)
        except requests.exceptions.RequestException as exc:
            self.writer.failure(request.url, "error", str(exc), type(exc).__name__)
            raise
        try:
            body = _read_raw(live.raw, timeout)
        except requests.exceptions.RequestException as exc:
            self.writer.failure(request.url, "error", str(exc), type(exc).__name__)
            raise
        finally:
            live.close()
        raw = live.raw
        rec = Recorded(raw.status, "HTTP/1.0" if raw.version == 10 else "HTTP/1.1",
                       raw.reason or _phrase(raw.status),
                       [(k, v) for k, v in raw.headers.items() if k.lower() not in _HOP_BY_HOP],
                       body)
        self.writer.exchange(request.method, request.url, list(request.headers.items()),
                             request.body or b"", rec)
        return self.build_response(request, _urllib3_response(rec))


class ReplayAdapter(requests.adapters.HTTPAdapter):
    """A ``requests`` transport that answers from a WARC file and never opens a socket
    (and records what it answers when a writer is given: replaying into a new recording)."""

    def __init__(self, index: WarcIndex, writer: WarcWriterShared | None = None, **kwargs):
        super().__init__(**kwargs)
        self.index = index
        self.writer = writer

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        entry = self.index.take(request.url)
        if entry is None:
            raise ApiNotInArchive(f"{request.url} is not in {self.index.path.name}",
                                  request=request)
        if isinstance(entry, RecordedFailure):
            if self.writer is not None:
                self.writer.failure(request.url, entry.outcome, entry.reason, entry.error)
            cls = _REPLAYED_REQUESTS_ERRORS.get(entry.error, requests.exceptions.RequestException)
            raise cls(entry.reason, request=request)
        if self.writer is not None:
            self.writer.exchange(request.method, request.url, list(request.headers.items()),
                                 request.body or b"", entry)
        return self.build_response(request, _urllib3_response(entry))
