"""Analysis of the built graph: finding, ranking, communities, paths, lineage, reading order."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.analysis import (communities, explain_path, find_nodes, lineage, rank_nodes,
                            reading_order)
from tests import graph_fixtures as fx


@pytest.fixture(scope="module")
def G(tmp_path_factory):
    return fx.build_fixture_graph(tmp_path_factory.mktemp("crawl"))


@pytest.mark.parametrize("query", ["何恺明", "Kaiming He", "kaiming he", "He Kaiming",
                                   "KAIMING HE", "何凯明"])
def test_find_person_by_any_name(G, query):
    assert find_nodes(G, query)[0] == "person:kaiming-he"


def test_find_nodes(G):
    assert find_nodes(G, "faster rcnn")[0] == "method:faster-r-cnn"
    assert find_nodes(G, "Faster-RCNN")[0] == "method:faster-r-cnn"
    assert find_nodes(G, "目标检测") == ["topic:object-detection"]
    assert find_nodes(G, "person:yann-lecun") == ["person:yann-lecun"]
    assert find_nodes(G, "Girshick")[:2] == ["person:ross-girshick", f"page:{fx.GIRSHICK}"]
    # people, methods and topics before pages and papers; limit respected
    hits = find_nodes(G, "r-cnn", limit=5)
    assert len(hits) == 5 and hits[0] == "method:r-cnn"
    assert find_nodes(G, "no such thing at all") == []
    assert find_nodes(G, "   ") == []
    H = G.copy()
    assert find_nodes(H, "Island") == []
    H.add_node("topic:island", kind="topic", label="Island", aliases="岛")
    assert find_nodes(H, "岛") == ["topic:island"]  # the name index follows the graph


def test_lineage_oldest_first(G):
    steps = lineage(G, "Faster R-CNN")
    labels = [s["label"] for s in steps]
    chain = ["R-CNN", "Fast R-CNN", "Faster R-CNN", "Mask R-CNN"]
    positions = [labels.index(name) for name in chain]
    assert positions == sorted(positions)
    years = {s["label"]: s["year"] for s in steps}
    assert [years[name] for name in chain] == [2013, 2015, 2015, 2017]
    assert years["R-CNN"] in (2013, 2014)
    # every node comes after what it evolved from
    index = {s["node"]: i for i, s in enumerate(steps)}
    for u, v, rel in G.edges(data="rel"):
        if rel == "evolved_from" and u in index and v in index:
            assert index[v] < index[u], (u, v)
    assert steps[0] == {"node": "method:neocognitron", "label": "Neocognitron", "year": 1980}
    # both ways: from the newest, the ancestors; from the oldest, the descendants
    assert [s["label"] for s in lineage(G, "Mask R-CNN")][-1] == "Mask R-CNN"
    assert "Mask R-CNN" in [s["label"] for s in lineage(G, "method:r-cnn")]
    assert lineage(G, "YOLO") == [{"node": "method:yolo", "label": "YOLO", "year": 2015}]


def test_explain_path_between_lecun_and_girshick(G):
    hops = explain_path(G, "Yann LeCun", "Ross Girshick")
    assert hops is not None and 1 <= len(hops) <= 3
    for hop in hops:
        assert hop["evidence"] and hop["source"] and hop["rel"]
    # the hops chain from LeCun to Girshick, whatever each edge's own direction
    at = "person:yann-lecun"
    for hop in hops:
        assert at in (hop["src"], hop["dst"])
        at = hop["dst"] if hop["src"] == at else hop["src"]
        assert G.has_edge(hop["src"], hop["dst"], hop["rel"])
    assert at == "person:ross-girshick"
    assert hops == [
        {"src": f"page:{fx.LILIAN}", "dst": "person:yann-lecun", "rel": "mentions",
         "evidence": "The convolutional network itself goes back to Yann LeCun and LeNet.",
         "source": fx.LILIAN, "weight": 1.0},
        {"src": f"page:{fx.LILIAN}", "dst": "person:ross-girshick", "rel": "mentions",
         "evidence": "R-CNN by Ross Girshick et al.", "source": fx.LILIAN, "weight": 1.0},
    ]


def test_explain_path_edge_cases(G):
    assert explain_path(G, "何恺明", "Kaiming He") == []
    with pytest.raises(nx.NodeNotFound):
        explain_path(G, "Yann LeCun", "nobody we know")
    H = G.copy()
    H.add_node("topic:island", kind="topic", label="Island")
    assert explain_path(H, "Island", "Yann LeCun") is None
    # restricted to some relations, the path changes or disappears
    only_authorship = explain_path(G, "Kaiming He", "Ross Girshick", relations=("authored",))
    assert [h["rel"] for h in only_authorship] == ["authored", "authored"]
    assert explain_path(G, "Yann LeCun", "Ross Girshick", relations=("authored",)) is None


def test_rank_nodes(G):
    top = rank_nodes(G, top=5)
    assert len(top) == 5 and top[0][0] == "topic:object-detection"
    assert all(a[1] >= b[1] for a, b in zip(top, top[1:]))
    people = rank_nodes(G, kind="person", top=3)
    assert [n for n, _ in people][:2] == ["person:ross-girshick", "person:kaiming-he"]
    by_degree = rank_nodes(G, by="degree", top=3)
    assert by_degree[0] == ("topic:object-detection", float(G.degree("topic:object-detection")))
    assert rank_nodes(G, kind="paper", top=100) and all(
        G.nodes[n]["kind"] == "paper" for n, _ in rank_nodes(G, kind="paper", top=100))
    with pytest.raises(ValueError):
        rank_nodes(G, by="fame")
    assert rank_nodes(nx.MultiDiGraph()) == []


def test_communities(G):
    groups = communities(G, seed=0)
    assert groups == communities(G, seed=0)  # reproducible
    members = [n for g in groups for n in g["nodes"]]
    assert sorted(members) == sorted(G.nodes) and len(members) == len(set(members))
    assert [g["id"] for g in groups] == list(range(len(groups)))
    assert all(len(a["nodes"]) >= len(b["nodes"]) for a, b in zip(groups, groups[1:]))
    for g in groups:
        assert 1 <= len(g["label"].split(" / ")) <= 3
    # the R-CNN family stays together
    family = [g for g in groups if "method:fast-r-cnn" in g["nodes"]][0]
    assert "method:faster-r-cnn" in family["nodes"]
    assert communities(nx.MultiDiGraph()) == []


def test_reading_order(G):
    order = reading_order(G, "object detection")
    assert len(order) == len(set(order))
    pos = {n: i for i, n in enumerate(order)}
    methods = ["method:r-cnn", "method:fast-r-cnn", "method:faster-r-cnn", "method:mask-r-cnn"]
    papers = ["paper:arXiv:1311.2524", "paper:arXiv:1504.08083", "paper:arXiv:1506.01497",
              "paper:arXiv:1703.06870"]
    assert [pos[m] for m in methods] == sorted(pos[m] for m in methods)
    assert [pos[p] for p in papers] == sorted(pos[p] for p in papers)
    for method, paper in zip(methods, papers):
        assert pos[method] < pos[paper]  # a paper comes after what it builds on
    assert pos["method:fast-r-cnn"] < pos["paper:arXiv:1506.01497"]
    # pages filed under the topic or its methods are in, dead links are not
    assert f"page:{fx.LILIAN}" in pos and f"page:{fx.MOHIT}" in pos
    assert f"page:{fx.CSDN}" not in pos
    # Lilian Weng's overview of the whole family comes after Mask R-CNN
    assert pos[f"page:{fx.LILIAN}"] > pos["method:mask-r-cnn"]
    assert all(G.nodes[n]["kind"] in ("method", "paper", "page") for n in order)
    # a method works as a root too
    assert reading_order(G, "R-CNN")[0] == "method:r-cnn"
