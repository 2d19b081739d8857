"""The small BeautifulSoup documents metadata is read from, cut out of the lxml tree.

BeautifulSoup makes a Python object of every tag and string: a soup of a whole 90 KB page
costs about as much CPU as trafilatura's entire extraction, and a SoupStrainer still pays
for every parser event. The page is parsed by lxml anyway (trafilatura works on that
tree), so the soups are made from the few elements the readers need:

- ``head``: <html lang>, and every <title>, <meta>, <base> and JSON-LD script of the
  page, in document order;
- outlines, made on first use (most pages need none: their head names the author and
  the date): the elements a CSS selector selects, each whole, inside bare copies (tag,
  class, id) of their ancestors, so a date in a sidebar is still in the sidebar. The same
  selector then reads the outline (``PageSoup.select``).

Attribute values stay strings (``class`` too, not bs4's list), so that selectors match
in the soup exactly what they matched in the lxml tree.

>>> import lxml.html
>>> page = PageSoup(lxml.html.fromstring('<html lang="en"><head><title>T</title></head><body>'
...     '<div class="sidebar" title="x"><span class="date">2019-01-01</span><p>Long</p></div>'
...     '<p>Text</p></body></html>'))
>>> page.head.title.string, page.head.html["lang"]
('T', 'en')
>>> outline_soup(page.root, page.root.xpath("//span")).body
<body><div class="sidebar"><span class="date">2019-01-01</span></div></body>
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from html import escape
from itertools import islice

from bs4 import BeautifulSoup
from cssselect import HTMLTranslator
from lxml import etree

_VOID = frozenset("area base basefont bgsound br col embed frame hr img input keygen link "
                  "meta param source track wbr".split())
# Elements whose text the parser takes as it is (no tags, no entities): written back as is.
_RAW = frozenset("script style xmp iframe noembed noframes".split())


class _Plaintext(Exception):
    """<plaintext> takes the rest of the page as its text, end tags included: nothing can
    be written after it, and nothing needs to be, since it ended the page."""


def _attributes(element, names=None) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in element.items()
                   if names is None or name in names)


def _start(element, names=None) -> str:
    return f"<{element.tag}{_attributes(element, names)}>"


def _write(element, out: list[str]) -> None:
    if element.tag == "plaintext":
        out.append(_start(element) + (element.text or ""))
        raise _Plaintext
    if isinstance(element.tag, str):
        out.append(_start(element))
        if element.tag not in _VOID:
            if element.text:
                out.append(element.text if element.tag in _RAW else escape(element.text, False))
            for child in element:
                _write(child, out)
                if child.tail:
                    out.append(escape(child.tail, False))
            out.append(f"</{element.tag}>")


def html_of(element) -> str:
    """An lxml element and its subtree as HTML, without its tail. Unlike lxml's own
    serializer, it leaves URLs as written: libxml2 percent-encodes href and src values.

    >>> import lxml.html
    >>> html_of(lxml.html.fragment_fromstring('<p><a href="/维基 x">A &amp; B</a></p>'))
    '<p><a href="/维基 x">A &amp; B</a></p>'
    """
    out: list[str] = []
    try:
        _write(element, out)
    except _Plaintext:
        pass
    return "".join(out)


def soup(markup: str, **options) -> BeautifulSoup:
    """BeautifulSoup with the lxml parser, attribute values as written."""
    return BeautifulSoup(markup, "lxml", multi_valued_attributes=None, **options)


def soup_of(element) -> BeautifulSoup:
    """A soup of one lxml element and its subtree."""
    return soup(html_of(element))


def head_soup(root) -> BeautifulSoup:
    """<html lang> with the page's <title>, <meta>, <base> and JSON-LD scripts."""
    parts = [f"<html{_attributes(root, ('lang', 'xml:lang'))}><head>"]
    for element in root.iter("title", "meta", "base", "script"):
        if element.tag != "script" or "ld+json" in (element.get("type") or "").lower():
            parts.append(html_of(element))
    return soup("".join(parts + ["</head></html>"]))


@lru_cache(maxsize=None)
def _xpath(css: str):
    return etree.XPath(HTMLTranslator().css_to_xpath(css, prefix="//"))


def outline_soup(root, elements) -> BeautifulSoup:
    """Some elements of a page, whole, in bare copies of their ancestors."""
    chosen = set(elements)
    around = {ancestor for element in chosen for ancestor in element.iterancestors()}
    out: list[str] = []

    def write(element):
        if element in chosen:
            _write(element, out)
        elif element in around:
            out.append(_start(element, ("class", "id")))
            for child in element:
                write(child)
            out.append(f"</{element.tag}>")

    try:
        write(root)
    except _Plaintext:
        pass
    return soup("".join(out))


class PageSoup:
    """What ``meta.page_metadata`` reads: the ``head`` soup, and ``select`` over outlines.

    >>> import lxml.html
    >>> page = PageSoup(lxml.html.fromstring('<p><b>1</b><b>2</b><i><b>3</b></i><b>4</b></p>'))
    >>> [tag.string for tag in page.select("b")]
    ['1', '2', '3', '4']
    """

    FEW = 3  # the first outline's size

    def __init__(self, root):
        self.root = root
        self._matches: dict = {}
        self._outlines: dict = {}

    @cached_property
    def head(self) -> BeautifulSoup:
        return head_soup(self.root)

    def _outline(self, css: str, size: int | None) -> BeautifulSoup:
        if (css, size) not in self._outlines:
            if css not in self._matches:
                self._matches[css] = _xpath(css)(self.root)
            self._outlines[css, size] = outline_soup(self.root, self._matches[css][:size])
        return self._outlines[css, size]

    def select(self, css: str, limit: int | None = None):
        """The tags ``css`` selects, in document order, the first ``limit`` of them.

        Read from an outline of the first FEW matches, then, only if the reader wants
        more, from one of all of them: most readers stop at the first, and a bigger
        outline costs in proportion. The second outline starts with the first one's tags
        (in document order, a match nested in an earlier one comes right after it).
        """
        seen = 0
        for size in (self.FEW, limit) if limit is None or limit > self.FEW else (limit,):
            for tag in islice(self._outline(css, size).css.iselect(css, limit=limit or 0),
                              seen, None):
                seen += 1
                yield tag
            if size is None or len(self._matches[css]) <= size or seen == limit:
                return  # this outline had all there is to read
