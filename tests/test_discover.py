"""The graph learns methods the vocabulary does not list, from papers' titles and
abstracts and from pages' abbreviation definitions, and falls for none of the traps.

The fixture is a store of papers and pages in fields the bundled vocabulary does not cover
(self-supervised and contrastive learning, diffusion models, graph neural networks), in
English and Chinese; the vocabulary is used unchanged."""

from __future__ import annotations

from collections import Counter

import pytest

from graph.build import build_graph
from graph.discover import acronym_definitions, introduced_methods, names_a_method
from graph.store import Store
from graph.vocabulary import load_vocabulary

# (arXiv id, title, abstract, the method it introduces, the aliases a reader expects)
PAPERS = [
    ("1911.05722", "Momentum Contrast for Unsupervised Visual Representation Learning",
     "We present Momentum Contrast (MoCo) for unsupervised visual representation learning. "
     "From a perspective on contrastive learning as dictionary look-up, we build a dynamic "
     "dictionary with a queue and a moving-averaged encoder.", "MoCo", {"Momentum Contrast"}),
    ("2002.05709", "A Simple Framework for Contrastive Learning of Visual Representations",
     "This paper presents SimCLR: a simple framework for contrastive learning of visual "
     "representations. We simplify recently proposed contrastive self-supervised learning "
     "algorithms without requiring specialized architectures.", "SimCLR", set()),
    ("2006.07733", "Bootstrap your own latent: A new approach to self-supervised Learning",
     "We introduce Bootstrap Your Own Latent (BYOL), a new approach to self-supervised image "
     "representation learning. BYOL relies on two neural networks, referred to as online and "
     "target networks.", "BYOL", {"Bootstrap Your Own Latent"}),
    ("2103.03230", "Barlow Twins: Self-Supervised Learning via Redundancy Reduction",
     "Self-supervised learning (SSL) is rapidly closing the gap with supervised methods on "
     "large computer vision benchmarks. We propose an objective function that naturally "
     "avoids collapse, which we call Barlow Twins.", "Barlow Twins", set()),
    ("2105.04906", "VICReg: Variance-Invariance-Covariance Regularization for "
     "Self-Supervised Learning",
     "In this paper, we introduce VICReg (Variance-Invariance-Covariance Regularization), a "
     "method that explicitly avoids the collapse problem with a simple regularization term "
     "on the variance of the embeddings along each dimension individually.", "VICReg",
     {"Variance-Invariance-Covariance Regularization"}),
    ("1710.10903", "Graph Attention Networks",
     "We present graph attention networks (GATs), novel neural network architectures that "
     "operate on graph-structured data, leveraging masked self-attentional layers.", "GAT",
     {"graph attention networks"}),
    ("2010.11929", "An Image is Worth 16x16 Words: Transformers for Image Recognition at "
     "Scale",
     "While the Transformer architecture has become the de-facto standard for natural "
     "language processing tasks, its applications to computer vision remain limited. We show "
     "that a pure transformer applied directly to sequences of image patches, the Vision "
     "Transformer (ViT), performs very well; we introduce the Vision Transformer (ViT) here.",
     "ViT", {"Vision Transformer"}),
    ("2103.14030", "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows",
     "This paper presents a new vision Transformer, called Swin Transformer, that capably "
     "serves as a general-purpose backbone for computer vision.", "Swin Transformer", set()),
    ("2006.11239", "Denoising Diffusion Probabilistic Models",
     "We present high quality image synthesis results using diffusion probabilistic models "
     "(DPMs), a class of latent variable models inspired by considerations from "
     "nonequilibrium thermodynamics.", "DPM", {"diffusion probabilistic models"}),
    ("2111.06377", "Masked Autoencoders Are Scalable Vision Learners",
     "This paper shows that masked autoencoders (MAE) are scalable self-supervised learners "
     "for computer vision. Our MAE approach is simple: we mask random patches of the input "
     "image and reconstruct the missing pixels.", None, set()),
]

PAGES = {
    "https://blog.example.com/ssl-notes": (
        "Notes on self-supervised learning. Momentum Contrast (MoCo) keeps a queue of "
        "negatives. You should consider using solid-state drives (SSDs) to load data fast. "
        "We report the mean absolute error (MAE) of the depth predictions. Thanks to Adam "
        "Trischler for comments. Training ran on one graphics processing unit (GPU). "
        "Gated recurrent units (GRUs) are an alternative to LSTMs."),
    "https://zhuanlan.zhihu.com/p/gnn": (
        "图神经网络入门。图注意力网络（GAT）用注意力机制聚合邻居。我们也用到了"
        "图卷积网络（GCN）。欧盟（EU）的数据规定要注意。"),
}

TRAP_WORDS = {"ssd", "mae", "gpu", "eu", "adam", "mean absolute error",
              "solid-state drives", "graphics processing unit"}


def _store() -> Store:
    store = Store(":memory:")
    for aid, title, abstract, *_ in PAPERS:
        store.upsert_paper({"arxiv_id": aid, "status": "ok", "title": title,
                            "abstract": abstract, "authors": ["A. Author"],
                            "published": "2020-01-01T00:00:00Z",
                            "abs_url": f"https://arxiv.org/abs/{aid}"})
    for url, text in PAGES.items():
        store.upsert_document({"url": url, "outcome": "ok", "kind": "html", "title": "notes",
                               "text": text, "lang": "zh" if "zhihu" in url else "en"})
    return store


@pytest.fixture(scope="module")
def G():
    return build_graph(_store(), load_vocabulary(), workers=0)


def _method_of(G, label):
    wanted = label.lower()
    for node, data in G.nodes(data=True):
        names = [data.get("label", "")] + (data.get("aliases") or "").split("|")
        if data.get("kind") == "method" and wanted in {n.lower() for n in names if n}:
            return node, data
    return None, None


def test_introduced_methods_become_nodes_with_aliases_and_introduces_edges(G):
    expected = [(aid, m, aliases) for aid, _, _, m, aliases in PAPERS if m]
    found = 0
    for aid, method, aliases in expected:
        node, data = _method_of(G, method)
        if node is None:
            continue
        names = {data["label"].lower()} | {a.lower() for a in (data.get("aliases") or "").split("|") if a}
        edge = G.get_edge_data(f"paper:arXiv:{aid}", node, "introduces")
        if aliases.issubset(names) or {a.lower() for a in aliases} <= names:
            if edge and edge["source"] == f"https://arxiv.org/abs/{aid}" and edge["evidence"]:
                found += 1
    share = found / len(expected)
    print(f"\nintroduced methods learned with aliases and edge: {found}/{len(expected)}"
          f" = {share:.2f}")
    assert share >= 0.8


def test_learned_nodes_say_where_they_come_from(G):
    node, data = _method_of(G, "MoCo")
    assert (data["origin"], data["confidence"]) == ("abstract", 0.8)
    node, data = _method_of(G, "VICReg")
    assert data["origin"] == "title" and data["confidence"] == 0.9
    edge = G.edges["paper:arXiv:2105.04906", node, "introduces"]
    assert edge["evidence"].startswith("VICReg: Variance-Invariance-Covariance")
    # A vocabulary node keeps its origin, and a learned name it knows is the same node.
    assert G.nodes["method:lstm"]["origin"] == "vocabulary"
    assert G.nodes["method:lstm"]["confidence"] == 1.0


def test_learned_methods_are_real_terms_and_no_trap_is_learned(G):
    vocab = load_vocabulary()
    learned = {n: d for n, d in G.nodes(data=True)
               if d.get("kind") == "method" and n not in vocab.entities}
    labels = sorted(d["label"] for d in learned.values())
    print("\nlearned methods:", labels)
    real = {"MoCo", "SimCLR", "BYOL", "Barlow Twins", "VICReg", "GAT", "ViT",
            "Swin Transformer", "DPM", "MAE", "GRU", "GCN"}
    precision = sum(1 for label in labels if label in real) / max(1, len(labels))
    print(f"learned method precision: {precision:.2f}")
    assert precision >= 0.8
    for data in learned.values():
        names = {data["label"].lower()} | {a.lower() for a in
                                           (data.get("aliases") or "").split("|") if a}
        assert not names & TRAP_WORDS - {"mae"}, data
    # The page that defines MAE as an error metric links to no MAE method.
    page = "page:https://blog.example.com/ssl-notes"
    targets = {G.nodes[v]["label"] for _, v, k in G.out_edges(page, keys=True)
               if k == "mentions"}
    assert "MAE" not in targets and "SSD" not in targets and "Adam" not in targets
    assert "MoCo" in targets


def test_chinese_definitions_learn_methods_with_both_names(G):
    node, data = _method_of(G, "GCN")
    assert node is not None and "图卷积网络" in data["aliases"].split("|")
    page = "page:https://zhuanlan.zhihu.com/p/gnn"
    assert G.has_edge(page, node, "mentions")
    assert _method_of(G, "EU") == (None, None)


@pytest.mark.parametrize("text, pairs", [
    ("We present Momentum Contrast (MoCo) for learning.", [("MoCo", "Momentum Contrast")]),
    ("MoCo (momentum contrast) keeps a queue.", [("MoCo", "momentum contrast")]),
    ("残差网络（ResNet）很深。", [("ResNet", "残差网络")]),
    ("ResNet（残差网络）很深。", [("ResNet", "残差网络")]),
    ("我们使用图注意力网络（GAT）处理图。", [("GAT", "图注意力网络")]),
    ("gated recurrent units (GRUs) work.", [("GRU", "gated recurrent units")]),
    ("The results (see Table 2) are good.", []),
    ("It is fast (GPU) and cheap.", []),
])
def test_abbreviation_definitions(text, pairs):
    assert [(d.short, d.long) for d in acronym_definitions(text)] == pairs


def test_what_is_not_a_method():
    assert not introduced_methods("Generative Adversarial Networks: An Overview",
                                  "Generative adversarial networks (GANs) provide a way.")
    assert [not names_a_method(d) for d in acronym_definitions(
        "We use a graphics processing unit (GPU), solid-state drives (SSDs) and report the "
        "mean absolute error (MAE).")] == [True, True, True]


def _write_store(data_dir):
    from graph.store import Store as S

    data_dir.mkdir(parents=True, exist_ok=True)
    src = _store()
    dst = S(data_dir / "crawl.sqlite")
    for p in src.papers():
        dst.upsert_paper(p)
    for d in src.documents():
        dst.upsert_document(d)
    dst.close()


def test_vocabulary_suggest_and_the_local_overlay(tmp_path):
    """`vocabulary suggest` lists what was learned as entries; kept in the data directory's
    vocabulary.local.yaml, they are vocabulary at the next build."""
    from tests.test_graph_cli import run

    data = tmp_path / "data"
    _write_store(data)
    proc = run("--data-dir", str(data), "vocabulary", "suggest")
    assert proc.returncode == 0, proc.stderr
    import yaml as _yaml
    entries = _yaml.safe_load(proc.stdout)["concepts"]
    by_id = {e["id"]: e for e in entries}
    assert by_id["moco"] == {"id": "moco", "name": "MoCo", "kind": "method",
                             "aliases": ["Momentum Contrast"], "arxiv": "1911.05722"}
    assert "# MoCo: abstract, confidence 0.8, 2 documents" in proc.stdout

    proc = run("--data-dir", str(data), "vocabulary", "suggest", "-o",
               str(data / "vocabulary.local.yaml"))
    assert proc.returncode == 0 and proc.stdout.startswith(f"Wrote {len(entries)} learned")
    assert run("--data-dir", str(data), "build").returncode == 0
    import networkx as nx
    G = nx.read_graphml(data / "graph.graphml", force_multigraph=True)
    assert G.nodes["method:moco"]["origin"] == "vocabulary"
    edges = G.get_edge_data("paper:arXiv:1911.05722", "method:moco").values()
    assert [e["source"] for e in edges if e["rel"] == "introduces"] == ["vocabulary"]

    (data / "vocabulary.local.yaml").write_text(
        "concepts:\n- id: Bad Id\n  name: x\n  kind: method\n", encoding="utf-8")
    proc = run("--data-dir", str(data), "build")
    assert proc.returncode == 1
    assert "vocabulary.local.yaml" in proc.stderr and "id must be a slug" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_headings_that_name_nothing_known_become_topics():
    from crawler.lists import parse_list

    rl = parse_list("## Books\n\n- [A book](https://books.example.com/a)\n\n"
                    "## Autonomous driving\n\n### Point clouds\n\n"
                    "- [MPNN notes](https://blog.example.com/mpnn)\n\n"
                    "## Object detection\n\n- [R-CNN](https://arxiv.org/abs/1311.2524)\n",
                    "list.md", "markdown")
    store = Store(":memory:")
    store.replace_reading_list("list.md", [s.as_row() for s in rl.seeds],
                               [h.as_row() for h in rl.hints], [])
    G = build_graph(store, load_vocabulary(), workers=0)
    learned = {n: (d["label"], d["origin"], d["confidence"]) for n, d in G.nodes(data=True)
               if d.get("origin") == "heading"}
    assert learned == {"topic:autonomous-driving": ("Autonomous driving", "heading", 0.5),
                       "topic:point-clouds": ("Point clouds", "heading", 0.5)}
    page = "page:https://blog.example.com/mpnn"
    assert G.has_edge(page, "topic:point-clouds", "listed_under")
    assert G.has_edge(page, "topic:autonomous-driving", "listed_under")
    edge = G.edges["topic:point-clouds", "topic:autonomous-driving", "part_of"]
    assert (edge["source"], edge["evidence"]) == ("reading-list:L7",
                                                  "Autonomous driving > Point clouds")
    # A heading the vocabulary knows is its node, not a learned twin.
    assert G.has_edge("page:https://arxiv.org/abs/1311.2524", "topic:object-detection",
                      "listed_under")
    assert not any(d["label"] == "Books" for _, d in G.nodes(data=True))


def test_coauthors_of_a_paper_are_linked():
    G = build_graph(_store(), load_vocabulary(), workers=0)
    assert not any(k == "coauthor" for *_, k in G.edges(keys=True))  # one author each
    store = Store(":memory:")
    store.upsert_paper({"arxiv_id": "1506.01497", "status": "ok", "title": "Faster R-CNN",
                        "authors": ["Shaoqing Ren", "Kaiming He", "Ross Girshick", "Jian Sun"],
                        "abs_url": "https://arxiv.org/abs/1506.01497"})
    G = build_graph(store, load_vocabulary(), workers=0)
    pairs = sorted((u, v) for u, v, k in G.edges(keys=True) if k == "coauthor")
    assert len(pairs) == 6
    edge = G.edges["person:kaiming-he", "person:shaoqing-ren", "coauthor"]
    assert edge["evidence"] == "co-authors of arXiv:1506.01497 “Faster R-CNN”"


def test_the_dashboard_shows_learned_concepts_or_only_what_the_crawl_found(G):
    from dashboard import data as D

    learned = D.filter_graph(G, D.Filters(provenance="learned"))
    assert sorted(D.label_of(learned, n) for n in learned if D.is_learned(learned, n)) == [
        "BYOL", "Barlow Twins", "GAT", "GCN", "MoCo", "SimCLR", "Swin Transformer", "VICReg",
        "ViT", "diffusion probabilistic models"]
    # ... with the papers and pages they come from and the papers' author, nothing the
    # vocabulary brought.
    others = Counter(D.kind_of(learned, n) for n in learned if not D.is_learned(learned, n))
    assert others == {"paper": 9, "page": 2, "person": 1}

    crawled = D.filter_graph(G, D.Filters(provenance="crawled"))
    # Parents and topics only the vocabulary states; LSTM stays: a page mentions it.
    assert sorted(D.label_of(G, n) for n in set(G) - set(crawled)) == [
        "Artificial intelligence", "Deep learning", "Machine learning",
        "Recurrent neural network", "Sequence modeling", "Unsupervised learning"]
    assert "method:lstm" in crawled
    assert crawled.number_of_edges() and not any(
        D.from_vocabulary(d) for *_, d in crawled.edges(data=True))
    assert D.filter_graph(G, D.Filters()).number_of_edges() == G.number_of_edges()


def test_the_node_page_says_where_a_concept_comes_from(G):
    from dashboard import data as D

    moco, _ = _method_of(G, "MoCo")
    assert D.node_details(G, moco)["origin"] == (
        "learned from a definition in a paper's abstract (confidence 0.8)")
    assert D.node_details(G, "method:lstm")["origin"] == "listed in the vocabulary"
    assert D.node_details(G, "paper:arXiv:1911.05722")["origin"] == ""


def test_the_authors_of_a_paper_work_on_the_method_it_introduces(G):
    moco, _ = _method_of(G, "MoCo")
    edge = G.edges["person:a-author", moco, "works_on"]
    assert (edge["evidence"], edge["source"], edge["weight"]) == (
        "A. Author is an author of arXiv:1911.05722, which introduces MoCo",
        "https://arxiv.org/abs/1911.05722", 1.0)
    # where the vocabulary already says so, the edge is not counted twice
    from graph.build import build_graph
    from graph.store import Store

    store = Store(":memory:")
    store.upsert_paper({"arxiv_id": "1512.03385", "status": "ok",
                        "title": "Deep Residual Learning for Image Recognition",
                        "authors": ["Kaiming He"], "abs_url": "https://arxiv.org/abs/1512.03385"})
    works = build_graph(store, workers=0).edges["person:kaiming-he", "method:resnet", "works_on"]
    assert (works["weight"], works["source"]) == (1.0, "vocabulary")
