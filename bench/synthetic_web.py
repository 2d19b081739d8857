"""A synthetic blog web for crawl benchmarks: N pages written to a directory.

Pages look like real blog posts, in English (about 70 %) and Chinese (about 30 %), 4-12 KB
each: a header with navigation and a search form, the post (title, byline, date,
paragraphs, headings, lists, code), tags, share buttons and comments, a sidebar of recent
posts, archives and an about box, a footer, and inline scripts. Posts link to each other
and to arXiv papers (``/abs/`` and ``/pdf/`` links, ``arXiv:1512.03385`` in the text).
Page ``i`` is the same whatever N is, except for which other posts it links to.

>>> import tempfile
>>> site = write_site(tempfile.mkdtemp(), 3)
>>> len(site["paths"]), site["paths"][0]
(3, '/posts/00000.html')
>>> page = make_page(1, 3)
>>> 4096 <= len(page) <= 13 * 1024
True
"""

from __future__ import annotations

import random
from html import escape
from pathlib import Path

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"
CHINESE_SHARE = 0.3

# Real arXiv ids, so the pages cite papers the way blogs do.
ARXIV = {
    "ResNet": "1512.03385", "Faster R-CNN": "1506.01497", "Transformer": "1706.03762",
    "BERT": "1810.04805", "GAN": "1406.2661", "VAE": "1312.6114", "U-Net": "1505.04597",
    "Mask R-CNN": "1703.06870", "GoogLeNet": "1409.4842", "VGG": "1409.1556",
    "capsule networks": "1710.09829", "word2vec": "1301.3781",
    "batch normalization": "1502.03167", "Adam": "1412.6980", "YOLO": "1506.02640",
    "DenseNet": "1608.06993", "Dropout": "1207.0580", "R-CNN": "1311.2524",
    "SSD": "1512.02325", "MobileNet": "1704.04861", "EfficientNet": "1905.11946",
    "GPT-2": "2005.14165", "ViT": "2010.11929", "CLIP": "2103.00020",
}
METHODS = list(ARXIV)
TOPICS = ["object detection", "image classification", "semantic segmentation",
          "machine translation", "speech recognition", "language modelling",
          "representation learning", "reinforcement learning", "image generation",
          "few-shot learning", "self-supervised learning", "optimization"]
ZH_TOPICS = ["目标检测", "图像分类", "语义分割", "机器翻译", "语音识别", "语言模型",
             "表示学习", "强化学习", "图像生成", "小样本学习", "自监督学习", "优化算法"]
PEOPLE = ["Kaiming He", "Ross Girshick", "Yann LeCun", "Geoffrey Hinton", "Ian Goodfellow",
          "Andrew Ng", "Fei-Fei Li", "Yoshua Bengio", "Andrej Karpathy", "Jian Sun"]
ZH_PEOPLE = ["何恺明", "孙剑", "李飞飞", "吴恩达", "周志华", "李沐"]
NOUNS = ["network", "layer", "loss", "gradient", "feature map", "learning rate", "benchmark",
         "dataset", "backbone", "decoder", "encoder", "attention head", "kernel", "anchor",
         "bounding box", "embedding", "tokenizer", "checkpoint", "batch", "regularizer"]
VERBS = ["improves", "replaces", "simplifies", "speeds up", "stabilizes", "extends",
         "generalizes", "outperforms", "builds on", "reuses"]
ADJ = ["deeper", "wider", "faster", "smaller", "more accurate", "more robust", "cheaper",
       "simpler", "pretrained", "residual"]
EN_SENTENCES = [
    "{m} {v} the {n} of earlier models and makes {t} {a}.",
    "In the original paper, {p} and colleagues show that {m} {v} a plain {n}.",
    "The key idea of {m} is a {a} {n} that is easy to train.",
    "Compared with {m2}, {m} needs fewer parameters but a careful {n}.",
    "Most tutorials on {t} start with {m}, and for good reason.",
    "If the {n} is too large, training diverges after a few epochs.",
    "We trained {m} on a single GPU for {k} hours with a batch of {b} images.",
    "The table below compares {m} and {m2} on the standard {t} benchmark.",
    "A common mistake is to forget the {n} when the {n2} changes.",
    "{p} explained in a talk why {m} works so well for {t}.",
    "The code is short: about {k}0 lines of PyTorch for the {n} and the {n2}.",
    "Accuracy went from {k}1.{b} % to {k}4.{k} % after we switched to {m}.",
]
ZH_SENTENCES = [
    "{m} 在 {m2} 的基础上改进了{zn}，使{zt}更加{za}。",
    "{zp} 等人在论文中提出了 {m}，核心思想是{za}的{zn}。",
    "很多{zt}的教程都从 {m} 讲起，因为它简单而且有效。",
    "如果{zn}设置得太大，训练在几个 epoch 之后就会发散。",
    "我们在单张显卡上训练了 {k} 个小时，batch size 为 {b}。",
    "和 {m2} 相比，{m} 的参数更少，但是{zn}需要仔细调整。",
    "下面的表格比较了 {m} 和 {m2} 在{zt}数据集上的结果。",
    "常见的错误是修改了{zn}之后忘记调整{zn2}。",
    "本文用 PyTorch 实现 {m}，代码大约 {k}0 行。",
    "准确率从 {k}1.{b}% 提高到了 {k}4.{k}%，主要得益于{zn}的改进。",
]
ZH_NOUNS = ["网络结构", "损失函数", "学习率", "特征图", "卷积核", "锚框", "注意力机制",
            "正则化", "数据增强", "预训练模型", "梯度", "批归一化"]
ZH_ADJ = ["高效", "稳定", "准确", "简单", "鲁棒", "轻量"]
EN_HEADINGS = ["Background", "How it works", "Architecture", "Training details",
               "Results", "Implementation", "Discussion", "Further reading"]
ZH_HEADINGS = ["背景", "原理", "网络结构", "训练细节", "实验结果", "代码实现", "总结", "参考资料"]
CODE = ("import torch\nimport torch.nn as nn\n\nclass Block(nn.Module):\n"
        "    def __init__(self, c):\n        super().__init__()\n"
        "        self.conv = nn.Conv2d(c, c, 3, padding=1)\n"
        "        self.bn = nn.BatchNorm2d(c)\n\n    def forward(self, x):\n"
        "        return torch.relu(x + self.bn(self.conv(x)))\n")
COMMENTS_EN = ["Great post, thanks for sharing!", "Could you share the training script?",
               "I think the learning rate in section 3 is off by a factor of ten.",
               "Very clear explanation, bookmarked."]
COMMENTS_ZH = ["写得很好，感谢分享！", "请问训练代码在哪里下载？", "第三节的学习率好像写错了。",
               "讲得很清楚，收藏了。"]


def page_path(i: int) -> str:
    return f"/posts/{i:05d}.html"


def is_chinese(i: int) -> bool:
    return random.Random(f"lang-{i}").random() < CHINESE_SHARE


def _sentence(rng: random.Random, zh: bool, method: str) -> str:
    other = rng.choice(METHODS)
    slots = dict(m=method, m2=other, v=rng.choice(VERBS), n=rng.choice(NOUNS),
                 n2=rng.choice(NOUNS), a=rng.choice(ADJ), t=rng.choice(TOPICS),
                 p=rng.choice(PEOPLE), k=rng.randint(2, 9), b=rng.choice([16, 32, 64, 128]),
                 zn=rng.choice(ZH_NOUNS), zn2=rng.choice(ZH_NOUNS), za=rng.choice(ZH_ADJ),
                 zt=rng.choice(ZH_TOPICS), zp=rng.choice(ZH_PEOPLE))
    return rng.choice(ZH_SENTENCES if zh else EN_SENTENCES).format(**slots)


def _paragraph(rng: random.Random, zh: bool, method: str, n_pages: int) -> str:
    parts = []
    for _ in range(rng.randint(3, 6)):
        s = escape(_sentence(rng, zh, method))
        roll = rng.random()
        if roll < 0.15:
            j = rng.randrange(n_pages)
            anchor = escape(rng.choice(METHODS) + (" 详解" if zh else " explained"))
            s += f' <a href="{page_path(j)}">{anchor}</a>'
        elif roll < 0.25:
            m = rng.choice(METHODS)
            kind = rng.choice(["abs/", "pdf/"])
            url = f"https://arxiv.org/{kind}{ARXIV[m]}" + (".pdf" if kind == "pdf/" else "")
            s += f' (<a href="{url}">{escape(m)} paper</a>)'
        elif roll < 0.3:
            aid = ARXIV[rng.choice(METHODS)]
            s += f"详见 arXiv:{aid}。" if zh else f" See arXiv:{aid} for the details."
        parts.append(s)
    return "<p>" + ("" if zh else " ").join(parts) + "</p>\n"


def _boilerplate(rng: random.Random, zh: bool, i: int, n_pages: int) -> tuple[str, str]:
    blog = rng.choice(["深度学习笔记", "炼丹手记", "AI 小站"] if zh else
                      ["Deep Learning Notes", "The Gradient Diary", "ML Adventures"])
    nav_labels = (["首页", "归档", "分类", "标签", "关于", "友情链接", "订阅"] if zh else
                  ["Home", "Archives", "Categories", "Tags", "About", "Links", "Subscribe"])
    nav = "".join(f'<li><a href="/{label_i}.html">{label}</a></li>'
                  for label_i, label in enumerate(nav_labels))
    cats = "".join(f'<li><a href="/category/{k}.html">{escape(t)}</a></li>'
                   for k, t in enumerate(ZH_TOPICS if zh else TOPICS))
    recent = "".join(
        f'<li><a href="{page_path(j)}">{escape(rng.choice(METHODS))}'
        f'{" 笔记" if zh else " notes"}</a></li>'
        for j in rng.sample(range(n_pages), min(8, n_pages)))
    archives = "".join(f'<li><a href="/archive/20{y}/{m:02d}/">20{y}-{m:02d}</a></li>'
                       for y in (17, 18) for m in (1, 4, 7, 10))
    about = ("博主是一名算法工程师，喜欢研究深度学习和计算机视觉。" if zh else
             "I am a machine learning engineer writing about deep learning and vision.")
    head = f"""<header class="site-header"><div class="wrap"><a class="logo" href="/">{blog}</a>
<nav class="main-nav" role="navigation"><ul>{nav}</ul></nav>
<form class="search" action="/search"><input type="text" name="q" placeholder="{'搜索' if zh else 'Search'}"><button>Go</button></form>
</div></header>
"""
    side = f"""<aside class="sidebar" id="sidebar">
<div class="widget"><h3>{'最新文章' if zh else 'Recent posts'}</h3><ul>{recent}</ul></div>
<div class="widget"><h3>{'分类' if zh else 'Categories'}</h3><ul>{cats}</ul></div>
<div class="widget"><h3>{'归档' if zh else 'Archives'}</h3><ul>{archives}</ul></div>
<div class="widget about"><h3>{'关于' if zh else 'About'}</h3><p>{about}</p></div>
</aside>
<footer class="site-footer"><p>&copy; 2018 {blog}. {'由 WordPress 强力驱动' if zh else 'Powered by WordPress'}.
<a href="/privacy.html">{'隐私政策' if zh else 'Privacy'}</a> | <a href="/feed.xml">RSS</a> | <a href="/sitemap.xml">Sitemap</a></p></footer>
<script>(function(){{var d=document,s=d.createElement('script');s.src='/static/comments.js';s.async=true;d.body.appendChild(s);}})();</script>
<script src="/static/app.js"></script>
"""
    return head, side


def make_page(i: int, n_pages: int) -> bytes:
    """The HTML of post ``i`` of a site of ``n_pages`` posts, UTF-8, 4-12 KB."""
    rng = random.Random(i)
    zh = is_chinese(i)
    target = rng.randint(4096, 12 * 1024)
    method = rng.choice(METHODS)
    topic = rng.choice(ZH_TOPICS if zh else TOPICS)
    title = (f"{method} 详解：{topic}中的经典方法" if zh else
             f"{method} explained: a {rng.choice(ADJ)} approach to {topic}")
    author = rng.choice(ZH_PEOPLE if zh else PEOPLE)
    date = f"20{rng.randint(15, 19)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    head, side = _boilerplate(rng, zh, i, n_pages)
    desc = escape(_sentence(rng, zh, method))
    top = f"""<!DOCTYPE html>
<html lang="{'zh-CN' if zh else 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<meta name="description" content="{desc}">
<meta name="author" content="{escape(author)}">
<meta property="og:title" content="{escape(title)}">
<meta property="article:published_time" content="{date}T08:00:00+00:00">
<link rel="stylesheet" href="/static/style.css">
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());gtag('config','UA-{1000 + i}-1');</script>
</head>
<body class="post-template">
{head}<div class="container">
<main id="main" class="content">
<article class="post">
<h1 class="post-title">{escape(title)}</h1>
<div class="post-meta">{'作者' if zh else 'By'} <span class="author">{escape(author)}</span> \
<time datetime="{date}">{date}</time></div>
<div class="post-content entry-content">
"""
    comments = "".join(f'<div class="comment"><span class="who">user{rng.randint(1, 999)}'
                       f'</span><p>{escape(rng.choice(COMMENTS_ZH if zh else COMMENTS_EN))}'
                       "</p></div>" for _ in range(rng.randint(1, 3)))
    tags = "".join(f'<a rel="tag" href="/tag/{k}.html">{escape(m)}</a> '
                   for k, m in enumerate(rng.sample(METHODS, 3)))
    bottom = f"""</div>
<div class="tags">{'标签' if zh else 'Tags'}: {tags}</div>
<div class="share"><a href="https://twitter.com/share">Twitter</a> <a href="https://www.facebook.com/sharer.php">Facebook</a> <a href="https://www.weibo.com/share">Weibo</a></div>
</article>
<section class="comments"><h3>{'评论' if zh else 'Comments'}</h3>{comments}</section>
</main>
{side}</div>
</body>
</html>
"""
    fixed = len(top.encode()) + len(bottom.encode())
    body: list[str] = []
    size = fixed
    headings = ZH_HEADINGS if zh else EN_HEADINGS
    while size < target:
        roll = rng.random()
        if roll < 0.12:
            block = f"<h2>{rng.choice(headings)}</h2>\n"
        elif roll < 0.2:
            items = "".join(f"<li>{escape(_sentence(rng, zh, method))}</li>"
                            for _ in range(rng.randint(2, 4)))
            block = f"<ul>{items}</ul>\n"
        elif roll < 0.24:
            block = f"<pre><code>{escape(CODE)}</code></pre>\n"
        else:
            block = _paragraph(rng, zh, method, n_pages)
        encoded = len(block.encode())
        if size + encoded > 12 * 1024 and body:
            break
        body.append(block)
        size += encoded
    return (top + "".join(body) + bottom).encode()


def write_site(root: str | Path, n_pages: int) -> dict:
    """Write ``n_pages`` posts and ``robots.txt`` under ``root``; returns the page paths,
    the share of Chinese pages and the byte sizes."""
    root = Path(root)
    (root / "posts").mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text(ROBOTS_TXT)
    paths, sizes, chinese = [], [], 0
    for i in range(n_pages):
        body = make_page(i, n_pages)
        path = page_path(i)
        (root / path.lstrip("/")).write_bytes(body)
        paths.append(path)
        sizes.append(len(body))
        chinese += is_chinese(i)
    return {"root": str(root), "paths": paths, "chinese_share": round(chinese / n_pages, 3),
            "bytes_min": min(sizes), "bytes_max": max(sizes),
            "bytes_mean": round(sum(sizes) / n_pages)}


def write_reading_list(path: str | Path, base: str, paths: list[str]) -> Path:
    """A reading list of every page, with a heading line every 100 links."""
    lines = []
    for k, p in enumerate(paths):
        if k % 100 == 0:
            lines.append(f"\nPosts {k + 1}-{min(k + 100, len(paths))}")
        lines.append(base + p)
    path = Path(path)
    path.write_text("\n".join(lines).lstrip() + "\n", encoding="utf-8")
    return path
