"""The command line as a newcomer uses it: outputs, reproducibility and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import cli, cli_inprocess

FILES = ["timeseries.parquet", "events.parquet", "exchanges.parquet", "config.resolved.yaml", "summary.json", "overview.png"]
TS_COLUMNS = [
    "step",
    "year",
    "active_exchanges",
    "participating_firms",
    "firms_alive",
    "startups_alive",
    "co2_avoided_t",
    "virgin_water_saved_m3",
    "heat_delivered_mwh",
    "public_funding_sek",
    "facilitator_engagement",
    "mean_trust",
    "cluster_active",
]


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("run")
    proc = cli("run", "--out", str(out), "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


@pytest.mark.slow
def test_run_writes_six_files_and_a_summary_table(example_run: tuple[Path, str]) -> None:
    out, stdout = example_run
    for name in FILES:
        assert (out / name).stat().st_size > 0, name
    assert "final_active_exchanges" in stdout and "public_funding_total_sek" in stdout
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert set(TS_COLUMNS) <= set(ts.columns)
    assert {f"exchanges_{r}" for r in ("heat", "steam", "technical_water", "co2", "oxygen", "biogas")} <= set(ts.columns)
    assert len(ts) == 240 and ts["step"].tolist() == list(range(1, 241))
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "final_active_exchanges",
        "peak_active_exchanges",
        "collapsed",
        "first_exchange_step",
        "co2_avoided_total_t",
        "public_funding_total_sek",
    ):
        assert key in summary
    assert summary["seed"] == 3
    assert summary["peak_active_exchanges"] >= summary["final_active_exchanges"]
    resolved = (out / "config.resolved.yaml").read_text()
    assert "funding_gap_months" in resolved and "mesa" in resolved and "seed: 3" in resolved


@pytest.mark.slow
def test_same_seed_is_byte_identical_across_processes(example_run: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = example_run
    again = tmp_path / "again"
    assert cli("run", "--out", str(again), "--seed", "3").returncode == 0
    for name in ("timeseries.parquet", "events.parquet", "exchanges.parquet"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


@pytest.mark.slow
def test_another_seed_differs(example_run: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = example_run
    other = tmp_path / "other"
    assert cli("run", "--out", str(other), "--seed", "4").returncode == 0
    assert (out / "timeseries.parquet").read_bytes() != (other / "timeseries.parquet").read_bytes()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _example_with(tmp_path: Path, old: str, new: str) -> Path:
    text = Path("configs/example.yaml").read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, "bad.yaml", text.replace(old, new, 1))


BAD_CASES = {
    "unknown key": (lambda t: _example_with(t, "years: 20", "years: 20\nyeras: 3"), "yeras"),
    "wrong type": (lambda t: _example_with(t, "years: 20", "years: twenty"), "years"),
    "negative quantity": (lambda t: _example_with(t, "quantity: 9000", "quantity: -9000"), "(Millby Pulp).offers.0.quantity"),
    "share above 1": (lambda t: _example_with(t, "funding_rate: 0.5", "funding_rate: 1.5"), "funding_rate"),
    "unknown resource type": (
        lambda t: _example_with(t, "resource: heat, quantity: 9000", "resource: plasma, quantity: 9000"),
        "(Millby Pulp).offers.0.resource",
    ),
    "firm outside the region": (lambda t: _example_with(t, "location_km: [20, 20]", "location_km: [200, 20]"), "firms.0.location_km"),
    "unknown municipality": (lambda t: _example_with(t, "municipality: Brookside\n", "municipality: Atlantis\n"), "municipality"),
    "malformed YAML": (lambda t: _write(t, "bad.yaml", "name: [unclosed\nfirms: {"), "malformed YAML"),
    "missing file": (lambda t: t / "nope.yaml", "file not found"),
    "empty config": (lambda t: _write(t, "empty.yaml", ""), "empty"),
    "no firms": (lambda t: _write(t, "nofirms.yaml", "name: x\n"), "firms"),
}


def _rejects(run_cli, case: str, tmp_path: Path, commands: tuple[str, ...] = ("validate", "run")) -> None:
    make, field = BAD_CASES[case]
    path = make(tmp_path)
    for command in commands:
        proc = run_cli(command, str(path), "--out", str(tmp_path / "o")) if command == "run" else run_cli(command, str(path))
        assert proc.returncode == 2, (case, command, proc.stdout, proc.stderr)
        assert field in proc.stderr, (case, proc.stderr)
        assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_config_exits_2_naming_the_field(case: str, tmp_path: Path) -> None:
    """In this process (the messages and exit codes are the command's own); one case below in a fresh one."""
    _rejects(cli_inprocess, case, tmp_path)


@pytest.mark.slow
def test_bad_config_exits_2_in_a_fresh_process_too(tmp_path: Path) -> None:
    _rejects(cli, "negative quantity", tmp_path, ("run",))


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("policy.funding_gap_months=-3", "funding_gap_months"),
        ("policy.startup_guarantee_share=1.5", "startup_guarantee_share"),
        ("policy.no_such_lever=1", "no_such_lever"),
        ("params.trust.threshold=high", "threshold"),
        ("nonsense", "KEY=VALUE"),
    ],
)
def test_bad_override_exits_2_naming_the_field(setting: str, field: str, tmp_path: Path) -> None:
    proc = cli_inprocess("run", "--set", setting, "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert field in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_validate_reports_every_problem_at_once(tmp_path: Path) -> None:
    text = Path("configs/example.yaml").read_text(encoding="utf-8")
    text = text.replace("years: 20", "years: -1").replace("funding_rate: 0.5", "funding_rate: 7")
    proc = cli_inprocess("validate", str(_write(tmp_path, "two.yaml", text)))
    assert proc.returncode == 2
    assert "years" in proc.stderr and "funding_rate" in proc.stderr


@pytest.mark.slow  # fresh interpreters, several seconds: the slow tier keeps it
def test_validate_ok_and_override_takes_effect(tmp_path: Path) -> None:
    assert "OK" in cli("validate", "configs/example.yaml").stdout
    proc = cli("run", "--set", "years=2", "--set", "policy.funding_gap_months=12", "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_parquet(tmp_path / "o" / "timeseries.parquet")) == 24
    assert "funding_gap_months: 12" in (tmp_path / "o" / "config.resolved.yaml").read_text()


def test_resolved_config_reads_back_as_the_same_values(tmp_path: Path) -> None:
    """config.resolved.yaml (block YAML plus one JSON-style line per firm) is plain YAML that loads
    back to exactly the resolved config, for the example and a synthetic region."""
    import yaml

    from sim import config
    from sim.run.runner import resolved_yaml
    from sim.scenarios import synthetic

    for cfg in (config.load(None), config.build(synthetic.preset("small"))):
        meta = config.resolved(cfg)
        assert yaml.safe_load(resolved_yaml(meta)) == meta
