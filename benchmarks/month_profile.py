"""Where a case-sized month's time goes: microseconds per month for each phase of the month.

Runs the case library (every case of configs/cases at its defaults, three seeds) with each phase
and the collection timed through a thin wrapper, and prints, for the fastest of ``--passes``
passes: the build per case-run, the month, each phase per month, and how the months' costs are
spread (most of a case's time is in its few busy months: births, exits, openings and
introductions, not in a fixed cost of every month). The wrapper adds a fraction of a microsecond
per phase; compare runs of this script with each other, not with ``benchmarks/run.py``.

    .venv/bin/python benchmarks/month_profile.py             # about 30 s
    .venv/bin/python benchmarks/month_profile.py --passes 5
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(model: Any, acc: Counter) -> None:
    """Wrap the model's phases and its collection so each adds its time to ``acc``."""
    calls = []
    for key, phase in model.phases:
        name = f"{key}.{phase.__name__}"

        def run(m: Any, phase: Any = phase, name: str = name) -> None:
            t = time.perf_counter()
            phase(m)
            acc[name] += time.perf_counter() - t

        calls.append(run)
    model._phase_calls = (model.phases, calls)
    collect = model.collector.collect

    def collected() -> None:
        t = time.perf_counter()
        collect()
        acc["collector.collect"] += time.perf_counter() - t

    model.collector.collect = collected


def library_pass(cases: list[tuple[str, Any]], seeds: int) -> dict[str, Any]:
    """One pass over the library: build seconds, each month's seconds and events, phase totals."""
    from sim.core.model import SymbiosisModel
    from sim.run.gc_policy import few_collections

    acc: Counter = Counter()
    build, months, runs = 0.0, [], 0
    with few_collections():
        for _, cfg in cases:
            for seed in range(1, seeds + 1):
                t0 = time.perf_counter()
                model = SymbiosisModel(cfg, rng=seed)
                build += time.perf_counter() - t0
                timed(model, acc)
                runs += 1
                while model.running:
                    before, t, cpu = len(model.events), time.perf_counter(), time.thread_time()
                    model.step()
                    months.append((time.perf_counter() - t, len(model.events) - before, time.thread_time() - cpu))
    return {"build": build, "runs": runs, "months": months, "phases": acc}


def report(p: dict[str, Any]) -> str:
    """The table of one pass, in microseconds per month (the spread of the months in CPU time, which
    a shared machine's pre-emption does not lump into whichever month it hit)."""
    n, total = len(p["months"]), sum(t for t, _, _ in p["months"])
    us = 1e6 / n
    lines = [
        f"{p['runs']} case-runs, {n} months: build {1e3 * p['build'] / p['runs']:.2f} ms a case-run, "
        f"a month {us * total:.1f} us on average",
        "",
        f"{'phase':32s} {'us a month':>10s}",
    ]
    for name, s in p["phases"].most_common():
        lines.append(f"{name:32s} {us * s:10.1f}")
    lines.append(f"{'Mesa step wrapper and the loop':32s} {us * (total - sum(p['phases'].values())):10.1f}")
    cpu = sorted(c for _, _, c in p["months"])
    quiet = sorted(c for _, e, c in p["months"] if e == 0)
    busy = cpu[-(n // 10) :]
    lines.append("")
    if quiet:
        lines.append(
            f"CPU time: mean month {1e6 * sum(cpu) / n:.1f} us, median {1e6 * cpu[n // 2]:.1f} us; months with no event {100 * len(quiet) / n:.0f} % "
            f"(median {1e6 * quiet[len(quiet) // 2]:.1f} us)"
        )
    lines.append(
        f"the busiest tenth of the months: {100 * sum(busy) / sum(cpu):.0f} % of the CPU time ({1e6 * sum(busy) / len(busy):.0f} us each on average)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from benchmarks import case_library

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passes", type=int, default=3, help="passes over the library; the fastest counts")
    ap.add_argument("--seeds", type=int, default=case_library.SEEDS, help="seeds per case")
    args = ap.parse_args(argv)
    cases = case_library.load_cases()
    passes = [library_pass(cases, args.seeds) for _ in range(args.passes)]
    print(report(min(passes, key=lambda p: sum(t for t, _, _ in p["months"]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
