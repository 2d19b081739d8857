"""Where the article is on sites the reading lists use a lot, where generic extraction
either misses the post (Chinese blog platforms) or keeps too much (Wikipedia).

``site_parts(tree, url)`` returns None for other sites, else a dict with ``main`` (the
content element, or None), ``title``, ``authors``, ``published`` (raw strings), and ``drop``
(XPath of parts of ``main`` that are not prose: footnote markers, navigation boxes).

>>> import lxml.html
>>> tree = lxml.html.fromstring('<html><body><h1 class="postTitle"><a id="cb_post_title_url">'
...     'R-CNN</a></h1><div id="cnblogs_post_body"><p>Text</p></div></body></html>')
>>> parts = site_parts(tree, "https://www.cnblogs.com/skyfsm/p/6806246.html")
>>> parts["title"], parts["authors"], parts["main"].get("id")
('R-CNN', ['skyfsm'], 'cnblogs_post_body')
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

from .meta import clean


def has_class(name: str) -> str:
    """XPath predicate: the class attribute has this token."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _first(tree, xpath: str):
    found = tree.xpath(xpath)
    return found[0] if found else None


def _text(tree, xpath: str) -> str | None:
    found = _first(tree, xpath)
    if found is None:
        return None
    return clean(found if isinstance(found, str) else found.text_content()) or None


def _path_segment(url: str, index: int) -> str | None:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return unquote(segments[index]) if len(segments) > index else None


def _cnblogs(tree, url):
    author = _text(tree, f"//*[{has_class('postDesc')}]//a[1]") or \
        _text(tree, "//*[@id='Header1_HeaderTitle']") or _path_segment(url, 0)
    return {"main": _first(tree, "//*[@id='cnblogs_post_body']"),
            "title": _text(tree, "//*[@id='cb_post_title_url']") or
            _text(tree, f"//*[{has_class('postTitle')}]"),
            "authors": [author] if author else [],
            "published": _text(tree, "//*[@id='post-date']")}


def _csdn(tree, url):
    author = _text(tree, f"//*[{has_class('follow-nickName')}]") or _path_segment(url, 0)
    return {"main": _first(tree, "//*[@id='content_views']"),
            "title": _text(tree, f"//*[{has_class('title-article')}]"),
            "authors": [author] if author else [],
            "published": _text(tree, f"//*[{has_class('article-bar-top')}]//*[{has_class('time')}]")
            or _text(tree, f"//*[{has_class('time')}]")}


def _zhihu(tree, url):
    author = _text(tree, f"//*[{has_class('AuthorInfo')}]//meta[@itemprop='name']/@content") or \
        _text(tree, f"//*[{has_class('AuthorInfo-name')}]")
    return {"main": _first(tree, f"//*[{has_class('Post-RichText')}]"),
            "title": _text(tree, f"//h1[{has_class('Post-Title')}]"),
            "authors": [author] if author else [],
            "published": _text(tree, f"//*[{has_class('ContentItem-time')}]")}


_WIKI_DROP = " | ".join(f".//*[{has_class(c)}]" for c in (
    "reference", "navbox", "mw-editsection", "reflist", "mw-references-wrap", "toc",
    "metadata", "hatnote", "ambox", "sistersitebox", "mw-jump-link", "noprint")) + \
    " | .//*[@id='toc'] | .//style | .//script"


def _wikipedia(tree, url):
    main = _first(tree, f"//*[@id='mw-content-text']//*[{has_class('mw-parser-output')}]")
    return {"main": main if main is not None else _first(tree, "//*[@id='mw-content-text']"),
            "title": _text(tree, "//*[@id='firstHeading']"),
            "authors": [], "published": None, "drop": _WIKI_DROP}


def _github(tree, url):
    return {"main": _first(tree, f"//article[{has_class('markdown-body')}]"),
            "title": None, "authors": [], "published": None}


def _raw_lines(node, depth=0):
    if depth > 8:
        return None
    if isinstance(node, dict):
        lines = node.get("rawLines")
        if isinstance(lines, list) and all(isinstance(x, str) for x in lines):
            return lines
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)) and (lines := _raw_lines(item, depth + 1)):
                return lines
    return None


def github_blob_code(tree) -> str | None:
    """The source file shown on a github.com/OWNER/REPO/blob/... page, or None.

    Current pages embed it as JSON (``payload.blob.rawLines``) and in a read-only textarea;
    older ones as a table of ``blob-code`` cells.
    """
    for script in tree.xpath("//script[@type='application/json']"):
        if '"rawLines"' in (script.text or ""):
            try:
                lines = _raw_lines(json.loads(script.text))
            except (ValueError, RecursionError):
                lines = None
            if lines:
                return "\n".join(lines)
    area = _first(tree, "//textarea[@id='read-only-cursor-text-area']")
    if area is not None and (area.text or "").strip():
        return area.text
    cells = tree.xpath(f"//td[{has_class('blob-code')}]")
    return "\n".join(cell.text_content() for cell in cells) if cells else None


_SITES = ((re.compile(r"(^|\.)cnblogs\.com$"), _cnblogs),
          (re.compile(r"(^|\.)csdn\.net$"), _csdn),
          (re.compile(r"^zhuanlan\.zhihu\.com$"), _zhihu),
          (re.compile(r"(^|\.)wikipedia\.org$"), _wikipedia),
          (re.compile(r"^(www\.)?github\.com$"), _github))
_WIKI_SKIP = re.compile(r"/wiki/(?:Special|Help|File|Template|Template_talk|Category|Talk|"
                        r"Wikipedia|Portal|User|Module|Draft)(?:_talk)?:|[?&]action=", re.I)


def site_parts(tree, url: str) -> dict | None:
    """Site-specific parts of a parsed page, or None when no rule knows the site."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    for pattern, rule in _SITES:
        if pattern.search(host):
            parts = rule(tree, url)
            return parts if parts["main"] is not None or parts["title"] else None
    return None


def keep_link(url: str) -> bool:
    """False for site-internal links that are chrome, not content (wiki file/help pages)."""
    return not (".wikipedia.org/" in url and _WIKI_SKIP.search(url))
