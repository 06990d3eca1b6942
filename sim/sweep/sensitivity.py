"""Noise-aware sensitivity analysis of a sweep's runs, on a plain DataFrame (one row per run).

:func:`analyse_frame` measures the seed noise of every outcome, computes Sobol' or Morris indices
on the point means with bootstrap intervals that resample replications too (:mod:`sim.sweep.noise`),
checks their convergence on growing parts of the design and says in plain words when noise
dominates. :func:`write` puts the tables, figures and a written summary in a directory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.sweep import figures, noise

INTERVALS = (
    "Index intervals: 95% percentile bootstrap over the base samples (Sobol') or trajectories (Morris) and, "
    "within every design point, over its replications (with replacement), so seed noise widens them."
)


@dataclass
class Analysis:
    """What :func:`analyse_frame` found."""

    kind: str
    noise: pd.DataFrame
    warnings: list[str]
    indices: pd.DataFrame | None = None
    convergence: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def analyse_frame(
    runs: pd.DataFrame,
    kind: str,
    names: list[str],
    outcomes: list[str],
    *,
    x: np.ndarray | None = None,
    second_order: bool = False,
    levels: int = 4,
    target: float = noise.TARGET,
    resamples: int = 300,
    seed: int = 0,
    converge: bool = True,
) -> Analysis:
    """Noise table, warnings and (for ``sobol`` and ``morris``) indices with intervals and convergence."""
    table = noise.noise_table(runs, outcomes, target)
    result = Analysis(kind, table, noise.warnings_for(table))
    if kind not in ("sobol", "morris"):
        return result
    parts, conv = [], []
    for o in outcomes:
        row = table[table["outcome"] == o].iloc[0]
        if not (row["means_var"] > 0):
            result.notes.append(f"{o}: constant over the design points; no indices")
            continue
        if kind == "sobol":
            idx = noise.sobol(runs, o, names, second_order, resamples=resamples, seed=seed)
            idx["noise_share"] = row["noise_share"]
            idx["ST_noise_floor"] = row["noise_share"]  # what ST an input without effect gets from noise alone
            total = int(idx["base_samples"].iloc[0])
        else:
            assert x is not None, "Morris needs the design's input matrix"
            idx = noise.morris(runs, o, names, x, levels, resamples=resamples, seed=seed)
            idx["noise_share"] = row["noise_share"]
            total = int(idx["trajectories"].iloc[0])
        parts.append(idx)
        if converge:
            kw = {"resamples": max(50, resamples // 3), "seed": seed}
            if kind == "sobol":
                conv.append(noise.convergence(kind, runs, o, names, total, second_order=second_order, **kw))
            else:
                conv.append(noise.convergence(kind, runs, o, names, total, x=x, levels=levels, **kw))
    if parts:
        result.indices = pd.concat(parts, ignore_index=True)
    if conv:
        result.convergence = pd.concat(conv, ignore_index=True)
    return result


def _fmt(v: float) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3g}"


def summary_text(a: Analysis, title: str, extra: list[str] | None = None) -> str:
    """The written summary (Markdown) of an analysis."""
    lines = [f"# {title}", ""]
    if a.warnings:
        lines += ["## Warnings", "", *[f"- **{w}**" for w in a.warnings], ""]
    lines += [
        "## Seed noise",
        "",
        "Noise share: the part of the variance of the point means (what the indices are computed on) that is seed",
        "noise, (within-point variance / replications) / variance of the point means. Replications needed: to bring",
        f"the noise share below the target ({a.noise['target'].iloc[0]:.0%}).",
        "",
        "| outcome | points | replications | within-point variance | variance of point means | noise share | replications needed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in a.noise.itertuples():
        share = "unknown (1 replication)" if math.isnan(r.within_var) else f"{r.noise_share:.0%}"
        need = "" if r.needed is None or (isinstance(r.needed, float) and math.isnan(r.needed)) else str(int(r.needed))
        lines.append(f"| {r.outcome} | {r.points} | {r.replications:.3g} | {_fmt(r.within_var)} | {_fmt(r.means_var)} | {share} | {need} |")
    lines.append("")
    if a.indices is not None:
        if a.kind == "sobol":
            lines += [
                "## Sobol' indices (on point means)",
                "",
                "Noise floor: an input without any effect would show an ST of about the noise share, and every S1 is",
                "shrunk by about (1 - noise share); indices below the floor cannot be told from seed noise.",
                "",
                "| outcome | parameter | S1 [95% interval] | ST [95% interval] | noise floor of ST |",
                "|---|---|---|---|---|",
            ]
            for r in a.indices.itertuples():
                lines.append(
                    f"| {r.outcome} | {r.parameter} | {r.S1:.3f} [{r.S1_low:.3f}, {r.S1_high:.3f}] | "
                    f"{r.ST:.3f} [{r.ST_low:.3f}, {r.ST_high:.3f}] | {r.ST_noise_floor:.3f} |"
                )
        else:
            lines += [
                "## Morris elementary effects (on point means)",
                "",
                "Noise floor: the mu* that seed noise alone would give, sqrt(2 s_w^2 / r) sqrt(2 / pi) / delta.",
                "",
                "| outcome | parameter | mu* [95% interval] | sigma [95% interval] | noise floor of mu* |",
                "|---|---|---|---|---|",
            ]
            for r in a.indices.itertuples():
                lines.append(
                    f"| {r.outcome} | {r.parameter} | {r.mu_star:.3g} [{r.mu_star_low:.3g}, {r.mu_star_high:.3g}] | "
                    f"{r.sigma:.3g} [{r.sigma_low:.3g}, {r.sigma_high:.3g}] | {_fmt(r.mu_star_noise_floor)} |"
                )
        lines += ["", INTERVALS, ""]
    for n in [*a.notes, *(extra or [])]:
        lines.append(f"- {n}")
    return "\n".join(lines).rstrip() + "\n"


def write(a: Analysis, out: Path, title: str, extra: list[str] | None = None) -> list[Path]:
    """noise.csv, the indices and convergence tables and figures, and summary.md."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "noise.csv"]
    a.noise.to_csv(written[0], index=False)
    name = "sobol_indices" if a.kind == "sobol" else "morris_indices"
    if a.indices is not None:
        if a.kind == "sobol":
            figures.indices(
                a.indices,
                ("S1", "ST"),
                ("first order S1", "total ST"),
                "Sobol' indices on point means (95% bootstrap)",
                out / f"{name}.png",
                floor="ST_noise_floor",
            )
        else:
            figures.indices(
                a.indices,
                ("mu_star", "sigma"),
                ("mu*", "sigma"),
                "Morris elementary effects (95% bootstrap)",
                out / f"{name}.png",
                floor="mu_star_noise_floor",
            )
        written.append(out / f"{name}.png")
    if a.convergence is not None:
        a.convergence.to_csv(out / "convergence.csv", index=False)
        size, cols = ("base_samples", ["S1", "ST"]) if a.kind == "sobol" else ("trajectories", ["mu_star", "sigma"])
        figures.convergence(a.convergence, size, cols, out / "convergence.png")
        written += [out / "convergence.csv", out / "convergence.png"]
    (out / "summary.md").write_text(summary_text(a, title, extra), encoding="utf-8")
    written.append(out / "summary.md")
    return written
