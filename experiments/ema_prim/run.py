"""Scenario discovery with PRIM: which funding conditions leave a region without a working symbiosis?

Patterns P2 and P8 (docs/odd.md, section 1.2) say facilitation lives on project money and that a gap between
projects loses engagement that is slow to rebuild; P10 says SME-only money cannot reach the
anchor. This study samples those funding conditions for the built-in example (Latin hypercube
through the EMA Workbench, seeded replications per scenario, ten-year runs) and asks PRIM for the
box of conditions in which the symbiosis stays weak: its operating exchange-years over the decade
(mean over the replications) are in the lowest quarter of all scenarios (``--weak-quantile``). A
relative threshold keeps the question meaningful however the model is calibrated.

    .venv/bin/python experiments/ema_prim/run.py                      # 900 ten-year runs: ~4 min on 2 cores
    .venv/bin/python experiments/ema_prim/run.py --scenarios 100 --replications 2 --processes 1

Prints the PRIM box (its number on the peeling trajectory, coverage, density, limits; a note when
it is below the density threshold) and writes the experiments, the peeling trajectory and EMA
Workbench's trade-off plot (``prim_tradeoff.png``) and box plot (``prim_box.png``) to
results/ema_prim/ (kept out of git).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def build_model(replications: int, seed: int, years: int):
    """The symbiosis ReplicatorModel with the funding uncertainties of the study."""
    from ema_workbench import BooleanParameter, Constant, IntegerParameter, RealParameter

    from sim.sweep.ema import make_model

    model = make_model(
        "symbiosis_funding",
        n_replications=replications,
        seed=seed,
        outcomes=("final_cluster_active", "exchange_years", "public_funding_total_sek", "error"),
    )
    model.uncertainties = [
        IntegerParameter("funding_gap_months", 0, 36),
        RealParameter("facilitator_base_funding_sek_per_year", 0.0, 1.5e6),
        RealParameter("regions__0__programmes__0__budget_sek", 5e6, 60e6),
        RealParameter("regions__0__programmes__0__funding_rate", 0.2, 0.8),
        IntegerParameter("facilitators__0__initial_project_months", 0, 36),
        BooleanParameter("funding_anchor_eligible"),
    ]
    model.constants = [Constant("steps", years * 12)]
    return model


def _figure(result: object) -> object:
    """The matplotlib figure of what EMA's inspect(style="graph") returned (a figure, axes or a list)."""
    import matplotlib.pyplot as plt

    while isinstance(result, (list, tuple)) and result:
        result = result[0]
    if hasattr(result, "savefig"):
        return result
    return getattr(result, "figure", None) or plt.gcf()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=300, help="Latin hypercube scenarios")
    ap.add_argument("--replications", type=int, default=3, help="seeded replications per scenario")
    ap.add_argument("--years", type=int, default=10, help="years per run")
    ap.add_argument("--processes", type=int, default=2, help="EMA MultiprocessingEvaluator processes (1 = sequential)")
    ap.add_argument("--seed", type=int, default=2026, help="root seed for sampling and replications")
    ap.add_argument("--weak-quantile", type=float, default=0.25, help="scenarios with exchange-years below this quantile are weak")
    ap.add_argument("--threshold", type=float, default=0.4, help="PRIM: smallest density of the chosen box")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "ema_prim")
    args = ap.parse_args(argv)

    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    import matplotlib

    matplotlib.use("Agg")
    warnings.filterwarnings("ignore", category=FutureWarning, module="ema_workbench")
    from ema_workbench import MultiprocessingEvaluator, Samplers, SequentialEvaluator, ema_logging
    from ema_workbench.analysis import prim

    ema_logging.log_to_stderr(logging.WARNING)
    model = build_model(args.replications, args.seed, args.years)
    t0 = time.monotonic()
    evaluator = SequentialEvaluator(model) if args.processes <= 1 else MultiprocessingEvaluator(model, n_processes=args.processes)
    with evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=args.scenarios, uncertainty_sampling=Samplers.LHS, uncertainty_sampling_kwargs={"rng": args.seed}
        )
    seconds = time.monotonic() - t0

    errors = np.asarray(outcomes["error"]).reshape(len(experiments), -1)
    if np.nansum(errors):
        print(f"warning: {int(np.nansum(errors))} runs failed and count as no cluster", file=sys.stderr)
    active = np.nan_to_num(np.asarray(outcomes["final_cluster_active"], dtype=float).reshape(len(experiments), -1))
    exchange_years = np.nan_to_num(np.asarray(outcomes["exchange_years"], dtype=float).reshape(len(experiments), -1))
    mean_years = exchange_years.mean(axis=1)
    cut = float(np.quantile(mean_years, args.weak_quantile))
    failure = mean_years < cut  # weak symbiosis
    x = experiments.drop(columns=["model", "policy", "scenario"] + [c for c in ("steps",) if c in experiments.columns])
    x = x.rename(columns=lambda c: c.replace("__", "."))

    args.out.mkdir(parents=True, exist_ok=True)
    table = x.copy()
    table["cluster_active_share"] = active.mean(axis=1)
    table["exchange_years_mean"] = exchange_years.mean(axis=1)
    table["weak"] = failure
    table.to_csv(args.out / "experiments.csv", index=False)

    print(f"{len(experiments)} scenarios x {args.replications} replications of {args.years} years in {seconds:.0f} s")
    print(
        f"weak symbiosis (fewer than {cut:.1f} exchange-years in {args.years} years, i.e. {cut / args.years:.1f} operating exchanges on average) "
        f"in {failure.sum()} of {len(failure)} scenarios ({failure.mean():.0%})"
    )
    if failure.sum() == 0 or failure.all():
        print("PRIM needs both outcomes; nothing to discover with this sample")
        return 1
    p = prim.Prim(x, failure)
    box = p.find_box()
    # The box on the peeling trajectory with the best coverage among those dense enough.
    pt = box.peeling_trajectory
    dense = pt[pt["density"] >= args.threshold]
    i = int(dense["coverage"].idxmax()) if len(dense) else int(pt["density"].idxmax())
    box.select(i)
    # Keep only restrictions that matter: drop those whose quasi-p values are all above 0.05.
    # (EMA marks an unrestricted side with -1.) Each drop adds a new box to the trajectory.
    weak_dims = [u for u, qp in box.p_values[i].items() if all(np.isnan(q) or q < 0 or q > 0.05 for q in qp)]
    if len(weak_dims) == len(box.p_values[i]):
        weak_dims = []  # nothing significant: show the box as PRIM found it
    for u in weak_dims:
        box.drop_restriction(u)
    j = int(box._cur_box)  # the box shown: i itself, or the last one added by dropping restrictions
    stats = box.peeling_trajectory.iloc[j]
    print(
        f"\nPRIM box {j} (funding conditions under which the symbiosis stays weak): "
        + (
            f"box {i} of the peeling trajectory with the insignificant restrictions on {', '.join(weak_dims)} dropped"
            if weak_dims
            else f"box {i} of the peeling trajectory"
        )
        + f"; coverage {stats['coverage']:.2f}, density {stats['density']:.2f}"
    )
    if not len(dense):
        print(
            f"note: no box on the trajectory reaches the density threshold {args.threshold:.2f}; this is the densest box, "
            f"so it describes the weak scenarios only loosely (more scenarios or replications, or a lower --threshold)"
        )
    elif stats["density"] < args.threshold:
        print(
            f"note: dropping the insignificant restrictions lowered the density to {stats['density']:.2f}, below the threshold "
            f"{args.threshold:.2f}; box {i} itself has density {pt.iloc[i]['density']:.2f}"
        )
    with pd.option_context("display.width", 160, "display.max_columns", None):
        box.inspect(j)
    box.peeling_trajectory.to_csv(args.out / "peeling_trajectory.csv", index=False)
    for name, fig in (("prim_tradeoff.png", box.show_tradeoff(annotated=True)), ("prim_box.png", _figure(box.inspect(j, style="graph")))):
        fig.savefig(args.out / name, dpi=110, bbox_inches="tight")
    print(f"wrote {args.out}/experiments.csv, peeling_trajectory.csv, prim_tradeoff.png (coverage against density), prim_box.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
