"""Downloader middlewares: robots.txt that holds for every queued request, retries that
back off, and hosts whose name does not resolve asked only once."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.outcomes import classify_failure, is_dns_failure

logger = logging.getLogger(__name__)


class _DeadHostIsNotAnError(logging.Filter):
    """robots.txt of a host that is gone is logged by Scrapy as an ERROR with a traceback.
    The page's own request fails the same way and is recorded with its outcome, so one
    warning line is enough here, and none for a name that does not resolve:
    DeadHostMiddleware says that once per host."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.exc_info:
            if record.exc_info[1] is not None and is_dns_failure(record.exc_info[1]):
                return False
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_DeadHostIsNotAnError())


class ConsistentRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fixed for requests queued while robots.txt loads.

    Scrapy shares one Deferred between all requests to a host that wait for its
    robots.txt; converting it to a future consumes its result, so the third and later
    waiters get ``None`` and skip the check. The parsed robots.txt is also cached in
    ``self._parsers``, so each waiter reads it from there once the wait is over.
    """

    async def robot_parser(self, request: Request):
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc)
        if cached is None or isinstance(cached, Deferred):
            return parser
        return cached


def _retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value.decode("ascii", "replace").strip()))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, each one waiting longer: base, 2*base, 4*base ... up to a cap.

    ``Retry-After`` (in seconds) of a 429/503 answer is honoured within the cap. The wait
    is an asyncio sleep, so other downloads go on meanwhile.
    """

    def __init__(self, settings):
        super().__init__(settings)
        # A name that does not resolve now will not resolve in a second either; with no
        # network at all every host fails this way, and retries only multiply the wait.
        self.retry_dns = not settings.getbool("DNS_FAILURES_ARE_FINAL", True)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def _delay(self, retry: Request, hint: float | None = None) -> float:
        attempt = max(1, retry.meta.get("retry_times", 1))
        delay = self.backoff_base * 2 ** (attempt - 1)
        if hint is not None:
            delay = max(delay, hint)
        return min(delay, self.backoff_max)

    async def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            hint = _retry_after_seconds(response.headers.get(b"Retry-After"))
            await asyncio.sleep(self._delay(result, hint))
        return result

    async def process_exception(self, request, exception, spider=None):
        if not self.retry_dns and is_dns_failure(exception):
            return None
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result))
        return result


class UnresolvedHost(IgnoreRequest):
    """A request not sent: its host name did not resolve earlier in this crawl."""

    outcome = "dns_error"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.outcome_reason = reason


class DeadHostMiddleware:
    """Sends nothing more to a host once its name did not resolve.

    Placed after robots.txt: the first request to a host is its robots.txt, and every
    other request to that host waits for it. When it fails on DNS the host is remembered,
    and the waiting requests (and any later one) fail at once with ``dns_error`` and the
    first failure as reason, without reaching the downloader: at most one request per
    dead host, and no per-host download delay spent on it, so other hosts go on.
    ``DNS_FAILURES_ARE_FINAL = False`` switches this off (and retries DNS failures).
    """

    def __init__(self, stats=None):
        self.stats = stats
        self.dead: dict[str, str] = {}    # host name -> why, as the first failure said

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DNS_FAILURES_ARE_FINAL", True):
            raise NotConfigured
        return cls(crawler.stats)

    def process_request(self, request, spider=None):
        host = urlparse_cached(request).hostname
        why = self.dead.get(host) if host else None
        if why is None:
            return None
        if self.stats is not None:
            self.stats.inc_value("dns/requests_not_sent")
        raise UnresolvedHost(f"{why}; this URL was not requested")

    def process_exception(self, request, exception, spider=None):
        host = urlparse_cached(request).hostname
        if (host and host not in self.dead and not isinstance(exception, UnresolvedHost)
                and is_dns_failure(exception)):
            _outcome, reason, _status = classify_failure(exception)
            self.dead[host] = f"{reason.rstrip('.')} (at {request.url})"
            if self.stats is not None:
                self.stats.inc_value("dns/unresolved_hosts")
            logger.warning("%s does not resolve: no further request goes to it (%s)", host,
                           reason)
        return None
