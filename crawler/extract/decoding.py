"""Bytes to text: the page's real encoding, even when the server names the wrong one.

Order: byte-order mark, HTTP header, the document's own declaration (``<meta charset>``,
``http-equiv``, XML declaration, or a Python coding cookie), then detection. Two corrections
on top, both for misconfigured servers seen in the wild:

* a label the body does not decode under loses to another label that does (a GBK page
  whose server claims utf-8), and a single-byte default (ISO-8859-1) loses to a multi-byte
  declaration that decodes (Chinese pages behind a Java server's default header);
* a body that is valid UTF-8 with non-ASCII bytes is UTF-8, whatever legacy label it has
  (valid UTF-8 almost never happens by chance in GBK or Latin-1 text).

Never raises: the last resort decodes with ``errors='replace'``.

>>> decode_html("<meta charset=gb2312><p>卷积</p>".encode("gbk"), "utf-8")
('<meta charset=gb2312><p>卷积</p>', 'gb18030')
"""

from __future__ import annotations

import codecs
import re

# WHATWG encoding labels that Python names differently or that a superset should replace.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "gb_2312-80": "gb18030", "euc-cn": "gb18030", "csgb2312": "gb18030", "chinese": "gb18030",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "x-user-defined": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs", "shift_jis": "cp932", "sjis": "cp932",
    "x-sjis": "cp932", "windows-31j": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "unicode": "utf-8",
}
_SINGLE_BYTE = {"cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "cp874",
                "iso8859-2", "iso8859-15", "koi8-r", "mac-roman"}
_NOT_PAGE_ENCODINGS = {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape",
                       "utf-7", "mbcs", "oem", "palmos"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_META = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_:.+-]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([a-z0-9_:.+-]+)", re.I)
_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


def _codec(name: str | bytes | None) -> str | None:
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    name = (name or "").strip().strip("\"'").lower()
    if not name:
        return None
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # base64, rot13, idna and the like are codecs but not encodings of a web page.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    return _ALIASES.get(info.name, info.name)


def normalize_charset(name: str | bytes | None) -> str | None:
    """Python's codec name for an encoding label, widened to its superset; None if unknown.

    >>> normalize_charset("GB2312"), normalize_charset("ISO-8859-1"), normalize_charset("x")
    ('gb18030', 'cp1252', None)
    """
    codec = _codec(name)
    # A label read from an ASCII-compatible document cannot truthfully say UTF-16/32.
    return "utf-8" if codec and codec.startswith(("utf-16", "utf-32")) else codec


def _bom(body: bytes) -> tuple[str, int] | None:
    for mark, name in _BOMS:
        if body.startswith(mark):
            return name, len(mark)
    return None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def declared_charset(body: bytes) -> str | None:
    """The encoding an HTML/XML document declares in its first 4 KB, normalized.

    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GBK">')
    'gb18030'
    """
    head = body[:4096]
    found = _XML_DECL.match(head) or _META.search(head)
    return normalize_charset(found.group(1)) if found else None


def detect_charset(body: bytes) -> str | None:
    """Statistical guess for bodies that declare nothing (charset-normalizer)."""
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(body[:65536]).best()
    except Exception:  # detection is a guess; a failure only means "no guess"
        return None
    name = _codec(best.encoding) if best else None
    # Detectors split hairs between Western single-byte tables; cp1252 is what browsers use.
    if name in ("cp1250", "cp1257", "iso8859-2", "iso8859-15", "mac-roman", "latin-1"):
        return "cp1252"
    return name


def _choose(body: bytes, labels: list[str]) -> str:
    labels = list(dict.fromkeys(label for label in labels if label))
    if body.isascii():
        # Any ASCII-compatible label reads ASCII the same; keep the one the page gave.
        return labels[0] if labels and _decodes(b"<html>", labels[0]) and \
            b"<html>".decode(labels[0]) == "<html>" else "utf-8"
    if any(label != "utf-8" for label in labels) or not labels:
        if not body.isascii() and _decodes(body, "utf-8"):
            return "utf-8"
    if len(labels) > 1 and labels[0] in _SINGLE_BYTE:
        for label in labels[1:]:
            if label not in _SINGLE_BYTE and _decodes(body, label):
                return label
    for label in labels:
        if _decodes(body, label):
            return label
    return detect_charset(body) or (labels[0] if labels else "utf-8")


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode an HTML page; returns (text, encoding used).

    >>> decode_html("<p>café</p>".encode("utf-8"), "iso-8859-1")
    ('<p>café</p>', 'utf-8')
    """
    if not body:
        return "", "utf-8"
    bom = _bom(body)
    if bom:
        return body[bom[1]:].decode(bom[0], "replace"), bom[0]
    encoding = _choose(body, [normalize_charset(header_charset), declared_charset(body)])
    return body.decode(encoding, "replace"), encoding


def decode_text(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode a source or plain-text file: BOM, header, coding cookie, UTF-8, detection.

    >>> decode_text(b"# -*- coding: gbk -*-\\n" + "# 注释".encode("gbk"), "utf-8")[1]
    'gb18030'
    """
    if not body:
        return "", "utf-8"
    bom = _bom(body)
    if bom:
        return body[bom[1]:].decode(bom[0], "replace"), bom[0]
    cookie = _CODING_COOKIE.search(b"\n".join(body.split(b"\n", 2)[:2]))
    declared = normalize_charset(cookie.group(1)) if cookie else None
    encoding = _choose(body, [normalize_charset(header_charset), declared])
    return body.decode(encoding, "replace"), encoding
