"""A tiny HTTP server on a loopback address for URL-import tests: real sockets, no network.

Each route models one kind of page or attack (redirects, huge or endless bodies, compression bombs,
slow drips, wrong content types). `connections` counts accepted connections, so a test can prove a
refused fetch never reached the server.
"""

from __future__ import annotations

import functools
import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ARTICLE_HTML = """<!doctype html><html><head><title>Harbour bridge to close for repairs - The Coast Gazette</title>
<meta name="author" content="Jonas Ødegård"><meta property="og:site_name" content="The Coast Gazette">
<meta property="article:published_time" content="2026-03-02T07:15:00Z">
<script>alert(1)</script><base href="http://evil.example/">
<meta http-equiv="refresh" content="0;url=http://evil.example/">
</head><body><nav>Home | World | Sport</nav><article><h1>Harbour bridge to close for repairs</h1>
<p>The harbour bridge will close for six weeks from April, the city’s transport office said on Monday,
after inspectors found corrosion in two of its steel cables. <img src=x onerror=alert(1)></p>
<p>“Safety comes first,” said engineer Aiyana Lee. Traffic will be diverted over the river road,
which officials expect to add twenty minutes to a typical commute.
<iframe srcdoc="<script>alert(2)</script>"></iframe></p>
<form action="http://evil.example/"><input name=q></form>
<p>Residents can follow the works online; ferries will run every fifteen minutes during rush hour.
<svg><script>alert(3)</script></svg>
<span hx-get="/api/v1/projects/" hx-trigger="load">=HYPERLINK("http://evil","x")</span></p>
</article><footer>Comments (12)</footer></body></html>"""


@functools.cache
def gzip_bomb() -> bytes:
    """50 MB of zeros, about 50 KB compressed."""
    return gzip.compress(b"\0" * 50_000_000)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/html; charset=utf-8",
        headers: dict | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        route = parts.path
        if route == "/article":
            self._send(200, ARTICLE_HTML.encode())
        elif route == "/text":
            self._send(200, "A plain text note\nwith a second line.".encode(), "text/plain; charset=utf-8")
        elif route == "/pdf":
            self._send(200, b"%PDF-1.4 not html", "application/pdf")
        elif route == "/big":
            self._send(200, b"<p>" + b"x" * int(query.get("size", ["200000"])[0]) + b"</p>")
        elif route == "/redirect":
            self._send(302, headers={"Location": query["to"][0]})
        elif route.startswith("/chain/"):
            left = int(route.rsplit("/", 1)[1])
            self._send(302, headers={"Location": f"/chain/{left - 1}" if left > 1 else "/article"})
        elif route == "/status":
            self._send(int(query["code"][0]), b"secret internal error page")
        elif route == "/gzip-bomb":
            self._send(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})
        elif route == "/endless":
            self._stream(delay=0)
        elif route == "/slow":
            self._stream(delay=0.2)
        else:
            self._send(404, b"not found")

    def _stream(self, delay: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            while not self.server.stopping.is_set():
                chunk = b"y" if delay else b"z" * 65536
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
                if delay:
                    time.sleep(delay)
        except OSError:
            pass


class LocalWebServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1"):
        super().__init__((host, 0), _Handler)
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up on purpose (size caps, timeouts) are the point of these tests

    def get_request(self):
        request = super().get_request()
        self.connections += 1
        return request

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str) -> str:
        return f"http://{self.server_address[0]}:{self.port}{path}"

    def __enter__(self) -> LocalWebServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
