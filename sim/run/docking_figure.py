"""The docking figure: each case's operating exchanges over time (median and 10-90 % band over seeds)
against the report's dated facts, one small panel a case."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Rectangle

from sim.run.palette import TOL_MUTED

if TYPE_CHECKING:
    from sim.run.docking import Docking

HOLDS, FAILS, LINE = TOL_MUTED[3], TOL_MUTED[0], TOL_MUTED[1]


def exchanges_figure(d: Docking, path: Path, columns: int = 5) -> None:
    """Small multiples; a fact is a bar over its window (green: holds, red: does not; hatched: expected
    not to happen), a count of active exchanges a box over its window and range."""
    cases = [c for c in d.cases if c.id in d.series]
    n = max(1, len(cases))
    cols = min(columns, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False, constrained_layout=True)
    verdicts = {(r.case, r.fact): bool(r.holds) for r in d.table.itertuples()}
    for ax, case in zip(axes.flat, cases, strict=False):
        arr = d.series[case.id]
        t = case.cfg.start_year + np.arange(arr.shape[1]) / 12.0
        ax.fill_between(t, np.percentile(arr, 10, axis=0), np.percentile(arr, 90, axis=0), color=LINE, alpha=0.2, linewidth=0)
        ax.plot(t, np.median(arr, axis=0), color=LINE, linewidth=1.2)
        top = max(1.0, float(arr.max()))
        facts = case.cfg.facts
        for i, fact in enumerate(facts):
            colour = HOLDS if verdicts.get((case.id, fact.id)) else FAILS
            x0, x1 = fact.window[0], fact.window[1] + 1
            if fact.observe == "count" and fact.metric == "active_exchanges":
                lo, hi = fact.expect  # type: ignore[misc]
                ax.add_patch(Rectangle((x0, lo), x1 - x0, min(hi, top * 1.5) - lo, fill=False, edgecolor=colour, linewidth=1.0))
                continue
            y = top * (1.08 + 0.07 * i)
            hatch = None if fact.expect is not False else "////"
            ax.add_patch(Rectangle((x0, y), x1 - x0, top * 0.05, facecolor=colour, alpha=0.7, hatch=hatch, edgecolor=colour))
        ax.set_ylim(0, top * (1.15 + 0.07 * len(facts)))
        ax.set_xlim(t[0], t[-1] + 1 / 12)
        held = sum(verdicts.get((case.id, f.id), False) for f in facts)
        ax.set_title(f"{case.id}: {held}/{len(facts)} facts hold", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(cases) :]:
        ax.axis("off")
    fig.supylabel("operating exchanges", fontsize=9)
    fig.legend(
        handles=[
            Patch(color=HOLDS, label="fact holds"),
            Patch(color=FAILS, label="fact does not hold"),
            Patch(hatch="////", fill=False, label="expected not to happen"),
        ],
        loc="outside lower center",
        ncols=3,
        fontsize=7,
    )
    fig.suptitle(
        f"Case docking: median and 10-90 % band of {d.seeds} seeds; bars and boxes: the report's facts (commit {d.commit[:10]})", fontsize=9
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)
