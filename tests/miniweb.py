"""A synthetic mini-web served on 127.0.0.1 for crawl tests.

Each path maps to a ``Page`` (status, headers, body) or to a function of the request
count that returns one, so a test can say "500 the first time, 200 after". Every request
is logged with its path and User-Agent.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Callable

from tests.loopback import LoopbackServer


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0            # seconds before answering (a hanging server)
    chunked_forever: bool = False  # stream without end (a body that never stops)


Route = Page | Callable[[int], Page]


class MiniWeb(LoopbackServer):
    methods = ("GET", "HEAD")

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[float, str, str]] = []  # (time, path, user agent)
        self._counts: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        super().__init__()

    def handle(self, request, method: str) -> None:
        self._serve(request, head=method == "HEAD")

    def url(self, path: str) -> str:
        return self.base + path


    def requests_to(self, path: str) -> int:
        return sum(1 for _, p, _ in self.log if p == path)

    def _serve(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._answer(handler, head)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, handler: BaseHTTPRequestHandler, head: bool) -> None:
        path = handler.path
        with self._lock:
            self.log.append((time.monotonic(), path, handler.headers.get("User-Agent", "")))
            count = self._counts[path] = self._counts.get(path, 0) + 1
        route = self.routes.get(path)
        if route is None:
            page = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)
        else:
            page = route(count) if callable(route) else route
        if page.delay and self._stopping.wait(page.delay):
            return
        try:
            handler.send_response(page.status)
            if page.content_type:
                handler.send_header("Content-Type", page.content_type)
            for name, value in page.headers.items():
                handler.send_header(name, value)
            if page.chunked_forever:
                handler.send_header("Transfer-Encoding", "chunked")
                handler.end_headers()
                chunk = b"x" * 65536
                while not self._stopping.is_set():
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                return
            handler.send_header("Content-Length", str(len(page.body)))
            handler.end_headers()
            if not head:
                handler.wfile.write(page.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
