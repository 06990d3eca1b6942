"""Measure every pattern P1–P12 (docs/odd.md, section 1.2) with the model, with its uncertainty.

Each pattern is shown by a contrast between two arms on the same seeds (a mechanism or lever
switched, or a set-up changed) or by a share over seeds, always from real runs. The script writes
a Markdown table (pasted into docs/validation.md) and a CSV of the figures:

    .venv/bin/python experiments/validation/patterns.py [--n 40] [--out results/validation] [--workers 2] [--only P8 ...]

Figures: difference of means with a Welch 95 % interval (or, for P8, the Hodges–Lehmann shift with
a bootstrap 95 % interval) and a one-sided Mann–Whitney p; shares with a Wilson 95 % interval; the
median with a bootstrap 95 % interval.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from experiments.bjuv import study as bjuv  # noqa: E402
from experiments.common import fmt_p, markdown_table, mw_p, pmap, provenance, welch, wilson  # noqa: E402
from experiments.validation.pattern_setups import CONTRASTS, HEAT_PAIRS, HEAT_SETUPS, Contrast, write_p8_region  # noqa: E402
from sim import config  # noqa: E402
from sim.run.measures import water_first_month, water_permits_denied  # noqa: E402
from sim.run.runner import run  # noqa: E402

Row = dict[str, Any]


@cache
def _config(path: str | None, overrides_json: str) -> config.ScenarioConfig:
    """A set-up loaded once per process (every seed of an arm shares it)."""
    return config.load(path, json.loads(overrides_json))


def summary_task(task: tuple[str | None, str, int, int | None]) -> dict[str, Any]:
    """One run's summary and derived measures (top-level so worker processes can pickle it)."""
    path, overrides_json, seed, steps = task
    cfg = _config(path, overrides_json)
    res = run(cfg, seed, steps)
    horizon = steps if steps is not None else cfg.years * 12
    return {
        **res.summary,
        "water_first_month": water_first_month(res.exchanges, horizon),
        "water_permits_denied": water_permits_denied(res.exchanges),
    }


def heat_life_task(task: tuple[str, int]) -> tuple[float, bool]:
    """P12: years the longest plant-to-utility heat exchange has run by the horizon (NaN if none),
    and whether it still runs at the end."""
    name, seed = task
    path, overrides, supplier, receiver = HEAT_PAIRS[name]
    cfg = _config(path, json.dumps(overrides, sort_keys=True))
    ex = run(cfg, seed).exchanges
    heat = ex[(ex["resource"] == "heat") & (ex["supplier"] == supplier) & (ex["receiver"] == receiver) & (ex["operating_since"] > 0)]
    if not len(heat):
        return float("nan"), False
    horizon = cfg.years * 12
    end = heat["ended_step"].where(heat["ended_step"] > 0, horizon)
    return float((end - heat["operating_since"]).max()) / 12.0, bool((heat["ended_step"] < 0).any())


def contrast_values(n: int, workers: int, contrasts: list[Contrast] = CONTRASTS) -> dict[tuple[int, str], np.ndarray]:
    """Each contrast's outcome per arm over its seeds, all runs in one pool."""
    arms: list[tuple[Contrast, str, int]] = []
    tasks: list[tuple[str | None, str, int, int | None]] = []
    for c in contrasts:
        m = round(n * c.n_factor)
        for side, ov in (("a", c.a), ("b", c.b)):
            arms.append((c, side, m))
            tasks += [(c.path, json.dumps(ov, sort_keys=True), s, c.steps) for s in range(m)]
    results = pmap(summary_task, tasks, workers)
    pos = 0
    values: dict[tuple[int, str], np.ndarray] = {}
    for c, side, m in arms:
        v = np.array([float(r[c.key]) for r in results[pos : pos + m]])
        values[(id(c), side)] = v[~np.isnan(v)]  # runs where the measure is undefined (no such exchange) drop out
        pos += m
    return values


def bjuv_row(n: int, workers: int) -> Row:
    """P1 on the Bjuv case itself: collapse after Findus's 2017 exit."""
    bj = pd.DataFrame(pmap(bjuv.one_run, [("baseline", s) for s in range(n)], workers))
    collapse = bj["active_at_exit"] & bj["inactive_at_end"]
    p, lo, hi = wilson(int(collapse.sum()), len(bj))
    rp, rlo, rhi = wilson(int(bj["land_replanned_year"].notna().sum()), len(bj))
    c24, c24lo, c24hi = wilson(int((~bj["cluster_2024"]).sum()), len(bj))
    return {
        "pattern": "P1",
        "setup": "Bjuv case (`configs/cases/A13_bjuv.yaml`), Findus exits June 2017, 2008–2030",
        "figure": f"collapse after the exit in {100 * p:.0f} % of runs [95 % CI {100 * lo:.0f}, {100 * hi:.0f}]; "
        f"cluster inactive in 2024 in {100 * c24:.0f} % [{100 * c24lo:.0f}, {100 * c24hi:.0f}]; "
        f"land beside the hub re-planned in {100 * rp:.0f} % [{100 * rlo:.0f}, {100 * rhi:.0f}] "
        f"(median year {np.nanmedian(bj['land_replanned_year']):.0f})",
        "n": len(bj),
        "estimate": p,
        "lo": lo,
        "hi": hi,
        "p_value": float(stats.binomtest(int(collapse.sum()), len(bj), 0.5, alternative="greater").pvalue),
        "tests": "`test_patterns.py::test_bjuv_collapses_after_findus_leaves`",
    }


def contrast_row(c: Contrast, a: np.ndarray, b: np.ndarray) -> Row:
    """A contrast's figure: a share with Fisher's test for collapse, otherwise a Welch difference."""
    if c.key == "collapsed":  # a share: the pattern predicts fewer collapses in arm A
        pa, pb = wilson(int(a.sum()), len(a)), wilson(int(b.sum()), len(b))
        table = [[int(b.sum()), len(b) - int(b.sum())], [int(a.sum()), len(a) - int(a.sum())]]
        pv = float(stats.fisher_exact(table, alternative="greater").pvalue)
        fig = (
            f"collapse in {100 * pb[0]:.0f} % [{100 * pb[1]:.0f}, {100 * pb[2]:.0f}] ({c.b_label}) vs "
            f"{100 * pa[0]:.0f} % [{100 * pa[1]:.0f}, {100 * pa[2]:.0f}] ({c.a_label}); Fisher {fmt_p(pv)}"
        )
        est, lo, hi = pb
    elif c.effect == "hodges_lehmann":
        est, lo, hi = hodges_lehmann(a, b)
        pv = mw_p(a, b)
        fig = (
            f"`{c.key}`: median {np.median(a):.3g}, mean {a.mean():.3g} ({c.a_label}) vs median {np.median(b):.3g}, "
            f"mean {b.mean():.3g} ({c.b_label}); Hodges–Lehmann difference {est:.3g} [bootstrap 95 % CI {lo:.3g}, {hi:.3g}]; "
            f"one-sided Mann–Whitney {fmt_p(pv)}"
        )
    else:
        est, lo, hi = welch(a, b)
        pv = mw_p(a, b)
        fig = (
            f"`{c.key}`: {a.mean():.3g} ({c.a_label}) vs {b.mean():.3g} ({c.b_label}); "
            f"difference {est:.3g} [95 % CI {lo:.3g}, {hi:.3g}]; one-sided Mann–Whitney {fmt_p(pv)}"
        )
    return {
        "pattern": c.pattern,
        "setup": c.setup,
        "figure": fig,
        "n": f"{len(a)}/{len(b)}" if len(a) != len(b) else len(a),
        "estimate": est,
        "lo": lo,
        "hi": hi,
        "p_value": pv,
        "tests": c.tests,
    }


def hodges_lehmann(a: np.ndarray, b: np.ndarray, boot: int = 2000, seed: int = 8) -> tuple[float, float, float]:
    """Hodges–Lehmann shift a − b (median of all pairwise differences) with a percentile bootstrap
    95 % interval, resampling each arm; robust where counts are skewed or one arm sits near zero."""

    def shift(x: np.ndarray, y: np.ndarray) -> float:
        return float(np.median(np.subtract.outer(x, y)))

    rng = np.random.default_rng(seed)
    draws = [shift(rng.choice(a, len(a)), rng.choice(b, len(b))) for _ in range(boot)]
    return shift(a, b), float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))


def heat_rows(n: int, workers: int) -> list[Row]:
    """P12: lifetimes of plant-to-utility heat exchanges (the example over 40 years; cases A7 and A11 to 2030)."""
    rng = np.random.default_rng(12)
    rows: list[Row] = []
    for name, setup in HEAT_SETUPS.items():
        m12 = n if name == "example" else max(10, n // 2)
        out = pmap(heat_life_task, [(name, s) for s in range(m12)], workers)
        lives = np.array([o[0] for o in out])
        running = sum(o[1] for o in out)
        lives = lives[~np.isnan(lives)]
        boot = np.median(rng.choice(lives, size=(2000, len(lives)), replace=True), axis=1)
        share20 = wilson(int((lives >= 20).sum()), len(lives))
        still = wilson(running, m12)
        rows.append(
            {
                "pattern": "P12",
                "setup": setup,
                "figure": f"median life of the longest such exchange {np.median(lives):.1f} years "
                f"[bootstrap 95 % CI {np.percentile(boot, 2.5):.1f}, {np.percentile(boot, 97.5):.1f}]; "
                f"≥ 20 years in {100 * share20[0]:.0f} % [{100 * share20[1]:.0f}, {100 * share20[2]:.0f}] of the {len(lives)} runs "
                f"with one; still running at the horizon in {100 * still[0]:.0f} % [{100 * still[1]:.0f}, {100 * still[2]:.0f}] of {m12}",
                "n": m12,
                "estimate": float(np.median(lives)),
                "lo": float(np.percentile(boot, 2.5)),
                "hi": float(np.percentile(boot, 97.5)),
                "p_value": float("nan"),
                "tests": "`mechanisms/test_lifecycle.py::test_heat_to_district_heating_persists_for_decades`"
                + ("" if name == "example" else ", `test_cases.py::test_case_validates_and_runs_24_months` (runs only)"),
            }
        )
    return rows


def measure(n: int, workers: int, only: set[str] | None = None) -> pd.DataFrame:
    """Run every contrast, the Bjuv baseline and the heat lifetimes (or only the patterns in
    ``only``, e.g. ``{"P8"}``); one row per figure."""
    write_p8_region()
    chosen = [c for c in CONTRASTS if only is None or c.pattern in only]
    values = contrast_values(n, workers, chosen)
    rows = [bjuv_row(n, workers)] if only is None or "P1" in only else []
    rows += [contrast_row(c, values[(id(c), "a")], values[(id(c), "b")]) for c in chosen]
    if only is None or "P12" in only:
        rows += heat_rows(n, workers)
    order = {f"P{i}": i for i in range(1, 13)}
    return pd.DataFrame(rows).sort_values("pattern", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=40, help="seeds per arm (some contrasts use 1.5 n)")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "validation")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", nargs="*", metavar="PATTERN", help="measure only these patterns, e.g. --only P8")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    df = measure(args.n, args.workers, set(args.only) if args.only else None)
    df.to_csv(args.out / "patterns.csv", index=False, float_format="%.6g")
    md = markdown_table(
        ["pattern", "set-up", "measured figure (95 % intervals)", "seeds per arm", "guarded by"],
        df[["pattern", "setup", "figure", "n", "tests"]].itertuples(index=False),
    )
    md += f"\nComputed from {provenance()}.\n"
    (args.out / "patterns.md").write_text(md, encoding="utf-8")
    print(md)
    print(f"{time.time() - t0:.0f} s on {args.workers} worker(s); written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
