"""A downloader that keeps the per-host concurrency limit when requests arrive in a burst.

Scrapy 2.19 starts each download as a scheduled coroutine, and the coroutine marks its
request as transferring only when it runs. With no download delay, ``_process_queue``
therefore sees every transfer slot free and starts the whole queue at once: 7 requests
to one host with ``CONCURRENT_REQUESTS_PER_DOMAIN = 2``. Reserving the slot before
scheduling keeps the limit.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class PoliteDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # reserved now; _download() re-adds, then frees it
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
