"""A fake Wayback Machine on the mini-web: the availability API and raw ``id_`` snapshots.

The availability answers name snapshot URLs on the mini-web itself, so the crawl fetches the
snapshot from 127.0.0.1 like it would fetch ``web.archive.org``::

    api = fake_wayback.API_PATH
    add_snapshot(web, "http://127.0.0.1:1/gone.html", "20180601", "20180530101500", page)
    add_no_snapshot(web, "http://127.0.0.1:1/other.html", "20180601")
    # -s ARCHIVE_API_URL=web.url(api) -s ARCHIVE_TIMESTAMP=20180601
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.miniweb import MiniWeb, Page

API_PATH = "/wayback/available"


def api_path(url: str, list_timestamp: str) -> str:
    return f"{API_PATH}?{urlencode({'url': url, 'timestamp': list_timestamp})}"


def _json(data: dict) -> Page:
    return Page(json.dumps(data).encode(), content_type="application/json")


def add_snapshot(web: MiniWeb, url: str, list_timestamp: str, snapshot_timestamp: str,
                 page: Page) -> str:
    """Answer the API for ``url`` with a snapshot served by ``web``; returns the path of
    the raw (``id_``) snapshot."""
    snapshot = f"{web.base}/web/{snapshot_timestamp}/{url}"
    web.routes[api_path(url, list_timestamp)] = _json({
        "url": url, "archived_snapshots": {"closest": {
            "status": "200", "available": True, "url": snapshot,
            "timestamp": snapshot_timestamp}}})
    raw_path = f"/web/{snapshot_timestamp}id_/{url}"
    web.routes[raw_path] = page
    # The toolbar version: a crawl must never ask for it.
    web.routes[f"/web/{snapshot_timestamp}/{url}"] = Page(b"<html>toolbar</html>")
    return raw_path


def add_no_snapshot(web: MiniWeb, url: str, list_timestamp: str) -> None:
    web.routes[api_path(url, list_timestamp)] = _json({"url": url, "archived_snapshots": {}})
