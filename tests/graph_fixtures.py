"""A small, realistic crawl store for the graph tests.

The reading list is lines 6, 7, 37-42 and 52-53 of the real list (two hint lines, the
"RCNN" block and the Ross Girshick / He Kaiming block), as the parser stores them. The
crawl found: five pages under "RCNN" (one English blog, one comparison, Lilian Weng's post,
a dead 404 link and a Chinese post), Ross Girshick's homepage, a page Lilian Weng's post links
to, and six arXiv papers whose metadata (titles, authors, months) comes from
``tests/fixtures/arxiv-papers.json``. Abstracts are short texts written for the fixture.

>>> from pathlib import Path; import tempfile
>>> write_store(Path(tempfile.mkdtemp())).name
'crawl.sqlite'
"""

from __future__ import annotations

import json
from pathlib import Path

from graph.store import Store, store_path

FIXTURES = Path(__file__).parent / "fixtures"
LIST_PATH = "reading-list.txt"

RCNN = "RCNN"
GIRSHICK_HEADING = "Ross Girshick from facebook （RCNN+Yolo） + He Kaiming (ResNet + RCNN) etc"

MOHIT = "https://mohitjain.me/2018/03/20/faster-r-cnn/"
CVTRICKS = "https://cv-tricks.com/object-detection/faster-r-cnn-yolo-ssd/"
LILIAN = ("https://lilianweng.github.io/lil-log/2017/12/31/"
          "object-recognition-for-dummies-part-3.html")
CSDN = "https://blog.csdn.net/gentelyang/article/details/80469553"
IMLOGM = "https://imlogm.github.io/%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0/rcnn/"
GIRSHICK = "http://www.rossgirshick.info/"
LILIAN_PART1 = ("https://lilianweng.github.io/lil-log/2017/10/29/"
                "object-recognition-for-dummies-part-1.html")
EXTERNAL = "https://github.com/rbgirshick/py-faster-rcnn"  # linked, never fetched

PAPER_IDS = ("1311.2524", "1504.08083", "1506.01497", "1703.06870", "1512.03385",
             "1506.02640")


def _seed(line, url, heading, heading_line, listed_url=None, fragment=None):
    listed = listed_url or url
    return {"line": line, "url": url, "listed_url": listed, "fragment": fragment,
            "raw": listed, "heading": heading, "heading_line": heading_line,
            "notes": [], "note_lines": []}


SEEDS = [
    _seed(38, MOHIT, RCNN, 37),
    _seed(39, CVTRICKS, RCNN, 37),
    _seed(40, LILIAN, RCNN, 37),
    _seed(41, CSDN, RCNN, 37),
    _seed(42, IMLOGM, RCNN, 37),
    _seed(53, GIRSHICK, GIRSHICK_HEADING, 52,
          listed_url="http://www.rossgirshick.info/#girshick2014rcnn",
          fragment="girshick2014rcnn"),
]

HINTS = [
    {"line": 6, "text": "self-supervised  Yann Lecun", "kind": "hint"},
    {"line": 7, "text": "小样本/泛化       Ng", "kind": "hint"},
    {"line": 37, "text": RCNN, "kind": "heading"},
    {"line": 52, "text": GIRSHICK_HEADING, "kind": "heading"},
]


def _ok(url, title, text, *, lang="en", authors=(), depth=0, is_seed=1, summary=None,
        keywords=(), published=None):
    return {"url": url, "final_url": url, "outcome": "ok", "http_status": 200,
            "content_type": "text/html; charset=utf-8", "kind": "html", "title": title,
            "authors": list(authors), "published": published, "lang": lang, "text": text,
            "summary": summary or text.split(". ")[0] + ".", "keywords": list(keywords),
            "depth": depth, "is_seed": is_seed, "fetched_via": "live"}


DOCUMENTS = [
    _ok(MOHIT, "Faster R-CNN: Down the rabbit hole of modern object detection",
        "Faster R-CNN was proposed by Shaoqing Ren, Kaiming He, Ross Girshick and Jian Sun "
        "in 2015. It builds on Fast R-CNN and replaces selective search with a region "
        "proposal network that shares convolutional features with the detector. "
        "The paper is arXiv:1506.01497. Anchors of several scales and aspect ratios cover "
        "the image, and RoI pooling turns each proposal into a fixed-size feature map.",
        keywords=("Faster R-CNN", "region proposal network", "anchors"),
        published="2018-03-20"),
    _ok(CVTRICKS, "Zero to Hero: Guide to Object Detection using Deep Learning: "
                  "Faster R-CNN, YOLO, SSD",
        "Object detection finds and classifies every object in an image. Two-stage "
        "detectors such as Faster R-CNN first propose regions and then classify them. "
        "One-stage detectors such as YOLO and SSD predict boxes in a single pass, trading "
        "some accuracy for speed.",
        keywords=("object detection", "YOLO", "SSD")),
    _ok(LILIAN, "Object Detection for Dummies Part 3: R-CNN Family",
        "In Part 3 we look at the R-CNN family. R-CNN by Ross Girshick et al. runs a "
        "convolutional neural network on about 2000 region proposals from selective "
        "search. Fast R-CNN shares the convolutional computation across proposals. "
        "Faster R-CNN adds a region proposal network, and Mask R-CNN extends Faster R-CNN "
        "to instance segmentation. The convolutional network itself goes back to Yann "
        "LeCun and LeNet.",
        authors=("Lilian Weng",), keywords=("R-CNN", "object detection"),
        published="2017-12-31"),
    {"url": CSDN, "final_url": CSDN, "outcome": "http_error", "http_status": 404,
     "reason": "HTTP 404 Not Found", "kind": "html", "depth": 0, "is_seed": 1,
     "fetched_via": "live"},
    _ok(IMLOGM, "RCNN系列：从R-CNN到Mask R-CNN",
        "R-CNN 系列是目标检测的经典方法。Fast R-CNN 改进了 R-CNN 的速度，Faster R-CNN "
        "用区域建议网络代替了选择性搜索。何恺明等人提出的 Mask R-CNN 在 Faster R-CNN "
        "的基础上增加了分割分支。",
        lang="zh", keywords=("目标检测", "R-CNN", "区域建议网络")),
    _ok(GIRSHICK, "Ross Girshick",
        "Ross Girshick is a research scientist at Facebook AI Research. He works on "
        "computer vision and machine learning. Mask R-CNN (He, Gkioxari, Dollár and "
        "Girshick) received the Marr Prize at ICCV 2017.",
        authors=("Ross Girshick",), keywords=("computer vision",)),
    _ok(LILIAN_PART1, "Object Detection for Dummies Part 1: Gradient Vector, HOG, and SS",
        "Before convolutional neural networks, object detection used hand-crafted "
        "features such as the histogram of oriented gradients. Selective search proposes "
        "regions by grouping similar pixels.",
        authors=("Lilian Weng",), depth=1, is_seed=0, keywords=("HOG", "selective search"),
        published="2017-10-29"),
]

LINKS = {
    MOHIT: [("https://arxiv.org/abs/1506.01497", "the Faster R-CNN paper"),
            (LILIAN, "Lilian Weng's overview"), (EXTERNAL, "py-faster-rcnn")],
    CVTRICKS: [("https://arxiv.org/pdf/1506.02640.pdf", "YOLO"),
               ("https://arxiv.org/abs/1506.01497", "Faster R-CNN")],
    LILIAN: [("https://arxiv.org/abs/1311.2524", "R-CNN"),
             ("https://arxiv.org/abs/1504.08083", "Fast R-CNN"),
             ("https://arxiv.org/abs/1506.01497", "Faster R-CNN"),
             ("https://arxiv.org/abs/1703.06870", "Mask R-CNN"),
             (LILIAN_PART1, "Part 1"), (GIRSHICK, "Ross Girshick")],
    IMLOGM: [("https://arxiv.org/abs/1703.06870", "Mask R-CNN 论文"), (LILIAN, "Lilian Weng")],
    GIRSHICK: [("https://arxiv.org/abs/1311.2524", "R-CNN"),
               ("https://arxiv.org/abs/1512.03385", "ResNet"), (EXTERNAL, "code")],
}

PAPER_REFS = [
    ("1506.01497", MOHIT, "link", "the Faster R-CNN paper"),
    ("1506.01497", MOHIT, "text", "The paper is arXiv:1506.01497."),
    ("1506.02640", CVTRICKS, "link", "YOLO"),
    ("1506.01497", CVTRICKS, "link", "Faster R-CNN"),
    ("1311.2524", LILIAN, "link", "R-CNN"),
    ("1504.08083", LILIAN, "link", "Fast R-CNN"),
    ("1506.01497", LILIAN, "link", "Faster R-CNN"),
    ("1703.06870", LILIAN, "link", "Mask R-CNN"),
    ("1703.06870", IMLOGM, "link", "Mask R-CNN 论文"),
    ("1311.2524", GIRSHICK, "link", "R-CNN"),
    ("1512.03385", GIRSHICK, "link", "ResNet"),
]

# Short abstracts written for the fixture (the facts file gives titles and authors).
ABSTRACTS = {
    "1311.2524": "We propose R-CNN, which combines region proposals with convolutional "
                 "neural network features for object detection.",
    "1504.08083": "This paper proposes Fast R-CNN, a faster region-based convolutional "
                  "network for object detection.",
    "1506.01497": "We introduce a Region Proposal Network that shares convolutional features "
                  "with the detection network; merged with Fast R-CNN it forms Faster R-CNN.",
    "1703.06870": "Mask R-CNN extends Faster R-CNN by adding a branch that predicts an object "
                  "mask, for instance segmentation.",
    "1512.03385": "We present a residual learning framework, ResNet, to ease the training of "
                  "networks that are much deeper than before.",
    "1506.02640": "We present YOLO, a new approach to object detection that frames detection "
                  "as a single regression problem.",
}


def facts() -> dict[str, dict]:
    data = json.loads((FIXTURES / "arxiv-papers.json").read_text(encoding="utf-8"))
    return {p["id"]: p for p in data["papers"]}


def papers() -> list[dict]:
    out = []
    known = facts()
    for aid in PAPER_IDS:
        fact = known[aid]
        out.append({
            "arxiv_id": aid, "status": "ok", "title": fact["title"],
            "authors": fact["authors"], "abstract": ABSTRACTS[aid],
            "summary": ABSTRACTS[aid], "keywords": [],
            "primary_category": fact.get("primary_category", "cs.CV"),
            "categories": [fact.get("primary_category", "cs.CV")],
            # The facts give the month; the day is not part of the fixture's claims.
            "published": f"{fact['month']}-01T00:00:00Z",
            "abs_url": f"https://arxiv.org/abs/{aid}",
            "pdf_url": f"https://arxiv.org/pdf/{aid}", "depth": 1,
        })
    return out


def write_store(data_dir: str | Path) -> Path:
    """Write the fixture crawl into ``<data_dir>/crawl.sqlite``; returns its path."""
    path = store_path(data_dir)
    store = Store(path)
    try:
        store.replace_reading_list(LIST_PATH, SEEDS, HINTS, [])
        for doc in DOCUMENTS:
            store.upsert_document(doc, links=LINKS.get(doc["url"], []))
        for arxiv_id, doc_url, how, evidence in PAPER_REFS:
            store.add_paper_ref(arxiv_id, doc_url, how, evidence, depth=1)
        for paper in papers():
            store.upsert_paper(paper)
    finally:
        store.close()
    return path


def build_fixture_graph(directory):
    """The graph of the fixture store, written into ``directory``."""
    from graph.build import build_graph

    write_store(directory)
    store = Store.open_existing(directory)
    try:
        return build_graph(store)
    finally:
        store.close()
