"""Take full-page screenshots of a running tracker, to look at pages as a user would.

Usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 USER PATH [PATH ...]
Screenshots go to test-artifacts/screens/.
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]


def main() -> None:
    base, username, *paths = sys.argv[1:]
    out = Path("test-artifacts/screens")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 900})
        page.goto("/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("tracker-demo-2026")
        page.get_by_role("button", name="Sign in").click()
        for path in paths:
            page.goto(path)
            name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
            page.screenshot(path=str(out / f"{username}-{name}.png"), full_page=True)
            print(out / f"{username}-{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
