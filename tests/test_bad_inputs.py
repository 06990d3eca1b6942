"""The bad-input corpus: inputs that once got a traceback, a hang or a wrong success.

Each case runs the real command line (the typer app in this process, a few through a fresh
interpreter) and must end with exit code 2, a message naming the field or option at fault, no
traceback, and within 10 s. The files are in ``tests/data/bad_inputs/``. A few inputs the audit
found accepted are harmless and must keep working; they are listed apart, with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE, ROOT

DATA = Path(__file__).resolve().parent / "data" / "bad_inputs"
LIMIT_S = 10.0
OUT = "{out}"  # replaced by a fresh directory per case
SWEEP = "{sweep}"  # replaced by a copy of a small finished sweep


def _d(name: str) -> str:
    return str(DATA / name)


# (command line, words the error must hold)
CASES: dict[str, tuple[list[str], list[str]]] = {
    # scenario values: finite numbers of a sane size, valid text
    "run:quantity_inf": (["run", _d("quantity_inf.yaml"), "--out", OUT, "--steps", "3"], ["(Millby Pulp).offers.0.quantity", "finite"]),
    "run:quantity_nan": (["run", _d("quantity_nan.yaml"), "--out", OUT, "--steps", "3"], ["offers.0.quantity"]),
    "run:quantity_huge": (["run", _d("quantity_huge.yaml"), "--out", OUT, "--steps", "3"], ["offers.0.quantity", "too large"]),
    "run:quality_huge": (["run", _d("quality_huge.yaml"), "--out", OUT, "--steps", "3"], ["offers.0.quality", "too large"]),
    "run:area_inf": (["run", _d("area_inf.yaml"), "--out", OUT, "--steps", "3"], ["area_km", "finite"]),
    "run:cash_inf": (["run", _d("cash_inf.yaml"), "--out", OUT, "--steps", "3"], ["cash_msek", "finite"]),
    "run:budget_inf": (["run", _d("budget_inf.yaml"), "--out", OUT, "--steps", "3"], ["budget_sek", "finite"]),
    "run:seed_huge": (["run", _d("seed_huge.yaml"), "--out", OUT, "--steps", "3"], ["seed", "64-bit"]),
    "run:seed_2e70": (["run", "--out", OUT, "--seed", "1180591620717411303424", "--steps", "3"], ["--seed"]),
    "run:set_inf": (
        ["run", "--out", OUT, "--set", "policy.facilitator_base_funding_sek_per_year=.inf", "--steps", "3"],
        ["facilitator_base_funding_sek_per_year", "finite"],
    ),
    "run:set_list_oob": (["run", "--out", OUT, "--set", "firms.100=5", "--steps", "3"], ["--set firms.100", "out of range"]),
    "validate:policy_null": (["validate", _d("policy_null.yaml")], ["policy", "dictionary"]),
    "run:set_nonutf8": (["run", "--out", OUT, "--set", "name=caf\udce9", "--steps", "3"], ["name", "not valid text"]),
    "run:surrogate_name": (["run", _d("name_surrogate.yaml"), "--out", OUT, "--steps", "3"], ["name", "not valid text"]),
    "validate:surrogate_name": (["validate", _d("name_surrogate.yaml")], ["name", "not valid text"]),
    "run:deep": (["run", _d("deep.yaml"), "--out", OUT, "--steps", "3"], ["deep.yaml", "nested", "levels"]),
    "validate:deep": (["validate", _d("deep.yaml")], ["deep.yaml", "nested"]),
    "validate:bomb": (["validate", _d("bomb.yaml")], ["bomb.yaml", "aliases"]),
    "run:bomb": (["run", _d("bomb.yaml"), "--out", OUT], ["bomb.yaml", "aliases"]),
    "validate:set_deep": (["validate", str(EXAMPLE), "--set", "name=" + "[" * 200 + "]" * 200], ["--set", "nested"]),
    "run:steps_huge": (["run", "--out", OUT, "--steps", "1000000000"], ["--steps"]),
    "validate:set_list_oob": (["validate", str(EXAMPLE), "--set", "facilitators.5=1"], ["--set facilitators.5", "out of range"]),
    "validate:not_a_mapping": (["validate", _d("not_a_mapping.yaml")], ["top level"]),
    # the resource catalogue: an unknown resource or property names what is allowed
    "run:resources_unknown": (["run", _d("resources_unknown.yaml"), "--out", OUT, "--steps", "3"], ["resources.oxigen", "oxygen"]),
    "run:set_resource_negative": (
        ["run", "--out", OUT, "--set", "resources.oxygen.transport_sek_per_unit_km=-3", "--steps", "3"],
        ["resources.oxygen.transport_sek_per_unit_km", ">= 0"],
    ),
    # histories: dates inside the horizon and after what they follow, events and initial exchanges that fit
    "validate:entry_after_horizon": (
        ["validate", str(EXAMPLE), "--set", "firms.1.entry_year=2050"],
        ["firms.1 (Millby Energi).entry_year", "2050", "before 2035"],
    ),
    "validate:exit_before_entry": (
        ["validate", str(EXAMPLE), "--set", "firms.1.entry_year=2020", "--set", "firms.1.exit_year=2019"],
        ["firms.1 (Millby Energi).exit_year", "2019", "not after its entry"],
    ),
    "validate:offer_end_bad": (["validate", _d("offer_end_bad.yaml")], ["events.0.resource", "oxygen", "allowed"]),
    "run:initial_exchange_bad": (
        ["run", _d("initial_exchange_bad.yaml"), "--out", OUT, "--steps", "3"],
        ["initial_exchanges.0.resource", "Millby Foods"],
    ),
    # sweep files: finite ranges, stated bounds on levels, samples, points and steps
    "sweep:inf_range": (["sweep", _d("sw_inf_range.yaml"), "--out", OUT, "--workers", "1"], ["parameters.0.range", "finite"]),
    "sweep:nan_range": (["sweep", _d("sw_nan_range.yaml"), "--out", OUT, "--workers", "1"], ["parameters.0.range"]),
    "sweep:int_inf_range": (["sweep", _d("sw_int_inf_range.yaml"), "--out", OUT, "--workers", "1"], ["parameters.0.range", "finite"]),
    "sweep:huge_levels": (["sweep", _d("sw_huge_levels.yaml"), "--out", OUT, "--workers", "1"], ["levels", "1000"]),
    "sweep:huge_lhs": (["sweep", _d("sw_huge_lhs.yaml"), "--out", OUT, "--workers", "1"], ["design.samples", "1,000,000"]),
    "sweep:huge_sobol": (["sweep", _d("sw_huge_sobol.yaml"), "--out", OUT, "--workers", "1"], ["design.samples", "1,000,000"]),
    "sweep:huge_morris_levels": (["sweep", _d("sw_huge_morris_levels.yaml"), "--out", OUT, "--workers", "1"], ["design.levels", "1000"]),
    "sweep:huge_grid": (["sweep", _d("sw_huge_grid.yaml"), "--out", OUT, "--workers", "1"], ["design points", "10,000,000"]),
    "sweep:seed_huge": (["sweep", _d("sw_seed_huge.yaml"), "--out", OUT, "--workers", "1"], ["seed", "64-bit"]),
    "sweep:steps_huge": (["sweep", _d("sw_steps_huge.yaml"), "--out", OUT, "--workers", "1"], ["steps", "2400"]),
    "sweep:set_inf": (
        ["sweep", _d("sw_set_inf.yaml"), "--out", OUT, "--workers", "1"],
        ["facilitator_base_funding_sek_per_year", "finite"],
    ),
    "sweep:bomb": (["sweep", _d("sw_bomb.yaml"), "--out", OUT, "--workers", "1"], ["sw_bomb.yaml", "aliases"]),
    # synthetic regions: nothing silently ignored or cut, stated bounds
    "synth:sector_huge": (["synth", "--municipalities", "2", "--sector", "food=999999999999", "--out", OUT + "/s.yaml"], ["--sector"]),
    "synth:regions_gt_munis": (["synth", "--municipalities", "2", "--regions", "50", "--out", OUT + "/s.yaml"], ["--regions 50"]),
    "synth:firms_less_than_utils": (["synth", "--municipalities", "5", "--firms", "1", "--out", OUT + "/s.yaml"], ["--firms 1", "10"]),
    "synth:firms_huge": (["synth", "--municipalities", "3", "--firms", "100000000", "--out", OUT + "/s.yaml"], ["--firms"]),
    "synth:firms_and_sector": (
        ["synth", "--municipalities", "2", "--firms", "100", "--sector", "food=3", "--out", OUT + "/s.yaml"],
        ["--firms 100", "--sector"],
    ),
    # query: never empty, read-only and confined to the sweep unless --unrestricted
    "query:empty_sql": (["query", SWEEP, ""], ["SQL", "empty"]),
    "query:blank_sql": (["query", SWEEP, "   "], ["SQL", "empty"]),
    "query:ddl": (["query", SWEEP, "CREATE TABLE t AS SELECT 1"], ["CREATE", "--unrestricted"]),
    "query:copy_over_a_batch": (["query", SWEEP, f"COPY (SELECT 1) TO '{SWEEP}/runs/batch-000000.parquet'"], ["COPY", "read-only"]),
    "query:read_outside": (["query", SWEEP, "SELECT * FROM read_csv('/etc/passwd')"], ["SQL", "--unrestricted"]),
    "query:second_statement_writes": (["query", SWEEP, "SELECT 1; COPY (SELECT 1) TO 'x.csv'"], ["statement 2", "COPY"]),
    # analyze and resume over a damaged sweep directory
    "analyze:out_unwritable": (["analyze", SWEEP, "--out", "/proc/nope"], ["--out /proc/nope"]),
    "analyze:out_is_file": (["analyze", SWEEP, "--out", SWEEP + "/manifest.json"], ["--out", "manifest.json"]),
    "resume:manifest_truncated": (["sweep", "--resume", "--out", SWEEP, "--workers", "1"], ["manifest.json", "JSON"]),
    "resume:manifest_missing_key": (["sweep", "--resume", "--out", SWEEP, "--workers", "1"], ["manifest.json", "batch_size"]),
    "analyze:manifest_truncated": (["analyze", SWEEP], ["manifest.json", "JSON"]),
    "analyze:stray_batch": (["analyze", SWEEP], ["batch-notes.parquet", "not a batch file"]),
    "query:stray_batch": (["query", SWEEP, "SELECT count(*) FROM runs"], ["batch-notes.parquet"]),
    "analyze:truncated_batch": (["analyze", SWEEP], ["batch-000001.parquet", "--resume"]),
    "query:truncated_batch": (["query", SWEEP, "SELECT count(*) FROM runs"], ["batch-000001.parquet", "--resume"]),
    "analyze:edited_parameter_name": (["analyze", SWEEP], ["manifest.json"]),
}


def _truncate_manifest(d: Path) -> None:
    text = (d / "manifest.json").read_text()
    (d / "manifest.json").write_text(text[: len(text) // 2])


def _drop_batch_size(d: Path) -> None:
    m = json.loads((d / "manifest.json").read_text())
    del m["batch_size"]
    (d / "manifest.json").write_text(json.dumps(m))


def _stray_batch(d: Path) -> None:
    shutil.copy(d / "design.parquet", d / "runs" / "batch-notes.parquet")


def _truncate_batch(d: Path) -> None:
    p = d / "runs" / "batch-000001.parquet"
    p.write_bytes(p.read_bytes()[:100])


def _edit_parameter_name(d: Path) -> None:
    m = json.loads((d / "manifest.json").read_text())
    m["design"]["parameters"][0]["name"] = "x') TO 'pwned.csv'; --"
    (d / "manifest.json").write_text(json.dumps(m))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "resume:manifest_truncated": _truncate_manifest,
    "resume:manifest_missing_key": _drop_batch_size,
    "analyze:manifest_truncated": _truncate_manifest,
    "analyze:stray_batch": _stray_batch,
    "query:stray_batch": _stray_batch,
    "analyze:truncated_batch": _truncate_batch,
    "query:truncated_batch": _truncate_batch,
    "analyze:edited_parameter_name": _edit_parameter_name,
}

# Run through a fresh interpreter too: the real entry point, its encoding of argv, its exit.
SUBPROCESS = ("validate:bomb", "run:deep", "sweep:huge_lhs", "query:ddl")


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small finished sweep (4 one-year runs in 2 batches) that cases copy and damage."""
    from sim.sweep.engine import run_sweep
    from tests.sweep_helpers import write_spec

    d = tmp_path_factory.mktemp("bad-inputs-sweep")
    spec = write_spec(
        d / "s.yaml",
        set={"years": 1},
        parameters=[{"key": "policy.funding_gap_months", "range": [0, 24], "levels": 2}],
        replications=2,
        batch_size=2,
        outcomes={},
    )
    run_sweep(spec, d / "sweep", executor="inprocess", progress=False)
    return d / "sweep"


def _args(case: str, tmp_path: Path, sweep: Path | None) -> list[str]:
    out = tmp_path / "out"
    return [a.replace(OUT, str(out)).replace(SWEEP, str(sweep)) for a in CASES[case][0]]


def _in_process(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from sim.cli import app

    try:
        app(args=args, prog_name="symbiosis")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def _subprocess(args: list[str], cwd: Path) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [a.encode("utf-8", "surrogateescape") for a in [sys.executable, "-m", "sim.cli", *args]]
    proc = subprocess.run(argv, capture_output=True, cwd=cwd, env=env, timeout=60)
    return proc.returncode, proc.stderr.decode("utf-8", "replace") + proc.stdout.decode("utf-8", "replace")


def _prepare(case: str, tmp_path: Path, finished_sweep: Path) -> Path | None:
    if SWEEP not in " ".join(CASES[case][0]):
        return None
    d = tmp_path / "sweep"
    shutil.copytree(finished_sweep, d)
    if case in DAMAGE:
        DAMAGE[case](d)
    return d


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_naming_the_field(
    case: str, tmp_path: Path, finished_sweep: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sweep = _prepare(case, tmp_path, finished_sweep)
    args = _args(case, tmp_path, sweep)
    before = {p: p.stat().st_mtime_ns for p in sweep.rglob("*")} if sweep is not None else {}
    t0 = time.monotonic()
    code, text = _in_process(args, capsys)
    seconds = time.monotonic() - t0
    assert code == 2, (case, code, text[-2000:])
    assert "Traceback" not in text, text[-2000:]
    for word in CASES[case][1]:
        assert word in text, (case, word, text[-2000:])
    assert seconds < LIMIT_S, f"{case} took {seconds:.1f} s"
    assert not (tmp_path / "pwned.csv").exists() and not (tmp_path / "x.csv").exists()
    if sweep is not None:  # a refused command changes nothing in the sweep
        assert {p: p.stat().st_mtime_ns for p in sweep.rglob("*") if p in before} == before


@pytest.fixture(scope="module")
def startup_s(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Seconds a fresh ``symbiosis --help`` takes here (imports), so the bound is on the command's own work."""
    t0 = time.monotonic()
    _subprocess(["--help"], tmp_path_factory.mktemp("startup"))
    return time.monotonic() - t0


@pytest.mark.slow  # a fresh interpreter per case; the in-process corpus above is the fast tier
@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", SUBPROCESS)
def test_bad_input_exits_2_through_the_real_entry_point(case: str, tmp_path: Path, finished_sweep: Path, startup_s: float) -> None:
    sweep = _prepare(case, tmp_path, finished_sweep)
    t0 = time.monotonic()
    code, text = _subprocess(_args(case, tmp_path, sweep), tmp_path)
    seconds = time.monotonic() - t0
    assert code == 2 and "Traceback" not in text, text[-2000:]
    assert all(word in text for word in CASES[case][1]), text[-2000:]
    assert seconds - startup_s < LIMIT_S, f"{case} took {seconds:.1f} s ({startup_s:.1f} s of it starting Python)"


def test_the_corpus_is_large_and_its_files_all_used() -> None:
    assert len(CASES) >= 40
    used = " ".join(" ".join(args) for args, _ in CASES.values())
    for f in DATA.glob("*.yaml"):
        assert f.name in used or f.name == "sw_name_quote.yaml", f"{f.name} is in the corpus but no case uses it"


# ----- accepted inputs the audit listed, judged harmless -----------------------------------------
def test_a_python_tag_in_set_is_plain_text_and_runs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Harmless: ``--set`` reads values with yaml.safe_load, so a python tag is not constructed; the
    value is kept as the literal text of the name."""
    marker = tmp_path / "touched"
    code, text = _in_process(["validate", str(EXAMPLE), "--set", f"name=!!python/object/apply:os.system [touch {marker}]"], capsys)
    assert code == 0 and "OK" in text and "!!python" in text
    assert not marker.exists()


def test_a_sector_count_of_zero_gives_no_firms_of_that_sector(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Harmless: ``--sector food=0`` asks for no food firms and gets none (the utilities remain)."""
    code, text = _in_process(["synth", "--municipalities", "1", "--sector", "food=0", "--out", str(tmp_path / "s.yaml")], capsys)
    assert code == 0 and "2 firms" in text


@pytest.mark.slow
def test_a_parameter_name_with_quotes_and_sql_is_only_a_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Harmless once names are quoted: the sweep runs, analyze writes its tables, no SQL in the name runs."""
    monkeypatch.chdir(tmp_path)
    code, text = _in_process(["sweep", str(DATA / "sw_name_quote.yaml"), "--out", str(tmp_path / "q"), "--workers", "1"], capsys)
    assert code == 0, text
    code, text = _in_process(["analyze", str(tmp_path / "q")], capsys)
    assert code == 0, text
    assert not (tmp_path / "pwned.csv").exists()
    import pandas as pd

    me = pd.read_csv(tmp_path / "q" / "analysis" / "main_effects.csv")
    assert set(me["parameter"]) == {"gap'); COPY (SELECT 1) TO 'pwned.csv'; --"}


def test_a_lever_set_over_a_null_policy_is_that_lever(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Once a traceback; now the override fills the empty ``policy:`` and the run uses it (other levers default)."""
    out = tmp_path / "o"
    args = ["run", str(DATA / "policy_null.yaml"), "--out", str(out), "--set", "policy.funding_gap_months=3", "--steps", "3"]
    code, text = _in_process(args, capsys)
    assert code == 0, text
    assert "funding_gap_months: 3" in (out / "config.resolved.yaml").read_text()
