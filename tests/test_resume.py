"""A crawl killed with SIGKILL and started again with the same JOBDIR finishes the rest:
nothing done is fetched again, no row is duplicated, the store stays consistent."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.resume import JOB_FILE, done_documents, job_state, stored_result
from graph.store import Store
from tests.conftest import FAST_SETTINGS, REPO, crawl_env, run_crawl
from tests.miniweb import Page

SEEDS, CHILDREN = 10, 2
DELAY = 0.25


def build_slow_site(web) -> list[str]:
    """Slow seed pages, each linking to two slow child pages and citing an arXiv paper."""
    for i in range(SEEDS):
        links = "".join(f'<a href="/c/{i}-{j}.html">part {j}</a> ' for j in range(CHILDREN))
        web.routes[f"/s/{i}.html"] = Page(
            f"<html><head><title>Seed {i}</title></head><body><article><p>Lecture {i} on"
            f" convolutional networks, see arXiv:1512.03385 and {links}.</p></article>"
            f"</body></html>".encode(), delay=DELAY)
        for j in range(CHILDREN):
            web.routes[f"/c/{i}-{j}.html"] = Page(
                f"<html><head><title>Child {i}-{j}</title></head><body><p>Part {j} of lecture"
                f" {i} explains pooling layers.</p></body></html>".encode(), delay=DELAY)
    return [web.url(f"/s/{i}.html") for i in range(SEEDS)]


def crawl_command(data_dir: Path, seeds: Path, settings: dict) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "seeds", "-a", f"seeds={seeds}",
           "-a", "depth=1"]
    for name, value in {**FAST_SETTINGS, "DATA_DIR": str(data_dir), **settings}.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def stored_urls(path: Path) -> set[str]:
    if not path.exists():
        return set()
    conn = sqlite3.connect(path, timeout=5)
    try:
        return {r[0] for r in conn.execute(
            "SELECT url FROM documents WHERE outcome != 'pending'")}
    except sqlite3.OperationalError:
        return set()
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def table(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute(sql).fetchall())
    finally:
        conn.close()


def test_a_killed_crawl_resumes_without_refetching(miniweb, tmp_path):
    seed_urls = build_slow_site(miniweb)
    seeds = tmp_path / "list.txt"
    seeds.write_text("\n".join(seed_urls), encoding="utf-8")
    data, job, warc = tmp_path / "data", tmp_path / "job", tmp_path / "crawl.warc.gz"
    # A long timeout: a reactor busy extracting must not turn a slow page into a retry.
    settings = {"JOBDIR": str(job), "HTTPCACHE_ENABLED": "False", "WARC_OUTPUT": str(warc),
                "ARXIV_API_URL": miniweb.url("/no-arxiv"), "ARXIV_RETRIES": "0",
                "DOWNLOAD_TIMEOUT": "30"}
    proc = subprocess.Popen(crawl_command(data, seeds, settings), cwd=REPO, env=crawl_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(stored_urls(data / "crawl.sqlite")) < 8:
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the crawl stored too little too slowly"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    time.sleep(0.3)          # requests already on the wire reach the server's log
    done_at_kill = stored_urls(data / "crawl.sqlite")
    requested_at_kill = Counter(p for _, p, _ in miniweb.log)
    assert integrity(data / "crawl.sqlite") == "ok"
    assert (job / JOB_FILE).is_file()
    everything = {miniweb.url(f"/c/{i}-{j}.html") for i in range(SEEDS)
                  for j in range(CHILDREN)} | set(seed_urls)
    assert 8 <= len(done_at_kill) < len(everything)

    resumed = run_crawl(data, seeds, settings, args={"depth": 1})
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming the job started" in resumed.stderr
    assert integrity(data / "crawl.sqlite") == "ok"

    # Every page is stored once, each fetched once, but those in flight at the kill.
    store = resumed.store()
    docs = {d["url"]: d for d in store.documents()}
    assert set(docs) == everything
    assert all(d["outcome"] == "ok" for d in docs.values())
    fetched = Counter(p for _, p, _ in miniweb.log if p.startswith(("/s/", "/c/")))
    in_flight = {p for p in requested_at_kill if p.startswith(("/s/", "/c/"))
                 and miniweb.url(p) not in done_at_kill}
    assert {miniweb.url(p) for p in fetched} == everything
    for path, n in fetched.items():
        if miniweb.url(path) in done_at_kill or path not in in_flight:
            assert n == 1, (path, n)
        else:
            assert n == 2, (path, n)
    assert len(in_flight) <= 4                  # two connections per host, one page each

    # Rows are those of an uninterrupted crawl: none missing, none twice.
    reference = run_crawl(tmp_path / "reference", seeds,
                          {"HTTPCACHE_ENABLED": "False", "ARXIV_API_URL": miniweb.url("/no"),
                           "ARXIV_RETRIES": "0"}, args={"depth": 1})
    assert reference.returncode == 0, reference.stderr[-3000:]
    for sql in ("SELECT url, outcome, depth, is_seed, title FROM documents",
                "SELECT from_url, to_url, anchor FROM links",
                "SELECT arxiv_id, doc_url, how, evidence FROM paper_refs",
                "SELECT line, url FROM seeds"):
        assert table(data / "crawl.sqlite", sql) == table(reference.store_path, sql), sql
    assert store.counts()["documents"] == len(everything)

    # The recording of both runs is one readable WARC (the torn tail was cut).
    with open(warc, "rb") as f:
        records = [(r.rec_type, r.digest_checker) for r in ArchiveIterator(f, check_digests=True)
                   if r.raw_stream.read() is not None]
    assert [t for t, _ in records].count("warcinfo") == 2
    assert all(checker.passed is not False for _, checker in records)


def test_a_finished_job_run_again_fetches_nothing(miniweb, tmp_path):
    miniweb.routes["/a.html"] = Page(b"<html><title>A</title><article><p>Alpha page about"
                                     b" <a href='/b.html'>beta</a>.</p></article></html>")
    miniweb.routes["/b.html"] = Page(b"<html><title>B</title><p>Beta page.</p></html>")
    seeds = tmp_path / "list.txt"
    seeds.write_text(miniweb.url("/a.html"), encoding="utf-8")
    settings = {"JOBDIR": str(tmp_path / "job"), "HTTPCACHE_ENABLED": "False",
                "DOWNLOAD_TIMEOUT": "30"}
    first = run_crawl(tmp_path / "data", seeds, settings, args={"depth": 1})
    assert first.returncode == 0, first.stderr[-2000:]
    before = len([p for _, p, _ in miniweb.log if p != "/robots.txt"])
    again = run_crawl(tmp_path / "data", seeds, settings, args={"depth": 1})
    assert again.returncode == 0, again.stderr[-2000:]
    assert len([p for _, p, _ in miniweb.log if p != "/robots.txt"]) == before == 2
    assert again.store().document(miniweb.url("/b.html"))["outcome"] == "ok"


def test_without_jobdir_every_run_fetches_again(miniweb, tmp_path):
    miniweb.routes["/a.html"] = Page(b"<html><title>A</title><p>Alpha page.</p></html>")
    seeds = tmp_path / "list.txt"
    seeds.write_text(miniweb.url("/a.html"), encoding="utf-8")
    for _ in range(2):
        run = run_crawl(tmp_path / "data", seeds, {"HTTPCACHE_ENABLED": "False",
                                                   "DOWNLOAD_TIMEOUT": "30"}, args={"depth": 0})
        assert run.returncode == 0, run.stderr[-2000:]
    assert miniweb.requests_to("/a.html") == 2


def test_job_state_and_stored_results(tmp_path):
    first = job_state(tmp_path / "job", "list.txt")
    again = job_state(tmp_path / "job", "list.txt")
    assert (first["resumed"], again["resumed"]) == (False, True)
    assert again["started_at"] == first["started_at"]
    (tmp_path / "torn" ).mkdir()
    (tmp_path / "torn" / JOB_FILE).write_text('{"started_at": "2026-', encoding="utf-8")
    assert job_state(tmp_path / "torn")["resumed"] is False

    store = Store(":memory:")
    store.upsert_document({"url": "http://old.example/", "outcome": "ok",
                           "fetched_at": "2000-01-01T00:00:00+00:00"})
    store.upsert_document({"url": "http://a.example/", "outcome": "ok",
                           "text": "We build on arXiv:1512.03385 here."},
                          links=[("http://b.example/", "B"), ("https://arxiv.org/abs/1506.01497",
                                                               "Faster R-CNN")])
    store.upsert_document({"url": "http://b.example/", "outcome": "timeout"})
    store.upsert_document({"url": "http://c.example/", "outcome": "pending"})
    done = done_documents(store, first["started_at"])
    assert set(done) == {"http://a.example/", "http://b.example/"}
    assert done["http://b.example/"] == {"links": [], "paper_refs": []}
    assert done["http://a.example/"] == stored_result(
        "We build on arXiv:1512.03385 here.",
        [("http://b.example/", "B"), ("https://arxiv.org/abs/1506.01497", "Faster R-CNN")])
    refs = {(a, how) for a, how, _ in done["http://a.example/"]["paper_refs"]}
    assert refs == {("1506.01497", "link"), ("1512.03385", "text")}


def _kill_when_stored(cmd, data: Path, at_least: int) -> None:
    proc = subprocess.Popen(cmd, cwd=REPO, env=crawl_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(stored_urls(data / "crawl.sqlite")) < at_least:
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the crawl stored too little too slowly"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    time.sleep(0.3)


def test_a_killed_crawl_continues_without_jobdir(miniweb, tmp_path):
    seed_urls = build_slow_site(miniweb)
    seeds = tmp_path / "list.txt"
    seeds.write_text("\n".join(seed_urls), encoding="utf-8")
    data = tmp_path / "data"
    settings = {"HTTPCACHE_ENABLED": "False", "ARXIV_API_URL": miniweb.url("/no-arxiv"),
                "ARXIV_RETRIES": "0", "DOWNLOAD_TIMEOUT": "30"}
    _kill_when_stored(crawl_command(data, seeds, settings), data, 8)
    done_at_kill = stored_urls(data / "crawl.sqlite")
    requested_at_kill = Counter(p for _, p, _ in miniweb.log)

    resumed = run_crawl(data, seeds, settings, args={"depth": 1})
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming the interrupted crawl of list.txt started" in resumed.stderr
    everything = {miniweb.url(f"/c/{i}-{j}.html") for i in range(SEEDS)
                  for j in range(CHILDREN)} | set(seed_urls)
    assert {d["url"] for d in resumed.store().documents()} == everything
    fetched = Counter(p for _, p, _ in miniweb.log if p.startswith(("/s/", "/c/")))
    for path in fetched:
        if miniweb.url(path) in done_at_kill:
            assert fetched[path] == requested_at_kill[path] == 1, path

    # That crawl finished: the next run is a fresh one, and -a restart=1 would have been too.
    before = len(miniweb.log)
    again = run_crawl(data, seeds, settings, args={"depth": 0})
    assert again.returncode == 0 and "resuming" not in again.stderr
    assert sum(1 for _, p, _ in miniweb.log[before:] if p.startswith("/s/")) == SEEDS


def test_restart_fetches_everything_after_a_kill(miniweb, tmp_path):
    seed_urls = build_slow_site(miniweb)
    seeds = tmp_path / "list.txt"
    seeds.write_text("\n".join(seed_urls[:4]), encoding="utf-8")
    data = tmp_path / "data"
    settings = {"HTTPCACHE_ENABLED": "False", "ARXIV_API_URL": miniweb.url("/no-arxiv"),
                "ARXIV_RETRIES": "0", "DOWNLOAD_TIMEOUT": "30"}
    _kill_when_stored(crawl_command(data, seeds, settings), data, 2)
    before = len(miniweb.log)
    run = run_crawl(data, seeds, settings, args={"depth": 0, "restart": 1})
    assert run.returncode == 0 and "resuming" not in run.stderr
    assert sorted(p for _, p, _ in miniweb.log[before:] if p.startswith("/s/")) == [
        f"/s/{i}.html" for i in range(4)]
