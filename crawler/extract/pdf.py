"""PDF documents (papers, lecture slides) with pypdf: text, metadata, link annotations.

Work is capped (pages, characters) so a 900-page book or a hostile file cannot stall the
crawl; anything pypdf cannot read becomes an ExtractionError with the reason.

>>> extract_pdf(b"<html>not a pdf</html>", "https://a.example/x.pdf")
Traceback (most recent call last):
...
crawler.extract.ExtractionError: not a PDF (no %PDF- header)
"""

from __future__ import annotations

import io
import logging
import re

from . import ExtractionError
from .dates import iso_date
from .links import absolute_link, unique_links
from .meta import split_authors

MAX_PAGES = 200
MAX_TEXT = 2_000_000
# Metadata titles that name the authoring tool's file, not the document.
_JUNK_TITLE = re.compile(r"^(?:microsoft (?:word|powerpoint) - |untitled\b|title\b|slide \d)|"
                         r"\.(?:docx?|pptx?|tex|dvi|pdf|indd)$", re.I)
_ARXIV_STAMP = re.compile(r"^arXiv:\d{4}\.\d{4,5}", re.I)


def _metadata_text(info, key: str) -> str | None:
    try:
        value = info.get(key) if info is not None else None
        value = value.get_object() if hasattr(value, "get_object") else value
    except Exception:  # a broken indirect object in the info dictionary
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = " ".join(str(value or "").replace("\x00", "").split())
    return value or None


def _page_links(page, url: str) -> list[tuple[str, str]]:
    found = []
    try:
        annotations = page.get("/Annots") or []
        annotations = annotations.get_object() if hasattr(annotations, "get_object") else annotations
        for annotation in list(annotations)[:500]:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            action = action.get_object() if hasattr(action, "get_object") else action
            uri = action.get("/URI") if action is not None and hasattr(action, "get") else None
            if isinstance(uri, bytes):
                uri = uri.decode("latin-1")
            if uri and (link := absolute_link(url, str(uri))):
                found.append((link, ""))
    except Exception:  # one broken annotation array loses that page's links, not the text
        pass
    return found


def _clean_text(text: str) -> str:
    text = text.replace("\x00", "").replace("\x0c", "\n")
    # Rejoin words hyphenated across line ends by the typesetter.
    text = re.sub(r"([a-z])-\n([a-z])", r"\1\2", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _read(body: bytes):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken files warn a lot
    reader = PdfReader(io.BytesIO(body), strict=False)
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):  # most "encrypted" papers only restrict printing
                raise ExtractionError("encrypted PDF (password required)")
        except (DependencyError, NotImplementedError, FileNotDecryptedError) as exc:
            raise ExtractionError(f"encrypted PDF ({exc})") from exc
    return reader


def extract_pdf(body: bytes, url: str) -> dict:
    """title, authors, published (creation date), lang, text of the first pages, links.

    Title and author come from the document information; without a usable title, the
    first line of text stands in.
    """
    body = bytes(body or b"")
    start = body[:1024].find(b"%PDF-")
    if start < 0:
        raise ExtractionError("not a PDF (no %PDF- header)")
    try:
        return _extract(body[start:], url or "")
    except ExtractionError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on broken files
        raise ExtractionError(f"unreadable PDF: {type(exc).__name__}: {exc}") from exc


def _extract(body: bytes, url: str) -> dict:
    reader = _read(body)
    try:
        info = reader.metadata
    except Exception:  # a broken Info dictionary loses the metadata, not the text
        info = None
    pages, links, size = [], [], 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES or size >= MAX_TEXT:
            break
        try:
            text = _clean_text(page.extract_text() or "")
        except Exception:  # one undecodable page does not spoil the others
            text = ""
        pages.append(text)
        size += len(text)
        links.extend(_page_links(page, url))
    text = "\n".join(p for p in pages if p)[:MAX_TEXT]
    if not text.strip() and not pages:
        raise ExtractionError("PDF has no pages")

    title = _metadata_text(info, "/Title")
    if not title or _JUNK_TITLE.search(title) or len(title) < 3:
        title = next((line for line in text.splitlines()[:20]
                      if len(line) > 3 and not _ARXIV_STAMP.match(line)), None)
    author = _metadata_text(info, "/Author")
    created = _metadata_text(info, "/CreationDate") or ""
    found = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", created)
    lang = None
    try:
        lang = _metadata_text(reader.trailer["/Root"], "/Lang")
    except Exception:  # no catalog language: the caller detects it from the text
        pass
    return {"kind": "pdf", "title": title[:300] if title else None,
            "authors": split_authors([author]) if author else [],
            "published": iso_date("-".join(found.groups())) if found else iso_date(created),
            "lang": (lang or "").split("-")[0].lower() or None, "description": None,
            "text": text, "links": unique_links(links, url)}
