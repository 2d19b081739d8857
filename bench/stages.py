"""CPU cost per page of each processing stage, measured in one process on the same pages.

Stages, in the order ``crawler.processing.process_download`` runs them: decode
(``decode_html``), main-text extraction (``extract_html``), language
(``detect_language``), summary (``summarize``), keywords (``keywords``), arXiv references
in the text (``arxiv_ids_in_text``); then the store write (``Store.upsert_document`` with
the page's links, one transaction per page as in the crawl, into a scratch SQLite file).
``process_download`` as a whole is timed too. Baselines, on the same decoded pages:
``trafilatura.extract(html)`` alone (main text only; ``trafilatura_fast``: the same with
``fast=True``, for comparison) and ``trafilatura_full``, trafilatura extracting what the
pipeline extracts: ``trafilatura.extract(html, with_metadata=True, include_links=True,
url=url)`` (main text, title, author, date and links). ``ratios`` gives
``process_download`` over each baseline.

    python bench/stages.py SITE_DIR http://127.0.0.1:8080 --sample 300 --out stages.json

Times are CPU seconds of this process (``time.process_time``), in ms per page, for all
pages and per language. Three passes over the pages (whole pipeline; stage by stage;
trafilatura alone) each start with the memo caches of the text and extraction code
cleared, so none profits from another's work on the same page; within a pass caches stay
warm from page to page, as in a crawl's worker. An untimed pass over a few pages first
loads jieba (``load_s``: the once-per-process cost).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CONTENT_TYPE = "text/html; charset=utf-8"  # what the benchmark server sends
PIPELINE = ("decode", "extract", "language", "summary", "keywords", "arxiv_refs")
BASELINES = ("trafilatura", "trafilatura_fast", "trafilatura_full")
STAGES = (*PIPELINE, "store", "process_download", *BASELINES)
# Modules whose functools caches are cleared before each pass.
CACHED_MODULES = ("graph.", "crawler.", "trafilatura", "justext", "courlan", "htmldate")


def pick_sample(paths: list[str], size: int) -> list[str]:
    """Every k-th page, so the sample has the site's mix of languages and sizes.

    >>> pick_sample([f"/{i}" for i in range(10)], 3)
    ['/0', '/3', '/6']
    """
    if size >= len(paths):
        return list(paths)
    step = len(paths) / size
    return [paths[int(k * step)] for k in range(size)]


def clear_caches() -> int:
    """Clear every ``functools`` cache of the text and extraction modules; returns how many."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(CACHED_MODULES):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
                cleared += 1
    return cleared


def _one_round(pages, charset, clock) -> tuple[dict[str, list[float]], list[str]]:
    import trafilatura

    from crawler.extract.decoding import decode_html
    from crawler.extract.html import extract_html
    from crawler.processing import process_download
    from graph.arxiv_ids import arxiv_ids_in_text
    from graph.store import Store
    from graph.text import detect_language, keywords, summarize

    per_page: dict[str, list[float]] = {s: [] for s in STAGES}

    def stages(url: str, body: bytes) -> tuple[list[float], str]:
        t = [clock()]
        html, _ = decode_html(body, charset)
        t.append(clock())
        extracted = extract_html(html, url)
        t.append(clock())
        text = extracted.get("text") or ""
        lang = detect_language(" ".join(filter(None, [extracted.get("title"), text])))
        t.append(clock())
        summarize(text, lang)
        t.append(clock())
        keywords(text, lang)
        t.append(clock())
        arxiv_ids_in_text(text)
        t.append(clock())
        return [(b - a) * 1000 for a, b in zip(t, t[1:])], lang or "none"

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "crawl.sqlite")
        for url, body in pages[:5]:  # untimed: first calls compile regexes, load tables
            stages(url, body)
            process_download(url, url, CONTENT_TYPE, body)
            trafilatura.extract(decode_html(body, charset)[0])
            trafilatura.extract(decode_html(body, charset)[0], with_metadata=True,
                                include_links=True, url=url)

        clear_caches()
        for url, body in pages:
            t = clock()
            result = process_download(url, url, CONTENT_TYPE, body)
            t1 = clock()
            store.upsert_document({**result["document"], "depth": 0, "is_seed": 1},
                                  links=result["links"])
            t2 = clock()
            per_page["process_download"].append((t1 - t) * 1000)
            per_page["store"].append((t2 - t1) * 1000)
        store.close()

    clear_caches()
    langs: list[str] = []
    for url, body in pages:
        times, lang = stages(url, body)
        for stage, ms in zip(PIPELINE, times):
            per_page[stage].append(ms)
        langs.append(lang)

    htmls = [(url, decode_html(body, charset)[0]) for url, body in pages]
    baselines = {  # what trafilatura alone does, and what it does extracting all we do
        "trafilatura": lambda url, html: trafilatura.extract(html),
        "trafilatura_fast": lambda url, html: trafilatura.extract(html, fast=True),
        "trafilatura_full": lambda url, html: trafilatura.extract(
            html, with_metadata=True, include_links=True, url=url),
    }
    for name, extract in baselines.items():
        clear_caches()
        for url, html in htmls:
            t = clock()
            extract(url, html)
            per_page[name].append((clock() - t) * 1000)

    return per_page, langs


def measure(pages: list[tuple[str, bytes]], rounds: int = 2) -> dict:
    """CPU ms per page of each stage on ``pages`` ((url, body) pairs); each stage's figures
    are those of its fastest round (other processes on the machine only ever slow a
    round down)."""
    from crawler.processing import _warm_up, charset_from_content_type

    clock = time.process_time
    t0 = clock()
    _warm_up()
    load_s = clock() - t0
    charset = charset_from_content_type(CONTENT_TYPE)
    best: dict[str, list[float]] = {}
    for _ in range(max(1, rounds)):
        per_page, langs = _one_round(pages, charset, clock)
        for stage, values in per_page.items():
            if stage not in best or statistics.fmean(values) < statistics.fmean(best[stage]):
                best[stage] = values
    per_page = best

    def summary(values: list[float]) -> dict:
        return {"mean_ms": round(statistics.fmean(values), 3),
                "median_ms": round(statistics.median(values), 3),
                "p90_ms": round(sorted(values)[int(0.9 * (len(values) - 1))], 3)}

    out = {"pages": len(pages), "load_s": round(load_s, 3),
           "langs": {lang: langs.count(lang) for lang in sorted(set(langs))},
           "stages": {s: summary(v) for s, v in per_page.items()}, "by_lang": {}}
    for lang in sorted(set(langs)):
        idx = [k for k, x in enumerate(langs) if x == lang]
        out["by_lang"][lang] = {s: round(statistics.fmean(v[k] for k in idx), 3)
                                for s, v in per_page.items()}
    out["sum_of_stages_ms"] = round(sum(out["stages"][s]["mean_ms"]
                                        for s in (*PIPELINE, "store")), 3)
    processing = out["stages"]["process_download"]["mean_ms"]
    out["ratios"] = {f"process_download/{b}": round(processing / out["stages"][b]["mean_ms"], 2)
                     for b in BASELINES}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="directory written by bench/synthetic_web.py")
    parser.add_argument("base", help="base URL the pages are served at")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2,
                        help="measure this many times, keep each stage's fastest round")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="the checkout to measure (default: this one)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.repo.resolve()))
    paths = sorted("/" + p.relative_to(args.site).as_posix()
                   for p in (args.site / "posts").glob("*.html"))
    sample = pick_sample(paths, args.sample)
    pages = [(args.base + p, (args.site / p.lstrip("/")).read_bytes()) for p in sample]
    result = measure(pages, args.rounds)
    result["rounds"] = args.rounds
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
