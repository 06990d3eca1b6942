"""Morris elementary-effects screening of the Bjuv case's main outcomes (SALib).

Which assumed parameters move the study's answers? Eighteen mechanism parameters (most of them
assumptions in docs/parameters.md) vary over plausible ranges; r trajectories of the Morris
design, each point run on the same seeds (common random numbers, so elementary effects are not
swamped by seed noise). Outcomes: exchange-years 2008–2030, active exchanges in 2024 and the
probability of collapse after Findus's exit (share of the seeds at each point).

    .venv/bin/python experiments/validation/morris.py [--r 10] [--seeds 3] [--out results/validation] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from experiments.bjuv import study as bjuv  # noqa: E402
from experiments.common import markdown_table, pmap, provenance  # noqa: E402
from sim import config  # noqa: E402
from sim.run import measures  # noqa: E402
from sim.run.palette import TOL_MUTED  # noqa: E402
from sim.run.runner import run  # noqa: E402

# (parameter, low, high): ranges bracket each default (docs/parameters.md) by roughly a factor of
# two to three either way, or the span the cited sources allow.
PARAMETERS: list[tuple[str, float, float]] = [
    ("params.matching.base_search_rate", 0.005, 0.06),
    ("params.matching.facilitated_search_rate", 0.05, 0.4),
    ("params.matching.distance_decay_km", 2.0, 15.0),
    ("params.benefit.setup_cost_sek.anchor", 1.0e5, 1.0e6),
    ("params.benefit.max_payback_years.sme", 1.0, 5.0),
    ("params.trust.established", 0.1, 0.4),
    ("params.acquaintance.same_site", 0.05, 0.3),
    ("params.trust.threshold", 0.3, 0.6),
    ("params.trust.meeting_gain", 0.04, 0.25),
    ("params.anchor_revenue.delivery_risk_share", 0.05, 0.5),
    ("params.negotiation.failure_at_zero_trust", 0.1, 0.7),
    ("params.financing.startup_step_success", 0.5, 0.9),
    ("params.engagement.rise_per_month", 0.03, 0.2),
    ("params.engagement.half_life_months", 3.0, 18.0),
    ("params.firm_exit.dependant_hazard", 0.05, 0.6),
    ("params.land_planning.replan_rate_per_year", 0.1, 1.0),
    ("params.entry.base_rate_per_year", 0.05, 0.4),
    ("params.snowball.follow_up_per_month", 0.03, 0.3),
    ("params.lifecycle.disruption_rate_per_year", 0.0, 0.05),
    ("params.negotiation.stall_without_broker", 0.3, 1.0),
    ("params.acquaintance.municipal_contact", 0.04, 0.25),
    ("params.project_funding.partner_base_willingness", 0.2, 0.8),
    ("params.project_funding.free_riding_exponent", 0.0, 0.6),
    ("params.benefit.max_payback_years.anchor", 1.5, 6.0),
    ("params.firm_exit.hazard_anchor", 0.001, 0.01),
]
OUTCOMES = {
    "exchange_years": "exchange-years 2008–2030",
    "exchanges_2024": "active exchanges in 2024",
    "p_collapse": "P(collapse after the 2017 exit)",
}
NUM_LEVELS = 4


def problem() -> dict[str, Any]:
    """The SALib problem definition."""
    return {"num_vars": len(PARAMETERS), "names": [p[0] for p in PARAMETERS], "bounds": [[p[1], p[2]] for p in PARAMETERS]}


def point_task(task: tuple[tuple[float, ...], int]) -> dict[str, float]:
    """Run the Bjuv baseline at one design point on seeds 0..k-1; outcomes averaged over the seeds."""
    x, k = task
    raw = config.apply_overrides(config.read_yaml(bjuv.CASE), {name: float(v) for name, v in zip(problem()["names"], x, strict=True)})
    cfg = config.build(raw)
    ey, ex24, col = [], [], []
    for seed in range(k):
        res = run(cfg, seed)
        ts = res.timeseries
        window = cfg.observation.collapse_window_months
        ey.append(float(res.summary["exchange_years"]))
        ex24.append(float(ts.loc[ts["year"] == bjuv.OUTCOME_YEAR, "active_exchanges"].mean()))
        col.append(float(measures.collapsed_after(ts, bjuv.EXIT_STEP, window)))
    return {"exchange_years": float(np.mean(ey)), "exchanges_2024": float(np.mean(ex24)), "p_collapse": float(np.mean(col))}


def figure(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """μ* against σ per outcome; the top parameters labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(tables), figsize=(5.6 * len(tables), 4.8))
    for ax, (key, t) in zip(np.atleast_1d(axes), tables.items(), strict=True):
        ax.errorbar(t["mu_star"], t["sigma"], xerr=t["mu_star_conf"], fmt="o", color=TOL_MUTED[1], ecolor="#999999", ms=4, capsize=2)
        for _, row in t.head(3).iterrows():
            ax.annotate(
                row["parameter"].replace("params.", ""),
                (row["mu_star"], row["sigma"]),
                fontsize=6.5,
                xytext=(3, 3),
                textcoords="offset points",
                color=TOL_MUTED[0],
            )
        lim = max(float(t["mu_star"].max()), float(t["sigma"].max())) * 1.1
        ax.plot([0, lim], [0, lim], linestyle=":", color="#555555", linewidth=0.8)
        ax.set_xlabel(f"μ* (mean |elementary effect|, {OUTCOMES[key]} per full range)", fontsize=8)
        ax.set_ylabel("σ (spread of effects, same unit)", fontsize=8)
        ax.set_title(OUTCOMES[key], fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle("Morris screening of the Bjuv case (SALib): error bars are 95 % bootstrap intervals of μ*", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--r", type=int, default=10, help="Morris trajectories")
    ap.add_argument("--seeds", type=int, default=3, help="seeds per design point (the same at every point)")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "validation")
    ap.add_argument("--figure", type=Path, default=None, help="also copy the PNG here (e.g. docs/figures/morris.png)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    prob = problem()
    X = morris_sample.sample(prob, N=args.r, num_levels=NUM_LEVELS, seed=20260101)
    t0 = time.time()
    results = pd.DataFrame(pmap(point_task, [(tuple(map(float, x)), args.seeds) for x in X], args.workers))
    elapsed = time.time() - t0
    pd.concat([pd.DataFrame(X, columns=prob["names"]), results], axis=1).to_csv(args.out / "morris_runs.csv", index=False)
    tables: dict[str, pd.DataFrame] = {}
    for key in OUTCOMES:
        si = morris_analyze.analyze(prob, X, results[key].to_numpy(), num_levels=NUM_LEVELS, conf_level=0.95, num_resamples=1000, seed=7)
        t = pd.DataFrame(
            {"parameter": prob["names"], "mu": si["mu"], "mu_star": si["mu_star"], "mu_star_conf": si["mu_star_conf"], "sigma": si["sigma"]}
        )
        tables[key] = t.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)
        tables[key].to_csv(args.out / f"morris_{key}.csv", index=False, float_format="%.5g")
    # One Markdown table: parameters ranked by μ* of exchange-years, every outcome side by side.
    first = tables["exchange_years"]["parameter"].tolist()
    rows = []
    for rank, name in enumerate(first, start=1):
        cells: list[Any] = [rank, f"`{name}`"]
        for key in OUTCOMES:
            r = tables[key].set_index("parameter").loc[name]
            mu = 0.0 if abs(r["mu"]) < 1e-9 else r["mu"]  # float round-off of an exact zero
            cells += [f"{r['mu_star']:.3g} ± {r['mu_star_conf']:.2g}", f"{r['sigma']:.3g}", f"{mu:+.3g}"]
        rows.append(cells)
    header = ["rank", "parameter"]
    for label in OUTCOMES.values():
        header += [f"μ* {label}", "σ", "μ"]
    md = markdown_table(header, rows)
    md += (
        f"\nMorris design: r = {args.r} trajectories, {NUM_LEVELS} levels, {len(X)} points × {args.seeds} seeds = "
        f"{len(X) * args.seeds} runs of the Bjuv baseline ({elapsed:.0f} s on {args.workers} workers). μ* ± its 95 % bootstrap "
        f"half-width; μ carries the sign (positive: the outcome rises with the parameter). Computed from {provenance()}.\n"
    )
    (args.out / "morris.md").write_text(md, encoding="utf-8")
    figure(tables, args.out / "morris.png")
    if args.figure is not None:
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        args.figure.write_bytes((args.out / "morris.png").read_bytes())
    print(md)
    for key, label in OUTCOMES.items():
        print(f"top 5 by μ* for {label}: " + ", ".join(tables[key]["parameter"].head(5).str.replace("params.", "")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
