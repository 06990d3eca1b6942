"""The budget view: with a given public budget, which package (or pair of packages) buys the most.

A budget is extra public money over the whole horizon, compared with the baseline's spending. A
package fits when its mean extra money does; it is "sure to fit" when the upper end of its
interval does. Two packages that were not run together are combined by adding their paired
per-seed effects and costs, an assumption (no interaction) the report states wherever it is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from sim.compare import stats
from sim.compare.analysis import CaseResult, fmt, fmt_interval
from sim.compare.league import EFFECT, MONEY, capped_share, paired
from sim.compare.plain import package_label
from sim.compare.policies import PolicyPackage
from sim.compare.stats import Interval
from sim.compare.tables import Table
from sim.config import ConfigError

RANGE_POINTS = 5


def parse_budget(text: str | None) -> list[float]:
    """'20', '10,20,40' or a range '10:40' (five budgets from 10 to 40), in MSEK."""
    if text is None or not text.strip():
        return []
    t = text.strip()
    try:
        if ":" in t:
            lo, hi = (float(x) for x in t.split(":"))
            if not 0 <= lo < hi:
                raise ValueError
            values = list(np.linspace(lo, hi, RANGE_POINTS))
        else:
            values = [float(x) for x in t.split(",") if x.strip()]
    except ValueError:
        values = []
    if not values or any(not math.isfinite(v) or v < 0 for v in values):
        raise ConfigError(
            [f"--budget-msek {text}: not a budget (allowed: a number of MSEK >= 0 such as 20, a list 10,20,40, or a range 10:40)"]
        )
    return sorted(round(v, 3) for v in values)


@dataclass
class Option:
    """A package or a pair of packages, with its paired effect and extra money in one case."""

    label: str
    effect: Interval
    cost: Interval
    estimated: bool  # a pair not run together: effects added
    capped: float


def options(res: CaseResult, df: pd.DataFrame, packages: list[PolicyPackage]) -> list[Option]:
    """Every package, and every pair of packages with clear gains that share no measure (their effects added)."""
    base = packages[0].name
    out = []
    for p in packages[1:]:
        d = res.diffs[p.name]
        out.append(Option(package_label(p.name), d.diffs[EFFECT], d.diffs[MONEY], False, capped_share(df, res.case, p.name, p.levers)))
    gains = {
        p.name for p in packages[1:] if stats.clear(res.diffs[p.name].diffs[EFFECT], 1) and res.diffs[p.name].diffs[EFFECT].estimate > 0
    }
    for a, b in combinations(packages[1:], 2):
        if set(a.levers) & set(b.levers) or not {a.name, b.name} <= gains:
            continue  # a shared measure cannot be counted twice; a partner without a clear gain adds only noise
        eff = paired(df, res.case, a.name, base, EFFECT) + paired(df, res.case, b.name, base, EFFECT)
        cost = paired(df, res.case, a.name, base, MONEY) + paired(df, res.case, b.name, base, MONEY)
        cap = max(capped_share(df, res.case, a.name, a.levers), capped_share(df, res.case, b.name, b.levers))
        out.append(Option(f"{package_label(a.name)} + {package_label(b.name)}", stats.t_interval(eff), stats.t_interval(cost), True, cap))
    return out


def best_within(opts: list[Option], budget: float) -> Option | None:
    """The option with the largest mean gain whose mean extra money fits; a simulated one wins a tie."""
    fit = [o for o in opts if o.cost.estimate <= budget + 1e-9 and o.effect.estimate > 0]
    if not fit:
        return None
    return max(fit, key=lambda o: (round(o.effect.estimate, 6), not o.estimated, -o.cost.estimate))


def cheapest_clear(opts: list[Option]) -> Option | None:
    """The cheapest option whose gain is clear, to say what a budget that buys nothing would need."""
    clear = [o for o in opts if stats.clear(o.effect, 1) and o.effect.estimate > 0]
    return min(clear, key=lambda o: o.cost.estimate) if clear else None


def _need(opts: list[Option]) -> str:
    c = cheapest_clear(opts)
    return f"; the cheapest package with a clear gain, {c.label}, needs {fmt(c.cost.estimate, 1)} MSEK" if c else ""


def budget_table(res: CaseResult, opts: list[Option], budgets: list[float]) -> Table:
    rows = []
    for b in budgets:
        o = best_within(opts, b)
        if o is None:
            rows.append([fmt(b, 1), "none: no package with a gain fits", "-", "-", _need(opts).removeprefix("; ") or "-"])
            continue
        notes = []
        if not (stats.clear(o.effect, 1) and o.effect.estimate > 0):
            notes.append("no clear effect" + _need([x for x in opts if x.cost.estimate > b]))
        if math.isfinite(o.cost.high) and o.cost.high > b:
            notes.append("may exceed the budget (upper end of its interval)")
        if o.estimated:
            notes.append("not run together: effects added")
        if o.capped > 0:
            notes.append(f"budget cap hit in {100 * o.capped:.0f} % of runs")
        rows.append([fmt(b, 1), o.label, fmt_interval(o.effect, 1, sign=True), fmt_interval(o.cost, 2, sign=True), "; ".join(notes) or "-"])
    return Table(
        f"{res.name}: the most within a budget",
        ["budget, MSEK over the horizon", "best package", "extra exchange-years [95 % interval]", "extra public money, MSEK", "notes"],
        rows,
        f"A budget is extra public money over {res.years} years compared with the baseline. A package fits when its mean "
        "extra money does. Pairs of packages with clear gains and no measure in common are estimated by adding their separate effects.",
        text=True,
    )


def budget_text(res: CaseResult, opts: list[Option], budget: float) -> str:
    """One sentence for the first budget, for the verdict."""
    o = best_within(opts, budget)
    if o is None:
        return f"With {fmt(budget, 1)} MSEK in {res.name}, no package with a gain fits the budget{_need(opts)}."
    sure = "" if stats.clear(o.effect, 1) else f" (but its effect is not clear{_need([x for x in opts if x.cost.estimate > budget])})"
    return (
        f"With {fmt(budget, 1)} MSEK of extra public money over {res.years} years in {res.name}, {o.label} buys most: "
        f"{fmt(o.effect.estimate, 1)} extra exchange-years (95 % interval {fmt(o.effect.low, 1)} to {fmt(o.effect.high, 1)}) "
        f"for {fmt(o.cost.estimate, 1)} MSEK{sure}" + (", estimated by adding separate effects." if o.estimated else ".")
    )
