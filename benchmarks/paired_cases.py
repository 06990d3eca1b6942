"""This checkout against another on the same case configs: the speed-up, and proof that the results match.

The case-library row of ``benchmarks/run.py`` divides by Mesa's example, and on this shared machine
that reference moves by half again between runs, while the model moves by other amounts. To say how
much faster one version of the model is than another, both must run the same configs at the same
time. This script does that: it runs the cases in ``--cases`` (by default the other checkout's own
configs/cases, which both versions read) on seeds 1..``--seeds`` in a fresh interpreter per
checkout, alternating the order over ``--rounds`` rounds so that both share each moment's load, and
prints ms per case-run of each, their ratio per round and the median ratio. Before it times
anything it runs every case on seed 1 in both and compares digests of the time series, the
exchanges and the events, so the ratio is between runs with the same results.

    .venv/bin/python benchmarks/paired_cases.py ../old-checkout              # about 1 min
    .venv/bin/python benchmarks/paired_cases.py ../old-checkout --rounds 5

Make the other checkout with ``git worktree add --detach ../old-checkout REV``; both run with this
checkout's interpreter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import hashlib, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import pandas as pd
from sim import config
from sim.run.runner import run, simulate

cases = [(p.name, config.load(p)) for p in sorted(Path(sys.argv[2]).glob("*.yaml"))]
if sys.argv[3] == "digest":
    def h(df):
        return hashlib.sha256(pd.util.hash_pandas_object(df, index=False).values.tobytes()).hexdigest()
    out = {}
    for name, cfg in cases:
        res = run(cfg, 1)
        common = [c for c in ("step", "kind", "firm", "facilitator", "municipality", "exchange", "reason") if c in res.events.columns]
        out[name] = [h(res.timeseries), h(res.exchanges), h(res.events[common])]
    print(json.dumps(out))
else:
    simulate(cases[0][1], 1)  # imports and first-call costs out of the timing
    seconds, runs, firm_steps = 0.0, 0, 0
    for seed in range(1, int(sys.argv[3]) + 1):
        for _, cfg in cases:
            t0 = time.perf_counter()
            model = simulate(cfg, seed)
            seconds += time.perf_counter() - t0
            runs += 1
            firm_steps += len(cfg.firms) * model.steps
    print(json.dumps({"ms_per_case_run": 1000 * seconds / runs, "firm_steps_per_s": firm_steps / seconds, "runs": runs}))
"""


def child(checkout: Path, cases: Path, what: str) -> dict:
    """Run the child script for one checkout in a fresh interpreter (its own imports, no cache shared)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(checkout), str(cases), what], capture_output=True, text=True, cwd=checkout, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"error: the run in {checkout} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("other", type=Path, help="the other checkout (e.g. a detached worktree of an older commit)")
    ap.add_argument(
        "--cases", type=Path, default=None, help="directory of case YAML files both versions read (default: OTHER/configs/cases)"
    )
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    other = args.other.resolve()
    cases = (args.cases or other / "configs" / "cases").resolve()
    if not (other / "sim").is_dir():
        print(f"error: other={other} is not a checkout of this project (no sim/ in it)", file=sys.stderr)
        raise SystemExit(2)
    if args.seeds < 1 or args.rounds < 1:
        print(f"error: --seeds={args.seeds}, --rounds={args.rounds}: both must be at least 1", file=sys.stderr)
        raise SystemExit(2)
    if not any(cases.glob("*.yaml")):
        print(f"error: --cases={cases} holds no .yaml case files", file=sys.stderr)
        raise SystemExit(2)

    mine, theirs = child(ROOT, cases, "digest"), child(other, cases, "digest")
    differ = sorted(k for k in mine if mine[k] != theirs.get(k))
    print(f"{len(mine)} cases from {cases}: results on seed 1 " + ("identical" if not differ else f"DIFFER in {', '.join(differ)}"))

    ratios = []
    for r in range(args.rounds):
        order = [(ROOT, "this"), (other, "other")] if r % 2 == 0 else [(other, "other"), (ROOT, "this")]
        got = {name: child(path, cases, str(args.seeds)) for path, name in order}
        ratio = got["other"]["ms_per_case_run"] / got["this"]["ms_per_case_run"]
        ratios.append(ratio)
        print(
            f"round {r + 1}: this {got['this']['ms_per_case_run']:.1f} ms per case-run ({got['this']['firm_steps_per_s']:,.0f} firm-steps/s), "
            f"other {got['other']['ms_per_case_run']:.1f} ms: this is {ratio:.2f}x as fast"
        )
    print(f"median over {args.rounds} rounds: this checkout runs the cases {statistics.median(ratios):.2f}x as fast as {other}")
    if differ:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
