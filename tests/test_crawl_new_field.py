"""A reading list in a corner of the field the vocabulary does not cover, crawled for real:
Scrapy over a mini-web of English and Chinese notes, a fake arXiv API with the papers'
abstracts, and the graph the crawl writes. The vocabulary is the bundled one, unchanged.

The papers, pages and traps are the ones of tests/test_discover.py, which checks the same
learning on a store built in code; here they arrive the way a user's crawl brings them: the
notes link the papers, the list files them under headings the vocabulary does not know.
"""

from __future__ import annotations

import html

import networkx as nx
import pytest

from graph.vocabulary import load_vocabulary
from tests.conftest import run_crawl
from tests.fake_arxiv import FakeArxiv
from tests.miniweb import Page
from tests.test_discover import PAGES, PAPERS, TRAP_WORDS, _method_of

LIST = """\
Self-supervised and contrastive learning
{ssl}
https://arxiv.org/abs/1911.05722
https://arxiv.org/abs/2103.03230

Graph neural networks
{gnn}

Diffusion and vision transformers
https://arxiv.org/abs/2006.11239
https://arxiv.org/abs/2010.11929
"""


def _page(title: str, text: str, links: list[str], lang: str) -> bytes:
    refs = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split(". ") if p)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head><body><nav>Home · About</nav>"
            f"<article><h1>{html.escape(title)}</h1>{body}<h2>References</h2><ul>{refs}</ul>"
            "</article><footer>© 2024</footer></body></html>").encode("utf-8")


def _edge(G, u, v, rel):
    # GraphML keeps edge keys as e0, e1, ...: the relation is the `rel` attribute.
    return next((d for d in (G.get_edge_data(u, v) or {}).values() if d["rel"] == rel), None)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from tests.miniweb import MiniWeb

    tmp = tmp_path_factory.mktemp("new-field")
    papers = {aid: {"id": aid, "version": 1, "title": title, "abstract": abstract,
                    "authors": ["A. Author", "B. Author"],
                    "published": "2020-01-01T00:00:00Z", "updated": "2020-01-01T00:00:00Z",
                    "primary_category": "cs.LG", "categories": ["cs.LG"], "doi": None,
                    "journal_ref": None, "comment": None}
              for aid, title, abstract, *_ in PAPERS}
    arxiv = FakeArxiv(papers).start()
    web = MiniWeb().start()
    try:
        ssl_text, gnn_text = PAGES.values()
        abs_urls = [f"https://arxiv.org/abs/{aid}" for aid, *_ in PAPERS]
        web.routes["/robots.txt"] = Page(b"User-agent: *\nAllow: /\n",
                                         content_type="text/plain")
        # The English notes link every paper in their reference list (the last part of
        # the article, where such links live); the Chinese notes link the GAT paper.
        web.routes["/ssl-notes.html"] = Page(_page("Notes on self-supervised learning",
                                                   ssl_text, abs_urls, "en"))
        web.routes["/gnn.html"] = Page(_page("图神经网络入门", gnn_text,
                                             ["https://arxiv.org/abs/1710.10903"], "zh"))
        seeds = tmp / "list.txt"
        seeds.write_text(LIST.format(ssl=web.url("/ssl-notes.html"),
                                     gnn=web.url("/gnn.html")), encoding="utf-8")
        run = run_crawl(tmp / "data", seeds, args={"depth": 1, "citations": 0},
                        settings={"ARXIV_API_URL": arxiv.api_url})
    finally:
        web.stop()
        arxiv.stop()
    assert run.returncode == 0, run.stderr[-3000:]
    G = nx.read_graphml(tmp / "data" / "graph.graphml", force_multigraph=True)
    return run, G


def test_the_crawl_brings_every_paper_through_the_notes(crawled):
    run, G = crawled
    papers = {d["arxiv_id"] for _, d in G.nodes(data=True) if d["kind"] == "paper"}
    assert papers == {aid for aid, *_ in PAPERS}
    assert all(p["status"] == "ok" for p in run.store().papers())


def test_most_introduced_methods_are_learned_with_aliases_and_an_introduces_edge(crawled):
    _, G = crawled
    expected = [(aid, m, aliases) for aid, _, _, m, aliases in PAPERS if m]
    learned = []
    for aid, method, aliases in expected:
        node, data = _method_of(G, method)
        if node is None:
            continue
        names = {n.lower() for n in [data["label"], *(data.get("aliases") or "").split("|")]}
        edge = _edge(G, f"paper:arXiv:{aid}", node, "introduces")
        if {a.lower() for a in aliases} <= names and edge and edge["evidence"]:
            learned.append(method)
    print(f"\nlearned through the crawl: {len(learned)}/{len(expected)}: {learned}")
    assert len(learned) / len(expected) >= 0.8


def test_learned_nodes_are_real_terms_and_the_traps_give_nothing(crawled):
    _, G = crawled
    vocab = load_vocabulary()
    learned = sorted(d["label"] for n, d in G.nodes(data=True)
                     if d["kind"] == "method" and n not in vocab.entities)
    real = {"MoCo", "SimCLR", "BYOL", "Barlow Twins", "VICReg", "GAT", "ViT",
            "Swin Transformer", "DPM", "diffusion probabilistic models", "MAE", "GRU", "GCN"}
    print("\nlearned methods:", learned)
    print(f"real: {sum(label in real for label in learned)} of {len(learned)}")
    assert sum(label in real for label in learned) / len(learned) >= 0.8
    for node, data in G.nodes(data=True):
        if data["kind"] in ("method", "topic") and node not in vocab.entities:
            names = {n.lower() for n in [data["label"], *(data.get("aliases") or "").split("|")]}
            assert not names & (TRAP_WORDS - {"mae"}), data
    notes = next(n for n, d in G.nodes(data=True) if d.get("title") ==
                 "Notes on self-supervised learning")
    mentioned = {G.nodes[v]["label"] for _, v, rel in G.out_edges(notes, data="rel")
                 if rel == "mentions"}
    assert "MoCo" in mentioned
    assert not mentioned & {"MAE", "SSD", "Adam", "GPU"}


def test_the_list_headings_become_topics_with_their_links(crawled):
    _, G = crawled
    topics = {d["label"]: n for n, d in G.nodes(data=True) if d["kind"] == "topic"
              and d.get("origin") == "heading"}
    gnn = topics.get("Graph neural networks")
    assert gnn is not None, sorted(topics)
    listed = {u for u, _, rel in G.in_edges(gnn, data="rel") if rel == "listed_under"}
    assert any(u.endswith("/gnn.html") for u in listed)
    # It narrows a topic the vocabulary knows: part of it, not a twin of it.
    assert _edge(G, gnn, "topic:neural-networks", "part_of")["source"].startswith(
        "reading-list:L")
