"""Links found in pages stay on the public web; only http(s); size limits hold when
compressed."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
import zlib

import pytest
from scrapy import Request

from crawler import safety
from crawler.outcomes import classify_failure
from crawler.safety import (BlockedAddress, LinkGuardMiddleware, PinningResolver,
                            RefusedScheme, address_kind, is_public_address, needs_check)
from tests.conftest import run_crawl
from tests.miniweb import Page


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("fe80::1%eth0", "link-local"),
    ("fc00::1", "private"), ("fd12:3456::1", "private"), ("0.0.0.0", "unspecified"),
    ("::", "unspecified"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "private"), ("255.255.255.255", "private"), ("100.64.0.1", "non-public"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
    ("2002:7f00:1::1", "loopback"), ("2002:a9fe:a9fe::1", "link-local"),
    ("192.0.2.1", "private"), ("198.18.0.1", "private"),
    ("8.8.8.8", None), ("93.184.215.14", None), ("2606:4700::1111", None),
])
def test_address_kinds(address, kind):
    assert address_kind(address) == kind
    assert is_public_address(address) is (kind is None)


def req(url, **meta):
    return Request(url, meta=meta)


def test_which_requests_are_checked():
    link = {"doc_url": "http://a.example/x", "depth": 1, "is_seed": False}
    seed = {"doc_url": "http://127.0.0.1/wiki", "depth": 0, "is_seed": True}
    assert needs_check(req("http://a.example/x", **link))
    assert not needs_check(req("http://127.0.0.1/wiki", **seed))
    # A seed's redirect stays allowed on its own host, and is checked elsewhere.
    assert not needs_check(req("http://127.0.0.1/wiki/", **seed,
                               redirect_urls=["http://127.0.0.1/wiki"]))
    assert needs_check(req("http://169.254.169.254/latest/", **seed,
                           redirect_urls=["http://127.0.0.1/wiki"]))
    # The web archive and robots.txt are not links.
    assert not needs_check(req("http://127.0.0.1/web/1id_/x", **link, archive_service=True))
    assert not needs_check(req("http://a.example/robots.txt", dont_obey_robotstxt=True))


def guard(allow=False, replay=False):
    return LinkGuardMiddleware(allow, replay, dns_timeout=5)


def check(mw, url, **meta):
    meta = {"doc_url": url, "depth": 1, "is_seed": False, **meta}
    return asyncio.run(mw.process_request(req(url, **meta)))


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/admin", "http://localhost/", "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://0.0.0.0:9000/",
    "http://2130706433/", "http://0x7f.1/", "http://[::ffff:7f00:1]/",
])
def test_links_to_private_addresses_are_blocked(url):
    with pytest.raises(BlockedAddress) as info:
        check(guard(), url)
    outcome, reason, _ = classify_failure(info.value)
    assert outcome == "blocked_private"
    assert "ALLOW_PRIVATE_LINKS" in reason


def test_listed_seeds_and_allowed_links_pass():
    assert check(guard(), "http://127.0.0.1:8080/", is_seed=True, depth=0) is None
    assert check(guard(allow=True), "http://127.0.0.1:8080/") is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://a.example/x", "data:text/html,x",
                                 "s3://bucket/key", "gopher://a.example/"])
def test_other_schemes_are_refused_even_for_seeds(url):
    with pytest.raises(RefusedScheme):
        check(guard(allow=True), url, is_seed=True, depth=0)
    outcome, _, _ = classify_failure(RefusedScheme("x"))
    assert outcome == "invalid_url"


@pytest.fixture
def fake_dns(monkeypatch):
    """Names resolved by a table; ``slow.example`` takes 0.5 s."""
    table = {"mixed.example": ["93.184.215.14", "10.0.0.7"],
             "public.example": ["93.184.215.14", "2606:4700::1111"],
             "slow.example": ["93.184.215.15"],
             "v6private.example": ["2606:4700::1111", "fd00::1"]}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in table:
            return real(host, port, family, type, proto, flags)
        if flags & socket.AI_NUMERICHOST:
            raise socket.gaierror(socket.EAI_NONAME, "not numeric")
        if host == "slow.example":
            time.sleep(0.5)
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in table[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(safety, "_PINNED", {})
    return table


def test_a_name_with_any_private_address_is_blocked(fake_dns):
    with pytest.raises(BlockedAddress, match="10.0.0.7"):
        check(guard(), "http://mixed.example/")
    with pytest.raises(BlockedAddress, match="fd00::1"):
        check(guard(), "https://v6private.example/")


def test_the_checked_address_is_the_one_connected_to(fake_dns):
    assert check(guard(), "http://public.example/page") is None
    assert safety._PINNED == {"public.example": "93.184.215.14"}
    resolver = PinningResolver.__new__(PinningResolver)
    answers = []
    resolver.getHostByName("public.example").addCallback(answers.append)
    assert answers == ["93.184.215.14"]


def test_resolution_does_not_block_the_event_loop(fake_dns):
    mw = guard()
    ticks = []

    async def ticker():
        for _ in range(20):
            ticks.append(time.monotonic())
            await asyncio.sleep(0.02)

    async def main():
        url = "http://slow.example/"
        request = req(url, doc_url=url, depth=1, is_seed=False)
        await asyncio.gather(mw.process_request(request), ticker())

    start = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - start >= 0.45
    assert len([t for t in ticks if t - start < 0.45]) >= 10   # the loop kept running


def test_replay_resolves_no_names(fake_dns, monkeypatch):
    asked = []
    real = socket.getaddrinfo

    def spy(host, port, family=0, type=0, proto=0, flags=0):
        asked.append((host, flags))
        return real(host, port, family, type, proto, flags)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    assert check(guard(replay=True), "http://mixed.example/") is None
    with pytest.raises(BlockedAddress):
        check(guard(replay=True), "http://127.0.0.1/")
    assert asked and all(flags & socket.AI_NUMERICHOST for _, flags in asked)


# -- crawls ---------------------------------------------------------------------------------
def test_default_blocks_a_discovered_loopback_link_but_fetches_the_listed_seed(miniweb,
                                                                                tmp_path):
    port = miniweb.port
    miniweb.routes["/list-page.html"] = Page(f"""<html><head><title>Links</title></head><body>
<article><p>Notes on object detection with
<a href="http://127.0.0.1:{port}/internal.html">an internal page</a>, the
<a href="http://localhost:{port}/admin.html">admin console</a> and
<a href="http://169.254.169.254/latest/meta-data/">instance metadata</a>.</p>
</article></body></html>""".encode())
    miniweb.routes["/internal.html"] = Page(b"<html><title>Internal</title><p>secret</p></html>")
    miniweb.routes["/admin.html"] = Page(b"<html><title>Admin</title><p>secret</p></html>")
    seeds = tmp_path / "list.txt"
    seeds.write_text(miniweb.url("/list-page.html"), encoding="utf-8")
    run = run_crawl(tmp_path / "data", seeds, {"ALLOW_PRIVATE_LINKS": "False"},
                    args={"depth": 1})
    assert run.returncode == 0, run.stderr[-3000:]
    store = run.store()
    assert store.document(miniweb.url("/list-page.html"))["outcome"] == "ok"
    for url in (miniweb.url("/internal.html"), f"http://localhost:{port}/admin.html",
                "http://169.254.169.254/latest/meta-data/"):
        doc = store.document(url)
        assert (doc["outcome"], doc["depth"]) == ("blocked_private", 1), url
        assert "address" in doc["reason"]
    assert miniweb.requests_to("/internal.html") == 0
    assert miniweb.requests_to("/admin.html") == 0
    assert "seeds: 1 URLs on 1 lines: 1 ok" in run.stdout


def test_a_redirect_to_a_local_file_is_not_followed(miniweb, tmp_path):
    miniweb.routes["/to-file"] = Page(b"", status=302, headers={"Location": "file:///etc/passwd"})
    seeds = tmp_path / "list.txt"
    seeds.write_text(miniweb.url("/to-file"), encoding="utf-8")
    run = run_crawl(tmp_path / "data", seeds, args={"depth": 0})
    assert run.returncode == 0, run.stderr[-3000:]
    doc = run.store().document(miniweb.url("/to-file"))
    assert (doc["outcome"], doc["http_status"]) == ("http_error", 302)
    assert "root:" not in (doc["text"] or "")


@pytest.mark.parametrize("encoding, compress", [
    ("gzip", lambda data: gzip.compress(data, 9)),
    ("deflate", lambda data: zlib.compress(data, 9)),
])
def test_a_compression_bomb_is_too_large(miniweb, tmp_path, encoding, compress):
    bomb = compress(b"\0" * (10 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    miniweb.routes["/bomb.html"] = Page(bomb, headers={"Content-Encoding": encoding})
    miniweb.routes["/fine.html"] = Page(gzip.compress(b"<html><title>Fine</title>"
                                                      b"<p>Small and compressed.</p></html>"),
                                        headers={"Content-Encoding": "gzip"})
    seeds = tmp_path / "list.txt"
    seeds.write_text(miniweb.url("/bomb.html") + "\n" + miniweb.url("/fine.html"),
                     encoding="utf-8")
    started = time.monotonic()
    run = run_crawl(tmp_path / "data", seeds, {"DOWNLOAD_MAXSIZE": str(1024 * 1024)},
                    args={"depth": 0})
    assert run.returncode == 0, run.stderr[-3000:]
    assert time.monotonic() - started < 60
    doc = run.store().document(miniweb.url("/bomb.html"))
    assert doc["outcome"] == "too_large", doc["reason"]
    assert "DOWNLOAD_MAXSIZE" in doc["reason"]
    assert run.store().document(miniweb.url("/fine.html"))["title"] == "Fine"
