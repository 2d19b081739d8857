"""Name the reason a download failed, in the store's outcome vocabulary."""

from __future__ import annotations

import re

# Exception class names (Scrapy's, Twisted's and the standard library's) by outcome.
_BY_NAME = {
    "dns_error": {"CannotResolveHostError", "DNSLookupError", "DNSLookupFailed",
                  "gaierror", "NoResolverError", "NameResolutionError"},
    "connection_refused": {"DownloadConnectionRefusedError", "ConnectionRefusedError"},
    "timeout": {"DownloadTimeoutError", "TimeoutError", "TCPTimedOutError",
                "UserTimeoutError", "ResponseNeverReceived"},
}

#: Outcomes that make a seed "dead": the web archive may still have it.
DEAD_OUTCOMES = {"dns_error", "connection_refused"}
DEAD_HTTP_STATUSES = {404, 410}


#: How a reason starts when a host name did not resolve (Scrapy says the same).
DNS_FAILURE = "DNS lookup failed"

# What resolvers and HTTP libraries say when a name does not resolve: a failure replayed
# from a recording, or stored in the past, only has its message left.
_DNS_MESSAGE = re.compile(
    r"DNS lookup failed|NameResolutionError|Failed to resolve|name resolution"
    r"|Name or service not known|No address associated with hostname"
    r"|nodename nor servname|getaddrinfo failed|no results for hostname lookup",
    re.IGNORECASE)


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _exceeded_maxsize(exc: BaseException) -> bool:
    cause = exc.__cause__
    while cause is not None:
        if "MaxSizeExceeded" in type(cause).__name__:
            return True
        cause = cause.__cause__
    return "exceeded DOWNLOAD_MAXSIZE" in str(exc)


def classify_failure(exc: BaseException) -> tuple[str, str, int | None]:
    """Return ``(outcome, reason, http_status)`` for a failed download.

    >>> classify_failure(ConnectionRefusedError("Connection was refused"))[0]
    'connection_refused'
    """
    names = _names(exc)
    # Our own exceptions (a blocked link, a URL missing from the WARC, a replayed failure)
    # name their outcome themselves.
    if isinstance(getattr(exc, "outcome", None), str):
        reason = getattr(exc, "outcome_reason", None) or str(exc) or type(exc).__name__
        return exc.outcome, reason, None
    response = getattr(exc, "response", None)
    if "HttpError" in names and response is not None:
        return "http_error", f"HTTP {response.status}", response.status
    message = str(exc) or type(exc).__name__
    if "IgnoreRequest" in names and _exceeded_maxsize(exc):
        # HttpCompressionMiddleware stops a body that inflates past DOWNLOAD_MAXSIZE (a
        # gzip bomb) with a plain IgnoreRequest.
        return "too_large", message, None
    if "BadGzipFile" in names or type(exc).__module__ in ("zlib", "brotli", "_brotli",
                                                           "zstandard", "_zstd"):
        # HttpCompressionMiddleware could not inflate a body its Content-Encoding announced.
        return "unreadable", f"body could not be decompressed: {message}", None
    if "IgnoreRequest" in names and "robots.txt" in message:
        return "robots_blocked", "forbidden by robots.txt", None
    if "DownloadCancelledError" in names or "CancelledError" in names:
        if "maxsize" in message.lower() or "larger than" in message.lower():
            return "too_large", message, None
    if "ResponseNeverReceived" in names:
        # Twisted wraps the real cause; look inside for a refused connection or timeout.
        for inner in getattr(exc, "reasons", []) or []:
            value = getattr(inner, "value", inner)
            if isinstance(value, BaseException):
                outcome, reason, status = classify_failure(value)
                if outcome != "error":
                    return outcome, reason, status
    for outcome, known in _BY_NAME.items():
        if names & known:
            return outcome, message, None
    if "IgnoreRequest" in names:
        return "error", f"request ignored: {message}", None
    return "error", f"{type(exc).__name__}: {message}", None


def _wrapped(exc: BaseException):
    """``exc`` and every exception it wraps (causes, contexts, urllib3's ``reason``,
    Twisted's ``reasons``, exceptions passed as arguments)."""
    seen, todo = set(), [exc]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None),
                 *current.args]
        for inner in getattr(current, "reasons", None) or []:
            todo.append(getattr(inner, "value", inner))


def is_dns_failure(exc: BaseException) -> bool:
    """Whether a failure means the host name did not resolve: no retry will help soon.

    >>> import socket
    >>> is_dns_failure(OSError("connect", socket.gaierror(-2, "Name or service not known")))
    True
    >>> is_dns_failure(ConnectionRefusedError("Connection was refused"))
    False
    """
    outcome = getattr(exc, "outcome", None)
    if isinstance(outcome, str):  # it names its outcome itself (crawler.warc, .middlewares)
        return outcome == "dns_error"
    for current in _wrapped(exc):
        if _names(current) & _BY_NAME["dns_error"]:
            return True
    return is_dns_reason(str(exc))


def is_dns_reason(reason: str | None) -> bool:
    """Whether a recorded reason says a host name did not resolve.

    >>> is_dns_reason("connection failed: [Errno -3] Temporary failure in name resolution")
    True
    >>> is_dns_reason("HTTP 503 Service Unavailable")
    False
    """
    return bool(reason) and _DNS_MESSAGE.search(reason) is not None


def is_dead(outcome: str, http_status: int | None) -> bool:
    """A dead link: gone for good, worth asking the web archive about."""
    return outcome in DEAD_OUTCOMES or (
        outcome == "http_error" and http_status in DEAD_HTTP_STATUSES)
