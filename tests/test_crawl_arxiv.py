"""The crawl with arXiv metadata: a listed paper, and papers that listed pages point to."""

from __future__ import annotations

from tests.conftest import run_crawl
from tests.sites import build_site

GAN_AUTHORS = ["Antonia Creswell", "Tom White", "Vincent Dumoulin", "Kai Arulkumaran",
               "Biswa Sengupta", "Anil A. Bharath"]


def _crawl(miniweb, fake_arxiv, tmp_path, depth, extra_lines=()):
    urls = build_site(miniweb)
    listing = "\n".join(["https://arxiv.org/pdf/1710.07035.pdf", urls["blog"], *extra_lines])
    seeds = tmp_path / "list.txt"
    seeds.write_text(listing, encoding="utf-8")
    run = run_crawl(tmp_path / f"data{depth}", seeds, args={"depth": depth},
                    settings={"ARXIV_API_URL": fake_arxiv.api_url,
                              "ALLOW_PRIVATE_LINKS": "True"})
    assert run.returncode == 0, run.stderr[-3000:]
    return urls, run, run.store()


def test_listed_paper_gets_its_metadata_and_the_seed_its_outcome(miniweb, fake_arxiv,
                                                                  tmp_path):
    urls, run, store = _crawl(miniweb, fake_arxiv, tmp_path, depth=0)
    paper = store.paper("1710.07035")
    assert paper["status"] == "ok"
    assert paper["title"] == "Generative Adversarial Networks: An Overview"
    assert paper["authors"] == GAN_AUTHORS
    assert paper["doi"] == "10.1109/MSP.2017.2765202"
    assert paper["abstract"].startswith("Generative adversarial networks (GANs) provide")
    # The summary is drawn from the abstract: its sentences, in order.
    assert paper["summary"].startswith("Generative adversarial networks (GANs) provide")
    assert len(paper["summary"]) < len(paper["abstract"])
    seed = store.document("https://arxiv.org/pdf/1710.07035.pdf")
    assert (seed["outcome"], seed["kind"], seed["title"]) == (
        "ok", "arxiv", "Generative Adversarial Networks: An Overview")
    assert seed["authors"] == GAN_AUTHORS
    # Depth 0: what the listed blog cites is not fetched.
    assert {p["arxiv_id"] for p in store.papers()} == {"1710.07035"}
    assert fake_arxiv.request_count == 1
    assert "papers: 1 ok" in run.stdout


def test_depth_one_expands_papers_cited_and_linked_by_listed_pages(miniweb, fake_arxiv,
                                                                   tmp_path):
    urls, run, store = _crawl(miniweb, fake_arxiv, tmp_path, depth=1)
    papers = {p["arxiv_id"]: p for p in store.papers()}
    assert set(papers) == {"1710.07035", "1504.08083", "1506.01497"}
    assert all(p["status"] == "ok" for p in papers.values())
    assert papers["1506.01497"]["authors"] == ["Shaoqing Ren", "Kaiming He", "Ross Girshick",
                                               "Jian Sun"]
    refs = {(r["arxiv_id"], r["doc_url"], r["how"]): r["evidence"] for r in store.paper_refs()}
    assert refs[("1506.01497", urls["blog"], "text")] == (
        "The original paper is arXiv:1506.01497, and it builds on Fast R-CNN.")
    assert refs[("1504.08083", urls["blog"], "link")] == "Fast R-CNN paper"
    # Three ids, well under one batch: the seed's fetch and the expansion may share a
    # request or not, but never more than one request per id.
    assert 1 <= fake_arxiv.request_count <= 3


def test_an_api_that_stays_down_leaves_failures_and_the_crawl_finishes(miniweb, fake_arxiv,
                                                                       tmp_path):
    fake_arxiv.fail_next(100, status=503)
    urls, run, store = _crawl(miniweb, fake_arxiv, tmp_path, depth=0)
    paper = store.paper("1710.07035")
    assert paper["status"] == "failed" and "503" in paper["error"]
    seed = store.document("https://arxiv.org/pdf/1710.07035.pdf")
    assert seed["outcome"] == "error" and "503" in seed["reason"]
    assert store.document(urls["blog"])["outcome"] == "ok"


def test_an_api_host_that_does_not_resolve_makes_the_seed_dns_error(miniweb, tmp_path):
    urls = build_site(miniweb)
    seeds = tmp_path / "list.txt"
    seeds.write_text("\n".join(["https://arxiv.org/pdf/1710.07035.pdf", urls["blog"]]),
                     encoding="utf-8")
    run = run_crawl(tmp_path / "data", seeds, args={"depth": 0},
                    settings={"ARXIV_API_URL": "http://export.arxiv.invalid/api/query",
                              "ARXIV_RETRIES": "3", "ARXIV_BACKOFF": "1"})
    assert run.returncode == 0, run.stderr[-3000:]
    store = run.store()
    paper = store.paper("1710.07035")
    assert paper["status"] == "failed"
    assert paper["error"].startswith("DNS lookup failed: export.arxiv.invalid did not resolve")
    seed = store.document("https://arxiv.org/pdf/1710.07035.pdf")
    assert (seed["outcome"], seed["reason"]) == ("dns_error", f"arXiv API: {paper['error']}")
    # One attempt: no backoff retries.
    assert run.stderr.count("[arxiv] INFO: Requesting page") == 1
    assert not [line for line in run.stderr.splitlines()
                if "retrying" in line and "Semantic Scholar" not in line]
    assert "1 ok; failed: 1 dns_error" in run.stdout
