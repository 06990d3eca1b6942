"""Sweep throughput (runs per second) and parallel efficiency on this machine.

Runs the same small Latin-hypercube sweep with each executor (best of --repeat alternating rounds)
and prints runs/s and ratios to the in-process executor measured in the same run. Parallel
efficiency is speed-up / workers; 1.0 is perfect. Wall time includes starting the pool or cluster,
as a user sees it. Targets are ratios, never absolute times.

By default each run is a case of the library at its default horizon (the Bjuv case: under a tenth
of a second, the size of run a calibration or sensitivity sweep over the cases makes), so the fixed
cost per run (config validation, model construction, summary, pickling, writing) and starting the
pool weigh as they do in such sweeps. The default of 160 runs is a short sweep (about 10 s of work
in one process): such sweeps make hundreds to thousands of runs, and a sweep shorter than the
pool's start (the forkserver's import of the model, about 2 s of CPU) measures that start alone. ``--scenario example`` sweeps the built-in example over
``--years`` instead (about 1 s per run at 200 years). On a 2-core machine shared with other work the
ratios are rough: the load average is printed beside them.

    .venv/bin/python benchmarks/sweep_throughput.py              # ~2 min on 2 cores
    .venv/bin/python benchmarks/sweep_throughput.py --case configs/cases/A25_molekyl.yaml --runs 30
    .venv/bin/python benchmarks/sweep_throughput.py --scenario example --runs 12 --years 100
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BJUV = ROOT / "configs" / "cases" / "A13_bjuv.yaml"
TARGET_EFFICIENCY = 0.9
TARGET_WORKERS = 2


def sweep_file(directory: Path, runs: int, base: Path | None, years: int) -> Path:
    """A sweep of ``runs`` LHS points over two policy levers of ``base`` (None: the example over ``years``)."""
    spec: dict[str, Any] = {
        "name": "throughput",
        "base": "example" if base is None else str(base.resolve()),
        "set": {"years": years} if base is None else {},
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


def loop_rate(base: Path | None, years: int, runs: int) -> float:
    """Runs per second of a plain loop of runs in this process, after a warm run (no sweep machinery)."""
    from sim import config
    from sim.run.runner import run

    cfg = config.load(base, None if base is not None else {"years": years})
    run(cfg, 1)
    t = time.perf_counter()
    for seed in range(2, 2 + runs):
        run(cfg, seed)
    return runs / (time.perf_counter() - t)


def machine_ceiling(base: Path | None, years: int, runs: int, workers: int) -> float:
    """The machine's own parallel efficiency: ``workers`` independent loops at once against one alone.

    No sweep can beat it: two busy cores of a virtual machine run each process slower than one
    busy core does (shared caches, memory bandwidth, the host's scheduling), whatever the code.
    """
    cmd = [sys.executable, __file__, "--loop", str(runs), "--years", str(years)]
    cmd += ["--case", str(base)] if base is not None else ["--scenario", "example"]

    def rates(n: int) -> list[float]:
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return [float(p.communicate()[0].split()[-1]) for p in procs]

    alone = max(rates(1)[0], rates(1)[0])
    return sum(rates(workers)) / (workers * alone)


def main(argv: list[str] | None = None) -> int:
    from sim import config
    from sim.run.runner import run
    from sim.sweep.engine import read_runs, run_sweep
    from sim.sweep.executors import cpu_count

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", choices=("case", "example"), default="case", help="case runs (default) or the example")
    ap.add_argument("--case", type=Path, default=BJUV, help="the case config of --scenario case (default: the Bjuv case)")
    ap.add_argument("--runs", type=int, default=None, help="runs per executor (default: 160 case runs, 24 example runs)")
    ap.add_argument("--years", type=int, default=200, help="--scenario example: years per run (200: about 1 s)")
    ap.add_argument("--workers", type=int, default=cpu_count())
    ap.add_argument("--repeat", type=int, default=2, help="rounds; each executor's best rate counts")
    ap.add_argument("--loop", type=int, default=None, help=argparse.SUPPRESS)  # a machine-ceiling child: print its loop rate
    args = ap.parse_args(argv)
    base = args.case if args.scenario == "case" else None
    if args.loop is not None:
        print(f"{loop_rate(base, args.years, args.loop):.6f}")
        return 0
    runs = args.runs or (160 if base is not None else 24)

    cfg = config.load(base, None if base is not None else {"years": args.years})
    run(cfg, 1)  # warm: imports and first-call caches, as a sweep's workers have them after their first run
    t = time.perf_counter()
    run(cfg, 2)
    one = time.perf_counter() - t
    what = f"{base.name} ({len(cfg.firms)} firms, {cfg.steps} months)" if base is not None else f"the example over {args.years} years"
    print(f"one run of {what}: {one:.2f} s; {runs} runs per executor; {args.workers} workers; {cpu_count()} cores")

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
        spec = sweep_file(d, runs, base, args.years)
        # Rounds alternate the executors and keep each one's best rate, so a burst of load from
        # other work on a shared machine does not decide the ratios.
        for r in range(args.repeat):
            for name, kw, _ in executors_:
                out = d / f"{name}-{r}"
                t = time.perf_counter()
                run_sweep(spec, out, progress=False, **kw)
                best[name] = max(best[name], runs / (time.perf_counter() - t))
                same = same and read_runs(out).equals(read_runs(d / "inprocess-0"))
    ceiling = machine_ceiling(base, args.years, max(10, min(runs, 80) // args.workers), args.workers)
    load_after = os.getloadavg()[0]
    rows = [(name, workers, best[name]) for name, _, workers in executors_]
    print(
        f"load average (1 min) before/after: {load_before:.1f} / {load_after:.1f} on {cpu_count()} cores"
        + ("  (busy machine: ratios are rough)" if max(load_before, load_after) > cpu_count() else "")
    )
    base_rate = rows[0][2]
    print(f"\n{'executor':<10} {'workers':>7} {'runs/s':>8} {'speed-up':>9} {'efficiency':>10}")
    for name, workers, rate in rows:
        print(f"{name:<10} {workers:>7} {rate:>8.2f} {rate / base_rate:>9.2f} {rate / base_rate / workers:>10.2f}")
    eff = best["processes"] / base_rate / args.workers
    judged = args.workers == TARGET_WORKERS
    mark = ("MET" if eff >= TARGET_EFFICIENCY else "NOT MET") if judged else f"not judged (--workers {args.workers})"
    print(
        f"\n  [{mark}] efficiency >= {TARGET_EFFICIENCY} for processes on {TARGET_WORKERS} workers: {eff:.2f} "
        f"({what}; load average {load_before:.1f} / {load_after:.1f} on {cpu_count()} cores)"
    )
    print(
        f"  machine ceiling: {args.workers} independent loops of the same runs at once reach {ceiling:.2f} of one alone; "
        f"the process pool reaches {eff / ceiling:.2f} of that ceiling"
    )
    print(f"\nidentical results on every executor and round: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
