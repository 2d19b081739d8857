"""Page metadata from BeautifulSoup documents: title, authors, date, description, language.

Structured sources first (citation_* tags of scholarly pages, Open Graph, JSON-LD, Dublin
Core), then visible bylines and <time> elements outside sidebars and comments. The readers
take a ``page`` (see ``soups.PageSoup``): ``page.head`` is a soup with the <title>, <meta>
and JSON-LD, and ``page.select(css, limit)`` gives the tags a CSS selector selects in the
body, asked for only when the head leaves a field open. A soup of the whole page can
stand for both.

>>> from types import SimpleNamespace
>>> from bs4 import BeautifulSoup
>>> soup = BeautifulSoup('<html lang="en-GB"><head><meta name="citation_author" '
...     'content="Girshick, Ross"><meta name="citation_title" content="Fast R-CNN">', "lxml")
>>> page = SimpleNamespace(head=soup, select=lambda css, limit=None: soup.select(css))
>>> m = page_metadata(page, "https://a.example/")
>>> m["title"], m["authors"], m["lang"]
('Fast R-CNN', ['Ross Girshick'], 'en')
"""

from __future__ import annotations

import json
import re

from bs4.element import (NavigableString, RubyParenthesisString, RubyTextString, Script,
                         Stylesheet, TemplateString)

from .dates import date_in_url, iso_date

_TITLE_KEYS = ("citation_title", "dc.title", "og:title", "twitter:title")
_DATE_KEYS = ("citation_publication_date", "citation_date", "citation_online_date",
              "article:published_time", "og:published_time", "published_time",
              "datepublished", "dc.date.issued", "dc.date", "dcterms.date", "date",
              "pubdate", "publishdate", "publish-date", "publish_date", "sailthru.date",
              "parsely-pub-date", "article.published", "created")
_AUTHOR_KEYS = ("dc.creator", "author", "article:author", "parsely-author",
                "sailthru.author", "byl")
_DESCRIPTION_KEYS = ("description", "og:description", "twitter:description",
                     "dc.description", "citation_abstract")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]+\s+|\s*_\s*|\s*[|｜]\s*")
_ARTICLE_TYPES = re.compile(r"article|posting|report|webpage|creativework|scholarly", re.I)
# Words in class or id tokens of page parts that are not the article ("sideBar",
# "blog-comments-placeholder", "recommend-box"): their dates and names are somebody else's.
JUNK = re.compile(r"(?:^|[-_])(?:ads?(?:$|[-_])|side[-_]?bar|widget|menu|nav|breadcrumb|"
                  r"comment|footer|shar(?:e|ing)|social|related|recommend|advert|banner|"
                  r"cookie|popup|subscribe|newsletter|pagination|pager|toolbar)", re.I)
_BYLINE_PREFIX = re.compile(r"^\s*(?:posted\s+by\b|written\s+by\b|author\s*:|by\b|"
                            r"作者\s*[:：]?|文\s*[/|｜])\s*", re.I)
# Where pages without metadata name the author and the date; only the first BYLINE_LIMIT
# and DATE_LIMIT matches count (a comment list repeats them).
BYLINES = ("[rel=author], [itemprop=author], .byline, .author, [class=post-author], "
           "[class=entry-author], [class=author-name]")
DATES = ("time, [itemprop=datePublished], [class*=date], [class*=byline], [class*=post-meta], "
         "[class*=entry-meta], [class*=published]")
HEADINGS = "h1"
BYLINE_LIMIT, DATE_LIMIT = 20, 30
# What lxml's text_content() reads: every string but comments, doctypes and the like.
TEXT_TYPES = (NavigableString, RubyTextString, RubyParenthesisString, Script, Stylesheet,
              TemplateString)


def clean(value) -> str:
    """Collapse whitespace: clean(" a\\n b ") == "a b"."""
    return " ".join(str(value or "").split())


def text_of(element) -> str:
    """All text inside a tag, as lxml's ``text_content()`` has it (no comments)."""
    return element.get_text(types=TEXT_TYPES)


def junk_part(tag: str, classes, ident) -> bool:
    """True for a sidebar, menu, comment list, footer... judged by its own tag, class and id
    (``classes``: the attribute, or the list BeautifulSoup makes of it by default).

    >>> junk_part("div", ["post", "sideBar"], None), junk_part("body", "has-sidebar", None)
    (True, False)
    """
    if tag in ("nav", "aside", "footer"):
        return True
    if tag in ("html", "body", "main", "article"):  # "has-sidebar" on <body> says nothing
        return False
    classes = classes.split() if isinstance(classes, str) else classes or []
    return any(JUNK.search(token) for token in [*classes, *(ident or "").split()])


def is_junk(element) -> bool:
    """True when a tag or one of its ancestors is junk (see ``junk_part``)."""
    while element is not None:
        if junk_part(element.name, element.get("class"), element.get("id")):
            return True
        element = element.parent
    return False


def meta_values(soup) -> dict[str, list[str]]:
    """<meta> contents by lower-cased name/property/itemprop, in document order."""
    values: dict[str, list[str]] = {}
    for meta in soup.find_all("meta"):  # a plain tag name: find_all is 10x select here
        key = meta.get("name") or meta.get("property") or meta.get("itemprop") or \
            meta.get("http-equiv")
        content = clean(meta.get("content"))
        if key and content:
            values.setdefault(key.strip().lower(), []).append(content)
    return values


def _json_ld_objects(soup) -> list[dict]:
    found: list[dict] = []

    def walk(node, depth=0):
        if depth > 6 or len(found) > 50:
            return
        if isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            found.append(node)
            walk(node.get("@graph"), depth + 1)
            walk(node.get("mainEntity"), depth + 1)

    for script in soup.find_all("script", type="application/ld+json"):
        try:
            walk(json.loads(script.string or ""))
        except (ValueError, RecursionError):
            continue
    return [obj for obj in found if _ARTICLE_TYPES.search(str(obj.get("@type", "")))]


def _names(value) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    return [clean(value)] if isinstance(value, str) else []


def person_name(value: str) -> str | None:
    """A plausible person or blog name from an author field, or None.

    >>> person_name("By Jane Doe"), person_name("Doe, Jane"), person_name("https://fb.com/x")
    ('Jane Doe', 'Jane Doe', None)
    """
    value = _BYLINE_PREFIX.sub("", clean(value))
    value = re.sub(r"\s*\S+@\S+\.\w+", "", value).strip(" ,;|·•-–—")
    if not value or "://" in value or value.startswith(("@", "www.")) or len(value) > 60:
        return None
    if value.count(",") == 1:  # "Last, First" as citation tags write it
        last, first = (part.strip() for part in value.split(","))
        if last and first and " " not in last:
            value = f"{first} {last}"
    return value if not re.search(r"\d{3,}", value) else None


def split_authors(values: list[str]) -> list[str]:
    """One name per entry; entries listing several names are split on ; , & 'and'.

    >>> split_authors(["Jane Doe, John Smith", "Girshick, Ross and He, Kaiming"])
    ['Jane Doe', 'John Smith', 'Ross Girshick', 'Kaiming He']
    """
    names: list[str] = []
    for value in values:
        for part in re.split(r"\s*(?:;|\||、|，|&|\band\b|\s和\s)\s*", clean(value)):
            pieces = part.split(",")
            if len(pieces) == 2 and " " not in pieces[0].strip() and pieces[1].strip():
                pieces = [part]  # "Last, First"
            names.extend(name for name in map(person_name, pieces) if name)
    return list(dict.fromkeys(names))


def html_lang(soup, values: dict | None = None) -> str | None:
    """Primary language subtag the page declares: <html lang>, then <meta>. 'zh-CN' -> 'zh'."""
    values = meta_values(soup) if values is None else values
    root = soup.html or {}
    candidates = [root.get("lang"), root.get("xml:lang"),
                  *values.get("content-language", []), *values.get("language", []),
                  *values.get("og:locale", []), *values.get("dc.language", [])]
    for value in candidates:
        tag = re.split(r"[-_,;\s]", (value or "").strip().lower())[0]
        if re.fullmatch(r"[a-z]{2,3}", tag):
            return tag
    return None


def _byline_authors(page) -> list[str]:
    for element in page.select(BYLINES, BYLINE_LIMIT):
        if is_junk(element):
            continue
        named = element.select_one("[itemprop=name]")
        text = clean(named.get("content") or text_of(named)) if named else \
            clean(text_of(element))
        # "By Jane Doe, March 20, 2018": the name ends at the first separator or date.
        text = re.split(r"\s*(?:[,|·•\n]|\bon\b|\bposted\b|\d)", _BYLINE_PREFIX.sub("", text))[0]
        if (name := person_name(text)) and len(name.split()) <= 5:
            return [name]
    return []


def _visible_date(page) -> str | None:
    for element in page.select(DATES, DATE_LIMIT):
        if is_junk(element):
            continue
        value = element.get("datetime") or element.get("content") or text_of(element)
        if date := iso_date(value):
            return date
    return None


def _title_tag(page) -> str | None:
    """<title>, reduced to the page's own heading when it adds the site name to it."""
    element = page.head.find("title")
    title = clean(text_of(element)) if element is not None else ""
    segments = {s.strip() for s in _TITLE_SEPARATORS.split(title)}
    if len(segments) > 1:
        headings = [clean(text_of(h)) for h in page.select(HEADINGS, 5)]
        matching = [h for h in headings if h in segments]
        if matching:
            return max(matching, key=len)
    if not title:  # no <title>: the first heading outside menus and sidebars
        title = next((clean(text_of(h)) for h in page.select(HEADINGS)
                      if not is_junk(h)), "")
    return title or None


def page_metadata(page, url: str) -> dict:
    """title, authors, published, description, lang of a page (None/[] if absent).

    ``page.head`` is a soup; ``page.select(css, limit)`` is asked only for what the head
    leaves open.
    """
    values = meta_values(page.head)
    first = lambda keys: next((values[k][0] for k in keys if k in values), None)  # noqa: E731
    ld = _json_ld_objects(page.head)
    ld_first = lambda key: next((o[key] for o in ld if isinstance(o.get(key), str)), None)  # noqa: E731

    title = first(_TITLE_KEYS) or clean(ld_first("headline")) or _title_tag(page)

    authors = split_authors(values.get("citation_author", []))
    if not authors:
        authors = split_authors([n for o in ld for n in _names(o.get("author"))])
    if not authors:
        authors = split_authors([v for k in _AUTHOR_KEYS for v in values.get(k, [])])
    if not authors:
        authors = _byline_authors(page)

    published = None
    for value in [*(v for k in _DATE_KEYS for v in values.get(k, [])),
                  ld_first("datePublished"), ld_first("dateCreated")]:
        if published := iso_date(value):
            break
    published = published or date_in_url(url) or _visible_date(page)

    return {"title": title or None, "authors": authors, "published": published,
            "description": first(_DESCRIPTION_KEYS) or clean(ld_first("description")) or None,
            "lang": html_lang(page.head, values)}
