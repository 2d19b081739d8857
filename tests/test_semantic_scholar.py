"""Citations through the Semantic Scholar Graph API: the fake server, the client, the crawl."""

from __future__ import annotations

import json

import pytest
import requests

from tests.fake_s2 import FAST, FASTER, MASK, RCNN, FakeS2, detection_papers, fake_s2  # noqa: F401

BATCH_FIELDS = ("paperId,externalIds,title,year,authors,references.paperId,"
                "references.externalIds,references.title,references.year")


# -- the fake server ------------------------------------------------------------------------
def test_fake_server_answers_both_endpoints_like_the_api(fake_s2):
    ids = detection_papers(fake_s2)
    r = requests.post(f"{fake_s2.api_url}/paper/batch?fields={BATCH_FIELDS}",
                      json={"ids": [f"ARXIV:{FAST}", "ARXIV:9999.99999"]}, timeout=5)
    fast, unknown = r.json()
    assert unknown is None
    assert fast["paperId"] == ids[FAST] and fast["title"] == "Fast R-CNN"
    assert [ref["paperId"] for ref in fast["references"]] == [ids[RCNN], "s2-imagenet",
                                                              "s2-vgg"]
    r = requests.get(f"{fake_s2.api_url}/paper/ARXIV:{FAST}/references"
                     "?fields=contexts,intents,isInfluential,paperId,externalIds,title,year,"
                     "authors&offset=0&limit=2", timeout=5)
    page = r.json()
    assert page["next"] == 2 and len(page["data"]) == 2
    assert page["data"][0]["citedPaper"]["externalIds"]["ArXiv"] == RCNN
    assert page["data"][0]["contexts"][0].startswith("Fast R-CNN fixes")
    last = requests.get(f"{fake_s2.api_url}/paper/ARXIV:{FAST}/references"
                        "?fields=contexts&offset=2&limit=2", timeout=5).json()
    assert "next" not in last and len(last["data"]) == 1
    assert requests.get(f"{fake_s2.api_url}/paper/ARXIV:0000.00000/references",
                        timeout=5).status_code == 404
    too_many = requests.post(f"{fake_s2.api_url}/paper/batch",
                             json={"ids": ["ARXIV:1"] * 501}, timeout=5)
    assert too_many.status_code == 400
    fake_s2.fail_next(1, status=429, retry_after=2)
    r = requests.post(f"{fake_s2.api_url}/paper/batch", json={"ids": []}, timeout=5)
    assert (r.status_code, r.headers["Retry-After"]) == (429, "2")
    assert [q.endpoint for q in fake_s2.requests] == ["batch", "references", "references",
                                                      "references", "batch", "batch"]
    assert json.loads(json.dumps(fake_s2.requests[0].body)) == {
        "ids": [f"ARXIV:{FAST}", "ARXIV:9999.99999"]}


# -- the client -----------------------------------------------------------------------------
from crawler.semantic_scholar import (MAX_BATCH_SIZE, S2Error,  # noqa: E402
                                      SemanticScholarClient, fetch_citations)
from graph.store import Store  # noqa: E402


def _client(fake, **kw):
    kw.setdefault("delay_seconds", 0)
    kw.setdefault("backoff", 0.01)
    kw.setdefault("timeout", 2)
    return SemanticScholarClient(fake.api_url, **kw)


def test_citations_of_the_detection_papers_with_their_sentences(fake_s2):
    detection_papers(fake_s2)
    store = Store(":memory:")
    counts = fetch_citations(store, _client(fake_s2), [MASK, FASTER, FAST, RCNN, "1234.5678"])
    assert counts == {"requested": 5, "ok": 4, "not_found": 1, "failed": 0, "citations": 8,
                      "requests": 4}   # one batch + a references page for the three citing
    cites = {(c["citing"], c["cited"]): c for c in store.citations()}
    assert set(cites) == {
        (f"arXiv:{FAST}", f"arXiv:{RCNN}"), (f"arXiv:{FAST}", "doi:10.1109/cvpr.2009.5206848"),
        (f"arXiv:{FAST}", "s2:s2-vgg"), (f"arXiv:{FASTER}", f"arXiv:{FAST}"),
        (f"arXiv:{FASTER}", f"arXiv:{RCNN}"), (f"arXiv:{FASTER}", "doi:10.1109/cvpr.2009.5206848"),
        (f"arXiv:{MASK}", f"arXiv:{FASTER}"), (f"arXiv:{MASK}", "doi:10.1109/cvpr.2009.5206848")}
    mask = cites[(f"arXiv:{MASK}", f"arXiv:{FASTER}")]
    assert mask["contexts"] == ["Mask R-CNN extends Faster R-CNN by adding a branch for "
                                "predicting an object mask in parallel with the existing "
                                "branch for box recognition."]
    assert (mask["intents"], mask["is_influential"]) == (["background"], 1)
    assert mask["source"] == f"{fake_s2.api_url}/paper/ARXIV:{MASK}/references"
    status = store.citation_status()
    assert status["1234.5678"]["status"] == "not_found"
    assert (status[RCNN]["status"], status[RCNN]["references_count"]) == ("ok", 0)
    assert status[MASK]["s2_id"] == f"s2-{MASK}"
    vgg = {p["key"]: p for p in store.cited_papers()}["s2:s2-vgg"]
    assert (vgg["year"], vgg["authors"]) == (2014, ["Karen Simonyan", "Andrew Zisserman"])
    # The batch body is exactly the documented one, ids sorted.
    assert fake_s2.of("batch")[0].body == {"ids": [f"ARXIV:{i}" for i in sorted(
        [MASK, FASTER, FAST, RCNN, "1234.5678"])]}


def test_batches_of_500_pages_of_references_and_pacing(fake_s2):
    ids = fake_s2.add_synthetic(1001, refs_each=1)
    fake_s2.cite("s2syn00001", "s2syn00003", ["Also paper 3."])
    fake_s2.cite("s2syn00001", "s2syn00004", ["And paper 4."])
    store = Store(":memory:")
    counts = fetch_citations(store, _client(fake_s2), ids[:3])
    assert counts["requests"] == 4
    batches = fake_s2.of("batch")
    assert [len(r.body["ids"]) for r in batches] == [3]
    client = _client(fake_s2)
    pages = client.references("1801.00001", max_items=None)
    assert len(pages) == 3
    # Paging: limit 2 takes two pages, following `next`.
    import crawler.semantic_scholar as s2
    old, s2.PAGE_LIMIT = s2.PAGE_LIMIT, 2
    try:
        before = len(fake_s2.of("references"))
        assert len(client.references("1801.00001")) == 3
        assert [r.params["offset"] for r in fake_s2.of("references")[before:]] == ["0", "2"]
    finally:
        s2.PAGE_LIMIT = old
    fake_s2.requests.clear()
    counts = fetch_citations(Store(":memory:"), _client(fake_s2), ids)
    assert [len(r.body["ids"]) for r in fake_s2.of("batch")] == [500, 500, 1]
    assert len(fake_s2.of("references")) == 1001
    # ceil(1001/500) batches, then one references page for each paper that cites anything.
    assert (counts["ok"], counts["citations"], counts["requests"]) == (1001, 1003, 3 + 1001)
    # Pacing: no two requests closer than the delay, retries included.
    fake_s2.requests.clear()
    fake_s2.fail_next(1, status=503)
    counts = fetch_citations(Store(":memory:"), _client(fake_s2, delay_seconds=0.2), ids[:4])
    assert counts["requests"] == 6            # the failed batch, its retry, 4 reference pages
    assert len(fake_s2.gaps()) == 5 and min(fake_s2.gaps()) >= 0.2


def test_429_with_retry_after_5xx_garbage_and_hang_are_retried(fake_s2):
    detection_papers(fake_s2)
    fake_s2.fail_next(1, status=429, retry_after=1)
    fake_s2.fail_next(1, status=503)
    fake_s2.garbage_next(1)
    fake_s2.hang_next(1, seconds=5)
    store = Store(":memory:")
    client = _client(fake_s2, timeout=0.5, retries=4)
    counts = fetch_citations(store, client, [FAST])
    assert (counts["ok"], counts["citations"]) == (1, 3)
    times = [r.time for r in fake_s2.requests]
    assert times[1] - times[0] >= 1.0        # Retry-After honoured
    assert [r.endpoint for r in fake_s2.requests] == ["batch"] * 5 + ["references"]


def test_404_and_null_record_unknown_and_the_rest_goes_on(fake_s2):
    detection_papers(fake_s2)
    fake_s2.no_references.add(f"s2-{FAST}")   # known to the batch, 404 on its references
    store = Store(":memory:")
    client = _client(fake_s2)
    answer = client.batch([FASTER, "0000.00000"])
    assert answer[1] is None and answer[0]["paperId"] == f"s2-{FASTER}"
    with pytest.raises(S2Error) as caught:
        client.references(FAST)
    assert (caught.value.status, caught.value.retryable) == (404, False)
    counts = fetch_citations(store, client, [FAST, MASK, "0000.00000"])
    assert (counts["not_found"], counts["ok"], counts["failed"]) == (1, 2, 0)
    assert store.citation_status()["0000.00000"] == {
        **store.citation_status()["0000.00000"], "status": "not_found",
        "error": "unknown to Semantic Scholar"}
    # What the batch said Fast R-CNN cites is kept, without sentences.
    fast = [c for c in store.citations() if c["citing"] == f"arXiv:{FAST}"]
    assert [(c["cited"], c["contexts"], c["source"]) for c in fast] == [
        (f"arXiv:{RCNN}", [], f"{fake_s2.api_url}/paper/batch"),
        ("doi:10.1109/cvpr.2009.5206848", [], f"{fake_s2.api_url}/paper/batch"),
        ("s2:s2-vgg", [], f"{fake_s2.api_url}/paper/batch")]


def test_unreachable_api_fails_every_paper_with_one_warning(caplog):
    store = Store(":memory:")
    client = SemanticScholarClient("http://127.0.0.1:9/graph/v1", delay_seconds=0,
                                   backoff=0.01, retries=2, timeout=1)
    with caplog.at_level("INFO", logger="crawler.semantic_scholar"):
        counts = fetch_citations(store, client, [f"1801.{i:05d}" for i in range(1, 502)])
    assert counts["failed"] == 501 and counts["requests"] == 3    # then no more asking
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()
    assert "connection failed" in store.citation_status()["1801.00001"]["error"]


def test_api_key_is_sent_from_the_environment(fake_s2):
    client = SemanticScholarClient.from_settings({"SEMANTIC_SCHOLAR_API_URL": fake_s2.api_url},
                                                 env={"S2_API_KEY": "k123"})
    assert client.delay_seconds == 1.0
    client.batch(["1504.08083"])
    assert fake_s2.requests[0].headers["x-api-key"] == "k123"
    assert MAX_BATCH_SIZE == 500
