"""Content handlers: HTML (encodings, main text, metadata, links), PDF, code and text."""

from __future__ import annotations

import io
import json
import time
from types import SimpleNamespace

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import ExtractionError, sniff_kind
from crawler.extract.code import extract_code, extract_text, github_raw_url
from crawler.extract.decoding import decode_html, decode_text
from crawler.extract import soups
from crawler.extract.html import extract_html
from crawler.extract.meta import page_metadata
from crawler.extract.pdf import extract_pdf

# -- fixtures ---------------------------------------------------------------------------

ARTICLE = [
    "Batch normalization normalizes the inputs of each layer over the current mini-batch.",
    "It was introduced by Sergey Ioffe and Christian Szegedy in 2015, see the original paper.",
    "Training deep networks is hard because the distribution of each layer's inputs changes "
    "during training.",
    "In practice the layer keeps running averages of the mean and variance for inference.",
    "A learned scale and shift restore the representational power of the network.",
]

BLOG = f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Understanding Batch Normalization | Deep Notes</title>
<meta property="og:title" content="Understanding Batch Normalization">
<meta name="description" content="Why normalizing activations speeds up training.">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2018-03-20T09:15:00+00:00">
<base href="https://blog.example.org/posts/">
<script>var analytics = "Popular posts tracker";</script>
</head>
<body>
<header class="site-header"><h2>Deep Notes</h2>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/archive">Archive</a></nav>
</header>
<div class="wrap">
<main>
<article class="post">
<h1>Understanding Batch Normalization</h1>
<p class="byline">By Jane Doe, March 20, 2018</p>
<p>{ARTICLE[0]} It was introduced by Sergey Ioffe and Christian Szegedy in 2015, see
<a href="https://arxiv.org/abs/1502.03167#sec2">the original paper</a>.</p>
<p>{ARTICLE[2]} The authors call this internal covariate shift, and
<a href="resnet.html">our ResNet post</a> shows how it interacts with residual connections.</p>
<p>{ARTICLE[3]} {ARTICLE[4]} Read <a href="../guides/init.html#top">the initialization
guide</a> next, or <a href="mailto:jane@example.org">write to me</a>.
Back to <a href="#top">the top</a>; <a href="resnet.html#intro">ResNet again</a>.</p>
</article>
</main>
<aside class="sidebar"><h3>Popular posts</h3><ul>
<li><a href="/posts/gan.html">Ten tricks for training GANs</a></li>
<li><a href="/posts/yolo.html">YOLO explained in five minutes</a></li></ul>
<div class="widget">Subscribe to the Deep Notes newsletter for weekly digests.</div></aside>
</div>
<footer class="site-footer"><p>Copyright 2018 Deep Notes. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
</body></html>"""

ZH_PARAGRAPHS = [
    "卷积神经网络是深度学习中最重要的模型之一，广泛用于图像分类和目标检测。",
    "何恺明提出的残差网络通过残差连接解决了深层网络难以训练的问题。",
    "R-CNN系列方法先生成候选区域，再对每个区域进行分类和边框回归。",
]


def chinese_page(declaration: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in ZH_PARAGRAPHS)
    return (f'<html><head>{declaration}<title>卷积神经网络结构综述</title></head><body>'
            f'<div id="nav"><a href="/">首页</a> <a href="/list">文章列表</a></div>'
            f'<div id="content"><h1>卷积神经网络结构综述</h1>{body}</div>'
            f'<div id="footer">版权所有 联系我们</div></body></html>')


CNBLOGS = """<!DOCTYPE html>
<html lang="zh-cn"><head><meta charset="utf-8">
<title>CNN中的卷积核及TensorFlow中卷积的各种实现 - bonelee - 博客园</title>
<meta name="description" content="声明：1. 我和每一个应该看这篇博文的人一样">
</head><body>
<div id="home"><div id="header"><div id="blogTitle">
<h1><a id="Header1_HeaderTitle" class="headermaintitle HeaderMainTitle"
 href="https://www.cnblogs.com/bonelee/">bonelee</a></h1><h2>程序员的自我修养</h2></div>
<div id="navigator"><ul id="navList"><li><a href="https://www.cnblogs.com/">博客园</a></li>
<li><a href="https://i.cnblogs.com/EditPosts.aspx?opt=1">新随笔</a></li></ul></div></div>
<div id="main"><div id="mainContent"><div class="forFlow"><div id="post_detail">
<div id="topics"><div class="post">
<h1 class="postTitle"><a id="cb_post_title_url" class="postTitle2 vertical-middle"
 href="https://www.cnblogs.com/bonelee/p/8972139.html">
<span role="heading" aria-level="2">CNN中的卷积核及TensorFlow中卷积的各种实现</span></a></h1>
<div class="clear"></div>
<div class="postBody">
<div id="cnblogs_post_body" class="blogpost-body blogpost-body-html">
<p>卷积核是卷积神经网络中最核心的部分，它决定了特征提取的方式。</p>
<p>TensorFlow中的tf.nn.conv2d实现了二维卷积，参见<a href="https://www.tensorflow.org/api_docs/python/tf/nn/conv2d">官方文档</a>。</p>
<p>空洞卷积可以在不增加参数的情况下扩大感受野，见<a href="/bonelee/p/9029934.html">另一篇随笔</a>。</p>
</div>
<div id="blog_post_info_block"><div id="BlogPostCategory">分类: <a href="https://www.cnblogs.com/bonelee/category/1.html">深度学习</a></div></div>
</div>
<div class="postDesc">posted @ <span id="post-date" data-date-updated="2018-04-30 16:44">2018-04-30 16:43</span>&nbsp;
<a href="https://www.cnblogs.com/bonelee">bonelee</a>&nbsp; 阅读(<span id="post_view_count">1024</span>)</div>
</div></div></div>
<div id="blog-comments-placeholder"><div class="feedbackItem">
<div class="blog_comment_body">写得很好，收藏了！</div></div></div>
</div></div>
<div id="sideBar"><div id="sideBarMain"><div class="newsItem"><h3>公告</h3>
<div id="blog-news">昵称：bonelee 园龄：8年</div></div>
<div id="sidebar_recentposts"><h3>最新随笔</h3><ul><li><a href="https://www.cnblogs.com/bonelee/p/1.html">机器学习面试题汇总</a></li></ul></div>
</div></div></div>
<div id="footer">Copyright © 2024 bonelee Powered by .NET 8.0 on Kubernetes</div>
</div></body></html>"""

WIKIPEDIA = """<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<title>Capsule neural network - Wikipedia</title></head><body>
<div id="mw-navigation"><a href="/wiki/Main_Page">Main page</a></div>
<h1 id="firstHeading" class="firstHeading">Capsule neural network</h1>
<div id="mw-content-text"><div class="mw-parser-output">
<div class="hatnote navigation-not-searchable">Not to be confused with capsule endoscopy.</div>
<p>A <b>capsule neural network</b> is a machine learning system that models hierarchical
relationships<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup>, proposed
by <a href="/wiki/Geoffrey_Hinton" title="Geoffrey Hinton">Geoffrey Hinton</a>.</p>
<h2>History<span class="mw-editsection"><a href="/w/index.php?title=Capsule&amp;action=edit">edit</a></span></h2>
<p>Dynamic routing between capsules was described in 2017.<sup class="reference"><a href="#cite_note-2">[2]</a></sup>
<a href="/wiki/File:Capsule.png">Figure</a></p>
<div role="navigation" class="navbox"><a href="/wiki/Template:Machine_learning">Machine learning</a> topics</div>
</div></div>
<div id="footer">This page was last edited on 1 May 2024.</div></body></html>"""

PYTHON_FILE = '''#!/usr/bin/env python
# -*- coding: utf-8 -*-
""" Convolutional Neural Network.

Build and train a convolutional neural network with TensorFlow.
This example is using the MNIST database of handwritten digits
(http://yann.lecun.com/exdb/mnist/)

Author: Aymeric Damien
Project: https://github.com/aymericdamien/TensorFlow-Examples/
"""
from __future__ import print_function
import tensorflow as tf

# Training Parameters
learning_rate = 0.001
# x = tf.reshape(x, shape=[-1, 28, 28, 1])
url = "http://not-a-comment.example.org/#x"  # the dropout keeps 75% of units


def conv2d(x, W, b, strides=1):
    """Conv2D wrapper, with bias and relu activation."""
    x = tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding='SAME')
    return tf.nn.relu(x)


class Model(object):
    """A two-layer network.

    See https://arxiv.org/abs/1512.03385 for residual connections.
    """
'''


def make_pdf(lines, info, uri=None) -> bytes:
    """A small valid PDF: one page of Helvetica text, an Info dictionary, a link."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    ops += [f"({line}) Tj T*" for line in lines] + ["ET"]
    stream = "\n".join(ops).encode("latin-1")
    annots = f" /Annots [<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A << /S /URI " \
             f"/URI ({uri}) >> >>]" if uri else ""
    entries = " ".join(f"/{key} ({value})" for key, value in info.items())
    objects = [b"<< /Type /Catalog /Pages 2 0 R /Lang (en-US) >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font "
                f"<< /F1 4 0 R >> >> /Contents 5 0 R{annots} >>").encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               f"<< {entries} >>".encode("latin-1")]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


PDF_LINES = ["Faster R-CNN: Towards Real-Time Object Detection",
             "Region proposal networks share convolutional features with the detector."]
PDF = make_pdf(PDF_LINES, {"Title": "Faster R-CNN", "Author": "Shaoqing Ren; Kaiming He",
                           "CreationDate": "D:20150604120000Z"},
               uri="https://arxiv.org/abs/1506.01497#v3")


# -- sniffing ---------------------------------------------------------------------------

@pytest.mark.parametrize("content_type, body, url, kind", [
    ("text/html; charset=utf-8", b"<p>hi</p>", "https://a.example/paper.pdf", "html"),
    ("application/pdf", PDF, "https://a.example/view", "pdf"),
    ("text/html", PDF, "https://a.example/x.html", "pdf"),          # the bytes win
    ("text/plain", b"%PDF-1.4 ascii only", "https://a.example/x", "pdf"),
    (None, b"\n<!DOCTYPE html><title>x</title>", "https://a.example/x", "html"),
    ("application/octet-stream", b"<html><body>x</body></html>", "https://a.example/a.py", "html"),
    ("text/plain", b"<!-- c --><html><p>x</p></html>", "https://a.example/x", "html"),
    ("text/plain", b"import os\nprint('<html>')\n", "https://a.example/gen.py", "code"),
    ("text/plain; charset=utf-8", b"def f():\n    pass\n",
     "https://raw.githubusercontent.com/o/r/master/cnn.py", "code"),
    ("text/plain", b"#!/bin/sh\necho hi\n", "https://a.example/run", "code"),
    ("text/x-python", b"x = 1\n", "https://a.example/download?id=3", "code"),
    ("application/javascript", b"var x;", "https://a.example/app", "code"),
    ("text/plain", b"Notes on GANs.\n", "https://a.example/notes.txt", "text"),
    ("text/markdown", b"# Title\n", "https://a.example/README.md", "text"),
    ("application/octet-stream", b"plain words\n", "https://a.example/file", "text"),
    ("application/octet-stream", b"\x00\x01\x02binary\x00", "https://a.example/f.py", "other"),
    ("image/png", b"\x89PNG\r\n\x1a\n\x00", "https://a.example/a.png", "other"),
    ("application/zip", b"PK\x03\x04", "https://a.example/a.zip", "other"),
    (None, b"GIF89a\x00\x00", "https://a.example/a", "other"),
    ("application/pdf", b"<html>error page</html>", "https://a.example/x.pdf", "other"),
    ("application/atom+xml", b"<?xml version='1.0'?><feed/>", "https://a.example/feed", "other"),
    ("text/csv", b"a,b\n1,2\n", "https://a.example/data.csv", "other"),
    (None, b"", "https://a.example/", "text"),
])
def test_sniff_kind_decides_by_content(content_type, body, url, kind):
    assert sniff_kind(content_type, body, url) == kind


# -- decoding ---------------------------------------------------------------------------

def test_gbk_page_declaring_gb2312_decodes_as_gb18030():
    body = chinese_page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    text, encoding = decode_html(body.encode("gbk"), None)
    assert (text, encoding) == (body, "gb18030")


def test_gbk_page_whose_server_claims_utf8_follows_its_own_declaration():
    body = chinese_page('<meta charset="gbk">')
    assert decode_html(body.encode("gbk"), "utf-8") == (body, "gb18030")


def test_gbk_page_behind_a_latin1_default_header_follows_its_declaration():
    body = chinese_page('<meta charset="gb2312">')
    assert decode_html(body.encode("gbk"), "iso-8859-1") == (body, "gb18030")


def test_utf8_page_with_a_stale_legacy_declaration_is_utf8():
    body = chinese_page('<meta charset="gb2312">')
    assert decode_html(body.encode("utf-8"), None) == (body, "utf-8")
    assert decode_html(body.encode("utf-8"), "gbk") == (body, "utf-8")


def test_undeclared_pages_are_detected():
    body = chinese_page("")
    assert decode_html(body.encode("utf-8"), None) == (body, "utf-8")
    assert decode_html(body.encode("gbk"), None) == (body, "gb18030")


def test_byte_order_marks_win_over_labels():
    assert decode_html("\ufeff<p>é</p>".encode("utf-8"), "gbk") == ("<p>é</p>", "utf-8")
    assert decode_html("<p>é</p>".encode("utf-16"), None) == ("<p>é</p>", "utf-16-le")


def test_header_charset_is_used_when_the_body_agrees():
    body = "<p>Café crème</p>".encode("cp1252")
    assert decode_html(body, "iso-8859-1") == ("<p>Café crème</p>", "cp1252")
    assert decode_html(body, "windows-1252") == ("<p>Café crème</p>", "cp1252")


def test_bogus_labels_and_broken_bytes_never_raise():
    assert decode_html(b"<meta charset=base64><p>x</p>", "rot13")[1] == "utf-8"
    text, encoding = decode_html(b"<meta charset=utf-8><p>\xff\xfe\xfa ok</p>", "undefined")
    assert "ok" in text and isinstance(encoding, str)
    assert decode_html(b"", None) == ("", "utf-8")


def test_decode_text_uses_coding_cookie_when_the_header_is_wrong():
    source = "# -*- coding: gbk -*-\n# 卷积层\nx = 1\n"
    assert decode_text(source.encode("gbk"), "utf-8") == (source, "gb18030")
    assert decode_text("# 卷积层\n".encode("utf-8"), None) == ("# 卷积层\n", "utf-8")


# -- HTML -------------------------------------------------------------------------------

def test_english_blog_main_text_metadata_and_main_content_links():
    doc = extract_html(BLOG, "https://blog.example.org/posts/batch-norm.html")
    assert doc["kind"] == "html"
    assert doc["title"] == "Understanding Batch Normalization"
    assert doc["authors"] == ["Jane Doe"]
    assert doc["published"] == "2018-03-20"
    assert doc["lang"] == "en"
    assert doc["description"] == "Why normalizing activations speeds up training."
    for sentence in ARTICLE:
        assert sentence in doc["text"]
    for boilerplate in ("Popular posts", "Ten tricks", "newsletter", "Copyright", "Archive",
                        "Privacy", "tracker"):
        assert boilerplate not in doc["text"]
    assert doc["links"] == [
        ("https://arxiv.org/abs/1502.03167", "the original paper"),
        ("https://blog.example.org/posts/resnet.html", "our ResNet post"),
        ("https://blog.example.org/guides/init.html", "the initialization guide"),
    ]


def test_chinese_pages_end_to_end():
    for encoding, header, declaration in (("gbk", None, '<meta charset="gb2312">'),
                                          ("gbk", "utf-8", '<meta charset="gbk">'),
                                          ("utf-8", "utf-8", '<meta charset="utf-8">')):
        html, _ = decode_html(chinese_page(declaration).encode(encoding), header)
        doc = extract_html(html, "http://zh.example.cn/a/1.html")
        assert doc["title"] == "卷积神经网络结构综述"
        assert all(p in doc["text"] for p in ZH_PARAGRAPHS)
        assert "版权所有" not in doc["text"] and "文章列表" not in doc["text"]
        assert doc["lang"] is None  # nothing declared: the caller detects it


def test_cnblogs_post():
    doc = extract_html(CNBLOGS, "https://www.cnblogs.com/bonelee/p/8972139.html")
    assert doc["title"] == "CNN中的卷积核及TensorFlow中卷积的各种实现"
    assert doc["authors"] == ["bonelee"]
    assert doc["published"] == "2018-04-30"
    assert doc["lang"] == "zh"
    assert doc["text"] == ("卷积核是卷积神经网络中最核心的部分，它决定了特征提取的方式。\n"
                           "TensorFlow中的tf.nn.conv2d实现了二维卷积，参见官方文档。\n"
                           "空洞卷积可以在不增加参数的情况下扩大感受野，见另一篇随笔。")
    assert doc["links"] == [
        ("https://www.tensorflow.org/api_docs/python/tf/nn/conv2d", "官方文档"),
        ("https://www.cnblogs.com/bonelee/p/9029934.html", "另一篇随笔")]


def test_csdn_and_zhihu_posts():
    csdn = """<html><head><title>R-CNN详解_xyfengbo的博客-CSDN博客</title></head><body>
    <div class="toolbar">登录 会员中心</div>
    <div class="article-header"><h1 class="title-article" id="articleContentId">R-CNN详解</h1>
    <div class="article-bar-top"><a class="follow-nickName" href="https://blog.csdn.net/xyfengbo">
    xyfengbo</a><span class="time">于 2017-04-06 14:53:46 发布</span></div></div>
    <div id="content_views" class="markdown_views"><p>R-CNN首先用选择性搜索生成约两千个候选区域。</p></div>
    <div class="recommend-box"><a href="https://blog.csdn.net/x/1">推荐文章</a></div></body></html>"""
    doc = extract_html(csdn, "https://blog.csdn.net/xyfengbo/article/details/70227173")
    assert (doc["title"], doc["authors"], doc["published"], doc["text"]) == (
        "R-CNN详解", ["xyfengbo"], "2017-04-06", "R-CNN首先用选择性搜索生成约两千个候选区域。")

    zhihu = """<html><head><title>深度学习面试题 - 知乎</title></head><body>
    <header class="AppHeader">知乎 首页</header>
    <h1 class="Post-Title">深度学习面试题</h1>
    <div class="AuthorInfo"><meta itemprop="name" content="张三"><span class="AuthorInfo-name">张三</span></div>
    <div class="Post-RichText"><p>批归一化为什么有效？它减少了内部协变量偏移。</p>
    <p>参考<a href="https://link.zhihu.com/?target=https%3A//arxiv.org/abs/1502.03167">原论文</a>。</p></div>
    <div class="ContentItem-time">发布于 2018-05-03 10:17</div></body></html>"""
    doc = extract_html(zhihu, "https://zhuanlan.zhihu.com/p/36290556")
    assert (doc["title"], doc["authors"], doc["published"]) == ("深度学习面试题", ["张三"], "2018-05-03")
    assert doc["text"] == "批归一化为什么有效？它减少了内部协变量偏移。\n参考原论文。"
    assert doc["links"] == [("https://link.zhihu.com/?target=https%3A//arxiv.org/abs/1502.03167",
                             "原论文")]


def test_wikipedia_article_without_footnote_markers_and_navigation():
    doc = extract_html(WIKIPEDIA, "https://en.wikipedia.org/wiki/Capsule_neural_network")
    assert doc["title"] == "Capsule neural network"
    assert doc["text"] == (
        "A capsule neural network is a machine learning system that models hierarchical "
        "relationships, proposed by Geoffrey Hinton.\nHistory\n"
        "Dynamic routing between capsules was described in 2017. Figure")
    assert doc["links"] == [("https://en.wikipedia.org/wiki/Geoffrey_Hinton", "Geoffrey Hinton")]


def test_github_blob_page_is_read_as_code():
    payload = {"payload": {"blob": {"rawLines": PYTHON_FILE.splitlines()}}}
    page = ('<html><head><title>TensorFlow-Examples/convolutional_network.py at master</title>'
            '</head><body><nav>Pull requests Issues</nav><react-app app-name="react-code-view">'
            '<script type="application/json" data-target="react-app.embeddedData">'
            f'{json.dumps(payload)}</script></react-app></body></html>')
    url = ("https://github.com/aymericdamien/TensorFlow-Examples/blob/master/examples/"
           "3_NeuralNetworks/convolutional_network.py")
    doc = extract_html(page, url)
    assert doc["kind"] == "code"
    assert doc["title"] == "convolutional_network.py"
    assert doc["text"].startswith("Convolutional Neural Network.\nBuild and train")
    assert "Pull requests" not in doc["text"]


def test_metadata_from_citation_tags_json_ld_and_url():
    page = """<html><head><meta name="citation_title" content="Fast R-CNN">
    <meta name="citation_author" content="Girshick, Ross">
    <meta name="citation_publication_date" content="2015/04/30">
    <script type="application/ld+json">{"@type": "BlogPosting", "headline": "ignored",
     "author": [{"@type": "Person", "name": "Someone Else"}]}</script></head>
    <body><p>Fast R-CNN trains VGG16 nine times faster than R-CNN.</p></body></html>"""
    doc = extract_html(page, "https://a.example/paper")
    assert (doc["title"], doc["authors"], doc["published"]) == (
        "Fast R-CNN", ["Ross Girshick"], "2015-04-30")

    page = """<html><head><title>Faster R-CNN</title><script type="application/ld+json">
    {"@graph": [{"@type": "WebSite", "name": "Site"}, {"@type": "Article",
     "author": {"@type": "Person", "name": "Mohit Jain"}, "datePublished": "2018-03-20"}]}
    </script></head><body><p>Anchors at three scales and three ratios.</p></body></html>"""
    doc = extract_html(page, "https://a.example/post")
    assert (doc["authors"], doc["published"]) == (["Mohit Jain"], "2018-03-20")

    page = ('<html><body><article><h1>Faster R-CNN</h1><p class="byline">Posted by Mohit Jain '
            'on <time datetime="2018-03-20">March 20</time></p><p>Region proposals.</p>'
            '</article><div class="sidebar"><span class="date">2019-01-01</span></div></body></html>')
    doc = extract_html(page, "https://mohitjain.me/2018/03/20/faster-r-cnn/")
    assert (doc["title"], doc["authors"], doc["published"]) == (
        "Faster R-CNN", ["Mohit Jain"], "2018-03-20")


def test_declared_language_that_contradicts_the_text_is_dropped():
    page = f'<html lang="en"><body><article>{"".join(f"<p>{p}</p>" for p in ZH_PARAGRAPHS * 3)}' \
           '</article></body></html>'
    assert extract_html(page, "https://a.example/")["lang"] is None
    page = '<html><head><meta http-equiv="content-language" content="zh-CN"></head>' \
           f'<body><p>{ZH_PARAGRAPHS[0]}</p></body></html>'
    assert extract_html(page, "https://a.example/")["lang"] == "zh"


def test_pages_without_text_give_empty_text_not_errors():
    for page in ("", "   ", "<html></html>", "<!-- only a comment -->", "<?xml version='1.0'?>",
                 "<html><body><nav><a href='/'>Home</a></nav></body></html>"):
        doc = extract_html(page, "https://a.example/")
        assert doc["text"] == "" and doc["links"] == [], page
    doc = extract_html("<?xml version='1.0' encoding='utf-8'?><html><p>Plain.</p></html>", "")
    assert doc["text"] == "Plain."


def test_short_page_falls_back_to_the_heuristic():
    page = ('<html><body><div class="menu"><a href="/a">Menu item</a></div><div id="comments">'
            '<p>Nice post!</p></div><div><p>Only a line about <a href="/yolo">YOLO</a>.</p>'
            '</div></body></html>')
    doc = extract_html(page, "https://a.example/x/")
    assert doc["text"] == "Only a line about YOLO."
    assert doc["links"] == [("https://a.example/yolo", "YOLO")]


def test_links_keep_their_urls_as_written():
    page = ('<html><body><p>Read <a href=" /wiki/卷积 网络 ">the article</a> and '
            '<a href="https://b.example/a b"><img alt="a figure"></a>.</p></body></html>')
    doc = extract_html(page, "https://a.example/x/")
    assert doc["links"] == [("https://a.example/wiki/卷积 网络", "the article"),
                            ("https://b.example/a b", "a figure")]


def test_metadata_read_from_outlines_as_from_the_whole_page():
    sidebar = "".join(f'<li class="author">Reader {i}</li><li class="date">2019-01-0{i}</li>'
                      for i in range(1, 8))
    pages = [BLOG, CNBLOGS, WIKIPEDIA, chinese_page(""),
             f'<html><head><title>A | B</title></head><body><h1 class="menu">B</h1>'
             f'<div class="widget"><ul>{sidebar}</ul></div><div class="post"><h1>A</h1>'
             f'<div class="byline">By Jo Smith<time datetime="2018-03-20"></time></div>'
             f'</div><h1>C</h1></body></html>']
    for html in pages:
        root = lxml.html.document_fromstring(html)
        whole = soups.soup(html)
        page = SimpleNamespace(head=whole,
                               select=lambda css, limit=None: whole.select(css, limit=limit))
        url = "https://a.example/p"
        assert page_metadata(soups.PageSoup(root), url) == page_metadata(page, url)
    assert page_metadata(soups.PageSoup(root), url)["authors"] == ["Jo Smith"]


# -- PDF --------------------------------------------------------------------------------

def test_pdf_text_metadata_and_links():
    doc = extract_pdf(PDF, "https://a.example/faster-rcnn.pdf")
    assert doc == {"kind": "pdf", "title": "Faster R-CNN", "authors": ["Shaoqing Ren", "Kaiming He"],
                   "published": "2015-06-04", "lang": "en", "description": None,
                   "text": "\n".join(PDF_LINES),
                   "links": [("https://arxiv.org/abs/1506.01497", "")]}


def test_pdf_with_a_tool_generated_title_uses_the_first_line():
    body = make_pdf(["arXiv:1506.01497v3 [cs.CV] 6 Jan 2016", *PDF_LINES],
                    {"Title": "Microsoft Word - paper.docx"})
    doc = extract_pdf(body, "https://a.example/p.pdf")
    assert (doc["title"], doc["authors"], doc["published"]) == (PDF_LINES[0], [], None)


def test_encrypted_pdfs():
    from pypdf import PdfReader, PdfWriter

    def encrypted(user_password):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    with pytest.raises(ExtractionError) as error:
        extract_pdf(encrypted("secret"), "https://a.example/locked.pdf")
    assert "encrypted" in error.value.reason
    # An empty user password only restricts printing and copying: readable.
    assert "Region proposal networks" in extract_pdf(encrypted(""), "https://a.example/p.pdf")["text"]


def test_broken_pdfs_raise_extraction_errors():
    with pytest.raises(ExtractionError, match="not a PDF"):
        extract_pdf(b"<html>404</html>", "https://a.example/x.pdf")
    with pytest.raises(ExtractionError):
        extract_pdf(b"%PDF-1.4\n" + b"\x00garbage" * 50, "https://a.example/x.pdf")
    for cut in (20, 100, 300, len(PDF) // 2, len(PDF) - 30):
        try:
            doc = extract_pdf(PDF[:cut], "https://a.example/x.pdf")
        except ExtractionError as exc:
            assert exc.reason
        else:
            assert isinstance(doc["text"], str)


# -- code and text ----------------------------------------------------------------------

def test_python_docstrings_and_comments_as_prose():
    doc = extract_code(PYTHON_FILE, "https://raw.githubusercontent.com/o/r/master/cnn.py")
    assert doc["kind"] == "code" and doc["title"] == "cnn.py" and doc["lang"] is None
    assert doc["description"] == "Convolutional Neural Network."
    assert doc["authors"] == ["Aymeric Damien"]
    assert doc["text"] == (
        "Convolutional Neural Network.\n"
        "Build and train a convolutional neural network with TensorFlow. This example is using "
        "the MNIST database of handwritten digits (http://yann.lecun.com/exdb/mnist/)\n"
        "Author: Aymeric Damien Project: https://github.com/aymericdamien/TensorFlow-Examples/\n"
        "Training Parameters\n"
        "the dropout keeps 75% of units\n"
        "conv2d: Conv2D wrapper, with bias and relu activation.\n"
        "Model: A two-layer network.\n"
        "See https://arxiv.org/abs/1512.03385 for residual connections.")
    assert doc["links"] == [("http://yann.lecun.com/exdb/mnist/", ""),
                            ("https://github.com/aymericdamien/TensorFlow-Examples/", ""),
                            ("https://arxiv.org/abs/1512.03385", "")]


def test_python2_and_broken_python_still_give_their_comments():
    py2 = 'print "training"  # old style print\n"""Module notes."""\nexec "x = 1"\n'
    assert extract_code(py2, "https://a.example/old.py")["text"] == "old style print\nModule notes."
    broken = '# Build the graph\ndef f(:\n    """Unclosed docstring about pooling\n'
    assert extract_code(broken, "https://a.example/b.py")["text"] == \
        "Build the graph\nUnclosed docstring about pooling"


def test_c_like_comments_skip_string_contents():
    js = ('/**\n * Draws the loss curve.\n * @param {Array} losses one value per epoch\n */\n'
          'const url = "http://not.a/comment"; // see https://d3js.org/ for the axes\n'
          "let s = '/* not a comment */';\n")
    doc = extract_code(js, "https://a.example/plot.js")
    assert doc["text"] == ("Draws the loss curve. @param {Array} losses one value per epoch\n"
                           "see https://d3js.org/ for the axes")
    assert doc["links"] == [("https://d3js.org/", "")]


def test_notebook_markdown_cells_and_code_comments():
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["# YOLO in Keras\n", "We follow [the paper]",
                                             "(https://arxiv.org/abs/1506.02640)."]},
        {"cell_type": "code", "source": "# load the weights\nmodel = load()\n"}]}
    doc = extract_code(json.dumps(notebook), "https://a.example/yolo.ipynb")
    assert doc["title"] == "yolo.ipynb"
    assert doc["text"] == "YOLO in Keras\nWe follow the paper.\nload the weights"
    assert doc["links"] == [("https://arxiv.org/abs/1506.02640", "the paper")]


def test_plain_and_markdown_text():
    doc = extract_text("Notes on ResNet\n\nSee https://arxiv.org/abs/1512.03385.\n",
                       "https://a.example/notes.txt")
    assert (doc["kind"], doc["title"], doc["links"]) == (
        "text", "notes.txt", [("https://arxiv.org/abs/1512.03385", "")])
    doc = extract_text("Deep learning notes\n===\n[Guide](docs/guide.md)", "https://a.example/r/README")
    assert doc["title"] == "Deep learning notes"
    assert doc["links"] == [("https://a.example/r/docs/guide.md", "Guide")]


@pytest.mark.parametrize("url, raw", [
    ("https://github.com/aymericdamien/TensorFlow-Examples/blob/master/examples/"
     "3_NeuralNetworks/convolutional_network.py",
     "https://raw.githubusercontent.com/aymericdamien/TensorFlow-Examples/master/examples/"
     "3_NeuralNetworks/convolutional_network.py"),
    ("http://www.github.com/o/r/blob/v1.0/src/a%20b.py?plain=1#L10-L20",
     "https://raw.githubusercontent.com/o/r/v1.0/src/a%20b.py"),
    ("https://github.com/o/r/raw/main/README.md", "https://raw.githubusercontent.com/o/r/main/README.md"),
    ("https://github.com/o/r/blob/feature/x/y.py", "https://raw.githubusercontent.com/o/r/feature/x/y.py"),
    ("https://github.com/o/r/blob/main/", None),
    ("https://github.com/o/r/blob/main", None),
    ("https://github.com/o/r/tree/main/src", None),
    ("https://github.com/o/r", None),
    ("https://gitlab.com/o/r/blob/main/a.py", None),
    ("https://raw.githubusercontent.com/o/r/main/a.py", None),
    ("", None),
])
def test_github_raw_url(url, raw):
    assert github_raw_url(url) == raw


# -- robustness and speed ---------------------------------------------------------------

ROBUST = settings(max_examples=150, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])
html_like = st.lists(st.sampled_from(
    ["<html>", "<body>", "<p>", "</p>", "<a href='", "'>", "</a>", "<div class='sidebar'>",
     "</div>", "<meta charset='", "gbk", "'>", "<base href='", "http://[::1", "javascript:x",
     "<script>", "</script>", "<?xml version='1.0'?>", "<!--", "-->", "&#0;", "\x00", "卷积",
     "<title>", "<time datetime='2018-13-45'>", "<table><tr><td>", "<pre>", " text. "]),
    max_size=40).map("".join)


@ROBUST
@given(st.binary(max_size=3000), st.one_of(st.none(), st.sampled_from(
    ["utf-8", "gbk", "latin1", "utf-16", "nonsense", "base64", "undefined", ""])))
def test_decoding_never_raises(body, charset):
    for decode in (decode_html, decode_text):
        text, encoding = decode(body, charset)
        assert isinstance(text, str) and isinstance(encoding, str)


@ROBUST
@given(st.one_of(st.text(max_size=2000), html_like))
def test_extract_html_never_raises_anything_else(html):
    try:
        doc = extract_html(html, "https://a.example/p/1.html")
    except ExtractionError:
        return
    assert isinstance(doc["text"], str)
    assert all(url.startswith(("http://", "https://")) and "#" not in url
               for url, _ in doc["links"])


@ROBUST
@given(st.binary(max_size=2000), st.integers(0, len(PDF)), st.binary(max_size=20))
def test_extract_pdf_never_raises_anything_else(noise, cut, patch):
    mutated = PDF[:cut] + patch + PDF[cut + len(patch):]
    for body in (noise, b"%PDF-1.7\n" + noise, PDF[:cut], mutated):
        try:
            assert isinstance(extract_pdf(body, "https://a.example/x.pdf")["text"], str)
        except ExtractionError as exc:
            assert exc.reason


@ROBUST
@given(st.text(max_size=2000), st.sampled_from(["a.py", "a.js", "a.sh", "a.ipynb", "a.m",
                                                "a.sql", "a", "README.md", "a.ml"]))
def test_code_and_text_extractors_never_raise(text, name):
    for extract in (extract_code, extract_text):
        assert isinstance(extract(text, f"https://a.example/{name}")["text"], str)


@ROBUST
@given(st.one_of(st.none(), st.text(max_size=40)), st.binary(max_size=1500), st.text(max_size=80))
def test_sniff_kind_and_raw_urls_never_raise(content_type, body, url):
    assert sniff_kind(content_type, body, url) in {"html", "pdf", "code", "text", "other"}
    assert github_raw_url(url) is None or github_raw_url(url).startswith("https://raw.")


def test_main_text_extraction_is_fast():
    extract_html(BLOG, "https://blog.example.org/posts/a.html")  # imports and caches
    pages = 30
    start = time.perf_counter()
    for _ in range(pages):
        extract_html(BLOG, "https://blog.example.org/posts/a.html")
    per_page = (time.perf_counter() - start) / pages
    assert per_page < 0.1  # about 5 ms here; the bound only catches pathologies


_LONG_BODY = "".join(
    f"<p>Paragraph {i} explains how region proposals and convolutional features combine in"
    " modern object detectors, with details about training and evaluation.</p>"
    for i in range(8))


@pytest.mark.parametrize("container", ["article", "main", 'div role="main"'])
def test_links_in_the_last_paragraph_and_reference_list_are_kept(container):
    """The main-text extractor drops the trailing short paragraph and the reference list;
    their links still count, and the page's menus and footers still do not."""
    close = container.split()[0]
    html = (f"<html><head><title>Post</title></head><body><nav><a href='/home'>Home</a></nav>"
            f"<{container}><h1>Post</h1>{_LONG_BODY}<h2>References</h2><ul>"
            "<li><a href='https://arxiv.org/abs/1311.2524'>R-CNN</a></li>"
            "<li><a href='https://arxiv.org/abs/1504.08083'>Fast R-CNN</a></li></ul>"
            "<p>See <a href='https://arxiv.org/abs/1506.01497'>Faster R-CNN</a>.</p>"
            f"<div class='sidebar'><a href='/tags'>Tags</a></div></{close}>"
            "<footer><a href='/about'>About</a></footer></body></html>")
    doc = extract_html(html, "https://blog.example.com/post")
    assert sorted(doc["links"]) == [("https://arxiv.org/abs/1311.2524", "R-CNN"),
                                    ("https://arxiv.org/abs/1504.08083", "Fast R-CNN"),
                                    ("https://arxiv.org/abs/1506.01497", "Faster R-CNN")]


def test_reference_list_links_become_paper_references():
    from crawler.processing import process_download

    html = ("<html><head><title>Post</title></head><body><article><h1>Post</h1>"
            f"{_LONG_BODY}<h2>References</h2><ol>"
            "<li><a href='https://arxiv.org/abs/1311.2524'>[1] R-CNN</a></li></ol>"
            "</article></body></html>").encode()
    result = process_download("https://blog.example.com/post", "https://blog.example.com/post",
                              "text/html; charset=utf-8", html)
    assert [(aid, how) for aid, how, _ in result["paper_refs"]] == [("1311.2524", "link")]
