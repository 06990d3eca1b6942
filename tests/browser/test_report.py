"""The comparison report in Chromium and on paper: the decision on the first page, a PDF whose
pages render, no figure cut by a page break, and no sideways scrolling on a 420 px screen.

The report comes from the real command (``symbiosis compare``, which prints ``report.pdf`` with the
same Chromium); the PDF is read with poppler's pdftotext, pdfimages and pdftoppm (poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

A4_CONTENT_PX = (210 - 24) / 25.4 * 96, (297 - 28) / 25.4 * 96  # the print stylesheet's margins: 12 mm, 14 mm


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Path:
    out = tmp_path_factory.mktemp("report")
    proc = cli(
        "compare",
        "baseline",
        "symbiosis_centre",
        "combined",
        "--cases",
        "example,synthetic:small:2",
        "--replications",
        "3",
        "--years",
        "5",
        "--budget-msek",
        "5:40",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "report.pdf").is_file(), proc.stderr
    for name in ("report.html", "report.pdf"):
        shutil.copy(out / name, artifacts / f"compare_{name}")
    return out


def _poppler(tool: str, *args: str) -> str:
    assert shutil.which(tool), f"{tool} is missing: scripts/setup.sh installs poppler-utils (apt-get install poppler-utils)"
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True, timeout=120).stdout


def test_first_page_of_the_pdf_holds_the_verdict_and_the_league_table(report: Path, page: Any) -> None:
    fetched: list[str] = []  # a self-contained report asks for nothing beyond its own file
    errors: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((report / "report.html").as_uri())
    verdict = page.locator("#decision .verdict").first.inner_text()
    assert verdict.startswith("In ") and "exchange-years" in verdict
    header = page.locator("#decision table.league thead").first.inner_text()
    assert "rank by effect" in header and "rank by value for money" in header
    first = _poppler("pdftotext", "-f", "1", "-l", "1", "-layout", str(report / "report.pdf"), "-")
    words = " ".join(first.split())
    assert "The decision in brief" in words
    assert " ".join(verdict.split()[:8]) in words  # the verdict's opening words on page 1
    assert "league table" in words and "rank" in words and "package" in words
    assert not fetched and not errors, (fetched[:3], errors[:3])


def test_pdf_pages_render_and_no_figure_is_cut(report: Path, tmp_path: Path, page: Any) -> None:
    pdf = report / "report.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(pdf))).group(1))
    _poppler("pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page"))
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == pages >= 3 and all(p.stat().st_size > 1000 for p in pngs)
    # every figure is drawn once, whole: an image split by a page break would be placed on two pages
    html_figures = (report / "report.html").read_text(encoding="utf-8").count("<figure>")
    rows = [r.split() for r in _poppler("pdfimages", "-list", str(pdf)).splitlines()[2:] if r.strip()]
    placed = [r for r in rows if r[2] == "image"]
    assert len(placed) == html_figures, (len(placed), html_figures)
    # and each fits the printable area of an A4 page in the print layout
    page.set_viewport_size({"width": int(A4_CONTENT_PX[0]), "height": 1000})
    page.goto((report / "report.html").as_uri())
    page.emulate_media(media="print")
    boxes = page.eval_on_selector_all(
        "figure img", "ims => ims.map(i => [i.getBoundingClientRect().width, i.getBoundingClientRect().height])"
    )
    assert len(boxes) == html_figures
    for w, h in boxes:
        assert 50 < h <= A4_CONTENT_PX[1] and w <= A4_CONTENT_PX[0] + 1, (w, h)


def test_a_420_px_screen_does_not_scroll_sideways(report: Path, page: Any) -> None:
    page.set_viewport_size({"width": 420, "height": 800})
    page.goto((report / "report.html").as_uri())
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 420, width
    assert page.locator("#decision table.league").first.is_visible()
