"""Shared fixtures: the mini-web server and a real ``scrapy crawl seeds`` run against it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fake_arxiv import fake_arxiv  # noqa: F401  (a fixture for every test module)
from tests.fake_s2 import fake_s2  # noqa: F401
from tests.miniweb import MiniWeb

REPO = Path(__file__).resolve().parents[1]

# Settings that make a test crawl fast and deterministic; politeness itself is tested
# separately with its real defaults.
FAST_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_BACKOFF_BASE": "0.05",
    "DOWNLOAD_TIMEOUT": "5",
    "EXTRACT_PROCESSES": "0",
    "ARXIV_DELAY_SECONDS": "0",
    "ARXIV_TIMEOUT": "5",
    "ARXIV_BACKOFF": "0.05",
    "ARCHIVE_FALLBACK": "False",
    # Citations: a port where nothing listens, unless a test gives its fake server.
    "SEMANTIC_SCHOLAR_API_URL": "http://127.0.0.1:9/graph/v1",
    "SEMANTIC_SCHOLAR_DELAY_SECONDS": "0",
    "SEMANTIC_SCHOLAR_TIMEOUT": "5",
    "SEMANTIC_SCHOLAR_BACKOFF": "0.05",
    # The mini-web is on 127.0.0.1: links it serves are followed only when allowed.
    "ALLOW_PRIVATE_LINKS": "True",
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str
    data_dir: Path

    @property
    def store_path(self) -> Path:
        return self.data_dir / "crawl.sqlite"

    def store(self):
        from graph.store import Store

        return Store(self.store_path, create=False)


def crawl_env() -> dict:
    env = dict(os.environ)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_crawl(data_dir: Path, seeds: Path | None = None, settings: dict | None = None,
              args: dict | None = None, fast: bool = True, timeout: float = 120) -> CrawlRun:
    """Run the real ``scrapy crawl seeds`` in a subprocess, cwd at the repo root."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "seeds"]
    if seeds is not None:
        cmd += ["-a", f"seeds={seeds}"]
    for name, value in (args or {}).items():
        cmd += ["-a", f"{name}={value}"]
    merged = dict(FAST_SETTINGS if fast else {})
    merged["DATA_DIR"] = str(data_dir)
    merged.update(settings or {})
    for name, value in merged.items():
        cmd += ["-s", f"{name}={value}"]
    proc = subprocess.run(cmd, cwd=REPO, env=crawl_env(), capture_output=True, text=True,
                          timeout=timeout)
    return CrawlRun(proc.returncode, proc.stdout, proc.stderr, Path(data_dir))


@pytest.fixture
def miniweb():
    web = MiniWeb().start()
    yield web
    web.stop()
