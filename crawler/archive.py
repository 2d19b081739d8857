"""A web-archive copy for listed links that are dead.

Reading lists age: pages move, blogs close, hosts vanish. When a seed is dead (DNS error,
refused connection, HTTP 404 or 410; see ``crawler.outcomes.is_dead``) the crawl asks the
Wayback Machine's availability API for the snapshot closest to the day the list was
written (``ARCHIVE_TIMESTAMP``, else the newest date in its URLs, else the file's
modification time), then fetches that
snapshot's original bytes (the ``id_`` form, without the archive's toolbar and rewritten
links) and reads it like a live page. The document says so: ``fetched_via='archive'``,
``archive_timestamp``, and a reason that keeps the live failure.

These are the pure parts; the spider's ``failed`` errback drives them.

>>> availability_url("https://archive.org/wayback/available", "http://a.example/x", "20180601")
'https://archive.org/wayback/available?url=http%3A%2F%2Fa.example%2Fx&timestamp=20180601'
>>> raw_snapshot_url("http://web.archive.org/web/20180601000000/http://a.example/x")
'http://web.archive.org/web/20180601000000id_/http://a.example/x'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlencode

_SNAPSHOT = re.compile(r"(/web/\d{4,14})(?:[a-z]{2}_)?/")
_TIMESTAMP = re.compile(r"\d{4,14}")


@dataclass(frozen=True)
class Snapshot:
    url: str           # the snapshot as the archive names it
    timestamp: str     # YYYYMMDDhhmmss
    status: str | None

    @property
    def raw_url(self) -> str:
        return raw_snapshot_url(self.url)

    @property
    def iso(self) -> str:
        """The snapshot time as ISO 8601, as the store keeps it.

        >>> Snapshot("u", "20180601123000", "200").iso
        '2018-06-01T12:30:00+00:00'
        """
        t = self.timestamp.ljust(14, "0")
        return f"{t[:4]}-{t[4:6] or '01'}-{t[6:8] or '01'}T{t[8:10]}:{t[10:12]}:{t[12:14]}+00:00"

    @property
    def date(self) -> str:
        """The snapshot day, for reasons people read.

        >>> Snapshot("u", "20180601123000", "200").date
        '2018-06-01'
        """
        t = self.timestamp
        return "-".join(p for p in (t[:4], t[4:6], t[6:8]) if p)


def availability_url(api_url: str, url: str, timestamp: str | None) -> str:
    """The availability API query for ``url`` near ``timestamp`` (YYYYMMDD...)."""
    query = {"url": url}
    if timestamp:
        query["timestamp"] = timestamp
    return api_url + ("&" if "?" in api_url else "?") + urlencode(query)


def parse_availability(body: bytes) -> Snapshot | None:
    """The closest usable snapshot in an availability answer, or None.

    ValueError when the body is not the API's JSON (the archive is not answering properly).

    >>> parse_availability(b'{"archived_snapshots": {}}') is None
    True
    """
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    closest = (data.get("archived_snapshots") or {}).get("closest") or {}
    url, timestamp = closest.get("url"), str(closest.get("timestamp") or "")
    status = closest.get("status")
    if not closest.get("available") or not isinstance(url, str) or not url.startswith(
            ("http://", "https://")) or not _TIMESTAMP.fullmatch(timestamp):
        return None
    if status is not None and str(status)[:1] in ("4", "5"):
        return None  # the archive only has a capture of the error page
    return Snapshot(url, timestamp, None if status is None else str(status))


def raw_snapshot_url(snapshot_url: str) -> str:
    """The snapshot's original bytes: ``/web/<timestamp>id_/<url>``."""
    return _SNAPSHOT.sub(r"\1id_/", snapshot_url, count=1)


_URL_YEAR_MONTH = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])(?:/(0[1-9]|[12]\d|3[01]))?(?=/|$)")


def newest_url_date(urls) -> str | None:
    """The newest /YYYY/MM[/DD] date in the URLs' paths, as YYYYMMDD (day 15 if unknown).

    A list is at least as young as the newest dated post it links, and that date survives
    copying and cloning, which reset a file's modification time.

    >>> newest_url_date(["https://a.example/2017/07/x/", "https://b.example/2018/03/20/y/"])
    '20180320'
    """
    dates = []
    for url in urls:
        path = urlsplit(url).path
        for year, month, day in _URL_YEAR_MONTH.findall(path):
            dates.append(f"{year}{month}{day or '15'}")
    return max(dates, default=None)


def list_timestamp(reading_list: str | Path, override: str | None = None,
                   urls=()) -> str | None:
    """When the list was written, as the API wants it: ``ARCHIVE_TIMESTAMP`` if set, else
    the newest date in its URLs, else the file's modification date (UTC); None if none is
    known."""
    if override:
        value = str(override).strip()
        if not _TIMESTAMP.fullmatch(value):
            raise ValueError(f"ARCHIVE_TIMESTAMP={value!r}: expected YYYYMMDD[hhmmss]")
        return value
    from_urls = newest_url_date(urls)
    if from_urls:
        return from_urls
    try:
        mtime = Path(reading_list).stat().st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(mtime, timezone.utc).strftime("%Y%m%d")


def is_unreachable(outcome: str, http_status: int | None) -> bool:
    """An archive failure that means "stop asking it for the rest of the crawl"."""
    return outcome in ("dns_error", "connection_refused", "timeout", "error") or (
        http_status is not None and (http_status >= 500 or http_status == 429))


def served_reason(live_reason: str, snapshot: Snapshot, problem: str | None = None) -> str:
    """The reason of a document served from a snapshot: the live failure comes first.

    >>> served_reason("HTTP 404", Snapshot("u", "20180601000000", "200"))
    'live: HTTP 404; served from the web archive snapshot of 2018-06-01'
    """
    if problem:
        return f"live: {live_reason}; web archive snapshot of {snapshot.date}: {problem}"
    return f"live: {live_reason}; served from the web archive snapshot of {snapshot.date}"
