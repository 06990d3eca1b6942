"""``report.pdf``: the HTML report printed on A4 by Chromium, the browser the tests drive.

Printing the very HTML (with its print stylesheet) keeps one layout for screen, paper and PDF; a
second layout engine would drift from it. Debian's Chromium is driven headless through Playwright,
never a downloaded browser; without either, the report is still written and the reason is returned.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("SYMBIOSIS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def write_pdf(html_path: Path, pdf_path: Path) -> str | None:
    """Print ``html_path`` to ``pdf_path`` (A4, the page's print styles); return why not, or None when written."""
    if not Path(CHROMIUM).exists():
        return f"no PDF: {CHROMIUM} is missing (apt-get install chromium, or set SYMBIOSIS_CHROMIUM)"
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return "no PDF: Playwright is not installed (pip install playwright)"
    tmp = pdf_path.with_name(pdf_path.name + ".tmp")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(html_path.resolve().as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()
    except Error as exc:
        return f"no PDF: Chromium failed ({str(exc).splitlines()[0]})"
    tmp.replace(pdf_path)
    return None
