"""Take the README screenshots of the web interface from the demo project (manage.py seed_demo's data).

Run: .venv/bin/python docs/screenshots/take.py
Uses a temporary SQLite database, Django's live server and Debian's Chromium; writes PNGs next to this file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Select a passage by its text, the way a drag would.
SELECT = """(quote) => {
  const element = document.getElementById("article-text");
  const index = element.textContent.indexOf(quote);
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node, started = false;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (!started && index <= seen + length) { range.setStart(node, index - seen); started = true; }
    if (index + quote.length <= seen + length) { range.setEnd(node, index + quote.length - seen); break; }
    seen += length;
  }
  getSelection().removeAllRanges();
  getSelection().addRange(range);
}"""


def setup_django(database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sign_in(page, url: str, username: str, password: str, next_url: str) -> None:
    page.goto(f"{url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def review_screens(browser, url: str, project) -> None:
    """Bob reviews alice's submitted article; the owner looks at the dashboard."""
    from articles.demo import DEMO_USERS
    from articles.models import Assignment, AssignmentState

    submitted = Assignment.objects.get(article__project=project, state=AssignmentState.SUBMITTED)
    page = browser.new_page(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    sign_in(page, url, "bob", DEMO_USERS["bob"][0], f"/assignments/{submitted.pk}/review/")
    page.wait_for_load_state()
    page.screenshot(path=HERE / "review.png")
    page.close()
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
    sign_in(page, url, "demo", DEMO_USERS["demo"][0], f"/projects/{project.pk}/dashboard/")
    page.wait_for_load_state()
    page.screenshot(path=HERE / "dashboard.png")
    page.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "screenshots.sqlite3")
        from playwright.sync_api import sync_playwright
        from pytest_django.live_server_helper import LiveServer

        from articles.demo import DEMO_USERS, seed

        project = seed()
        article = project.articles.get(title__startswith="Riverside council")
        server = LiveServer("127.0.0.1:0")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                page = browser.new_page(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
                sign_in(page, server.url, "alice", DEMO_USERS["alice"][0], f"/articles/{article.pk}/")
                page.wait_for_selector("#article-text")
                quote = article.annotations.get(label__key="quote")
                page.click(f'#ann-list [data-ann="{quote.pk}"]')
                page.wait_for_selector("#editor-form")
                page.mouse.move(5, 5)
                page.screenshot(path=HERE / "annotate.png")

                page.keyboard.press("Escape")
                page.evaluate(SELECT, "councillor Inès Moreau")
                page.wait_for_selector("#selection-toolbar:not([hidden])")
                page.screenshot(path=HERE / "selection.png", clip={"x": 0, "y": 180, "width": 1440, "height": 520})

                page.evaluate("() => getSelection().removeAllRanges()")
                page.keyboard.press("?")
                page.wait_for_selector("#help-dialog[open]")
                page.screenshot(path=HERE / "shortcuts.png")
                page.keyboard.press("Escape")

                page.goto(f"{server.url}/projects/{project.pk}/")
                page.wait_for_selector("#article-list")
                page.screenshot(path=HERE / "project.png")

                page.set_viewport_size({"width": 820, "height": 1100})
                page.goto(f"{server.url}/articles/{article.pk}/?selected={quote.pk}")
                page.wait_for_selector("#editor-form")
                page.screenshot(path=HERE / "tablet.png")
                review_screens(browser, server.url, project)
                browser.close()
        finally:
            server.stop()
    print("Wrote", ", ".join(sorted(path.name for path in HERE.glob("*.png"))))


if __name__ == "__main__":
    main()
