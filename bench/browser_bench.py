"""Browser speed of the annotate page: from a key press to the new highlight on screen.

Seeds the same 50,000-character article with 2,000 annotations as bench/page_bench.py, serves it with
Django's live server (production settings, PostgreSQL), opens it in Debian's Chromium, then repeatedly
selects a passage and presses "1": the time runs from the keydown event to the first animation frame
after htmx has swapped in what the create changed (which includes the server round trip). It also records
the size of each create's answer as the browser received it (uncompressed and on the wire).

Run: .venv/bin/python bench/browser_bench.py [--chars 50000] [--annotations 2000] [--presses 15]
Needs /usr/bin/chromium (or $CHROMIUM_PATH); uses a throwaway PostgreSQL database ($BENCH_POSTGRES).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_bench import seed_long_article  # noqa: E402
from throwaway_db import configure_django, migrate, throwaway_database  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Installed once in the page: stamps the keydown and the first frame after each workspace swap.
STOPWATCH = """() => {
  window.__marks = [];
  window.__sizes = [];
  new PerformanceObserver((list) => {
    list.getEntries().forEach((entry) => {
      if (entry.initiatorType === "xmlhttprequest" && entry.name.endsWith("/annotations/")) {
        window.__sizes.push([entry.decodedBodySize, entry.transferSize]);
      }
    });
  }).observe({ type: "resource", buffered: false });
  document.addEventListener("keydown", () => { window.__pressed = performance.now(); }, true);
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id !== "workspace") return;
    requestAnimationFrame(() => setTimeout(() => window.__marks.push(performance.now() - window.__pressed)));
  });
}"""

SELECT = """([start, end]) => {
  const element = document.getElementById("article-text");
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node, started = false;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (!started && start <= seen + length) { range.setStart(node, start - seen); started = true; }
    if (end <= seen + length) { range.setEnd(node, end - seen); break; }
    seen += length;
  }
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  range.startContainer.parentElement.scrollIntoView({block: "center"});
}"""


def free_words(text: str, count: int) -> list[tuple[int, int]]:
    """Return UTF-16 ranges of `count` ASCII words spread over the text (new spans for label "claim")."""
    found, position = [], 200
    step = max(1, (len(text) - 400) // count)
    while len(found) < count and position < len(text) - 20:
        start = text.find(" ", position) + 1
        end = text.find(" ", start)
        word = text[start:end]
        if word.isascii() and word.isalpha() and len(word) > 3:
            utf16_start = len(text[:start].encode("utf-16-le")) // 2
            found.append((utf16_start, utf16_start + len(word)))
            position += step
        else:
            position = end
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--annotations", type=int, default=2_000)
    parser.add_argument("--presses", type=int, default=15)
    args = parser.parse_args()
    configure_django("annotator_bench_browser")
    from django.test.utils import override_settings
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    with (
        throwaway_database("annotator_bench_browser"),
        override_settings(
            STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        ),
    ):
        migrate()
        print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
        user, article = seed_long_article(args.chars, args.annotations)
        server = LiveServer("127.0.0.1:0")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(f"{server.url}/accounts/login/?next=/articles/{article.pk}/")
                page.fill("#id_username", user.username)
                page.fill("#id_password", "bench-password-123")
                page.click("button[type=submit]")
                page.wait_for_selector("#article-text")
                load = page.evaluate("""() => { const n = performance.getEntriesByType("navigation")[0];
                    return [n.responseStart - n.requestStart, n.responseEnd - n.requestStart,
                            n.domContentLoadedEventEnd - n.requestStart, n.loadEventEnd - n.requestStart]; }""")
                print(
                    f"page load: first byte {load[0]:.0f} ms, last byte {load[1]:.0f} ms, "
                    f"DOM ready {load[2]:.0f} ms, load {load[3]:.0f} ms"
                )
                page.evaluate(STOPWATCH)
                for number, bounds in enumerate(free_words(article.text, args.presses), start=1):
                    page.evaluate(SELECT, list(bounds))
                    page.wait_for_selector("#selection-toolbar:not([hidden])")
                    page.keyboard.press("1")
                    page.wait_for_function("(n) => window.__marks.length >= n", arg=number)
                times = page.evaluate("() => window.__marks")
                sizes = page.evaluate("() => window.__sizes")
                marks = page.locator("#article-text mark").count()
                browser.close()
        finally:
            server.stop()
        times.sort()
        print(
            f"key press -> updated highlight ({len(times)} presses, {article.annotations.count():,} annotations, "
            f"{marks:,} highlight segments): median {statistics.median(times):.0f} ms, "
            f"p90 {times[int(len(times) * 0.9) - 1]:.0f} ms, max {times[-1]:.0f} ms"
        )
        if sizes:
            body, wire = zip(*sizes)
            print(
                f"create answer ({len(sizes)} creates): median {statistics.median(body) / 1024:.1f} KiB, "
                f"max {max(body) / 1024:.1f} KiB uncompressed; "
                f"on the wire median {statistics.median(wire) / 1024:.1f} KiB"
            )
        print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
