"""Downloader middlewares: robots.txt that holds for every queued request, and retries
that back off."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


class _DeadHostIsNotAnError(logging.Filter):
    """robots.txt of a host that is gone is logged by Scrapy as an ERROR with a traceback.
    The page's own request fails the same way and is recorded with its outcome, so one
    warning line is enough here."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.exc_info:
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
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result))
        return result
