"""HTML pages: main text without navigation, sidebars and footers; metadata; the links
of the main content only.

The page is parsed once with lxml, for trafilatura, which finds the main text of most
pages. What the code reads itself (metadata, bylines, dates, the content of known sites:
Chinese blog platforms, Wikipedia, GitHub) is read with BeautifulSoup and CSS selectors,
from small soups, since a soup of the whole page would cost as much as trafilatura (see
soups.py). A tag-and-class heuristic on the lxml tree catches what trafilatura gives up
on. Links of the main content are resolved against ``<base href>`` and the page URL,
http(s) only, without #fragment.

>>> page = ('<html lang="en"><head><title>GANs</title></head><body><nav><a href="/">Home</a>'
...         '</nav><article><p>GANs pit a generator against a discriminator, see '
...         '<a href="/paper.html#s2">the paper</a>.</p></article></body></html>')
>>> doc = extract_html(page, "https://a.example/blog/gans.html")
>>> doc["title"], doc["lang"], doc["links"]
('GANs', 'en', [('https://a.example/paper.html', 'the paper')])
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from bs4.element import Tag
from lxml import etree

from . import ExtractionError, file_name
from .code import extract_code
from .dates import iso_date
from .decoding import decode_html
from .links import absolute_link, unique_links
from .meta import TEXT_TYPES, clean, junk_part, page_metadata, text_of
from .sites import drop_parts, github_blob_code, keep_link, site_parts, site_soup
from .soups import PageSoup, soup_of

MAX_HTML = 8_000_000
MAX_TEXT = 2_000_000
SHORT_TEXT = 250  # trafilatura's own threshold for a too-short extraction
# trafilatura's fast mode skips its comparison with readability/justext: F1 0.900 instead
# of 0.909 on its 750-page benchmark. The full mode measured 1.6-10 ms CPU per page here
# (fast: 1.2-9), within budget, so accuracy wins.
FAST = False
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")
_BLOCKS = frozenset("""address article aside blockquote body dd details dialog div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre
    section summary table tbody thead tfoot tr td th ul caption title""".split())
_SKIP = frozenset("script style noscript template svg math button select textarea".split())
# Not <form>: ASP.NET pages wrap the whole body in one.
_PRUNE_TAGS = ("script", "style", "noscript", "template", "svg", "nav", "aside", "footer",
               "iframe", "button", "select", "textarea", "input")
_SPACES = re.compile(r"\s+")
_STRING = etree.XPath("string()")  # compiled once: ref.xpath() compiles on every call
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _markup(html: str) -> str:
    return _XML_DECL.sub("", html.replace("\x00", "")[:MAX_HTML], count=1)


def _parse(markup: str):
    if not markup.strip():
        return None
    try:
        return lxml.html.document_fromstring(markup, parser=_PARSER)
    except etree.ParserError:  # "Document is empty": nothing but whitespace or comments
        return None


def element_text(element) -> str:
    """Visible text of a soup tag, one line per block (paragraph, heading, list item).

    Line breaks of the HTML source are spaces, except inside <pre>.
    """
    parts: list[str] = []

    def walk(node, pre: bool):
        for child in node.children:
            if isinstance(child, Tag):
                if child.name in _SKIP:
                    continue
                block = child.name in _BLOCKS
                if block or child.name == "br":
                    parts.append("\n")
                walk(child, pre or child.name == "pre")
                if block:
                    parts.append("\n")
            elif type(child) in TEXT_TYPES:  # not comments, doctypes, instructions
                parts.append(child if pre else _SPACES.sub(" ", child))

    if element.name not in _SKIP:
        walk(element, element.name == "pre")
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def element_links(element, base: str, page_url: str) -> list[tuple[str, str]]:
    """(absolute URL, anchor text) of the http(s) links inside a soup tag, resolved
    against ``base``, without fragments, deduplicated, links to ``page_url`` left out."""
    found = []
    # find_all, not select("a[href]"): twice as fast over a long article.
    anchors = element.find_all("a", href=True)
    if element.name == "a" and element.has_attr("href"):
        anchors.insert(0, element)
    for anchor in anchors:
        href = absolute_link(base, anchor["href"])
        if href and keep_link(href):
            text = clean(text_of(anchor)) or \
                clean(" ".join(img["alt"] for img in anchor.find_all("img", alt=True)))
            found.append((href, text))
    return unique_links(found, page_url)


def _base_url(head, url: str) -> str:
    base_tag = head.find("base", href=True)
    if base_tag is not None:
        return absolute_link(url, base_tag["href"]) or url
    return url


def _trafilatura(root, base: str, page_url: str) -> tuple[str, list[tuple[str, str]]]:
    import trafilatura
    from trafilatura.xml import xmltotxt

    try:
        document = trafilatura.bare_extraction(
            root, fast=FAST, include_links=True, include_comments=False,
            include_images=False, with_metadata=False, deduplicate=False)
    except Exception:  # a heuristic failing on odd markup; the fallback takes over
        return "", []
    body = getattr(document, "body", None)
    if body is None:
        return "", []
    # Without a URL, trafilatura leaves link targets as written; resolve them here.
    found = [(absolute_link(base, ref.get("target")), clean(_STRING(ref)))
             for ref in body.iter("ref")]
    links = unique_links([(u, a) for u, a in found if u and keep_link(u)], page_url)
    etree.strip_tags(body, "ref")  # plain text, not Markdown links
    for element in body.iter():
        # Line breaks of the HTML source inside a paragraph are not the author's.
        if element.tag != "code":
            element.text = element.text and _SPACES.sub(" ", element.text)
        element.tail = element.tail and _SPACES.sub(" ", element.tail)
    lines = (" ".join(line.split()) for line in xmltotxt(body, False).splitlines())
    return "\n".join(line for line in lines if line), links


def _in_junk(element, container, memo: dict) -> bool:
    """True if ``element`` sits in navigation, a sidebar, a footer ... inside ``container``.
    ``memo`` remembers each ancestor's answer: links share their ancestors."""
    path = []
    verdict = False
    for parent in element.iterancestors():
        if parent is container:
            break
        if parent in memo:
            verdict = memo[parent]
            break
        path.append(parent)
        tag = parent.tag if isinstance(parent.tag, str) else ""
        if tag in _PRUNE_TAGS or junk_part(tag, parent.get("class"), parent.get("id")):
            verdict = True
            break
    for parent in path:
        memo[parent] = verdict
    return verdict


def container_links(root, base: str, page_url: str) -> list[tuple[str, str]]:
    """Links of the page's main-content container (<main>, <article>, role=main), leaving
    out those in its navigation, sidebars and footers, in document order; [] without one.

    trafilatura drops a short last paragraph and reference lists, which is where posts put
    their "References" and "See ..." links; the container still has them. A page without
    such a container keeps trafilatura's links: its body would add every widget's."""
    candidates = root.xpath("//main | //article | //*[@role='main']")
    if not candidates:
        return []
    main = candidates[0] if len(candidates) == 1 else max(
        candidates, key=lambda e: len(e.text_content()))
    found, memo = [], {}
    for anchor in main.iter("a"):
        href = absolute_link(base, anchor.get("href"))
        if href and keep_link(href) and not _in_junk(anchor, main, memo):
            text = clean(anchor.text_content()) or clean(
                " ".join(img.get("alt", "") for img in anchor.iter("img")))
            found.append((href, text))
    return unique_links(found, page_url)


def _main_by_heuristic(root):
    """Drop scripts, navigation, sidebars, comments and footers; keep the biggest of
    <main>/<article> if any, else the body."""
    for element in root.xpath("|".join(f"//{tag}" for tag in _PRUNE_TAGS)):
        element.drop_tree()
    for element in root.xpath("//header[not(ancestor::article) and not(ancestor::main)]"):
        element.drop_tree()
    for element in list(root.iter()):
        if isinstance(element.tag, str) and element.tag not in ("html", "body", "main",
                                                                  "article") \
                and element.getparent() is not None \
                and junk_part(element.tag, element.get("class"), element.get("id")) \
                and not element.xpath(".//main | .//article"):
            element.drop_tree()
    candidates = root.xpath("//main | //article | //*[@role='main']")
    if candidates:
        return max(candidates, key=lambda e: len(e.text_content()))
    body = root.find("body")
    return body if body is not None else root


def _lang(declared: str | None, text: str) -> str | None:
    """The declared language unless the text plainly contradicts it (template defaults)."""
    if not declared or len(text) < 200:
        return declared
    sample = text[:5000]
    cjk_share = len(_CJK.findall(sample)) / max(1, len(sample))
    if declared in ("zh", "ja", "ko"):
        return declared if cjk_share > 0.05 else None
    return declared if cjk_share < 0.2 else None


def _github_blob(soup, url: str, meta: dict) -> dict | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not re.fullmatch(r"(www\.)?github\.com", parts.hostname or "") or "/blob/" not in parts.path:
        return None
    if re.search(r"\.(md|markdown|rst|txt)$", parts.path, re.I):
        return None  # rendered as prose in article.markdown-body
    code = github_blob_code(soup)
    if not code:
        return None
    document = extract_code(code, url)
    document.update(title=file_name(url) or meta["title"],
                    description=document["description"] or meta["description"])
    return document


def extract_html(html: str, url: str) -> dict:
    """title, authors, published, lang, description, text, links (and kind='html').

    An empty or text-free page gives empty text, not an error; ExtractionError only for
    input that cannot be read as HTML at all.
    """
    if isinstance(html, bytes):
        html = decode_html(html)[0]
    if not isinstance(html, str):
        raise ExtractionError(f"expected HTML text, got {type(html).__name__}")
    try:
        return _extract(html, url or "")
    except ExtractionError:
        raise
    except Exception as exc:  # lxml refusing hostile markup must not stop the crawl
        raise ExtractionError(f"unparseable HTML: {type(exc).__name__}: {exc}") from exc


def _extract(html: str, url: str) -> dict:
    result = {"kind": "html", "title": None, "authors": [], "published": None, "lang": None,
              "description": None, "text": "", "links": []}
    markup = _markup(html)
    root = _parse(markup)
    if root is None:
        return result
    page = PageSoup(root)
    base = _base_url(page.head, url)
    meta = page_metadata(page, url)
    soup = site_soup(markup, url)  # None unless a known site
    if soup is not None and (blob := _github_blob(soup, url, meta)) is not None:
        return blob
    site = site_parts(soup, url) or {}
    if site.get("main") is not None:
        main = site["main"]
        drop_parts(main, site["drop"])
        text, links = element_text(main), element_links(main, base, url)
    else:
        text, links = _trafilatura(root, base, url)
        if len(text) < SHORT_TEXT:
            # On short pages trafilatura falls back to dumping the whole page, menus and
            # all, without links; the heuristic does better there, even when it finds
            # nothing but menus.
            main = soup_of(_main_by_heuristic(root))
            text, links = element_text(main), element_links(main, base, url)
        else:
            links = unique_links(links + container_links(root, base, url), url)
    result.update(
        title=(clean(site.get("title")) or meta["title"] or "")[:300] or None,
        authors=site.get("authors") or meta["authors"],
        published=iso_date(site.get("published")) or meta["published"],
        lang=_lang(meta["lang"], text),
        description=meta["description"],
        text=text[:MAX_TEXT],
        links=links,
    )
    return result
