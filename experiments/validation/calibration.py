"""Classify every mechanism parameter, policy lever and observation setting by where its value comes from.

Reads the same schema that generates docs/parameters.md (``sim.docs_gen``), so the counts in
docs/validation.md follow the code: a value is *report* if its source cites the report (a § or an
appendix case) and is not marked an assumption, *literature* if it cites a paper or a directive,
and an *assumption* otherwise; assumptions whose direction or order of magnitude is anchored in the
report or the literature are counted apart from bare ones.

    .venv/bin/python experiments/validation/calibration.py [--out results/validation]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from experiments.common import markdown_table  # noqa: E402
from sim.docs_gen import Row, all_rows  # noqa: E402

REPORT = re.compile(r"§|\bA\d{1,2}\b|Sammanfattning")
LITERATURE = re.compile(r"et al\.|\(\d{4}\)|\b(19|20)\d{2}\b.*\)|Chertow|Ghali|Raimbault|Fraccascia|Albino|EU 20\d\d|2023/1791")
CATEGORIES = (
    "report",
    "literature",
    "assumption anchored in the report or literature",
    "assumption",
)


def category(row: Row) -> str:
    """Where a value comes from, judged from its documented source."""
    src = row.source
    assumed = "assumption" in src.lower()
    report = bool(REPORT.search(src))
    literature = bool(LITERATURE.search(src))
    if not assumed:
        return "report" if report else "literature" if literature else "assumption"
    return CATEGORIES[2] if report or literature else "assumption"


def rows() -> list[Row]:
    """The numbers that calibrate the mechanisms (scenario data, policy levers and switches are choices, not calibration)."""
    return [r for r in all_rows() if r.key.startswith(("params.", "observation."))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "validation")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rs = rows()
    counts = Counter(category(r) for r in rs)
    md = markdown_table(
        ["source of the value", "parameters", "share"], [[c, counts[c], f"{100 * counts[c] / len(rs):.0f} %"] for c in CATEGORIES]
    )
    md += "\n" + markdown_table(
        ["parameter", "default", "category", "documented source"], [[f"`{r.key}`", r.default, category(r), r.source] for r in rs]
    )
    (args.out / "calibration.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
