"""A small HTTP suggester on a loopback address that speaks the suggester protocol (docs/suggestions.md).

POST / with {"text", "language", "labels", ...} answers {"spans": [...]}: every run of text between
straight double quotes as a `quote`, and each capitalised word pair after `said` as a `source` the quote
is linked to. Other paths misbehave on purpose: /broken (not JSON), /outside (offsets past the text),
/fail (HTTP 500), /slow (answers after the caller's time limit), /denied (HTTP 403).
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

QUOTED = re.compile(r'"([^"]+)"')
SAID = re.compile(r"said ([A-Z]\w+ [A-Z]\w+)")


def answer(text: str) -> dict:
    spans = []
    for match in QUOTED.finditer(text):
        spans.append({"label": "quote", "start": match.start(1), "end": match.end(1), "confidence": 0.7})
        said = SAID.search(text, match.end())
        if said is not None:
            spans[-1]["link"] = {"type": "said_by", "to": len(spans)}
            spans[-1]["attributes"] = {"speaker": said.group(1)}
            spans.append({"label": "source", "start": said.start(1), "end": said.end(1), "confidence": 0.6})
    return {"spans": spans}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(request)
        if self.path == "/broken":
            self._send(200, b"<html>not json")
        elif self.path == "/outside":
            self._send(200, json.dumps({"spans": [{"label": "quote", "start": 0, "end": 10**6}]}).encode())
        elif self.path == "/fail":
            self._send(500, b"{}")
        elif self.path == "/denied":
            self._send(403, b"{}")
        elif self.path == "/slow":
            time.sleep(2.5)
            self._send(200, b'{"spans": []}')
        else:
            self._send(200, json.dumps(answer(request["text"])).encode())


class SuggesterServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def handle_error(self, request, client_address) -> None:
        pass  # a caller that gives up on /slow hangs up on purpose

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def __enter__(self) -> SuggesterServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
