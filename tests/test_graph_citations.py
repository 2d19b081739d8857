"""Citations in the graph, from a store built in code: one node per paper whatever its ids,
and a store written before citations existed still builds."""

from __future__ import annotations

import sqlite3

from graph.build import build_graph
from graph.store import Store


def test_a_cited_doi_of_an_arxiv_paper_is_that_paper_and_a_listed_doi_is_in_the_list():
    store = Store(":memory:")
    store.upsert_paper({"arxiv_id": "1504.08083", "status": "ok", "title": "Fast R-CNN",
                        "doi": "10.1109/ICCV.2015.169", "depth": 1})
    store.upsert_paper({"arxiv_id": "1506.01497", "status": "ok", "title": "Faster R-CNN",
                        "depth": 0})
    store.conn.execute("INSERT INTO listed_papers (list_path, line, title, doi) VALUES"
                       " ('l.bib', 3, 'Rich feature hierarchies', '10.1109/cvpr.2014.81')")
    store.save_citations("arXiv:1506.01497", [
        {"cited": "doi:10.1109/iccv.2015.169", "contexts": ["[9]", "Fast R-CNN [9] trains"
                                                            " a detector end to end."],
         "intents": ["methodology"], "is_influential": True, "source": "https://api/x"},
        {"cited": "doi:10.1109/cvpr.2014.81", "contexts": [], "source": "https://api/b"},
        {"cited": "arXiv:1506.01497", "contexts": ["itself"], "source": "https://api/x"}],
        [{"key": "doi:10.1109/cvpr.2014.81", "title": "Rich feature hierarchies", "year": 2014}])
    store.set_citation_status("1506.01497", "ok", references_count=3)
    G = build_graph(store, workers=0)
    fast = G["paper:arXiv:1506.01497"]["paper:arXiv:1504.08083"]["cites"]
    assert (fast["evidence"], fast["intents"], fast["is_influential"]) == (
        "Fast R-CNN [9] trains a detector end to end.", "methodology", True)
    assert "paper:doi:10.1109/iccv.2015.169" not in G           # never a twin
    rcnn = G.nodes["paper:doi:10.1109/cvpr.2014.81"]
    assert (rcnn["in_list"], rcnn["year"], rcnn["url"]) == (
        True, 2014, "https://doi.org/10.1109/cvpr.2014.81")    # the BibTeX entry lists it
    edge = G["paper:arXiv:1506.01497"]["paper:doi:10.1109/cvpr.2014.81"]["cites"]
    assert edge["evidence"] == "cites “Rich feature hierarchies”"
    assert not G.has_edge("paper:arXiv:1506.01497", "paper:arXiv:1506.01497")
    assert G.nodes["paper:arXiv:1506.01497"]["in_list"] is True
    assert G.nodes["paper:arXiv:1504.08083"]["in_list"] is False  # linked, not listed
    assert (G.nodes["paper:arXiv:1506.01497"]["citations"],
            G.nodes["paper:arXiv:1504.08083"]["citations"]) == ("ok", "")


def test_a_store_from_before_citations_builds_read_only(tmp_path):
    path = tmp_path / "crawl.sqlite"
    Store(path).upsert_paper({"arxiv_id": "1504.08083", "status": "ok", "title": "Fast R-CNN"})
    with sqlite3.connect(path) as conn:
        for table in ("citations", "cited_papers", "citation_status"):
            conn.execute(f"DROP TABLE {table}")
    G = build_graph(Store(path, readonly=True), workers=0)
    assert G.nodes["paper:arXiv:1504.08083"]["citations"] == ""
    assert not [e for e in G.edges(data="rel") if e[2] == "cites"]
