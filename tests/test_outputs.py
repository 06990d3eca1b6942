"""Output columns carry their units; annual flows are sums of monthly flows; unreachable outcomes are NULL."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim import config, outputs
from sim.core import collector
from sim.run.runner import SUMMARY_KEYS, run, write
from sim.sweep.engine import run_sweep
from sim.sweep.results import connect
from sim.sweep.spec import TIMESERIES_COLUMNS
from tests.helpers import cli_inprocess
from tests.sweep_helpers import write_spec

# partners who pay the whole rest of a project, so that the example's first exchanges fall in two years
FULL_COFINANCING = {"params.project_funding.partner_base_willingness": 1.0, "params.project_funding.free_riding_exponent": 0.0}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("out")
    spec = write_spec(
        d / "s.yaml",
        parameters=[{"key": "policy.funding_gap_months", "values": [0, 24]}],
        replications=2,
        set={"years": 3, **FULL_COFINANCING},
        batch_size=2,
        outcomes={"timeseries": {"every": 6, "columns": ["active_exchanges", "co2_avoided_t", "cluster_active"]}},
    )
    run_sweep(spec, d / "sw", executor="inprocess", progress=False)
    return d / "sw"


def test_reference_covers_every_column_and_outcome_and_docs_are_current() -> None:
    assert set(TIMESERIES_COLUMNS) == set(outputs.TIMESERIES)
    assert set(collector.COLUMNS) <= set(outputs.TIMESERIES)
    assert set(SUMMARY_KEYS) == set(outputs.OUTCOMES)
    assert (outputs.ROOT / "docs" / "outputs.md").read_text(encoding="utf-8") == outputs.render(), (
        "docs/outputs.md is out of date: run `.venv/bin/python -m sim.outputs`"
    )


def test_sweep_time_series_files_carry_units_in_their_schema(sweep: Path) -> None:
    schema = pq.read_schema(next((sweep / "timeseries").glob("batch-*.parquet")))
    units = outputs.units(schema)
    assert units["co2_avoided_t"] == "t CO2/month" and units["active_exchanges"] == "exchanges"
    assert units["co2_avoided_t_sum_6m"] == "t CO2/6 months"
    assert schema.field("co2_avoided_t").metadata[b"kind"] == b"flow per month"
    runs_schema = pq.read_schema(next((sweep / "runs").glob("batch-*.parquet")))
    assert outputs.units(runs_schema)["co2_avoided_total_t"] == "t CO2"


def test_annual_view_sums_the_monthly_flows_of_the_run(sweep: Path) -> None:
    con = connect(sweep)
    rows = con.execute(
        "SELECT a.run_id, r.seed, r.funding_gap_months, a.year, a.co2_avoided_t_per_year, a.active_exchanges "
        "FROM timeseries_annual a JOIN runs r USING (run_id) ORDER BY run_id, year"
    ).fetchall()
    assert len(rows) == 4 * 3  # four runs, three complete years
    checked = 0
    for run_id, seed, gap, year, co2, active in rows:
        ts = run(config.load(None, {"policy.funding_gap_months": gap, "years": 3, **FULL_COFINANCING}), seed).timeseries
        year_rows = ts[ts["year"] == year]
        assert len(year_rows) == 12
        assert co2 == pytest.approx(year_rows["co2_avoided_t"].sum(), rel=1e-12, abs=1e-9), run_id
        assert active == year_rows["active_exchanges"].iloc[-1]
        checked += co2 > 0
    assert checked, "no run avoided any CO2: the comparison would be trivial"
    annual = outputs.annual(ts)
    assert annual["co2_avoided_t_per_year"].tolist() == pytest.approx(ts.groupby("year")["co2_avoided_t"].sum().tolist())


def test_outcomes_the_horizon_cannot_reach_are_null(sweep: Path) -> None:
    con = connect(sweep)
    avg20, n20, avg_final = con.execute(
        "SELECT avg(active_exchanges_20y), count(co2_avoided_t_per_year_10y), avg(final_active_exchanges) FROM runs"
    ).fetchone()
    assert avg20 is None and n20 == 0 and avg_final is not None


def test_run_outputs_carry_units(tmp_path: Path) -> None:
    res = run(config.load(None, {"years": 1}), 3)
    write(res, tmp_path, figure=False)
    schema = pq.read_schema(tmp_path / "timeseries.parquet")
    assert outputs.units(schema)["heat_delivered_mwh"] == "MWh/month"
    assert schema.field("public_funding_sek").metadata[b"kind"] == b"stock"
    assert pq.read_table(tmp_path / "timeseries.parquet").to_pandas().equals(res.timeseries)  # same values


@pytest.mark.slow
def test_analyze_writes_fan_charts_and_bounded_intervals(sweep: Path, tmp_path: Path) -> None:
    import pandas as pd

    proc = cli_inprocess("analyze", str(sweep), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    for name in ("fan_active_exchanges.png", "fan_co2_avoided_t.png", "fan_charts.csv", "noise.csv", "summary.md"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert set(pd.read_csv(tmp_path / "noise.csv")["outcome"]) >= {"final_active_exchanges", "exchange_years"}
    assert "## Seed noise" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    fan = pd.read_csv(tmp_path / "fan_charts.csv")
    assert set(fan["series"]) >= {"co2_avoided_t_sum_6m", "active_exchanges"}
    assert (fan["q05"] <= fan["q50"]).all() and (fan["q50"] <= fan["q95"]).all()
    s = pd.read_csv(tmp_path / "summary_by_point.csv")
    assert (s["ci95_low"].dropna() >= 0).all()  # every outcome here is a count, amount or share
    shares = s[s["outcome"] == "collapsed"]
    assert (shares["ci95_high"] <= 1).all() and (shares["ci_method"] == "Wilson score (share)").all()


def test_an_unknown_key_lists_the_valid_ones_at_its_level() -> None:
    from sim.config import ConfigError, apply_overrides, resolved

    raw = resolved(config.load())
    with pytest.raises(ConfigError) as exc:
        apply_overrides(raw, {"params.trust.nope": 1, "regions.0.name.name": "x"})
    trust, region = exc.value.problems
    assert "unknown key 'nope'" in trust and "params.trust.threshold" in trust and "params.trust.established" in trust
    assert "unknown key 'name'" in region  # the second name, under the first
