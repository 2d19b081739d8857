"""WARC recording and replay: the mini-web and a fake arXiv API recorded live, then replayed
with both servers stopped; the store and the graph come out the same."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import networkx as nx
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.arxiv_fetch import ArxivFetcher
from crawler.warc import (FAILURE_TYPE, Recorded, RecordedFailure, RecordingAdapter,
                          ReplayAdapter, WarcIndex, WarcWriterShared, complete_length)
from tests.conftest import run_crawl
from tests.fake_arxiv import FakeArxiv
from tests.fake_wayback import API_PATH, add_no_snapshot, add_snapshot
from tests.miniweb import Page
from tests.sites import build_site

LIST_TS = "20180601"
COMPARED = {  # table -> key columns (every other column is compared too)
    "documents": ("url",), "links": ("from_url", "to_url"), "papers": ("arxiv_id",),
    "paper_refs": ("arxiv_id", "doc_url", "how"), "seeds": ("list_path", "line", "url"),
    "hints": ("list_path", "line"), "problems": ("list_path", "line"),
}
IGNORED = {"fetched_at", "fetched_via"}


def table_rows(path: Path, table: str) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        rows = [{k: r[k] for k in r.keys() if k not in IGNORED}
                for r in conn.execute(f"SELECT * FROM {table}")]
    finally:
        conn.close()
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in COMPARED[table]))


def graph_data(path: Path):
    G = nx.read_graphml(path, force_multigraph=True)
    nodes = {n: {k: v for k, v in d.items() if k != "fetched_via"} for n, d in G.nodes(data=True)}
    edges = sorted((u, v, json.dumps(d, sort_keys=True)) for u, v, d in G.edges(data=True))
    return nodes, edges


def read_records(path: Path) -> list:
    """(type, uri, http status or None, payload bytes, digest passed) of every record."""
    out = []
    with open(path, "rb") as f:
        for record in ArchiveIterator(f, check_digests=True):
            payload = record.raw_stream.read()
            status = record.http_headers.get_statuscode() if (
                record.rec_type == "response") else None
            out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"),
                        status, payload, record.digest_checker.passed,
                        record.http_headers))
    return out


@pytest.fixture
def recorded_site(miniweb, tmp_path):
    """The site crawled live into a WARC: (urls, live run, settings, warc path, seeds)."""
    fake = FakeArxiv().start()
    urls = build_site(miniweb)
    miniweb.routes["/gz.html"] = Page(gzip.compress(
        b"<html><head><title>Compressed</title></head><body><article><p>Gradient descent"
        b" follows the negative gradient of the loss. See <a href='/linked.html'>momentum"
        b"</a>.</p></article></body></html>"),
        headers={"Content-Encoding": "gzip"})
    miniweb.routes["/linked.html"] = Page(b"<html><head><title>Momentum</title></head><body>"
                                          b"<p>Momentum accumulates past gradients.</p></body>"
                                          b"</html>")
    dead = "http://127.0.0.1:1/vanished.html"       # connection refused
    add_no_snapshot(miniweb, dead, LIST_TS)
    add_snapshot(miniweb, urls["missing"], LIST_TS, "20180530101500", Page(
        b"<html><head><title>Archived post</title></head><body><article><p>Dropout was"
        b" proposed to reduce overfitting in large networks.</p></article></body></html>"))
    listing = [urls["blog"], urls["gbk"], urls["pdf"], urls["code"], urls["redirect"],
               urls["missing"], urls["flaky"], urls["robots"], urls["big"], urls["image"],
               miniweb.url("/gz.html"), "https://arxiv.org/abs/1311.2524", dead]
    seeds = tmp_path / "list.txt"
    seeds.write_text("\n".join(listing), encoding="utf-8")
    warc = tmp_path / "crawl.warc.gz"
    settings = {
        "DOWNLOAD_MAXSIZE": str(1024 * 1024), "GITHUB_RAW_BASE": miniweb.url("/raw"),
        "ARXIV_API_URL": fake.api_url, "ARCHIVE_FALLBACK": "True",
        "ARCHIVE_API_URL": miniweb.url(API_PATH), "ARCHIVE_TIMESTAMP": LIST_TS,
    }
    live = run_crawl(tmp_path / "live", seeds, {**settings, "WARC_OUTPUT": str(warc)},
                     args={"depth": 1})
    fake.stop()
    yield urls, live, settings, warc, seeds, fake, dead


def test_recording_is_a_standard_warc_with_every_exchange(recorded_site, miniweb):
    urls, live, settings, warc, seeds, fake, dead = recorded_site
    assert live.returncode == 0, live.stderr[-3000:]
    records = read_records(warc)
    assert records[0][0] == "warcinfo"
    assert all(passed is True for *_, passed, _h in records)    # every digest present and right
    by_type = {}
    for rtype, uri, status, payload, _, http in records:
        by_type.setdefault(rtype, []).append((uri, status, payload, http))
    responses = {uri: (status, payload, http) for uri, status, payload, http in by_type["response"]}
    requests_ = {uri for uri, *_ in by_type["request"]}
    assert set(responses) <= requests_          # every response has its request record
    assert responses[miniweb.url("/robots.txt")][0] == "200"
    assert responses[urls["redirect"]][0] == "301"                   # each hop
    assert responses[miniweb.url("/older")][0] == "302"
    assert responses[miniweb.url("/blog/moved.html")][0] == "200"
    assert responses[urls["missing"]][0] == "404"
    status, payload, http = responses[miniweb.url("/gz.html")]
    assert payload.startswith(b"\x1f\x8b") and http.get_header("Content-Encoding") == "gzip"
    api = [uri for uri in responses if uri.startswith(fake.api_url)]
    assert len(api) == 1 and "1311.2524" in api[0] and "1506.01497" in api[0]
    assert any(uri.startswith(miniweb.url(API_PATH)) for uri in responses)
    assert any("/web/20180530101500id_/" in uri for uri in responses)
    # Downloads with no response are kept as failure records.
    failures = {uri: json.loads(payload) for uri, _, payload, _ in by_type["metadata"]}
    assert failures[dead]["outcome"] == "connection_refused"
    assert sum(1 for uri, *_ in by_type["response"] if uri == urls["flaky"]) == 2

    docs = {d["url"]: d for d in live.store().documents()}
    assert docs[urls["flaky"]]["outcome"] == "ok"
    assert docs[urls["robots"]]["outcome"] == "robots_blocked"
    assert docs[urls["big"]]["outcome"] == "too_large"
    assert docs[miniweb.url("/gz.html")]["title"] == "Compressed"
    assert (docs[miniweb.url("/linked.html")]["outcome"], docs[miniweb.url("/linked.html")][
        "depth"]) == ("ok", 1)
    assert docs[dead]["outcome"] == "connection_refused"
    assert docs[dead]["reason"].endswith("; no web-archive snapshot")
    archived = docs[urls["missing"]]
    assert (archived["outcome"], archived["fetched_via"], archived["http_status"]) == (
        "ok", "archive", 200)
    assert archived["archive_timestamp"] == "2018-05-30T10:15:00+00:00"
    assert archived["reason"] == ("live: HTTP 404; served from the web archive snapshot of"
                                  " 2018-05-30")


def test_replay_without_network_gives_the_same_store_and_graph(recorded_site, miniweb):
    urls, live, settings, warc, seeds, fake, dead = recorded_site
    assert live.returncode == 0, live.stderr[-3000:]
    miniweb.stop()                          # nothing is served any more
    replay = run_crawl(seeds.parent / "replay", seeds, {**settings, "WARC_REPLAY": str(warc)},
                       args={"depth": 1})
    assert replay.returncode == 0, replay.stderr[-3000:]
    for table in COMPARED:
        assert table_rows(replay.store_path, table) == table_rows(live.store_path, table), table
    store = replay.store()
    vias = {d["url"]: d["fetched_via"] for d in store.documents()}
    assert vias[urls["blog"]] == "replay"
    assert vias[urls["missing"]] == "archive"
    assert vias["https://arxiv.org/abs/1311.2524"] == "arxiv-api"
    assert store.paper("1506.01497")["status"] == "ok"
    assert not (replay.data_dir / "httpcache").exists()
    assert graph_data(replay.data_dir / "graph.graphml") == graph_data(
        live.data_dir / "graph.graphml")


def test_a_url_missing_from_the_archive_is_not_in_archive(miniweb, tmp_path):
    miniweb.routes["/a.html"] = Page(b"<html><title>A</title><p>Alpha text here.</p></html>")
    seeds = tmp_path / "list.txt"
    seeds.write_text(miniweb.url("/a.html"), encoding="utf-8")
    warc = tmp_path / "a.warc.gz"
    live = run_crawl(tmp_path / "live", seeds, {"WARC_OUTPUT": str(warc)}, args={"depth": 0})
    assert live.returncode == 0, live.stderr[-2000:]
    seeds.write_text(miniweb.url("/a.html") + "\n" + miniweb.url("/b.html"), encoding="utf-8")
    miniweb.stop()
    replay = run_crawl(tmp_path / "replay", seeds, {"WARC_REPLAY": str(warc)},
                       args={"depth": 0})
    assert replay.returncode == 0, replay.stderr[-2000:]
    store = replay.store()
    assert store.document(miniweb.url("/a.html"))["outcome"] == "ok"
    missing = store.document(miniweb.url("/b.html"))
    assert missing["outcome"] == "not_in_archive"
    assert "b.html" in missing["reason"] and "a.warc.gz" in missing["reason"]


def test_refused_links_replay_as_refused_without_resolving_names(miniweb, tmp_path):
    port = miniweb.port
    miniweb.routes["/page.html"] = Page(f"""<html><head><title>Links</title></head><body>
<article><p>Object detection notes, see <a href="http://localhost:{port}/admin.html">the
admin page</a> and <a href="http://127.0.0.1:{port}/internal.html">an internal page</a>.
</p></article></body></html>""".encode())
    seeds = tmp_path / "list.txt"
    seeds.write_text(miniweb.url("/page.html"), encoding="utf-8")
    warc = tmp_path / "links.warc.gz"
    settings = {"ALLOW_PRIVATE_LINKS": "False"}
    live = run_crawl(tmp_path / "live", seeds, {**settings, "WARC_OUTPUT": str(warc)},
                     args={"depth": 1})
    assert live.returncode == 0, live.stderr[-2000:]
    miniweb.stop()
    replay = run_crawl(tmp_path / "replay", seeds, {**settings, "WARC_REPLAY": str(warc)},
                       args={"depth": 1})
    assert replay.returncode == 0, replay.stderr[-2000:]
    rows = table_rows(replay.store_path, "documents")
    assert rows == table_rows(live.store_path, "documents")
    assert sorted(r["outcome"] for r in rows) == ["blocked_private", "blocked_private", "ok"]


# -- the pieces, in process -----------------------------------------------------------------
def test_index_serves_records_of_a_url_in_order_then_the_last_again(tmp_path):
    path = tmp_path / "t.warc.gz"
    writer = WarcWriterShared(path, {"software": "test"})
    url = "http://a.example/x"
    writer.exchange("GET", url, [], b"", Recorded(500, "HTTP/1.1", "Internal Server Error",
                                                   [("Content-Type", "text/plain")], b"busy"))
    writer.exchange("GET", url, [], b"", Recorded(200, "HTTP/1.1", "OK", [], b"fine"))
    writer.failure("http://b.example/", "dns_error", "no such host", "CannotResolveHostError")
    writer.close()
    index = WarcIndex(path)
    assert [index.take(url).body for _ in range(3)] == [b"busy", b"fine", b"fine"]
    assert index.take("http://b.example/") == RecordedFailure(
        "dns_error", "no such host", "CannotResolveHostError")
    assert index.take("http://c.example/") is None


def test_a_torn_recording_is_cut_before_appending(tmp_path):
    path = tmp_path / "t.warc.gz"
    writer = WarcWriterShared(path, {"software": "test"})
    writer.exchange("GET", "http://a.example/", [], b"", Recorded(200, "HTTP/1.1", "OK", [],
                                                                  b"one"))
    writer.close()
    whole = path.stat().st_size
    with open(path, "ab") as f:              # a kill in the middle of the next record
        f.write(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n" + b"x" * 500)[:60])
    assert complete_length(path) == whole
    writer = WarcWriterShared(path, {"software": "test"}, append=True)   # a resumed job
    writer.exchange("GET", "http://b.example/", [], b"", Recorded(200, "HTTP/1.1", "OK", [],
                                                                  b"two"))
    writer.close()
    records = read_records(path)
    assert [r[0] for r in records] == ["warcinfo", "response", "request", "warcinfo",
                                       "response", "request"]
    assert all(r[4] is not False for r in records)
    assert WarcIndex(path).take("http://b.example/").body == b"two"
    WarcWriterShared(path, {"software": "test"}).close()                 # a new crawl
    assert [r[0] for r in read_records(path)] == ["warcinfo"]


def test_arxiv_api_is_recorded_and_replayed_through_the_adapters(tmp_path):
    fake = FakeArxiv().start()
    path = tmp_path / "api.warc.gz"
    writer = WarcWriterShared(path, {"software": "test"})
    try:
        live = ArxivFetcher(api_url=fake.api_url, delay_seconds=0, timeout=5, retries=0,
                            session=RecordingAdapter(writer))
        first = live.fetch(["1311.2524", "1506.01497", "9912.99999"])
    finally:
        writer.close()
        fake.stop()
    assert first["1311.2524"]["status"] == "ok" and first["9912.99999"]["status"] == "not_found"
    records = read_records(path)
    assert {r[0] for r in records} == {"warcinfo", "request", "response"}
    replay = ArxivFetcher(api_url=fake.api_url, delay_seconds=0, timeout=5, retries=0,
                          session=ReplayAdapter(WarcIndex(path)))
    assert replay.fetch(["1311.2524", "1506.01497", "9912.99999"]) == first
    other = replay.fetch(["1512.03385"])          # never recorded: a clear failure
    assert other["1512.03385"]["status"] == "failed"
    assert "not in api.warc.gz" in other["1512.03385"]["error"]


def test_failure_records_use_their_own_content_type(tmp_path):
    path = tmp_path / "f.warc"
    writer = WarcWriterShared(path, {"software": "test"})
    writer.failure("http://a.example/", "timeout", "took too long", "DownloadTimeoutError")
    writer.close()
    with open(path, "rb") as f:
        kinds = [(r.rec_type, r.rec_headers.get_header("Content-Type")) for r in ArchiveIterator(f)]
    assert kinds == [("warcinfo", "application/warc-fields"), ("metadata", FAILURE_TYPE)]
