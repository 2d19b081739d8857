"""Outgoing links: resolve, keep http(s) only, drop the #fragment, deduplicate in order.

>>> absolute_link("https://a.example/posts/", "../b.html#top")
'https://a.example/b.html'
>>> unique_links([("https://b.example/x", ""), ("https://b.example/x", "X")])
[('https://b.example/x', 'X')]
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urldefrag, urljoin, urlsplit

# Browsers strip these from hrefs before resolving.
_HREF_JUNK = re.compile(r"[\t\r\n\x00]")
# A URL in running text; trailing punctuation is trimmed afterwards.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`\u3000-\u303f\uff08\uff09\uff0c\uff1b]+", re.I)
_TRAILING = ".,;:!?'\"*_~>"


@lru_cache(maxsize=8192)  # pages repeat their hrefs (menus, the text and its container)
def absolute_link(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, without fragment; None unless http(s).

    >>> absolute_link("https://a.example/", "mailto:x@a.example") is None
    True
    """
    href = _HREF_JUNK.sub("", (href or "")).strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = urldefrag(urljoin(base or "", href))[0]
        parts = urlsplit(url)
        host = parts.hostname  # raises ValueError on malformed hosts and ports
        parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url


def unique_links(links, self_url: str | None = None) -> list[tuple[str, str]]:
    """Deduplicate (url, anchor) pairs in order, keeping the first non-empty anchor;
    links back to ``self_url`` (the page itself) are dropped."""
    own = urldefrag(self_url)[0] if self_url else None
    seen: dict[str, str] = {}
    for url, anchor in links:
        if not url or url == own:
            continue
        anchor = " ".join((anchor or "").split())
        if not seen.get(url):
            seen[url] = anchor
    return list(seen.items())


def trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence around a URL, and unbalanced brackets.

    >>> trim_url("https://a.example/x_(y)).")
    'https://a.example/x_(y)'
    """
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        elif url[-1] == "]" and url.count("]") > url.count("["):
            url = url[:-1]
        else:
            break
    return url


def urls_in_text(text: str, base: str | None = None) -> list[tuple[str, str]]:
    """Links written out in plain text (comments, READMEs), as (url, '') pairs.

    >>> urls_in_text("See https://arxiv.org/abs/1512.03385, and http://a.example/#x.")
    [('https://arxiv.org/abs/1512.03385', ''), ('http://a.example/', '')]
    """
    found = []
    for match in _URL_IN_TEXT.finditer(text or ""):
        url = absolute_link(base or "", trim_url(match.group(0)))
        if url:
            found.append((url, ""))
    return unique_links(found, base)
