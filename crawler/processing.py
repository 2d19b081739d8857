"""From downloaded bytes to a stored document: decode, extract, detect the language,
summarize, find keywords, links and arXiv references.

``process_download`` is a pure function of the download, so it can run in worker
processes (``Processor``) while the reactor thread keeps downloading.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from graph.arxiv_ids import arxiv_id_from_url, arxiv_ids_in_text
from graph.text import detect_language, keywords, summarize

from .extract import ExtractionError, sniff_kind
from .extract.code import extract_code, extract_text
from .extract.decoding import decode_html, decode_text
from .extract.html import extract_html
from .extract.pdf import extract_pdf

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2_000_000


def charset_from_content_type(content_type: str | None) -> str | None:
    """>>> charset_from_content_type('text/html; charset="GBK"')
    'gbk'
    """
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("'\"").lower()
    return None


def _extract(kind: str, body: bytes, content_type: str | None, url: str) -> dict:
    charset = charset_from_content_type(content_type)
    if kind == "html":
        html, _ = decode_html(body, charset)
        return extract_html(html, url)
    if kind == "pdf":
        return extract_pdf(body, url)
    text, _ = decode_text(body, charset)
    return extract_code(text, url) if kind == "code" else extract_text(text, url)


def process_download(url: str, final_url: str, content_type: str | None,
                     body: bytes) -> dict:
    """Turn one successful download into a document row, its links and paper references.

    Returns ``{"document": {...}, "links": [(url, anchor)], "paper_refs":
    [(arxiv_id, how, evidence)]}``. Never raises for bad content: an unreadable body
    gives ``outcome='unreadable'`` with the reason.

    >>> r = process_download("http://a.example/", "http://a.example/", "text/html",
    ...                      b"<html><title>T</title><body><p>Hello world.</p></body></html>")
    >>> r["document"]["outcome"], r["document"]["title"]
    ('ok', 'T')
    """
    kind = sniff_kind(content_type, body, final_url)
    doc = {"url": url, "final_url": final_url, "content_type": content_type, "kind": kind}
    if kind == "other":
        doc.update(outcome="unsupported_type",
                   reason=f"unsupported content type: {content_type or 'unknown'}")
        return {"document": doc, "links": [], "paper_refs": []}
    try:
        extracted = _extract(kind, body, content_type, final_url)
    except ExtractionError as exc:
        doc.update(outcome="unreadable", reason=f"unreadable {kind}: {exc.reason}")
        return {"document": doc, "links": [], "paper_refs": []}
    except Exception as exc:  # a library choking on hostile bytes must not stop the crawl
        logger.warning("extraction of %s failed: %r", url, exc)
        doc.update(outcome="unreadable", reason=f"unreadable {kind}: {type(exc).__name__}: {exc}")
        return {"document": doc, "links": [], "paper_refs": []}

    text = (extracted.get("text") or "")[:MAX_TEXT_CHARS]
    lang = extracted.get("lang") or None
    detected = detect_language(" ".join(filter(None, [extracted.get("title"), text])))
    # A page's declared language is often a template default; trust the text when it has
    # enough of it.
    if detected and (not lang or len(text) > 200):
        lang = detected
    lang = (lang or "").split("-")[0].lower() or None
    doc.update(
        outcome="ok",
        title=extracted.get("title") or None,
        authors=list(extracted.get("authors") or []),
        published=extracted.get("published") or None,
        lang=lang,
        description=extracted.get("description") or None,
        text=text,
        summary=summarize(text, lang) if text else None,
        keywords=keywords(text, lang) if text else [],
    )
    links = [(to, (anchor or "")[:300]) for to, anchor in extracted.get("links") or []]
    refs: dict[tuple[str, str], str] = {}
    for to, anchor in links:
        arxiv_id = arxiv_id_from_url(to)
        if arxiv_id:
            refs.setdefault((arxiv_id, "link"), anchor or to)
    for arxiv_id, sentence in arxiv_ids_in_text(text):
        refs.setdefault((arxiv_id, "text"), sentence)
    paper_refs = [(aid, how, evidence) for (aid, how), evidence in refs.items()]
    return {"document": doc, "links": links, "paper_refs": paper_refs}


def _warm_up() -> None:
    # Load the heavy parts once per worker rather than on its first page.
    try:
        keywords("预热 分词", "zh")
        extract_html("<html><body><p>warm up</p></body></html>", "http://localhost/")
    except Exception:  # warming up is an optimisation only
        pass


class Processor:
    """Runs ``process_download`` in worker processes (or inline when ``processes`` is 0).

    A worker that dies (a C library crashing on hostile input) costs only the page it
    was processing: that page is recorded as unreadable and the pool is rebuilt.
    """

    def __init__(self, processes: int = 2):
        self.processes = max(0, int(processes))
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_up,
            )
        return self._pool

    async def run(self, url: str, final_url: str, content_type: str | None,
                  body: bytes) -> dict:
        if not self.processes:
            return process_download(url, final_url, content_type, body)
        try:
            future = self._get_pool().submit(process_download, url, final_url,
                                             content_type, body)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            self.close()
            return {"document": {"url": url, "final_url": final_url,
                                 "content_type": content_type, "outcome": "unreadable",
                                 "reason": f"processing crashed: {exc}"},
                    "links": [], "paper_refs": []}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
