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
