"""Figures a person wants to look at after a run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sim.core.resources import CATALOGUE, RESOURCE_NAMES
from sim.run.palette import RESOURCE_COLOURS

if TYPE_CHECKING:
    from sim.run.runner import RunResult


def overview(result: RunResult, path: Path) -> None:
    """Exchanges by resource, CO2 avoided, engagement and trust, money and firms over time."""
    ts = result.timeseries
    t = ts["year"] + (ts["month"] - 1) / 12.0
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True, constrained_layout=True)
    ax = axes[0, 0]
    cols = [r for r in RESOURCE_NAMES if ts[f"exchanges_{r}"].any()]
    if cols:
        ax.stackplot(
            t,
            *[ts[f"exchanges_{r}"] for r in cols],
            labels=[CATALOGUE[r].label for r in cols],
            colors=[RESOURCE_COLOURS[r] for r in cols],
            alpha=0.9,
        )
        ax.legend(loc="upper left", fontsize=7)
    ax.set_ylabel("operating exchanges (count)")
    ax.set_title("Exchanges by resource type")
    ax = axes[0, 1]
    ax.plot(t, ts["co2_avoided_t"].rolling(12, min_periods=1).sum(), color="#117733")
    ax.set_ylabel("CO2 avoided (t per year, rolling)")
    ax.set_title("CO2 avoided")
    ax = axes[1, 0]
    ax.plot(t, ts["facilitator_engagement"], color="#332288", label="facilitator engagement")
    ax.plot(t, ts["mean_trust"], color="#CC6677", label="mean trust in live exchanges")
    ax.set_ylim(0, 1)
    ax.set_ylabel("engagement, trust (0-1)")
    ax.set_xlabel("year")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("Facilitation and trust")
    ax = axes[1, 1]
    ax.plot(t, ts["public_funding_sek"] / 1e6, color="#882255", label="public money spent (MSEK, cumulative)")
    ax.set_ylabel("MSEK")
    ax.set_xlabel("year")
    ax2 = ax.twinx()
    ax2.plot(t, ts["firms_alive"], color="#555555", ls="--", label="firms alive")
    ax2.plot(t, ts["startups_alive"], color="#DDCC77", ls=":", label="start-ups alive")
    ax2.set_ylabel("firms (count)")
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], loc="upper left", fontsize=8)
    ax.set_title("Public money and firms")
    fig.suptitle(f"{result.config.name} — seed {result.seed}")
    fig.savefig(path, dpi=110)
    plt.close(fig)
