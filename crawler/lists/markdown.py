"""Markdown reading lists (awesome-lists, paper lists, notes), read with markdown-it-py.

- A link's heading is its section path: the headings above it ("Papers > Object detection"),
  then the text of the list items it is nested under ("- Detection" / "  - [R-CNN](url)").
  A single ``#`` title that opens the document is the list's name, not a section.
- A link's notes: its text, unless that only names the file ("[pdf]", "code", a bare URL);
  the rest of its list item or table row ("by Goodfellow", the row's title cell); and the
  paper title it belongs to: a bold or short colon-ended paragraph such as
  ``**Rich feature hierarchies**`` applies to the list right after it, whose link-less items
  (``intro: CVPR 2014``, ``作者单位: ...``) are notes on the same paper.
- Images (badges), HTML comments, in-page anchors (``#contents``) are skipped; links in HTML
  blocks count when they have text. A relative link is a problem of its line (no site to
  resolve it against). Bare URLs in text are links too.
- A link-less list item that reads as a paper title (in bold or quotes, or with a venue and
  year such as "CVPR 2016") is a listed paper.

>>> rl = parse_markdown_list("## Papers\\n### Detection\\n\\n- [R-CNN](https://arxiv.org/abs/1311.2524)\\n")
>>> [(s.url, s.heading, s.notes) for s in rl.seeds]
[('https://arxiv.org/abs/1311.2524', 'Papers > Detection', ['R-CNN'])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from markdown_it import MarkdownIt

from crawler.lists.builder import SECTION_SEPARATOR, ListBuilder, clean_text, is_generic_label
from crawler.reading_list import _CANDIDATE, ListedPaper, ReadingList, _trim

_HTML_ANCHOR = re.compile(r"""<a\s[^>]*?href\s*=\s*["']?([^"'\s>]+)""", re.I)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_KEY_VALUE = re.compile(r"^[\w\u4e00-\u9fff /-]{1,24}\s*[:：]\s*\S")
_VENUE_YEAR = re.compile(r"\b(?:CVPR|ICCV|ECCV|NeurIPS|NIPS|ICML|ICLR|AAAI|IJCAI|ACL|EMNLP|"
                         r"NAACL|KDD|TPAMI|JMLR|arXiv|BMVC|WACV|SIGGRAPH)\W{0,3}(?:19|20)\d\d\b",
                         re.I)
_CONTENTS = {"table of contents", "contents", "toc", "目录", "index", "content"}
_TRAILING_VENUE = re.compile(r"\s*[(（\[][^()（）\[\]]*(?:19|20)\d\d[^()（）\[\]]*[)）\]]\s*$")
_QUOTED = re.compile(r'^["“「《](.{8,300})["”」》]\.?$')


@dataclass
class _Inline:
    """What one inline run of Markdown holds: its links and its text around them."""
    links: list[tuple[str, str]] = field(default_factory=list)   # (href, label)
    text: str = ""
    bold_only: bool = False


def _read_inline(children) -> _Inline:
    out = _Inline()
    outside: list[str] = []
    bold_text: list[str] = []
    href, label, only_images, depth_strong = None, [], True, 0
    for child in children or []:
        kind = child.type
        if kind == "link_open":
            href, label, only_images = child.attrs.get("href", ""), [], True
        elif kind == "link_close":
            if href is not None and not (only_images and not "".join(label).strip()):
                out.links.append((href, "".join(label)))
            href = None
        elif kind == "image":
            continue  # badges and figures are not reading
        elif kind in ("text", "code_inline"):
            if href is not None:
                label.append(child.content)
                only_images = only_images and not child.content.strip()
            else:
                outside.append(child.content)
                if depth_strong:
                    bold_text.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            (label if href is not None else outside).append(" ")
        elif kind == "strong_open":
            depth_strong += 1
        elif kind == "strong_close":
            depth_strong -= 1
        elif kind == "html_inline":
            tag = child.content.lower()
            anchor = _HTML_ANCHOR.match(child.content)
            if anchor:   # <a href="..."> written inline works as a Markdown link
                href, label, only_images = anchor.group(1), [], True
            elif tag.startswith("</a") and href is not None:
                if "".join(label).strip():
                    out.links.append((href, "".join(label)))
                href = None
            elif tag.startswith("<br"):
                outside.append(" ")
    text = "".join(outside)
    # Bare URLs in the text are links too; they leave the text.
    for m in list(_CANDIDATE.finditer(text)):
        out.links.append((_trim(m.group()), ""))
    text = _CANDIDATE.sub(" ", text)
    out.text = clean_text(text)
    out.bold_only = bool(out.text) and clean_text("".join(bold_text)) == out.text
    return out


def _html_links(html: str) -> _Inline:
    """Links with text in an HTML block (comments dropped); image-only links are badges."""
    out = _Inline()
    html = _COMMENT.sub("", html)
    if not html.strip():
        return out
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises several types on garbage; the block is just text then
        return out
    for a in root.iter("a"):
        label = clean_text(a.text_content())
        if a.get("href") and label:
            out.links.append((a.get("href"), label))
    return out


class _Reader:
    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.b = ListBuilder(self.lines)
        self.headings: list[tuple[int, str, int]] = []   # (level, text, line)
        self.items: list[dict] = []        # open list items: label, line, had_links
        self.title: dict | None = None     # a paper title paragraph and its group of seeds
        self.row: list[tuple[_Inline, int]] | None = None
        self.in_head = False
        self.doc_title_level: int | None = None

    # -- context -----------------------------------------------------------------------
    def section(self) -> tuple[str | None, int | None]:
        parts = [(t, n) for lvl, t, n in self.headings if lvl != self.doc_title_level]
        parts += [(i["label"], i["line"]) for i in self.items[:-1] if i["label"]]
        if not parts:
            return None, None
        return SECTION_SEPARATOR.join(t for t, _ in parts), parts[-1][1]

    def link(self, href: str, label: str, line_range: tuple[int, int], extra: list[str]):
        href = href.strip()
        if not href or href.startswith("#"):
            return None  # a table-of-contents anchor within the list itself
        line = self.b.line_of(href, *line_range)
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^www\.", href):
            self.b.add_problem(line, f"{href}: relative link, no site to resolve it against")
            return None
        heading, heading_line = self.section()
        notes = []
        if self.title:
            notes.append(self.title["text"])
        if not is_generic_label(label):
            notes.append(label)
        notes += [n for n in extra if n and not is_generic_label(n)]
        seed = self.b.add_link(line, href, heading, heading_line, notes)
        if seed is not None and self.title:
            self.title["seeds"].append(seed)
            for note, n in self.title["notes"]:
                self.b.add_note(seed, note, n)
        return seed

    # -- blocks ------------------------------------------------------------------------
    def heading(self, level: int, inline: _Inline, line: int) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        text = inline.text or clean_text(" ".join(label for _, label in inline.links))
        if text.lower() in _CONTENTS:
            text = ""  # a table of contents is not a section of the list
        if text:
            self.headings.append((level, text, line))
            self.b.add_hint(line, text, "heading")
        self.title = None
        for href, label in inline.links:  # "## [Section](url)": the link belongs under it
            self.link(href, label, (line, line), [])

    def paragraph(self, inline: _Inline, first: int, last: int) -> None:
        item = self.items[-1] if self.items else None
        if not inline.links:
            self._linkless(inline, first, item)
            return
        if item is not None:
            item["had_links"] = True
        for href, label in inline.links:
            self.link(href, label, (first, last), [inline.text])

    def _linkless(self, inline: _Inline, line: int, item: dict | None) -> None:
        text = inline.text
        if not text:
            return
        if item is not None and item["label"] is None and not item["paragraphs"]:
            item["label"] = text          # may head a nested list; decided when it closes
            item["bold"] = inline.bold_only
            item["paragraphs"] += 1
            return
        if item is None and (inline.bold_only or (len(text) <= 200 and text.endswith((":", "："))
                                                  and " " in text.strip())):
            self.title = {"text": clean_text(text), "line": line, "seeds": [], "notes": []}
            self.b.add_hint(line, text, "heading")
            return
        if item is None:
            self.title = None
        self.b.add_hint(line, text, "hint")

    def close_item(self, item: dict) -> None:
        """A link-less leaf item: a note on the paper it is under, a paper, or a hint."""
        label = item["label"]
        if label is None or item["had_links"] or item["had_children"]:
            return
        line = item["line"]
        if self.title is not None and _KEY_VALUE.match(label):
            self.title["notes"].append((label, line))
            for seed in self.title["seeds"]:
                self.b.add_note(seed, label, line)
            return
        if _KEY_VALUE.match(label) and self.b.seeds and self.b.seeds[-1].line >= line - 3:
            self.b.add_note(self.b.seeds[-1], label, line)
            return
        quoted = _QUOTED.match(label)
        if item.get("bold") or quoted or _VENUE_YEAR.search(label):
            title = quoted.group(1) if quoted else _TRAILING_VENUE.sub("", label)
            year = re.search(r"\b((?:19|20)\d\d)\b", label)
            heading, _ = self.section()
            self.b.add_paper(ListedPaper(line=line, title=clean_text(title),
                                         year=int(year.group(1)) if year else None,
                                         heading=heading))
            self.b.add_hint(line, label, "note")
            return
        self.b.add_hint(line, label, "hint")

    def table_row_end(self) -> None:
        row, self.row = self.row or [], None
        texts = [cell.text for cell, _ in row if cell.text and not cell.links]
        for cell, line in row:
            others = texts + ([cell.text] if cell.links and cell.text else [])
            for href, label in cell.links:
                self.link(href, label, (line, line), others)

    # -- walk --------------------------------------------------------------------------
    def run(self, tokens) -> None:
        heads = [t.tag for t in tokens if t.type == "heading_open"]
        if heads and heads[0] == "h1" and heads.count("h1") == 1 and len(heads) > 1:
            self.doc_title_level = 1  # the list's name, not a section of it
        for i, tok in enumerate(tokens):
            kind = tok.type
            if kind == "list_item_open":
                if self.items:
                    self.items[-1]["had_children"] = True
                self.items.append({"label": None, "line": (tok.map or [0])[0] + 1,
                                   "had_links": False, "had_children": False,
                                   "paragraphs": 0})
            elif kind == "list_item_close":
                self.close_item(self.items.pop())
            elif kind in ("bullet_list_close", "ordered_list_close") and not self.items:
                self.title = None if self.title and self.title["seeds"] else self.title
            elif kind == "thead_open":
                self.in_head = True
            elif kind == "thead_close":
                self.in_head = False
            elif kind == "tr_open":
                self.row = []
            elif kind == "tr_close":
                if self.in_head:
                    self.row = None
                else:
                    self.table_row_end()
            elif kind == "html_block":
                inline = _html_links(tok.content)
                first = (tok.map or [0, 0])[0] + 1
                last = (tok.map or [0, 0])[1]
                for href, label in inline.links:
                    self.link(href, label, (first, last), [])
            elif kind == "inline":
                first = (tok.map or [0, 0])[0] + 1
                last = max(first, (tok.map or [0, 0])[1])
                inline = _read_inline(tok.children)
                prev = tokens[i - 1].type if i else ""
                if prev == "heading_open":
                    self.heading(int(tokens[i - 1].tag[1:]), inline, first)
                elif prev in ("td_open", "th_open"):
                    if self.row is not None:
                        self.row.append((inline, first))
                else:
                    self.paragraph(inline, first, last)


_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


def parse_markdown_list(text: str, path: str = "") -> ReadingList:
    """Parse a Markdown reading list; never raises."""
    text = text.removeprefix("\ufeff")
    reader = _Reader(text)
    reader.run(_MARKDOWN.parse(text))
    return reader.b.result(path, "markdown")

