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


S2 = "https://api.semanticscholar.org/graph/v1/paper/ARXIV:{}/references"
IMAGENET = "doi:10.1109/cvpr.2009.5206848"
SELECTIVE_SEARCH = "doi:10.1007/s11263-013-0620-5"
LENET = "s2:162d958ff885f1462aeda91cd72582323fd6a1f4"

# What Semantic Scholar answers for the three listed papers: ImageNet is cited by all three,
# selective search by two, VGG (influential), LeNet and batch normalization by one each.
CITED_PAPERS = [
    {"key": IMAGENET, "doi": "10.1109/cvpr.2009.5206848", "year": 2009,
     "title": "ImageNet: A large-scale hierarchical image database",
     "authors": ["Jia Deng", "Wei Dong", "Richard Socher", "Li-Jia Li", "Kai Li", "Li Fei-Fei"]},
    {"key": SELECTIVE_SEARCH, "doi": "10.1007/s11263-013-0620-5", "year": 2013,
     "title": "Selective Search for Object Recognition",
     "authors": ["J. R. R. Uijlings", "K. E. A. van de Sande", "T. Gevers", "A. W. M. Smeulders"]},
    {"key": "arXiv:1409.1556", "arxiv_id": "1409.1556", "year": 2014,
     "title": "Very Deep Convolutional Networks for Large-Scale Image Recognition",
     "authors": ["Karen Simonyan", "Andrew Zisserman"]},
    {"key": "arXiv:1502.03167", "arxiv_id": "1502.03167", "year": 2015,
     "title": "Batch Normalization: Accelerating Deep Network Training by Reducing Internal "
              "Covariate Shift", "authors": ["Sergey Ioffe", "Christian Szegedy"]},
    {"key": LENET, "s2_id": LENET[3:], "year": 1998,
     "title": "Gradient-based learning applied to document recognition",
     "authors": ["Yann LeCun", "L. Bottou", "Yoshua Bengio", "P. Haffner"]},
]

CITATIONS = {
    "1311.2524": [
        {"cited": IMAGENET, "contexts": ["We pre-train the CNN on the large auxiliary dataset "
                                         "(ILSVRC2012 classification) [9]."],
         "intents": ["methodology"], "is_influential": True},
        {"cited": SELECTIVE_SEARCH, "contexts": ["[39]", "We use selective search [39] to "
                                                 "generate about 2000 region proposals."],
         "intents": ["methodology"], "is_influential": True},
    ],
    "1504.08083": [
        {"cited": "arXiv:1311.2524", "contexts": ["R-CNN [9] achieves excellent object "
                                                  "detection accuracy by using a deep ConvNet "
                                                  "to classify object proposals."],
         "intents": ["background"], "is_influential": True},
        {"cited": IMAGENET, "contexts": ["networks pre-trained on ImageNet [4]"],
         "intents": [], "is_influential": False},
        {"cited": SELECTIVE_SEARCH, "contexts": [], "intents": [], "is_influential": False},
    ],
    "1512.03385": [
        {"cited": IMAGENET, "contexts": ["We evaluate our method on the ImageNet 2012 "
                                         "classification dataset [36]."],
         "intents": ["methodology"], "is_influential": False},
        {"cited": "arXiv:1409.1556", "contexts": ["Our plain baselines are mainly inspired by "
                                                  "the philosophy of VGG nets [41]."],
         "intents": ["methodology"], "is_influential": True},
        {"cited": "arXiv:1502.03167", "contexts": ["We adopt batch normalization (BN) [16] "
                                                   "right after each convolution."],
         "intents": ["methodology"], "is_influential": False},
        {"cited": LENET, "contexts": [], "intents": [], "is_influential": False},
        {"cited": "arXiv:1504.08083", "contexts": ["the Faster R-CNN [32] system built on "
                                                   "Fast R-CNN [7]"],
         "intents": ["background"], "is_influential": False},
    ],
}


def write_citations(store: Store) -> None:
    """Record the fixture's Semantic Scholar answers as a crawl with citations would."""
    for arxiv_id, rows in CITATIONS.items():
        store.save_citations(f"arXiv:{arxiv_id}",
                             [dict(r, source=S2.format(arxiv_id)) for r in rows],
                             CITED_PAPERS)
        store.set_citation_status(arxiv_id, "ok", references_count=len(rows))


def write_fixture_store(data_dir: str | Path, citations: bool = False) -> Path:
    """Write the fixture crawl into ``<data_dir>/crawl.sqlite`` and return its path;
    with ``citations`` the listed papers' references from Semantic Scholar too."""
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
        if citations:
            write_citations(store)
        store.finish_crawl(crawl, {"seeds": len(SEEDS)})
    finally:
        store.close()
    return path
