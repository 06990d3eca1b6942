"""Analysis of a finished sweep: per-point summaries, sensitivity indices and plots.

Aggregation runs in DuckDB over the Parquet batches, so a sweep of millions of runs is summarised
without loading it; only per-point means (one number per point and outcome) reach Python, which
SALib's analysers need anyway.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.run.runner import SUMMARY_KEYS
from sim.sweep import store
from sim.sweep.design import RAW_PREFIX
from sim.sweep.results import _lit, _q, connect

DEFAULT_OUTCOMES = ("final_active_exchanges", "exchange_years", "co2_avoided_total_t", "collapsed", "public_funding_total_sek")


def point_summary(con: Any, outcomes: list[str], path: Path) -> None:
    """Mean and 95% interval of each outcome per design point, written by DuckDB as CSV.

    Intervals respect the outcome's bounds: a share (true/false outcome) gets the Wilson score
    interval, which stays in [0, 1]; any other outcome the t interval truncated to its bounds (a
    count or an amount is never below 0). ``ci_method`` says which.
    """
    from scipy import stats

    from sim.outputs import OUTCOMES

    ns = [r[0] for r in con.execute("SELECT DISTINCT count(*) FROM runs WHERE error IS NULL GROUP BY point").fetchall()]
    tq = pd.DataFrame({"n": ns, "t": [float(stats.t.ppf(0.975, n - 1)) if n > 1 else math.nan for n in ns]})
    con.register("tq", tq)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE runs)").fetchall())
    parts = []
    for o in outcomes:
        ref = OUTCOMES.get(o)
        lo = "NULL" if ref is None or ref.low is None else repr(float(ref.low))
        hi = "NULL" if ref is None or ref.high is None else repr(float(ref.high))
        share = "true" if types.get(o) == "BOOLEAN" else "false"
        parts.append(
            f"SELECT point, {_lit(o)} AS outcome, count(v) AS n, avg(v) AS mean, stddev_samp(v) AS sd, "
            f"CAST({lo} AS DOUBLE) AS lb, CAST({hi} AS DOUBLE) AS ub, {share} AS share "
            f"FROM (SELECT point, CAST({_q(o)} AS DOUBLE) AS v FROM runs WHERE error IS NULL) GROUP BY point"
        )
    z = 1.959963984540054
    wilson_c = f"(s.mean + {z * z} / (2 * s.n)) / (1 + {z * z} / s.n)"
    wilson_h = f"{z} * sqrt(s.mean * (1 - s.mean) / s.n + {z * z} / (4 * s.n * s.n)) / (1 + {z * z} / s.n)"
    t_lo = "s.mean - tq.t * s.sd / sqrt(s.n)"
    t_hi = "s.mean + tq.t * s.sd / sqrt(s.n)"
    sql = (
        "SELECT d.*, s.outcome, s.n, s.mean, s.sd, "
        f"CASE WHEN s.share THEN {wilson_c} - {wilson_h} WHEN s.lb IS NULL THEN {t_lo} ELSE greatest(s.lb, {t_lo}) END AS ci95_low, "
        f"CASE WHEN s.share THEN {wilson_c} + {wilson_h} WHEN s.ub IS NULL THEN {t_hi} ELSE least(s.ub, {t_hi}) END AS ci95_high, "
        "CASE WHEN s.share THEN 'Wilson score (share)' WHEN s.lb IS NULL AND s.ub IS NULL THEN 't' "
        "ELSE 't, truncated to the bounds' END AS ci_method "
        f"FROM ({' UNION ALL '.join(parts)}) s JOIN design d USING (point) LEFT JOIN tq ON tq.n = s.n "
        "ORDER BY s.outcome, s.point"
    )
    cols = [c for c in con.execute("SELECT * FROM design LIMIT 0").df().columns if not c.startswith(RAW_PREFIX)]
    sql = sql.replace("d.*", ", ".join(f"d.{_q(c)}" for c in cols))
    con.execute(f"COPY ({sql}) TO {_lit(str(path))} (HEADER, DELIMITER ',')")


def bounded_effects(df: pd.DataFrame) -> pd.DataFrame:
    """Main effects with ``ci95_low``/``ci95_high``: the normal interval truncated to the outcome's bounds."""
    from sim.outputs import OUTCOMES

    lo = df["outcome"].map(lambda o: OUTCOMES[o].low if o in OUTCOMES and OUTCOMES[o].low is not None else -np.inf)
    hi = df["outcome"].map(lambda o: OUTCOMES[o].high if o in OUTCOMES and OUTCOMES[o].high is not None else np.inf)
    half = df["ci95"].fillna(0)
    return df.assign(ci95_low=np.maximum(df["mean"] - half, lo), ci95_high=np.minimum(df["mean"] + half, hi))


def point_means(con: Any, outcomes: list[str]) -> pd.DataFrame:
    """Mean of each outcome per design point (all points, in point order)."""
    sel = ", ".join(f"avg(CAST({_q(o)} AS DOUBLE)) AS {_q(o)}" for o in outcomes)
    return con.execute(f"SELECT point, {sel} FROM runs WHERE error IS NULL GROUP BY point ORDER BY point").df()


def main_effects(con: Any, params: list[dict[str, Any]], outcomes: list[str], bins: int = 8) -> pd.DataFrame:
    """Mean outcome per bin of each parameter (values for categorical ones), over all runs."""
    frames = []
    for p in params:
        name = p["name"]
        # Names and outcomes go in as quoted identifiers or bound values, never as SQL text.
        args: list[Any] = []
        if "values" in p or (p["kind"] == "int" and p["high"] - p["low"] < bins):
            key = f"CAST({_q(name)} AS VARCHAR)"
            order = f"min({_q(name)})"
            x = f"min(CAST({_q(name)} AS VARCHAR))" if "values" in p else f"avg(CAST({_q(name)} AS DOUBLE))"
        else:
            lo, hi = float(p["low"]), float(p["high"])
            key = f"least(floor((CAST({_q(name)} AS DOUBLE) - $lo) / ($width) * $bins), $last)"
            order = key
            x = f"avg(CAST({_q(name)} AS DOUBLE))"
            args = [lo, hi - lo, bins, bins - 1]
        for o in outcomes:
            named = dict(zip(("lo", "width", "bins", "last"), args, strict=False))
            frames.append(
                con.execute(
                    f"SELECT $parameter AS parameter, $outcome AS outcome, CAST({x} AS VARCHAR) AS x, count(*) AS n, "
                    f"avg(CAST({_q(o)} AS DOUBLE)) AS mean, stddev_samp(CAST({_q(o)} AS DOUBLE)) AS sd "
                    f"FROM runs WHERE error IS NULL GROUP BY {key} ORDER BY {order}",
                    {"parameter": name, "outcome": o, **named},
                ).df()
            )
    df = pd.concat(frames, ignore_index=True)
    df["ci95"] = 1.96 * df["sd"] / np.sqrt(df["n"])
    return df


def _plot_main_effects(df: pd.DataFrame, params: list[dict[str, Any]], outcomes: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(outcomes), len(params), figsize=(3.2 * len(params), 2.4 * len(outcomes)), squeeze=False)
    for i, o in enumerate(outcomes):
        for j, p in enumerate(params):
            ax = axes[i][j]
            sub = df[(df["parameter"] == p["name"]) & (df["outcome"] == o)]
            categorical = "values" in p
            xs = sub["x"].tolist() if categorical else sub["x"].astype(float).to_numpy()
            pos = np.arange(len(xs)) if categorical else xs
            err = np.vstack([sub["mean"] - sub["ci95_low"], sub["ci95_high"] - sub["mean"]]).clip(0)
            ax.errorbar(pos, sub["mean"], yerr=err, marker="o", ms=3, capsize=2, lw=1)
            if categorical:
                ax.set_xticks(pos, xs)
            if i == len(outcomes) - 1:
                ax.set_xlabel(p["name"], fontsize=8)
            if j == 0:
                ax.set_ylabel(o, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(
        "Main effects: mean and 95% normal interval (truncated to the outcome's bounds) over all runs per parameter bin", fontsize=9
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sensitivity(
    manifest: dict[str, Any], means: pd.DataFrame, design: pd.DataFrame, outcomes: list[str]
) -> tuple[str, pd.DataFrame] | None:
    """Sobol S1/ST for a Saltelli design, Morris mu*/sigma for a Morris design; None otherwise."""
    kind = manifest["design"]["kind"]
    problem = manifest["design"]["salib_problem"]
    spec = manifest["spec"]["design"]
    rows = []
    for o in outcomes:
        y = means[o].to_numpy(dtype=float)
        if np.nanstd(y) == 0:
            for name in problem["names"]:
                rows.append({"outcome": o, "parameter": name, "note": "outcome constant over the design"})
            continue
        if kind == "sobol":
            from SALib.analyze import sobol

            si = sobol.analyze(problem, y, calc_second_order=bool(spec.get("second_order")), seed=manifest["spec"]["seed"])
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": o,
                        "parameter": name,
                        "S1": si["S1"][i],
                        "S1_conf": si["S1_conf"][i],
                        "ST": si["ST"][i],
                        "ST_conf": si["ST_conf"][i],
                    }
                )
        elif kind == "morris":
            from SALib.analyze import morris

            x = design[[RAW_PREFIX + n for n in problem["names"]]].to_numpy(dtype=float)
            mi = morris.analyze(problem, x, y, num_levels=spec.get("levels") or 4, seed=manifest["spec"]["seed"])
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "outcome": o,
                        "parameter": name,
                        "mu_star": mi["mu_star"][i],
                        "mu_star_conf": mi["mu_star_conf"][i],
                        "mu": mi["mu"][i],
                        "sigma": mi["sigma"][i],
                    }
                )
        else:
            return None
    return kind, pd.DataFrame(rows)


def run_values(con: Any, outcomes: list[str]) -> pd.DataFrame:
    """One row per successful run: point, replication and the outcomes as floats (NULL as NaN)."""
    sel = ", ".join(f"CAST({_q(o)} AS DOUBLE) AS {_q(o)}" for o in outcomes)
    return con.execute(f"SELECT point, replication, {sel} FROM runs WHERE error IS NULL ORDER BY point, replication").df()


def analyze(
    directory: Path, outcomes: list[str] | None = None, out: Path | None = None, target: float = 0.1, resamples: int = 300
) -> tuple[list[Path], list[str]]:
    """Write summary tables, noise measures, indices (when the design allows), plots and summary.md;
    return the files and notes (warnings first)."""
    from sim.sweep import figures
    from sim.sweep.sensitivity import analyse_frame, write

    con = connect(directory)
    manifest = store.read_manifest(directory)
    numeric = list(SUMMARY_KEYS)
    chosen = list(outcomes) if outcomes else list(DEFAULT_OUTCOMES)
    bad = [o for o in chosen if o not in numeric]
    if bad:
        raise ConfigError([f"--outcome: value {b!r} is unknown (allowed: {', '.join(numeric)})" for b in bad])
    out = out or directory / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    written: list[Path] = []
    n_runs, n_err = con.execute("SELECT count(*), count(error) FROM runs").fetchone()
    if n_runs < manifest["runs"]:
        notes.append(f"the sweep is incomplete: {n_runs} of {manifest['runs']} runs (finish it with symbiosis sweep --resume)")
    if n_err:
        notes.append(f"{n_err} runs failed and are left out (see the error column)")
    point_summary(con, numeric, out / "summary_by_point.csv")
    written.append(out / "summary_by_point.csv")
    params = manifest["design"]["parameters"]
    me = bounded_effects(main_effects(con, params, chosen))
    me.to_csv(out / "main_effects.csv", index=False)
    _plot_main_effects(me, params, chosen, out / "main_effects.png")
    written += [out / "main_effects.csv", out / "main_effects.png"]
    kind = manifest["design"]["kind"]
    problem = manifest["design"]["salib_problem"]
    spec = manifest["spec"]["design"]
    runs = run_values(con, chosen)
    design = pd.read_parquet(directory / store.DESIGN)
    complete = runs.groupby("point")[chosen].count().reindex(range(len(design)), fill_value=0)
    index_kind = kind
    if kind in ("sobol", "morris") and (complete == 0).any().any():
        notes.append(
            f"{kind} indices need every design point: {int((complete > 0).all(axis=1).sum())} of {len(design)} have results; indices skipped"
        )
        index_kind = "none"
    x = design[[RAW_PREFIX + n for n in problem["names"]]].to_numpy(dtype=float) if kind == "morris" else None
    result = analyse_frame(
        runs,
        index_kind,
        problem["names"],
        chosen,
        x=x,
        second_order=bool(spec.get("second_order")),
        levels=spec.get("levels") or 4,
        target=target,
        resamples=resamples,
        seed=int(manifest["spec"]["seed"]),
    )
    if result.indices is not None:
        salib = sensitivity(manifest, runs.groupby("point")[chosen].mean().reset_index(), design, chosen)
        if salib is not None:  # SALib's own intervals (base samples only) beside the bootstrap ones
            keep = ["outcome", "parameter", *[c for c in salib[1].columns if c.endswith("_conf")]]
            result.indices = result.indices.merge(salib[1][keep], on=["outcome", "parameter"], how="left")
        name = "sobol_indices" if kind == "sobol" else "morris_indices"
        result.indices.to_csv(out / f"{name}.csv", index=False)
        written.append(out / f"{name}.csv")
    elif kind not in ("sobol", "morris"):
        notes.append(f"a {kind} design gives main effects; Sobol or Morris indices need a sobol or morris design")
    if "timeseries" in {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}:
        every = int(manifest["spec"]["outcomes"]["timeseries"]["every"])
        fan = figures.fan_data(con, params, len(design), every)
        if len(fan):
            fan.to_csv(out / "fan_charts.csv", index=False)
            written += [out / "fan_charts.csv", *figures.fan_charts(fan, out)]
    title = f"Sensitivity analysis of {manifest['name']} ({kind}, {len(design)} points x {manifest['replications']} replications)"
    written += write(
        result,
        out,
        title,
        extra=[
            *notes,
            "Per-point and main-effect intervals: see ci_method in summary_by_point.csv; "
            "main effects use the normal interval truncated to the outcome's bounds.",
        ],
    )
    return written, [f"WARNING: {w}" for w in result.warnings] + result.notes + notes
