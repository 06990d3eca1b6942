"""The case library as a benchmark row: every case of configs/cases at its defaults, timed in-process.

A case is a few dozen firms over a couple of hundred months, so its speed is the model's fixed cost
per month, which the 1,000-firm ratio hides. The rate is firm-steps per second (firms listed in the
case config times months run), summed over the library: the same measure as Mesa's agent-steps per
second. Configs are loaded once; the timing covers model construction and the steps, as a sweep or
calibration over the cases repeats them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "configs" / "cases"
SEEDS = 3


def load_cases() -> list[tuple[str, Any]]:
    """(file name, validated config) of every case, in file order."""
    from sim import config

    return [(p.name, config.load(p)) for p in sorted(CASES.glob("*.yaml"))]


def library_pass(cases: list[tuple[str, Any]], seed: int) -> dict[str, Any]:
    """Run every case once with ``seed``: case-runs, seconds and firm-steps of the pass."""
    from sim.run.runner import simulate

    seconds = 0.0
    firm_steps = months = 0
    for _, cfg in cases:
        t0 = time.perf_counter()
        model = simulate(cfg, seed)
        seconds += time.perf_counter() - t0
        firm_steps += len(cfg.firms) * model.steps
        months += model.steps
    return {
        "seed": seed,
        "runs": len(cases),
        "seconds": seconds,
        "firm_steps": firm_steps,
        "months": months,
        "firm_steps_per_s": firm_steps / seconds,
    }


def mean_size(passes: list[dict[str, Any]]) -> int:
    """Firms of the library's average month (firm-steps over months): the size at which Mesa's own
    example is run for context, since at a few dozen agents a step's fixed cost decides both rates."""
    return max(1, round(sum(p["firm_steps"] for p in passes) / sum(p["months"] for p in passes)))


def summary(passes: list[dict[str, Any]], pair_ratios: list[float], mesa_rate: float, mesa_small: list[float]) -> dict[str, Any]:
    """The row: totals over the passes, and the ratio to Mesa (median of the adjacent pairs); for
    context, Mesa's example at the library's mean size (``mesa_small``, one rate per pass)."""
    runs = sum(p["runs"] for p in passes)
    seconds = sum(p["seconds"] for p in passes)
    firm_steps = sum(p["firm_steps"] for p in passes)
    ratios = sorted(pair_ratios)
    return {
        "cases": passes[0]["runs"] if passes else 0,
        "seeds": len(passes),
        "case_runs": runs,
        "seconds": seconds,
        "ms_per_case_run": 1000 * seconds / runs,
        "firm_steps_per_s": firm_steps / seconds,
        "ratio_to_mesa": ratios[len(ratios) // 2],
        "ratio_to_mesa_pairs": ratios,
        "mesa_agent_steps_per_s": mesa_rate,
        "mean_firms": mean_size(passes),
        "mesa_small_agent_steps_per_s": max(mesa_small),
        "passes": passes,
    }


def line(row: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    """One line for the benchmark's table; with ``before``, the speed-up of ms per case-run."""
    text = (
        f"case library ({row['cases']} cases x {row['seeds']} seeds, in process): {row['ms_per_case_run']:.1f} ms per case-run, "
        f"{row['firm_steps_per_s']:,.0f} firm-steps/s = {row['ratio_to_mesa']:.2f}x Mesa "
        f"(median of {len(row['ratio_to_mesa_pairs'])} adjacent pairs, range {row['ratio_to_mesa_pairs'][0]:.2f}-{row['ratio_to_mesa_pairs'][-1]:.2f})"
    )
    if before is not None:
        text += f"; vs before {before['ms_per_case_run'] / row['ms_per_case_run']:.2f}x"
    if "mesa_small_agent_steps_per_s" in row:
        small = row["mesa_small_agent_steps_per_s"]
        text += (
            f"\n  for context, Mesa's example at the library's mean size ({row['mean_firms']} agents, best of {row['seeds']}): "
            f"{small:,.0f} agent-steps/s; the library runs at {row['firm_steps_per_s'] / small:.2f}x that"
        )
    return text
