"""Benchmark: the full ``scrapy crawl seeds`` pipeline against a bare Scrapy spider.

For each size N (default 1,000 and 5,000) it writes a synthetic web of N blog pages
(English and Chinese, 4-12 KB, with navigation, sidebars, footers, links between posts and
arXiv links; see ``bench/synthetic_web.py``), serves it on 127.0.0.1 (nginx when installed,
else an asyncio server; ``bench/webserver.py``) and writes a reading list of all N pages.
Then it measures, each crawl in its own process tree:

- the bare spider (``bench/bare_spider.py`` with ``scrapy runspider``, storing nothing)
  and the full pipeline, on the same URLs with the same concurrency (16 requests, 16 per
  host), no download delay, no AutoThrottle, no HTTP cache, robots.txt obeyed (and served);
  depth 0, so every page is a seed and nothing else is fetched;
- at the largest N, the full pipeline held to one core (``taskset -c 0`` on the whole
  process tree) against the same on both cores (``EXTRACT_PROCESSES=2``);
- at the smallest N, an HTTP cache re-run: two crawls with ``HTTPCACHE_ENABLED=True`` into
  one ``DATA_DIR``, counting the requests of the second that reached the server (from the
  server's access log);
- the CPU cost per page of each processing stage, in one process on the same pages, with
  two baselines (``bench/stages.py``): ``trafilatura.extract`` alone (main text), and
  trafilatura extracting what the pipeline extracts (main text, title, author, date and
  links: ``with_metadata=True, include_links=True, url=url``).

For every crawl: wall time, pages/s, CPU time (user + sys) of the whole process tree
(``getrusage(RUSAGE_CHILDREN)`` around the subprocess, so the extraction workers count),
peak resident memory of the tree (sum over its processes, polled every 0.1 s from /proc),
and how many cores other processes kept busy meanwhile (from /proc/stat): wall-time
figures, and above all the one-core comparison, mean something only when that is near 0.
Ratios are always against baselines measured in the same run.
arXiv metadata is out of the measurement: at depth 0 no paper is followed, and
``ARXIV_API_URL`` and ``SEMANTIC_SCHOLAR_API_URL`` point at the local server anyway, so
nothing leaves the machine.
The graph is not written (``WRITE_GRAPH=False``; ``bench/bench_graph.py`` measures it)
unless ``--write-graph`` is given.

It prints a table and writes ``bench/results/crawl.json``.

    python bench/bench_crawl.py                    # N = 1000 and 5000, 5-8 minutes
    python bench/bench_crawl.py --sizes 1000       # quick run, 2-3 minutes
    python bench/bench_crawl.py --repeat 3         # best of 3 for each crawl
    python bench/bench_crawl.py --server python    # without nginx
    python bench/bench_crawl.py --set CONCURRENT_ITEMS=8   # try a setting (both crawls)
    python bench/bench_crawl.py --show bench/results/crawl.json   # the table again

Needs Linux (/proc) and util-linux ``taskset``. Optional: nginx (``apt-get install
nginx-light``; the asyncio fallback server was as fast on loopback, but nginx stays out of
the crawler's way with less CPU) and wrk (``apt-get install wrk``; without it the server's
own speed is measured by a slower Python client).

Targets: pipeline CPU per page at most 1.5x trafilatura alone; both cores at least 1.6x
the pages/s of one; peak memory under 1 GiB and flat in N; zero requests on a warm re-run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from synthetic_web import write_reading_list, write_site  # noqa: E402
from webserver import StaticServer, load_test  # noqa: E402

RESULTS = BENCH / "results" / "crawl.json"
CONCURRENCY = 16
MIB = 1024 * 1024

# Both crawls: politeness off, same concurrency, robots.txt obeyed, no cache.
COMMON_SETTINGS = {
    "CONCURRENT_REQUESTS": CONCURRENCY,
    "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "HTTPCACHE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
}

_STATS = re.compile(r"'([a-z_/]+(?:/[\w.]+)*)': (\d+(?:\.\d+)?)")


def crawl_env(project: Path | None) -> dict:
    """The environment of a crawl: loopback never through a proxy; the bare spider
    (``project=None``) gets no project settings."""
    env = dict(os.environ)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT"):
        env.pop(name, None)
    if project:
        env["PYTHONPATH"] = str(project) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def setting_args(settings: dict) -> list[str]:
    args = []
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return args


# -- measuring one process tree ------------------------------------------------------------

def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                children = Path(f"/proc/{p}/task/{task}/children").read_text().split()
                todo += [int(c) for c in children]
        except OSError:
            pass
    return pids


def _rss_and_cpu(pid: int, tick: int = os.sysconf("SC_CLK_TCK")) -> tuple[int, float]:
    try:
        with open(f"/proc/{pid}/statm") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return rss, (int(fields[11]) + int(fields[12])) / tick
    except (OSError, IndexError, ValueError):
        return 0, 0.0


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (every process), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)   # idle + iowait
    busy = sum(fields[:8]) - idle                                # without guest time
    return busy / os.sysconf("SC_CLK_TCK")


def run_measured(cmd: list[str], cwd: Path, env: dict, log: Path, timeout: float,
                 cpus: str | None = None) -> dict:
    """Run ``cmd`` and measure its whole process tree.

    ``cpu_s`` comes from ``getrusage(RUSAGE_CHILDREN)``: the kernel adds a process's CPU
    time to its parent's children total when the parent reaps it, so the crawler's worker
    processes are included once the crawler has exited. ``cpu_sampled_s`` is the same
    total as seen while polling /proc (a cross-check: it misses the last 0.1 s).
    """
    if cpus is not None:
        cmd = ["taskset", "-c", cpus, *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    busy_before = machine_busy_seconds()
    start = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        peak_rss, peak_single, peak_procs = 0, 0, 0
        cpu_seen: dict[int, float] = {}
        rss_seen: dict[int, int] = {}
        timed_out = False
        while proc.poll() is None:
            pids = _tree(proc.pid)
            total = 0
            for pid in pids:
                rss, cpu = _rss_and_cpu(pid)
                total += rss
                peak_single = max(peak_single, rss)
                rss_seen[pid] = max(rss_seen.get(pid, 0), rss)
                if cpu:
                    cpu_seen[pid] = cpu
            peak_rss = max(peak_rss, total)
            peak_procs = max(peak_procs, len(pids))
            if time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # only the process group this run started
                proc.wait()
                break
            time.sleep(0.1)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_cpu = machine_busy_seconds() - busy_before
    text = log.read_text(errors="replace")
    stats = {k: float(v) for k, v in _STATS.findall(text.split("Dumping Scrapy stats", 1)[-1])}
    return {
        "returncode": proc.returncode, "timed_out": timed_out, "wall_s": round(wall, 3),
        "cpu_user_s": round(after.ru_utime - before.ru_utime, 3),
        "cpu_sys_s": round(after.ru_stime - before.ru_stime, 3),
        "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 3),
        "cpu_sampled_s": round(sum(cpu_seen.values()), 3),
        # The crawler process itself (reactor, Scrapy, pipeline) apart from its workers.
        "cpu_main_sampled_s": round(cpu_seen.get(proc.pid, 0.0), 3),
        "peak_rss_mib": round(peak_rss / MIB, 1),
        "peak_rss_one_process_mib": round(peak_single / MIB, 1),
        # Each process's own peak: the crawler first, then its children by size.
        "peak_rss_per_process_mib": [round(rss_seen.get(proc.pid, 0) / MIB, 1)] + sorted(
            (round(v / MIB, 1) for k, v in rss_seen.items() if k != proc.pid), reverse=True),
        "processes": peak_procs,
        "elapsed_s": stats.get("elapsed_time_seconds"),
        "responses": int(stats.get("response_received_count", 0)),
        "items": int(stats.get("item_scraped_count", 0)),
        "errors_logged": int(stats.get("log_count/ERROR", 0)),
        "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "machine_cpu_s": round(machine_cpu, 2),
        "log": str(log),
    }


def add_rates(run: dict, pages: int) -> dict:
    run["pages"] = pages
    run["pages_per_s"] = round(pages / run["wall_s"], 1)
    if run.get("elapsed_s"):
        run["crawl_pages_per_s"] = round(pages / run["elapsed_s"], 1)
    run["cpu_ms_per_page"] = round(1000 * run["cpu_s"] / pages, 3)
    run["cores_used"] = round(run["cpu_s"] / run["wall_s"], 2)
    return run


# -- the crawls ----------------------------------------------------------------------------

def bare_crawl(urls: Path, scratch: Path, log: Path, timeout: float,
               extra: dict | None = None) -> dict:
    # Outside the project (no scrapy.cfg above scratch), so Scrapy's defaults apply.
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(BENCH / "bare_spider.py"),
           "-a", f"urls={urls}", *setting_args({**COMMON_SETTINGS, **(extra or {})})]
    return run_measured(cmd, scratch, crawl_env(project=None), log, timeout)


def full_crawl(repo: Path, seeds: Path, data_dir: Path, base: str, log: Path,
               timeout: float, cpus: str | None = None, cache: bool = False,
               workers: int = 2, write_graph: bool = False,
               extra: dict | None = None) -> dict:
    settings = {
        **COMMON_SETTINGS,
        "DATA_DIR": data_dir,
        "HTTPCACHE_ENABLED": cache,
        "EXTRACT_PROCESSES": workers,
        "WRITE_GRAPH": write_graph,
        "ARCHIVE_FALLBACK": False,
        "ARXIV_API_URL": base + "/api/query",   # never the real API, whatever happens
        "SEMANTIC_SCHOLAR_API_URL": base + "/graph/v1",  # nor the real citation API
        **(extra or {}),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "seeds", "-a", f"seeds={seeds}",
           "-a", "depth=0", *setting_args(settings)]
    run = run_measured(cmd, repo, crawl_env(project=repo), log, timeout, cpus)
    run.update(check_store(data_dir))
    return run


def check_store(data_dir: Path) -> dict:
    """What the crawl stored: ok pages, their languages, links, how they were fetched."""
    path = data_dir / "crawl.sqlite"
    if not path.exists():
        return {"stored_ok": 0}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = conn.execute("SELECT COUNT(*) FROM documents WHERE outcome = 'ok'").fetchone()[0]
        langs = dict(conn.execute("SELECT COALESCE(lang, 'none'), COUNT(*) FROM documents"
                                  " WHERE outcome = 'ok' GROUP BY 1").fetchall())
        via = dict(conn.execute("SELECT COALESCE(fetched_via, 'none'), COUNT(*)"
                                " FROM documents GROUP BY 1").fetchall())
        links = conn.execute("SELECT COUNT(*) FROM links").fetchone()[0]
    finally:
        conn.close()
    return {"stored_ok": ok, "stored_langs": langs, "fetched_via": via, "stored_links": links}


def best_of(repeat: int, make_run) -> dict:
    runs = [make_run(k) for k in range(repeat)]
    best = min(runs, key=lambda r: r["wall_s"])
    if repeat > 1:
        best["all_wall_s"] = [r["wall_s"] for r in runs]
    return best


def stage_costs(repo: Path, site: Path, base: str, sample: int, scratch: Path) -> dict:
    out = scratch / "stages.json"
    cmd = [sys.executable, str(BENCH / "stages.py"), str(site), base, "--sample",
           str(sample), "--repo", str(repo), "--out", str(out)]
    proc = subprocess.run(cmd, cwd=repo, env=crawl_env(project=repo), capture_output=True,
                          text=True, timeout=900)
    if proc.returncode:
        raise RuntimeError(f"stages.py failed:\n{proc.stderr[-2000:]}")
    return json.loads(out.read_text())


# -- checks against the targets ------------------------------------------------------------

def targets(result: dict) -> dict:
    """Each target with its measured value and whether it is met (absent when its
    measurement failed)."""
    sizes = sorted(result["sizes"], key=int)
    runs = {n: result["sizes"][n] for n in sizes}
    fulls = {n: r["full"] for n, r in runs.items() if r.get("full")}
    bares = {n: r["bare"] for n, r in runs.items() if r.get("bare")}
    stages = (result.get("stages") or {}).get("stages")
    out = {}
    if stages:
        traf = stages["trafilatura"]["mean_ms"]
        processing = stages["process_download"]["mean_ms"]
        out["processing_cpu_per_page_vs_trafilatura"] = {
            "value": round(processing / traf, 2), "target": "<= 1.5",
            "met": processing / traf <= 1.5,
            "detail": f"process_download {processing} ms/page in one process"
                      f" / trafilatura alone {traf} ms/page (fetching excluded)"}
        # The same work done by trafilatura: main text with metadata and links.
        traf_full = (stages.get("trafilatura_full") or {}).get("mean_ms")
        if traf_full:
            out["processing_cpu_per_page_vs_trafilatura_full"] = {
                "value": round(processing / traf_full, 2), "target": "<= 1.5",
                "met": processing / traf_full <= 1.5,
                "detail": f"process_download {processing} ms/page / trafilatura with"
                          f" metadata and links {traf_full} ms/page"}
        if fulls:
            n = max(fulls, key=int)
            full_cpu = fulls[n]["cpu_ms_per_page"]
            out["crawl_cpu_per_page_vs_trafilatura"] = {
                "value": round(full_cpu / traf, 2), "target": "<= 1.5",
                "met": full_cpu / traf <= 1.5,
                "detail": f"whole crawl {full_cpu} ms/page (N={n}, startup included)"
                          f" / trafilatura alone {traf} ms/page"}
            if traf_full:
                out["crawl_cpu_per_page_vs_trafilatura_full"] = {
                    "value": round(full_cpu / traf_full, 2), "target": "<= 1.5",
                    "met": full_cpu / traf_full <= 1.5,
                    "detail": f"whole crawl {full_cpu} ms/page (N={n}, startup included)"
                              f" / trafilatura with metadata and links {traf_full} ms/page"}
        if len(fulls) > 1:
            lo, hi = min(fulls, key=int), max(fulls, key=int)
            pages = int(hi) - int(lo)
            marginal = 1000 * (fulls[hi]["cpu_s"] - fulls[lo]["cpu_s"]) / pages
            result["marginal_cpu_ms_per_page"] = {"full": round(marginal, 3)}
            # What a crawl costs before its first page (imports, workers, jieba).
            result["fixed_cpu_s"] = {"full": round(fulls[lo]["cpu_s"]
                                                   - int(lo) * marginal / 1000, 2)}
            if lo in bares and hi in bares:
                bare_marginal = 1000 * (bares[hi]["cpu_s"] - bares[lo]["cpu_s"]) / pages
                result["marginal_cpu_ms_per_page"]["bare"] = round(bare_marginal, 3)
                result["fixed_cpu_s"]["bare"] = round(bares[lo]["cpu_s"]
                                                      - int(lo) * bare_marginal / 1000, 2)
            out["marginal_crawl_cpu_per_page_vs_trafilatura"] = {
                "value": round(marginal / traf, 2), "target": "<= 1.5",
                "met": marginal / traf <= 1.5,
                "detail": f"(CPU at N={hi} - CPU at N={lo}) / {pages} pages ="
                          f" {marginal:.2f} ms/page, startup excluded"}
            if traf_full:
                out["marginal_crawl_cpu_per_page_vs_trafilatura_full"] = {
                    "value": round(marginal / traf_full, 2), "target": "<= 1.5",
                    "met": marginal / traf_full <= 1.5,
                    "detail": f"{marginal:.2f} ms/page, startup excluded / trafilatura"
                              f" with metadata and links {traf_full} ms/page"}
    if result.get("one_core") and fulls:
        n = max(fulls, key=int)
        speedup = fulls[n]["pages_per_s"] / result["one_core"]["pages_per_s"]
        others = max(fulls[n].get("other_processes_cores", 0),
                     result["one_core"].get("other_processes_cores", 0))
        busy = others > 0.3  # then the two-core run did not have two cores to itself
        out["two_cores_vs_one"] = {
            "value": round(speedup, 2), "target": ">= 1.6",
            "met": None if busy else speedup >= 1.6,
            "detail": f"N={n}, pages/s over wall time; the two-core run kept"
                      f" {fulls[n].get('cores_used', 0):.2f} cores busy"
                      + (f"; NOT MEASURABLE: other processes kept {others:.2f} cores busy"
                         if busy else "")}
    if fulls:
        peaks = {n: r["peak_rss_mib"] for n, r in fulls.items()}
        lo, hi = min(peaks, key=int), max(peaks, key=int)
        growth = peaks[hi] / peaks[lo]
        out["peak_memory_mib"] = {"value": peaks, "target": "< 1024, flat in N (<= 1.2x)",
                                  "met": max(peaks.values()) < 1024 and growth <= 1.2,
                                  "detail": f"N={hi} / N={lo}: {growth:.2f}x"}
    if result.get("cache"):
        hits = result["cache"]["warm"]["requests_to_server"]
        out["warm_cache_requests_to_server"] = {"value": hits, "target": "0",
                                                "met": hits == 0}
    return out


# -- output --------------------------------------------------------------------------------

def _row(label: str, n, run: dict) -> str:
    label += "" if run.get("valid", True) else " *"
    return (f"{label:<26}{n:>6}{run['wall_s']:>9.1f}{run['pages_per_s']:>9.0f}"
            f"{run.get('crawl_pages_per_s', 0):>9.0f}{run['cpu_s']:>8.1f}"
            f"{run['cpu_ms_per_page']:>8.2f}{run.get('cores_used', 0):>6.2f}"
            f"{run['peak_rss_mib']:>8.0f}{run['processes']:>6}"
            f"{run.get('other_processes_cores', 0):>7.2f}")


def _runs(result: dict):
    for size in result["sizes"].values():
        yield from (size[k] for k in ("bare", "full") if size.get(k))
    if result.get("one_core"):
        yield result["one_core"]
    for run in (result.get("cache") or {}).values():
        if isinstance(run, dict):
            yield run


def format_table(result: dict) -> str:
    lines = []
    server = result.get("server") or {}
    load = server.get("load_test")
    if load:
        lines.append(f"Server: {server['kind']} {server['version']} on 127.0.0.1: "
                     f"{load['requests_per_s']:,.0f} requests/s ({load['client']},"
                     f" {load['connections']} connections, {load['seconds']} s)")
    for n, size in result["sizes"].items():
        site = size["site"]
        lines.append(f"Site N={n}: {site['chinese_share']:.0%} Chinese, "
                     f"{site['bytes_min'] / 1024:.1f}-{site['bytes_max'] / 1024:.1f} KB "
                     f"(mean {site['bytes_mean'] / 1024:.1f} KB)")
    lines.append("")
    lines.append(f"{'crawl':<26}{'N':>6}{'wall s':>9}{'pages/s':>9}{'crawl/s':>9}"
                 f"{'CPU s':>8}{'ms/page':>8}{'cores':>6}{'RSS MiB':>8}{'procs':>6}{'others':>7}")
    for n, size in result["sizes"].items():
        for name, label in (("bare", "bare Scrapy"), ("full", "full pipeline")):
            if size.get(name):
                lines.append(_row(label, n, size[name]))
        if "ratio_wall" in size:
            lines.append(f"{'  full/bare':<26}{'':>6}{size['ratio_wall']:>8.2f}x"
                         f"{'':>18}{size['ratio_cpu']:>7.2f}x")
    if result.get("one_core"):
        lines.append(_row("full, one core (taskset)", result["one_core"]["pages"],
                          result["one_core"]))
    if result.get("cache"):
        cache = result["cache"]
        n = cache["cold"]["pages"]
        lines.append(_row("full, cache cold", n, cache["cold"]))
        lines.append(_row("full, cache warm", n, cache["warm"]))
        lines.append(f"  warm re-run: {cache['warm']['requests_to_server']} requests reached"
                     f" the server; fetched_via {cache['warm'].get('fetched_via')}")
    lines.append("  (pages/s: over the process's wall time; crawl/s: over Scrapy's"
                 " elapsed_time_seconds;\n   CPU: user+sys of the process tree (ms/page: per page;"
                 " cores: CPU/wall); RSS: peak sum over the tree;\n   others: cores that other"
                 " processes kept busy meanwhile; * = not every page fetched and stored)")
    busiest = max((r.get("other_processes_cores", 0) for r in _runs(result)), default=0)
    if busiest > 0.2:
        lines.append(f"  NOTE: other processes kept up to {busiest:.1f} of"
                     f" {result['machine']['cpus']} cores busy during a crawl: wall times,"
                     " pages/s and the one-core comparison are provisional.")
    if "marginal_cpu_ms_per_page" in result:
        m = result["marginal_cpu_ms_per_page"]
        lines.append("  marginal CPU per page (startup excluded): "
                     + ", ".join(f"{k} {v:.2f} ms" for k, v in m.items())
                     + "; fixed CPU per crawl: "
                     + ", ".join(f"{k} {v:.1f} s" for k, v in result.get("fixed_cpu_s", {}).items()))
    stages = result.get("stages")
    if stages:
        lines.append("")
        lines.append(f"Per-stage CPU per page, one process, {stages['pages']} pages "
                     f"({', '.join(f'{k} {v}' for k, v in stages['langs'].items())}):")
        langs = list(stages["by_lang"])
        lines.append(f"{'stage':<20}{'mean ms':>9}{'median':>9}{'p90':>9}"
                     + "".join(f"{lang + ' ms':>9}" for lang in langs))
        for name, s in stages["stages"].items():
            label = {"process_download": "process_download",
                     "trafilatura": "trafilatura alone",
                     "trafilatura_fast": "  (fast=True)",
                     "trafilatura_full": "  (+meta, links)"}.get(name, name)
            lines.append(f"{label:<20}{s['mean_ms']:>9.2f}{s['median_ms']:>9.2f}"
                         f"{s['p90_ms']:>9.2f}"
                         + "".join(f"{stages['by_lang'][lang][name]:>9.2f}" for lang in langs))
        lines.append(f"(decode..store: one stage at a time, sum {stages['sum_of_stages_ms']:.2f}"
                     " ms; process_download: all but the store in one call; loading jieba"
                     f"\n and warming up: {stages['load_s']:.2f} s CPU once per process)")
        if stages.get("ratios"):
            lines.append("process_download CPU per page over: "
                         + ", ".join(f"{k.split('/')[1]} {v:.2f}x"
                                     for k, v in stages["ratios"].items()))
    if result.get("targets"):
        lines.append("")
        lines.append("Targets:")
        for name, t in result["targets"].items():
            verdict = {True: "met   ", False: "MISSED", None: "n/a   "}[t["met"]]
            lines.append(f"  {verdict} {name}: {t['value']}"
                         f" (target {t['target']})"
                         + (f"\n           {t['detail']}" if t.get("detail") else ""))
    for error in result.get("errors", []):
        lines.append(f"ERROR {error.splitlines()[0]}")
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------

def _check(name: str, run: dict, n: int, log) -> None:
    """Mark a crawl that did not fetch (and, for the pipeline, store) every page."""
    problems = []
    if run["returncode"] or run["timed_out"]:
        problems.append(f"exit {run['returncode']}" + (" (timed out)" if run["timed_out"] else ""))
    if run["responses"] < n:
        problems.append(f"{run['responses']} responses of {n}")
    if "stored_ok" in run and run["stored_ok"] != n:
        problems.append(f"{run['stored_ok']} pages stored ok of {n}")
    run["valid"] = not problems
    if problems:
        log(f"WARNING: {name}: {', '.join(problems)}; see {run['log']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the full crawl pipeline against a bare Scrapy spider.",
        epilog="See the module docstring for what is measured.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=1, help="best of this many crawls")
    parser.add_argument("--sample", type=int, default=300,
                        help="pages for the per-stage measurement")
    parser.add_argument("--server", choices=["nginx", "python"], default="nginx")
    parser.add_argument("--no-one-core", action="store_true", help="skip the taskset run")
    parser.add_argument("--no-cache", action="store_true", help="skip the cache re-run")
    parser.add_argument("--write-graph", action="store_true",
                        help="write the graph at the end of each full crawl")
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="the checkout to crawl with (default: this one), e.g. an"
                             " unpacked `git archive` of another commit")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for both crawls (repeatable), to try a change")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per crawl")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--show", type=Path, metavar="JSON",
                        help="print the table of an earlier run's results and stop")
    args = parser.parse_args(argv)
    if args.show:
        shown = json.loads(args.show.read_text())
        shown["targets"] = targets(shown)  # as judged by this version of the script
        print(format_table(shown))
        return 0
    sizes = sorted(set(args.sizes))
    repo = args.repo.resolve()
    extra = dict(item.split("=", 1) for item in args.set)
    if not args.no_one_core and not shutil.which("taskset"):
        print("taskset not found: skipping the one-core run", file=sys.stderr)
        args.no_one_core = True

    scratch = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    started = time.perf_counter()
    result: dict = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "load_avg_at_start": os.getloadavg()},
        "parameters": {"sizes": sizes, "repeat": args.repeat, "concurrency": CONCURRENCY,
                       "settings": {k: str(v) for k, v in COMMON_SETTINGS.items()},
                       "depth": 0, "write_graph": args.write_graph, "repo": str(repo),
                       "extra_settings": extra,
                       "arxiv": "no paper followed at depth 0; ARXIV_API_URL on loopback"},
        "sizes": {},
        "errors": [],
    }
    try:
        import scrapy

        result["machine"]["scrapy"] = scrapy.__version__
    except ImportError:
        pass

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr,
              flush=True)

    def step(name: str, fn):
        """Run one measurement; a failure is recorded and the benchmark goes on."""
        log(name)
        try:
            return fn()
        except Exception as exc:  # one broken step must not lose the others' figures
            log(f"FAILED {name}: {exc!r}")
            result["errors"].append(f"{name}: {exc!r}"[:3000])
            return None

    try:
        for k, n in enumerate(sizes):
            root = scratch / f"n{n}"
            log(f"N={n}: writing the site")
            site = write_site(root / "site", n)
            with StaticServer(root / "site", root / "server", prefer=args.server) as server:
                seeds = write_reading_list(root / "reading-list.txt", server.base,
                                           site["paths"])
                if k == 0:
                    result["server"] = {"kind": server.kind, "version": server.version}
                    result["server"]["load_test"] = step(
                        f"server {server.kind}: load test",
                        lambda: load_test(server.base, site["paths"], 3, CONCURRENCY, root))
                    time.sleep(1)  # the server logs the load test's last requests
                size = {"site": {k2: v for k2, v in site.items() if k2 not in ("paths",
                                                                              "root")}}
                result["sizes"][str(n)] = size

                def measured(make, **kw):
                    cpu0, served0 = server.cpu_seconds(), server.requests_served()
                    run = make(**kw)
                    run["server_cpu_s"] = round(server.cpu_seconds() - cpu0, 3)
                    run["requests_to_server"] = server.requests_served() - served0
                    # Cores that other processes kept busy meanwhile: the benchmark's own
                    # figures are only as good as this is small.
                    others = run["machine_cpu_s"] - run["cpu_s"] - run["server_cpu_s"]
                    run["other_processes_cores"] = round(max(0.0, others) / run["wall_s"], 2)
                    return add_rates(run, n)

                def full(name: str, data: str | None = None, **kw):
                    return lambda r: measured(
                        full_crawl, repo=repo, seeds=seeds,
                        data_dir=root / f"data-{data or name}-{r}", base=server.base,
                        log=root / f"{name}-{r}.log", timeout=args.timeout,
                        write_graph=args.write_graph, extra=extra, **kw)

                size["bare"] = step(f"N={n}: bare spider", lambda: best_of(
                    args.repeat, lambda r: measured(
                        bare_crawl, urls=seeds, scratch=root, log=root / f"bare-{r}.log",
                        timeout=args.timeout, extra=extra)))
                size["full"] = step(f"N={n}: full pipeline",
                                    lambda: best_of(args.repeat, full("full")))
                for name in ("bare", "full"):
                    if size[name]:
                        _check(f"{name} crawl at N={n}", size[name], n, log)
                if size["bare"] and size["full"]:
                    size["ratio_wall"] = round(size["full"]["wall_s"]
                                               / size["bare"]["wall_s"], 2)
                    size["ratio_cpu"] = round(size["full"]["cpu_s"] / size["bare"]["cpu_s"], 2)

                if n == sizes[-1] and not args.no_one_core:
                    one = step(f"N={n}: full pipeline on one core",
                               lambda: best_of(args.repeat, full("onecore", cpus="0")))
                    if one:
                        one["cpus"] = "taskset -c 0"
                        _check(f"one-core crawl at N={n}", one, n, log)
                        result["one_core"] = one
                if n == sizes[0] and not args.no_cache:
                    cold = step(f"N={n}: HTTP cache, cold", lambda: full("cache-cold", "cache", cache=True)(0))
                    # The same DATA_DIR (and so the same cache) again.
                    warm = step(f"N={n}: HTTP cache, warm", lambda: full("cache-warm", "cache", cache=True)(0))
                    if cold and warm:
                        _check(f"cache cold crawl at N={n}", cold, n, log)
                        _check(f"cache warm crawl at N={n}", warm, n, log)
                        result["cache"] = {"cold": cold, "warm": warm,
                                           "warm_vs_cold_wall": round(warm["wall_s"]
                                                                      / cold["wall_s"], 2)}
                if n == sizes[-1]:
                    result["stages"] = step(
                        f"N={n}: per-stage costs on {min(args.sample, n)} pages",
                        lambda: stage_costs(repo, root / "site", server.base, args.sample,
                                            root))
        result["targets"] = step("targets", lambda: targets(result))
    finally:
        result["machine"]["load_avg_at_end"] = os.getloadavg()
        result["bench_seconds"] = round(time.perf_counter() - started, 1)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str)
                            + "\n")
        if args.keep:
            print(f"scratch kept in {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(format_table(result))
    print(f"\nwritten {args.out} in {result['bench_seconds']} s")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
