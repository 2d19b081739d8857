"""Parse a reading list: a text file of links, headings and notes, in any language.

Format (blocks are separated by blank lines; a line of only spaces, NBSP or punctuation such
as ``----`` is blank):

* A text line before the first link of a block is its heading; it applies to every link of
  the block (several such lines are joined with ``"; "``, ``heading_line`` is the first).
* Text on a link's line is a note on that link (``url - note``, ``url note``, ``label: url``,
  ``[title](url)``). Text lines after a link line, up to the next link line, are notes on
  that line's links. A link written twice on one line is one seed.
* A block with no link is a hint block: each line is a ``Hint(kind='hint')``. Headings and
  notes are recorded as hints too (kind ``'heading'`` / ``'note'``), one hint per line.
* A block of one short line and no link is a topic: it heads the block right after it, and
  keeps heading the blocks after that while their headings are indented deeper than it
  ("Topic > Sub-topic"). Heading lines of one block indented deeper than the line above
  them are joined with " > " (sub-topics), else with "; ".
* ``1) ``, ``2. ``, ``- ``, ``* ``, ``• ``, ``# `` prefixes are dropped; text keeps its inner
  spaces (``"self-supervised  Yann Lecun"``: a run of spaces often separates a topic from a
  person), each whitespace character becoming a plain space; zero-width characters go.
* A link ends at whitespace, ``" < > `` or full-width/CJK punctuation (``，。、：（）《》“”``);
  trailing ``. , ; : ! ? ' *`` and unbalanced ``) ] }`` are not part of it. Non-ASCII
  letters inside a link are kept (written as IRIs), so put a space between link and note.
* ``www.example.com/x`` (no scheme) is read as ``http://www.example.com/x``: plain http is
  what the site was typed as, and a server that prefers https redirects there.
* Anything else that looks like a link (``ftp:``, ``mailto:``, ``htp://x``, ``http://``,
  ``http://.com``, a host without a dot such as ``https://exa mple``) is a ``Problem`` of
  its line, with a reason; the rest of the list is still used. One problem per line.

>>> rl = parse_reading_list("RCNN\\n1) https://Example.com:443/a%2Fb#sec - intro\\n")
>>> s = rl.seeds[0]
>>> s.url, s.fragment, s.heading, s.notes, s.line
('https://example.com/a%2Fb', 'sec', 'RCNN', ['intro'], 2)
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import idna

__all__ = ["Seed", "Hint", "Problem", "ListedPaper", "ReadingList", "ReadingListError", "canonical_url",
           "parse_reading_list", "read_reading_list"]


class ReadingListError(Exception):
    """The reading list cannot be read; the message is one line, fit to show a user."""


class _Row:
    def as_row(self) -> dict:
        """The dict Store.replace_reading_list takes."""
        return asdict(self)


@dataclass
class Seed(_Row):
    """One occurrence of a link in the list (a link listed twice gives two seeds)."""
    url: str                      # canonical, no fragment: what is fetched
    listed_url: str               # the link as written
    fragment: str | None          # without '#'
    raw: str                      # the whole line as written
    line: int                     # 1-based
    heading: str | None = None
    heading_line: int | None = None
    notes: list[str] = field(default_factory=list)
    note_lines: list[int] = field(default_factory=list)


@dataclass
class Hint(_Row):
    line: int
    text: str
    kind: str                     # 'hint' | 'heading' | 'note'


@dataclass
class Problem(_Row):
    line: int
    text: str                     # the line, stripped
    reason: str                   # names each unusable link and why


@dataclass
class ListedPaper(_Row):
    """A paper the list names, with or without a link (a BibTeX entry, a paper-title line)."""
    line: int
    title: str | None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    url: str | None = None        # the seed it was given, if any
    key: str | None = None        # the BibTeX key
    heading: str | None = None


@dataclass
class ReadingList:
    seeds: list[Seed]
    hints: list[Hint]
    problems: list[Problem]
    path: str = ""
    papers: list[ListedPaper] = field(default_factory=list)
    format: str = "text"

    @property
    def distinct_urls(self) -> list[str]:
        """Canonical URLs in order of first appearance."""
        return list(dict.fromkeys(s.url for s in self.seeds))


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Characters that end a link: whitespace, controls, quotes, angle brackets, full-width and
# CJK punctuation, and lone surrogates (they cannot be encoded).
_STOP = ("\\s\\x00-\\x1f\\x7f\"<>`\u2018-\u201f\u2022\u2026\u3000-\u303f\ud800-\udfff"
         "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65")
_BODY = f"[^{_STOP}]"
# A scheme may not start right after a letter ("xhttp://" is one token), but may after a
# digit or a dot ("e.g.http://x"): every "http://" in a line is inside some candidate.
_CANDIDATE = re.compile(
    rf"(?<![A-Za-z])[A-Za-z][A-Za-z0-9]*://{_BODY}*"
    rf"|(?<![A-Za-z])(?i:https?|ftp|file|mailto|javascript):{_BODY}+"
    rf"|(?<![\w.@/-])(?i:www)\.[A-Za-z0-9-]+\.{_BODY}+")
_PREFIX = re.compile(r"^(?:#{1,6}|\(?\d{1,3}[.)、]|[-*+•·▪◦>])(?:\s+|(?=[A-Za-z]+:|www\.))")
# [title](url), url with at most one level of balanced parentheses, becomes "url title";
# _NOTE_END keeps the title apart from the text that follows it.
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?\s*\)")
_NOTE_END = "\x1f"
_TRAILING = ".,;:!?'*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# Separators and brackets left at the ends of a note once the links are cut out of a line.
_OPENING_JUNK = "-–—:：,，、;；|)]}）】」』》>\"'“”‘’*•"
_CLOSING_JUNK = "-–—:：,，、;；|([{（【「『《<\"'“”‘’*"
_FILLER = {"and", "or", "see", "see also", "also", "和", "或", "以及", "参见", "见"}
_SAFE = "".join(chr(i) for i in range(33, 127))  # percent-encode only non-ASCII and space
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_DEFAULT_PORT = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The URL used as a key: lower-case scheme and host, IDNA host, no default port, no
    fragment, empty path as "/"; path and query keep their case and percent-encoding as
    written (only raw spaces and non-ASCII characters are percent-encoded, as UTF-8).
    Raises ValueError with a reason unless it is an absolute http(s) URL with a valid host.

    >>> canonical_url("HTTP://Bücher.Example:80?q=A%2f#top")
    'http://xn--bcher-kva.example/?q=A%2f'
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"malformed URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORT:
        raise ValueError("not an http:// or https:// URL")
    userinfo, _, _ = parts.netloc.rpartition("@")
    netloc = (quote(userinfo, safe=_SAFE) + "@" if userinfo else "") + _ascii_host(parts)
    if port is not None and port != _DEFAULT_PORT[scheme]:
        netloc += f":{port}"
    path = quote(parts.path, safe=_SAFE) or "/"
    query = quote(parts.query, safe=_SAFE)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def _ascii_host(parts) -> str:
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal (urlsplit removed the brackets)
        try:
            return f"[{ipaddress.IPv6Address(host)}]"
        except ValueError:
            raise ValueError(f"invalid IPv6 address {host!r}") from None
    host = host[:-1] if host.endswith(".") else host  # "example.com." is example.com
    if not host:
        raise ValueError("no host name")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except ValueError:  # idna.IDNAError is one
            raise ValueError(f"host {host!r} is not a valid domain name") from None
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"host {host!r} is not a valid domain name")
    if labels[-1].isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise ValueError(f"host {host!r} is not a valid IPv4 address") from None
    return host


def _seed_url(token: str) -> tuple[str, str | None]:
    """(canonical url, fragment) of a link from the list, or ValueError(reason)."""
    full = "http://" + token if token[:4].lower() == "www." else token
    scheme, _, rest = full.partition(":")
    if scheme.lower() not in _DEFAULT_PORT:
        raise ValueError(f"scheme {scheme!r} is not crawled (only http:// and https://)")
    if not rest.startswith("//"):
        raise ValueError(f"malformed link: '{scheme}:' must be followed by '//'")
    url = canonical_url(full)
    host = urlsplit(url).hostname or ""
    if "." not in host and ":" not in host and host != "localhost":
        raise ValueError(f"host {host!r} is incomplete (no dot in the name)")
    return url, full.partition("#")[2] or None


def _trim(token: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, not to the link."""
    counts = {c: token.count(c) for c in "()[]{}"}
    end = len(token)
    while end:
        c = token[end - 1]
        if c in _CLOSERS and counts[c] > counts[_CLOSERS[c]]:
            counts[c] -= 1
        elif c not in _TRAILING:
            break
        end -= 1
    return token[:end]


def _clean(text: str, *, note: bool = False) -> str:
    """Text without list prefix or separators at its ends; "" if nothing worth keeping is
    left (only punctuation, or a filler word between two links)."""
    text = _PREFIX.sub("", text.strip(), count=1)
    text = re.sub(r"\s", " ", text).lstrip(_OPENING_JUNK + " ").rstrip(_CLOSING_JUNK + " ")
    if not any(c.isalnum() for c in text) or (note and text.lower() in _FILLER):
        return ""
    return text


@dataclass
class _LinkLine:
    line: int
    seeds: list[Seed]
    notes: list[str]


def _link_line(n: int, raw: str, body: str, problems: list[Problem]) -> _LinkLine | None:
    """Seeds and notes of one line, or None if it holds no link at all."""
    body = _MD_LINK.sub(rf" \2 \1{_NOTE_END}", _PREFIX.sub("", body, count=1))
    matches = list(_CANDIDATE.finditer(body))
    if not matches:
        return None
    seeds: dict[str, Seed] = {}
    notes, bad, target = [], [], None
    for i, m in enumerate(matches):
        token = _trim(m.group())
        try:
            url, fragment = _seed_url(token)
        except ValueError as exc:
            bad.append(f"{token}: {exc}")
            target = None  # text after an unusable link stays with its problem
        else:
            target = seeds.setdefault(url, Seed(url, token, fragment, raw, n))
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        texts = (body[:m.start()] if i == 0 else "") + _NOTE_END + body[m.end():end]
        for text in (_clean(t, note=True) for t in texts.split(_NOTE_END)):
            if text and target is not None:
                target.notes.append(text)
                target.note_lines.append(n)
                notes.append(text)
    if bad:
        problems.append(Problem(n, raw.strip(), "; ".join(bad)))
    return _LinkLine(n, list(seeds.values()), notes)


@dataclass
class _Topic:
    """A one-line block with no link: the topic of the blocks after it."""
    text: str
    line: int
    indent: int
    hint: Hint


def _heading_path(head: list[tuple[int, str, int]]) -> str:
    """Heading lines joined: "; " between lines at one indent, " > " into a deeper one."""
    out, indent = "", None
    for _, text, ind in head:
        if indent is None:
            out = text
        else:
            out += (" > " if ind > indent else "; ") + text
        indent = ind
    return out


def _flush(block: list, seeds: list[Seed], hints: list[Hint],
           topic: _Topic | None) -> _Topic | None:
    """Apply headings and following-line notes of one block and collect its output;
    returns the topic that holds for the next block."""
    if not any(isinstance(e, _LinkLine) for e in block):
        new = [Hint(n, text, "hint") for n, text, _ in block]
        hints.extend(new)
        if len(block) == 1 and len(block[0][1]) <= 80:
            n, text, indent = block[0]
            return _Topic(text, n, indent, new[0])
        return None
    first = next(i for i, e in enumerate(block) if isinstance(e, _LinkLine))
    head, block = block[:first], block[first:]
    heading = _heading_path(head) or None
    heading_line = head[0][0] if head else None
    if topic is not None and head and head[0][2] <= topic.indent:
        topic = None  # a heading as far left as the topic starts a new one
    if topic is not None:
        # The topic line heads this block ("Topic", blank line, links) or the indented
        # sub-topics under it ("Topic", blank line, "    Sub-topic", links).
        topic.hint.kind = "heading"
        heading = topic.text + (" > " + heading if heading else "")
        heading_line = heading_line or topic.line
    hints.extend(Hint(n, text, "heading") for n, text, _ in head)
    last: list[Seed] = []
    for entry in block:
        if isinstance(entry, _LinkLine):
            for seed in entry.seeds:
                seed.heading, seed.heading_line = heading, heading_line
            seeds.extend(entry.seeds)
            if entry.notes:
                hints.append(Hint(entry.line, "; ".join(entry.notes), "note"))
            last = entry.seeds
        else:  # a text line after a link line describes that line's links
            n, text, _ = entry
            for seed in last:
                seed.notes.append(text)
                seed.note_lines.append(n)
            hints.append(Hint(n, text, "note"))
    # Only indented sub-topics carry a topic on; a block without heading ends it.
    return topic if head else None


def parse_reading_list(text: str, path: str = "") -> ReadingList:
    """Parse the text of a reading list; never raises. Lines end with \\n, \\r\\n or \\r."""
    seeds: list[Seed] = []
    hints: list[Hint] = []
    problems: list[Problem] = []
    block: list = []
    topic: _Topic | None = None
    for n, raw in enumerate(_LINE_BREAK.split(text.removeprefix("\ufeff")), start=1):
        body = _INVISIBLE.sub("", raw).strip()
        entry = _link_line(n, raw, body, problems) if body else None
        if entry is None and (text := _clean(body)):
            indent = len(raw) - len(raw.lstrip())
            entry = (n, text, indent)
        if entry is None:  # blank or punctuation-only line: the block ends
            if block:
                topic = _flush(block, seeds, hints, topic)
            block = []
        else:
            block.append(entry)
    if block:
        _flush(block, seeds, hints, topic)
    return ReadingList(seeds, hints, problems, path)


def read_reading_list(path: str | Path, list_format: str | None = None) -> ReadingList:
    """Read and parse a UTF-8 reading list file (a BOM is allowed) in ``list_format``
    (text, markdown, bookmarks, bibtex; detected when None, see crawler/lists);
    ReadingListError if it cannot be read."""
    from crawler.lists import FORMATS, parse_list

    if list_format is not None and list_format not in FORMATS:
        raise ReadingListError(f"unknown list format {list_format!r}; choose one of "
                               f"{', '.join(FORMATS)}")
    p = Path(path)
    if p.is_dir():
        raise ReadingListError(f"reading list {p} is a directory, not a file")
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ReadingListError(f"reading list {p} not found") from None
    except OSError as exc:
        raise ReadingListError(f"cannot read reading list {p}: {exc.strerror or exc}") from None
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    if b"\x00" in data[:8192] and not utf16:
        raise ReadingListError(f"reading list {p} looks like a binary file (NUL bytes),"
                               " not a text file of links")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf16 = " (it looks like UTF-16)" if utf16 else ""
        raise ReadingListError(
            f"reading list {p} is not UTF-8 text{utf16}: byte 0x{data[exc.start]:02x} at"
            f" offset {exc.start}; save it as UTF-8") from None
    if "\x00" in text:
        raise ReadingListError(f"reading list {p} looks like a binary file (NUL bytes)")
    return parse_list(text, str(p), list_format)
