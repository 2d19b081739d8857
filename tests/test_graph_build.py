"""Building the graph from a crawl store: nodes, edges, evidence, and what is left out."""

from __future__ import annotations

import marshal
import sqlite3
from collections import Counter

import networkx as nx
import pytest

from graph.build import build_graph, clip_evidence, write_default_graph
from graph.store import Store, StoreMissing
from graph.vocabulary import load_vocabulary
from tests import graph_fixtures as fx

KINDS = ("page", "paper", "person", "method", "topic")
RELATIONS = ("listed_under", "links_to", "mentions", "authored", "introduces", "evolved_from",
             "part_of", "works_on", "coauthor", "related_to")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("crawl")
    fx.write_store(d)
    return d


@pytest.fixture(scope="module")
def G(store_dir):
    store = Store.open_existing(store_dir)
    try:
        return build_graph(store)
    finally:
        store.close()


def test_counts_by_kind(G):
    # pages: 6 listed URLs + 1 page found by following a link; papers: 6 arXiv papers;
    # people: the 13 distinct arXiv authors + Lilian Weng (byline) + Yann LeCun and
    # Andrew Ng (hint lines); methods and topics: those the crawl and the list touch, with
    # their evolved_from ancestors and part_of topics.
    assert Counter(k for _, k in G.nodes(data="kind")) == {
        "page": 7, "paper": 6, "person": 16, "method": 23, "topic": 15}


def test_counts_by_relation(G):
    assert Counter(r for *_, r in G.edges(data="rel")) == {
        "authored": 24,       # 21 arXiv authorships + 3 page bylines
        "links_to": 14,       # 4 page -> page + 10 page -> paper (paper_refs)
        "listed_under": 8,    # 5 pages under "RCNN" + rossgirshick.info under 3 methods
        "introduces": 11,     # each paper -> the vocabulary methods with its arXiv id
        "mentions": 66,
        "evolved_from": 18,
        "part_of": 48,
        "works_on": 73,
        "coauthor": 26,       # pairs of authors of each paper
        "related_to": 16,     # entities named together in sentences of >= 2 documents
    }
    assert G.number_of_nodes() == 67 and G.number_of_edges() == 304


def test_every_node_and_edge_follows_the_contract(G):
    for node, data in G.nodes(data=True):
        assert data["kind"] in KINDS and data["label"], node
        assert node.startswith(f"{data['kind']}:"), node
        assert all(v is not None and not isinstance(v, (list, tuple, dict, set))
                   for v in data.values()), node
    seen = set()
    for u, v, key, data in G.edges(keys=True, data=True):
        assert key == data["rel"] and data["rel"] in RELATIONS
        assert (u, v, key) not in seen
        seen.add((u, v, key))
        assert isinstance(data["weight"], float) and data["weight"] >= 1
        assert data["source"] and data["evidence"], (u, v, key)
        for name in ("evidence", "evidence_2", "evidence_3"):
            assert len(data.get(name, "")) <= 300
        assert "evidence_4" not in data
    # one edge per (u, v, rel): repeated evidence raises the weight instead
    assert all(len(keys) == len(set(keys)) for keys in
               (list(G[u][v]) for u, v in set(G.edges())))


def test_dead_link_is_a_page_with_its_status(G):
    dead = G.nodes[f"page:{fx.CSDN}"]
    assert dead["status"] == "http_error" and dead["http_status"] == 404
    assert dead["reason"] == "HTTP 404 Not Found" and dead["is_seed"] is True
    assert dead["label"] == fx.CSDN and dead["lines"] == "41" and dead["headings"] == "RCNN"
    edge = G.edges[f"page:{fx.CSDN}", "method:r-cnn", "listed_under"]
    assert (edge["source"], edge["evidence"]) == ("reading-list:L37", "RCNN")


def test_page_attributes(G):
    page = G.nodes[f"page:{fx.GIRSHICK}"]
    assert page["url"] == fx.GIRSHICK and page["final_url"] == fx.GIRSHICK
    assert page["status"] == "ok" and page["fetched_via"] == "live" and page["lang"] == "en"
    assert page["keywords"] == "computer vision" and page["lines"] == "53"
    assert page["headings"] == fx.GIRSHICK_HEADING
    zh = G.nodes[f"page:{fx.IMLOGM}"]
    assert zh["lang"] == "zh" and zh["keywords"] == "目标检测|R-CNN|区域建议网络"
    found = G.nodes[f"page:{fx.LILIAN_PART1}"]
    assert found["is_seed"] is False and found["depth"] == 1 and "lines" not in found


def test_paper_attributes(G):
    paper = G.nodes["paper:arXiv:1506.01497"]
    assert paper["label"] == ("Faster R-CNN: Towards Real-Time Object Detection with Region "
                              "Proposal Networks")
    assert (paper["arxiv_id"], paper["year"], paper["published"]) == ("1506.01497", 2015,
                                                                       "2015-06-01")
    assert paper["authors"] == "Shaoqing Ren|Kaiming He|Ross Girshick|Jian Sun"
    assert paper["categories"] == "cs.CV" and paper["url"] == "https://arxiv.org/abs/1506.01497"


def test_kaiming_he_is_one_node_with_his_papers(G):
    named = [n for n, d in G.nodes(data=True)
             if d["kind"] == "person" and ("He" in d["label"].split() or "何恺明" in d["label"])]
    assert named == ["person:kaiming-he"]
    he = G.nodes["person:kaiming-he"]
    assert he["label"] == "Kaiming He" and he["chinese_name"] == "何恺明"
    assert "He Kaiming" in he["aliases"].split("|")
    authored = {v for _, v, r in G.out_edges("person:kaiming-he", data="rel") if r == "authored"}
    assert authored == {"paper:arXiv:1506.01497", "paper:arXiv:1703.06870",
                        "paper:arXiv:1512.03385"}
    edge = G.edges["person:kaiming-he", "paper:arXiv:1703.06870", "authored"]
    assert edge["evidence"] == "Kaiming He is an author of arXiv:1703.06870 “Mask R-CNN”"
    # named in Chinese on one page and in the heading "He Kaiming (ResNet + RCNN)"
    assert G.has_edge(f"page:{fx.IMLOGM}", "person:kaiming-he", "mentions")
    works = G.edges["person:kaiming-he", "method:resnet", "works_on"]
    assert works["source"] == "reading-list:L52" and works["weight"] == 2.0
    assert works["evidence_2"] == "Kaiming He introduced ResNet (2015)"
    assert works["source_2"] == "vocabulary"


def test_bare_surname_counts_only_in_context(G):
    # rossgirshick.info is filed under "... + He Kaiming (ResNet + RCNN)": there "Mask R-CNN
    # (He, Gkioxari, Dollár and Girshick)" names him, while "He works on computer vision"
    # does not.
    edge = G.edges[f"page:{fx.GIRSHICK}", "person:kaiming-he", "mentions"]
    assert edge["weight"] == 1.0
    assert edge["evidence"].startswith("Mask R-CNN (He, Gkioxari")
    # the same sentence on a page with no such heading names nobody by "He"
    assert not G.has_edge(f"page:{fx.CVTRICKS}", "person:kaiming-he", "mentions")


def test_vocabulary_edges(G):
    chain = ["method:r-cnn", "method:fast-r-cnn", "method:faster-r-cnn", "method:mask-r-cnn"]
    for older, newer in zip(chain, chain[1:3]):
        edge = G.edges[newer, older, "evolved_from"]
        assert edge["source"] == "vocabulary"
        assert edge["evidence"] == (f"{G.nodes[newer]['label']} evolved from "
                                    f"{G.nodes[older]['label']}")
    assert [G.nodes[m]["year"] for m in chain] == [2013, 2015, 2015, 2017]
    # The crawl states the last step itself, in an abstract and two pages (one Chinese):
    # those sentences are its evidence, the vocabulary's line adds weight only.
    edge = G.edges["method:mask-r-cnn", "method:faster-r-cnn", "evolved_from"]
    assert edge["weight"] == 4.0
    assert [(edge[f"evidence{i}"], edge[f"source{i}"]) for i in ("", "_2", "_3")] == [
        ("Mask R-CNN extends Faster R-CNN by adding a branch that predicts an object mask, "
         "for instance segmentation.", "https://arxiv.org/abs/1703.06870"),
        ("Faster R-CNN adds a region proposal network, and Mask R-CNN extends Faster R-CNN "
         "to instance segmentation.", fx.LILIAN),
        ("何恺明等人提出的 Mask R-CNN 在 Faster R-CNN 的基础上增加了分割分支。", fx.IMLOGM)]
    assert G.has_edge("method:yolo", "topic:object-detection", "part_of")
    intro = G.edges["paper:arXiv:1506.01497", "method:faster-r-cnn", "introduces"]
    assert intro["evidence"] == "arXiv:1506.01497 introduces Faster R-CNN"
    assert G.nodes["method:faster-r-cnn"]["aliases"].startswith("Faster-RCNN|")


def test_reading_list_hints(G):
    lecun = G.edges["person:yann-lecun", "topic:self-supervised-learning", "works_on"]
    assert (lecun["source"], lecun["evidence"]) == ("reading-list:L6",
                                                   "self-supervised Yann Lecun")
    ng = G.edges["person:andrew-ng", "topic:few-shot-learning", "works_on"]
    assert ng["source"] == "reading-list:L7" and ng["evidence"] == "小样本/泛化 Ng"
    assert G.edges["person:ross-girshick", "method:yolo", "works_on"]["source"] == \
        "reading-list:L52"


def test_links(G):
    assert G.has_edge(f"page:{fx.MOHIT}", f"page:{fx.LILIAN}", "links_to")
    assert not any(v.endswith("py-faster-rcnn") for _, v in G.edges())  # never fetched
    # a link and a citation of the same paper: one edge, weight 2, both snippets
    edge = G.edges[f"page:{fx.MOHIT}", "paper:arXiv:1506.01497", "links_to"]
    assert edge["weight"] == 2.0
    assert {edge["evidence"], edge["evidence_2"]} == {
        "links to arXiv:1506.01497 (the Faster R-CNN paper)", "The paper is arXiv:1506.01497."}


def test_repeated_mentions_raise_weight_and_keep_three_snippets(G):
    edge = G.edges[f"page:{fx.IMLOGM}", "method:r-cnn", "mentions"]
    assert edge["weight"] == 4.0
    assert [edge["evidence"], edge["evidence_2"], edge["evidence_3"]] == [
        "RCNN系列：从R-CNN到Mask R-CNN",  # the title, then the first sentences naming it
        "R-CNN 系列是目标检测的经典方法。",
        "Fast R-CNN 改进了 R-CNN 的速度，Faster R-CNN 用区域建议网络代替了选择性搜索。"]
    assert "evidence_4" not in edge


def test_only_vocabulary_the_crawl_touches(G):
    vocab = load_vocabulary()
    in_graph = {n for n in G if n in vocab.entities}
    assert len(in_graph) < len(vocab.entities) / 4
    assert "method:lstm" not in G and "method:transformer" not in G
    # ancestors stay: the crawl never names SPP-Net or the Neocognitron
    assert "method:spp-net" in G and "method:neocognitron" in G
    assert not any(d == "method:spp-net" for _, d, r in G.edges(data="rel") if r == "mentions")


def test_build_is_pure_and_deterministic(store_dir, G):
    before = sqlite3.connect(store_dir / "crawl.sqlite").execute(
        "SELECT COUNT(*), SUM(LENGTH(text)) FROM documents").fetchone()
    store = Store.open_existing(store_dir)
    again = build_graph(store, workers=0)
    store.close()
    assert list(again.nodes(data=True)) == list(G.nodes(data=True))
    assert list(again.edges(keys=True, data=True)) == list(G.edges(keys=True, data=True))
    after = sqlite3.connect(store_dir / "crawl.sqlite").execute(
        "SELECT COUNT(*), SUM(LENGTH(text)) FROM documents").fetchone()
    assert before == after


def test_worker_processes_give_the_same_graph(store_dir, G, monkeypatch):
    monkeypatch.setattr("graph.build.TASK_DOCS", 2)  # several chunks for two workers
    store = Store.open_existing(store_dir)
    parallel = build_graph(store, workers=2)
    store.close()
    assert list(parallel.nodes(data=True)) == list(G.nodes(data=True))
    assert sorted(parallel.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))


def test_worker_plumbing_links_like_this_process(store_dir):
    # What a worker process runs, run here: the read-only connection and the chunking.
    from graph import build

    vocab = load_vocabulary()
    contexts = {fx.GIRSHICK: frozenset({"person:kaiming-he"})}
    uri = (store_dir / "crawl.sqlite").resolve().as_uri() + "?mode=ro"
    build._init_worker(vocab, contexts, uri)
    store = Store.open_existing(store_dir)
    inline = build._link_rows(store.conn.execute(build._LINK_SQL, (0, 10**9)), vocab,
                              contexts)
    store.close()
    assert marshal.loads(build._link_chunk((0, 10**9))) == inline
    documents, together = inline
    assert len(documents) == 6  # the six readable pages (not the 404)
    # Pairs named together, counted per chunk: (a, b) -> [documents, [(sentence, url)]]
    assert together[("method:faster-r-cnn", "method:mask-r-cnn")][0] == 2
    girshick = dict((url, found) for url, found, _relations in documents)[fx.GIRSHICK]
    assert ("person:kaiming-he", 1, ["Mask R-CNN (He, Gkioxari, Dollár and Girshick) "
                                     "received the Marr Prize at ICCV 2017."]) in girshick


def test_pending_seed_and_long_sentences(tmp_path):
    store = Store(tmp_path / "crawl.sqlite")
    long_sentence = ("A very long sentence about residual learning " * 20 + "with ResNet "
                     + "and many more words " * 20 + ".")
    store.replace_reading_list("list.txt", [
        {"line": 1, "url": "https://a.example/", "listed_url": "https://a.example/",
         "raw": "https://a.example/", "heading": None},
        {"line": 2, "url": "https://b.example/", "listed_url": "https://b.example/",
         "raw": "https://b.example/", "heading": None},
    ], [], [])
    store.upsert_document({"url": "https://a.example/", "outcome": "ok", "kind": "html",
                           "title": "A", "text": long_sentence, "is_seed": 1})
    G = build_graph(store)
    store.close()
    pending = G.nodes["page:https://b.example/"]
    assert pending == {"kind": "page", "label": "https://b.example/",
                       "url": "https://b.example/", "status": "pending", "is_seed": True}
    edge = G.edges["page:https://a.example/", "method:resnet", "mentions"]
    assert len(edge["evidence"]) <= 300 and "ResNet" in edge["evidence"]


def test_clip_evidence():
    assert clip_evidence("  one\n\ttwo  ") == "one two"
    text = "x" * 500 + " Mask R-CNN " + "y" * 500
    clipped = clip_evidence(text, around="Mask R-CNN")
    assert len(clipped) == 300 and "Mask R-CNN" in clipped
    assert clipped.startswith("…") and clipped.endswith("…")


def test_write_default_graph(store_dir, G):
    path = write_default_graph(store_dir)
    assert path == store_dir / "graph.graphml"
    R = nx.read_graphml(path, force_multigraph=True)
    assert (R.number_of_nodes(), R.number_of_edges()) == (G.number_of_nodes(),
                                                          G.number_of_edges())
    with pytest.raises(StoreMissing):
        write_default_graph(store_dir / "nowhere")
