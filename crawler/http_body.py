"""Read a ``requests`` body within a deadline and a size limit.

``requests`` times out on each socket read, not on the whole answer, so a server that
trickles a byte at a time never times out. Both users of ``requests`` in the crawler (the
arXiv client and the WARC recorder of its traffic) read bodies through this.
"""

from __future__ import annotations

import time

import requests
import urllib3


class BodyTooLarge(requests.exceptions.ContentDecodingError):
    """The body grew past the limit."""


def read_within(raw, deadline: float, timeout_label: str, limit: int, *,
                decode_content: bool) -> bytes:
    """The whole body of a urllib3 response, or ``ReadTimeout`` once ``deadline``
    (``time.monotonic()``) passes, or ``BodyTooLarge`` past ``limit`` bytes.

    urllib3 errors come out as the ``requests`` exceptions callers already handle.
    """
    # read1 returns what has arrived instead of waiting for a full chunk (urllib3 >= 2.3).
    read = getattr(raw, "read1", None) or raw.read
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise requests.exceptions.ReadTimeout(
                f"answer not complete within {timeout_label} s")
        try:
            chunk = read(65536, decode_content=decode_content)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from exc
        except urllib3.exceptions.SSLError as exc:
            raise requests.exceptions.SSLError(str(exc)) from exc
        except urllib3.exceptions.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(str(exc)) from exc
        except (urllib3.exceptions.ProtocolError, OSError) as exc:
            raise requests.exceptions.ChunkedEncodingError(str(exc)) from exc
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"answer larger than {limit} bytes")
        chunks.append(chunk)
