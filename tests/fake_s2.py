"""A fake Semantic Scholar Graph API on 127.0.0.1, answering the two endpoints the crawler
uses, in the real JSON shapes:

- ``POST /graph/v1/paper/batch?fields=...`` with ``{"ids": ["ARXIV:1504.08083", ...]}``:
  a list in the order asked, ``null`` for an unknown id; more than 500 ids get HTTP 400;
- ``GET /graph/v1/paper/<id>/references?fields=...&offset=O&limit=L``:
  ``{"offset": O, "next": O+L (only when more follow), "data": [{"contexts", "intents",
  "isInfluential", "citedPaper"}, ...]}``; an unknown paper gets HTTP 404.

Papers are ``FakeS2.add(paper_id, arxiv=..., doi=..., title=..., year=..., authors=...)``
and citations ``FakeS2.cite(citing, cited, contexts, intents, influential)``;
:func:`detection_papers` loads the R-CNN family with its true citations (metadata from
tests/fixtures/arxiv-papers.json; the citing sentences are written for these tests).

The server logs every request (monotonic arrival time, method, path, parameters, body,
headers) and can be told what to do with the next requests::

    fake.fail_next(2, status=429, retry_after=1)   # two 429s, then normal answers
    fake.garbage_next(1)                           # a body that is not JSON
    fake.hang_next(1, seconds=5)                   # accept the request, never answer
"""

from __future__ import annotations

import json
import re
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.fake_arxiv import load_fixture_papers
from tests.loopback import ScriptedApi

BASE_PATH = "/graph/v1"
MAX_BATCH = 500
_REFS = re.compile(rf"{BASE_PATH}/paper/(?P<id>.+)/references")


@dataclass
class S2Request:
    time: float                      # time.monotonic() when the request arrived
    method: str
    path: str
    params: dict[str, str]
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return "batch" if self.path.endswith("/paper/batch") else "references"


class FakeS2(ScriptedApi):
    """The fake API server. ``api_url`` is the base URL to give the client."""

    GARBAGE = b"<html><body><h1>502 Bad Gateway</h1> <<< \x00\xff"
    methods, nodelay = ("GET", "POST"), True

    def __init__(self):
        self.papers: dict[str, dict] = {}         # paperId -> paper
        self.refs: dict[str, list[dict]] = {}     # citing paperId -> reference items
        self.no_references: set[str] = set()     # paperIds whose references endpoint 404s
        super().__init__()
        self.api_url = f"{self.base}{BASE_PATH}"

    def handle(self, request, method: str) -> None:
        self._serve(request, method)

    # -- control ----------------------------------------------------------------------------
    def add(self, paper_id: str, *, arxiv: str | None = None, doi: str | None = None,
            title: str | None = None, year: int | None = None,
            authors: list[str] | None = None) -> str:
        ext = {"CorpusId": zlib.crc32(paper_id.encode()) % 10**8}
        if arxiv:
            ext["ArXiv"] = arxiv
        if doi:
            ext["DOI"] = doi
        self.papers[paper_id] = {
            "paperId": paper_id, "externalIds": ext, "title": title, "year": year,
            "authors": [{"authorId": str(i), "name": n} for i, n in enumerate(authors or [])],
        }
        self.refs.setdefault(paper_id, [])
        return paper_id

    def cite(self, citing: str, cited: str, contexts=(), intents=(),
             influential: bool = False) -> None:
        self.refs[citing].append({"cited": cited, "contexts": list(contexts),
                                  "intents": list(intents), "isInfluential": influential})

    def add_synthetic(self, n: int, refs_each: int = 0) -> list[str]:
        """``n`` papers with arXiv ids 1801.00001...; each cites ``refs_each`` others."""
        ids = []
        for i in range(1, n + 1):
            self.add(f"s2syn{i:05d}", arxiv=f"1801.{i:05d}", title=f"Synthetic paper {i}",
                     year=2018, authors=[f"Author {i}"])
            ids.append(f"1801.{i:05d}")
        for i in range(1, n + 1):
            for j in range(1, refs_each + 1):
                target = (i + j - 1) % n + 1
                self.cite(f"s2syn{i:05d}", f"s2syn{target:05d}",
                          [f"Paper {i} builds on paper {target}."])
        return ids

    def garbage_next(self, n: int = 1) -> None:
        self._queue("garbage", n)

    # -- what was asked ---------------------------------------------------------------------
    def of(self, endpoint: str) -> list[S2Request]:
        return [r for r in self.requests if r.endpoint == endpoint]

    # -- serving ----------------------------------------------------------------------------
    def _lookup(self, key: str) -> dict | None:
        key = unquote(key)
        kind, sep, value = key.partition(":")
        if not sep:
            return self.papers.get(key)
        field_name = {"ARXIV": "ArXiv", "DOI": "DOI"}.get(kind.upper())
        for p in self.papers.values():
            if field_name and str(p["externalIds"].get(field_name, "")).lower() == value.lower():
                return p
        return None

    def _send(self, h, status: int, body, headers: dict | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            h.send_header(name, str(value))
        h.end_headers()
        h.wfile.write(data)

    def _serve(self, h, method: str) -> None:
        try:
            self._answer(h, method)
        except Exception as exc:  # noqa: BLE001 - a bug in a test's data is a 500, not a hang
            self._send(h, 500, {"error": f"{type(exc).__name__}: {exc}"})

    def _answer(self, h, method: str) -> None:
        parts = urlsplit(h.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0)) if method == "POST" else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        with self._lock:
            self.requests.append(S2Request(time.monotonic(), method, parts.path, params, body,
                                           dict(h.headers.items())))
        kind, opts = self._next_action()
        if kind == "status":
            extra = {"Retry-After": opts["retry_after"]} if opts["retry_after"] is not None else {}
            self._send(h, opts["status"], {"message": "Too Many Requests"
                                           if opts["status"] == 429 else "error"}, extra)
        elif kind == "garbage":
            self._send(h, 200, self.GARBAGE)
        elif kind == "hang":
            self._stopping.wait(opts["seconds"])
            h.close_connection = True
        elif method == "POST" and parts.path == f"{BASE_PATH}/paper/batch":
            self._batch(h, params, body)
        elif method == "GET" and _REFS.fullmatch(parts.path):
            self._references(h, _REFS.fullmatch(parts.path)["id"], params)
        else:
            self._send(h, 404, {"error": "Not found"})

    def _fields(self, p: dict, fields: set[str]) -> dict:
        return {k: p[k] for k in ("paperId", "externalIds", "title", "year", "authors")
                if k in fields}

    def _batch(self, h, params: dict, body) -> None:
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list):
            self._send(h, 400, {"error": "Unrecognized or missing ids"})
            return
        if len(ids) > MAX_BATCH:
            self._send(h, 400, {"error": f"Cannot process more than {MAX_BATCH} ids"})
            return
        fields = set((params.get("fields") or "paperId").split(","))
        ref_fields = {f.split(".", 1)[1] for f in fields if f.startswith("references.")}
        out = []
        for key in ids:
            p = self._lookup(str(key))
            if p is None:
                out.append(None)
                continue
            item = self._fields(p, fields)
            if ref_fields:
                item["references"] = [self._fields(self.papers[r["cited"]], ref_fields)
                                      for r in self.refs[p["paperId"]]]
            out.append(item)
        self._send(h, 200, out)

    def _references(self, h, key: str, params: dict) -> None:
        p = self._lookup(key)
        if p is None or p["paperId"] in self.no_references:
            self._send(h, 404, {"error": "Paper with id " + unquote(key) + " not found"})
            return
        fields = set((params.get("fields") or "").split(","))
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        items = self.refs[p["paperId"]]
        data = []
        for r in items[offset:offset + limit]:
            item = {k: r[k] for k in ("contexts", "intents", "isInfluential") if k in fields}
            item["citedPaper"] = self._fields(self.papers[r["cited"]], fields)
            data.append(item)
        answer = {"offset": offset, "data": data}
        if offset + limit < len(items):
            answer["next"] = offset + limit
        self._send(h, 200, answer)


# -- the detection papers ---------------------------------------------------------------------
RCNN, FAST, FASTER, MASK = "1311.2524", "1504.08083", "1506.01497", "1703.06870"
#: Not on the test list: cited by the three later papers (ImageNet) and by one (VGG).
IMAGENET_DOI = "10.1109/cvpr.2009.5206848"
SENTENCES = {
    (FAST, RCNN): "Fast R-CNN fixes the disadvantages of R-CNN and SPPnet, while improving "
                  "on their speed and accuracy.",
    (FASTER, FAST): "Fast R-CNN achieves near real-time rates using very deep networks, "
                    "when ignoring the time spent on region proposals.",
    (MASK, FASTER): "Mask R-CNN extends Faster R-CNN by adding a branch for predicting an "
                    "object mask in parallel with the existing branch for box recognition.",
    (FASTER, RCNN): "R-CNN mainly plays as a classifier and does not predict object bounds.",
}


def detection_papers(fake: FakeS2) -> dict[str, str]:
    """The R-CNN family with true citations; returns arXiv id -> S2 paperId."""
    facts = load_fixture_papers()
    ids = {}
    for aid in (RCNN, FAST, FASTER, MASK):
        p = facts[aid]
        ids[aid] = fake.add(f"s2-{aid}", arxiv=aid, title=p["title"],
                            year=int(p["published"][:4]), authors=p["authors"])
    fake.add("s2-imagenet", doi=IMAGENET_DOI.upper(),
             title="ImageNet: A large-scale hierarchical image database", year=2009,
             authors=["Jia Deng", "Wei Dong", "Richard Socher", "Li-Jia Li", "Kai Li",
                      "Li Fei-Fei"])
    fake.add("s2-vgg", title="Very Deep Convolutional Networks for Large-Scale Image "
             "Recognition", year=2014, authors=["Karen Simonyan", "Andrew Zisserman"])
    for (citing, cited), sentence in SENTENCES.items():
        fake.cite(ids[citing], ids[cited], [sentence], ["background"], influential=True)
    for citing in (FAST, FASTER, MASK):
        fake.cite(ids[citing], "s2-imagenet",
                  [f"Like most detectors, the network of arXiv:{citing} is pre-trained on "
                   "ImageNet."], ["methodology"], influential=citing == MASK)
    fake.cite(ids[FAST], "s2-vgg", ["We use the very deep VGG16 model."], ["methodology"])
    return ids


@pytest.fixture
def fake_s2():
    """A started FakeS2, stopped after the test."""
    fake = FakeS2().start()
    yield fake
    fake.stop()
