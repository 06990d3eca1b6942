"""Sweep files: bad ones are rejected before any run; designs and seeds are what the spec says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.config import ConfigError
from sim.sweep.design import make_design, run_seed, seed_for_run
from sim.sweep.spec import load_spec
from tests.helpers import cli_inprocess as cli
from tests.sweep_helpers import ROOT, write_spec

GAP = {"key": "policy.funding_gap_months", "range": [0, 24]}
BASE_FUNDING = {"key": "policy.facilitator_base_funding_sek_per_year", "range": [0, 1e6]}

BAD = {
    "unknown top-level key": ({"replicatoins": 3}, ["replicatoins", "unknown key"]),
    "unknown parameter key": (
        {"parameters": [{"key": "policy.funding_gap_month", "range": [0, 3]}], "design": {"kind": "lhs", "samples": 4}},
        ["parameters.0", "funding_gap_month", "unknown key"],
    ),
    "empty range": (
        {"parameters": [{"key": "policy.funding_gap_months", "range": [12, 12]}], "design": {"kind": "lhs", "samples": 4}},
        ["parameters.0", "range", "empty", "low < high"],
    ),
    "range outside the field's bounds": (
        {"parameters": [{"key": "policy.startup_guarantee_share", "range": [0, 2]}], "design": {"kind": "lhs", "samples": 4}},
        ["parameters.0", "startup_guarantee_share", "2", "less than or equal to 1"],
    ),
    "empty values": ({"parameters": [{"key": "policy.land_reservation", "values": []}]}, ["parameters.0", "values", "empty"]),
    "range on a switch": (
        {"parameters": [{"key": "policy.land_reservation", "range": [0, 1]}], "design": {"kind": "lhs", "samples": 4}},
        ["parameters.0", "not numeric", "values"],
    ),
    "grid range without levels": ({"parameters": [GAP]}, ["parameters.0", "levels", "grid"]),
    "sobol N not a power of 2": (
        {"parameters": [GAP, BASE_FUNDING], "design": {"kind": "sobol", "samples": 100}},
        ["design.samples", "100", "power of 2"],
    ),
    "morris with odd levels": (
        {"parameters": [GAP, BASE_FUNDING], "design": {"kind": "morris", "samples": 4, "levels": 3}},
        ["design.levels", "3", "even"],
    ),
    "lhs without samples": ({"parameters": [GAP], "design": {"kind": "lhs"}}, ["design.samples", "lhs"]),
    "unknown design": ({"parameters": [GAP], "design": {"kind": "factorial"}}, ["design.kind", "factorial", "grid"]),
    "second order with one parameter": (
        {"parameters": [GAP], "design": {"kind": "sobol", "samples": 8, "second_order": True}},
        ["design.second_order", "2 parameters"],
    ),
    "fixed and varied": (
        {"set": {"years": 2, "policy.funding_gap_months": 3}, "parameters": [GAP], "design": {"kind": "lhs", "samples": 4}},
        ["parameters.0", "set:"],
    ),
    "bad set key": ({"set": {"policy.nope": 1}}, ["set:", "nope"]),
    "unknown timeseries column": (
        {"outcomes": {"timeseries": {"columns": ["active_exchange"]}}},
        ["outcomes.timeseries.columns.0", "active_exchange"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_file_is_rejected_before_any_run(case: str, tmp_path: Path) -> None:
    fields, needles = BAD[case]
    spec = write_spec(tmp_path / "bad.yaml", **fields)
    with pytest.raises(ConfigError) as err:
        load_spec(spec)
    text = "\n".join(err.value.problems)
    for needle in needles:
        assert needle in text, f"{case}: {needle!r} not in {text!r}"


def test_cli_rejects_bad_sweep_with_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path / "bad.yaml",
        parameters=[{"key": "policy.funding_gap_months", "range": [30, 10], "levels": 3}, {"key": "policy.nope", "values": [1]}],
    )
    out = tmp_path / "out"
    proc = cli("sweep", str(spec), "--out", str(out), "--workers", "1")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "parameters.0 (policy.funding_gap_months).range: value [30.0, 10.0] is empty" in proc.stderr
    assert "parameters.1 (policy.nope).key: unknown key 'nope'" in proc.stderr
    assert not out.exists()


def test_cli_refuses_to_overwrite_a_sweep_and_resume_needs_one(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "s.yaml", set={"years": 1}, replications=1)
    out = tmp_path / "out"
    assert cli("sweep", str(spec), "--out", str(out), "--workers", "1").returncode == 0
    again = cli("sweep", str(spec), "--out", str(out), "--workers", "1")
    assert again.returncode == 2 and "already holds a sweep" in again.stderr and "--resume" in again.stderr
    missing = cli("sweep", "--resume", "--out", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "manifest.json" in missing.stderr and "Traceback" not in missing.stderr
    other = write_spec(tmp_path / "other.yaml", set={"years": 1}, replications=2)
    changed = cli("sweep", str(other), "--resume", "--out", str(out))
    assert changed.returncode == 2 and "differs from the sweep" in changed.stderr


def test_shipped_sweep_files_are_valid() -> None:
    for path in sorted((ROOT / "configs" / "sweeps").glob("*.yaml")):
        sweep = load_spec(path)
        assert sweep.runs > 0, path
    funding = load_spec(ROOT / "configs" / "sweeps" / "funding_lhs.yaml")
    assert funding.spec.design.kind == "lhs" and len(funding.parameters) == 2 and funding.runs == 200


def test_designs_have_the_sizes_and_domains_the_spec_asks_for(tmp_path: Path) -> None:
    lhs = load_spec(write_spec(tmp_path / "l.yaml", parameters=[GAP, BASE_FUNDING], design={"kind": "lhs", "samples": 50}))
    d = make_design(lhs)
    assert len(d) == 50 and d["point"].tolist() == list(range(50))
    assert d["funding_gap_months"].dtype == np.int64 and d["funding_gap_months"].between(0, 24).all()
    assert d["facilitator_base_funding_sek_per_year"].between(0, 1e6).all()
    # Latin hypercube: each of the 50 strata of each parameter holds exactly one raw sample.
    strata = np.floor(d["x.facilitator_base_funding_sek_per_year"] / 1e6 * 50).astype(int)
    assert sorted(strata) == list(range(50))

    grid = load_spec(write_spec(tmp_path / "g.yaml"))
    g = make_design(grid)
    assert len(g) == 6 and set(zip(g["funding_gap_months"], g["funding_anchor_eligible"], strict=True)) == {
        (m, e) for m in (0, 12, 24) for e in (False, True)
    }

    sob = load_spec(
        write_spec(
            tmp_path / "s.yaml",
            parameters=[GAP, BASE_FUNDING, {"key": "policy.land_reservation", "values": [False, True]}],
            design={"kind": "sobol", "samples": 8},
        )
    )
    assert len(make_design(sob)) == 8 * (3 + 2) == sob.points
    mor = load_spec(write_spec(tmp_path / "m.yaml", parameters=[GAP, BASE_FUNDING], design={"kind": "morris", "samples": 5, "levels": 4}))
    md = make_design(mor)
    assert len(md) == 5 * 3 == mor.points
    # Morris trajectories move one factor at a time.
    x = md[["x.funding_gap_months", "x.facilitator_base_funding_sek_per_year"]].to_numpy().reshape(5, 3, 2)
    assert ((np.diff(x, axis=1) != 0).sum(axis=2) == 1).all()


def test_run_seeds_are_seedsequence_spawn_children(tmp_path: Path) -> None:
    children = np.random.SeedSequence(42).spawn(12)
    for i, child in enumerate(children):
        hi, lo = (int(v) for v in child.generate_state(2, dtype=np.uint32))
        assert run_seed(42, i) == ((hi << 32) | lo) & (2**63 - 1)
    sweep = load_spec(write_spec(tmp_path / "s.yaml"))
    seeds = [seed_for_run(sweep, i) for i in range(sweep.runs)]
    assert len(set(seeds)) == sweep.runs
    crn = load_spec(write_spec(tmp_path / "c.yaml", common_random_numbers=True))
    crn_seeds = [seed_for_run(crn, i) for i in range(crn.runs)]
    assert crn_seeds[0::2] == [crn_seeds[0]] * crn.points and crn_seeds[1::2] == [crn_seeds[1]] * crn.points
    assert crn_seeds[0] != crn_seeds[1]
