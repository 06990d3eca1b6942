"""Executors, resume and Dask: the same run id gives the same result however it is computed.

Everything is real: the Mesa model, the process pool, Parquet files, a Dask cluster on loopback,
processes killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sim import config
from sim.run.runner import SUMMARY_KEYS, run
from sim.sweep import executors
from sim.sweep.engine import batch_tasks, open_sweep, run_sweep
from tests.sweep_helpers import ROOT, cli, table, write_spec

LONG = {
    "name": "long",
    "set": {"years": 10},
    "parameters": [
        {"key": "policy.funding_gap_months", "range": [0, 36]},
        {"key": "policy.facilitator_base_funding_sek_per_year", "name": "base_funding", "range": [0, 1.5e6]},
    ],
    "design": {"kind": "lhs", "samples": 20},
    "replications": 2,
    "batch_size": 2,
    "seed": 9,
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 12-run grid sweep computed in this process: the reference the executors must match."""
    d = tmp_path_factory.mktemp("small")
    spec = write_spec(d / "small.yaml")
    out = d / "ref"
    report = run_sweep(spec, out, executor="inprocess", progress=False)
    assert report.runs == 12 and report.computed_runs == 12 and report.failed_runs == 0
    return spec, out


@pytest.fixture(scope="module")
def long(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """40 ten-year runs in 20 batches, computed in this process."""
    d = tmp_path_factory.mktemp("long")
    spec = write_spec(d / "long.yaml", **LONG)
    out = d / "ref"
    run_sweep(spec, out, executor="inprocess", progress=False)
    return spec, out


def test_results_hold_one_row_per_run_with_parameters_seed_and_outcomes(small: tuple[Path, Path]) -> None:
    _spec, out = small
    runs = table(out)
    assert runs["run_id"].tolist() == list(range(12))
    assert runs["point"].tolist() == [i // 2 for i in range(12)] and runs["replication"].tolist() == [0, 1] * 6
    assert set(SUMMARY_KEYS) <= set(runs.columns) and runs["error"].isna().all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 12 and manifest["completed"] and manifest["design"]["kind"] == "grid"
    assert manifest["versions"]["mesa"] and manifest["versions"]["SALib"] and manifest["spec"]["seed"] == 42
    # A row is reproducible from its parameters and seed alone, with the ordinary runner.
    row = runs.iloc[7]
    cfg = config.load(
        None,
        {
            "years": 2,
            "policy.funding_gap_months": int(row["funding_gap_months"]),
            "policy.funding_anchor_eligible": bool(row["funding_anchor_eligible"]),
        },
    )
    direct = run(cfg, int(row["seed"])).summary
    for key in ("final_active_exchanges", "co2_avoided_total_t", "public_funding_total_sek", "mean_engagement", "cluster_ever_active"):
        assert row[key] == pytest.approx(direct[key]), key
    ts = table(out, "timeseries")
    assert sorted(ts["step"].unique()) == [6, 12, 18, 24] and len(ts) == 12 * 4


@pytest.mark.slow
def test_same_run_id_same_result_on_every_executor(small: tuple[Path, Path], tmp_path: Path) -> None:
    spec, ref = small
    run_sweep(spec, tmp_path / "proc", executor="processes", workers=2, progress=False)
    run_sweep(spec, tmp_path / "dask", executor="dask", workers=2, progress=False)
    for name in ("proc", "dask"):
        pd.testing.assert_frame_equal(table(tmp_path / name), table(ref))
        pd.testing.assert_frame_equal(table(tmp_path / name, "timeseries"), table(ref, "timeseries"))


@pytest.mark.slow
def test_executors_keep_a_bounded_number_of_tasks_in_flight(small: tuple[Path, Path], tmp_path: Path) -> None:
    """Memory stays flat: the pool never pulls more than 2 x workers tasks ahead of the results."""
    spec, _ = small
    sweep, design, _manifest = open_sweep(spec, tmp_path / "b", resume=False)
    pulled = 0
    ahead = []

    def counted() -> Iterator:
        nonlocal pulled
        for task in batch_tasks(sweep, design, 1, list(range(12))):
            pulled += 1
            yield task

    for n, _ in enumerate(executors.processes(counted(), 2), start=1):
        ahead.append(pulled - n)
    assert len(ahead) == 12 and max(ahead) <= 2 * 2 - 1


@pytest.mark.slow
def test_sigkill_at_a_random_point_then_resume_gives_the_uninterrupted_result(long: tuple[Path, Path], tmp_path: Path) -> None:
    spec, ref = long
    out = tmp_path / "killed"
    kill_after = random.randint(1, 10)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(spec), "--out", str(out), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes the pool's workers too
    )
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "runs").glob("batch-*.parquet"))) < kill_after and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("batch-*.parquet")}
    assert proc.returncode == -signal.SIGKILL
    assert kill_after <= len(before) < 20, f"killed after {len(before)} of 20 batches (aimed at {kill_after})"

    resumed = cli("sweep", "--resume", "--out", str(out), "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    done = 2 * len(before)  # two runs per batch
    assert f"{done} runs ({len(before)} batches) were already done, {40 - done} runs computed" in resumed.stdout
    after = table(out)
    assert after["run_id"].is_unique and after["run_id"].tolist() == list(range(40))
    pd.testing.assert_frame_equal(after, table(ref))
    # Batches finished before the kill were kept as they were, not recomputed.
    assert all((out / "runs" / name).stat().st_mtime_ns == mtime for name, mtime in before.items())
    assert not list(out.rglob("*.tmp"))


@pytest.mark.slow
def test_dask_worker_killed_mid_sweep_still_gives_identical_results(long: tuple[Path, Path], tmp_path: Path) -> None:
    import logging

    from distributed import Client, LocalCluster

    spec, ref = long
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=logging.CRITICAL
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_one(batch: int, done: int) -> None:
            if not killed:
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        report = run_sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False, on_batch=kill_one)
        assert killed and report.executor == "dask"
        # The nanny replaced the killed worker process (a not-yet-reaped zombie may keep its pid a moment).
        assert killed[0] not in client.run(os.getpid).values()
    pd.testing.assert_frame_equal(table(tmp_path / "dask"), table(ref))


@pytest.mark.slow
def test_cli_against_a_dask_scheduler_and_two_dask_workers(small: tuple[Path, Path], tmp_path: Path) -> None:
    """The distributed check of experiments/checks/sweep_reproducibility.py in small: `dask scheduler` + two `dask worker` processes, --scheduler ADDRESS."""
    spec, ref = small
    dask = str(Path(sys.executable).with_name("dask"))
    sched_file = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [dask, "worker", "--scheduler-file", str(sched_file), "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                    cwd=tmp_path,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        proc = cli("sweep", str(spec), "--out", str(tmp_path / "ext"), "--scheduler", address)
        assert proc.returncode == 0, proc.stderr
        assert "on dask" in proc.stdout
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    pd.testing.assert_frame_equal(table(tmp_path / "ext"), table(ref))
    pd.testing.assert_frame_equal(table(tmp_path / "ext", "timeseries"), table(ref, "timeseries"))


@pytest.mark.slow
def test_unreachable_scheduler_is_a_clear_error(small: tuple[Path, Path], tmp_path: Path) -> None:
    spec, _ = small
    proc = cli("sweep", str(spec), "--out", str(tmp_path / "x"), "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1")
    assert proc.returncode == 2 and "--scheduler tcp://127.0.0.1:9: cannot connect" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_ctrl_c_saves_finished_batches_and_resume_finishes(long: tuple[Path, Path], tmp_path: Path) -> None:
    spec, ref = long
    out = tmp_path / "int"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(spec), "--out", str(out), "--workers", "1", "--log-every", "0.2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("batch-*.parquet"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted:" in err and "--resume" in err and "Traceback" not in err
    assert "runs/s" in err  # progress lines, since stderr is not a terminal
    done = cli("sweep", "--resume", "--out", str(out), "--workers", "1")
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(table(out), table(ref))
