"""The web-archive fallback for dead seeds, against a fake Wayback Machine on 127.0.0.1."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from crawler.archive import (Snapshot, availability_url, is_unreachable, list_timestamp,
                             parse_availability, raw_snapshot_url, served_reason)
from tests.conftest import run_crawl
from tests.fake_wayback import API_PATH, add_no_snapshot, add_snapshot, api_path
from tests.miniweb import Page

LIST_TS = "20180601"
REFUSED = "http://127.0.0.1:1/vanished.html"
ARCHIVED = Page(b"<html><head><title>Archived notes</title></head><body><article><p>Batch"
                b" normalization keeps activations in a stable range during training.</p>"
                b"</article></body></html>")


# -- the pure parts -------------------------------------------------------------------------
def test_availability_url_quotes_the_url_and_keeps_an_existing_query():
    assert availability_url("https://archive.org/wayback/available", "http://a.example/?q=1&r=2",
                            "20180601") == ("https://archive.org/wayback/available?url=http%3A"
                                            "%2F%2Fa.example%2F%3Fq%3D1%26r%3D2&timestamp=20180601")
    assert availability_url("http://h/api?key=k", "http://a.example/", None) == (
        "http://h/api?key=k&url=http%3A%2F%2Fa.example%2F")


@pytest.mark.parametrize("body, expected", [
    (b'{"url": "a.example", "archived_snapshots": {"closest": {"status": "200", "available":'
     b' true, "url": "http://web.archive.org/web/20180530101500/http://a.example/",'
     b' "timestamp": "20180530101500"}}}',
     Snapshot("http://web.archive.org/web/20180530101500/http://a.example/", "20180530101500",
              "200")),
    (b'{"url": "a.example", "archived_snapshots": {}}', None),
    (b'{"archived_snapshots": {"closest": {"available": false, "url": "http://x/",'
     b' "timestamp": "20180530101500"}}}', None),
    (b'{"archived_snapshots": {"closest": {"available": true, "status": "404",'
     b' "url": "http://web.archive.org/web/2018/http://a/", "timestamp": "2018"}}}', None),
    (b'{"archived_snapshots": {"closest": {"available": true, "url": "javascript:alert(1)",'
     b' "timestamp": "20180530101500"}}}', None),
    (b'{"archived_snapshots": {"closest": {"available": true, "url": "http://w/web/1/x",'
     b' "timestamp": "not-a-time"}}}', None),
])
def test_parse_availability(body, expected):
    assert parse_availability(body) == expected


@pytest.mark.parametrize("body", [b"<html>Service Unavailable</html>", b"[1, 2]", b"\xff\xfe"])
def test_parse_availability_rejects_what_is_not_the_apis_json(body):
    with pytest.raises(ValueError):
        parse_availability(body)


@pytest.mark.parametrize("snapshot, raw", [
    ("http://web.archive.org/web/20180530101500/http://a.example/x?y=1",
     "http://web.archive.org/web/20180530101500id_/http://a.example/x?y=1"),
    ("https://web.archive.org/web/20180530101500im_/https://a.example/i.png",
     "https://web.archive.org/web/20180530101500id_/https://a.example/i.png"),
    ("https://web.archive.org/web/20180530101500id_/https://a.example/",
     "https://web.archive.org/web/20180530101500id_/https://a.example/"),
])
def test_raw_snapshot_url_asks_for_the_original_bytes(snapshot, raw):
    assert raw_snapshot_url(snapshot) == raw


def test_list_timestamp_is_the_lists_mtime_unless_overridden(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("http://a.example/\n", encoding="utf-8")
    written = datetime(2018, 6, 1, 12, 0, tzinfo=timezone.utc).timestamp()
    os.utime(path, (written, written))
    assert list_timestamp(path) == "20180601"
    assert list_timestamp(path, "20150102") == "20150102"
    assert list_timestamp(tmp_path / "missing.txt") is None
    with pytest.raises(ValueError):
        list_timestamp(path, "June 2018")


def test_unreachable_and_reasons():
    assert is_unreachable("connection_refused", None) and is_unreachable("http_error", 503)
    assert is_unreachable("timeout", None) and is_unreachable("http_error", 429)
    assert not is_unreachable("http_error", 404)
    snap = Snapshot("u", "20180530101500", "200")
    assert snap.iso == "2018-05-30T10:15:00+00:00"
    assert served_reason("HTTP 410", snap, "unreadable pdf: encrypted") == (
        "live: HTTP 410; web archive snapshot of 2018-05-30: unreadable pdf: encrypted")


# -- crawls ---------------------------------------------------------------------------------
def archive_settings(web, **extra) -> dict:
    return {"ARCHIVE_FALLBACK": "True", "ARCHIVE_API_URL": web.url(API_PATH),
            "ARCHIVE_TIMESTAMP": LIST_TS, **extra}


def write_list(tmp_path, lines) -> os.PathLike:
    path = tmp_path / "list.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def api_requests(web) -> list[str]:
    return [p for _, p, _ in web.log if p.startswith(API_PATH)]


def test_dead_seeds_are_served_from_their_snapshot(miniweb, tmp_path):
    gone, removed = miniweb.url("/gone.html"), miniweb.url("/removed.html")
    miniweb.routes["/removed.html"] = Page(b"<html>Gone</html>", status=410)
    raw_gone = add_snapshot(miniweb, gone, LIST_TS, "20180530101500", ARCHIVED)
    add_snapshot(miniweb, REFUSED, LIST_TS, "20170102030405", Page(
        b"<html><head><title>Old host</title></head><body><p>Residual networks add the"
        b" input of a block to its output.</p></body></html>"))
    add_no_snapshot(miniweb, removed, LIST_TS)
    run = run_crawl(tmp_path / "data", write_list(tmp_path, [gone, removed, REFUSED]),
                    archive_settings(miniweb), args={"depth": 0})
    assert run.returncode == 0, run.stderr[-3000:]
    store = run.store()

    doc = store.document(gone)
    assert (doc["outcome"], doc["fetched_via"], doc["http_status"], doc["title"]) == (
        "ok", "archive", 200, "Archived notes")
    assert doc["archive_timestamp"] == "2018-05-30T10:15:00+00:00"
    assert doc["reason"] == "live: HTTP 404; served from the web archive snapshot of 2018-05-30"
    assert "Batch normalization" in doc["text"]
    assert doc["final_url"] == miniweb.url(raw_gone)

    refused = store.document(REFUSED)
    assert (refused["outcome"], refused["fetched_via"]) == ("ok", "archive")
    assert refused["reason"].startswith("live: Connection was refused")
    assert refused["reason"].endswith("served from the web archive snapshot of 2017-01-02")

    gone410 = store.document(removed)
    assert (gone410["outcome"], gone410["http_status"]) == ("http_error", 410)
    assert gone410["reason"] == "HTTP 410; no web-archive snapshot"
    assert gone410["archive_timestamp"] is None

    # Only the raw form of a snapshot is fetched, never the toolbar page.
    assert not [p for _, p, _ in miniweb.log if "/web/20180530101500/" in p]
    assert len(set(api_requests(miniweb))) == 3


def test_the_list_date_is_its_modification_time(miniweb, tmp_path):
    gone = miniweb.url("/gone.html")
    add_no_snapshot(miniweb, gone, "20160315")
    seeds = write_list(tmp_path, [gone])
    written = datetime(2016, 3, 15, 9, 0, tzinfo=timezone.utc).timestamp()
    os.utime(seeds, (written, written))
    settings = archive_settings(miniweb)
    del settings["ARCHIVE_TIMESTAMP"]
    run = run_crawl(tmp_path / "data", seeds, settings, args={"depth": 0})
    assert run.returncode == 0, run.stderr[-3000:]
    assert api_requests(miniweb) == [api_path(gone, "20160315")]
    assert run.store().document(gone)["reason"] == "HTTP 404; no web-archive snapshot"


def test_an_unreachable_archive_is_asked_once(miniweb, tmp_path):
    dead = [miniweb.url(f"/dead/{i}.html") for i in range(4)]
    for url in dead:
        miniweb.routes[api_path(url, LIST_TS)] = Page(b"<html>busy</html>", status=503)
    run = run_crawl(tmp_path / "data", write_list(tmp_path, dead), archive_settings(miniweb),
                    args={"depth": 0})
    assert run.returncode == 0, run.stderr[-3000:]
    asked = api_requests(miniweb)
    assert len(set(asked)) == 1 and len(asked) == 2       # one question and its one retry
    reasons = [run.store().document(url)["reason"] for url in dead]
    assert sum("web archive API failed (HTTP 503)" in r for r in reasons) == 1
    assert sum("web archive not asked (unreachable earlier in this crawl: HTTP 503)" in r
               for r in reasons) == 3
    assert all(run.store().document(url)["outcome"] == "http_error" for url in dead)


def test_only_dead_seeds_are_looked_up(miniweb, tmp_path):
    miniweb.routes["/error.html"] = Page(b"oops", status=500)
    miniweb.routes["/forbidden.html"] = Page(b"no", status=403)
    miniweb.routes["/page.html"] = Page(
        b"<html><head><title>Links</title></head><body><article><p>A page about convolution"
        b" with a <a href='/missing-link.html'>broken link</a>.</p></article></body></html>")
    add_no_snapshot(miniweb, miniweb.url("/missing-link.html"), LIST_TS)
    lines = [miniweb.url("/error.html"), miniweb.url("/forbidden.html"),
             miniweb.url("/page.html")]
    run = run_crawl(tmp_path / "data", write_list(tmp_path, lines), archive_settings(miniweb),
                    args={"depth": 1})
    assert run.returncode == 0, run.stderr[-3000:]
    assert api_requests(miniweb) == []
    link = run.store().document(miniweb.url("/missing-link.html"))
    assert (link["outcome"], link["depth"], link["reason"]) == ("http_error", 1, "HTTP 404")


def test_fallback_can_be_switched_off(miniweb, tmp_path):
    gone = miniweb.url("/gone.html")
    add_snapshot(miniweb, gone, LIST_TS, "20180530101500", ARCHIVED)
    run = run_crawl(tmp_path / "data", write_list(tmp_path, [gone]),
                    archive_settings(miniweb, ARCHIVE_FALLBACK="False"), args={"depth": 0})
    assert run.returncode == 0, run.stderr[-3000:]
    assert api_requests(miniweb) == []
    assert run.store().document(gone)["reason"] == "HTTP 404"
