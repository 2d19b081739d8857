"""arXiv identifiers: recognise them in URLs and in text, validate, normalise.

One paper is one versionless id: ``1506.01497`` for ``https://arxiv.org/pdf/1506.01497v3.pdf``
and ``arXiv:1506.01497v2``; ``math/0309136`` for ``math.GT/0309136``.

>>> arxiv_id_from_url("https://arxiv.org/pdf/1710.07035.pdf")
'1710.07035'
>>> normalize_arxiv_id("arXiv:hep-th/9901001v2")
'hep-th/9901001'
>>> arxiv_ids_in_text("Faster R-CNN (arXiv:1506.01497v3) is fast. Version 1.2.3 is not a paper.")
[('1506.01497', 'Faster R-CNN (arXiv:1506.01497v3) is fast.')]

Rules (chosen to keep false positives out of the graph):

- New-style ids ``YYMM.NNNN`` (April 2007 to December 2014) and ``YYMM.NNNNN`` (from January
  2015), month 01-12, number not all zeros, optional version ``vN``.
- Old-style ids ``archive[.SUBJECT]/YYMMNNN`` (August 1991 to March 2007) with an archive
  from the fixed list of pre-2007 archives. The subject class is not part of the id.
- In text, a new-style id counts only with arXiv context: ``arXiv:1506.01497``,
  ``arXiv 1506.01497v2``, ``arXiv preprint arXiv:1506.01497``, an arXiv URL with or without
  scheme, or the arXiv DOI ``10.48550/arXiv.1506.01497``. A bare ``1506.01497`` or
  ``[1311.2524]`` could be a version number, a date or a page range, and is not taken.
  Old-style ids are specific enough to count bare (``hep-th/9901001``), but not as part of
  another path (``example.com/math/0309136``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from urllib.parse import unquote, urlsplit

__all__ = [
    "OLD_STYLE_ARCHIVES",
    "arxiv_abs_url",
    "arxiv_id_from_url",
    "arxiv_ids_in_text",
    "is_valid_arxiv_id",
    "normalize_arxiv_id",
]

#: Archives that had identifiers of the form ``archive/YYMMNNN`` (before April 2007).
OLD_STYLE_ARCHIVES = frozenset({
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
    "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
    "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin",
    "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph",
    "solv-int", "supr-con",
})

#: Most evidence a sentence may carry (the graph contract's limit).
MAX_EVIDENCE = 300

# The shape of an id (validity is checked separately, on the captured groups).
_NEW = r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})(?:v(?P<ver>[1-9]\d*))?(?!\d)"
_OLD = (r"(?P<arch>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subj>[A-Za-z]+(?:-[A-Za-z]+)?))?"
        r"/(?P<onum>\d{7})(?:v(?P<over>[1-9]\d*))?(?!\d)")
_ID_FULL = re.compile(rf"(?:{_NEW}|{_OLD})")

# Same shape without named groups, for embedding in the text patterns.
_ID_ANY = (r"(?:\d{4}\.\d{4,5}(?:v[1-9]\d*)?(?!\d)"
           r"|[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)?)?/\d{7}(?:v[1-9]\d*)?(?!\d))")

# Hosts serving arXiv papers by id. Other sites that show arXiv papers (alphaxiv, papers
# with code, ...) are pages of their own, not the paper.
_HOSTS = r"(?:[a-z0-9-]+\.)*(?:arxiv\.org|ar5iv\.org)|xxx\.lanl\.gov"
_PATH_KINDS = r"(?:abs|pdf|html|format|ps|src|e-print)"
_DOI_PREFIX = r"10\.48550/arxiv\."

_URL_PATH = re.compile(
    rf"/{_PATH_KINDS}/(?:arxiv:)?(?P<id>{_ID_ANY})(?:\.pdf)?(?:/.*)?", re.I | re.S)
_DOI_PATH = re.compile(rf"/{_DOI_PREFIX}(?P<id>{_ID_ANY})/?", re.I)

# Words that may sit between "arXiv" and the id: "arXiv preprint arXiv:1506.01497",
# "arXiv e-print 1506.01497", "arXiv ID: 1506.01497", "arXiv no. 1506.01497".
_CONTEXT_WORDS = r"(?:preprint|e-?print|id|identifier|no\.?|number|paper|article|abs)"
_TEXT = re.compile(
    # 1. a URL, scheme optional: arxiv.org/abs/1512.03385
    rf"(?<![\w.-])(?:https?://)?(?i:{_HOSTS})/(?i:{_PATH_KINDS})/(?i:arxiv:)?(?P<url>{_ID_ANY})"
    # 2. the arXiv DOI
    rf"|(?<![\w.])(?i:{_DOI_PREFIX})(?P<doi>{_ID_ANY})"
    # 3. the word arXiv followed by the id (full-width colon too: "arXiv：1506.01497")
    rf"|(?<![\w])(?i:arxiv(?:\s*{_CONTEXT_WORDS})*\s*[:：#]?\s*(?:arxiv\s*[:：]\s*)?)"
    rf"(?P<ctx>{_ID_ANY})"
    # 4. a bare old-style id, not inside a path or a longer word
    rf"|(?<![\w/.-])(?P<old>[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[A-Za-z]+)?)?"
    rf"/\d{{7}}(?:v[1-9]\d*)?)(?![\w/])"
)

# Sentence ends: .!? before whitespace, CJK .!? anywhere, and line breaks.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|\s*\n\s*")
_WS = re.compile(r"\s+")


def _valid_parts(m: re.Match) -> str | None:
    """The versionless id of a match of ``_ID_FULL``, or None if it breaks a rule."""
    if m.group("yymm"):
        yymm, num = m.group("yymm"), m.group("num")
        month = int(yymm[2:])
        if not 1 <= month <= 12 or yymm < "0704" or int(num) == 0:
            return None
        # Four digits until 1412, five from 1501 (string order is date order here).
        if len(num) != (4 if yymm <= "1412" else 5):
            return None
        return f"{yymm}.{num}"
    arch, onum = m.group("arch"), m.group("onum")
    if arch not in OLD_STYLE_ARCHIVES:
        return None
    yy, mm, nnn = int(onum[:2]), int(onum[2:4]), int(onum[4:])
    if not 1 <= mm <= 12 or nnn == 0:
        return None
    # Old-style ids ran from 9108 (hep-th/9108001) to 0703; YY 08-90 never existed.
    yyyymm = (1900 + yy if yy >= 91 else 2000 + yy) * 100 + mm
    if not 199107 <= yyyymm <= 200703:
        return None
    return f"{arch}/{onum}"


def is_valid_arxiv_id(s: object) -> bool:
    """True if ``s`` is exactly an arXiv id, optionally with a version.

    >>> [is_valid_arxiv_id(s) for s in ("1506.01497v2", "1506.0149", "math.GT/0309136")]
    [True, False, True]
    """
    if not isinstance(s, str):
        return False
    m = _ID_FULL.fullmatch(s)
    return m is not None and _valid_parts(m) is not None


def normalize_arxiv_id(s: object) -> str | None:
    """The versionless id that ``s`` names, or None.

    Takes a bare id (with or without version), ``arXiv:``-prefixed ids, and arXiv URLs.

    >>> normalize_arxiv_id(" arXiv:1506.01497v3 "), normalize_arxiv_id("math.GT/0309136v1")
    ('1506.01497', 'math/0309136')
    >>> normalize_arxiv_id("1.2.3") is None
    True
    """
    if not isinstance(s, str):
        return None
    text = s.strip()
    if "://" in text or text.lower().startswith(("arxiv.org/", "www.arxiv.org/")):
        return arxiv_id_from_url(text)
    text = re.sub(r"(?i)^arxiv\s*[:：]\s*", "", text)
    m = _ID_FULL.fullmatch(text)
    return _valid_parts(m) if m else None


def arxiv_abs_url(arxiv_id: str) -> str:
    """The canonical abstract page of a paper.

    >>> arxiv_abs_url("cs/0112017")
    'https://arxiv.org/abs/cs/0112017'
    """
    return f"https://arxiv.org/abs/{arxiv_id}"


def arxiv_id_from_url(url: object) -> str | None:
    """The versionless id of the paper an arXiv URL shows, or None for any other URL.

    Knows abs, pdf (with or without ``.pdf``), html, format, ps, src and e-print pages on
    arxiv.org and its subdomains (www, export, ar5iv.labs), ar5iv.org, the old
    xxx.lanl.gov, and the arXiv DOI on doi.org. The scheme may be missing.

    >>> arxiv_id_from_url("http://export.arxiv.org/abs/hep-th/9901001v2?context=hep-th")
    'hep-th/9901001'
    >>> arxiv_id_from_url("https://www.alphaxiv.org/abs/1506.01497") is None
    True
    """
    if not isinstance(url, str):
        return None
    text = url.strip()
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = unquote(parts.path)
    if host in ("doi.org", "dx.doi.org", "www.doi.org"):
        m = _DOI_PATH.fullmatch(path)
    elif re.fullmatch(_HOSTS, host):
        m = _URL_PATH.fullmatch(path)
    else:
        return None
    return normalize_arxiv_id(m.group("id")) if m else None


def _sentence_bounds(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the boundaries between sentences, in text order."""
    spans = [b.span() for b in _BOUNDARY.finditer(text)]
    return [a for a, _ in spans], [b for _, b in spans]


def _evidence(text: str, bounds: tuple[list[int], list[int]], s: int, e: int) -> str:
    """The sentence around ``text[s:e]``, whitespace collapsed, at most MAX_EVIDENCE chars."""
    starts, ends = bounds
    # The last boundary that ends at or before the match, the first that starts after it;
    # boundaries inside the match ("arXiv no. 1506.01497") do not count.
    i = bisect_right(ends, s) - 1
    a = ends[i] if i >= 0 else 0
    j = bisect_left(starts, e)
    b = starts[j] if j < len(starts) else len(text)
    pre = _WS.sub(" ", text[a:s]).lstrip()
    mid = _WS.sub(" ", text[s:e])
    post = _WS.sub(" ", text[e:b]).rstrip()
    if len(pre) + len(mid) + len(post) <= MAX_EVIDENCE:
        return pre + mid + post
    return _clip(pre, mid, post)


def _clip(pre: str, mid: str, post: str, limit: int = MAX_EVIDENCE) -> str:
    """A window of at most ``limit`` chars around ``mid``, cut at spaces, marked with '…'."""
    if len(mid) + 2 >= limit:
        return mid[:limit]
    room = limit - len(mid) - 2          # two chars kept for the '…' marks
    left = min(len(pre), room // 2)
    right = min(len(post), room - left)
    left = min(len(pre), room - right)   # give the left what the right did not use
    head = pre[len(pre) - left:] if left else ""
    tail = post[:right]
    if left < len(pre):
        cut = head.find(" ")
        head = "…" + (head[cut + 1:] if 0 <= cut < len(head) - 1 else head)
    if right < len(post):
        cut = tail.rfind(" ")
        tail = (tail[:cut] if cut > 0 else tail) + "…"
    return head + mid + tail


def arxiv_ids_in_text(text: str | None) -> list[tuple[str, str]]:
    """Every paper the text cites, once, with the first sentence citing it.

    Returns (versionless id, sentence) pairs in order of first mention; the sentence has
    its whitespace collapsed and at most 300 characters.

    >>> arxiv_ids_in_text("论文见 arXiv：1512.03385。很好。See arxiv.org/abs/1512.03385v2 too.")
    [('1512.03385', '论文见 arXiv：1512.03385。')]
    """
    if not text:
        return []
    found: dict[str, str] = {}
    bounds = None
    for m in _TEXT.finditer(text):
        raw = next(g for g in m.group("url", "doi", "ctx", "old") if g)
        arxiv_id = normalize_arxiv_id(raw)
        if arxiv_id is None or arxiv_id in found:
            continue
        if bounds is None:
            bounds = _sentence_bounds(text)
        found[arxiv_id] = _evidence(text, bounds, m.start(), m.end())
    return list(found.items())
