"""Bad input sweep: hostile bytes give a recorded outcome, never a crash; exports survive
any Unicode; an unusable reading list is a one-line error."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.processing import process_download
from graph.export import export_bytes, sanitize_for_export
from graph.store import OUTCOMES
from tests.conftest import run_crawl
from tests.miniweb import Page
from tests.sites import CODE_FILE, PDF_LINES, chinese_page, english_blog, make_pdf

SWEEP = settings(max_examples=120, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CONTENT_TYPES = [None, "text/html", "text/html; charset=gbk", "text/html; charset=bogus",
                 "application/pdf", "text/plain", "text/plain; charset=utf-16",
                 "application/octet-stream", "text/x-python", "application/json",
                 "application/xhtml+xml", "image/png", "text/html; charset="]
URLS = ["https://a.example/post.html", "https://a.example/paper.pdf",
        "https://raw.githubusercontent.com/o/r/master/train.py", "https://a.example/"]
SAMPLES = [english_blog("https://a.example"), chinese_page("卷积神经网络", "gbk"),
           chinese_page("残差网络", "utf-8"), make_pdf(PDF_LINES, "CNN", "A. Author"), CODE_FILE]


def assert_recorded(result: dict) -> None:
    doc = result["document"]
    assert doc["outcome"] in OUTCOMES and doc["outcome"] != "pending"
    if doc["outcome"] == "ok":
        assert isinstance(doc["text"], str) and isinstance(doc["keywords"], list)
    else:
        assert doc["reason"]
    assert all(isinstance(u, str) and isinstance(a, str) for u, a in result["links"])
    assert all(len(ref) == 3 for ref in result["paper_refs"])


@SWEEP
@given(st.binary(max_size=4000), st.sampled_from(CONTENT_TYPES), st.sampled_from(URLS))
def test_random_bytes_are_a_recorded_outcome(body, content_type, url):
    assert_recorded(process_download(url, url, content_type, body))


@SWEEP
@given(st.sampled_from(range(len(SAMPLES))), st.floats(0, 1), st.binary(max_size=40),
       st.sampled_from(CONTENT_TYPES), st.sampled_from(URLS))
def test_truncated_and_damaged_documents_are_a_recorded_outcome(which, where, patch,
                                                                 content_type, url):
    sample = SAMPLES[which]
    cut = int(len(sample) * where)
    for body in (sample[:cut], sample[:cut] + patch + sample[cut + len(patch):],
                 gzip.compress(sample)[:cut]):
        assert_recorded(process_download(url, url, content_type, body))


@SWEEP
@given(st.text(max_size=3000))
def test_random_text_as_html_or_code_is_a_recorded_outcome(text):
    body = text.encode("utf-8", "surrogatepass")
    for content_type, url in (("text/html; charset=utf-8", URLS[0]),
                              ("text/plain; charset=utf-8", URLS[2])):
        assert_recorded(process_download(url, url, content_type, body))


def test_hostile_bodies_in_a_crawl_are_recorded_not_fatal(miniweb, tmp_path):
    pdf = make_pdf(PDF_LINES, "CNN", "A. Author")
    pages = {
        "/truncated.pdf": Page(pdf[: len(pdf) // 2], content_type="application/pdf"),
        "/garbage.html": Page(bytes(range(256)) * 40),
        "/not-gzip.html": Page(b"<html><p>plain</p></html>", headers={"Content-Encoding": "gzip"}),
        "/torn-gzip.html": Page(gzip.compress(english_blog("x") * 20)[:500],
                                headers={"Content-Encoding": "gzip"}),
        "/nul.html": Page(b"<html><title>\x00\x00</title><body>" + b"\x00" * 5000 + b"</body>"),
        "/bad-charset.html": Page(b"<html><p>\xff\xfe\xfa text</p></html>",
                                  content_type="text/html; charset=x-unknown-42"),
        "/one-line.txt": Page(b"a" * 500_000, content_type="text/plain"),
    }
    miniweb.routes.update(pages)
    seeds = tmp_path / "list.txt"
    seeds.write_text("\n".join(miniweb.url(p) for p in pages), encoding="utf-8")
    run = run_crawl(tmp_path / "data", seeds, {"DOWNLOAD_MAXSIZE": str(1024 * 1024)},
                    args={"depth": 0})
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    store = run.store()
    for path in pages:
        doc = store.document(miniweb.url(path))
        assert doc is not None and doc["outcome"] in OUTCOMES, path
        assert doc["outcome"] != "pending", path
        assert doc["outcome"] == "ok" or doc["reason"], path
    assert store.document(miniweb.url("/not-gzip.html"))["outcome"] == "unreadable"
    assert store.document(miniweb.url("/truncated.pdf"))["outcome"] == "unreadable"


# -- exports --------------------------------------------------------------------------------
# Every code point, lone surrogates and XML's forbidden characters included.
any_text = st.text(st.one_of(
    st.characters(codec=None, exclude_categories=()), st.characters(categories=["Cs"]),
    st.sampled_from(["\x00", "\r", "\n", "\x0b", "\ufffe", "\uffff", "\u2028", "<", "&", ">",
                     '"', "\U0001f600", "|"])), max_size=25)
values = st.one_of(st.none(), any_text, st.booleans(), st.integers(-2**53, 2**53),
                   st.floats(allow_nan=True, allow_infinity=True),
                   st.lists(any_text, max_size=3), st.dictionaries(any_text, any_text, max_size=2))


@st.composite
def graphs(draw):
    G = nx.MultiDiGraph()
    ids = draw(st.lists(any_text, min_size=1, max_size=8, unique=True))
    for n in ids:
        attrs = draw(st.dictionaries(st.sampled_from(["title", "summary", "url", "year",
                                                      "score", "aliases", "id", "start"]),
                                     values, max_size=4))
        G.add_node(n, kind=draw(st.sampled_from(["page", "paper", "person"])),
                   label=draw(any_text), **attrs)
    for _ in range(draw(st.integers(0, 10))):
        u, v = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        G.add_edge(u, v, rel=draw(st.sampled_from(["mentions", "links_to"])),
                   weight=draw(st.floats(0, 10)), evidence=draw(any_text),
                   source=draw(values))
    return G


def canonical(G: nx.MultiDiGraph):
    nodes = {n: dict(d) for n, d in G.nodes(data=True)}
    edges = sorted((u, v, json.dumps(d, sort_keys=True, ensure_ascii=False))
                   for u, v, d in G.edges(data=True))
    return nodes, edges


@SWEEP
@given(graphs())
def test_exports_read_back_whatever_the_unicode(G):
    H = sanitize_for_export(G)
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()

    graphml = nx.read_graphml(io.BytesIO(export_bytes(G, "graphml")), force_multigraph=True)
    assert canonical(graphml) == canonical(H)

    data = json.loads(export_bytes(G, "json").decode("utf-8"))
    assert canonical(nx.node_link_graph(data, source="src", target="dst", edges="edges")) == (
        canonical(H))

    gexf = nx.read_gexf(io.BytesIO(export_bytes(G, "gexf")))
    assert set(gexf.nodes) == set(H.nodes)
    assert gexf.number_of_edges() == H.number_of_edges()

    with zipfile.ZipFile(io.BytesIO(export_bytes(G, "csv"))) as z:
        nodes = list(csv.reader(io.StringIO(z.read("nodes.csv").decode("utf-8"))))
        edges = list(csv.reader(io.StringIO(z.read("edges.csv").decode("utf-8"))))
    assert [row[0] for row in nodes[1:]] == list(H.nodes)
    assert len(edges) - 1 == H.number_of_edges()


# -- the reading list -----------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(b"\x7fELF\x02\x01\x01\x00" * 8), "binary file"),
    (lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256))),
     "binary file (NUL bytes), not a text file of links"),
    (lambda p: p.write_bytes("目标检测\nhttp://a.example/\n".encode("gbk")), "not UTF-8"),
    (lambda p: p.write_bytes(b"\xff\xfeh\x00t\x00t\x00p\x00"), "UTF-16"),
])
def test_an_unusable_reading_list_is_a_one_line_error(tmp_path, make, message):
    path = tmp_path / "list.txt"
    make(path)
    run = run_crawl(tmp_path / "data", path)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: ") and str(path) in lines[0] and message in lines[0]
    assert not (tmp_path / "data" / "crawl.sqlite").exists()
