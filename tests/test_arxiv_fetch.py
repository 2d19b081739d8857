"""The arXiv fetcher, with the real ``arxiv`` package, against the fake API on 127.0.0.1."""

from __future__ import annotations

import json
import math
import socket
import threading
import time

import arxiv
import pytest
import requests

from crawler.arxiv_fetch import (
    DEFAULT_API_URL,
    ArxivFetcher,
    fetch_pending_papers,
    query_url_format,
)
from graph.store import Store
from tests.fake_arxiv import FIXTURE, FakeArxiv, fake_arxiv  # noqa: F401  (fixture)

GAN = "1710.07035"
GAN_AUTHORS = ["Antonia Creswell", "Tom White", "Vincent Dumoulin", "Kai Arulkumaran",
               "Biswa Sengupta", "Anil A. Bharath"]
FIXTURE_IDS = [p["id"] for p in json.loads(FIXTURE.read_text(encoding="utf-8"))["papers"]]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # requests honours proxy variables; the fake lives on loopback.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def make_fetcher(fake: FakeArxiv, **options) -> ArxivFetcher:
    settings = {"delay_seconds": 0.0, "timeout": 2.0, "retries": 2, "backoff": 0.01}
    settings.update(options)
    return ArxivFetcher(api_url=fake.api_url, **settings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- metadata -------------------------------------------------------------------------------
def test_gan_overview_has_its_exact_metadata(fake_arxiv):
    result = make_fetcher(fake_arxiv).fetch([GAN])
    assert list(result) == [GAN]
    paper = result[GAN]
    assert paper["status"] == "ok"
    assert paper["title"] == "Generative Adversarial Networks: An Overview"
    assert paper["authors"] == GAN_AUTHORS
    assert paper["doi"] == "10.1109/MSP.2017.2765202"
    assert paper["journal_ref"] == "IEEE Signal Processing Magazine (2018)"
    assert paper["primary_category"] == "cs.CV"
    assert paper["categories"] == ["cs.CV"]
    assert paper["published"].startswith("2017-10-19T")
    assert paper["updated"].startswith("2017-10-19T")
    assert paper["comment"] is None
    assert paper["abs_url"] == "https://arxiv.org/abs/1710.07035"
    assert paper["pdf_url"] == "http://arxiv.org/pdf/1710.07035v1"
    # The API wraps the abstract; it comes back whole, on one line.
    assert paper["abstract"].startswith("Generative adversarial networks (GANs) provide")
    assert paper["abstract"].endswith("remaining challenges in their theory and application.")
    assert "\n" not in paper["abstract"] and "  " not in paper["abstract"]


def test_long_titles_are_unwrapped(fake_arxiv):
    paper = make_fetcher(fake_arxiv).fetch(["1506.01497"])["1506.01497"]
    assert paper["title"] == ("Faster R-CNN: Towards Real-Time Object Detection with Region "
                              "Proposal Networks")
    assert paper["authors"] == ["Shaoqing Ren", "Kaiming He", "Ross Girshick", "Jian Sun"]


def test_versions_and_old_style_ids_map_to_one_versionless_id(fake_arxiv):
    fake_arxiv.add_paper({"id": "hep-th/9901001", "title": "An old-style fixture paper",
                          "authors": ["A. Physicist"], "version": 2,
                          "comment": "12 pages,\n  3 figures"})
    fake_arxiv.add_paper({"id": "math/0309136", "title": "A math fixture paper",
                          "authors": ["B. Topologist"], "primary_category": "math.GT"})
    result = make_fetcher(fake_arxiv).fetch(
        ["hep-th/9901001v2", "math.GT/0309136", "arXiv:1506.01497v2", "1506.01497"])
    assert list(result) == ["1506.01497", "hep-th/9901001", "math/0309136"]
    assert all(r["status"] == "ok" for r in result.values())
    assert result["hep-th/9901001"]["comment"] == "12 pages, 3 figures"
    assert result["hep-th/9901001"]["abs_url"] == "https://arxiv.org/abs/hep-th/9901001"
    assert result["math/0309136"]["primary_category"] == "math.GT"
    [request] = fake_arxiv.requests
    assert request.ids == ["1506.01497", "hep-th/9901001", "math/0309136"]


def test_compressed_answers_are_decoded(fake_arxiv):
    fake_arxiv.gzip = True
    assert make_fetcher(fake_arxiv).fetch([GAN])[GAN]["authors"] == GAN_AUTHORS
    assert "gzip" in fake_arxiv.requests[0].headers["Accept-Encoding"]


# -- batching -------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 13, 150])
def test_n_ids_cost_ceil_n_over_100_requests(fake_arxiv, n):
    ids = FIXTURE_IDS[:n] if n <= len(FIXTURE_IDS) else fake_arxiv.add_synthetic(n)
    assert len(ids) == n
    result = make_fetcher(fake_arxiv).fetch(ids)
    assert fake_arxiv.request_count == math.ceil(n / 100)
    assert sorted(result) == sorted(ids)
    assert all(r["status"] == "ok" for r in result.values())
    # Each request asks for exactly its batch: no silent cut at the package's default 100.
    sizes = [len(r.ids) for r in fake_arxiv.requests]
    assert sizes == [min(100, n - i) for i in range(0, n, 100)]
    assert [int(r.params["max_results"]) for r in fake_arxiv.requests] == sizes
    assert all(r.params["start"] == "0" for r in fake_arxiv.requests)
    if n == 150:
        assert result["1801.00150"]["title"] == "Synthetic paper 150"


def test_smaller_batch_size(fake_arxiv):
    ids = fake_arxiv.add_synthetic(25)
    result = make_fetcher(fake_arxiv, batch_size=10).fetch(ids)
    assert [len(r.ids) for r in fake_arxiv.requests] == [10, 10, 5]
    assert len(result) == 25


def test_batch_size_is_at_most_100():
    with pytest.raises(ValueError):
        ArxivFetcher(batch_size=101)


# -- unknown and malformed ids --------------------------------------------------------------
def test_unknown_id_among_known_ones_is_not_found_in_one_request(fake_arxiv):
    # The fake, like arXiv, counts the unknown id in totalResults; the package would ask
    # for a second page. No such request is made.
    result = make_fetcher(fake_arxiv).fetch([GAN, "1801.99999", "1506.01497"])
    assert result["1801.99999"] == {"status": "not_found"}
    assert result[GAN]["status"] == result["1506.01497"]["status"] == "ok"
    assert fake_arxiv.request_count == 1


def test_a_lone_unknown_id_is_not_found_after_asking_twice(fake_arxiv):
    result = make_fetcher(fake_arxiv).fetch(["1801.99999"])
    assert result == {"1801.99999": {"status": "not_found"}}
    assert fake_arxiv.request_count == 2


def test_malformed_ids_never_reach_the_server(fake_arxiv):
    fetcher = make_fetcher(fake_arxiv)
    bad = ["1513.00001", "1506.0149", "not-an-id", "", None, 3.14]
    result = fetcher.fetch(bad + ["1506.01497"])
    assert result["1506.01497"]["status"] == "ok"
    for value in bad:
        key = value if isinstance(value, str) else repr(value)
        assert result[key]["status"] == "failed"
        assert result[key]["error"].startswith("invalid arXiv id")
    assert [r.ids for r in fake_arxiv.requests] == [["1506.01497"]]
    assert fetcher.fetch(["garbage", "1513.00001"])["garbage"]["status"] == "failed"
    assert fake_arxiv.request_count == 1


# -- failures and retries -------------------------------------------------------------------
def test_503_then_200_is_retried_with_backoff(fake_arxiv):
    fake_arxiv.fail_next(1, status=503)
    result = make_fetcher(fake_arxiv, backoff=0.2).fetch([GAN])
    assert result[GAN]["status"] == "ok"
    assert fake_arxiv.request_count == 2
    assert fake_arxiv.gaps()[0] >= 0.2


def test_backoff_doubles(fake_arxiv):
    fake_arxiv.fail_next(2, status=502)
    result = make_fetcher(fake_arxiv, backoff=0.1).fetch([GAN])
    assert result[GAN]["status"] == "ok"
    first, second = fake_arxiv.gaps()
    assert first >= 0.1 and second >= 0.2


def test_429_waits_as_long_as_retry_after_says(fake_arxiv):
    fake_arxiv.fail_next(1, status=429, retry_after=1)
    result = make_fetcher(fake_arxiv).fetch([GAN])
    assert result[GAN]["status"] == "ok"
    assert fake_arxiv.gaps()[0] >= 1.0


def test_http_400_is_not_retried_and_keeps_the_api_message(fake_arxiv):
    fake_arxiv.fail_next(1, status=400)
    result = make_fetcher(fake_arxiv).fetch([GAN])
    assert result[GAN] == {"status": "failed",
                           "error": "HTTP 400: incorrect id format for 1710.07035"}
    assert fake_arxiv.request_count == 1


TIMEOUT, RETRIES, BACKOFF = 0.5, 1, 0.05


GAVE_UP = f" (gave up after {RETRIES + 1} attempts)"


@pytest.mark.parametrize("trouble, error", [
    (lambda f: f.fail_next(10, status=503), "HTTP 503 Service Unavailable" + GAVE_UP),
    (lambda f: f.garbage_next(10), "malformed answer, not an Atom feed: "),
    (lambda f: f.garbage_next(10, body=b""), "empty answer: no body" + GAVE_UP),
    (lambda f: f.garbage_next(10, body=b"<html><body>busy</body></html>"),
     "malformed answer: <html> instead of an Atom feed" + GAVE_UP),
    (lambda f: f.garbage_next(10, body=b'<feed xmlns="http://www.w3.org/2005/Atom"/>'),
     "malformed answer: Atom feed without opensearch:totalResults" + GAVE_UP),
    (lambda f: f.empty_next(10),
     "empty answer: arXiv returned no entry for any of the 2 ids twice"),
    (lambda f: f.hang_next(10, seconds=10),
     "timed out: no complete answer within 0.5 s" + GAVE_UP),
    (lambda f: f.trickle_next(10, seconds=10),
     "timed out: no complete answer within 0.5 s" + GAVE_UP),
], ids=["503", "garbage", "blank", "html", "bare-feed", "empty-feed", "hang", "trickle"])
def test_failures_are_recorded_within_the_timeout(fake_arxiv, trouble, error):
    trouble(fake_arxiv)
    fetcher = make_fetcher(fake_arxiv, timeout=TIMEOUT, retries=RETRIES, backoff=BACKOFF)
    started = time.monotonic()
    result = fetcher.fetch([GAN, "1506.01497"])       # never raises
    elapsed = time.monotonic() - started
    attempts = RETRIES + 1
    assert elapsed < TIMEOUT * attempts + BACKOFF * 2 ** RETRIES + 1.0
    assert fake_arxiv.request_count == attempts
    for arxiv_id in (GAN, "1506.01497"):
        assert result[arxiv_id]["status"] == "failed"
        if error.endswith(": "):     # the parser's own words follow
            assert result[arxiv_id]["error"].startswith(error)
            assert result[arxiv_id]["error"].endswith(GAVE_UP)
        else:
            assert result[arxiv_id]["error"] == error


def test_one_empty_answer_is_asked_again(fake_arxiv):
    fake_arxiv.empty_next(1)
    result = make_fetcher(fake_arxiv).fetch([GAN, "1506.01497"])
    assert result[GAN]["status"] == result["1506.01497"]["status"] == "ok"
    assert fake_arxiv.request_count == 2


def test_garbage_once_then_a_good_answer(fake_arxiv):
    fake_arxiv.garbage_next(1)
    assert make_fetcher(fake_arxiv).fetch([GAN])[GAN]["status"] == "ok"


def test_connection_refused_is_a_failure():
    fetcher = ArxivFetcher(api_url=f"http://127.0.0.1:{free_port()}/api/query",
                           delay_seconds=0, timeout=1, retries=1, backoff=0.01)
    result = fetcher.fetch([GAN])
    assert result[GAN]["status"] == "failed"
    assert result[GAN]["error"].startswith("connection failed:")
    assert "Connection refused" in result[GAN]["error"]


# -- politeness -----------------------------------------------------------------------------
def test_rate_limit_holds_across_calls_and_threads(fake_arxiv):
    fetcher = make_fetcher(fake_arxiv, delay_seconds=0.5)
    fake_arxiv.fail_next(1, status=503)          # a retry is paced like any request

    def work(ids):
        for arxiv_id in ids:
            assert fetcher.fetch([arxiv_id])[arxiv_id]["status"] == "ok"

    threads = [threading.Thread(target=work, args=(ids,))
               for ids in ([GAN, "1506.01497"], ["1512.03385"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake_arxiv.request_count == 4
    assert all(gap >= 0.5 for gap in fake_arxiv.gaps()), fake_arxiv.gaps()
    assert fake_arxiv.max_in_flight == 1


def test_close_ends_a_wait_at_once(fake_arxiv):
    fetcher = make_fetcher(fake_arxiv, delay_seconds=30)
    assert fetcher.fetch([GAN])[GAN]["status"] == "ok"
    threading.Timer(0.2, fetcher.close).start()
    started = time.monotonic()
    result = fetcher.fetch(["1506.01497"])
    assert time.monotonic() - started < 5
    assert result["1506.01497"]["status"] == "failed"
    assert fake_arxiv.request_count == 1


# -- wiring: one client, the endpoint, the session ------------------------------------------
def test_one_package_client_configured_for_the_endpoint(fake_arxiv):
    fetcher = make_fetcher(fake_arxiv)
    client = fetcher.client
    assert isinstance(client, arxiv.Client)
    assert client.query_url_format == fake_arxiv.api_url + "?{}"
    assert client.num_retries == 0 and client.delay_seconds == 0
    assert client._session is fetcher.session
    fetcher.fetch([GAN])
    fetcher.fetch(["1506.01497"])
    assert fetcher.client is client and fetcher.request_count == 2


def test_default_endpoint_is_the_real_api():
    assert DEFAULT_API_URL == "https://export.arxiv.org/api/query?{}"
    assert ArxivFetcher().client.query_url_format == DEFAULT_API_URL
    assert ArxivFetcher(api_url=None).api_url == DEFAULT_API_URL


@pytest.mark.parametrize("api_url, expected", [
    ("https://export.arxiv.org/api/query", "https://export.arxiv.org/api/query?{}"),
    ("https://export.arxiv.org/api/query?{}", "https://export.arxiv.org/api/query?{}"),
    ("http://127.0.0.1:9/api/query?key=1", "http://127.0.0.1:9/api/query?key=1&{}"),
    ("", DEFAULT_API_URL),
])
def test_query_url_format(api_url, expected):
    assert query_url_format(api_url) == expected


def test_from_settings(fake_arxiv):
    fetcher = ArxivFetcher.from_settings({
        "ARXIV_API_URL": fake_arxiv.api_url, "ARXIV_DELAY_SECONDS": "0",
        "ARXIV_TIMEOUT": "5", "ARXIV_RETRIES": "1", "ARXIV_BATCH_SIZE": "50"})
    assert (fetcher.api_url, fetcher.delay_seconds, fetcher.timeout, fetcher.retries,
            fetcher.batch_size) == (fake_arxiv.api_url + "?{}", 0.0, 5.0, 1, 50)
    assert fetcher.fetch([GAN])[GAN]["status"] == "ok"


class _Seeing:
    """Stands for a WARC recorder: sees every request the fetcher sends."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def send(self, request, **kwargs):
        self.seen.append((request.url, kwargs.get("timeout")))
        return super().send(request, **kwargs)


class RecordingSession(_Seeing, requests.Session):
    pass


class RecordingAdapter(_Seeing, requests.adapters.HTTPAdapter):
    pass


@pytest.mark.parametrize("transport", [RecordingSession, RecordingAdapter])
def test_every_api_request_goes_through_the_given_session(fake_arxiv, transport):
    recorder = transport()
    fetcher = make_fetcher(fake_arxiv, session=recorder, timeout=3)
    fake_arxiv.fail_next(1, status=503)
    fetcher.fetch([GAN])
    fetcher.fetch(["1506.01497", "1801.99999"])
    assert len(recorder.seen) == fake_arxiv.request_count == 3
    assert all(url.startswith(fake_arxiv.api_url + "?") for url, _ in recorder.seen)
    assert all(timeout == 3 for _, timeout in recorder.seen)


def test_a_replayed_answer_needs_no_network():
    """A session that answers from memory (as a WARC replayer does) works, offline."""
    fake = FakeArxiv()   # not started: only its feed builder is used

    class Replay(requests.adapters.BaseAdapter):
        def send(self, request, **kwargs):
            resp = requests.Response()
            resp.status_code, resp.url, resp.request = 200, request.url, request
            resp._content = fake_feed_for(fake, request.url)
            return resp

        def close(self):
            pass

    fetcher = ArxivFetcher(delay_seconds=0, session=Replay())   # the real endpoint's URLs
    assert fetcher.fetch([GAN])[GAN]["authors"] == GAN_AUTHORS
    fake.server.server_close()


def fake_feed_for(fake: FakeArxiv, url: str) -> bytes:
    from urllib.parse import parse_qs, urlsplit

    from tests.fake_arxiv import entry_xml, feed_xml

    params = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    ids = params["id_list"].split(",")
    return feed_xml(params, [entry_xml(fake.papers[i]) for i in ids], len(ids), 0, len(ids))


# -- the store ------------------------------------------------------------------------------
def test_fetch_pending_papers_writes_results(fake_arxiv):
    store = Store(":memory:")
    store.add_paper_ref(GAN, "https://arxiv.org/pdf/1710.07035.pdf", "seed")
    store.add_paper_ref("1506.01497", "https://a.example/", "text", "arXiv:1506.01497", depth=1)
    store.add_paper_ref("1801.99999", "https://a.example/", "text", "arXiv:1801.99999", depth=1)
    store.add_paper_ref("1512.03385", "https://b.example/", "link")
    store.upsert_paper({"arxiv_id": "1512.03385", "status": "failed", "error": "HTTP 503"})
    store.add_paper_ref("1409.4842", "https://c.example/", "link")
    store.upsert_paper({"arxiv_id": "1409.4842", "status": "ok", "title": "Kept as it is"})
    calls = []

    def summarize(text, lang):
        calls.append(("summarize", lang))
        return "S: " + text[:20]

    def keywords(text, lang):
        calls.append(("keywords", lang))
        return ["gan", "review"] if "Generative" in text else ["detection"]

    fetcher = make_fetcher(fake_arxiv)
    counts = fetch_pending_papers(store, fetcher, summarize=summarize, keywords=keywords)
    assert counts == {"requested": 4, "ok": 3, "not_found": 1, "failed": 0, "requests": 1}
    gan = store.paper(GAN)
    assert gan["status"] == "ok" and gan["error"] is None
    assert gan["title"] == "Generative Adversarial Networks: An Overview"
    assert gan["authors"] == GAN_AUTHORS
    assert gan["abstract"].endswith("remaining challenges in their theory and application.")
    assert len(gan["abstract"]) > 600       # whole, not the summary
    assert gan["summary"] == "S: Generative adversari"
    assert gan["keywords"] == ["gan", "review"]
    assert gan["categories"] == ["cs.CV"] and gan["depth"] == 0
    assert store.paper("1506.01497")["depth"] == 1
    assert store.paper("1512.03385")["status"] == "ok"          # failed ones are retried
    assert store.paper("1512.03385")["error"] is None
    assert store.paper("1801.99999")["status"] == "not_found"
    assert store.paper("1409.4842")["title"] == "Kept as it is"  # ok ones are not fetched
    assert set(calls) == {("summarize", "en"), ("keywords", "en")}
    # Nothing left to do: no request.
    assert fetch_pending_papers(store, fetcher, summarize, keywords)["requests"] == 0


def test_fetch_pending_papers_records_failures(fake_arxiv):
    store = Store(":memory:")
    store.add_paper_ref(GAN, "https://a.example/", "link")
    fake_arxiv.fail_next(10, status=503)
    fetcher = make_fetcher(fake_arxiv, retries=1)
    counts = fetch_pending_papers(store, fetcher, summarize=lambda t, lang: "",
                                  keywords=lambda t, lang: [])
    assert counts["failed"] == 1
    paper = store.paper(GAN)
    assert paper["status"] == "failed"
    assert paper["error"] == "HTTP 503 Service Unavailable (gave up after 2 attempts)"


def test_fetch_pending_papers_in_batches_written_as_they_come(fake_arxiv):
    store = Store(":memory:")
    ids = fake_arxiv.add_synthetic(150)
    for arxiv_id in ids:
        store.add_paper_ref(arxiv_id, "https://a.example/", "text")
    counts = fetch_pending_papers(store, make_fetcher(fake_arxiv), lambda t, lang: t,
                                  lambda t, lang: [])
    assert counts["ok"] == 150 and counts["requests"] == 2
    assert len(list(store.papers("ok"))) == 150


def test_fetch_pending_papers_default_text_functions(fake_arxiv):
    store = Store(":memory:")
    store.add_paper_ref(GAN, "https://a.example/", "link")
    fetch_pending_papers(store, make_fetcher(fake_arxiv))
    gan = store.paper(GAN)
    assert gan["summary"] and len(gan["summary"]) < len(gan["abstract"])
    assert isinstance(gan["keywords"], list)


def test_an_api_host_that_does_not_resolve_is_asked_once(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    fetcher = ArxivFetcher(api_url="http://export.arxiv.invalid/api/query", delay_seconds=0,
                           timeout=5, retries=3, backoff=1.0)
    started = time.monotonic()
    first = fetcher.fetch([GAN, "1506.01497"])
    again = fetcher.fetch(["1504.08083"])
    assert time.monotonic() - started < 3          # no 1 s, 2 s, 4 s backoff
    assert fetcher.request_count == 1              # and nothing more sent to that host
    reason = first[GAN]["error"]
    assert reason.startswith("DNS lookup failed: export.arxiv.invalid did not resolve ([Errno")
    assert first == {GAN: {"status": "failed", "error": reason},
                     "1506.01497": {"status": "failed", "error": reason}}
    assert again == {"1504.08083": {"status": "failed", "error": reason}}


def test_dns_failures_are_retried_when_asked_to(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    fetcher = ArxivFetcher.from_settings({
        "ARXIV_API_URL": "http://export.arxiv.invalid/api/query", "ARXIV_DELAY_SECONDS": 0,
        "ARXIV_RETRIES": 2, "ARXIV_BACKOFF": 0.01, "DNS_FAILURES_ARE_FINAL": "False"})
    result = fetcher.fetch([GAN])
    assert fetcher.request_count == 3
    assert result[GAN]["error"].endswith("(gave up after 3 attempts)")
