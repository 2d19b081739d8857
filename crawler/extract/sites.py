"""Where the article is on sites the reading lists use a lot, where generic extraction
either misses the post (Chinese blog platforms) or keeps too much (Wikipedia).

Each site is a few CSS selectors, tried in order per field. ``site_soup`` parses only the
elements those selectors start from (a BeautifulSoup strainer built from them), and
``site_parts`` reads ``main`` (the content tag, or None), ``title``, ``authors``,
``published`` (raw strings) and ``drop`` (selectors of parts of ``main`` that are not
prose: footnote markers, navigation boxes; see ``drop_parts``). Both give None for other
sites.

>>> page = ('<html><body><h1 class="postTitle"><a id="cb_post_title_url">R-CNN</a></h1>'
...     '<div id="cnblogs_post_body"><p>Text</p></div></body></html>')
>>> url = "https://www.cnblogs.com/skyfsm/p/6806246.html"
>>> parts = site_parts(site_soup(page, url), url)
>>> parts["title"], parts["authors"], parts["main"]["id"]
('R-CNN', ['skyfsm'], 'cnblogs_post_body')
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from bs4.filter import ElementFilter

from . import soups
from .meta import clean, text_of


@dataclass(frozen=True)
class Site:
    """Selectors of one site; each field's selectors are tried in order."""
    host: str  # regex on the lower-case host name
    main: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    author_in_path: bool = False  # /NAME/... : the blog is its author's
    drop: tuple[str, ...] = ()  # .class, #id or tag only (see drop_parts)
    extra: tuple[str, ...] = ()  # read by other functions here (github_blob_code)


_WIKI_DROP = tuple(f".{c}" for c in (
    "reference", "navbox", "mw-editsection", "reflist", "mw-references-wrap", "toc",
    "metadata", "hatnote", "ambox", "sistersitebox", "mw-jump-link", "noprint")) + \
    ("#toc", "style", "script")
_BLOB = ('script[type="application/json"]', "textarea#read-only-cursor-text-area",
         "td.blob-code")
SITES = (
    Site(r"(^|\.)cnblogs\.com$", main=("#cnblogs_post_body",),
         title=("#cb_post_title_url", ".postTitle"),
         author=(".postDesc a", "#Header1_HeaderTitle"), author_in_path=True,
         published=("#post-date",)),
    Site(r"(^|\.)csdn\.net$", main=("#content_views",), title=(".title-article",),
         author=(".follow-nickName",), author_in_path=True,
         published=(".article-bar-top .time", ".time")),
    Site(r"^zhuanlan\.zhihu\.com$", main=(".Post-RichText",), title=("h1.Post-Title",),
         author=(".AuthorInfo meta[itemprop=name][content]::attr(content)",
                 ".AuthorInfo-name"),
         published=(".ContentItem-time",)),
    Site(r"(^|\.)wikipedia\.org$", main=("#mw-content-text .mw-parser-output",
                                         "#mw-content-text"),
         title=("#firstHeading",), drop=_WIKI_DROP),
    Site(r"^(www\.)?github\.com$", main=("article.markdown-body",), extra=_BLOB),
)
# Pages come here because sniff_kind found HTML: an XML declaration in front does not
# make them XML, whatever bs4 suspects.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
# The first compound of a selector: tag, then an #id or a .class ("h1.Post-Title"). Every
# selector of a site starts with one of the three.
_START = re.compile(r"^([\w-]*)(?:#([\w-]+)|\.([\w-]+))?")


class _Starts(ElementFilter):
    """Parse only the tags a site's selectors start from (by id, else class, else tag
    name), with everything inside them; the rest of the page never becomes objects."""

    def __init__(self, site: Site):
        super().__init__()
        self.ids, self.classes, self.tags = set(), set(), set()
        for group in (site.main, site.title, site.author, site.published, site.extra):
            for selector in group:
                tag, ident, cls = _START.match(selector).groups()
                (self.ids.add(ident) if ident else self.classes.add(cls) if cls
                 else self.tags.add(tag))

    def allow_tag_creation(self, nsprefix, name, attrs) -> bool:
        attrs = attrs or {}
        return name in self.tags or attrs.get("id") in self.ids or \
            not self.classes.isdisjoint((attrs.get("class") or "").split())

    def allow_string_creation(self, string: str) -> bool:
        return False  # text outside the kept tags


def site_for(url: str) -> Site | None:
    """The rules for this URL's site, or None."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return next((site for site in SITES if re.search(site.host, host)), None)


def site_soup(markup: str, url: str) -> BeautifulSoup | None:
    """The parts of a page of a known site its selectors need; None for other sites."""
    site = site_for(url)
    if site is None or "<" not in markup:  # no tags to find (and no warning from bs4)
        return None
    return soups.soup(markup, parse_only=_Starts(site))


def _first(soup, selectors):
    return next((found for css in selectors if (found := soup.select_one(css)) is not None),
                None)


def _text(soup, selectors) -> str | None:
    """Text of the first tag the first selector finds; if empty, the next selector's.
    ``css::attr(name)`` reads an attribute instead, as in Scrapy."""
    for selector in selectors:
        css, _, attribute = selector.partition("::attr(")
        found = soup.select_one(css)
        if found is not None:
            value = clean(found.get(attribute[:-1]) if attribute else text_of(found))
            if value:
                return value
    return None


def drop_parts(main, selectors) -> None:
    """Remove from ``main`` the tags that any of these simple selectors (``.class``,
    ``#id``, ``tag``) selects. One pass over the tags, matching sets: soupsieve takes
    about 15 µs a tag to try fifteen selectors, and a Wikipedia article has thousands.

    >>> from bs4 import BeautifulSoup
    >>> main = BeautifulSoup('<p>A<sup class="reference x">1</sup> B<style>p{}</style></p>', "lxml")
    >>> drop_parts(main, (".reference", "style"))
    >>> main.p
    <p>A B</p>
    """
    if not selectors:
        return
    classes = {s[1:] for s in selectors if s.startswith(".")}
    ids = {s[1:] for s in selectors if s.startswith("#")}
    names = {s for s in selectors if s[:1] not in (".", "#")}
    for tag in main.find_all(True):
        if tag.decomposed:  # inside a part removed already
            continue
        tokens = tag.get("class") or ""
        tokens = tokens.split() if isinstance(tokens, str) else tokens
        if tag.name in names or tag.get("id") in ids or not classes.isdisjoint(tokens):
            tag.decompose()


def _path_segment(url: str, index: int) -> str | None:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return unquote(segments[index]) if len(segments) > index else None


def site_parts(soup, url: str) -> dict | None:
    """Site-specific parts of a page read with ``site_soup``, or None when no rule knows
    the site or neither its content nor its title is there."""
    site = site_for(url)
    if site is None or soup is None:
        return None
    author = _text(soup, site.author) or (_path_segment(url, 0) if site.author_in_path else None)
    parts = {"main": _first(soup, site.main), "title": _text(soup, site.title),
             "authors": [author] if author else [], "published": _text(soup, site.published),
             "drop": site.drop}
    return parts if parts["main"] is not None or parts["title"] else None


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


def github_blob_code(soup) -> str | None:
    """The source file shown on a github.com/OWNER/REPO/blob/... page, or None.

    Current pages embed it as JSON (``payload.blob.rawLines``) and in a read-only textarea;
    older ones as a table of ``blob-code`` cells.
    """
    for script in soup.select(_BLOB[0]):
        if '"rawLines"' in (script.string or ""):
            try:
                lines = _raw_lines(json.loads(script.string))
            except (ValueError, RecursionError):
                lines = None
            if lines:
                return "\n".join(lines)
    area = soup.select_one(_BLOB[1])
    if area is not None and text_of(area).strip():
        return text_of(area)
    cells = soup.select(_BLOB[2])
    return "\n".join(text_of(cell) for cell in cells) if cells else None


_WIKI_SKIP = re.compile(r"/wiki/(?:Special|Help|File|Template|Template_talk|Category|Talk|"
                        r"Wikipedia|Portal|User|Module|Draft)(?:_talk)?:|[?&]action=", re.I)


def keep_link(url: str) -> bool:
    """False for site-internal links that are chrome, not content (wiki file/help pages)."""
    return not (".wikipedia.org/" in url and _WIKI_SKIP.search(url))
