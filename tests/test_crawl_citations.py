"""The real crawl fetches every paper's references from a (fake) Semantic Scholar Graph API:
request budget, pacing, switches, an unreachable API, and a WARC replay with no network."""

from __future__ import annotations

import math
import re

import pytest

from tests.conftest import run_crawl
from tests.fake_s2 import FAST, FASTER, IMAGENET_DOI, MASK, RCNN, detection_papers

PAPERS = [RCNN, FAST, FASTER, MASK]
TRUE_CITATIONS = {
    (f"arXiv:{FAST}", f"arXiv:{RCNN}"), (f"arXiv:{FAST}", f"doi:{IMAGENET_DOI}"),
    (f"arXiv:{FAST}", "s2:s2-vgg"), (f"arXiv:{FASTER}", f"arXiv:{FAST}"),
    (f"arXiv:{FASTER}", f"arXiv:{RCNN}"), (f"arXiv:{FASTER}", f"doi:{IMAGENET_DOI}"),
    (f"arXiv:{MASK}", f"arXiv:{FASTER}"), (f"arXiv:{MASK}", f"doi:{IMAGENET_DOI}")}


def _list(tmp_path, ids=PAPERS):
    seeds = tmp_path / "detection.txt"
    seeds.write_text("Object Detection\n" + "\n".join(
        f"https://arxiv.org/abs/{i}" for i in ids) + "\n", encoding="utf-8")
    return seeds


def _crawl(tmp_path, fake_arxiv, fake_s2, name="data", args=None, **settings):
    return run_crawl(tmp_path / name, _list(tmp_path), args={"depth": 0, **(args or {})},
                     settings={"ARXIV_API_URL": fake_arxiv.api_url,
                               "SEMANTIC_SCHOLAR_API_URL": fake_s2.api_url, **settings})


def test_every_citation_of_the_listed_papers_is_stored_with_its_sentence(
        tmp_path, fake_arxiv, fake_s2):
    detection_papers(fake_s2)
    run = _crawl(tmp_path, fake_arxiv, fake_s2, SEMANTIC_SCHOLAR_DELAY_SECONDS="0.3")
    assert run.returncode == 0, run.stderr[-3000:]
    store = run.store()
    cites = {(c["citing"], c["cited"]): c for c in store.citations()}
    assert set(cites) == TRUE_CITATIONS
    assert cites[(f"arXiv:{MASK}", f"arXiv:{FASTER}")]["contexts"] == [
        "Mask R-CNN extends Faster R-CNN by adding a branch for predicting an object mask in "
        "parallel with the existing branch for box recognition."]
    assert {i: s["status"] for i, s in store.citation_status().items()} == dict.fromkeys(
        PAPERS, "ok")
    # ceil(4/500) = 1 batch, then one references page for each of the three citing papers
    # (R-CNN cites nothing Semantic Scholar resolves: not asked).
    assert [r.endpoint for r in fake_s2.requests] == ["batch"] + ["references"] * 3
    assert fake_s2.requests[0].body == {"ids": [f"ARXIV:{i}" for i in sorted(PAPERS)]}
    assert min(fake_s2.gaps()) >= 0.3
    assert "x-api-key" not in {k.lower() for k in fake_s2.requests[0].headers}
    assert re.search(r"Citations: 4 papers ok, 0 unknown to Semantic Scholar, 0 failed; "
                     r"8 references in 4 requests", run.stderr)
    assert "  citations: 8 references of 4 ok papers (Semantic Scholar)" in run.stdout


def test_switches_turn_the_step_off_or_bound_it(tmp_path, fake_arxiv, fake_s2):
    detection_papers(fake_s2)
    off = _crawl(tmp_path, fake_arxiv, fake_s2, name="off", args={"citations": 0})
    assert off.returncode == 0, off.stderr[-3000:]
    assert fake_s2.requests == [] and list(off.store().citations()) == []
    bounded = _crawl(tmp_path, fake_arxiv, fake_s2, name="bounded",
                     args={"max_references": 1})
    assert bounded.returncode == 0, bounded.stderr[-3000:]
    per_paper = {}
    for c in bounded.store().citations():
        per_paper[c["citing"]] = per_paper.get(c["citing"], 0) + 1
    assert per_paper == {f"arXiv:{FAST}": 1, f"arXiv:{FASTER}": 1, f"arXiv:{MASK}": 1}
    assert {r.params.get("limit") for r in fake_s2.of("references")} == {"1"}
    bad = _crawl(tmp_path, fake_arxiv, fake_s2, name="bad", args={"citations": "maybe"})
    assert bad.returncode != 0
    assert "-a citations='maybe': expected 1 or 0" in bad.stderr + bad.stdout
    assert "Traceback" not in bad.stderr


def test_a_second_crawl_asks_only_for_what_it_does_not_have(tmp_path, fake_arxiv, fake_s2):
    detection_papers(fake_s2)
    fake_s2.fail_next(10, status=503)       # the first crawl's batch fails, retries too
    first = _crawl(tmp_path, fake_arxiv, fake_s2, SEMANTIC_SCHOLAR_RETRIES="1")
    assert first.returncode == 0, first.stderr[-3000:]
    status = first.store().citation_status()
    assert {s["status"] for s in status.values()} == {"failed"}
    assert "HTTP 503" in status[FAST]["error"]
    fake_s2.requests.clear()
    fake_s2._actions.clear()
    second = _crawl(tmp_path, fake_arxiv, fake_s2)
    assert {s["status"] for s in second.store().citation_status().values()} == {"ok"}
    assert len(fake_s2.of("batch")) == 1
    fake_s2.requests.clear()
    third = _crawl(tmp_path, fake_arxiv, fake_s2)
    assert third.returncode == 0 and fake_s2.requests == []     # nothing left to ask


def test_an_unreachable_api_leaves_statuses_and_one_warning(tmp_path, fake_arxiv):
    # FAST_SETTINGS point the API at a port where nothing listens.
    run = run_crawl(tmp_path / "data", _list(tmp_path), args={"depth": 0},
                    settings={"ARXIV_API_URL": fake_arxiv.api_url,
                              "SEMANTIC_SCHOLAR_RETRIES": "1"})
    assert run.returncode == 0, run.stderr[-3000:]
    status = run.store().citation_status()
    assert sorted(status) == sorted(PAPERS)
    assert all(s["status"] == "failed" and "connection failed" in s["error"]
               for s in status.values())
    warnings = [line for line in run.stderr.splitlines()
                if "WARNING" in line and "Semantic Scholar" in line]
    assert len(warnings) == 1 and "unreachable" in warnings[0], warnings
    assert all(p["status"] == "ok" for p in run.store().papers())   # the rest went on
    assert "  citations: 0 references of 4 failed papers (Semantic Scholar)" in run.stdout


def test_batches_follow_the_number_of_papers(tmp_path, fake_arxiv, fake_s2):
    """N papers take ceil(N/500) batch requests plus at most one reference request each."""
    ids = fake_s2.add_synthetic(501, refs_each=1)
    papers = {i: {**next(iter(fake_arxiv.papers.values())), "title": f"Synthetic {i}"}
              for i in ids}
    fake_arxiv.papers.update(papers)
    seeds = tmp_path / "many.txt"
    seeds.write_text("\n".join(f"https://arxiv.org/abs/{i}" for i in ids), encoding="utf-8")
    run = run_crawl(tmp_path / "data", seeds, args={"depth": 0},
                    settings={"ARXIV_API_URL": fake_arxiv.api_url,
                              "SEMANTIC_SCHOLAR_API_URL": fake_s2.api_url},
                    timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(fake_s2.of("batch")) == math.ceil(501 / 500)
    assert len(fake_s2.of("references")) <= 501
    assert len(list(run.store().citations())) == 501


@pytest.fixture
def recorded(tmp_path, fake_arxiv, fake_s2):
    detection_papers(fake_s2)
    warc = tmp_path / "crawl.warc.gz"
    live = _crawl(tmp_path, fake_arxiv, fake_s2, name="live", WARC_OUTPUT=str(warc))
    assert live.returncode == 0, live.stderr[-3000:]
    return live, warc


def test_a_warc_replay_gives_the_same_citations_with_no_network(tmp_path, recorded,
                                                                fake_arxiv, fake_s2,
                                                                monkeypatch):
    live, warc = recorded
    monkeypatch.setenv("S2_API_KEY", "secret-key-123")
    fake_s2.stop()
    fake_arxiv.stop()
    replay = _crawl(tmp_path, fake_arxiv, fake_s2, name="replay", WARC_REPLAY=str(warc))
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert list(replay.store().citations()) == list(live.store().citations())
    assert list(replay.store().cited_papers()) == list(live.store().cited_papers())
    assert _cites(_graph(replay)) == _cites(_graph(live)) and len(_cites(_graph(live))) == 8
    assert {i: s["status"] for i, s in replay.store().citation_status().items()} == \
        dict.fromkeys(PAPERS, "ok")


def test_the_api_key_is_sent_and_never_recorded(tmp_path, fake_arxiv, fake_s2, monkeypatch):
    detection_papers(fake_s2)
    monkeypatch.setenv("S2_API_KEY", "secret-key-123")
    warc = tmp_path / "crawl.warc.gz"
    run = _crawl(tmp_path, fake_arxiv, fake_s2, WARC_OUTPUT=str(warc))
    assert run.returncode == 0, run.stderr[-3000:]
    assert {r.headers.get("x-api-key") for r in fake_s2.requests} == {"secret-key-123"}
    import gzip

    recording = gzip.decompress(warc.read_bytes())
    assert b"secret-key-123" not in recording and b"x-api-key: (redacted)" in recording


# -- the graph the crawl writes -------------------------------------------------------------
def _graph(run):
    import networkx as nx

    return nx.read_graphml(run.data_dir / "graph.graphml", force_multigraph=True)


def _cites(G):
    return {(u, v): d for u, v, d in G.edges(data=True) if d["rel"] == "cites"}


def test_every_citation_is_a_cites_edge_and_the_missing_papers_rank_by_citing_papers(
        tmp_path, fake_arxiv, fake_s2):
    from graph.analysis import bibliographic_coupling, co_citation, lineage, missing_papers
    from tests.fake_s2 import SENTENCES

    detection_papers(fake_s2)
    run = _crawl(tmp_path, fake_arxiv, fake_s2)
    assert run.returncode == 0, run.stderr[-3000:]
    G = _graph(run)
    cites = _cites(G)
    assert set(cites) == {(f"paper:{a}", f"paper:{b}") for a, b in TRUE_CITATIONS}
    for (citing, cited), sentence in SENTENCES.items():
        edge = cites[(f"paper:arXiv:{citing}", f"paper:arXiv:{cited}")]
        assert (edge["evidence"], edge["intents"], edge["is_influential"]) == (
            sentence, "background", True)
        assert edge["source"] == f"{fake_s2.api_url}/paper/ARXIV:{citing}/references"
    # Listed papers are in the list; what they cite outside it is not.
    assert {n for n, d in G.nodes(data=True) if d["kind"] == "paper" and d["in_list"]} == {
        f"paper:arXiv:{i}" for i in PAPERS}
    imagenet = G.nodes[f"paper:doi:{IMAGENET_DOI}"]
    assert (imagenet["label"], imagenet["year"], imagenet["in_list"], imagenet["url"]) == (
        "ImageNet: A large-scale hierarchical image database", 2009, False,
        f"https://doi.org/{IMAGENET_DOI}")
    assert G.nodes[f"paper:arXiv:{FAST}"]["citations"] == "ok"
    missing = missing_papers(G)
    assert [(r["node"], r["count"], r["influential"]) for r in missing] == [
        (f"paper:doi:{IMAGENET_DOI}", 3, 1), ("paper:s2:s2-vgg", 1, 0)]
    assert missing[0]["cited_by"] == [f"paper:arXiv:{i}" for i in (FAST, FASTER, MASK)]
    assert missing[1]["reasons"] == [(f"paper:arXiv:{FAST}",
                                      "We use the very deep VGG16 model.")]
    # Co-citation: ImageNet and R-CNN are cited together by Fast and Faster R-CNN.
    pairs = {(r["a"], r["b"]): r["count"] for r in co_citation(G)}
    assert pairs[(f"paper:arXiv:{RCNN}", f"paper:doi:{IMAGENET_DOI}")] == 2
    coupling = {(r["a"], r["b"]): (r["count"], r["similarity"])
                for r in bibliographic_coupling(G)}
    # Fast (3 refs) and Faster (3 refs) share R-CNN and ImageNet: 2 / sqrt(3*3).
    assert coupling[(f"paper:arXiv:{FAST}", f"paper:arXiv:{FASTER}")] == (2, 0.6667)
    assert [s["node"] for s in lineage(G, f"paper:arXiv:{MASK}",
                                       relations=("evolved_from", "cites"))][-1] == \
        f"paper:arXiv:{MASK}"
