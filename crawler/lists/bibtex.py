"""BibTeX reading lists, read with bibtexparser.

Every entry is a listed paper (title, authors, year, arXiv id, DOI, key), LaTeX turned into
plain text. An entry with an arXiv id (``eprint`` with ``archivePrefix = arXiv``, or an
arXiv URL or "arXiv:ID" anywhere in ``url``, ``journal``, ``note``, ``howpublished``) becomes
the seed ``https://arxiv.org/abs/ID``; else its ``url``; else ``https://doi.org/DOI``; an
entry with none of these is kept as a paper to resolve by title. A ``%`` comment line before
entries is their heading. An entry bibtexparser cannot read is a problem of its line.

>>> rl = parse_bibtex("@article{he16, title={Deep Residual {Learning}}, "
...                   "author={He, Kaiming and Sun, Jian}, year=2016, eprint={1512.03385},"
...                   " archivePrefix={arXiv}}")
>>> p = rl.papers[0]
>>> p.title, p.authors, p.year, p.arxiv_id, rl.seeds[0].url
('Deep Residual Learning', ['Kaiming He', 'Jian Sun'], 2016, '1512.03385', 'https://arxiv.org/abs/1512.03385')
"""

from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser import model
from pylatexenc.latex2text import LatexNodes2Text

from crawler.lists.builder import ListBuilder, clean_text
from crawler.reading_list import ListedPaper, ReadingList
from graph.arxiv_ids import arxiv_abs_url, arxiv_id_from_url, arxiv_ids_in_text, \
    normalize_arxiv_id

_LATEX = LatexNodes2Text()
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def latex_to_text(value: str) -> str:
    """Plain text of a BibTeX value.

    >>> latex_to_text(r"Schr{\\"o}dinger's {CNN} \\& co")
    "Schrödinger's CNN & co"
    """
    try:
        text = _LATEX.latex_to_text(value)
    except Exception:  # pylatexenc gives up on some broken markup; keep the raw text then
        text = value.replace("{", "").replace("}", "")
    return clean_text(text)


def person_name(name: str) -> str:
    """"Last, First" as "First Last"; other forms unchanged.

    >>> person_name("He, Kaiming"), person_name("Ross Girshick")
    ('Kaiming He', 'Ross Girshick')
    """
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and parts[0] and parts[2]:  # "von Last, Jr, First"
        return f"{parts[2]} {parts[0]} {parts[1]}".replace("  ", " ")
    return name.strip()


def _arxiv_id(fields: dict[str, str]) -> str | None:
    eprint = fields.get("eprint", "")
    if eprint and (fields.get("archiveprefix", "").lower() == "arxiv"
                   or normalize_arxiv_id(eprint)):
        found = normalize_arxiv_id(eprint)
        if found:
            return found
    for name in ("url", "journal", "note", "howpublished", "booktitle", "publisher"):
        value = fields.get(name, "")
        found = arxiv_id_from_url(value.strip()) if value else None
        if not found and value:
            ids = arxiv_ids_in_text(value)
            found = ids[0][0] if ids else None
        if found:
            return found
    return None


def _entry_paper(entry: model.Entry, line: int, heading: str | None) -> ListedPaper:
    fields = {f.key.lower(): str(f.value) for f in entry.fields}
    authors = [person_name(latex_to_text(a))
               for a in re.split(r"\s+and\s+", fields.get("author", "")) if a.strip()]
    year = _YEAR.search(fields.get("year", "") or fields.get("date", ""))
    doi = fields.get("doi", "").strip() or None
    if doi:
        m = _DOI.search(doi)
        doi = m.group(1).rstrip(".") if m else doi
    return ListedPaper(line=line, title=latex_to_text(fields.get("title", "")) or None,
                       authors=[a for a in authors if a], year=int(year.group(1)) if year else None,
                       arxiv_id=_arxiv_id(fields), doi=doi, url=None, key=entry.key,
                       heading=heading)


def parse_bibtex(text: str, path: str = "") -> ReadingList:
    """Parse a BibTeX file; never raises."""
    builder = ListBuilder(text.splitlines())
    # bibtexparser logs each broken block itself; the problems list says it once, clearly.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # a parser bug on hostile input must not end the crawl
        builder.add_problem(1, f"not readable as BibTeX ({exc.__class__.__name__}: {exc})")
        return builder.result(path, "bibtex")
    heading = None
    heading_line = None
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.ImplicitComment):
            text_ = clean_text(block.comment.lstrip("%").strip())
            if text_:
                heading, heading_line = text_, line
                builder.add_hint(line, text_, "heading")
        elif isinstance(block, model.Entry):
            paper = _entry_paper(block, line, heading)
            if paper.arxiv_id:
                url = arxiv_abs_url(paper.arxiv_id)
            else:
                raw_url = {f.key.lower(): str(f.value) for f in block.fields}.get("url", "")
                url = raw_url.split()[0] if raw_url.strip() else (
                    f"https://doi.org/{paper.doi}" if paper.doi else None)
            if url:
                seed = builder.add_link(line, url, heading, heading_line,
                                        [paper.title or ""])
                paper.url = seed.url if seed else None
            elif paper.title:
                builder.add_hint(line, paper.title, "note")
            builder.add_paper(paper)
        elif isinstance(block, model.ParsingFailedBlock):
            error = block.error
            detail = (getattr(error, "abort_reason", None) or str(error or "")).strip()
            reason = detail or "unreadable entry"
            builder.add_problem(line, f"BibTeX entry skipped: {reason}")
    return builder.result(path, "bibtex")
