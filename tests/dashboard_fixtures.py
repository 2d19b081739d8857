"""A small crawl store for the dashboard tests, written through ``graph.store.Store``.

It holds what a real crawl of a short reading list leaves behind: pages (English and
Chinese), a page whose title is an HTML injection attempt, dead links, arXiv papers with
their authors, links between pages and the reading list's headings and hint lines.

>>> from pathlib import Path; import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> write_fixture_store(d).name
'crawl.sqlite'
"""

from __future__ import annotations

from pathlib import Path

from graph.store import Store, store_path

XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_URL = "https://blog.example.org/xss-title"
CHINESE_URL = "https://zhuanlan.zhihu.com/p/36290556"
CHINESE_TITLE = "卷积神经网络结构演变：从LeNet到ResNet"
DEAD_URL = "http://dead.example.com/cnn-notes"
GIRSHICK_URL = "http://www.rossgirshick.info/"
SLOW_URL = "http://slow.example.net/notes"
ARCHIVED_URL = "http://gone.example.org/yolo-explained"
LIST_PATH = "reading-list.txt"

READING_LIST = """\
https://lilianweng.github.io/lil-log/2017/12/31/object-recognition-for-dummies-part-3.html
https://zhuanlan.zhihu.com/p/36290556 -面试的问题，可以作为一个指导
http://dead.example.com/cnn-notes
https://blog.example.org/xss-title

self-supervised  Yann Lecun

RCNN
https://arxiv.org/abs/1311.2524
https://arxiv.org/abs/1504.08083
http://nowhere.invalid/rcnn

Ross Girshick from facebook （RCNN+Yolo） + He Kaiming (ResNet + RCNN) etc
http://www.rossgirshick.info/#girshick2014rcnn

ResNet
https://arxiv.org/abs/1512.03385

htp:/broken link
http://slow.example.net/notes
http://gone.example.org/yolo-explained
"""

LILIAN_URL = (
    "https://lilianweng.github.io/lil-log/2017/12/31/object-recognition-for-dummies-part-3.html"
)


def _seed(line, url, heading=None, heading_line=None, notes=(), listed_url=None, fragment=None,
          raw=None):
    return {
        "line": line, "url": url, "listed_url": listed_url or url, "fragment": fragment,
        "raw": raw or (listed_url or url), "heading": heading, "heading_line": heading_line,
        "notes": list(notes), "note_lines": [line] if notes else [],
    }


SEEDS = [
    _seed(1, LILIAN_URL),
    _seed(2, CHINESE_URL, notes=["面试的问题，可以作为一个指导"],
          raw="https://zhuanlan.zhihu.com/p/36290556 -面试的问题，可以作为一个指导"),
    _seed(3, DEAD_URL),
    _seed(4, XSS_URL),
    _seed(9, "https://arxiv.org/abs/1311.2524", heading="RCNN", heading_line=8),
    _seed(10, "https://arxiv.org/abs/1504.08083", heading="RCNN", heading_line=8),
    _seed(11, "http://nowhere.invalid/rcnn", heading="RCNN", heading_line=8),
    _seed(14, GIRSHICK_URL,
          heading="Ross Girshick from facebook （RCNN+Yolo） + He Kaiming (ResNet + RCNN) etc",
          heading_line=13, listed_url="http://www.rossgirshick.info/#girshick2014rcnn",
          fragment="girshick2014rcnn"),
    _seed(17, "https://arxiv.org/abs/1512.03385", heading="ResNet", heading_line=16),
    _seed(20, SLOW_URL),
    _seed(21, ARCHIVED_URL),
]

HINTS = [
    {"line": 6, "text": "self-supervised  Yann Lecun", "kind": "hint"},
    {"line": 13, "text": SEEDS[7]["heading"], "kind": "heading"},
]

PROBLEMS = [{"line": 19, "text": "htp:/broken link", "reason": "not a URL"}]

DOCUMENTS = [
    {
        "url": LILIAN_URL, "final_url": LILIAN_URL, "outcome": "ok", "http_status": 200,
        "content_type": "text/html", "kind": "html",
        "title": "Object Detection for Dummies Part 3: R-CNN Family",
        "authors": ["Lilian Weng"], "published": "2017-12-31", "lang": "en",
        "text": (
            "R-CNN by Ross Girshick uses selective search and a convolutional neural network. "
            "Fast R-CNN evolved from R-CNN and shares computation. Faster R-CNN adds a region "
            "proposal network. Yann LeCun popularised the convolutional neural network, and "
            "Kaiming He proposed ResNet and Mask R-CNN. YOLO is a one-stage object detection "
            "method."
        ),
        "summary": "A tour of the R-CNN family for object detection: R-CNN, Fast R-CNN, "
                   "Faster R-CNN and Mask R-CNN.",
        "keywords": ["R-CNN", "object detection", "region proposal"],
        "is_seed": 1, "depth": 0, "fetched_via": "live",
    },
    {
        "url": CHINESE_URL, "final_url": CHINESE_URL, "outcome": "ok", "http_status": 200,
        "content_type": "text/html", "kind": "html", "title": CHINESE_TITLE,
        "authors": [], "lang": "zh",
        "text": (
            "卷积神经网络从LeNet发展到AlexNet、VGG、GoogLeNet。何恺明提出的ResNet使用残差连接，"
            "让很深的网络也能训练。Yann LeCun 提出了 LeNet。目标检测方面，R-CNN 系列由 Ross "
            "Girshick 提出。"
        ),
        "summary": "卷积神经网络从LeNet发展到ResNet。何恺明提出的ResNet使用残差连接。",
        "keywords": ["卷积神经网络", "ResNet", "残差连接"],
        "is_seed": 1, "depth": 0, "fetched_via": "live",
    },
    {
        "url": DEAD_URL, "outcome": "http_error", "http_status": 404,
        "reason": "HTTP 404 Not Found", "is_seed": 1, "depth": 0,
    },
    {
        "url": "http://nowhere.invalid/rcnn", "outcome": "dns_error",
        "reason": "DNS lookup failed: nowhere.invalid", "is_seed": 1, "depth": 0,
    },
    {
        "url": XSS_URL, "final_url": XSS_URL, "outcome": "ok", "http_status": 200,
        "content_type": "text/html", "kind": "html", "title": XSS_TITLE,
        "authors": ["<script>alert(2)</script>"], "lang": "en",
        "text": "This page talks about ResNet and object detection with Faster R-CNN.",
        "summary": "<b>bold?</b> ResNet and Faster R-CNN for object detection.",
        "keywords": ["<i>x</i>", "ResNet"], "is_seed": 1, "depth": 0, "fetched_via": "live",
    },
    {
        "url": GIRSHICK_URL, "final_url": GIRSHICK_URL, "outcome": "ok", "http_status": 200,
        "content_type": "text/html", "kind": "html", "title": "Ross Girshick",
        "authors": ["Ross Girshick"], "lang": "en",
        "text": "Ross Girshick is a research scientist. He created R-CNN, Fast R-CNN and YOLO "
                "with colleagues.",
        "summary": "Homepage of Ross Girshick, author of R-CNN and Fast R-CNN.",
        "keywords": ["R-CNN", "Fast R-CNN"], "is_seed": 1, "depth": 0, "fetched_via": "live",
    },
    {
        "url": SLOW_URL, "outcome": "timeout", "reason": "no answer in 30 s",
        "is_seed": 1, "depth": 0,
    },
    {
        # The live site is gone; the web archive's snapshot was read instead.
        "url": ARCHIVED_URL,
        "final_url": "https://web.archive.org/web/2019/http://gone.example.org/yolo-explained",
        "outcome": "ok", "http_status": 200, "content_type": "text/html", "kind": "html",
        "title": "YOLO explained", "lang": "en",
        "text": "YOLO is a one-stage object detection method by Joseph Redmon and Ross "
                "Girshick.",
        "summary": "YOLO, a one-stage object detector.", "keywords": ["YOLO"],
        "is_seed": 1, "depth": 0, "fetched_via": "archive",
        "archive_timestamp": "20190101000000",
    },
]

# The crawler records arXiv seeds as documents too (kind 'arxiv'); their metadata is in papers.
for _id, _title in (("1311.2524", "Rich feature hierarchies for accurate object detection"),
                    ("1504.08083", "Fast R-CNN"),
                    ("1512.03385", "Deep Residual Learning for Image Recognition")):
    DOCUMENTS.append({
        "url": f"https://arxiv.org/abs/{_id}", "final_url": f"https://arxiv.org/abs/{_id}",
        "outcome": "ok", "http_status": 200, "kind": "arxiv", "title": _title, "lang": "en",
        "is_seed": 1, "depth": 0, "fetched_via": "live",
    })

LINKS = {
    LILIAN_URL: [
        ("https://arxiv.org/abs/1311.2524", "R-CNN paper"),
        ("https://arxiv.org/abs/1504.08083", "Fast R-CNN paper"),
        (GIRSHICK_URL, "Ross Girshick"),
    ],
    CHINESE_URL: [("https://arxiv.org/abs/1512.03385", "ResNet 论文")],
    XSS_URL: [(LILIAN_URL, "<b>R-CNN</b>")],
}

PAPERS = [
    {
        "arxiv_id": "1311.2524", "status": "ok",
        "title": "Rich feature hierarchies for accurate object detection and semantic "
                 "segmentation",
        "authors": ["Ross Girshick", "Jeff Donahue", "Trevor Darrell", "Jitendra Malik"],
        "abstract": "We propose R-CNN: Regions with CNN features, for object detection.",
        "summary": "R-CNN: Regions with CNN features for object detection.",
        "keywords": ["R-CNN", "object detection"], "primary_category": "cs.CV",
        "categories": ["cs.CV"], "published": "2013-11-11T15:43:43Z",
        "abs_url": "https://arxiv.org/abs/1311.2524", "depth": 0,
    },
    {
        "arxiv_id": "1504.08083", "status": "ok", "title": "Fast R-CNN",
        "authors": ["Ross Girshick"],
        "abstract": "This paper proposes a Fast Region-based Convolutional Network method "
                    "(Fast R-CNN) for object detection.",
        "summary": "Fast R-CNN for object detection.", "keywords": ["Fast R-CNN"],
        "primary_category": "cs.CV", "categories": ["cs.CV"],
        "published": "2015-04-30T12:00:00Z", "abs_url": "https://arxiv.org/abs/1504.08083",
        "depth": 0,
    },
    {
        "arxiv_id": "1512.03385", "status": "ok",
        "title": "Deep Residual Learning for Image Recognition",
        "authors": ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"],
        "abstract": "We present a residual learning framework (ResNet) to ease the training of "
                    "networks that are substantially deeper.",
        "summary": "ResNet: residual learning for very deep networks.",
        "keywords": ["ResNet", "residual learning"], "primary_category": "cs.CV",
        "categories": ["cs.CV"], "published": "2015-12-10T15:00:00Z",
        "abs_url": "https://arxiv.org/abs/1512.03385", "depth": 0,
    },
]

PAPER_REFS = [
    ("1311.2524", "https://arxiv.org/abs/1311.2524", "seed", None),
    ("1504.08083", "https://arxiv.org/abs/1504.08083", "seed", None),
    ("1512.03385", "https://arxiv.org/abs/1512.03385", "seed", None),
    ("1311.2524", LILIAN_URL, "link", "R-CNN paper"),
    ("1504.08083", LILIAN_URL, "link", "Fast R-CNN paper"),
    ("1512.03385", CHINESE_URL, "link", "ResNet 论文"),
]


def write_fixture_store(data_dir: str | Path) -> Path:
    """Write the fixture crawl into ``<data_dir>/crawl.sqlite`` and return its path."""
    path = store_path(data_dir)
    store = Store(path)
    try:
        store.replace_reading_list(LIST_PATH, SEEDS, HINTS, PROBLEMS)
        crawl = store.start_crawl(LIST_PATH)
        for doc in DOCUMENTS:
            store.upsert_document(doc, links=LINKS.get(doc["url"], []))
        for arxiv_id, doc_url, how, evidence in PAPER_REFS:
            store.add_paper_ref(arxiv_id, doc_url, how, evidence)
        for paper in PAPERS:
            store.upsert_paper(paper)
        store.finish_crawl(crawl, {"seeds": len(SEEDS)})
    finally:
        store.close()
    return path
