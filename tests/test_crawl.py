"""Real ``scrapy crawl seeds`` runs against the synthetic mini-web on 127.0.0.1."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, crawl_env, run_crawl
from tests.miniweb import Page
from tests.sites import BLOG_SENTENCES, SIDEBAR, ZH_TEXT, build_site

CJK = re.compile(r"[\u4e00-\u9fff]")


def write_list(tmp_path, text: str):
    path = tmp_path / "list.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def site_crawl(miniweb, tmp_path_factory):
    """One crawl of the whole test site, shared by the assertions below."""
    urls = build_site(miniweb)
    tmp = tmp_path_factory.mktemp("site")
    listing = "\n".join([
        "Object Detection",
        urls["blog"] + " - a good walk through",
        urls["redirect"],
        "",
        "中文",
        urls["gbk"],
        urls["wrong_charset"],
        urls["utf8"],
        "",
        urls["pdf"], urls["code"], urls["missing"], urls["flaky"], urls["robots"],
        urls["big"], urls["hang"], urls["image"],
        "ftp://example.org/file.txt",
    ])
    seeds = write_list(tmp, listing)
    run = run_crawl(tmp / "data", seeds, settings={
        # A timeout well above a busy machine's pauses, so only the hanging page hits it.
        "DOWNLOAD_TIMEOUT": "5", "RETRY_TIMES": "1", "DOWNLOAD_MAXSIZE": str(1024 * 1024),
        "GITHUB_RAW_BASE": miniweb.url("/raw"),
        "ARXIV_API_URL": miniweb.url("/no-arxiv-here"), "ARXIV_RETRIES": "0",
    }, args={"depth": 0})
    store = run.store()
    docs = {d["url"]: d for d in store.documents()}
    yield urls, run, store, docs, miniweb
    store.close()


def test_crawl_exits_zero_and_prints_one_summary(site_crawl):
    urls, run, store, docs, web = site_crawl
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.count("Crawl finished") == 1
    assert "seeds: 13 URLs on 13 lines: 8 ok" in run.stdout
    assert "store: " in run.stdout and "crawl.sqlite" in run.stdout
    assert "list.txt:18: skipped 'ftp://example.org/file.txt'" in run.stderr


def test_every_seed_has_exactly_one_outcome(site_crawl):
    urls, run, store, docs, web = site_crawl
    outcomes = {name: docs[url]["outcome"] for name, url in urls.items()}
    assert outcomes == {
        "blog": "ok", "gbk": "ok", "wrong_charset": "ok", "utf8": "ok", "pdf": "ok",
        "code": "ok", "redirect": "ok", "missing": "http_error", "flaky": "ok",
        "robots": "robots_blocked", "big": "too_large", "hang": "timeout",
        "image": "unsupported_type",
    }
    assert len(docs) == 13
    assert docs[urls["missing"]]["http_status"] == 404
    assert "image/png" in docs[urls["image"]]["reason"]
    problems = store.problems()
    assert [(p["line"], p["text"]) for p in problems] == [(18, "ftp://example.org/file.txt")]


def test_english_blog_main_text_metadata_and_links(site_crawl):
    urls, run, store, docs, web = site_crawl
    blog = docs[urls["blog"]]
    assert blog["title"].startswith("Understanding Faster R-CNN")
    assert blog["lang"] == "en"
    assert blog["kind"] == "html"
    assert blog["authors"] == ["Mohit Jain"]
    assert blog["published"] == "2018-03-20"
    for sentence in BLOG_SENTENCES[:3]:
        assert sentence in blog["text"]
    for boilerplate in (SIDEBAR, "Popular posts", "Copyright 2018", "Gardening"):
        assert boilerplate not in blog["text"]
    summary_sentences = [s for s in BLOG_SENTENCES if s in blog["summary"]]
    assert 2 <= len(summary_sentences) <= 3
    assert 5 <= len(blog["keywords"]) <= 12
    links = {row["to_url"] for row in store.links() if row["from_url"] == urls["blog"]}
    assert links == {web.url("/zh/gbk.html"), "https://arxiv.org/abs/1504.08083"}
    assert blog["fetched_via"] == "live"


def test_chinese_pages_in_gbk_and_with_a_wrong_header_charset(site_crawl):
    urls, run, store, docs, web = site_crawl
    expected_titles = {"gbk": "卷积神经网络结构综述", "wrong_charset": "R-CNN系列算法详解",
                       "utf8": "残差网络介绍"}
    for name, title in expected_titles.items():
        doc = docs[urls[name]]
        assert doc["title"] == title, name
        assert doc["lang"] == "zh", name
        assert ZH_TEXT[1] in doc["text"], name
        assert "版权所有" not in doc["text"], name
        summary_sentences = [s + "。" for s in doc["summary"].split("。") if s]
        assert 2 <= len(summary_sentences) <= 3 and set(summary_sentences) <= set(ZH_TEXT)
        assert any(CJK.search(k) for k in doc["keywords"]), doc["keywords"]


def test_pdf_code_and_redirects(site_crawl):
    urls, run, store, docs, web = site_crawl
    pdf = docs[urls["pdf"]]
    assert (pdf["kind"], pdf["title"], pdf["authors"]) == (
        "pdf", "CNN Architectures", ["Svetlana Lazebnik"])
    assert "residual connections" in pdf["text"]
    assert pdf["lang"] == "en"

    code = docs[urls["code"]]
    assert code["kind"] == "code"
    assert code["final_url"] == web.url("/raw/octo/examples/master/cnn.py")
    assert "Convolutional neural network example built with TensorFlow" in code["text"]
    assert "a small learning rate keeps the optimizer stable" in code["text"]
    assert code["title"] == "cnn.py"

    moved = docs[urls["redirect"]]
    assert moved["final_url"] == web.url("/blog/moved.html")
    assert moved["title"] == "Moved post"


def test_retries_robots_and_user_agent(site_crawl):
    urls, run, store, docs, web = site_crawl
    assert web.requests_to("/flaky.html") == 2           # a 500, then the retry's 200
    assert web.requests_to("/private/secret.html") == 0  # never fetched
    assert web.requests_to("/gone.html") == 1            # a 404 is not retried
    agents = {agent for _, _, agent in web.log}
    assert agents and all(a.startswith("readinglist-graph/") and "+https://" in a
                          for a in agents)


def test_rerun_updates_rows_and_serves_from_the_http_cache(miniweb, tmp_path):
    urls = build_site(miniweb)
    seeds = write_list(tmp_path, "\n".join([urls["blog"], urls["gbk"], urls["missing"]]))
    first = run_crawl(tmp_path / "data", seeds, args={"depth": 0})
    assert first.returncode == 0, first.stderr[-2000:]
    requests_after_first = len(miniweb.log)
    second = run_crawl(tmp_path / "data", seeds, args={"depth": 0})
    assert second.returncode == 0, second.stderr[-2000:]
    store = second.store()
    counts = store.counts()
    assert (counts["documents"], counts["seeds"]) == (3, 3)
    assert store.document(urls["blog"])["fetched_via"] == "cache"
    # The 404 is cached too: the second run sent nothing at all.
    assert len(miniweb.log) == requests_after_first
    assert (tmp_path / "data" / "httpcache").is_dir()
    assert len(store.conn.execute("SELECT * FROM crawls").fetchall()) == 2


def test_robots_holds_for_every_request_queued_while_it_loads(miniweb, tmp_path):
    miniweb.routes["/robots.txt"] = Page(b"User-agent: *\nDisallow: /private/\n",
                                         content_type="text/plain", delay=0.5)
    for i in range(6):
        miniweb.routes[f"/private/{i}.html"] = Page(b"<title>no</title>")
        miniweb.routes[f"/public/{i}.html"] = Page(
            f"<html><title>Public {i}</title><p>Open page {i}.</p></html>".encode())
    lines = [miniweb.url(f"/private/{i}.html") for i in range(6)]
    lines += [miniweb.url(f"/public/{i}.html") for i in range(6)]
    run = run_crawl(tmp_path / "data", write_list(tmp_path, "\n".join(lines)),
                    args={"depth": 0})
    assert run.returncode == 0, run.stderr[-2000:]
    store = run.store()
    outcomes = [store.document(url)["outcome"] for url in lines]
    assert outcomes == ["robots_blocked"] * 6 + ["ok"] * 6
    assert not [p for _, p, _ in miniweb.log if p.startswith("/private/")]


def test_at_most_two_requests_per_host_at_once(miniweb, tmp_path):
    for i in range(8):
        miniweb.routes[f"/slow/{i}.html"] = Page(
            f"<html><title>Slow {i}</title><p>Slow page {i}.</p></html>".encode(), delay=0.3)
    lines = [miniweb.url(f"/slow/{i}.html") for i in range(8)]
    run = run_crawl(tmp_path / "data", write_list(tmp_path, "\n".join(lines)),
                    settings={"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"},
                    args={"depth": 0})
    assert run.returncode == 0, run.stderr[-2000:]
    assert miniweb.max_in_flight == 2


def test_links_are_followed_to_the_requested_depth(miniweb, tmp_path):
    urls = build_site(miniweb)
    seeds = write_list(tmp_path, urls["blog"])
    run = run_crawl(tmp_path / "d1", seeds, args={"depth": 1},
                    settings={"ARXIV_API_URL": miniweb.url("/none"), "ARXIV_RETRIES": "0"})
    assert run.returncode == 0, run.stderr[-2000:]
    store = run.store()
    followed = store.document(urls["gbk"])
    assert (followed["outcome"], followed["depth"], followed["is_seed"]) == ("ok", 1, 0)
    assert {p["arxiv_id"] for p in store.papers()} == {"1504.08083", "1506.01497"}

    run0 = run_crawl(tmp_path / "d0", seeds, args={"depth": 0})
    store0 = run0.store()
    assert store0.document(urls["gbk"]) is None
    assert list(store0.papers()) == []


def test_bad_arguments_and_missing_list_are_one_line_errors(tmp_path):
    missing = run_crawl(tmp_path / "data", tmp_path / "nope.txt")
    assert missing.returncode == 2
    assert missing.stderr == f"Error: reading list {tmp_path / 'nope.txt'} not found\n"

    bad_depth = run_crawl(tmp_path / "data", args={"depth": "deep"})
    assert bad_depth.returncode == 2
    assert bad_depth.stderr == "Error: -a depth='deep': expected a whole number\n"

    typo = run_crawl(tmp_path / "data", args={"dept": "1"})
    assert typo.returncode == 2
    assert typo.stderr.startswith("Error: unknown argument -a dept=...; known: seeds")
    assert not (tmp_path / "data").exists()


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1)")
def test_bundled_list_with_no_network_records_every_seed(tmp_path):
    """The real list, in a network namespace with no network at all."""
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot create a network namespace here")
    cmd = ["unshare", "-n", sys.executable, "-m", "scrapy", "crawl", "seeds",
           "-s", f"DATA_DIR={tmp_path / 'data'}", "-s", "RETRY_BACKOFF_BASE=0.05",
           "-s", "ARXIV_RETRIES=0", "-s", "ARXIV_DELAY_SECONDS=0",
           "-s", "EXTRACT_PROCESSES=0"]
    proc = subprocess.run(cmd, cwd=REPO, env=crawl_env(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    from graph.store import Store

    store = Store(tmp_path / "data" / "crawl.sqlite", create=False)
    outcomes = store.seed_outcomes()
    assert len(outcomes) == 35
    assert len({o["url"] for o in outcomes}) == 34
    assert all(o["outcome"] not in (None, "ok", "pending") and o["reason"] for o in outcomes)
    assert "seeds: 34 URLs on 35 lines: 0 ok" in proc.stdout


def test_the_loopback_server_example():
    import doctest

    from tests import loopback

    assert doctest.testmod(loopback).failed == 0
