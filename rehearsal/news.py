"""The rehearsal's news site: a small web server that URL-import jobs fetch from, never the internet.

It serves N article pages, /news/0001.html to /news/NNNN.html, each plain HTML with a title and a few
paragraphs of its own text, and answers 404 for anything else. A page is answered after DELAY seconds, as a
distant site would: so an import job runs for seconds, long enough for the worker kill to meet one. Each
page carries a marker sentence (`marker(n)`) found in no other page and in no seeded article, so
rehearsal/check.py can count, with SQL alone, how many stored articles hold page n: exactly one, however
often its job was started, retried or recovered after a SIGKILL.

rehearsal/rehearse.py starts it in the host's network namespace on an address of its own (ADDRESS, on a
veth pair whose both ends stay in the host), reached from the app servers' namespaces over their veths.
Every page it serves is logged ("served /news/0001.html to 10.77.2.2"), so the report can say how many
fetches the imports made.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ADDRESS, PORT = "10.77.9.1", 18481
DELAY = 0.2  # seconds before a page is answered
PATH = re.compile(r"^/news/(\d{4})\.html$")
WORDS = (
    "harbour council budget ferry bridge school clinic river vote mayor district tram rail library museum "
    "festival storm flood repairs contract inquiry minister report residents officials union strike court "
    "ruling season market prices housing rents wages hospital nurses teachers drivers farmers fishermen "
    "engineers volunteers survey figures estimate plan delay review appeal hearing petition committee"
).split()


def page_url(number: int) -> str:
    return f"http://{ADDRESS}:{PORT}/news/{number:04d}.html"


def page_number(url: str) -> int:
    """The page an address of page_url() names."""
    return int(PATH.match(urlsplit(url).path).group(1))


def marker(number: int) -> str:
    """A sentence only page `number` holds (four digits, then a space: no page's marker contains another's)."""
    return f"Dispatch {number:04d} from the rehearsal desk."


def page(number: int) -> tuple[str, list[str]]:
    """Page `number`'s title and paragraphs: the same every time, different from every other page."""
    rng = random.Random(f"news-{number}")
    title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.choice(WORDS)}: dispatch {number}"
    paragraphs = [marker(number)]
    for _ in range(4):
        sentences = []
        for _ in range(3):
            words = [rng.choice(WORDS) for _ in range(rng.randint(9, 16))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
    return title, paragraphs


def page_html(number: int) -> bytes:
    title, paragraphs = page(number)
    body = "".join(f"<p>{paragraph}</p>\n" for paragraph in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>\n'
        f"<body><article><h1>{title}</h1>\n{body}</article></body></html>\n"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages, delay = 0, DELAY

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        found = PATH.match(self.path)
        number = int(found.group(1)) if found else 0
        if 1 <= number <= self.pages:
            time.sleep(self.delay)
            status, body, content_type = 200, page_html(number), "text/html; charset=utf-8"
            print(f"served {self.path} to {self.client_address[0]}", flush=True)
        else:
            status, body, content_type = 404, b"not found\n", "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        """Served pages are logged by do_GET, one line each; the default access log would double them."""


def fetches(log_text: str) -> dict[str, int]:
    """How often each page was served, from the server's log."""
    counts: dict[str, int] = {}
    for path in re.findall(r"^served (\S+) to ", log_text, flags=re.MULTILINE):
        counts[path] = counts.get(path, 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--address", default=ADDRESS)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--delay", type=float, default=DELAY, help="seconds before a page is answered")
    arguments = parser.parse_args()
    Handler.pages, Handler.delay = arguments.pages, arguments.delay
    server = ThreadingHTTPServer((arguments.address, arguments.port), Handler)
    server.daemon_threads = True
    print(f"serving {arguments.pages} pages on {arguments.address}:{arguments.port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
