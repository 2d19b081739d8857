"""Benchmark: CPU time per page of ``extract_html`` against trafilatura alone.

The pages are synthetic but shaped like real blog posts: a head with many meta tags,
inline CSS and scripts and JSON-LD; a body with a menu, the article (byline, date,
paragraphs with links), a sidebar, comments and a footer. Sizes default to 3, 50 and 90 KB,
each with metadata in the head ("meta") and without ("bare": author, date and title then
come from the body). The budget: the whole extraction within 1.5 times what trafilatura
alone takes, since trafilatura is the part that cannot be made cheaper here.

    python bench/bench_extract.py              # 3 50 90 KB
    python bench/bench_extract.py --sizes 10 200 --rounds 50
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crawler.extract import html as html_extract  # noqa: E402

SENTENCES = [
    "Faster R-CNN shares convolutional features between the proposal network and the "
    "detection head, so proposals are almost free.",
    "The region proposal network predicts objectness scores for anchors at three scales "
    "and three aspect ratios at every position of the feature map.",
    "RoI pooling turns every proposal into a fixed-size feature map for the classifier.",
    "Training is end to end with a multi-task loss for classification and box regression.",
]


def page(kilobytes: int, metadata: bool = True) -> str:
    """A blog post padded to about ``kilobytes`` KB: every part grows with the size.
    Without ``metadata`` the head has only a <title>, so the author, the date and the
    title come from the body (byline, <time>, <h1>)."""
    scale = max(1, kilobytes // 2)
    head = ['<meta charset="utf-8"><title>Understanding Faster R-CNN | Deep Notes</title>']
    if metadata:
        head += ['<meta name="description" content="A walk through the Faster R-CNN detector.">',
                 '<meta property="og:title" content="Understanding Faster R-CNN">',
                 '<meta property="article:published_time" content="2018-03-20T10:00:00Z">',
                 '<link rel="canonical" href="https://deepnotes.example/posts/faster-rcnn/">',
                 '<script type="application/ld+json">{"@type": "BlogPosting", "headline": '
                 '"Understanding Faster R-CNN", "author": {"@type": "Person", "name": '
                 '"Mohit Jain"}, "datePublished": "2018-03-20"}</script>']
    head += [f'<meta name="x-tag-{i}" content="value {i}">' for i in range(2 * scale)]
    head += [f"<style>.c{i} {{ margin: {i}px; padding: 0 {i}px; color: #333; }}</style>"
             for i in range(scale)]
    head += [f"<script>window.cfg{i} = {{id: {i}, track: true, name: 'widget {i}'}};</script>"
             for i in range(scale)]
    menu = " ".join(f'<li class="menu-item"><a href="/section/{i}/">Section {i}</a></li>'
                    for i in range(3 * scale))
    paragraphs = "\n".join(
        f'<p>{SENTENCES[i % 4]} See <a href="/posts/note-{i}.html">note {i}</a> and '
        f'<a href="https://arxiv.org/abs/1506.{1000 + i:05d}">paper {i}</a>. '
        f"{SENTENCES[(i + 1) % 4]}</p>" for i in range(4 * scale))
    sidebar = "".join(f'<li><a href="/posts/popular-{i}.html">Popular post number {i}</a>'
                      f'<span class="date">2019-01-{i % 28 + 1:02d}</span></li>'
                      for i in range(2 * scale))
    comments = "".join(f'<div class="comment"><span class="author">Reader {i}</span>'
                       f'<time datetime="2019-02-01">Feb 1</time><p>Great post, thanks '
                       f'for explaining anchors so clearly ({i}).</p></div>'
                       for i in range(2 * scale))
    body = (f'<header class="site-header"><nav><ul class="menu">{menu}</ul></nav></header>'
            f'<main><article class="post"><h1>Understanding Faster R-CNN</h1>'
            f'<p class="byline">By <a rel="author" href="/about">Mohit Jain</a> on '
            f'<time datetime="2018-03-20">March 20, 2018</time></p>{paragraphs}</article>'
            f'<section id="comments">{comments}</section></main>'
            f'<aside class="sidebar"><ul>{sidebar}</ul></aside>'
            f'<footer class="site-footer"><p>Copyright 2018 Deep Notes.</p></footer>')
    html = (f'<!DOCTYPE html><html lang="en"><head>{"".join(head)}</head>'
            f'<body>{body}</body></html>')
    # Trim the article (and so the page) down to the requested size.
    while len(html.encode()) > kilobytes * 1024 * 1.05 and "</p>\n<p>" in html:
        cut = html.rfind("\n<p>", 0, html.find("</article>"))
        html = html[:cut] + html[html.find("</p>", cut) + 4:]
    return html


def cpu_ms(function, rounds: int) -> float:
    """Median CPU time of one call, in milliseconds (after a warm-up call)."""
    function()
    times = []
    for _ in range(rounds):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def compare(functions, rounds: int, repeats: int = 3) -> list[float]:
    """``cpu_ms`` of each function, measured in turn ``repeats`` times, the least kept:
    on a busy machine, other processes only ever add time."""
    best = [float("inf")] * len(functions)
    for _ in range(repeats):
        for i, function in enumerate(functions):
            best[i] = min(best[i], cpu_ms(function, rounds))
    return best


def main(argv=None) -> None:
    import trafilatura

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 50, 90])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    url = "https://deepnotes.example/posts/faster-rcnn/"
    print(f"{'page':>14} {'trafilatura':>12} {'extract_html':>13} {'ratio':>6}")
    for metadata in (True, False):
        for kilobytes in args.sizes:
            html = page(kilobytes, metadata)
            alone, ours = compare([
                lambda: trafilatura.extract(html, url=url, fast=html_extract.FAST,
                                            include_links=True, include_comments=False,
                                            deduplicate=False),
                lambda: html_extract.extract_html(html, url)], args.rounds)
            print(f"{len(html.encode()) / 1024:6.1f}KB {'meta' if metadata else 'bare':>5} "
                  f"{alone:10.2f}ms {ours:11.2f}ms {ours / alone:6.2f}")


if __name__ == "__main__":
    main()
