"""symbiosis query and analyze: SQL over the Parquet files, per-point intervals, Sobol and Morris."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.sweep.engine import run_sweep
from tests.helpers import cli_inprocess as cli
from tests.sweep_helpers import table, write_spec

TWO = [
    {"key": "policy.funding_gap_months", "range": [0, 36]},
    {"key": "policy.facilitator_base_funding_sek_per_year", "name": "base_funding", "range": [0, 1.5e6]},
]


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("grid")
    out = d / "out"
    run_sweep(write_spec(d / "g.yaml", replications=4, set={"years": 3}), out, executor="inprocess", progress=False)
    return out


def test_query_runs_sql_over_the_parquet_files(grid: Path) -> None:
    proc = cli(
        "query",
        str(grid),
        "SELECT count(*) AS n, count(DISTINCT point) AS points, count(DISTINCT seed) AS seeds FROM runs",
        "--format",
        "csv",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ['"n","points","seeds"', "24,6,24"]
    ts = cli("query", str(grid), "SELECT count(*) FROM timeseries JOIN runs USING (run_id) WHERE funding_anchor_eligible")
    assert ts.returncode == 0 and "72" in ts.stdout  # 12 runs x 6 kept months
    bad = cli("query", str(grid), "SELECT nope FROM runs")
    assert bad.returncode == 2 and "SQL:" in bad.stderr and "nope" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_analyze_writes_mean_and_t_interval_per_design_point(grid: Path, tmp_path: Path) -> None:
    proc = cli("analyze", str(grid), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    for name in ("summary_by_point.csv", "main_effects.csv", "main_effects.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    summary = pd.read_csv(tmp_path / "summary_by_point.csv")
    runs = table(grid)
    for point in (0, 5):
        y = runs.loc[runs["point"] == point, "co2_avoided_total_t"].to_numpy()
        row = summary[(summary["point"] == point) & (summary["outcome"] == "co2_avoided_total_t")].iloc[0]
        half = stats.t.ppf(0.975, len(y) - 1) * y.std(ddof=1) / np.sqrt(len(y))
        assert row["n"] == 4 and row["mean"] == pytest.approx(y.mean())
        # CO2 avoided cannot be negative: the t interval is truncated at 0
        assert row["ci95_low"] == pytest.approx(max(0.0, y.mean() - half)) and row["ci95_high"] == pytest.approx(y.mean() + half)
        assert row["ci_method"] == "t, truncated to the bounds"
    assert set(summary["outcome"]) >= {"final_active_exchanges", "collapsed", "exchange_years"}
    effects = pd.read_csv(tmp_path / "main_effects.csv")
    eligible = effects[(effects["parameter"] == "funding_anchor_eligible") & (effects["outcome"] == "exchange_years")]
    assert len(eligible) == 2
    assert eligible["mean"].mean() == pytest.approx(runs["exchange_years"].mean())  # two equal-sized halves


@pytest.mark.slow
def test_analyze_gives_sobol_indices_for_a_saltelli_design(tmp_path: Path) -> None:
    out = tmp_path / "sobol"
    run_sweep(
        write_spec(
            tmp_path / "s.yaml",
            parameters=TWO,
            design={"kind": "sobol", "samples": 16},
            replications=1,
            set={"years": 4},
            batch_size=16,
            outcomes={},
        ),
        out,
        executor="inprocess",
        progress=False,
    )
    proc = cli("analyze", str(out), "--outcome", "public_funding_total_sek", "--outcome", "exchange_years")
    assert proc.returncode == 0, proc.stderr
    si = pd.read_csv(out / "analysis" / "sobol_indices.csv")
    assert set(si["parameter"]) == {"funding_gap_months", "base_funding"} and {"S1", "S1_conf", "ST", "ST_conf"} <= set(si.columns)
    assert (out / "analysis" / "sobol_indices.png").stat().st_size > 0
    # Permanent base funding is paid every month; it must dominate the variance of public money.
    money = si[si["outcome"] == "public_funding_total_sek"].set_index("parameter")
    assert money.loc["base_funding", "ST"] > money.loc["funding_gap_months", "ST"]


@pytest.mark.slow
def test_analyze_gives_morris_mu_star_and_sigma(tmp_path: Path) -> None:
    out = tmp_path / "morris"
    run_sweep(
        write_spec(
            tmp_path / "m.yaml",
            parameters=TWO,
            design={"kind": "morris", "samples": 6, "levels": 4},
            replications=1,
            set={"years": 4},
            batch_size=9,
            outcomes={},
        ),
        out,
        executor="inprocess",
        progress=False,
    )
    proc = cli("analyze", str(out), "--outcome", "public_funding_total_sek")
    assert proc.returncode == 0, proc.stderr
    mi = pd.read_csv(out / "analysis" / "morris_indices.csv").set_index("parameter")
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(mi.columns)
    assert mi.loc["base_funding", "mu_star"] > 0
    assert (out / "analysis" / "morris_indices.png").stat().st_size > 0


def test_analyze_rejects_unknown_outcomes_and_non_sweeps(grid: Path, tmp_path: Path) -> None:
    bad = cli("analyze", str(grid), "--outcome", "happiness")
    assert bad.returncode == 2 and "--outcome: value 'happiness' is unknown" in bad.stderr
    nothing = cli("analyze", str(tmp_path))
    assert nothing.returncode == 2 and "not a sweep directory" in nothing.stderr and "Traceback" not in nothing.stderr
