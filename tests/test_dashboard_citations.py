"""The dashboard's citation views, through AppTest on a store whose three listed papers
have their references from Semantic Scholar (tests/dashboard_fixtures.py, CITATIONS)."""

from __future__ import annotations

import re

import pytest

from dashboard import data as D
from graph.cli import main as graph_cli
from graph.store import Store, store_path
from tests.dashboard_fixtures import IMAGENET, SELECTIVE_SEARCH, write_fixture_store
from tests.test_dashboard import start, tab, texts

RESNET, FAST, RCNN = "paper:arXiv:1512.03385", "paper:arXiv:1504.08083", "paper:arXiv:1311.2524"
IMAGENET_NODE, SEARCH_NODE = f"paper:{IMAGENET}", f"paper:{SELECTIVE_SEARCH}"
IMAGENET_TITLE = "ImageNet: A large-scale hierarchical image database"
RCNN_TITLE = ("Rich feature hierarchies for accurate object detection and semantic "
              "segmentation")
MISSING = [  # title, cited by, influential: three listed citers beat two beat one
    (IMAGENET_TITLE, 3, 1),
    ("Selective Search for Object Recognition", 2, 1),
    ("Very Deep Convolutional Networks for Large-Scale Image Recognition", 1, 1),
    ("Gradient-based learning applied to document recognition", 1, 0),   # 1998
    ("Batch Normalization: Accelerating Deep Network Training by Reducing Internal "
     "Covariate Shift", 1, 0),                                            # 2015
]


def citation_tables(node_tab) -> list:
    """The node page's tables of references and citations, in that order."""
    return [d.value for d in node_tab.dataframe if "sentence" in d.value.columns]


@pytest.fixture
def cited_dir(tmp_path):
    write_fixture_store(tmp_path, citations=True)
    return tmp_path


@pytest.fixture
def app(cited_dir, monkeypatch):
    return start(cited_dir, monkeypatch)


@pytest.mark.parametrize("from_graphml", [False, True], ids=["built", "graphml"])
def test_missing_rows_rank_by_listed_citers_and_give_the_sentences(cited_dir, from_graphml):
    if from_graphml:  # in_list and is_influential come back from GraphML as they went in
        assert graph_cli(["--data-dir", str(cited_dir), "build"]) == 0
    snap = D.read_snapshot(cited_dir)
    assert snap.source == ("graphml" if from_graphml else "store")
    rows = D.missing_rows(snap.graph)
    assert [(r["title"], r["cited by"], r["influential"]) for r in rows] == MISSING
    assert rows[0]["url"] == "https://doi.org/10.1109/cvpr.2009.5206848"
    assert rows[0]["reasons"] == [
        (RCNN_TITLE, "We pre-train the CNN on the large auxiliary dataset (ILSVRC2012 "
                     "classification) [9]."),
        ("Fast R-CNN", "networks pre-trained on ImageNet [4]"),
        ("Deep Residual Learning for Image Recognition",
         "We evaluate our method on the ImageNet 2012 classification dataset [36]."),
    ]
    # Fast R-CNN's citation has no sentence: it is named, not quoted with a made-up one
    assert rows[1]["reasons"][1] == ("Fast R-CNN", "")
    assert rows[1]["why"].endswith(" · Fast R-CNN")


def test_the_overview_counts_citations_and_missing_papers(app):
    assert ("10 citations between papers; 5 papers the list's papers cite are not in the "
            "list (see *Missing from your list*).") in [c.value for c in tab(app, "overview")
                                                        .caption]


def test_missing_from_your_list_table_reason_and_way_to_the_paper(app):
    panel = tab(app, "missing")
    table = panel.dataframe[0].value
    assert list(zip(table["title"], table["cited by"], table["influential"])) == MISSING
    assert list(table["#"]) == [1, 2, 3, 4, 5]
    assert "open" in str(panel.dataframe[0].proto.columns)  # the link column's text
    app.selectbox(key="missing_pick").set_value(IMAGENET_NODE).run()
    panel = tab(app, "missing")
    lines = [m.value for m in panel.markdown]
    assert any("is cited by 3 papers of the list" in m for m in lines)
    assert sum(m.startswith("- **") for m in lines) == 3
    assert any("Fast R\\-CNN" in m and "pre\\-trained on ImageNet" in m for m in lines)
    assert [b.url for b in panel.get("link_button")] == [
        "https://doi.org/10.1109/cvpr.2009.5206848"]
    app.button(key="missing_details").click().run()
    assert app.session_state["tab"] == "Node"
    node = tab(app, "node")
    assert "ImageNet\\: A large\\-scale hierarchical image database" == node.subheader[0].value
    assert any("not in your list" in m.value for m in node.markdown)
    (cited_by,) = citation_tables(node)
    assert sorted(cited_by["paper"]) == sorted(
        [RCNN_TITLE, "Fast R-CNN", "Deep Residual Learning for Image Recognition"])
    assert any("only as a reference" in c.value for c in node.caption)


def test_a_paper_page_lists_its_references_and_citations_with_sentences(app):
    app.text_input(key="search").input("Fast R-CNN").run()
    app.selectbox(key="search_pick").set_value(FAST).run()
    node = tab(app, "node")
    assert any(m.value == "#### References (3) · cited by (1)" for m in node.markdown)
    assert any("in your list" == part.strip() for m in node.markdown
               for part in m.value.split("·"))
    assert "references from Semantic Scholar" in [c.value for c in node.caption]
    refs, cited_by = citation_tables(node)
    # influential first, then the oldest
    assert list(refs["paper"]) == [RCNN_TITLE, IMAGENET_TITLE,
                                   "Selective Search for Object Recognition"]
    assert list(refs["in list"]) == ["yes", "", ""]
    assert refs["sentence"][0] == ("R-CNN [9] achieves excellent object detection accuracy by "
                                   "using a deep ConvNet to classify object proposals.")
    assert (refs["intents"][0], refs["influential"][0]) == ("background", "yes")
    assert list(cited_by["paper"]) == ["Deep Residual Learning for Image Recognition"]
    assert cited_by["sentence"][0] == "the Faster R-CNN [32] system built on Fast R-CNN [7]"
    # the generic neighbour list does not repeat them
    assert not [e for e in node.expander if e.label.startswith("cites")]
    assert f"{RCNN_TITLE} (paper)" in app.selectbox(key="neighbour_pick").options


def test_lineage_of_a_paper_follows_its_citations(app):
    tab(app, "lineage")
    assert RESNET not in app.selectbox(key="lineage_method").options  # methods only
    app.toggle(key="lineage_cites").set_value(True).run()
    app.selectbox(key="lineage_method").set_value(RESNET).run()
    rows = tab(app, "lineage").dataframe[0].value
    assert list(rows["name"]) == [
        "Gradient-based learning applied to document recognition",
        IMAGENET_TITLE,
        "Selective Search for Object Recognition",   # 2013, and R-CNN cites it
        RCNN_TITLE,
        "Very Deep Convolutional Networks for Large-Scale Image Recognition",
        "Batch Normalization: Accelerating Deep Network Training by Reducing Internal "
        "Covariate Shift",
        "Fast R-CNN",
        "Deep Residual Learning for Image Recognition",
    ]


def test_the_path_finder_goes_through_citations_unless_told_not_to(app):
    tab(app, "path")
    app.text_input(key="path_from").input("Deep Residual Learning").run()
    app.selectbox(key="path_from_pick").set_value(RESNET).run()  # the paper, not the method
    app.text_input(key="path_to").input("Selective Search for Object").run()
    panel = tab(app, "path")
    assert panel.success and "in 2 hops" in panel.success[0].value
    assert set(panel.dataframe[0].value["relation"]) == {"cites"}
    app.toggle(key="path_cites").set_value(False).run()
    panel = tab(app, "path")
    assert not panel.success and "No connection" in panel.warning[0].value


def test_without_citations_the_tab_says_how_to_get_them(tmp_path, monkeypatch):
    write_fixture_store(tmp_path)
    at = start(tmp_path, monkeypatch)
    panel = tab(at, "missing")
    (info,) = panel.info
    assert "`scrapy crawl seeds`" in info.value and "`-a citations=0`" in info.value
    assert not panel.dataframe
    tab(at, "lineage")
    assert not at.toggle  # no citations: nothing to follow


def test_an_unreachable_api_is_named_in_the_tab(tmp_path, monkeypatch):
    write_fixture_store(tmp_path)
    store = Store(store_path(tmp_path))
    for arxiv_id in ("1311.2524", "1504.08083", "1512.03385"):
        store.set_citation_status(arxiv_id, "failed", error="connection refused")
    store.close()
    panel = tab(start(tmp_path, monkeypatch), "missing")
    assert [i.value for i in panel.info] == [
        "Semantic Scholar could not be reached for 3 papers of the list; the next "
        "`scrapy crawl seeds` asks again."]


def test_citation_text_is_escaped(cited_dir, monkeypatch):
    store = Store(store_path(cited_dir))
    store.save_citations("arXiv:1311.2524", [
        {"cited": "s2:evil", "contexts": ["<script>alert(1)</script> [3]"],
         "source": "https://api.semanticscholar.org/x"}],
        [{"key": "s2:evil", "title": "<img src=x onerror=alert(2)>", "year": 2001}])
    store.close()
    at = start(cited_dir, monkeypatch)
    tab(at, "missing")
    at.selectbox(key="missing_pick").set_value("paper:s2:evil").run()
    shown = texts(at)
    assert any("onerror" in text for text in shown)
    for text in shown:
        assert not re.search(r"(?<!\\)[<>]", text), text  # every bracket escaped
