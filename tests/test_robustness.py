"""Nothing lost, nothing hung, nothing injected: damaged results, hostile names and files, killed sweeps.

Each test here once failed: a truncated batch counted as done on resume, a parameter name ran as
SQL, an alias bomb hung validation, a failed write left two runs' files mixed, pool workers
outlived a killed sweep, the model changed its caller's config, ``query`` could write anywhere,
and a closed dashboard tab kept its model for a day.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim import config
from sim.run.runner import run, write
from sim.sweep.engine import run_sweep
from tests.helpers import cli_inprocess
from tests.sweep_helpers import ROOT, table, write_spec


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 12-run sweep in 4 batches with time series, computed without interruption."""
    d = tmp_path_factory.mktemp("ref")
    spec = write_spec(d / "s.yaml")
    out = d / "ref"
    run_sweep(spec, out, executor="inprocess", progress=False)
    return spec, out


# ----- batches are verified on resume ------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncate", "garble", "unrecorded_truncate"])
def test_resume_recomputes_a_damaged_batch_and_matches_an_uninterrupted_sweep(
    reference: tuple[Path, Path], tmp_path: Path, damage: str
) -> None:
    import shutil

    _, ref = reference
    out = tmp_path / "s"
    shutil.copytree(ref, out)
    newest = out / "runs" / "batch-000003.parquet"
    data = newest.read_bytes()
    if damage == "garble":  # same size, different bytes: only the checksum can tell
        i = len(data) // 2
        newest.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :])
    else:
        newest.write_bytes(data[: len(data) // 2])
    if damage == "unrecorded_truncate":  # killed after writing the batch, before saving the manifest
        m = json.loads((out / "manifest.json").read_text())
        del m["batch_files"]["000003"]
        (out / "manifest.json").write_text(json.dumps(m))
    report = run_sweep(None, out, executor="inprocess", resume=True, progress=False)
    assert report.computed_runs == 3 and report.skipped_batches == 3
    assert len(report.notes) == 1 and "batch-000003.parquet" in report.notes[0] and "computed again" in report.notes[0]
    pd.testing.assert_frame_equal(table(out), table(ref))
    pd.testing.assert_frame_equal(table(out, "timeseries"), table(ref, "timeseries"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["completed"] and sorted(manifest["batch_files"]) == ["000000", "000001", "000002", "000003"]


@pytest.mark.slow  # fresh interpreters, several seconds: the slow tier keeps it
def test_resume_on_the_command_line_tells_the_user_which_batch_is_recomputed(reference: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil

    _, ref = reference
    out = tmp_path / "s"
    shutil.copytree(ref, out)
    p = out / "runs" / "batch-000001.parquet"
    p.write_bytes(p.read_bytes()[:50])
    res = cli_inprocess("sweep", "--resume", "--out", str(out), "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert "note: runs/batch-000001.parquet: unreadable Parquet" in res.stderr and "computed again" in res.stderr
    assert "9 runs (3 batches) were already done, 3 runs computed" in res.stdout
    pd.testing.assert_frame_equal(table(out), table(ref))
    assert cli_inprocess("analyze", str(out)).returncode == 0


def test_an_unrecorded_intact_batch_is_kept(reference: tuple[Path, Path], tmp_path: Path) -> None:
    """A batch written after the manifest was last saved is read in full and kept if it holds its run ids."""
    import shutil

    _, ref = reference
    out = tmp_path / "s"
    shutil.copytree(ref, out)
    m = json.loads((out / "manifest.json").read_text())
    del m["batch_files"]["000002"]
    (out / "manifest.json").write_text(json.dumps(m))
    mtime = (out / "runs" / "batch-000002.parquet").stat().st_mtime_ns
    report = run_sweep(None, out, executor="inprocess", resume=True, progress=False)
    assert report.computed_runs == 0 and not report.notes
    assert (out / "runs" / "batch-000002.parquet").stat().st_mtime_ns == mtime
    assert "000002" in json.loads((out / "manifest.json").read_text())["batch_files"]


# ----- SQL is built from quoted identifiers and bound values -------------------------------------
@pytest.mark.slow
def test_analyze_runs_no_sql_from_a_parameter_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    evil = "g', 'o') AS x; COPY (SELECT 1) TO 'pwned.csv'; SELECT ('"
    spec = write_spec(
        tmp_path / "s.yaml",
        set={"years": 1},
        parameters=[{"key": "policy.startup_guarantee_share", "name": evil, "range": [0, 1]}],
        design={"kind": "lhs", "samples": 4},
        replications=1,
        outcomes={},
    )
    run_sweep(spec, tmp_path / "q", executor="inprocess", progress=False)
    res = cli_inprocess("analyze", str(tmp_path / "q"))
    assert res.returncode == 0, res.stderr
    assert not (tmp_path / "pwned.csv").exists()
    assert set(pd.read_csv(tmp_path / "q" / "analysis" / "main_effects.csv")["parameter"]) == {evil}


# ----- bounded messages and YAML --------------------------------------------------------------------
def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    (tmp_path / "b.yaml").write_text("\n".join(lines) + "\nname: *a7\n")
    t0 = time.monotonic()
    with pytest.raises(config.ConfigError) as err:
        config.load(tmp_path / "b.yaml")
    assert time.monotonic() - t0 < 5
    assert "aliases" in err.value.problems[0]


def test_an_error_quotes_at_most_a_short_piece_of_a_huge_value() -> None:
    with pytest.raises(config.ConfigError) as err:
        config.load(None, {"name": ["x" * 1000] * 10_000})
    (line,) = [p for p in err.value.problems if p.startswith("name")]
    assert len(line) < 300, line


def test_a_few_aliases_are_still_fine(tmp_path: Path) -> None:
    text = Path(config.EXAMPLE).read_text().replace("area_km: [60, 40]", "area_km: &area [60, 40]\ndescription: ok", 1)
    (tmp_path / "a.yaml").write_text(text)
    assert config.load(tmp_path / "a.yaml").area_km == (60.0, 40.0)


# ----- a run's results are whole or untouched ----------------------------------------------------
def test_a_failed_write_leaves_the_earlier_results_whole(tmp_path: Path) -> None:
    cfg = config.load(None, {"years": 1})
    out = tmp_path / "o"
    write(run(cfg, 1), out, figure=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = run(cfg, 2)
    bad.config = cfg.model_copy(update={"name": "caf\udce9"})  # text that cannot be written as UTF-8
    with pytest.raises(UnicodeEncodeError):
        write(bad, out, figure=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["o"], "no temporary directory is left behind"


def test_results_land_in_a_new_directory_with_the_usual_permissions(tmp_path: Path) -> None:
    out = tmp_path / "new" / "o"
    paths = write(run(config.load(None, {"years": 1}), 1), out, figure=False)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask


# ----- finite numbers only ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    ["policy.facilitator_base_funding_sek_per_year", "firms.0.cash_msek", "firms.0.offers.0.quantity", "regions.0.programmes.0.budget_sek"],
)
@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e300])
def test_infinite_or_absurd_numbers_are_refused(key: str, value: float) -> None:
    with pytest.raises(config.ConfigError) as err:
        config.load(None, {key: value})
    assert any(key.split(".")[-1] in p for p in err.value.problems), err.value.problems


# ----- pool workers die with their sweep ------------------------------------------------------------
def _processes() -> dict[int, tuple[int, bytes]]:
    """pid -> (parent pid, state) of every process."""
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                rest = (d / "stat").read_bytes().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            out[int(d.name)] = (int(rest[1]), rest[0])
    return out


def _descendants(pid: int, depth: int = 1_000) -> set[int]:
    """The processes below ``pid``, down to ``depth`` generations (1: its children)."""
    procs, found, todo = _processes(), set(), [(pid, 0)]
    while todo:
        p, d = todo.pop()
        for child, (parent, _) in procs.items():
            if parent == p and child not in found and d < depth:
                found.add(child)
                todo.append((child, d + 1))
    return found


@pytest.mark.slow  # a real process pool, killed and waited for
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_no_worker_outlives_a_sigkilled_sweep(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path / "s.yaml",
        set={"years": 5},
        parameters=[{"key": "policy.funding_gap_months", "range": [0, 36]}],
        design={"kind": "lhs", "samples": 40},
        batch_size=1,
        outcomes={},
    )
    out = tmp_path / "o"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(spec), "--out", str(out), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        # the sweep computes batches itself while its pool starts, so a batch on disk does not mean
        # the workers are up: wait for the processes the forkserver forked (the sweep's grandchildren)
        while (
            not (list((out / "runs").glob("batch-*.parquet")) and len(_descendants(proc.pid) - _descendants(proc.pid, 1)) >= 2)
            and proc.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        workers = _descendants(proc.pid)
        assert proc.poll() is None and len(workers - _descendants(proc.pid, 1)) >= 2, "the sweep should be running its pool"
        os.kill(proc.pid, signal.SIGKILL)  # the sweep alone: nothing tells its workers
        proc.wait(timeout=30)
        time.sleep(5)
        procs = _processes()
        alive = [p for p in workers if p in procs and procs[p][1] not in (b"Z", b"X")]
        assert not alive, f"{len(alive)} of the sweep's {len(workers)} processes still run 5 s after it was killed"
    finally:
        for p in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()


# ----- the model leaves its caller's config alone -------------------------------------------------------
def test_a_set_policy_event_does_not_change_the_callers_config() -> None:
    cfg = config.load(None, {"years": 4})
    cfg = cfg.model_copy(
        update={
            "events": [
                config.EventConfig(kind="set_policy", year=cfg.start_year + 1, key="facilitator_base_funding_sek_per_year", value=2e6)
            ]
        }
    )
    policy = cfg.policy.model_dump()
    first = run(cfg, 5)
    assert cfg.policy.model_dump() == policy, "the run changed the config it was given"
    second = run(cfg, 5)
    pd.testing.assert_frame_equal(first.timeseries, second.timeseries)
    pd.testing.assert_frame_equal(first.events, second.events)


# ----- query is read-only and confined, unless lifted ---------------------------------------------------
@pytest.mark.slow
def test_query_reads_the_sweep_and_nothing_else_unless_unrestricted(reference: tuple[Path, Path], tmp_path: Path) -> None:
    _, ref = reference
    res = cli_inprocess("query", str(ref), "SELECT count(*) AS n FROM runs JOIN design USING (point)")
    assert res.returncode == 0 and "12" in res.stdout
    res = cli_inprocess("query", str(ref), "SELECT max(step) AS m FROM timeseries")
    assert res.returncode == 0 and "24" in res.stdout
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    res = cli_inprocess("query", str(ref), f"SELECT * FROM read_csv('{outside}')")
    assert res.returncode == 2 and "--unrestricted" in res.stderr
    res = cli_inprocess("query", str(ref), f"COPY (SELECT 1) TO '{tmp_path / 'w.csv'}'")
    assert res.returncode == 2 and not (tmp_path / "w.csv").exists()
    res = cli_inprocess("query", str(ref), f"SELECT * FROM read_csv('{outside}')", "--unrestricted")
    assert res.returncode == 0 and "1" in res.stdout
    res = cli_inprocess("query", str(ref), f"COPY (SELECT 1 AS a) TO '{tmp_path / 'w.csv'}'", "--unrestricted")
    assert res.returncode == 0 and (tmp_path / "w.csv").exists()


# ----- a closed dashboard tab frees its session ---------------------------------------------------------
def test_a_dashboard_session_is_freed_soon_after_its_tab_goes() -> None:
    import solara.server.settings
    import solara.util

    from sim.dashboard import app as dash
    from sim.dashboard.cli import server_env

    assert solara.util.parse_timedelta(solara.server.settings.kernel.cull_timeout) <= 60
    assert solara.util.parse_timedelta(dash.SESSION_TIMEOUT) <= 60
    assert solara.util.parse_timedelta(server_env()["SOLARA_KERNEL_CULL_TIMEOUT"]) <= 60
