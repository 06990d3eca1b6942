"""The first page's figure: the cost-effectiveness plane of every case, side by side.

Each package is a point (mean extra exchange-years, mean extra public money) with its 95 %
intervals; the line of best buys joins the baseline and the packages that are not dominated, and
a dashed line marks the budget when one is given. Dominated packages are drawn hollow.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sim.compare.analysis import CaseResult
from sim.compare.figures import Figure, _err, _save
from sim.compare.league import Entry
from sim.compare.plain import package_label


def fig_plane(cases: list[tuple[CaseResult, list[Entry]]], colours: dict[str, str], budgets: list[float], path: Path) -> Figure:
    """One panel per case; at most three panels a row so the figure stays readable on A4."""
    ncol = min(3, max(1, len(cases)))
    nrow = math.ceil(len(cases) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.6 * ncol + 0.4, 3.9 * nrow + 0.5), constrained_layout=True, squeeze=False)
    for ax in axes.flat[len(cases) :]:
        ax.axis("off")
    for ax, (res, es) in zip(axes.flat, cases, strict=False):
        for e in es:
            x, y = e.effect, e.cost
            xe = _err(x.estimate, x.low, x.high) if math.isfinite(x.low) else None
            ye = _err(y.estimate, y.low, y.high) if math.isfinite(y.low) else None
            hollow = e.status != ""
            ax.errorbar(
                x.estimate,
                y.estimate,
                xerr=xe,
                yerr=ye,
                fmt="o",
                color=colours[e.name],
                mfc="white" if hollow else colours[e.name],
                capsize=2,
                markersize=6,
                elinewidth=0.9,
                label=package_label(e.name) + (" (dominated)" if hollow else ""),
            )
        best = sorted([e for e in es if e.status == "" and e.effect.estimate > 0], key=lambda e: e.cost.estimate)
        if best:
            ax.plot([0, *(e.effect.estimate for e in best)], [0, *(e.cost.estimate for e in best)], color="#888888", lw=0.9, zorder=0)
        ax.plot([0], [0], marker="s", color="#555555", markersize=5)
        ax.annotate("baseline", (0, 0), xytext=(4, -10), textcoords="offset points", fontsize=7, color="#555555")
        for b in budgets[:1] if len(budgets) == 1 else budgets[:: max(1, len(budgets) // 2)]:
            ax.axhline(b, color="#aa3377", lw=0.9, ls="--")
            ax.annotate(
                f"budget {b:g} MSEK", (1, b), xycoords=("axes fraction", "data"), ha="right", va="bottom", fontsize=7, color="#aa3377"
            )
        ax.axhline(0, color="black", lw=0.6)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(f"{res.name} ({res.years} years)", fontsize=9)
        ax.set_xlabel("extra exchange-years vs baseline", fontsize=8)
        ax.set_ylabel("extra public money vs baseline (MSEK)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6.5, loc="best", framealpha=0.85)
    return _save(
        fig,
        "What each package adds, and what it costs",
        path,
        "Cost-effectiveness plane",
        "Each point is a package: its average extra exchange-years (right is better) against its average extra public money "
        "(lower is cheaper), both against the baseline on the same seeds, with 95 % intervals. The grey line joins the best "
        "buys; hollow points are dominated. The dashed line is the budget.",
    )
