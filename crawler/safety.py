"""Keep the crawl on the public web.

Strangers write the pages a reading list points to. A link in one of them to
``http://169.254.169.254/latest/meta-data/`` (cloud credentials) or ``http://localhost:8080/``
would otherwise be fetched from the machine running the crawl, and the answer stored and
shown in the graph (server-side request forgery). So:

- Links found in pages (depth >= 1, every redirect hop included) are not fetched when their
  host resolves to a loopback, private, link-local, shared, multicast, reserved or
  unspecified address, IPv4 or IPv6 (IPv4-mapped and 6to4 forms too). A name with one such
  address among public ones is refused as well. ``ALLOW_PRIVATE_LINKS`` lifts this.
- Not checked: the seeds as listed (the user chose them, an intranet page included), their
  redirects that stay on the listed host, robots.txt (its page was checked), and the
  configured services (the web-archive API and the snapshots it names).
- Only http and https are fetched, whatever the list, a page or a redirect says.

Names are resolved with ``getaddrinfo`` on asyncio's executor, so the reactor keeps
running, and the checked address is pinned in :class:`PinningResolver`, the resolver Scrapy
connects with: a DNS answer that changes between the check and the connection (DNS
rebinding) is never used. Under WARC replay nothing is resolved (nothing is fetched):
literal addresses are still refused, and refusals recorded live are replayed.

>>> is_public_address("169.254.169.254"), is_public_address("93.184.215.14")
(False, True)
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer

ALLOWED_SCHEMES = ("http", "https")

# Checked public IPv4 address of each host name, used for the connection itself.
_PINNED: dict[str, str] = {}


class BlockedAddress(IgnoreRequest):
    """A link found in a page points to a non-public address."""

    outcome = "blocked_private"


class RefusedScheme(IgnoreRequest):
    """A URL whose scheme is not http or https."""

    outcome = "invalid_url"


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(value.split("%", 1)[0])


def address_kind(value: str) -> str | None:
    """Why an address is not public (``'loopback'``, ``'private'`` ...), None if it is.

    >>> address_kind("::ffff:127.0.0.1"), address_kind("fe80::1"), address_kind("8.8.8.8")
    ('loopback', 'link-local', None)
    """
    ip = _address(value)
    if ip.version == 6 and (ip.ipv4_mapped or ip.sixtofour):
        return address_kind(str(ip.ipv4_mapped or ip.sixtofour))
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "non-public"


def is_public_address(value: str) -> bool:
    return address_kind(value) is None


def needs_check(request) -> bool:
    """Whether the address of this request's host must be public (see the module doc)."""
    meta = request.meta
    if meta.get("archive_service") or "doc_url" not in meta:
        return False
    if meta.get("is_seed"):
        listed = (meta.get("redirect_urls") or [request.url])[0]
        return urlsplit(listed).hostname != urlparse_cached(request).hostname
    return True


class LinkGuardMiddleware:
    """Downloader middleware (before robots.txt, so not even that is fetched) refusing
    other schemes everywhere and non-public addresses for links found in pages."""

    def __init__(self, allow_private: bool, replay: bool, dns_timeout: float):
        self.allow_private = allow_private
        self.replay = replay
        self.dns_timeout = dns_timeout
        self._resolved: dict[tuple[str, int], list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(s.getbool("ALLOW_PRIVATE_LINKS"), bool(s.get("WARC_REPLAY")),
                   s.getfloat("DNS_TIMEOUT", 15))

    async def process_request(self, request, spider=None):
        parts = urlparse_cached(request)
        if parts.scheme not in ALLOWED_SCHEMES:
            raise RefusedScheme(f"only http and https URLs are fetched, not {parts.scheme}:")
        if self.allow_private or not needs_check(request) or not parts.hostname:
            return None
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = await self._addresses(parts.hostname, port)
        for address in addresses:
            kind = address_kind(address)
            if kind:
                raise BlockedAddress(
                    f"{parts.hostname} resolves to {address}, a {kind} address; links found"
                    " in pages are not fetched from such addresses (ALLOW_PRIVATE_LINKS)")
        ipv4 = [a for a in addresses if ":" not in a]
        if ipv4 and ipv4[0] != parts.hostname:
            _PINNED[parts.hostname] = ipv4[0]
        return None

    async def _addresses(self, host: str, port: int) -> list[str]:
        key = (host, port)
        if key not in self._resolved:
            # Under replay only literal addresses are read; names are not looked up.
            flags = socket.AI_NUMERICHOST if self.replay else 0
            loop = asyncio.get_running_loop()
            try:
                infos = await asyncio.wait_for(
                    loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=flags),
                    self.dns_timeout)
            except (OSError, asyncio.TimeoutError, UnicodeError):
                return []  # the download itself fails and records why
            self._resolved[key] = sorted({info[4][0] for info in infos})
        return self._resolved[key]


class PinningResolver(CachingThreadedResolver):
    """Scrapy's default resolver, answering checked names with the address that was checked."""

    def getHostByName(self, name, timeout=()):
        pinned = _PINNED.get(name)
        if pinned is not None:
            return defer.succeed(pinned)
        return super().getHostByName(name, timeout)
