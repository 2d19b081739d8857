"""Reading lists as people keep them: Markdown awesome-lists, bookmark exports, BibTeX,
plain-text notes with topic lines. Each link under its section, titles as notes, no markup
left, every BibTeX entry recorded; and the real crawl reads them the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler import BUNDLED_READING_LIST
from crawler.lists import detect_format, parse_list
from crawler.reading_list import ReadingListError, parse_reading_list, read_reading_list
from graph.store import Store
from tests.conftest import run_crawl
from tests.miniweb import Page

LISTS = Path(__file__).parent / "fixtures" / "lists"
MARKUP = re.compile(r"\]\(|\*\*|__|<[a-zA-Z/!]|`|!\[|^#|\[\[")


def table(rl):
    return [(s.line, s.url, s.heading, s.notes) for s in rl.seeds]


def assert_no_markup(rl):
    for seed in rl.seeds:
        for text in [seed.heading or ""] + seed.notes:
            assert not MARKUP.search(text), (seed.line, text)
    for hint in rl.hints:
        assert not MARKUP.search(hint.text), hint


def test_formats_are_detected_from_name_and_content():
    assert [read_reading_list(LISTS / name).format for name in (
        "awesome-deep-learning.md", "zh-notes.md", "chrome-bookmarks.html", "detection.bib",
        "topics.txt")] == ["markdown", "markdown", "bookmarks", "bibtex", "text"]
    assert read_reading_list(BUNDLED_READING_LIST).format == "text"
    # Content decides when the name does not say: an export saved as .txt, a .bib as .txt.
    assert detect_format("export.txt", (LISTS / "chrome-bookmarks.html").read_text()) \
        == "bookmarks"
    assert detect_format("refs.txt", (LISTS / "detection.bib").read_text()) == "bibtex"
    assert detect_format("notes.txt", "See [R-CNN](https://arxiv.org/abs/1311.2524)\n") \
        == "text"


def test_forcing_a_format_and_a_wrong_one():
    forced = read_reading_list(LISTS / "awesome-deep-learning.md", "text")
    assert forced.format == "text" and forced.seeds
    with pytest.raises(ReadingListError, match="unknown list format 'word'; choose one of "
                                               "text, markdown, bookmarks, bibtex"):
        read_reading_list(LISTS / "detection.bib", "word")


def test_bundled_list_reads_as_before():
    text = BUNDLED_READING_LIST.read_text(encoding="utf-8")
    auto = parse_list(text, str(BUNDLED_READING_LIST))
    plain = parse_reading_list(text, str(BUNDLED_READING_LIST))
    assert table(auto) == table(plain)
    assert auto.hints == plain.hints and auto.problems == plain.problems
    assert (len(auto.seeds), len(auto.distinct_urls), auto.papers) == (35, 34, [])


def test_markdown_awesome_list():
    rl = read_reading_list(LISTS / "awesome-deep-learning.md")
    rcnn = "Rich feature hierarchies for accurate object detection and semantic segmentation"
    rcnn_notes = [rcnn, "intro: R-CNN, CVPR 2014", "作者单位: UC Berkeley"]
    assert table(rl) == [
        (17, "http://www.deeplearningbook.org/", "Books",
         ["Deep Learning", "by Yoshua Bengio, Ian Goodfellow and Aaron Courville (05/07/2015)"]),
        (18, "http://neuralnetworksanddeeplearning.com/", "Books",
         ["Neural Networks and Deep Learning", "by Michael Nielsen (Dec 2014)"]),
        # A bold paper title, a blank line, then its links: the title is every link's note,
        # and "intro:" / "作者单位:" lines are notes of the paper, not headings.
        (28, "http://arxiv.org/abs/1311.2524", "Papers > Object detection", rcnn_notes),
        (29, "https://github.com/rbgirshick/rcnn", "Papers > Object detection", rcnn_notes),
        # [[web]](u1)[[pdf]](u2): two links, the arXiv PDF kept.
        (31, "https://github.com/rbgirshick/fast-rcnn", "Papers > Object detection",
         ["Fast R-CNN"]),
        (31, "https://arxiv.org/pdf/1504.08083.pdf", "Papers > Object detection",
         ["Fast R-CNN"]),
        # Table rows: each link with its own row's title.
        (35, "https://arxiv.org/abs/1506.01497", "Papers > Object detection",
         ["Faster R-CNN", "Ren, He, Girshick, Sun"]),
        (35, "https://github.com/rbgirshick/py-faster-rcnn", "Papers > Object detection",
         ["Faster R-CNN", "Ren, He, Girshick, Sun"]),
        (36, "https://arxiv.org/abs/1703.06870", "Papers > Object detection",
         ["Mask R-CNN", "He, Gkioxari, Dollár, Girshick"]),
        # A link-less list item heads the list nested under it.
        (41, "https://arxiv.org/abs/1411.4038", "Papers > Segmentation > Semantic segmentation",
         ["Fully Convolutional Networks", "Long, Shelhamer, Darrell"]),
    ]
    urls = {s.url for s in rl.seeds}
    # Badges, the commented-out course and the table of contents' anchors are not seeds.
    assert not any("shields.io" in u or "rawgit" in u or "old.example" in u
                   or "sindresorhus" in u for u in urls)
    assert [(p.line, p.reason) for p in rl.problems] == [
        (46, "CONTRIBUTING.md: relative link, no site to resolve it against")]
    # A bold title with a venue and year and no link is a paper to read.
    assert [(p.line, p.title, p.year, p.heading) for p in rl.papers] == [
        (42, "Deep Residual Learning for Image Recognition", 2016, "Papers > Segmentation")]
    assert {h.line: h.kind for h in rl.hints if h.kind == "heading"} == {
        1: "heading", 15: "heading", 20: "heading", 22: "heading", 24: "heading",
        38: "heading", 44: "heading"}
    assert_no_markup(rl)


def test_markdown_in_chinese_with_inline_html():
    rl = read_reading_list(LISTS / "zh-notes.md")
    assert table(rl) == [
        (7, "https://www.cnblogs.com/skyfsm/p/6806246.html", "目标检测 > 两阶段方法",
         ["R-CNN系列详解", "从R-CNN到Faster R-CNN"]),
        (8, "https://arxiv.org/abs/1506.01497", "目标检测 > 两阶段方法", ["Faster R-CNN"]),
        (8, "https://github.com/rbgirshick/py-faster-rcnn", "目标检测 > 两阶段方法", []),
        # An image-only <a> is a badge; an <a> with text is a link.
        (13, "https://blog.csdn.net/u010089444/article/details/76725843", "强化学习",
         ["强化学习入门"]),
    ]
    assert_no_markup(rl)


def test_chrome_bookmarks_export():
    rl = read_reading_list(LISTS / "chrome-bookmarks.html")
    assert table(rl) == [
        (15, "https://arxiv.org/abs/1311.2524", "Deep learning > Object detection",
         ["Rich feature hierarchies & R-CNN", "The first R-CNN paper, CVPR 2014"]),
        # The file quotes the HREF: its trailing "." is part of it.
        (17, "https://lilianweng.github.io/lil-log/2017/12/31/"
             "object-recognition-for-dummies-part-3.html.", "Deep learning > Object detection",
         ["Object Recognition for Dummies Part 3"]),
        (19, "https://www.cnblogs.com/skyfsm/p/6806246.html", "Deep learning",
         ["R-CNN系列 - 博客园"]),
        (25, "http://cs231n.github.io/convolutional-networks/", None,
         ["CS231n Convolutional Neural Networks"]),
    ]
    assert [(p.line, p.reason) for p in rl.problems] == [
        (21, "javascript:void(document.title): scheme 'javascript' is not crawled "
             "(only http:// and https://)")]
    assert not any("base64" in h.text or "ADD_DATE" in h.text for h in rl.hints)
    assert_no_markup(rl)


def test_bibtex_every_entry_is_a_paper():
    rl = read_reading_list(LISTS / "detection.bib")
    assert [(p.line, p.key, p.title, p.year, p.arxiv_id, p.doi, p.url, p.heading)
            for p in rl.papers] == [
        (2, "girshick2014rich", "Rich Feature Hierarchies for Accurate Object Detection and "
         "Semantic Segmentation", 2014, None, None, None, "Object detection"),
        (10, "ren2015faster", "Faster R-CNN: Towards Real-Time Object Detection with Region "
         "Proposal Networks", 2015, "1506.01497", None, "https://arxiv.org/abs/1506.01497",
         "Object detection"),
        (17, "he2017mask", "Mask R-CNN", 2017, "1703.06870", None,
         "https://arxiv.org/abs/1703.06870", "Object detection"),
        (27, "he2016deep", "Deep Residual Learning for Image Recognition", 2016, None,
         "10.1109/CVPR.2016.90", "https://doi.org/10.1109/CVPR.2016.90", "Backbones"),
        (35, "lecun1998gradient", "Gradient-Based Learning Applied to Document Recognition",
         1998, None, None, "http://yann.lecun.com/exdb/publis/pdf/lecun-01a.pdf", "Backbones"),
        (47, "goodfellow2016deep", "Deep Learning", 2016, None, None, None, "Backbones"),
    ]
    assert rl.papers[2].authors == ["Kaiming He", "Georgia Gkioxari", "Piotr Dollár",
                                    "Ross Girshick"]
    assert rl.papers[4].authors[1] == "Léon Bottou"
    assert [s.url for s in rl.seeds] == [p.url for p in rl.papers if p.url]
    assert rl.seeds[0].notes == [rl.papers[1].title]
    # The entry with a missing brace is reported, and the entries after it still count.
    assert [(p.line, p.reason.split(":")[0]) for p in rl.problems] == [
        (43, "BibTeX entry skipped")]
    assert_no_markup(rl)


def test_bibtex_papers_are_stored_and_title_only_ones_await_resolution():
    rl = read_reading_list(LISTS / "detection.bib")
    store = Store(":memory:")
    store.replace_reading_list(rl.path, [s.as_row() for s in rl.seeds],
                               [h.as_row() for h in rl.hints],
                               [p.as_row() for p in rl.problems],
                               [p.as_row() for p in rl.papers])
    assert store.counts()["listed_papers"] == 6
    assert store.listed_papers()[2]["authors"][0] == "Kaiming He"
    assert [p["key"] for p in store.papers_to_resolve()] == ["girshick2014rich",
                                                            "goodfellow2016deep"]
    # Storing the list again replaces, never duplicates.
    store.replace_reading_list(rl.path, [], [], [], [p.as_row() for p in rl.papers[:1]])
    assert store.counts()["listed_papers"] == 1


def test_plain_text_topic_lines_and_indented_sub_topics():
    rl = read_reading_list(LISTS / "topics.txt")
    assert [(s.line, s.url, s.heading) for s in rl.seeds] == [
        (4, "https://example.com/rcnn", "Computer vision > Detection"),
        (5, "https://example.com/yolo", "Computer vision > Detection"),
        (8, "https://example.com/fcn", "Computer vision > Segmentation"),
        (12, "https://example.com/dqn", "Reinforcement learning"),
        (14, "https://example.com/misc", None),
        (18, "https://example.com/resnet", "Deep learning > CNN"),
    ]
    assert [(h.line, h.kind) for h in rl.hints] == [
        (1, "heading"), (3, "heading"), (7, "heading"), (10, "heading"), (16, "heading"),
        (17, "heading")]


def test_crawl_of_a_markdown_list(miniweb, tmp_path):
    for name in ("a", "b", "c"):
        miniweb.routes[f"/{name}.html"] = Page(
            f"<html><title>Page {name}</title><p>Text of page {name}.</p></html>".encode())
    md = tmp_path / "list.md"
    md.write_text(
        "# My list\n\n## Detection\n\n"
        f"- [Page A]({miniweb.url('/a.html')}) ![b](https://img.shields.io/x.svg)\n"
        f"- **Paper B** [[pdf]]({miniweb.url('/b.html')})\n\n"
        f"## Other\n\n<!-- [C]({miniweb.url('/c.html')}) -->\n"
        f"| Name | Link |\n|---|---|\n| Page C | [web]({miniweb.url('/c.html')}) |\n",
        encoding="utf-8")
    run = run_crawl(tmp_path / "data", md, args={"depth": 0})
    assert run.returncode == 0, run.stderr[-2000:]
    store = run.store()
    rows = [(r["line"], r["heading"], r["notes"], r["outcome"])
            for r in store.seed_outcomes(str(md))]
    assert rows == [(5, "Detection", ["Page A"], "ok"), (6, "Detection", ["Paper B"], "ok"),
                    (13, "Other", ["Page C"], "ok")]
    # The comment's link was not fetched, and nothing went to the badge's host.
    assert miniweb.requests_to("/c.html") == 1


def test_crawl_of_a_bibtex_list_stores_every_entry(miniweb, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{a, title={Page A}, url={%s}, year=2020}\n"
                   "@book{b, title={A Book Without Link}, author={Doe, Jane}, year=2001}\n"
                   % miniweb.url("/a.html"), encoding="utf-8")
    miniweb.routes["/a.html"] = Page(b"<html><title>A</title><p>Alpha.</p></html>")
    run = run_crawl(tmp_path / "data", bib, args={"depth": 0, "format": "bibtex"})
    assert run.returncode == 0, run.stderr[-2000:]
    store = run.store()
    assert [(p["key"], p["title"], p["authors"]) for p in store.listed_papers()] == [
        ("a", "Page A", []), ("b", "A Book Without Link", ["Jane Doe"])]
    assert [r["outcome"] for r in store.seed_outcomes()] == ["ok"]
