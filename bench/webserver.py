"""Serve a directory on 127.0.0.1 fast enough that the crawler, not the server, is measured.

nginx (Debian: ``apt-get install nginx-light``) is used when it is installed, with its own
configuration in a scratch directory and one worker process; otherwise a small asyncio
HTTP/1.1 server with keep-alive, files held in memory, runs in its own process. Both
write one access-log line per request, so a benchmark can count what reached the server.

    with StaticServer("/tmp/site", "/tmp/scratch") as server:
        print(server.base, server.kind)       # http://127.0.0.1:PORT nginx
        n = server.requests_served()

Run standalone (the fallback server): ``python bench/webserver.py ROOT PORT ACCESS_LOG``.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

NGINX_CONF = """\
{user}worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; text/plain txt; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html text/plain;
    log_format bench '$request_uri $status';
    access_log {log} bench;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    open_file_cache max=20000 inactive=60s;
    client_body_temp_path {scratch}/body;
    proxy_temp_path {scratch}/proxy;
    fastcgi_temp_path {scratch}/fastcgi;
    uwsgi_temp_path {scratch}/uwsgi;
    scgi_temp_path {scratch}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri =404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None)


class StaticServer:
    """A static file server on 127.0.0.1 with an access log (nginx, else asyncio)."""

    def __init__(self, root: str | Path, scratch: str | Path, prefer: str = "nginx"):
        self.root = Path(root).resolve()
        self.scratch = Path(scratch).resolve()
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.access_log = self.scratch / "access.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.kind = "nginx" if prefer == "nginx" and nginx_binary() else "python-asyncio"
        self.version = None
        self.proc: subprocess.Popen | None = None

    def start(self) -> "StaticServer":
        self.access_log.touch()
        if self.kind == "nginx":
            # Run as root, nginx would hand requests to "nobody", who may not read the files.
            user = (f"user {pwd.getpwuid(os.geteuid()).pw_name};\n"
                    if os.geteuid() == 0 else "")
            conf = self.scratch / "nginx.conf"
            conf.write_text(NGINX_CONF.format(user=user, scratch=self.scratch,
                                              log=self.access_log, port=self.port,
                                              root=self.root))
            binary = nginx_binary()
            out = subprocess.run([binary, "-v"], capture_output=True, text=True)
            self.version = (out.stderr or out.stdout).strip().split("/")[-1]
            cmd = [binary, "-p", str(self.scratch), "-c", str(conf), "-e",
                   str(self.scratch / "error.log"), "-g", "daemon off;"]
        else:
            self.version = sys.version.split()[0]
            cmd = [sys.executable, __file__, str(self.root), str(self.port),
                   str(self.access_log)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=open(self.scratch / "server.err", "wb"))
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = (self.scratch / "server.err").read_text(errors="replace")
                raise RuntimeError(f"{self.kind} exited: {err.strip()[-500:]}")
            try:
                with urllib.request.urlopen(self.base + "/robots.txt", timeout=1) as r:
                    r.read()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.kind} did not answer on {self.base}")

    def requests_served(self) -> int:
        """Requests logged so far (one line each)."""
        with open(self.access_log, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))

    def processes(self) -> list[int]:
        """Process ids of the server (master and workers), to leave out of measurements."""
        if self.proc is None:
            return []
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
            pids += [int(p) for p in children.read_text().split()]
        except OSError:
            pass
        return pids

    def cpu_seconds(self) -> float:
        """CPU time (user + sys) the server's processes have used so far."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.processes():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        return total

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "StaticServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


_WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")


def load_test(base: str, paths: list[str], seconds: float = 3.0, connections: int = 16,
              scratch: str | Path = "/tmp") -> dict:
    """How many requests per second the server answers on loopback, for ``seconds``.

    Uses ``wrk`` (Debian package) cycling through ``paths`` when installed, else a
    threaded keep-alive client in this process (which is slower than any real server:
    its figure is a lower bound).
    """
    assert base.startswith("http://127.0.0.1:"), "load tests stay on loopback"
    seconds = min(float(seconds), 10.0)
    wrk = shutil.which("wrk")
    if wrk:
        script = Path(scratch) / "paths.lua"
        listed = ",".join(f'"{p}"' for p in paths[:2000])
        script.write_text(f"local paths = {{{listed}}}\nlocal i = 0\n"
                          "request = function()\n  i = i + 1\n"
                          "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
        out = subprocess.run([wrk, "-t", "2", "-c", str(connections), "-d",
                              f"{seconds:.0f}s", "-s", str(script), base + "/"],
                             capture_output=True, text=True, timeout=seconds + 30)
        match = _WRK_RPS.search(out.stdout)
        if match:
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
            return {"client": "wrk", "connections": connections, "seconds": seconds,
                    "requests_per_s": float(match.group(1)),
                    "non_2xx": int(errors.group(1)) if errors else 0}
    return _python_load_test(base, paths, seconds, connections)


def _python_load_test(base: str, paths: list[str], seconds: float, connections: int) -> dict:
    import http.client
    import threading

    host, port = base[len("http://"):].split(":")
    deadline = time.monotonic() + seconds
    counts = [0] * connections
    bad = [0] * connections

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        i = k
        while time.monotonic() < deadline:
            conn.request("GET", paths[i % len(paths)])
            resp = conn.getresponse()
            resp.read()
            counts[k] += 1
            bad[k] += resp.status != 200
            i += connections
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    return {"client": "python-threads (lower bound)", "connections": connections,
            "seconds": round(elapsed, 2), "requests_per_s": round(sum(counts) / elapsed, 1),
            "non_2xx": sum(bad)}


# -- the fallback server -------------------------------------------------------------------

_TYPES = {".html": b"text/html; charset=utf-8", ".txt": b"text/plain; charset=utf-8"}


def _load_files(root: Path) -> dict[bytes, tuple[bytes, bytes]]:
    files = {}
    for path in root.rglob("*"):
        if path.is_file():
            rel = "/" + path.relative_to(root).as_posix()
            ctype = _TYPES.get(path.suffix, b"application/octet-stream")
            files[rel.encode()] = (ctype, path.read_bytes())
    return files


async def _serve(root: Path, port: int, log_path: Path) -> None:
    files = _load_files(root)
    log = open(log_path, "ab", buffering=0)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1]
                path = target.split(b"?", 1)[0]
                found = files.get(path)
                status, ctype, body = ((b"200 OK", *found) if found else
                                       (b"404 Not Found", _TYPES[".html"], b"not found"))
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype +
                             b"\r\nContent-Length: " + str(len(body)).encode() +
                             b"\r\n\r\n" + body)
                log.write(target + b" " + status[:3] + b"\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
