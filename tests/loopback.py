"""A threaded HTTP server on 127.0.0.1: the base of the tests' fake sites and APIs.

A subclass answers requests in ``handle(request, method)``; ``start()`` serves in a daemon
thread and ``stop()`` shuts down at once, setting ``_stopping`` so that answers which hang
or trickle on purpose end too.

>>> class Hello(LoopbackServer):
...     def handle(self, request, method):
...         request.send_response(200); request.send_header("Content-Length", "2")
...         request.end_headers(); request.wfile.write(b"hi")
>>> import urllib.request
>>> server = Hello().start()
>>> direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
>>> direct.open(server.base + "/").read()
b'hi'
>>> server.stop()
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that time out or hang up early are part of the tests


class LoopbackServer:
    methods: tuple[str, ...] = ("GET",)
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs add 40 ms to every keep-alive exchange (it matters where tests time).
    nodelay = False

    def __init__(self):
        self._stopping = threading.Event()
        owner = self

        def answer(method):
            return lambda request: owner.handle(request, method)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                if owner.nodelay:
                    self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args):  # keep test output clean
                pass

        for method in self.methods:
            setattr(Handler, f"do_{method}", answer(method))
        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        # A short poll interval makes stop() quick.
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                        daemon=True)

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        raise NotImplementedError

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()


class ScriptedApi(LoopbackServer):
    """A fake API whose next answers can be scripted to fail: ``fail_next`` (an HTTP
    status, with ``Retry-After``), ``hang_next`` (no answer for a while), and whatever kinds
    a subclass queues with ``_queue`` and serves when ``_next_action`` returns them.

    ``requests`` is the log a subclass appends to (each with a ``time``), under ``_lock``.
    """

    def __init__(self):
        self.requests: list = []
        self._actions: list[list] = []     # [kind, remaining, options]
        self._lock = threading.Lock()
        super().__init__()

    def _queue(self, kind: str, n: int, **options) -> None:
        with self._lock:
            self._actions.append([kind, n, options])

    def fail_next(self, n: int = 1, status: int = 503, retry_after: float | None = None):
        self._queue("status", n, status=status, retry_after=retry_after)

    def hang_next(self, n: int = 1, seconds: float = 30.0) -> None:
        self._queue("hang", n, seconds=seconds)

    def gaps(self) -> list[float]:
        """Seconds between the arrivals of consecutive requests."""
        times = [r.time for r in self.requests]
        return [b - a for a, b in zip(times, times[1:])]

    def _next_action(self) -> tuple[str | None, dict]:
        with self._lock:
            if not self._actions:
                return None, {}
            action = self._actions[0]
            action[1] -= 1
            if action[1] <= 0:
                self._actions.pop(0)
            return action[0], action[2]
