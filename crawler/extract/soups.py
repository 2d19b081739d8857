"""The small BeautifulSoup documents metadata is read from, cut out of the lxml tree.

BeautifulSoup makes a Python object of every tag and string: a whole 90 KB page costs it
about as much CPU as trafilatura's entire extraction, and a SoupStrainer still pays for
every parser event. The page is parsed by lxml anyway (trafilatura works on that tree), so
the soups are built from the few elements the readers need, serialized by lxml:

- ``head``: <html> with its attributes, and every <title>, <meta>, <base> and JSON-LD
  script of the page, in document order;
- ``body``, built on first use: the elements ``meta.HEADINGS``, ``meta.BYLINES`` and
  ``meta.DATES`` select (up to the readers' limits), each with its whole subtree, inside
  bare copies (tag, class, id) of its ancestors, so a date in a sidebar is still in it.

>>> import lxml.html
>>> page = PageSoup(lxml.html.fromstring('<html lang="en"><head><title>T</title></head><body>'
...     '<div class="sidebar" title="x"><span class="date">2019-01-01</span><p>Long</p></div>'
...     '<p>Text</p></body></html>'))
>>> page.head.title.string, page.head.html["lang"]
('T', 'en')
>>> page.body.body
<body><div class="sidebar"><span class="date">2019-01-01</span></div></body>
"""

from __future__ import annotations

import copy
from functools import cached_property

import lxml.html
from bs4 import BeautifulSoup
from cssselect import HTMLTranslator
from lxml import etree

from .meta import BYLINE_LIMIT, BYLINES, DATE_LIMIT, DATES, HEADINGS

_CUTS = tuple((etree.XPath(HTMLTranslator().css_to_xpath(css, prefix="//")), limit)
              for css, limit in ((HEADINGS, None), (BYLINES, BYLINE_LIMIT), (DATES, DATE_LIMIT)))
# All three at once: XPath returns a union in document order.
_ALL = etree.XPath(HTMLTranslator().css_to_xpath(f"{HEADINGS}, {BYLINES}, {DATES}", prefix="//"))
_LANG = {"lang": "lang", "xml:lang": "{http://www.w3.org/XML/1998/namespace}lang"}


def soup_of(element) -> BeautifulSoup:
    """A soup of one lxml element and its subtree (without its tail)."""
    return BeautifulSoup(lxml.html.tostring(element, encoding="unicode", with_tail=False),
                         "lxml")


def _head_elements(root):
    for element in root.iter("title", "meta", "base", "script"):
        if element.tag != "script" or "ld+json" in (element.get("type") or "").lower():
            yield element


def head_soup(root) -> BeautifulSoup:
    """<html lang> with the page's <title>, <meta>, <base> and JSON-LD scripts."""
    outline = etree.Element("html")
    for name, qualified in _LANG.items():  # lxml refuses most odd names: copy only these
        if root.get(name) is not None:
            outline.set(qualified, root.get(name))
    head = etree.SubElement(outline, "head")
    for element in _head_elements(root):
        clone = copy.deepcopy(element)
        clone.tail = None
        head.append(clone)
    return soup_of(outline)


def _bare(element, parent):
    attributes = {k: element.get(k) for k in ("class", "id") if element.get(k) is not None}
    return etree.SubElement(parent, element.tag, attributes)


def body_soup(root) -> BeautifulSoup:
    """Headings, bylines and dates, in their ancestors (see the module docstring)."""
    chosen = {element for xpath, limit in _CUTS for element in xpath(root)[:limit]}
    if root in chosen:  # <html class="author">: the whole page it is
        return soup_of(root)
    copies = {root: etree.Element(root.tag)}
    kept: set = set()
    for element in _ALL(root):  # document order, so each copy goes after the last one
        if element not in chosen or any(a in kept for a in element.iterancestors()):
            continue
        missing = []
        parent = element.getparent()
        while parent not in copies:
            missing.append(parent)
            parent = parent.getparent()
        for ancestor in reversed(missing):
            copies[ancestor] = _bare(ancestor, copies[ancestor.getparent()])
        clone = copy.deepcopy(element)
        clone.tail = None
        copies[parent].append(clone)
        kept.add(element)
    return soup_of(copies[root])


class PageSoup:
    """The two soups ``meta.page_metadata`` reads; ``body`` is built on first use only."""

    def __init__(self, root):
        self.root = root

    @cached_property
    def head(self) -> BeautifulSoup:
        return head_soup(self.root)

    @cached_property
    def body(self) -> BeautifulSoup:
        return body_soup(self.root)
