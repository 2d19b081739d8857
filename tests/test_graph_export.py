"""Export formats: every node, edge and attribute survives a round trip through networkx
and python-igraph, including hostile strings."""

from __future__ import annotations

import copy
import csv
import io
import json
import warnings
import zipfile
from datetime import date, datetime

import igraph
import networkx as nx
import pytest

from graph.export import (FORMATS, clean_text, csv_tables, export_bytes, sanitize_for_export,
                          write_graph)
from graph.store import Store
from tests.graph_fixtures import write_store

CONTROL = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))
HOSTILE = ('He said "R-CNN" isn\'t <b>bold</b> & fast 😀 何恺明 提出了 ResNet\t'
           f"tab\nnewline{CONTROL}\x7f end")
HUGE = ("残差网络 ResNet & <x> " * 6000)[:100_000]
PAGE = "page:https://example.com/a?x=1&y=<2>&z=\"q\""


def hostile_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(name="fixture")
    G.add_node(PAGE, kind="page", label=HOSTILE, url="https://example.com/a?x=1&y=<2>",
               title=None, keywords=["目标检测", "R-CNN|Fast"], is_seed=True,
               http_status=404, summary=HUGE, fetched=date(2024, 5, 1), extra={"a": [1, 2]})
    G.add_node("person:kaiming-he", kind="person", label="Kaiming He",
               aliases=("He Kaiming", "何恺明"), is_seed=False, http_status=None)
    G.add_node("method:r-cnn", kind="method", label="R-CNN", year=2014, score=0.5)
    G.add_node("method:fast-r-cnn", kind="method", label="Fast R-CNN", year=2015, score=1)
    G.add_edge(PAGE, "person:kaiming-he", key="mentions", rel="mentions", weight=2.0,
               source="https://example.com/a?x=1&y=<2>", evidence=HOSTILE,
               evidence_2="second <snippet> & more")
    G.add_edge(PAGE, "method:r-cnn", key="mentions", rel="mentions", weight=1.0,
               source="https://example.com/a", evidence=HUGE[:300])
    G.add_edge(PAGE, "method:r-cnn", key="listed_under", rel="listed_under", weight=1,
               source="reading-list:L38", evidence="RCNN", when=datetime(2024, 5, 1, 12, 0))
    G.add_edge("method:fast-r-cnn", "method:r-cnn", key="evolved_from", rel="evolved_from",
               weight=1.0, source="vocabulary", evidence="Fast R-CNN evolved from R-CNN")
    return G


EXPECTED_PAGE = {
    "kind": "page", "label": clean_text(HOSTILE), "url": "https://example.com/a?x=1&y=<2>",
    "keywords": "目标检测|R-CNN|Fast", "is_seed": True, "http_status": 404,
    "summary": HUGE, "fetched": "2024-05-01", "extra": '{"a": [1, 2]}',
}


def test_sanitize_gives_scalars_of_one_type_per_attribute():
    H = sanitize_for_export(hostile_graph())
    assert H.nodes[PAGE] == EXPECTED_PAGE
    assert H.nodes["person:kaiming-he"] == {"kind": "person", "label": "Kaiming He",
                                            "aliases": "He Kaiming|何恺明", "is_seed": False}
    # score was int on one node and float on another: one type (float) for all
    assert [H.nodes[n]["score"] for n in ("method:r-cnn", "method:fast-r-cnn")] == [0.5, 1.0]
    assert all(type(d["weight"]) is float for *_, d in H.edges(keys=True, data=True))
    assert clean_text(HOSTILE) == ('He said "R-CNN" isn\'t <b>bold</b> & fast 😀 何恺明 提出了 '
                                   "ResNet\ttab\nnewline\x7f end")
    assert sorted(k for *_, k in H.edges(keys=True)) == ["e0", "e1", "e2", "e3"]
    assert {d["rel"] for *_, d in H.edges(data=True)} == {"mentions", "listed_under",
                                                          "evolved_from"}
    for *_, d in H.edges(data=True):
        assert all(v is not None and not isinstance(v, (list, dict)) for v in d.values())


def _edge_set(G):
    return sorted((u, v, tuple(sorted((k, str(x)) for k, x in d.items() if k != "id")))
                  for u, v, d in G.edges(data=True))


def test_graphml_round_trip_networkx(tmp_path):
    G = hostile_graph()
    H = sanitize_for_export(G)
    path = write_graph(G, "graphml", tmp_path / "g.graphml")
    R = nx.read_graphml(path, force_multigraph=True)
    assert isinstance(R, nx.MultiDiGraph)
    assert dict(R.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(R.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))
    assert R.graph["name"] == "fixture"
    # every edge id is unique, so Gephi and yEd keep parallel edges
    ids = [k for *_, k in R.edges(keys=True)]
    assert len(ids) == len(set(ids)) == 4


def test_graphml_round_trip_igraph(tmp_path):
    H = sanitize_for_export(hostile_graph())
    path = write_graph(hostile_graph(), "graphml", tmp_path / "g.graphml")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "duplicate attribute" or type warnings
        g = igraph.Graph.Read_GraphML(str(path))
    assert g.is_directed()
    assert g.vcount() == H.number_of_nodes() and g.ecount() == H.number_of_edges()
    # igraph 1.0 returns "&" in XML attribute values (node ids) as "&#38;"; the data
    # attributes (url, label, ...) are exact. Map ids back to compare the structure.
    ids = [v["id"].replace("&#38;", "&") for v in g.vs]
    assert sorted(ids) == sorted(H.nodes)
    for v in g.vs:
        expected = H.nodes[v["id"].replace("&#38;", "&")]
        for name, value in expected.items():
            assert v[name] == value, (name, v[name], value)
    assert g.vs[ids.index(PAGE)]["summary"] == HUGE
    got = sorted((ids[e.source], ids[e.target], e["rel"], e["weight"], e["evidence"],
                  e["source"]) for e in g.es)
    want = sorted((u, v, d["rel"], d["weight"], d["evidence"], d["source"])
                  for u, v, d in H.edges(data=True))
    assert got == want


def test_gexf_round_trip(tmp_path):
    H = sanitize_for_export(hostile_graph())
    path = write_graph(hostile_graph(), "gexf", tmp_path / "g.gexf")
    R = nx.read_gexf(path)
    assert sorted(R.nodes) == sorted(H.nodes)
    for n, d in H.nodes(data=True):
        assert R.nodes[n] == d
    assert R.number_of_edges() == 4
    assert _edge_set(nx.MultiDiGraph(R)) == _edge_set(H)


def test_json_round_trip(tmp_path):
    H = sanitize_for_export(hostile_graph())
    path = write_graph(hostile_graph(), "json", tmp_path / "g.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["directed"] and data["multigraph"]
    edge = next(e for e in data["edges"] if e["rel"] == "listed_under")
    assert (edge["src"], edge["dst"], edge["source"]) == (PAGE, "method:r-cnn",
                                                          "reading-list:L38")
    R = nx.node_link_graph(data, source="src", target="dst", edges="edges")
    assert dict(R.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(R.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))


def test_csv_is_neo4j_import_layout(tmp_path):
    H = sanitize_for_export(hostile_graph())
    out = write_graph(hostile_graph(), "csv", tmp_path / "csv")
    assert sorted(p.name for p in out.iterdir()) == ["edges.csv", "nodes.csv"]
    with open(out / "nodes.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    assert header[:3] == ["id:ID", ":LABEL", "label"]
    assert {"year:long", "is_seed:boolean", "score:double", "http_status:long"} <= set(header)
    nodes = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert set(nodes) == set(H.nodes)
    page = nodes[PAGE]
    assert page[":LABEL"] == "page" and page["label"] == clean_text(HOSTILE)
    assert page["summary"] == HUGE and page["is_seed:boolean"] == "true"
    assert nodes["method:r-cnn"]["year:long"] == "2014"
    with open(out / "edges.csv", newline="", encoding="utf-8") as f:
        erows = list(csv.reader(f))
    assert erows[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert "weight:double" in erows[0]
    edges = sorted((r[0], r[1], r[2]) for r in erows[1:])
    assert edges == sorted((u, v, d["rel"]) for u, v, d in H.edges(data=True))


def test_export_bytes_every_format():
    G = hostile_graph()
    before = (copy.deepcopy(list(G.nodes(data=True))),
              copy.deepcopy(list(G.edges(keys=True, data=True))))
    for fmt in FORMATS:
        data = export_bytes(G, fmt)
        assert isinstance(data, bytes) and data
    # exporting never changes the graph (clean attribute dicts are shared, not modified)
    assert (list(G.nodes(data=True)), list(G.edges(keys=True, data=True))) == before
    H = sanitize_for_export(G)
    H.nodes["method:r-cnn"]["year"] = 1999
    assert G.nodes["method:r-cnn"]["year"] == 2014  # the public copy is independent
    with zipfile.ZipFile(io.BytesIO(export_bytes(G, "csv"))) as z:
        assert sorted(z.namelist()) == ["edges.csv", "nodes.csv"]
        assert z.read("nodes.csv").decode("utf-8") == csv_tables(G)["nodes.csv"]
    with pytest.raises(ValueError, match="graphml, gexf, json, csv"):
        export_bytes(G, "dot")


def test_built_graph_round_trips_in_every_reader(tmp_path):
    from graph.build import build_graph

    write_store(tmp_path)
    store = Store.open_existing(tmp_path)
    G = build_graph(store)
    store.close()
    H = sanitize_for_export(G)
    path = write_graph(G, "graphml", tmp_path / "graph.graphml")
    R = nx.read_graphml(path, force_multigraph=True)
    assert dict(R.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(R.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))
    g = igraph.Graph.Read_GraphML(str(path))
    assert (g.vcount(), g.ecount()) == (G.number_of_nodes(), G.number_of_edges())
    assert sorted(g.vs["label"]) == sorted(d["label"] for _, d in G.nodes(data=True))
    X = nx.read_gexf(write_graph(G, "gexf", tmp_path / "graph.gexf"))
    assert X.number_of_nodes() == G.number_of_nodes()
    assert X.number_of_edges() == G.number_of_edges()
    # every node keeps kind and label, every edge rel, weight, source and evidence
    for _, d in R.nodes(data=True):
        assert d["kind"] and d["label"]
    for *_, d in R.edges(data=True):
        assert {"rel", "weight", "source", "evidence"} <= set(d)
        assert len(d["evidence"]) <= 300


def test_other_graph_types_export(tmp_path):
    # The functions take any networkx graph: undirected and simple graphs too.
    for G in (nx.MultiGraph(), nx.Graph(), nx.DiGraph()):
        G.add_edge("a", "b", rel="links_to", weight=1.0)
        G.add_edge("b", "c", rel="mentions", weight=2)
        H = sanitize_for_export(G)
        assert H.number_of_edges() == 2 and H.number_of_nodes() == 3
        R = nx.read_graphml(write_graph(G, "graphml", tmp_path / "g.graphml"),
                            force_multigraph=True)
        assert sorted(d["rel"] for *_, d in R.edges(data=True)) == ["links_to", "mentions"]
        assert {d["weight"] for *_, d in R.edges(data=True)} == {1.0, 2.0}
