"""Collects what a structured list (Markdown, bookmarks, BibTeX) gives into a ReadingList.

Each format's reader walks its own structure and calls :class:`ListBuilder` with links,
headings, notes and papers; the builder validates links exactly as the plain-text reader
does, keeps one seed per (line, URL), one hint per line, and one problem per line.

>>> b = ListBuilder(["- [R-CNN](https://arxiv.org/abs/1311.2524)"])
>>> _ = b.add_link(1, "https://arxiv.org/abs/1311.2524", "Papers > Detection", 1, ["R-CNN"])
>>> rl = b.result("list.md", "markdown")
>>> rl.seeds[0].url, rl.seeds[0].heading, rl.seeds[0].notes
('https://arxiv.org/abs/1311.2524', 'Papers > Detection', ['R-CNN'])
"""

from __future__ import annotations

import re

from crawler.reading_list import (Hint, ListedPaper, Problem, ReadingList, Seed,
                                  _seed_url)

SECTION_SEPARATOR = " > "
_SPACES = re.compile(r"\s+")
# Link labels that say what kind of file a link is, not what it is about.
GENERIC_LABELS = {
    "web", "pdf", "paper", "code", "github", "project", "project page", "link", "site",
    "website", "homepage", "home", "arxiv", "slides", "slide", "video", "videos", "blog",
    "demo", "official", "source", "src", "repo", "bib", "bibtex", "doi", "html", "here",
    "this", "url", "download", "data", "dataset", "poster", "talk", "youtube", "notes",
    "论文", "代码", "链接", "地址", "原文", "项目", "主页", "视频", "博客",
}


def clean_text(text: str) -> str:
    """One line of plain text: whitespace runs become one space, separators at the ends go.

    >>> clean_text("  Deep  Learning \\n - ")
    'Deep Learning'
    """
    text = _SPACES.sub(" ", text or "").strip()
    return text.strip(" -–—:：|,，;；·•*>").strip()


def is_generic_label(label: str) -> bool:
    """True for link texts such as "[pdf]", "code", "arXiv" or a bare URL.

    >>> is_generic_label("[PDF]"), is_generic_label("https://x.org"), is_generic_label("ResNet")
    (True, True, False)
    """
    text = clean_text(label).strip("[]()【】 ").lower()
    if not text or len(text) < 2:
        return True
    if re.match(r"^(?:https?://|www\.)", text):
        return True
    return text in GENERIC_LABELS


class ListBuilder:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.seeds: list[Seed] = []
        self._seed_keys: dict[tuple[int, str], Seed] = {}
        self._hints: dict[int, Hint] = {}
        self._problems: dict[int, Problem] = {}
        self.papers: list[ListedPaper] = []

    def raw(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def line_of(self, needle: str, first: int, last: int) -> int:
        """The first line in [first, last] (1-based) that holds ``needle``, else ``first``."""
        for n in range(first, min(last, len(self.lines)) + 1):
            if needle and needle in self.lines[n - 1]:
                return n
        return first

    def add_link(self, line: int, href: str, heading: str | None, heading_line: int | None,
                 notes: list[str]) -> Seed | None:
        """A seed for ``href`` (or a problem of its line); notes are kept in order, once."""
        href = href.strip()
        try:
            url, fragment = _seed_url(href)
        except ValueError as exc:
            self.add_problem(line, f"{href}: {exc}")
            return None
        seed = self._seed_keys.get((line, url))
        if seed is None:
            seed = Seed(url, href, fragment, self.raw(line), line, heading or None,
                        heading_line if heading else None)
            self._seed_keys[(line, url)] = seed
            self.seeds.append(seed)
        for note in notes:
            self.add_note(seed, note, line)
        return seed

    def add_note(self, seed: Seed, note: str, line: int) -> None:
        note = clean_text(note)
        if note and note not in seed.notes:
            seed.notes.append(note)
            seed.note_lines.append(line)
            self.add_hint(line, note, "note")

    def add_hint(self, line: int, text: str, kind: str) -> None:
        text = clean_text(text)
        if not text:
            return
        hint = self._hints.get(line)
        if hint is None:
            self._hints[line] = Hint(line, text, kind)
        elif text not in hint.text.split("; "):
            hint.text += "; " + text

    def add_problem(self, line: int, reason: str) -> None:
        problem = self._problems.get(line)
        if problem is None:
            self._problems[line] = Problem(line, self.raw(line).strip()[:500], reason)
        elif reason not in problem.reason:
            problem.reason += "; " + reason

    def add_paper(self, paper: ListedPaper) -> None:
        self.papers.append(paper)

    def result(self, path: str, list_format: str) -> ReadingList:
        return ReadingList(
            self.seeds, sorted(self._hints.values(), key=lambda h: h.line),
            sorted(self._problems.values(), key=lambda p: p.line), path,
            papers=self.papers, format=list_format)
