"""Sweep throughput (runs per second) and parallel efficiency on this machine.

Runs the same small Latin-hypercube sweep of ~1 s runs (the built-in example over 200 years)
with each executor (best of --repeat alternating rounds) and prints runs/s and ratios to the in-process executor. Parallel efficiency
is speed-up / workers; 1.0 is perfect. Wall time includes starting the pool or cluster, as a user
sees it. Targets are ratios, never absolute times: on a 2-core machine shared with other work,
expect efficiency near 0.8-0.95 for processes and a little less for Dask.

    .venv/bin/python benchmarks/sweep_throughput.py              # ~3 min on 2 cores
    .venv/bin/python benchmarks/sweep_throughput.py --runs 12 --years 100
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sweep_file(directory: Path, runs: int, years: int) -> Path:
    spec = {
        "name": "throughput",
        "set": {"years": years},
        "parameters": [
            {"key": "policy.funding_gap_months", "range": [0, 36]},
            {"key": "policy.facilitator_base_funding_sek_per_year", "name": "base_funding", "range": [0, 1.5e6]},
        ],
        "design": {"kind": "lhs", "samples": runs},
        "seed": 1,
        "batch_size": 1,  # one run per task: the finest load balance, the most overhead
    }
    path = directory / "throughput.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    from sim import config
    from sim.run.runner import run
    from sim.sweep.engine import read_runs, run_sweep
    from sim.sweep.executors import cpu_count

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=24)
    ap.add_argument("--years", type=int, default=200, help="years per run (200: about 1 s on this model)")
    ap.add_argument("--workers", type=int, default=cpu_count())
    ap.add_argument("--repeat", type=int, default=2, help="rounds; each executor's best rate counts")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    run(config.load(None, {"years": args.years}), 1)
    one = time.perf_counter() - t
    print(f"one run of {args.years} years: {one:.2f} s; {args.runs} runs per executor; {args.workers} workers; {cpu_count()} cores")

    executors_ = (
        ("inprocess", {"executor": "inprocess"}, 1),
        ("processes", {"executor": "processes", "workers": args.workers}, args.workers),
        ("dask", {"executor": "dask", "workers": args.workers}, args.workers),
    )
    best = dict.fromkeys((name for name, _, _ in executors_), 0.0)
    load_before = os.getloadavg()[0]
    same = True
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        spec = sweep_file(d, args.runs, args.years)
        # Rounds alternate the executors and keep each one's best rate, so a burst of load from
        # other work on a shared machine does not decide the ratios.
        for r in range(args.repeat):
            for name, kw, _ in executors_:
                out = d / f"{name}-{r}"
                t = time.perf_counter()
                run_sweep(spec, out, progress=False, **kw)
                best[name] = max(best[name], args.runs / (time.perf_counter() - t))
                same = same and read_runs(out).equals(read_runs(d / "inprocess-0"))
    rows = [(name, workers, best[name]) for name, _, workers in executors_]
    print(
        f"load average (1 min) before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f} on {cpu_count()} cores"
        + ("  (busy machine: ratios are rough)" if max(load_before, os.getloadavg()[0]) > cpu_count() else "")
    )
    base = rows[0][2]
    print(f"\n{'executor':<10} {'workers':>7} {'runs/s':>8} {'speed-up':>9} {'efficiency':>10}")
    for name, workers, rate in rows:
        print(f"{name:<10} {workers:>7} {rate:>8.2f} {rate / base:>9.2f} {rate / base / workers:>10.2f}")
    print(f"\nidentical results on every executor and round: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
