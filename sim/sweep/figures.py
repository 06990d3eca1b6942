"""Figures of a sweep: fan charts of the stored time series, indices and their convergence.

Fan charts show, per month kept, the median and the 50% and 90% bands over the runs of a group:
a design point when the sweep has few, otherwise a bin of each parameter (three equal-width bins
of a range, or each value). Flows are drawn as their sum over the kept period (``<col>_sum_Nm``),
so a year's flow reads as a year's flow; true/false series as the share of runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import outputs

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
FEW_POINTS = 6
BINS = 3


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _groupings(params: list[dict[str, Any]], points: int) -> list[tuple[str, str]]:
    """(grouping name, SQL expression of the group label) for the fan charts."""
    if points <= FEW_POINTS:
        return [("design point", "CAST(r.point AS VARCHAR)")]
    out = []
    for p in params:
        col = "r." + _q(p["name"])
        if "values" in p or (p["kind"] == "int" and p["high"] - p["low"] < BINS):
            out.append((p["name"], f"CAST({col} AS VARCHAR)"))
            continue
        lo, hi = float(p["low"]), float(p["high"])
        w = (hi - lo) / BINS
        b = f"least(CAST(floor((CAST({col} AS DOUBLE) - {lo}) / {w}) AS INTEGER), {BINS - 1})"
        out.append((p["name"], f"printf('%.3g-%.3g', {lo} + {b} * {w}, {lo} + ({b} + 1) * {w})"))
    return out


def fan_data(con: Any, params: list[dict[str, Any]], points: int, every: int) -> pd.DataFrame:
    """Quantiles over runs per (time-series column, grouping, group, step), as a tidy table."""
    cols = [c for c in con.execute("SELECT * FROM timeseries LIMIT 0").df().columns if c in outputs.TIMESERIES]
    cols = [c for c in cols if outputs.TIMESERIES[c].kind != outputs.INDEX]
    frames = []
    qs = ", ".join(str(q) for q in QUANTILES)
    for c in cols:
        kind = outputs.TIMESERIES[c].kind
        src = outputs.window_name(c, every) if kind == outputs.FLOW else c
        for grouping, expr in _groupings(params, points):
            if c == "cluster_active":
                stat = "avg(CAST(t.cluster_active AS DOUBLE)) AS share"
            else:
                stat = f"quantile_cont(CAST(t.{_q(src)} AS DOUBLE), [{qs}]) AS q"
            df = con.execute(
                f"SELECT {expr} AS grp, t.step, count(*) AS n, {stat} FROM timeseries t JOIN runs r USING (run_id) "
                f"WHERE r.error IS NULL GROUP BY grp, t.step ORDER BY grp, t.step"
            ).df()
            qv = np.vstack(df.pop("q").to_numpy()) if "q" in df else np.repeat(df.pop("share").to_numpy()[:, None], len(QUANTILES), axis=1)
            for i, q in enumerate(QUANTILES):
                df[f"q{int(q * 100):02d}"] = qv[:, i]
            col = outputs.describe(src)
            df.insert(0, "unit", "share of runs" if c == "cluster_active" else col.unit if col else "")
            df.insert(0, "series", src)
            df.insert(0, "column", c)
            df.insert(2, "grouping", grouping)
            frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def fan_charts(data: pd.DataFrame, out: Path, start_year: int | None = None) -> list[Path]:
    """One figure per time-series column: a row per grouping, a panel per group."""
    plt = _plt()
    written = []
    for column, sub in data.groupby("column", sort=False):
        groupings = list(dict.fromkeys(sub["grouping"]))
        ncol = max(sub.groupby("grouping")["grp"].nunique())
        fig, axes = plt.subplots(len(groupings), ncol, figsize=(2.8 * ncol, 2.2 * len(groupings)), squeeze=False, sharey=True)
        for i, g in enumerate(groupings):
            gsub = sub[sub["grouping"] == g]
            for j, (label, d) in enumerate(gsub.groupby("grp", sort=True)):
                ax = axes[i][j]
                x = d["step"].to_numpy() / 12.0
                ax.fill_between(x, d["q05"], d["q95"], alpha=0.2, color="C0", lw=0, label="90% of runs")
                ax.fill_between(x, d["q25"], d["q75"], alpha=0.4, color="C0", lw=0, label="50% of runs")
                ax.plot(x, d["q50"], color="C0", lw=1.2, label="median")
                ax.set_title(f"{g} {label} (n={int(d['n'].max())})", fontsize=7)
                ax.tick_params(labelsize=6)
                if i == len(groupings) - 1:
                    ax.set_xlabel("years since start", fontsize=7)
            for j in range(gsub["grp"].nunique(), ncol):
                axes[i][j].set_visible(False)
        axes[0][0].set_ylabel(f"{sub['series'].iloc[0]}\n[{sub['unit'].iloc[0]}]", fontsize=7)
        axes[0][0].legend(fontsize=6, loc="upper left")
        fig.suptitle(f"{column}: median and 50% / 90% bands over runs", fontsize=9)
        fig.tight_layout()
        path = out / f"fan_{column}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def indices(table: pd.DataFrame, cols: tuple[str, str], labels: tuple[str, str], title: str, path: Path, floor: str | None = None) -> None:
    """Horizontal bars per parameter with their bootstrap intervals (``<col>_low``/``<col>_high``)."""
    plt = _plt()
    outcomes = list(dict.fromkeys(table["outcome"]))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.4 * len(outcomes), 0.5 * table["parameter"].nunique() + 1.8), squeeze=False)
    for ax, o in zip(axes[0], outcomes, strict=True):
        sub = table[table["outcome"] == o]
        y = np.arange(len(sub))
        for off, col, label in ((-0.2, cols[0], labels[0]), (0.2, cols[1], labels[1])):
            v = sub[col].to_numpy(dtype=float)
            err = None
            if f"{col}_low" in sub:
                err = np.vstack([v - sub[f"{col}_low"].to_numpy(dtype=float), sub[f"{col}_high"].to_numpy(dtype=float) - v]).clip(0)
            ax.barh(y + off, v, 0.4, xerr=err, label=label, capsize=2)
        if floor is not None and floor in sub and np.isfinite(sub[floor].iloc[0]):
            ax.axvline(float(sub[floor].iloc[0]), color="k", ls=":", lw=1, label="noise floor")
        ax.set_yticks(y, sub["parameter"], fontsize=7)
        ax.set_title(o, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def convergence(table: pd.DataFrame, size: str, cols: list[str], path: Path) -> None:
    """Indices against the number of base samples (or trajectories) used, with their intervals."""
    plt = _plt()
    outcomes = list(dict.fromkeys(table["outcome"]))
    fig, axes = plt.subplots(len(cols), len(outcomes), figsize=(3.2 * len(outcomes), 2.4 * len(cols)), squeeze=False)
    for j, o in enumerate(outcomes):
        for i, c in enumerate(cols):
            ax = axes[i][j]
            for k, (name, d) in enumerate(table[table["outcome"] == o].groupby("parameter", sort=False)):
                ax.plot(d[size], d[c], marker="o", ms=3, lw=1, color=f"C{k}", label=name)
                ax.fill_between(d[size], d[f"{c}_low"], d[f"{c}_high"], color=f"C{k}", alpha=0.15, lw=0)
            ax.set_xscale("log", base=2)
            ax.set_title(f"{o}: {c}", fontsize=8)
            ax.tick_params(labelsize=7)
            if i == len(cols) - 1:
                ax.set_xlabel(size.replace("_", " "), fontsize=7)
    axes[0][0].legend(fontsize=6)
    fig.suptitle("Convergence: indices and 95% bootstrap intervals against the design size used", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
