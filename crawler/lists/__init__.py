"""Reading lists in the formats people keep them: plain text, Markdown, bookmarks, BibTeX.

Each format gives the same :class:`~crawler.reading_list.ReadingList` (seeds, hints,
problems, papers). :func:`detect_format` picks one from the file name and its content;
``scrapy crawl seeds -a format=NAME`` forces one.

>>> detect_format("papers.bib", "")
'bibtex'
>>> detect_format("list.txt", "<!DOCTYPE NETSCAPE-Bookmark-file-1>\\n<DL>")
'bookmarks'
>>> detect_format("notes", "## Detection\\n" + "- [R-CNN](https://arxiv.org/abs/1311.2524)\\n" * 3)
'markdown'
"""

from __future__ import annotations

import re
from pathlib import PurePath

from crawler.reading_list import ReadingList, parse_reading_list

FORMATS = ("text", "markdown", "bookmarks", "bibtex")

_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".mdown": "markdown",
               ".mkd": "markdown", ".bib": "bibtex", ".bibtex": "bibtex",
               ".html": "bookmarks", ".htm": "bookmarks"}
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M)
_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.M)
_MD_LINK = re.compile(r"\[[^\]\n]*\]\([^)\s]+\)")
_MD_ITEM_LINK = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+.*\[[^\]\n]*\]\(", re.M)


def detect_format(path: str, text: str) -> str:
    """The format of a list: a Netscape bookmark file or BibTeX by their content whatever
    the name; else the extension (.md, .bib, .html); else Markdown when headings or list
    items carry ``[text](url)`` links; else plain text."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if head.upper().startswith("<!DOCTYPE NETSCAPE-BOOKMARK-FILE"):
        return "bookmarks"
    entries = len(_BIBTEX_ENTRY.findall(text))
    if entries and head.startswith(("@", "%")) and entries * 3 >= len(re.findall(
            r"https?://", text)):
        return "bibtex"
    suffix = PurePath(path).suffix.lower()
    if suffix in _EXTENSIONS:
        found = _EXTENSIONS[suffix]
        if found != "bookmarks" or re.search(r"<\s*dt\b", head, re.I):
            return found
    # A plain-text list may hold a [title](url) or two; Markdown has its headings too.
    if ((_MD_HEADING.search(text) and len(_MD_LINK.findall(text)) >= 3)
            or len(_MD_ITEM_LINK.findall(text)) >= 3):
        return "markdown"
    return "text"


def parse_list(text: str, path: str = "", list_format: str | None = None) -> ReadingList:
    """Parse a list in the given format, or the detected one; never raises."""
    list_format = list_format or detect_format(path, text)
    if list_format == "markdown":
        from crawler.lists.markdown import parse_markdown_list
        return parse_markdown_list(text, path)
    if list_format == "bookmarks":
        from crawler.lists.bookmarks import parse_bookmarks
        return parse_bookmarks(text, path)
    if list_format == "bibtex":
        from crawler.lists.bibtex import parse_bibtex
        return parse_bibtex(text, path)
    return parse_reading_list(text, path)
