"""Paper keys for citations: one id per paper, whichever identifiers a source gives.

A paper with an arXiv id is ``arXiv:<id without version>`` (so it meets the arXiv paper of
the same id); else ``doi:<doi in lower case>``; else ``s2:<Semantic Scholar paperId>``.
The graph's node id is ``paper:`` + the key.

>>> paper_key({"ArXiv": "1504.08083v2", "DOI": "10.1109/ICCV.2015.169"}, "abc")
'arXiv:1504.08083'
>>> paper_key({"DOI": "10.1109/CVPR.2009.5206848"}, "abc")
'doi:10.1109/cvpr.2009.5206848'
>>> paper_key(None, "abc"), paper_key(None, None)
('s2:abc', None)
"""

from __future__ import annotations

import re

from graph.arxiv_ids import normalize_arxiv_id


def paper_key(external_ids: dict | None, s2_id: str | None = None) -> str | None:
    """The key of a paper from its external ids and Semantic Scholar id (None: unknown)."""
    ext = external_ids if isinstance(external_ids, dict) else {}
    arxiv_id = normalize_arxiv_id(ext.get("ArXiv")) if ext.get("ArXiv") else None
    if arxiv_id:
        return f"arXiv:{arxiv_id}"
    doi = str(ext.get("DOI") or "").strip().lower()
    if doi:
        return f"doi:{doi}"
    if isinstance(s2_id, str) and s2_id.strip():
        return f"s2:{s2_id.strip()}"
    return None


def key_node_id(key: str) -> str:
    """The graph node id of a paper key.

    >>> key_node_id("doi:10.1/x")
    'paper:doi:10.1/x'
    """
    return f"paper:{key}"


def paper_url(key: str) -> str:
    """Where a reader opens the paper of a key.

    >>> paper_url("doi:10.1109/cvpr.2009.5206848"), paper_url("s2:abc")
    ('https://doi.org/10.1109/cvpr.2009.5206848', 'https://www.semanticscholar.org/paper/abc')
    """
    kind, _, value = key.partition(":")
    if kind == "arXiv":
        return f"https://arxiv.org/abs/{value}"
    if kind == "doi":
        return f"https://doi.org/{value}"
    return f"https://www.semanticscholar.org/paper/{value}"


def title_evidence(key: str, title: str = "") -> str:
    """A citation's evidence when Semantic Scholar gives no citing sentence.

    >>> title_evidence("doi:10.1/x", "ImageNet"), title_evidence("s2:abc")
    ('cites “ImageNet”', 'cites s2:abc')
    """
    return f"cites “{title}”" if title else f"cites {key}"


def cited_paper_node(key: str, info: dict, listed_dois: set[str] = frozenset()) -> dict:
    """The attributes of a paper node known only as something cited.

    >>> cited_paper_node("s2:vgg", {"title": "Very Deep Convolutional Networks", "year": 2014,
    ...                             "authors": ["Karen Simonyan", "Andrew Zisserman"]})["label"]
    'Very Deep Convolutional Networks'
    """
    kind, _, value = key.partition(":")
    title = " ".join(str(info.get("title") or "").split())
    attrs = {"kind": "paper", "label": title or key, "title": title or None,
             "year": info.get("year"), "url": paper_url(key),
             "authors": "|".join(info.get("authors") or []) or None,
             "doi": info.get("doi") or (value if kind == "doi" else None),
             "arxiv_id": info.get("arxiv_id") or (value if kind == "arXiv" else None),
             "s2_id": info.get("s2_id"),
             "in_list": kind == "doi" and value in listed_dois}
    return {k: v for k, v in attrs.items() if v is not None and v != ""}


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{3,}")


def best_context(contexts: list[str], cited_title: str = "") -> str | None:
    """The citing sentence that best shows the citation: one sharing words with the cited
    title first, then the longest (short contexts are often bare reference markers).

    >>> best_context(["[12]", "Fast R-CNN fixes the disadvantages of R-CNN."], "Fast R-CNN")
    'Fast R-CNN fixes the disadvantages of R-CNN.'
    >>> best_context([]) is None
    True
    """
    usable = [" ".join(c.split()) for c in contexts or [] if c and c.strip()]
    if not usable:
        return None
    title_words = {w.lower() for w in _WORD.findall(cited_title or "")}

    def score(text: str) -> tuple[int, int]:
        shared = len(title_words & {w.lower() for w in _WORD.findall(text)})
        return shared, min(len(text), 300)

    return max(usable, key=score)
