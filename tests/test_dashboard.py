"""Tests of dashboard/: the Streamlit app through AppTest (no browser), and its data functions.

Each test writes a small crawl store (tests/dashboard_fixtures.py) into tmp_path and points
DATA_DIR at it. AppTest runs no JavaScript: the network component's arguments are checked
as the JSON the app hands it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data as D
from dashboard import view as V
from graph import analysis
from graph.cli import main as graph_cli
from graph.export import FORMATS, export_bytes
from graph.store import Store
from tests.dashboard_fixtures import (CHINESE_TITLE, DEAD_URL, XSS_TITLE, XSS_URL,
                                      write_fixture_store)

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
TABS = {"overview": "Overview", "network": "Network", "node": "Node", "path": "Path finder",
        "lineage": "Lineage & reading order", "missing": "Missing from your list",
        "health": "Crawl health", "export": "Export"}


def start(data_dir: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def data_dir(tmp_path) -> Path:
    write_fixture_store(tmp_path)
    return tmp_path


@pytest.fixture
def app(data_dir, monkeypatch) -> AppTest:
    return start(data_dir, monkeypatch)


@pytest.fixture
def graph(data_dir):
    return D.read_snapshot(data_dir).graph


def tab(at: AppTest, name: str):
    """Open one tab (only the open tab's content runs) and return it."""
    label = TABS[name]
    if at.session_state["tab"] != label:
        # The tab is bound to the URL: a browser's click changes both, and so does this.
        at.session_state["tab"] = label
        at.query_params["tab"] = label
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    (found,) = [t for t in at.tabs if t.label == label]
    return found


def network_elements(at: AppTest) -> dict:
    tab(at, "network")
    (component,) = [e for e in at.get("component_instance")
                    if "st_link_analysis" in e.proto.component_name]
    return json.loads(component.proto.json_args)["elements"]


def drawn_nodes(at: AppTest) -> set:
    return {V.node_id(n) for n in network_elements(at)["nodes"]}


def texts(at: AppTest) -> list[str]:
    """Every piece of Markdown-rendered text on the page."""
    out = []
    for kind in ("markdown", "caption", "subheader", "title", "header", "error", "warning",
                 "info", "success"):
        out += [e.value for e in at.get(kind)]
    return out


def one(G, name: str):
    found = analysis.find_nodes(G, name, limit=1)
    assert found, f"no node for {name!r}"
    return found[0]


# -- before any crawl -------------------------------------------------------------------------
def test_no_store_shows_the_command_to_run(tmp_path, monkeypatch):
    at = start(tmp_path / "nothing-here", monkeypatch)
    assert any("scrapy crawl seeds" in c.value for c in at.code)
    assert any("Nothing has been crawled yet" in i.value for i in at.info)
    assert not at.error and not at.tabs


def test_empty_store_is_friendly(tmp_path, monkeypatch):
    Store(tmp_path / "crawl.sqlite").close()
    at = start(tmp_path, monkeypatch)
    assert any("holds nothing yet" in i.value for i in at.info)
    assert any("scrapy crawl seeds" in c.value for c in at.code)


def test_unreadable_store_gets_a_message_not_a_traceback(tmp_path, monkeypatch):
    (tmp_path / "crawl.sqlite").write_bytes(b"this is not a database" * 100)
    at = start(tmp_path, monkeypatch)
    assert at.error and "Could not read the data" in at.error[0].value


# -- overview ---------------------------------------------------------------------------------
def test_overview_counts_kinds_seeds_and_central_nodes(app, graph):
    metrics = {m.label: m.value for m in tab(app, "overview").metric}
    kinds = D.kind_counts(graph)
    assert metrics["pages"] == str(kinds["page"]) and kinds["page"] >= 6
    assert metrics["people"] == str(kinds["person"])
    assert metrics["edges"] == str(graph.number_of_edges())
    assert (metrics["seeds ok"], metrics["seeds dead"]) == ("7", "2")
    assert (metrics["seeds failed"], metrics["seeds archived"]) == ("1", "1")
    assert metrics["seeds not crawled"] == "0"
    tables = [t.value for t in tab(app, "overview").dataframe]
    people, methods, papers = (list(t["name"]) for t in tables)
    assert {"Kaiming He", "Ross Girshick"} <= set(people)
    assert "Fast R-CNN" in methods
    assert "Deep Residual Learning for Image Recognition" in papers


# -- network view and filters -----------------------------------------------------------------
def test_network_draws_the_whole_graph_by_default(app, graph):
    assert drawn_nodes(app) == set(graph.nodes)
    edges = network_elements(app)["edges"]
    assert len(edges) == graph.number_of_edges()
    assert {e["data"]["label"] for e in edges} == {d["rel"] for *_, d in graph.edges(data=True)}


def test_untrusted_text_is_escaped_in_the_network_fields(app):
    elements = network_elements(app)
    xss = [n["data"] for n in elements["nodes"] if V.node_id(n) == f"page:{XSS_URL}"]
    assert xss and xss[0]["label"] == XSS_TITLE  # caption: drawn as text on a canvas
    # The side panel writes every other field as HTML: none may carry markup.
    for item in elements["nodes"] + elements["edges"]:
        for key, value in item["data"].items():
            if key != "label":
                assert not re.search(r"[<>\"]", str(value)), (key, value)


def test_kind_filter(app, graph):
    app.multiselect(key="kinds").set_value(["person", "method"]).run()
    drawn = drawn_nodes(app)
    assert drawn == {n for n in graph if D.kind_of(graph, n) in ("person", "method")}
    for e in network_elements(app)["edges"]:
        assert V.node_id({"data": {"id": e["data"]["source"]}}) in drawn
    app.multiselect(key="kinds").set_value([]).run()
    assert any("Nothing matches" in i.value for i in tab(app, "network").info)


def test_relation_and_weight_filters(app, graph):
    app.multiselect(key="rels").set_value(["authored"]).run()
    assert {e["data"]["label"] for e in network_elements(app)["edges"]} == {"authored"}
    app.multiselect(key="rels").set_value(list(D.relation_counts(graph))).run()
    heaviest = max(D.weight_of(d) for *_, d in graph.edges(data=True))
    app.number_input(key="min_weight").set_value(heaviest).run()
    weights = [e["data"]["weight"] for e in network_elements(app)["edges"]]
    assert weights and min(weights) >= heaviest


def test_heading_filter_shows_the_pages_under_it_and_their_neighbours(app, graph, data_dir):
    app.selectbox(key="heading").set_value("RCNN").run()
    drawn = drawn_nodes(app)
    assert "page:https://arxiv.org/abs/1504.08083" in drawn
    assert "page:http://nowhere.invalid/rcnn" in drawn
    assert f"page:{XSS_URL}" not in drawn
    seeds = D.read_snapshot(data_dir).seeds
    assert drawn == set(D.filter_graph(graph, D.Filters(heading="RCNN"), seeds).nodes)


def test_topic_and_community_filters(app, graph):
    topic = one(graph, "object detection")
    app.selectbox(key="topic").set_value(topic).run()
    drawn = drawn_nodes(app)
    assert topic in drawn and drawn <= D.topic_scope(graph, topic)
    app.selectbox(key="topic").set_value(None).run()
    biggest = analysis.communities(graph, seed=0)[0]
    app.selectbox(key="community").set_value(biggest["id"]).run()
    assert drawn_nodes(app) == set(biggest["nodes"])


def test_the_view_is_capped_and_says_what_was_left_out(app, graph):
    app.number_input(key="limit").set_value(10).run()
    assert len(drawn_nodes(app)) == 10
    note = tab(app, "network").caption[0].value
    assert f"Showing 10 of {graph.number_of_nodes()} nodes" in note and "Left out:" in note
    scores = dict(analysis.rank_nodes(graph, top=graph.number_of_nodes()))
    most_central = max(graph, key=lambda n: scores[n])
    assert most_central in drawn_nodes(app)


# -- search and node details ------------------------------------------------------------------
def test_search_in_chinese_finds_kaiming_he(app, graph):
    app.text_input(key="search").input("何恺明").run()
    pick = app.selectbox(key="search_pick")
    assert D.label_of(graph, pick.value) == "Kaiming He"
    node_tab = tab(app, "node")
    assert node_tab.subheader[0].value == "Kaiming He"
    assert any("何恺明" in m.value for m in node_tab.markdown)  # the aliases line
    assert node_tab.dataframe  # neighbours, grouped by relation
    rows = [r for t in node_tab.dataframe for r in t.value.to_dict("records")]
    assert any(r.get("evidence") for r in rows)


def test_details_of_a_dead_page(app, graph):
    app.text_input(key="search").input(DEAD_URL).run()
    node_tab = tab(app, "node")
    assert node_tab.error and "Dead link (http\\_error)" in node_tab.error[0].value
    assert "HTTP 404" in node_tab.error[0].value


def test_details_of_a_paper_show_authors_and_year(app):
    app.text_input(key="search").input("Deep Residual Learning").run()
    app.selectbox(key="search_pick").set_value("paper:arXiv:1512.03385").run()
    node_tab = tab(app, "node")
    assert any("year: **2015**" in m.value for m in node_tab.markdown)
    assert any("Kaiming He" in m.value and "Authors" in m.value for m in node_tab.markdown)


def test_an_injected_title_is_shown_as_text(app):
    app.text_input(key="search").input("onerror").run()
    node_tab = tab(app, "node")
    assert node_tab.subheader[0].value == V.md(XSS_TITLE)
    for name in TABS:
        tab(app, name)
        for text in texts(app):
            assert not re.search(r"(?<!\\)[<>]", text), (name, text)  # all escaped
    health = tab(app, "health").dataframe[0].value  # tables hold the text as data
    assert XSS_TITLE in set(health["title"])


def test_chinese_page_is_shown(app, graph):
    app.text_input(key="search").input("卷积神经网络结构演变").run()
    assert tab(app, "node").subheader[0].value == V.md(CHINESE_TITLE)


# -- path finder, lineage, reading order ----------------------------------------------------
def test_path_finder_connects_lecun_and_girshick_with_evidence(app, graph):
    tab(app, "path")
    app.text_input(key="path_from").input("LeCun").run()
    app.text_input(key="path_to").input("Girshick").run()
    panel = tab(app, "path")
    assert panel.success and "Yann LeCun connects to Ross Girshick" in panel.success[0].value
    assert len(panel.caption) == len(panel.dataframe[0].value)  # one evidence line per hop
    rows = panel.dataframe[0].value.to_dict("records")
    assert rows and all(r["evidence"] for r in rows)
    assert rows[0]["from"] in ("Yann LeCun",) or rows[0]["to"] == "Yann LeCun"
    hops = analysis.explain_path(graph, one(graph, "LeCun"), one(graph, "Girshick"))
    assert len(rows) == len(hops)


def test_path_finder_with_no_match(app):
    tab(app, "path")
    app.text_input(key="path_from").input("no such person anywhere").run()
    assert tab(app, "path").warning


def test_lineage_and_reading_order(app, graph):
    fast = one(graph, "Fast R-CNN")
    tab(app, "lineage")
    app.selectbox(key="lineage_method").set_value(fast).run()
    panel = tab(app, "lineage")
    lineage = list(panel.dataframe[0].value["method"])
    assert lineage.index("R-CNN") < lineage.index("Fast R-CNN")
    app.selectbox(key="reading_topic").set_value(one(graph, "object detection")).run()
    panel = tab(app, "lineage")
    order = panel.dataframe[1].value if len(panel.dataframe) > 1 else None
    assert order is not None and len(order) > 0


# -- crawl health ---------------------------------------------------------------------------
def test_crawl_health_lists_every_seed_with_its_outcome(app):
    panel = tab(app, "health")
    table = panel.dataframe[0].value
    assert list(table["line"]) == [1, 2, 3, 4, 9, 10, 11, 14, 17, 20, 21]
    dead = table[table["state"] == "dead"]
    assert list(dead["line"]) == [3, 11]
    assert set(dead["outcome"]) == {"http_error", "dns_error"}
    assert dict(zip(table["line"], table["state"]))[20] == "failed"
    assert dict(zip(table["line"], table["state"]))[21] == "archived"
    warnings = [w.value for w in panel.warning]
    assert warnings == ["2 dead URLs: fix or replace them. Reading-list lines 3, 11.",
                        "1 archived URL: now live only in the web archive. Reading-list "
                        "line 21.",
                        "1 failed URL: could not be used. Reading-list line 20."]
    assert list(table["http_status"]) == ["200", "200", "404", "200", "200", "200", "",
                                          "200", "200", "", "200"]  # blank, not "None"
    app.toggle(key="only_problems").set_value(True).run()
    assert list(tab(app, "health").dataframe[0].value["line"]) == [3, 11, 20, 21]
    problems = tab(app, "health").dataframe[1].value
    assert list(problems["line"]) == [19]


# -- export -----------------------------------------------------------------------------------
def test_export_buttons_offer_every_format(app, graph):
    panel = tab(app, "export")
    labels = [b.proto.label for b in panel.get("download_button")]
    assert labels == [{"graphml": "GraphML", "gexf": "GEXF", "json": "JSON",
                       "csv": "CSV (Neo4j, zip)"}[f] for f in FORMATS]
    assert f"{graph.number_of_nodes()} nodes" in panel.markdown[0].value


def test_export_of_a_filtered_view(app, graph, data_dir):
    app.multiselect(key="kinds").set_value(["person", "paper"]).run()
    f = D.Filters(kinds=("person", "paper"))
    H = D.filter_graph(graph, f, D.read_snapshot(data_dir).seeds)
    assert f"{H.number_of_nodes()} nodes, {H.number_of_edges()} edges" in \
        tab(app, "export").markdown[0].value
    payload = D.export_view(graph, f, D.read_snapshot(data_dir).seeds, "graphml")
    assert payload == export_bytes(H, "graphml")
    assert b"person:" in payload and b"page:" not in payload


@pytest.mark.parametrize("from_graphml", [False, True], ids=["built", "graphml"])
def test_whole_graph_export_is_what_the_cli_writes(data_dir, from_graphml):
    if from_graphml:
        assert graph_cli(["--data-dir", str(data_dir), "build"]) == 0
    snap = D.read_snapshot(data_dir)
    assert snap.source == ("graphml" if from_graphml else "store")
    for fmt in ("graphml", "gexf", "json"):
        out = data_dir / f"cli.{fmt}"
        assert graph_cli(["--data-dir", str(data_dir), "export", "-f", fmt, "-o",
                          str(out)]) == 0
        assert D.export_view(snap.graph, D.Filters(), snap.seeds, fmt) == out.read_bytes()


# -- caching ----------------------------------------------------------------------------------
def test_loads_once_and_reloads_when_the_store_changes(data_dir, monkeypatch):
    calls = []
    real = D.read_snapshot
    monkeypatch.setattr(D, "read_snapshot", lambda d, *a, **k: calls.append(d) or real(d))
    at = start(data_dir, monkeypatch)
    at.run()
    assert len(calls) == 1
    store = Store.open_existing(data_dir)
    store.upsert_document({"url": "https://new.example/", "outcome": "ok", "title": "New"})
    store.close()
    at.run()
    assert len(calls) == 2
    assert any(m.label == "pages" for m in at.metric)


def test_snapshot_prefers_a_current_graphml_and_ignores_a_stale_one(data_dir):
    assert graph_cli(["--data-dir", str(data_dir), "build"]) == 0
    assert D.read_snapshot(data_dir).source == "graphml"
    store = Store.open_existing(data_dir)
    store.upsert_document({"url": "https://new.example/", "outcome": "ok", "title": "New"})
    store.close()
    snap = D.read_snapshot(data_dir)
    assert snap.source == "store" and "page:https://new.example/" in snap.graph


def test_the_dashboard_never_writes(data_dir, monkeypatch):
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    at = start(data_dir, monkeypatch)
    at.text_input(key="search").input("Girshick").run()
    after = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    assert after == before
    with sqlite3.connect(data_dir / "crawl.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 11


# -- robustness -------------------------------------------------------------------------------
def test_a_failing_part_shows_a_message_and_the_rest_still_works(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("<b>boom</b>")

    monkeypatch.setattr(analysis, "explain_path", broken)
    tab(app, "path")
    app.text_input(key="path_from").input("LeCun").run()
    app.text_input(key="path_to").input("Girshick").run()
    assert not app.exception
    error = tab(app, "path").error[0].value
    assert "path finder could not be shown" in error and "\\<b\\>boom" in error
    assert tab(app, "health").dataframe  # other tabs still render


def test_a_graph_file_without_a_store(tmp_path, monkeypatch):
    import networkx as nx
    from graph.export import write_graph

    G = nx.MultiDiGraph()
    for i in range(700):  # more than one view draws
        G.add_node(f"page:https://p{i}.example/", kind="page", label=f"Page {i}")
    G.add_node("topic:rl", kind="topic", label="reinforcement learning", aliases="强化学习")
    for i in range(700):
        G.add_edge(f"page:https://p{i}.example/", "topic:rl", key="mentions", rel="mentions",
                   weight=1.0, source=f"https://p{i}.example/", evidence="RL")
    write_graph(G, "graphml", tmp_path / "graph.graphml")
    at = start(tmp_path, monkeypatch)
    note = tab(at, "network").caption[0].value
    assert f"Showing {D.VIEW_LIMIT} of 701 nodes" in note and "Left out: 201 pages" in note
    assert "topic:rl" in drawn_nodes(at)  # the most central node is drawn
    assert any("no crawl store" in i.value for i in tab(at, "health").info)
    at.text_input(key="search").input("强化学习").run()
    assert tab(at, "node").subheader[0].value == "reinforcement learning"


def test_module_examples():
    import doctest

    for module in (D, V):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_the_picked_node_is_drawn_selected_and_its_details_are_one_click_away(app, graph):
    app.text_input(key="search").input("Girshick").run()
    picked = app.selectbox(key="search_pick").value
    assert D.label_of(graph, picked) == "Ross Girshick"
    selected = [V.node_id(n) for n in network_elements(app)["nodes"] if n.get("selected")]
    assert selected == [picked]
    app.button(key="open_details").click().run()
    assert app.session_state["tab"] == "Node"
    assert tab(app, "node").subheader[0].value == "Ross Girshick"


def test_details_of_an_archived_and_a_failed_page(app):
    app.text_input(key="search").input("YOLO explained").run()
    assert any("web archive" in i.value for i in tab(app, "node").info)
    app.text_input(key="search").input("slow.example.net").run()
    warning = tab(app, "node").warning[0].value
    assert "Could not be used (timeout)" in warning and "no answer" in warning


# -- counts that agree, where the graph comes from, the first run --------------------------
def test_health_counts_urls_and_names_the_lines_of_a_url_listed_twice(tmp_path, monkeypatch):
    from tests.dashboard_fixtures import HINTS, LIST_PATH, PROBLEMS, SEEDS

    write_fixture_store(tmp_path)
    store = Store.open_existing(tmp_path)
    # The dead DNS link listed a second time, on line 23.
    again = dict(SEEDS[6], line=23, raw="http://nowhere.invalid/rcnn")
    store.replace_reading_list(LIST_PATH, SEEDS + [again], HINTS, PROBLEMS)
    store.close()
    at = start(tmp_path, monkeypatch)
    metrics = {m.label: m.value for m in tab(at, "overview").metric}
    assert (metrics["seeds dead"], metrics["seeds ok"]) == ("2", "7")
    assert "Seeds are counted by URL: 11 URLs on 12 reading-list lines (a URL listed twice " \
           "counts once)." in [c.value for c in tab(at, "overview").caption]
    panel = tab(at, "health")
    assert {m.label: m.value for m in panel.metric}["dead"] == "2"
    assert panel.warning[0].value == ("2 dead URLs (3 list lines): fix or replace them. "
                                      "Reading-list lines 3, 11, 23.")
    assert list(panel.dataframe[0].value["line"])[-1] == 23


def source_caption(at: AppTest) -> str:
    (line,) = [c.value for c in tab(at, "overview").caption if c.value.startswith("Graph ")]
    return line


def test_the_graph_a_crawl_writes_is_used_as_it_is(miniweb, tmp_path, monkeypatch):
    from tests.conftest import run_crawl
    from tests.miniweb import Page

    miniweb.routes["/a"] = Page(b"<html><head><title>Residual networks</title></head><body>"
                                b"<p>Kaiming He proposed ResNet for image recognition. "
                                b"ResNet uses residual connections.</p></body></html>")
    seeds = tmp_path / "list.txt"
    seeds.write_text(f"ResNet\n{miniweb.url('/a')}\n", encoding="utf-8")
    run = run_crawl(tmp_path / "data", seeds, args={"depth": 0},
                    settings={"ARXIV_API_URL": miniweb.url("/no-arxiv"), "ARXIV_RETRIES": "0"})
    assert run.returncode == 0, run.stderr[-2000:]
    # The crawl records itself in the store after writing the graph: still the same content.
    snap = D.read_snapshot(tmp_path / "data")
    assert (snap.source, snap.rebuilt_because, snap.notice) == ("graphml", None, None)
    at = start(tmp_path / "data", monkeypatch)
    assert source_caption(at) == ("Graph read from graph.graphml (built from exactly what "
                                  "the crawl store holds now).")


def test_a_graph_file_older_than_the_store_content_is_rebuilt(data_dir, monkeypatch):
    assert graph_cli(["--data-dir", str(data_dir), "build"]) == 0
    at = start(data_dir, monkeypatch)
    assert source_caption(at).startswith("Graph read from graph.graphml")
    store = Store.open_existing(data_dir)
    stamp = store.content_stamp()
    store.upsert_document({"url": "https://new.example/", "outcome": "ok", "title": "New"})
    assert store.content_stamp() != stamp
    store.close()
    at.run()
    assert source_caption(at) == ("Graph built from the crawl store: graph.graphml was built "
                                  "from older store content (`python -m graph build` saves "
                                  "it).")
    snap = D.read_snapshot(data_dir)
    assert (snap.source, snap.rebuilt_because) == ("store", "stale")
    assert "page:https://new.example/" in snap.graph


def test_a_graph_file_copied_from_another_store_is_not_trusted(data_dir, tmp_path_factory):
    assert graph_cli(["--data-dir", str(data_dir), "build"]) == 0
    other = tmp_path_factory.mktemp("other")
    write_fixture_store(other)  # the same rows, written the same way: another store
    (other / "graph.graphml").write_bytes((data_dir / "graph.graphml").read_bytes())
    assert D.read_snapshot(other).rebuilt_because == "stale"


def test_a_corrupt_graph_file_is_rebuilt_from_the_store(data_dir, monkeypatch, graph):
    (data_dir / "graph.graphml").write_text("<graphml><graph><node id=", encoding="utf-8")
    at = start(data_dir, monkeypatch)
    assert not at.error
    (notice,) = [w.value for w in at.warning if "graph\\.graphml" in w.value]
    assert notice == V.md("graph.graphml could not be read (ParseError: unclosed token: "
                          "line 1, column 16); the graph was rebuilt from the crawl store.")
    assert "\n" not in notice
    assert source_caption(at) == ("Graph built from the crawl store: graph.graphml could not "
                                  "be read (`python -m graph build` saves it).")
    assert drawn_nodes(at) == set(graph.nodes)


def test_welcome_names_the_data_directory_it_reads(tmp_path, monkeypatch):
    at = start(tmp_path / "run 1", monkeypatch)
    where = str((tmp_path / "run 1").resolve())
    (commands, shown) = [c.value for c in at.code]
    assert commands.splitlines() == [
        f"scrapy crawl seeds -s DATA_DIR='{where}'     # crawl the reading list into {where}/",
        f"DATA_DIR='{where}' python -m graph build     # optional: save {where}/graph.graphml",
        f"DATA_DIR='{where}' streamlit run dashboard/app.py"]
    assert shown == where


def test_a_list_whose_lines_were_all_rejected_shows_them(tmp_path, monkeypatch):
    store = Store(tmp_path / "crawl.sqlite")
    store.replace_reading_list("list.txt", [], [], [
        {"line": 1, "text": "ftp://example.org/file.txt", "reason": "not http(s): ftp"},
        {"line": 3, "text": "htp:/broken", "reason": "not a URL"}])
    store.close()
    at = start(tmp_path, monkeypatch)
    assert [w.value for w in at.warning] == [
        "The crawl store holds no links: all 2 link line(s) of the reading list were "
        "rejected. Fix them and crawl again."]
    rows = at.dataframe[0].value.to_dict("records")
    assert rows == [{"line": 1, "text": "ftp://example.org/file.txt",
                     "reason": "not http(s): ftp"},
                    {"line": 3, "text": "htp:/broken", "reason": "not a URL"}]
    assert not any("holds nothing yet" in i.value for i in at.info)


# -- small things --------------------------------------------------------------------------
def test_usage_telemetry_is_off_when_started_as_the_readme_says(tmp_path):
    import subprocess
    import sys

    # Streamlit reads .streamlit/config.toml beside the script it runs, from any directory.
    probe = ("import sys; from streamlit import config; config._main_script_path = sys.argv[1];"
             "config.get_config_options(force_reparse=True);"
             "print(config.get_option('browser.gatherUsageStats'))")
    for script, expected in ((APP, "False"), (str(tmp_path / "app.py"), "True")):
        out = subprocess.run([sys.executable, "-c", probe, script], cwd=tmp_path,
                             capture_output=True, text=True, env={"HOME": str(tmp_path),
                                                                  "PATH": "/usr/bin:/bin"})
        assert out.stdout.strip() == expected, out.stderr[-2000:]
    tracked = subprocess.run(["git", "ls-files", "dashboard/.streamlit/config.toml"],
                             cwd=Path(APP).parents[1], capture_output=True, text=True)
    assert tracked.stdout.strip() == "dashboard/.streamlit/config.toml"


def test_timeline_plots_only_dated_methods(app, graph):
    import pyarrow as pa

    tab(app, "lineage")
    app.selectbox(key="lineage_method").set_value(one(graph, "Fast R-CNN")).run()
    panel = tab(app, "lineage")
    table = dict(zip(panel.dataframe[0].value["method"], panel.dataframe[0].value["year"]))
    assert (table["Selective search"], table["R-CNN"]) == ("", "2013")  # blank, not "None"
    (chart,) = panel.get("vega_lite_chart")
    (dataset,) = chart.proto.datasets
    plotted = pa.ipc.open_stream(dataset.data.data).read_all().to_pydict()
    assert plotted == {
        "year": [1980, 1989, 2013, 2014, 2015, 2015, 2016, 2017],
        "method": ["Neocognitron", "Convolutional neural network", "R-CNN", "SPP-Net",
                   "Fast R-CNN", "Faster R-CNN", "Feature pyramid network", "Mask R-CNN"]}


def test_communities_are_named_readably(app):
    assert app.selectbox(key="community").options == [
        "any community",
        "ResNet / Kaiming He / CNN architectures (19 nodes)",
        "Object detection / Ross Girshick / Faster R-CNN (18 nodes)",
        "Computer vision / Yann LeCun / Deep learning (13 nodes)",
        "R-CNN / Jitendra Malik / Trevor Darrell (7 nodes)",
        "dead.example.com/cnn-notes (1 node)",
        "slow.example.net/notes (1 node)"]


def test_the_outcome_column_is_wide_enough(app):
    (table,) = tab(app, "health").dataframe[:1]
    columns = json.loads(table.proto.columns)
    assert columns["outcome"]["width"] == 170
    assert columns["http_status"] == {"label": "HTTP", "width": "small",
                                      "type_config": {"type": "text"}}


# -- where knowledge comes from ---------------------------------------------------------------
def test_show_learned_concepts_only_or_what_the_crawl_found(tmp_path, monkeypatch):
    from tests.test_discover import _write_store

    _write_store(tmp_path)
    at = start(tmp_path, monkeypatch)
    G = D.read_snapshot(tmp_path).graph
    everything = drawn_nodes(at)
    assert everything == set(G)

    at.radio(key="provenance").set_value("learned").run()
    learned = drawn_nodes(at)
    assert len(learned) == 22 and "method:lstm" not in learned  # + the papers' author
    assert sum(D.is_learned(G, n) for n in learned) == 10

    at.radio(key="provenance").set_value("crawled").run()
    crawled = drawn_nodes(at)
    assert everything - crawled == {n for n in G if D.label_of(G, n) in (
        "Artificial intelligence", "Deep learning", "Machine learning",
        "Recurrent neural network", "Sequence modeling", "Unsupervised learning")}
    assert {e["data"]["label"] for e in network_elements(at)["edges"]}.isdisjoint(
        {"part_of", "evolved_from"})  # in this store only the vocabulary states those

    at.text_input(key="search").input("MoCo").run()
    node_tab = tab(at, "node")
    assert node_tab.subheader[0].value == "MoCo"
    assert node_tab.markdown[0].value == ("kind: **method** · learned from a definition in a"
                                          " paper\\'s abstract \\(confidence 0\\.8\\)")


def test_learned_only_on_a_graph_that_learned_nothing_says_so(app):
    app.radio(key="provenance").set_value("learned").run()
    (info,) = tab(app, "network").info
    assert info.value.startswith("The graph learned no concept beyond the vocabulary")
