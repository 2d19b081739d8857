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
