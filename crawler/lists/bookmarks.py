"""Browser bookmark exports (the Netscape bookmark file of Chrome, Firefox, Edge, Safari).

A bookmark's heading is its folder path ("Deep learning > Object detection"), leaving out
the browser's own top folder ("Bookmarks bar", "Other bookmarks", "书签栏" ...); its note is
its title and its description (``<DD>``). Icons and dates are not kept. HREFs are read as
the file quotes them, a trailing "." included.

>>> html = '<DL><p><DT><H3>Bookmarks bar</H3><DL><p><DT><H3>CV</H3><DL><p>' \\
...        '<DT><A HREF="https://x.org/a." ICON="data:,">A page</A></DL></DL></DL>'
>>> [(s.url, s.heading, s.notes) for s in parse_bookmarks(html).seeds]
[('https://x.org/a.', 'CV', ['A page'])]
"""

from __future__ import annotations

import lxml.etree
import lxml.html

from crawler.lists.builder import SECTION_SEPARATOR, ListBuilder, clean_text
from crawler.reading_list import ReadingList

_BROWSER_ROOTS = {
    "bookmarks bar", "bookmarks toolbar", "bookmarks menu", "other bookmarks",
    "mobile bookmarks", "favorites bar", "favourites bar", "favorites", "bookmarks",
    "书签栏", "其他书签", "移动设备书签", "收藏夹栏", "收藏夹", "书签菜单", "书签工具栏",
}


def _folder_name(dl) -> tuple[str, int] | None:
    """The folder a <DL> lists: the <H3> right before it (lxml closes the <DT> early)."""
    prev = dl.getprevious()
    if prev is None:
        parent = dl.getparent()
        prev = parent if parent is not None and parent.tag == "dt" else None
    if prev is None:
        return None
    h3 = prev if prev.tag == "h3" else next(prev.iter("h3"), None)
    if h3 is None:
        return None
    return clean_text(h3.text_content()), h3.sourceline or 1


def _description(a) -> str:
    dt = a.getparent()
    for candidate in (dt.getnext() if dt is not None else None, next(dt.iter("dd"), None)
                      if dt is not None else None):
        if candidate is not None and candidate.tag == "dd":
            return clean_text(candidate.text_content())
    return ""


def parse_bookmarks(text: str, path: str = "") -> ReadingList:
    """Parse a bookmark export; never raises (a file lxml cannot read gives a problem)."""
    builder = ListBuilder(text.splitlines())
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (lxml.etree.ParserError, ValueError) as exc:
        builder.add_problem(1, f"not a readable bookmark file ({exc})")
        return builder.result(path, "bookmarks")
    for a in root.iter("a"):
        href = a.get("href")
        if not href:
            continue
        line = a.sourceline or 1
        folders = [f for dl in reversed(list(a.iterancestors("dl")))
                   if (f := _folder_name(dl)) and f[0]]
        if folders and folders[0][0].lower() in _BROWSER_ROOTS:
            folders = folders[1:]
        for name, folder_line in folders:
            builder.add_hint(folder_line, name, "heading")
        heading = SECTION_SEPARATOR.join(name for name, _ in folders) or None
        notes = [clean_text(a.text_content()), _description(a)]
        builder.add_link(line, href, heading, folders[-1][1] if folders else None,
                         [n for n in notes if n])
    return builder.result(path, "bookmarks")
