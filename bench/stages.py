"""CPU cost per page of each processing stage, measured in one process on the same pages.

Stages, in the order ``crawler.processing.process_download`` runs them: decode
(``decode_html``), main-text extraction (``extract_html``), language
(``detect_language``), summary (``summarize``), keywords (``keywords``), then the store
write (``Store.upsert_document`` with the page's links, one transaction per page as in the
crawl, into a scratch SQLite file). ``process_download`` as a whole is timed too, and
``trafilatura.extract`` alone on the same decoded pages is the baseline.

    python bench/stages.py SITE_DIR http://127.0.0.1:8080 --sample 300 --out stages.json

Times are CPU seconds of this process (``time.process_time``), reported in ms per page,
for all pages and per language; one untimed pass over a few pages first loads jieba and
warms the caches.
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
STAGES = ("decode", "extract", "language", "summary", "keywords", "store",
          "process_download", "trafilatura")


def pick_sample(paths: list[str], size: int) -> list[str]:
    """Every k-th page, so the sample has the site's mix of languages and sizes.

    >>> pick_sample([f"/{i}" for i in range(10)], 3)
    ['/0', '/3', '/6']
    """
    if size >= len(paths):
        return list(paths)
    step = len(paths) / size
    return [paths[int(k * step)] for k in range(size)]


def measure(pages: list[tuple[str, bytes]]) -> dict:
    """CPU ms per page of each stage on ``pages`` ((url, body) pairs)."""
    import trafilatura

    from crawler.extract.decoding import decode_html
    from crawler.extract.html import extract_html
    from crawler.processing import charset_from_content_type, process_download
    from graph.store import Store
    from graph.text import detect_language, keywords, summarize

    t0 = time.process_time()
    from crawler.processing import _warm_up

    _warm_up()
    load_s = time.process_time() - t0

    charset = charset_from_content_type(CONTENT_TYPE)
    clock = time.process_time
    per_page: dict[str, list[float]] = {s: [] for s in STAGES}
    langs: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "crawl.sqlite")
        for warm in (True, False):
            for url, body in (pages[:5] if warm else pages):
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
                result = process_download(url, url, CONTENT_TYPE, body)
                t.append(clock())
                store.upsert_document({**result["document"], "depth": 0, "is_seed": 1},
                                      links=result["links"])
                t.append(clock())
                trafilatura.extract(html)
                t.append(clock())
                if warm:
                    continue
                d = [(b - a) * 1000 for a, b in zip(t, t[1:])]
                for stage, ms in zip(("decode", "extract", "language", "summary", "keywords",
                                      "process_download", "store", "trafilatura"), d):
                    per_page[stage].append(ms)
                langs.append(lang or "none")
        store.close()

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
    parts = ("decode", "extract", "language", "summary", "keywords", "store")
    out["sum_of_stages_ms"] = round(sum(out["stages"][s]["mean_ms"] for s in parts), 3)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="directory written by bench/synthetic_web.py")
    parser.add_argument("base", help="base URL the pages are served at")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="the checkout to measure (default: this one)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.repo.resolve()))
    paths = sorted("/" + p.relative_to(args.site).as_posix()
                   for p in (args.site / "posts").glob("*.html"))
    sample = pick_sample(paths, args.sample)
    pages = [(args.base + p, (args.site / p.lstrip("/")).read_bytes()) for p in sample]
    result = measure(pages)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
