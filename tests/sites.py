"""Content of the synthetic mini-web: realistic pages in English and Chinese, a PDF, a code
file, and the failure cases a crawl must record."""

from __future__ import annotations

import zlib

from tests.miniweb import MiniWeb, Page

BLOG_SENTENCES = [
    "Faster R-CNN is a two-stage object detector that shares convolutional features "
    "between a region proposal network and a detection head.",
    "The region proposal network slides a small network over the feature map and "
    "predicts objectness scores for anchor boxes at every position.",
    "Ross Girshick and Kaiming He showed that sharing the backbone makes proposals "
    "almost free compared with selective search.",
    "RoI pooling turns every proposal into a fixed-size feature map for the classifier.",
    "The detector is trained end to end with a multi-task loss for classification and "
    "bounding-box regression.",
    "On PASCAL VOC the method reaches a high mean average precision at five frames per "
    "second on a GPU.",
    "The original paper is arXiv:1506.01497, and it builds on Fast R-CNN.",
]

SIDEBAR = "Popular posts: Ten tricks for gardening in winter. Subscribe to our newsletter!"


def english_blog(base: str) -> bytes:
    paragraphs = "\n".join(f"<p>{s}</p>" for s in BLOG_SENTENCES)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Understanding Faster R-CNN | Deep Notes</title>
<meta name="author" content="Mohit Jain">
<meta name="description" content="A walk through the Faster R-CNN object detector.">
<meta property="article:published_time" content="2018-03-20T10:00:00Z">
</head><body>
<header><nav><a href="/">Home</a> <a href="/about">About</a> <a href="/tags">Tags</a></nav></header>
<div class="sidebar"><h3>Popular posts</h3><p>{SIDEBAR}</p>
<a href="/gardening">Gardening</a></div>
<main><article><h1>Understanding Faster R-CNN</h1>
{paragraphs}
<p>Read the <a href="/zh/gbk.html">Chinese notes</a> and the
<a href="https://arxiv.org/abs/1504.08083">Fast R-CNN paper</a>.</p>
</article></main>
<footer><p>Copyright 2018 Deep Notes. All rights reserved. Privacy policy.</p></footer>
</body></html>""".encode()


ZH_TEXT = [
    "卷积神经网络是深度学习中最重要的模型之一，广泛用于图像分类和目标检测。",
    "何恺明提出的残差网络通过残差连接解决了深层网络难以训练的问题。",
    "R-CNN系列方法先生成候选区域，再对每个区域进行分类和边框回归。",
    "Faster R-CNN用区域建议网络代替了选择性搜索，大大提高了检测速度。",
    "本文总结了这些方法的核心思想，并给出了学习的顺序。",
]


def chinese_page(title: str, charset: str) -> bytes:
    body = "".join(f"<p>{s}</p>" for s in ZH_TEXT)
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}</title></head><body>
<div id="nav"><a href="/">首页</a> <a href="/list">文章列表</a></div>
<div id="content"><h1>{title}</h1>{body}</div>
<div id="footer">版权所有 联系我们</div></body></html>"""
    return html.encode("gbk" if charset.lower() in ("gbk", "gb2312") else charset)


def make_pdf(lines: list[str], title: str, author: str) -> bytes:
    """A small valid PDF with one page of text and an Info dictionary."""
    text_ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(f"({escaped}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        f"<< /Title ({title}) /Author ({author}) /CreationDate (D:20170401120000Z) >>"
        .encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)


PDF_LINES = [
    "CNN Architectures: a review of LeNet, AlexNet, VGG, GoogLeNet and ResNet.",
    "Convolutional networks stack convolution, pooling and fully connected layers.",
    "ResNet introduced residual connections to train networks with over 100 layers.",
]

CODE_FILE = b'''"""Convolutional neural network example built with TensorFlow.

Build a CNN with two convolution layers and max pooling to classify MNIST digits.
"""
import tensorflow as tf

# Training parameters: a small learning rate keeps the optimizer stable.
learning_rate = 0.001


def conv_net(x):
    """Two convolution layers followed by a fully connected layer."""
    x = tf.reshape(x, [-1, 28, 28, 1])  # MNIST images are 28x28 pixels
    return x
'''

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def build_site(web: MiniWeb) -> dict[str, str]:
    """Serve the standard test site on ``web``; returns names -> listed URLs."""
    r = web.routes
    r["/robots.txt"] = Page(ROBOTS, content_type="text/plain")
    r["/blog/faster-rcnn.html"] = Page(english_blog(web.base))
    r["/zh/gbk.html"] = Page(chinese_page("卷积神经网络结构综述", "gbk"),
                             content_type="text/html; charset=gbk")
    # The server claims UTF-8 but the page is GBK and says so itself.
    r["/zh/wrong-charset.html"] = Page(chinese_page("R-CNN系列算法详解", "gb2312"),
                                       content_type="text/html; charset=utf-8")
    r["/zh/utf8.html"] = Page(chinese_page("残差网络介绍", "utf-8"))
    r["/lectures/cnn.pdf"] = Page(make_pdf(PDF_LINES, "CNN Architectures", "Svetlana Lazebnik"),
                                  content_type="application/pdf")
    r["/raw/octo/examples/master/cnn.py"] = Page(CODE_FILE, content_type="text/plain; charset=utf-8")
    r["/old"] = Page(b"", status=301, headers={"Location": "/older"})
    r["/older"] = Page(b"", status=302, headers={"Location": "/blog/moved.html"})
    r["/blog/moved.html"] = Page(b"<html><head><title>Moved post</title></head><body><article>"
                                 b"<p>Batch normalization normalizes layer inputs over a mini-batch."
                                 b" It makes training deep networks faster and more stable.</p>"
                                 b"</article></body></html>")
    r["/flaky.html"] = lambda n: (Page(b"busy", status=500) if n == 1 else Page(
        b"<html><head><title>Flaky but fine</title></head><body><p>Dropout randomly drops"
        b" units during training to prevent overfitting.</p></body></html>"))
    r["/private/secret.html"] = Page(b"<html><title>Secret</title><p>hidden</p></html>")
    r["/big.bin"] = Page(b"0" * (3 * 1024 * 1024), content_type="text/html")
    r["/hang.html"] = Page(b"<html>late</html>", delay=30)
    r["/image.png"] = Page(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
    return {
        "blog": web.url("/blog/faster-rcnn.html"),
        "gbk": web.url("/zh/gbk.html"),
        "wrong_charset": web.url("/zh/wrong-charset.html"),
        "utf8": web.url("/zh/utf8.html"),
        "pdf": web.url("/lectures/cnn.pdf"),
        "code": "https://github.com/octo/examples/blob/master/cnn.py",
        "redirect": web.url("/old"),
        "missing": web.url("/gone.html"),
        "flaky": web.url("/flaky.html"),
        "robots": web.url("/private/secret.html"),
        "big": web.url("/big.bin"),
        "hang": web.url("/hang.html"),
        "image": web.url("/image.png"),
    }


def gzip_bomb(size: int) -> bytes:
    return zlib.compress(b"\0" * size, 9)
