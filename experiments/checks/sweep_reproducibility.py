"""Sweeps reproduce across executors and after a kill, end to end with the real command line (about 2-4 minutes on 2 cores).

1. The 200-run, 2-parameter Latin hypercube (configs/sweeps/funding_lhs.yaml) with --workers 2,
   then ``symbiosis analyze`` writes its tables and plots.
2. The same sweep with --scheduler pointing at a ``dask scheduler`` plus two ``dask worker``
   processes on loopback gives identical results.
3. The same sweep killed with SIGKILL at a random point and resumed gives identical results.

    .venv/bin/python experiments/checks/sweep_reproducibility.py [--out results/checks/sweep_reproducibility]

Every process this script starts, it stops.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SPEC = ROOT / "configs" / "sweeps" / "funding_lhs.yaml"
BIN = Path(sys.executable).parent


def symbiosis(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "sim.cli", *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"symbiosis {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def timed(*args: str) -> float:
    t = time.perf_counter()
    symbiosis(*args)
    return time.perf_counter() - t


def main() -> int:
    from sim.sweep.engine import read_runs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "checks" / "sweep_reproducibility")
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)

    # 1. --workers 2, then analyze
    local = args.out / "workers2"
    s1 = timed("sweep", str(SPEC), "--out", str(local), "--workers", "2")
    ref = read_runs(local)
    symbiosis("analyze", str(local))
    files = sorted(p.name for p in (local / "analysis").iterdir())
    print(f"1. {len(ref)} runs with --workers 2 in {s1:.1f} s ({len(ref) / s1:.1f} runs/s); analyze wrote {', '.join(files)}")

    # 2. dask scheduler + two dask workers on loopback
    sched_file = args.out / "scheduler.json"
    procs = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)],
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        while not sched_file.exists():
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "dask"),
                        "worker",
                        "--scheduler-file",
                        str(sched_file),
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    cwd=args.out,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        s2 = timed("sweep", str(SPEC), "--out", str(args.out / "dask"), "--scheduler", address)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    same2 = read_runs(args.out / "dask").equals(ref)
    print(f"2. --scheduler {address} with 2 dask workers: {s2:.1f} s ({len(ref) / s2:.1f} runs/s); identical to 1: {same2}")

    # 3. SIGKILL at a random point, then --resume
    killed = args.out / "killed"
    kill_after = random.randint(1, 40)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(SPEC), "--out", str(killed), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while len(list((killed / "runs").glob("batch-*.parquet"))) < kill_after and proc.poll() is None:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_at_kill = len(list((killed / "runs").glob("batch-*.parquet")))
    resumed = symbiosis("sweep", "--resume", "--out", str(killed), "--workers", "2")
    after = read_runs(killed)
    same3 = after.equals(ref) and after["run_id"].is_unique
    print(f"3. SIGKILL after {done_at_kill} of 50 batches, resumed: {resumed.stdout.splitlines()[0]}; identical to 1: {same3}")
    return 0 if same2 and same3 else 1


if __name__ == "__main__":
    sys.exit(main())
