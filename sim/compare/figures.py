"""The comparison report's figures: one PNG per view of a case, each with its caption.

Every arm keeps one colour across all figures (the baseline grey), so a reader can follow a
policy from the distributions to the costs; jitter is seeded so the PNGs are reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.compare.analysis import OUTCOME_BY_KEY, OUTCOMES, CaseResult
from sim.compare.plain import package_label
from sim.run.palette import TOL_MUTED

BASELINE_COLOUR = "#555555"


@dataclass
class Figure:
    """A written PNG and its caption."""

    path: Path
    title: str
    caption: str


def arm_colours(arms: list[str], baseline: str) -> dict[str, str]:
    """One colour per arm for every figure: the baseline grey, the policies from the colour-blind-safe palette."""
    palette = [c for c in TOL_MUTED if c != BASELINE_COLOUR]
    out, k = {}, 0
    for a in arms:
        if a == baseline:
            out[a] = BASELINE_COLOUR
        else:
            out[a] = palette[k % len(palette)]
            k += 1
    return out


def _err(est: float, low: float, high: float) -> list[list[float]]:
    """Error-bar lengths, never negative (rounding, or a percentile interval beside its estimate)."""
    return [[max(0.0, est - low)], [max(0.0, high - est)]]


def _available(df: pd.DataFrame, key: str) -> bool:
    """Whether any run has the outcome (a 20-year one needs a 20-year horizon)."""
    return bool(np.isfinite(df[key].to_numpy(dtype=float)).any())


def _save(fig: plt.Figure, heading: str, path: Path, title: str, caption: str) -> Figure:
    """Head, write and close a figure: every PNG of the report at the same size of type and resolution."""
    fig.suptitle(heading, fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Figure(path, title, caption)


def _same(ax: plt.Axes, text: str) -> None:
    """A panel whose values are all equal: the value in words, no axis scale to misread."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=8.5, color="#444444")
    ax.set_xticks([])


def _arm_axis(ax: plt.Axes, names: list[str]) -> None:
    """One row per arm, the first at the top, in the order of the table."""
    ax.set_yticks(range(len(names)), [package_label(n) for n in names], fontsize=8)
    ax.set_ylim(len(names) - 0.5, -0.5)


def fig_distributions(df: pd.DataFrame, res: CaseResult, arms: list[str], colours: dict[str, str], path: Path) -> Figure:
    """Box plots with every run as a dot: the spread behind each mean."""
    keys = ["exchange_years", "years_to_first_exchange"]
    for pair in (
        ("active_exchanges_20y", "active_exchanges_10y"),
        ("co2_avoided_t_per_year_20y", "co2_avoided_t_per_year_10y"),
        ("virgin_water_saved_m3_per_year_20y", "virgin_water_saved_m3_per_year_10y"),
    ):
        keys.append(pair[0] if _available(df, pair[0]) else pair[1])
    keys.append("public_funding_total_sek")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.2), constrained_layout=True)
    rng = np.random.default_rng(0)  # jitter only; fixed so the figure is reproducible
    for ax, key in zip(axes.flat, keys, strict=True):
        o = OUTCOME_BY_KEY[key]
        data = [df.loc[df["arm"] == a, key].to_numpy(dtype=float) for a in arms]
        data = [d[np.isfinite(d)] for d in data]
        every = np.concatenate(data) if data else np.array([])
        if len(every) and np.all(every == every[0]):  # one value everywhere: say it, rather than draw a flat box on a made-up axis
            _same(ax, "0 in every run of every package" if every[0] == 0 else f"{every[0]:,.6g} ({o.unit}) in every run of every package")
        elif any(len(d) for d in data):
            bp = ax.boxplot(
                data, orientation="horizontal", widths=0.55, patch_artist=True, showfliers=False, medianprops={"color": "black"}
            )
            for patch, a in zip(bp["boxes"], arms, strict=True):
                patch.set_facecolor(colours[a])
                patch.set_alpha(0.35)
            for i, (d, a) in enumerate(zip(data, arms, strict=True)):
                ax.scatter(d, i + 1 + rng.uniform(-0.18, 0.18, len(d)), s=9, color=colours[a], alpha=0.8, linewidths=0)
        ax.set_yticks(range(1, len(arms) + 1), [package_label(a) for a in arms], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(f"{o.label} ({o.unit})", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    return _save(
        fig,
        f"{res.name}: outcomes of {len(res.seeds)} runs per policy",
        path,
        "Outcome distributions",
        "Each dot is one run (one seed); boxes span the middle half, the line is the median. Years to the first "
        "exchange count a run without any exchange as the whole horizon.",
    )


def fig_differences(res: CaseResult, policies: list[str], colours: dict[str, str], path: Path) -> Figure:
    """One small panel per outcome: each policy's mean paired difference and its 95 % interval."""
    keys = [o.key for o in OUTCOMES if any(res.diffs[p].diffs[o.key].n for p in policies)] + ["collapsed"]
    ncol = 3
    nrow = math.ceil(len(keys) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(13, 2.1 * nrow + 0.6), constrained_layout=True, squeeze=False)
    for ax in axes.flat[len(keys) :]:
        ax.axis("off")
    for ax, key in zip(axes.flat, keys, strict=False):
        label = "probability of collapse (percentage points, Newcombe)" if key == "collapsed" else None
        if label is None:
            o = OUTCOME_BY_KEY[key]
            label = f"{o.label} ({o.unit})"
        ivs = [res.diffs[p].collapse.scaled(100) if key == "collapsed" else res.diffs[p].diffs[key] for p in policies]
        if all(iv.estimate == iv.low == iv.high == 0 for iv in ivs):
            _same(ax, "no difference in any paired run")
            _arm_axis(ax, policies)
            ax.set_title(label, fontsize=9)
            continue
        for i, p in enumerate(policies):
            iv = ivs[i]
            lo = iv.low if math.isfinite(iv.low) else iv.estimate
            hi = iv.high if math.isfinite(iv.high) else iv.estimate
            ax.errorbar(iv.estimate, i, xerr=_err(iv.estimate, lo, hi), fmt="o", color=colours[p], capsize=3, markersize=5)
        ax.axvline(0, color="black", linewidth=0.8)
        _arm_axis(ax, policies)
        ax.set_title(label, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.6g}"))
        ax.grid(axis="x", alpha=0.3)
    return _save(
        fig,
        f"{res.name}: difference from the baseline, paired by seed (mean, 95 % t interval)",
        path,
        "Differences from the baseline",
        "Policy minus baseline on the same seed, averaged over seeds; bars are 95 % t intervals of the paired "
        "differences. An interval that crosses the black zero line is not a clear effect.",
    )


def fig_collapse(res: CaseResult, arms: list[str], colours: dict[str, str], path: Path) -> Figure:
    """Share of runs whose cluster collapsed, and share that never had an exchange, with Wilson intervals."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.45 * len(arms) + 1.8), constrained_layout=True)
    for ax, attr, title in (
        (axes[0], "collapse", "probability of collapse"),
        (axes[1], "never", "probability of no exchange at all"),
    ):
        for i, a in enumerate(arms):
            iv = getattr(res.arms[a], attr)
            ax.barh(i, iv.estimate, color=colours[a], alpha=0.75)
            ax.errorbar(iv.estimate, i, xerr=_err(iv.estimate, iv.low, iv.high), color="black", capsize=3)
        _arm_axis(ax, arms)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"{title} (share of runs, 95 % Wilson interval)", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    return _save(
        fig,
        f"{res.name}: collapse and failure to start",
        path,
        "Probability of collapse",
        "A run collapses when its cluster was once active (Chertow's 3-2 rule) and has been inactive for the "
        "collapse window at the end. Bars are shares of runs with 95 % Wilson score intervals.",
    )


def fig_timeline(ts: pd.DataFrame, res: CaseResult, arms: list[str], colours: dict[str, str], path: Path) -> Figure:
    """Mean active exchanges and cumulative public money over time per arm, with 95 % t bands."""
    from scipy import stats as sps

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.2), constrained_layout=True)
    first = ts.loc[ts["step"].idxmin()] if len(ts) else None
    start = float(first["year"]) - (int(first["step"]) - 1) // 12 if first is not None else 0.0
    for ax, col, scale, label in (
        (axes[0], "active_exchanges", 1.0, "active exchanges (mean of runs)"),
        (axes[1], "public_funding_sek", 1e-6, "public money spent so far (MSEK, mean of runs)"),
    ):
        for a in arms:
            sub = ts[ts["arm"] == a]
            g = sub.groupby("step")[col]
            mean = g.mean() * scale
            n = g.count()
            sem = g.std(ddof=1).fillna(0.0) * scale / np.sqrt(n)
            half = sem * sps.t.ppf(0.975, np.maximum(n - 1, 1))
            t = start + (mean.index.to_numpy() - 1) / 12.0
            top = a == arms[0]  # the baseline on top, dashed, so identical arms still show it
            ax.plot(
                t,
                mean.to_numpy(),
                color=colours[a],
                label=package_label(a),
                linewidth=1.4 if top else 1.8,
                linestyle="--" if top else "-",
                zorder=3 if top else 2,
            )
            ax.fill_between(t, (mean - half).to_numpy(), (mean + half).to_numpy(), color=colours[a], alpha=0.15, linewidth=0)
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    return _save(
        fig,
        f"{res.name}: paths over time",
        path,
        "Paths over time",
        "Means over runs, sampled every few months; bands are 95 % t intervals of the mean.",
    )


def fig_cost(res: CaseResult, baseline: str, arms: list[str], colours: dict[str, str], path: Path) -> Figure:
    """Cost-effectiveness: the plane of extra money against extra exchange-years, and SEK per unit."""
    policies = [a for a in arms if a != baseline]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), constrained_layout=True)
    ax = axes[0]
    for p in policies:
        dx = res.diffs[p].diffs["exchange_years"]
        dy = res.diffs[p].diffs["public_funding_total_sek"]
        xe = _err(dx.estimate, dx.low, dx.high) if math.isfinite(dx.low) else None
        ye = _err(dy.estimate, dy.low, dy.high) if math.isfinite(dy.low) else None
        ax.errorbar(dx.estimate, dy.estimate, xerr=xe, yerr=ye, fmt="o", color=colours[p], capsize=3, label=package_label(p))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("extra active exchange-years vs baseline")
    ax.set_ylabel("extra public money vs baseline (MSEK)")
    ax.set_title("cost-effectiveness plane (95 % intervals)", fontsize=9)
    ax.grid(alpha=0.3)
    if policies:
        ax.legend(fontsize=7)
    for ax, attr, title in (
        (axes[1], "sek_per_exchange_year", "public SEK per active exchange-year"),
        (axes[2], "sek_per_t_co2", "public SEK per tonne CO2 avoided"),
    ):
        for i, a in enumerate(arms):
            iv = getattr(res.arms[a], attr)
            if not math.isfinite(iv.estimate):
                ax.text(0, i, " n/a (no units)", va="center", fontsize=8)
                continue
            ax.barh(i, iv.estimate, color=colours[a], alpha=0.75)
            if math.isfinite(iv.low) and math.isfinite(iv.high):
                ax.errorbar(iv.estimate, i, xerr=_err(iv.estimate, iv.low, iv.high), color="black", capsize=3)
            elif math.isfinite(iv.low):  # unbounded above: an arrow to the right
                ax.annotate("", xy=(iv.estimate * 1.6, i), xytext=(iv.low, i), arrowprops={"arrowstyle": "->"})
        _arm_axis(ax, arms)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        ax.set_xlabel(f"{title} (bootstrap 95 %)", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    return _save(
        fig,
        f"{res.name}: public money and what it buys",
        path,
        "Public money and cost-effectiveness",
        "Left: each policy's mean extra public money against its mean extra active exchange-years (paired by seed). "
        "Middle and right: total public money over total exchange-years or tonnes of CO2 avoided, with intervals "
        "from resampling seeds. Counted: project shares, base funding, guarantees paid, and the authorities' work for "
        "land reservation, permit sandboxes and heat-mandate supervision (priced by assumption).",
    )
