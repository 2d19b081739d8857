"""Benchmark: build and export the graph from synthetic crawl stores of growing size.

For each size (default 1k, 10k and 100k documents) it writes a synthetic store (realistic
blog-like text in English and Chinese naming vocabulary methods, people and topics, links
between pages, arXiv papers with authors and references, dead links), then, in a fresh
process so peak memory is its own, builds the graph and exports it in every format.
It prints a table and writes ``bench/results/graph.json``.

    python bench/bench_graph.py                    # 1000 10000 100000
    python bench/bench_graph.py --sizes 1000 5000  # quicker
    python bench/bench_graph.py --no-export        # build only
    python bench/bench_graph.py --wait-quiet 1.0   # on a shared machine: measure when quiet

Target: no worse than linear growth, 100k documents built in under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.store import Store, store_path  # noqa: E402

RESULTS = REPO / "bench" / "results" / "graph.json"

EN_FILLER = [
    "The training set has about a million labelled images from a thousand classes.",
    "We fine-tune the network with stochastic gradient descent and a small learning rate.",
    "The code is available on GitHub and runs on a single GPU.",
    "Most of the gain comes from better features rather than a better classifier.",
    "In practice the learning rate schedule matters as much as the architecture.",
    "The benchmark reports mean average precision at an IoU threshold of one half.",
    "Data augmentation with random crops and flips reduces overfitting.",
    "Inference runs at several frames per second on a modern graphics card.",
    "A pretrained backbone speeds up convergence on small datasets.",
    "The ablation study removes one component at a time to measure its effect.",
]
EN_TEMPLATES = [
    "{a} builds on {b} and improves both speed and accuracy.",
    "This post explains how {a} works and why it replaced {b}.",
    "{p} and colleagues proposed {a} in a widely cited paper.",
    "Compared with {b}, {a} needs far fewer parameters.",
    "Many tutorials on {t} start with {a}.",
    "{a} is a popular method for {t}.",
]
ZH_FILLER = [
    "训练集大约有一百万张标注图片。",
    "我们用随机梯度下降微调网络。",
    "代码已经开源，可以在单个显卡上运行。",
    "数据增强可以减少过拟合。",
    "预训练的骨干网络能加快收敛。",
]
ZH_TEMPLATES = [
    "{a} 是在 {b} 的基础上改进的方法。",
    "本文介绍 {a} 的原理，以及它和 {b} 的区别。",
    "{p} 提出了 {a}。",
    "{a} 常用于{t}。",
]
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Smith", "Johnson", "Garcia", "Müller",
            "Kim", "Nguyen", "Rossi", "Sato", "Ivanov", "Kowalski", "Silva", "Cohen", "Singh"]
GIVEN = ["Wei", "Anna", "James", "Maria", "Yuki", "Omar", "Lena", "Ravi", "Chloe", "Ivan",
         "Sofia", "Tom", "Mei", "Lucas", "Aisha", "Pavel", "Emma", "Jun"]


def _terms():
    from graph.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    methods, topics, people = [], [], []
    for ent in vocab.entities.values():
        names = [ent.label, *(ent.aliases or ())]
        {"method": methods, "topic": topics, "person": people}.get(ent.kind, []).append(names)
    return methods, topics, people


def _pick(rng: random.Random, names: list[list[str]]) -> str:
    return rng.choice(rng.choice(names))


def _text(rng, methods, topics, people, chinese: bool, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        if rng.random() < 0.2:
            tmpl = rng.choice(ZH_TEMPLATES if chinese else EN_TEMPLATES)
            out.append(tmpl.format(a=_pick(rng, methods), b=_pick(rng, methods),
                                   t=_pick(rng, topics), p=_pick(rng, people)))
        else:
            out.append(rng.choice(ZH_FILLER if chinese else EN_FILLER))
    return ("" if chinese else " ").join(out)


def make_store(path: Path, n_docs: int, seed: int = 0) -> dict:
    """Write a synthetic crawl of ``n_docs`` documents into a new store at ``path``."""
    rng = random.Random(seed)
    methods, topics, people = _terms()
    if path.exists():
        path.unlink()
    store = Store(path)
    n_seeds = min(n_docs, max(50, n_docs // 20))
    urls = [f"https://blog{i % 997}.example.com/posts/{i}/"
            + rng.choice(["faster-r-cnn", "resnet", "gan", "卷积", "yolo"]) for i in range(n_docs)]
    n_papers = max(10, n_docs // 10)
    paper_ids = [f"{15 + i % 9:02d}{1 + i % 12:02d}.{10000 + i:05d}" for i in range(n_papers)]
    authors_pool = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}{i % 300 or ''}"
                    for i in range(max(50, n_docs // 20))]
    seeds, hints = [], []
    line = 1
    for i in range(n_seeds):
        if i % 10 == 0:
            heading = _pick(rng, methods + topics)
            heading_line = line
            line += 1
        seeds.append({"line": line, "url": urls[i], "listed_url": urls[i], "fragment": None,
                      "raw": urls[i], "heading": heading, "heading_line": heading_line,
                      "notes": [], "note_lines": []})
        line += 1
    for i in range(max(2, n_seeds // 50)):
        hints.append({"line": line, "text": f"{_pick(rng, topics)}  {_pick(rng, people)}",
                      "kind": "hint"})
        line += 1
    store.replace_reading_list("reading-list.txt", seeds, hints, [])

    doc_rows, link_rows, ref_rows = [], [], []
    for i, url in enumerate(urls):
        chinese = rng.random() < 0.15
        if rng.random() < 0.08:
            doc_rows.append((url, None, rng.choice(["http_error", "dns_error", "timeout"]),
                             "failed", 404, None, "html", None, None, None, None, None, None,
                             None, "[]", None, 0 if i < n_seeds else 1, int(i < n_seeds),
                             "live"))
            continue
        # 25-60 sentences: 2-5 KB of main text, about 20 vocabulary names per page.
        text = _text(rng, methods, topics, people, chinese, rng.randint(25, 60))
        title = f"{_pick(rng, methods)} " + ("详解" if chinese else "explained")
        byline = json.dumps([rng.choice(authors_pool)] if rng.random() < 0.3 else [])
        doc_rows.append((url, url, "ok", None, 200, "text/html", "html", title, byline,
                         "2018-03-20", "zh" if chinese else "en", None, text, text[:200],
                         json.dumps([_pick(rng, methods), _pick(rng, topics)],
                                    ensure_ascii=False),
                         None, 0 if i < n_seeds else 1, int(i < n_seeds), "live"))
        for j in rng.sample(range(n_docs), 5):
            if j != i:
                link_rows.append((url, urls[j], _pick(rng, methods)))
        link_rows.append((url, f"https://external{i}.example.org/page", "elsewhere"))
        for aid in rng.sample(paper_ids, 1 if rng.random() < 0.7 else 2):
            link_rows.append((url, f"https://arxiv.org/abs/{aid}", "paper"))
            ref_rows.append((aid, url, "link", "paper"))
    paper_rows = []
    for aid in paper_ids:
        names = rng.sample(authors_pool, rng.randint(2, 7))
        if rng.random() < 0.2:
            names.insert(0, _pick(rng, people))
        abstract = _text(rng, methods, topics, people, False, rng.randint(4, 8))
        paper_rows.append((aid, "ok", f"{_pick(rng, methods)} for {_pick(rng, topics)}",
                           json.dumps(names, ensure_ascii=False), abstract, abstract[:200],
                           "cs.CV", json.dumps(["cs.CV", "cs.LG"]),
                           f"20{aid[:2]}-{aid[2:4]}-01T00:00:00Z",
                           f"https://arxiv.org/abs/{aid}"))
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO documents (url, final_url, outcome, reason, http_status, content_type,"
            " kind, title, authors, published, lang, description, text, summary, keywords,"
            " archive_timestamp, depth, is_seed, fetched_via)"
            " VALUES (" + ",".join("?" * 19) + ")", doc_rows)
        c.executemany("INSERT OR IGNORE INTO links (from_url, to_url, anchor) VALUES (?,?,?)",
                      link_rows)
        c.executemany("INSERT INTO papers (arxiv_id, status, title, authors, abstract, summary,"
                      " primary_category, categories, published, abs_url)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?)", paper_rows)
        c.executemany("INSERT OR IGNORE INTO paper_refs (arxiv_id, doc_url, how, evidence)"
                      " VALUES (?,?,?,?)", ref_rows)
    counts = store.counts()
    text_mb = store.conn.execute(
        "SELECT COALESCE(SUM(LENGTH(text)), 0) FROM documents").fetchone()[0] / 1e6
    store.close()
    counts["text_mchars"] = round(text_mb, 1)
    return counts


def _peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the linking workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def measure(data_dir: Path, export: bool) -> dict:
    """Build (and export) the graph of ``data_dir``'s store in this process."""
    from graph.build import build_graph
    from graph.export import FORMATS, EXTENSIONS, write_graph

    store = Store.open_existing(data_dir)
    rss_before = _peak_rss_mb()
    load = os.getloadavg()[0]  # other work on the machine skews the wall time
    cpu = _cpu_s()
    t = time.perf_counter()
    G = build_graph(store)
    build_s = time.perf_counter() - t
    cpu = _cpu_s() - cpu
    store.close()
    result = {"build_s": round(build_s, 2), "build_cpu_s": round(cpu, 1),
              "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
              "load_avg_before": round(load, 2), "rss_before_build_mb": round(rss_before),
              "peak_rss_build_mb": round(_peak_rss_mb()),
              "peak_rss_worker_mb": round(_peak_rss_mb(resource.RUSAGE_CHILDREN))}
    if export:
        out = Path(tempfile.mkdtemp(prefix="graph-export-", dir=data_dir))
        for fmt in FORMATS:
            t = time.perf_counter()
            path = write_graph(G, fmt, out / f"graph{EXTENSIONS[fmt] or '-csv'}")
            result[f"export_{fmt}_s"] = round(time.perf_counter() - t, 2)
            size = (sum(p.stat().st_size for p in path.iterdir()) if path.is_dir()
                    else path.stat().st_size)
            result[f"export_{fmt}_mb"] = round(size / 1e6, 1)
            shutil.rmtree(path) if path.is_dir() else path.unlink()  # GBs at 100k
        result["peak_rss_total_mb"] = round(_peak_rss_mb())
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--work-dir", default=None, help="where the synthetic stores go")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--wait-quiet", type=float, default=None, metavar="LOAD",
                        help="on a shared machine: before each measurement, wait (up to 20 "
                             "minutes) for the 1-minute load average to drop below LOAD")
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:  # child process: one measurement, JSON on stdout
        print(json.dumps(measure(Path(args.measure), not args.no_export)))
        return 0

    work = Path(args.work_dir or tempfile.mkdtemp(prefix="bench-graph-"))
    rows = []
    for n in args.sizes:
        data_dir = work / f"docs-{n}"
        data_dir.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        counts = make_store(store_path(data_dir), n)
        gen_s = time.perf_counter() - t
        print(f"[{n}] store written in {gen_s:.1f} s: {counts}", flush=True)
        if args.wait_quiet is not None:
            deadline = time.monotonic() + 1200
            while os.getloadavg()[0] >= args.wait_quiet and time.monotonic() < deadline:
                time.sleep(5)
        cmd = [sys.executable, __file__, "--measure", str(data_dir)]
        if args.no_export:
            cmd.append("--no-export")
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        row = {"documents": n, "store": counts, **json.loads(proc.stdout.splitlines()[-1])}
        print(f"[{n}] {row}", flush=True)
        rows.append(row)

    by_n = {r["documents"]: r for r in rows}
    growth = None
    if 10000 in by_n and 100000 in by_n:
        growth = round(by_n[100000]["build_s"] / max(by_n[10000]["build_s"], 1e-9), 2)
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "results": rows,
        "build_growth_10k_to_100k": growth,
        "target": "100k documents built in < 60 s; growth <= ~10x for 10x documents",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    cols = ["documents", "nodes", "edges", "build_s", "build_cpu_s", "load_avg_before",
            "peak_rss_build_mb", "peak_rss_worker_mb"]
    if not args.no_export:
        cols += [f"export_{f}_s" for f in ("graphml", "gexf", "json", "csv")]
        cols += ["peak_rss_total_mb"]
    print()
    print(" | ".join(cols))
    print(" | ".join("---" for _ in cols))
    for r in rows:
        print(" | ".join(str(r.get(c, "")) for c in cols))
    if growth is not None:
        print(f"\nbuild time growth 10k -> 100k documents: x{growth} (linear = x10)")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
