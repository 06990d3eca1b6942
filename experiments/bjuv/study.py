"""The Food Valley of Bjuv study: does the model collapse the cluster after Findus's 2017 exit by
mechanism, and which policies would have saved it?

Runs the case ``configs/cases/A13_bjuv.yaml`` as the baseline and a set of counterfactual arms on
the same seeds 0..N-1 (common random numbers, so arms differ by the policy and not by luck), then
writes a figure (active exchanges per month, each arm against the baseline, mean with its 95 %
interval) and a table (probability of collapse, exchanges in 2024, public money) ranked by the
probability of collapse. Nothing about the collapse is scripted: the case file schedules only the
exit; the counterfactuals only move policy levers or change one firm.

    .venv/bin/python experiments/bjuv/study.py [--replications 100] [--out results/bjuv] [--workers 2]
        [--figure docs/figures/bjuv_exchanges.png]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from experiments.common import band, fmt_mean, fmt_share, markdown_table, mean_ci, pmap, provenance, wilson  # noqa: E402
from sim import config  # noqa: E402
from sim.run import measures  # noqa: E402
from sim.run.palette import TOL_MUTED  # noqa: E402
from sim.run.runner import run  # noqa: E402
from sim.scenarios import bjuv as bjuv_case  # noqa: E402

CASE = bjuv_case.CASE
START_YEAR = bjuv_case.START_YEAR
EXIT_YEAR, EXIT_MONTH = bjuv_case.EXIT_YEAR, bjuv_case.EXIT_MONTH  # read back from the file in check_case()
EXIT_STEP = bjuv_case.EXIT_STEP
OUTCOME_YEAR = 2024

# Continuous facilitation: base funding equal to the facilitator's full cost (150,000 SEK/month in
# the case, [a9]) and no gap between projects.
FACILITATION = {"policy.funding_gap_months": 0, "policy.facilitator_base_funding_sek_per_year": 12 * 150_000}
LAND = {"policy.land_reservation": True}
# Assumption: a public guarantee of 80 % of a start-up's investment (the order of EU/Almi loan
# guarantees; the report gives no share).
GUARANTEE = {"policy.startup_guarantee_share": 0.8}
ANCHOR_MONEY = {"policy.funding_anchor_eligible": True}

# Second anchor (assumption, not in the report): Isover as a heat anchor, see sim/scenarios/bjuv.py.


@dataclass(frozen=True)
class Arm:
    """One arm of the study: policy overrides and whether Isover is a second anchor."""

    name: str
    label: str
    overrides: dict[str, Any] = field(default_factory=dict)
    second_anchor: bool = False


def _arm(name: str, label: str, *parts: dict[str, Any], second_anchor: bool = False) -> Arm:
    merged: dict[str, Any] = {}
    for p in parts:
        merged.update(p)
    return Arm(name, label, merged, second_anchor)


ARMS: list[Arm] = [
    _arm("baseline", "Baseline (as it happened)"),
    _arm("facilitation", "Continuous facilitation funding", FACILITATION),
    _arm("land", "Land reservation", LAND),
    _arm("second_anchor", "Second anchor (Isover heat)", second_anchor=True),
    _arm("guarantee", "Start-up guarantees (80 %)", GUARANTEE),
    _arm("anchor_money", "Anchor-eligible funding", ANCHOR_MONEY),
    _arm("facilitation+land", "Facilitation + land", FACILITATION, LAND),
    # Facilitation + anchor-eligible money is not an arm: base funding at full cost may already be
    # spent on work with the anchor (project_funding.step), so that pair equals facilitation alone.
    _arm("guarantee+land", "Start-up guarantees + land", GUARANTEE, LAND),
    _arm("second_anchor+land", "Second anchor + land", LAND, second_anchor=True),
    _arm("second_anchor+facilitation", "Second anchor + facilitation", FACILITATION, second_anchor=True),
    _arm("all", "All together", FACILITATION, LAND, GUARANTEE, ANCHOR_MONEY, second_anchor=True),
]
ARMS_BY_NAME = {a.name: a for a in ARMS}


def build_config(arm: Arm) -> config.ScenarioConfig:
    """The case with the arm's changes; the case file itself is never edited."""
    return bjuv_case.case_config(arm.second_anchor, arm.overrides)


@cache
def _cached_config(name: str) -> config.ScenarioConfig:
    return build_config(ARMS_BY_NAME[name])


def one_run(task: tuple[str, int]) -> dict[str, Any]:
    """Run one arm on one seed and keep only what the figure and the table need."""
    name, seed = task
    res = run(_cached_config(name), seed)
    ts = res.timeseries
    cluster = ts["cluster_active"].to_numpy(dtype=bool)
    active = ts["active_exchanges"].to_numpy(dtype=float)
    window = _cached_config(name).observation.collapse_window_months
    replanned = res.events.loc[res.events["kind"] == "land_replanned", "step"] if len(res.events) else pd.Series(dtype=int)
    return {
        "arm": name,
        "seed": seed,
        "active": active,
        "active_at_exit": measures.active_before(ts, EXIT_STEP),
        "inactive_at_end": measures.inactive_at_end(ts, window),
        "collapsed_model": bool(res.summary["collapsed"]),
        "cluster_2024": bool(cluster[ts["year"].to_numpy() == OUTCOME_YEAR].any()),
        "exchanges_2024": float(active[ts["year"].to_numpy() == OUTCOME_YEAR].mean()),
        "public_msek": float(res.summary["public_funding_total_sek"]) / 1e6,
        "public_msek_2024": float(ts.loc[ts["year"] <= OUTCOME_YEAR, "public_funding_sek"].iloc[-1]) / 1e6,
        "years_active_after_exit": measures.longest_active_years(ts, EXIT_STEP),
        "land_replanned_year": float(START_YEAR + (int(replanned.min()) - 1) // 12) if len(replanned) else np.nan,
    }


def check_case() -> None:
    """Fail early if the case no longer schedules the exit this study marks in its figure."""
    cfg = config.load(CASE)
    exits = [(e.firm, e.year, e.month) for e in cfg.events if e.kind == "firm_exit"]
    if exits != [("Findus Bjuv", EXIT_YEAR, EXIT_MONTH)] or cfg.start_year != START_YEAR:
        raise SystemExit(f"{CASE}: expected Findus's exit in {EXIT_YEAR}-{EXIT_MONTH:02d} from {START_YEAR}, found {exits}")


def table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per arm: collapse probability (Wilson), exchanges in 2024 and public money (t intervals)."""
    rows = []
    for arm in ARMS:
        d = runs[runs["arm"] == arm.name]
        n = len(d)
        collapse = d["active_at_exit"] & d["inactive_at_end"]
        p, plo, phi = wilson(int(collapse.sum()), n)
        at_exit = int(d["active_at_exit"].sum())
        pc, pclo, pchi = wilson(int(collapse.sum()), at_exit)
        c24, c24lo, c24hi = wilson(int(d["cluster_2024"].sum()), n)
        ex, exlo, exhi = mean_ci(d["exchanges_2024"])
        pub, publo, pubhi = mean_ci(d["public_msek"])
        pub24, pub24lo, pub24hi = mean_ci(d["public_msek_2024"])
        rows.append(
            {
                "arm": arm.name,
                "label": arm.label,
                "n": n,
                "p_collapse": p,
                "p_collapse_lo": plo,
                "p_collapse_hi": phi,
                "active_at_exit": at_exit,
                "p_collapse_given_active": pc,
                "p_collapse_given_active_lo": pclo,
                "p_collapse_given_active_hi": pchi,
                "p_cluster_active_2024": c24,
                "p_cluster_active_2024_lo": c24lo,
                "p_cluster_active_2024_hi": c24hi,
                "exchanges_2024": ex,
                "exchanges_2024_lo": exlo,
                "exchanges_2024_hi": exhi,
                "public_msek_2008_2030": pub,
                "public_msek_2008_2030_lo": publo,
                "public_msek_2008_2030_hi": pubhi,
                "public_msek_2008_2024": pub24,
                "public_msek_2008_2024_lo": pub24lo,
                "public_msek_2008_2024_hi": pub24hi,
                "land_replanned_share": float(d["land_replanned_year"].notna().mean()),
                "median_years_active_after_exit": float(d.loc[collapse, "years_active_after_exit"].median()) if collapse.any() else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values(["p_collapse", "exchanges_2024"], ascending=[True, False], kind="stable").reset_index(drop=True)


def markdown(tab: pd.DataFrame, n: int) -> str:
    """The table for people: ranked, percentages and intervals in brackets."""
    header = [
        "rank",
        "arm",
        "P(collapse) [95 % Wilson]",
        "P(collapse \\| active at exit)",
        "P(cluster active in 2024)",
        f"active exchanges in {OUTCOME_YEAR} (mean [95 % t])",
        "public money 2008–2030, MSEK (mean [95 % t])",
        "land re-planned",
    ]
    rows = []
    for i, r in tab.iterrows():
        rows.append(
            [
                i + 1,
                r["label"],
                fmt_share(r["p_collapse"], r["p_collapse_lo"], r["p_collapse_hi"]),
                fmt_share(r["p_collapse_given_active"], r["p_collapse_given_active_lo"], r["p_collapse_given_active_hi"])
                + f" (n = {r['active_at_exit']})",
                fmt_share(r["p_cluster_active_2024"], r["p_cluster_active_2024_lo"], r["p_cluster_active_2024_hi"]),
                fmt_mean(r["exchanges_2024"], r["exchanges_2024_lo"], r["exchanges_2024_hi"]),
                fmt_mean(r["public_msek_2008_2030"], r["public_msek_2008_2030_lo"], r["public_msek_2008_2030_hi"], 1),
                f"{100 * r['land_replanned_share']:.0f} %",
            ]
        )
    note = (
        f"\n{n} replications per arm on seeds 0..{n - 1} (the same seeds in every arm). Collapse: the cluster "
        "(at least three firms exchanging at least two resource types, Chertow 2007) was active in the twelve months "
        "before Findus's exit in June 2017 and is inactive throughout the last 24 months of the horizon (2029–2030). "
        f"Ranked by P(collapse), then by exchanges in 2024. Computed from {provenance()}.\n"
    )
    return markdown_table(header, rows) + note


def figure(runs: pd.DataFrame, path: Path) -> None:
    """Small multiples: the baseline (grey) against each counterfactual, mean and 95 % band of the mean."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years = START_YEAR + (np.arange(len(runs["active"].iloc[0]))) / 12.0
    mats = {a.name: np.vstack(runs.loc[runs["arm"] == a.name, "active"].to_list()) for a in ARMS}
    others = [a for a in ARMS if a.name != "baseline"]
    ncols = 4
    nrows = int(np.ceil(len(others) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 3.0 * nrows), sharex=True, sharey=True, squeeze=False)
    bm, blo, bhi = band(mats["baseline"])
    colours = [c for c in TOL_MUTED if c != "#555555"]
    exit_x = EXIT_YEAR + (EXIT_MONTH - 1) / 12.0
    for k, (ax, arm) in enumerate(zip(axes.flat, others, strict=False)):
        m, lo, hi = band(mats[arm.name])
        ax.fill_between(years, blo, bhi, color="#555555", alpha=0.25, linewidth=0)
        ax.plot(years, bm, color="#555555", linewidth=1.2, label="baseline")
        col = colours[k % len(colours)]
        ax.fill_between(years, lo, hi, color=col, alpha=0.3, linewidth=0)
        ax.plot(years, m, color=col, linewidth=1.6, label=arm.label)
        ax.axvline(exit_x, color="black", linestyle="--", linewidth=0.9)
        ax.set_title(arm.label, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(others) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("active exchanges (count)")
    for k, ax in enumerate(axes.flat[: len(others)]):
        if k + ncols >= len(others):  # the lowest visible panel of its column carries the x axis
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel("year")
    axes.flat[0].text(exit_x + 0.3, 0.95, "Findus exits\n(June 2017)", transform=axes.flat[0].get_xaxis_transform(), fontsize=7, va="top")
    n = mats["baseline"].shape[0]
    fig.suptitle(
        f"Food Valley of Bjuv: active exchanges per month, baseline (grey) vs counterfactual; mean and 95 % CI of the mean, {n} seeds",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replications", type=int, default=100, help="seeds per arm (0..N-1, shared by every arm)")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "bjuv", help="output folder (git-ignored)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (at most 2 on this machine)")
    ap.add_argument("--figure", type=Path, default=None, help="also copy the PNG here (e.g. docs/figures/bjuv_exchanges.png)")
    args = ap.parse_args(argv)
    check_case()
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    tasks = [(a.name, s) for a in ARMS for s in range(args.replications)]
    runs = pd.DataFrame(pmap(one_run, tasks, workers=args.workers))
    elapsed = time.time() - t0
    tab = table(runs)
    tab.to_csv(args.out / "table.csv", index=False, float_format="%.4f")
    md = markdown(tab, args.replications)
    (args.out / "table.md").write_text(md, encoding="utf-8")
    runs.drop(columns="active").to_csv(args.out / "runs.csv", index=False)
    figure(runs, args.out / "exchanges.png")
    if args.figure is not None:
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        args.figure.write_bytes((args.out / "exchanges.png").read_bytes())
    print(md)
    base = tab.set_index("arm").loc["baseline"]
    print(
        f"Baseline: collapse after the 2017 exit in {100 * base['p_collapse']:.0f} % of {args.replications} replications "
        f"[{100 * base['p_collapse_lo']:.0f}, {100 * base['p_collapse_hi']:.0f}]; "
        f"{len(tasks)} runs in {elapsed:.0f} s on {args.workers} worker(s); outputs in {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
