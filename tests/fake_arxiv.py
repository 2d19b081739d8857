"""A fake arXiv API on 127.0.0.1, answering ``/api/query?id_list=...`` in the real Atom format.

Papers come from ``tests/fixtures/arxiv-papers.json`` (checked metadata) plus the short
fixture abstracts below, written for these tests. Like the real API, unknown well-formed
ids are silently missing, and ``totalResults`` counts every id asked for (so a client that
trusts it asks for a further page); a malformed id gets HTTP 400 with an Atom error entry.

The server logs every request (arrival time on the monotonic clock, parameters) and can be
told what to do with the next requests::

    fake.fail_next(2, status=503)     # two 503s, then normal answers
    fake.garbage_next(1)              # a body that is not XML
    fake.empty_next(1)                # a valid feed with no entries
    fake.hang_next(1, seconds=5)      # accept the request, never answer
    fake.trickle_next(1, seconds=3)   # answer one byte at a time

    from tests.fake_arxiv import fake_arxiv   # the pytest fixture
"""

from __future__ import annotations

import gzip
import json
import re
import textwrap
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pytest

from tests.loopback import ScriptedApi

FIXTURE = Path(__file__).with_name("fixtures") / "arxiv-papers.json"

# Fixture-only additions: short abstracts written for these tests (the checked facts have
# an abstract only for 1710.07035), a primary category, and a version number.
FIXTURE_EXTRAS = {
    "1311.2524": ("cs.CV", 1, "We combine bottom-up region proposals with convolutional "
                  "neural networks to detect objects. The method, R-CNN, improves mean "
                  "average precision on PASCAL VOC by a wide margin."),
    "1504.08083": ("cs.CV", 1, "We propose Fast R-CNN, an object detector that runs one "
                   "network over the whole image and pools features for each region. It "
                   "trains and tests faster than R-CNN."),
    "1506.01497": ("cs.CV", 3, "We introduce a Region Proposal Network that shares "
                   "convolutional features with the detection network. Together they form "
                   "Faster R-CNN, which detects objects in near real time."),
    "1703.06870": ("cs.CV", 1, "We extend Faster R-CNN with a branch that predicts a mask "
                   "for each object. Mask R-CNN handles instance segmentation, detection "
                   "and pose estimation in one framework."),
    "1506.02640": ("cs.CV", 1, "We frame object detection as one regression from image "
                   "pixels to boxes and class probabilities. YOLO looks at the image once "
                   "and runs in real time."),
    "1512.02325": ("cs.CV", 1, "We present SSD, a detector that predicts boxes of several "
                   "shapes from feature maps at several scales in a single pass."),
    "1512.03385": ("cs.CV", 1, "We reformulate layers as learning residual functions, "
                   "which makes very deep networks trainable. Residual networks of 152 "
                   "layers win the ImageNet classification task."),
    "1409.4842": ("cs.CV", 1, "We propose Inception, a convolutional architecture that "
                  "grows the depth and width of a network at a fixed computing budget. "
                  "GoogLeNet, a 22-layer network, is one instance."),
    "1502.03167": ("cs.LG", 1, "We normalize the inputs of each layer over a mini-batch. "
                   "Batch Normalization allows higher learning rates and makes training "
                   "faster."),
    "1710.09829": ("cs.CV", 1, "We train capsules, groups of neurons whose activity vector "
                   "stands for an object part, and route between them by agreement."),
    "1707.07012": ("cs.CV", 1, "We search for a convolutional cell on a small dataset and "
                   "stack copies of it for a large one. The resulting NASNet reaches high "
                   "accuracy on ImageNet."),
    "1707.01083": ("cs.CV", 1, "We design ShuffleNet for mobile devices, using pointwise "
                   "group convolutions and a channel shuffle to cut computation."),
}

_WELL_FORMED = re.compile(
    r"\d{4}\.\d{4,5}(v\d+)?|[a-z]+(-[a-z]+)?(\.[A-Za-z-]+)?/\d{7}(v\d+)?")


def load_fixture_papers(path: Path = FIXTURE) -> dict[str, dict]:
    """The fixture papers by id, each with title, authors, abstract, dates, categories."""
    papers = {}
    for fact in json.loads(path.read_text(encoding="utf-8"))["papers"]:
        primary, version, abstract = FIXTURE_EXTRAS.get(fact["id"], ("cs.CV", 1, ""))
        published = fact.get("published") or f"{fact['month']}-01"
        papers[fact["id"]] = {
            "id": fact["id"],
            "version": version,
            "title": fact["title"],
            "authors": list(fact["authors"]),
            "abstract": fact.get("abstract") or abstract,
            "published": published + "T00:00:00Z",
            "updated": published + "T00:00:00Z",
            "primary_category": fact.get("primary_category") or primary,
            "categories": [fact.get("primary_category") or primary],
            "doi": fact.get("doi"),
            "journal_ref": fact.get("journal_ref"),
            "comment": fact.get("comment"),
        }
    return papers


def entry_xml(p: dict) -> str:
    """One ``<entry>`` laid out like the real API's (wrapped title and summary included)."""
    vid = f"{p['id']}v{p.get('version', 1)}"
    ns = 'xmlns:arxiv="http://arxiv.org/schemas/atom"'
    title = "\n  ".join(textwrap.wrap(p["title"], 70)) or p["title"]
    summary = "\n".join(textwrap.wrap(p.get("abstract") or "", 78))
    out = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{vid}</id>",
        f"    <updated>{p['updated']}</updated>",
        f"    <published>{p['published']}</published>",
        f"    <title>{escape(title)}</title>",
        f"    <summary>  {escape(summary)}\n</summary>",
    ]
    for name in p["authors"]:
        out += ["    <author>", f"      <name>{escape(name)}</name>", "    </author>"]
    if p.get("doi"):
        out.append(f"    <arxiv:doi {ns}>{escape(p['doi'])}</arxiv:doi>")
        out.append(f'    <link title="doi" href="http://dx.doi.org/{escape(p["doi"])}"'
                   ' rel="related"/>')
    if p.get("comment"):
        out.append(f"    <arxiv:comment {ns}>{escape(p['comment'])}</arxiv:comment>")
    if p.get("journal_ref"):
        out.append(f"    <arxiv:journal_ref {ns}>{escape(p['journal_ref'])}</arxiv:journal_ref>")
    out += [
        f'    <link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
        f'    <link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related"'
        ' type="application/pdf"/>',
        f'    <arxiv:primary_category {ns} term={quoteattr(p["primary_category"])}'
        ' scheme="http://arxiv.org/schemas/atom"/>',
    ]
    for cat in p["categories"]:
        out.append(f'    <category term={quoteattr(cat)} scheme="http://arxiv.org/schemas/atom"/>')
    out.append("  </entry>")
    return "\n".join(out)


def feed_xml(query: dict, entries: list[str], total: int, start: int, per_page: int) -> bytes:
    """A whole response feed around ``entries``."""
    qs = urlencode(query)
    os_ns = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f'  <link href={quoteattr("http://arxiv.org/api/query?" + qs)} rel="self"'
        ' type="application/atom+xml"/>',
        f'  <title type="html">ArXiv Query: {escape(qs)}</title>',
        "  <id>http://arxiv.org/api/fakefeedid</id>",
        "  <updated>2026-11-25T00:00:00-05:00</updated>",
        f"  <opensearch:totalResults {os_ns}>{total}</opensearch:totalResults>",
        f"  <opensearch:startIndex {os_ns}>{start}</opensearch:startIndex>",
        f"  <opensearch:itemsPerPage {os_ns}>{per_page}</opensearch:itemsPerPage>",
    ]
    return ("\n".join(head + entries + ["</feed>", ""])).encode("utf-8")


def error_feed(query: dict, message: str) -> bytes:
    """The real API's error answer: a feed whose one entry is the error."""
    anchor = "http://arxiv.org/api/errors#" + message.replace(" ", "_")
    entry = "\n".join([
        "  <entry>",
        f"    <id>{escape(anchor)}</id>",
        "    <title>Error</title>",
        f"    <summary>{escape(message)}</summary>",
        "    <updated>2026-11-25T00:00:00-05:00</updated>",
        f'    <link href={quoteattr(anchor)} rel="alternate" type="text/html"/>',
        "    <author>",
        "      <name>arXiv api core</name>",
        "    </author>",
        "  </entry>",
    ])
    return feed_xml(query, [entry], 1, 0, 1)


@dataclass
class ApiRequest:
    time: float                      # time.monotonic() when the request arrived
    path: str
    params: dict[str, str]
    ids: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


class FakeArxiv(ScriptedApi):
    """The fake API server. ``api_url`` is the endpoint to give the fetcher."""

    GARBAGE = b"<html><body><h1>502 Bad Gateway</h1><p>upstream error <<< \x00\xff"

    def __init__(self, papers: dict[str, dict] | None = None):
        self.papers = load_fixture_papers() if papers is None else dict(papers)
        self.in_flight = 0
        self.max_in_flight = 0
        self.gzip = False                  # compress answers for clients that accept it
        super().__init__()
        self.api_url = f"{self.base}/api/query"

    def handle(self, request, method: str) -> None:
        self._serve(request)

    # -- control ----------------------------------------------------------------------------

    def add_paper(self, paper: dict) -> None:
        """Add a paper: id, title, authors; the other fields get plain defaults."""
        p = {"version": 1, "abstract": f"Abstract of {paper['id']}.",
             "published": "2018-01-02T03:04:05Z", "updated": "2018-01-02T03:04:05Z",
             "primary_category": "cs.LG", "categories": None, "doi": None,
             "journal_ref": None, "comment": None}
        p.update(paper)
        p["categories"] = p["categories"] or [p["primary_category"]]
        self.papers[p["id"]] = p

    def add_synthetic(self, n: int, start: int = 1) -> list[str]:
        """Add ``n`` synthetic papers 1801.00001, 1801.00002, ...; returns their ids."""
        ids = []
        for i in range(start, start + n):
            arxiv_id = f"1801.{i:05d}"
            self.add_paper({"id": arxiv_id, "title": f"Synthetic paper {i}",
                            "authors": [f"Author {i}", "Second Author"]})
            ids.append(arxiv_id)
        return ids

    def garbage_next(self, n: int = 1, body: bytes | None = None) -> None:
        self._queue("garbage", n, body=body if body is not None else self.GARBAGE)

    def empty_next(self, n: int = 1) -> None:
        self._queue("empty", n)

    def trickle_next(self, n: int = 1, seconds: float = 30.0, interval: float = 0.05) -> None:
        self._queue("trickle", n, seconds=seconds, interval=interval)

    # -- what was asked ---------------------------------------------------------------------
    @property
    def request_count(self) -> int:
        return len(self.requests)

    # -- serving ----------------------------------------------------------------------------
    def _send(self, h, status: int, body: bytes, ctype="application/atom+xml; charset=utf-8",
              headers: dict | None = None) -> None:
        headers = dict(headers or {})
        if self.gzip and "gzip" in (h.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            h.send_header(name, str(value))
        h.end_headers()
        h.wfile.write(body)

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        ids = [i.strip() for i in params.get("id_list", "").split(",") if i.strip()]
        with self._lock:
            self.requests.append(ApiRequest(time.monotonic(), parts.path, params, ids,
                                            dict(h.headers.items())))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._answer(h, parts.path, params, ids)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, h, path: str, params: dict, ids: list[str]) -> None:
        if path != "/api/query":
            self._send(h, 404, b"not found", "text/plain")
            return
        kind, opts = self._next_action()
        if kind == "status":
            extra = {"Retry-After": opts["retry_after"]} if opts["retry_after"] else {}
            body = (error_feed(params, f"incorrect id format for {ids[0] if ids else ''}")
                    if opts["status"] == 400 else b"<html><body>Service Unavailable</body></html>")
            ctype = "application/atom+xml" if opts["status"] == 400 else "text/html"
            self._send(h, opts["status"], body, ctype, extra)
            return
        if kind == "garbage":
            self._send(h, 200, opts["body"], "application/atom+xml")
            return
        if kind == "hang":
            self._stopping.wait(opts["seconds"])
            h.close_connection = True
            return
        for arxiv_id in ids:
            if not _WELL_FORMED.fullmatch(arxiv_id):
                self._send(h, 400, error_feed(params, f"incorrect id format for {arxiv_id}"))
                return
        start = int(params.get("start") or 0)
        per_page = int(params.get("max_results") or 10)
        versionless = (re.sub(r"v\d+$", "", i) for i in ids)
        known = [self.papers[i] for i in versionless if i in self.papers]
        page = known[start:start + per_page]
        entries = [] if kind == "empty" else [entry_xml(p) for p in page]
        body = feed_xml(params, entries, len(ids), start, per_page)
        if kind == "trickle":
            self._trickle(h, body, opts["seconds"], opts["interval"])
            return
        self._send(h, 200, body)

    def _trickle(self, h, body: bytes, seconds: float, interval: float) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/atom+xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        end = time.monotonic() + seconds
        for byte in body:
            if time.monotonic() > end or self._stopping.wait(interval):
                break
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
        h.close_connection = True


@pytest.fixture
def fake_arxiv():
    """A started FakeArxiv, stopped after the test."""
    fake = FakeArxiv().start()
    yield fake
    fake.stop()
