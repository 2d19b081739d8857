"""Content handlers: pure functions from downloaded bytes to title, authors, date, text
and links. No Scrapy here, so every handler can be tested (and fuzzed) on plain bytes.

``sniff_kind`` decides which handler a download goes to, by its content:

>>> sniff_kind("application/octet-stream", b"%PDF-1.4 ...", "https://a.example/paper")
'pdf'
>>> sniff_kind("text/plain", b"import os\\n", "https://a.example/train.py")
'code'
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit


class ExtractionError(Exception):
    """The content cannot be read at all; ``reason`` says why, for the crawl report.

    >>> ExtractionError("encrypted PDF").reason
    'encrypted PDF'
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# File name extensions of source code (lower case, no dot). Extensionless build files too.
CODE_EXTENSIONS = frozenset("""
    py pyw pyi ipynb r jl m c h cc cpp cxx hpp hh cu cuh java kt kts scala groovy gradle
    js mjs cjs ts tsx jsx go rs swift cs php pl pm rb lua sh bash zsh fish ps1 bat cmd
    sql hs ml mli clj ex exs erl dart f f90 f95 v sv vhd proto cmake mk tex
""".split())
CODE_FILE_NAMES = frozenset({"makefile", "dockerfile", "cmakelists.txt", "vagrantfile"})

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_PDF_TYPES = {"application/pdf", "application/x-pdf", "application/acrobat"}
# Types that name a programming language: code whatever the URL says.
_CODE_TYPE = re.compile(r"^(text|application)/(x-)?(python|script\.python|javascript|"
                        r"ecmascript|typescript|sh|shellscript|csrc|c\+\+src|chdr|c|java|"
                        r"java-source|go|rust|rsrc|r|julia|matlab|perl|ruby|lua|sql)$")
_TEXT_TYPES = {"text/plain", "text/markdown", "text/x-markdown", "text/x-rst",
               "text/x-log", "application/json", "text/json", "application/ld+json"}
_XML_TYPES = {"text/xml", "application/xml", "application/rss+xml", "application/atom+xml"}
_SNIFF_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/unknown",
                "application/x-unknown", "application/download", "application/x-download",
                "application/force-download", "unknown/unknown"}
# Magic numbers of formats that are never text.
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
                 b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"MZ", b"RIFF", b"OggS",
                 b"ID3", b"fLaC", b"\x00\x00\x01\x00", b"\xd0\xcf\x11\xe0", b"wOFF", b"wOF2",
                 b"\x00\x01\x00\x00", b"%!PS", b"{\\rtf", b"\x1a\x45\xdf\xa3")
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*|<\?xml[^>]*>\s*)*"
                         rb"<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_NEAR_START = re.compile(rb"<!doctype\s+html|<html[\s>]", re.I)


def file_name(url: str) -> str:
    """The last path segment of a URL, percent-decoded.

    >>> file_name("https://a.example/src/conv%20net.py?raw=1")
    'conv net.py'
    """
    try:
        path = urlsplit(url or "").path
    except ValueError:
        return ""
    return unquote(posixpath.basename(path))


def is_code_name(url: str) -> bool:
    """True when the URL's file name is that of a source file (``train.py``, ``Makefile``)."""
    name = file_name(url).lower()
    ext = name.rsplit(".", 1)[1] if "." in name else ""
    return ext in CODE_EXTENSIONS or name in CODE_FILE_NAMES


def _looks_binary(head: bytes) -> bool:
    if head.startswith(_BINARY_MAGIC):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs but is text
        return False
    if b"\x00" in head:
        return True
    # Control characters other than tab, newline, form feed and carriage return (and ESC,
    # used by terminal logs) are rare in text and common in binary formats.
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13, 27))
    return controls > max(2, len(head) // 100)


def _text_kind(body: bytes, url: str) -> str:
    if is_code_name(url) or body.lstrip(b"\xef\xbb\xbf").startswith(b"#!"):
        return "code"
    return "text"


def sniff_kind(content_type: str | None, body: bytes, url: str) -> str:
    """Which handler reads this download: 'html', 'pdf', 'code', 'text' or 'other'.

    The content decides, not the URL suffix: a body starting with ``%PDF-`` is a PDF
    whatever the server says, and a page served as ``octet-stream`` is sniffed. The URL's
    file name only tells source code from prose among plain-text files.

    >>> sniff_kind("text/html; charset=utf-8", b"<html><body>Hi</body></html>", "https://a.example/x.pdf")
    'html'
    >>> sniff_kind(None, b"<!DOCTYPE html><title>T</title>", "https://a.example/")
    'html'
    >>> sniff_kind("text/plain", b"Notes on GANs\\n", "https://a.example/notes.txt")
    'text'
    >>> sniff_kind("image/png", b"\\x89PNG\\r\\n", "https://a.example/a.png")
    'other'
    """
    body = body or b""
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    head = body[:1024]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"%PDF-"):
        return "pdf"
    if ctype in _PDF_TYPES:
        # Some servers send a few bytes of junk before the header; readers allow that.
        return "pdf" if b"%PDF-" in head else "other"
    if ctype in _HTML_TYPES:
        return "html"
    if _HTML_START.match(head):
        return "html"
    if _CODE_TYPE.match(ctype):
        return "code"
    if ctype in _XML_TYPES:
        return "html" if _HTML_NEAR_START.search(head) else "other"
    if ctype in _TEXT_TYPES or ctype.startswith("text/") or ctype in _SNIFF_TYPES:
        if ctype in ("text/csv", "text/tab-separated-values", "text/calendar", "text/vcard"):
            return "other"
        if _looks_binary(body[:8192]):
            return "other"
        if not is_code_name(url) and _HTML_NEAR_START.search(head):
            return "html"
        if ctype in ("application/json", "text/json", "application/ld+json"):
            return "code" if file_name(url).lower().endswith(".ipynb") else "text"
        return _text_kind(body, url)
    return "other"
