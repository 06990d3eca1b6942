"""The report's first page: a league table of packages per case and a verdict in plain words.

A package is ranked by its effect (extra exchange-years against the baseline, paired by seed) and
by cost-effectiveness (extra public money per extra exchange-year, only where the gain is clear).
Dominance is judged on the averages, as in health economics (Drummond et al.): a package is
dominated when another, or the baseline, gives at least as much for no more money, and extendedly
dominated when a mix of a cheaper and a dearer package would buy its effect for less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.compare import stats
from sim.compare.analysis import CaseResult, fmt, fmt_interval, sek
from sim.compare.plain import package_label
from sim.compare.policies import PolicyPackage
from sim.compare.stats import Interval
from sim.compare.tables import Table

EFFECT = "exchange_years"
MONEY = "public_funding_total_sek"  # prepared in MSEK


@dataclass
class Entry:
    """One package in one case, as the league table shows it."""

    name: str
    title: str
    effect: Interval  # extra exchange-years
    cost: Interval  # extra public MSEK
    icer: float  # extra SEK per extra exchange-year, NaN without a clear gain
    gain: bool  # the effect's interval lies above zero as printed
    status: str = ""  # "", "dominated", "extended dominance"
    ce_rank: int | None = None
    capped: float = 0.0  # share of this package's runs where a programme's budget cap bound


def paired(df: pd.DataFrame, case: str, arm: str, baseline: str, key: str) -> np.ndarray:
    """Per-seed ``arm - baseline`` of one outcome in one case, in replication order."""
    c = df[df["case"] == case]
    a = c[c["arm"] == arm].sort_values("replication")[key].to_numpy(dtype=float)
    b = c[c["arm"] == baseline].sort_values("replication")[key].to_numpy(dtype=float)
    return a - b


# the levers whose spending runs through capped programmes: project appropriations, investment budgets
PROJECT_LEVERS = frozenset({"funding_gap_months", "funding_anchor_eligible"})
INVESTMENT_LEVERS = frozenset({"investment_support_symbiosis_eligible", "investment_support_budget_factor"})


def capped_share(df: pd.DataFrame, case: str, arm: str, levers: dict | None = None) -> float:
    """Share of runs in which a budget cap limited the spending a package's measures run through:
    a project programme's yearly appropriation had no room left, or an investment grant was refused
    for lack of budget. Without ``levers`` both count."""
    c = df[(df["case"] == case) & (df["arm"] == arm)]
    if not len(c) or "project_budget_full_years" not in c:
        return 0.0
    keys = set(levers) if levers is not None else PROJECT_LEVERS | INVESTMENT_LEVERS
    hit = pd.Series(False, index=c.index)
    if keys & PROJECT_LEVERS:
        hit |= c["project_budget_full_years"].fillna(0) > 0
    if keys & INVESTMENT_LEVERS:
        hit |= c["investment_grants_refused_budget"].fillna(0) > 0
    return float(hit.mean())


def entries(res: CaseResult, df: pd.DataFrame, packages: list[PolicyPackage]) -> list[Entry]:
    """Every policy of one case, ranked by effect, with dominance and cost-effectiveness ranks."""
    out = []
    for p in packages[1:]:
        d = res.diffs[p.name]
        eff, cost = d.diffs[EFFECT], d.diffs[MONEY]
        gain = stats.clear(eff, 1) and eff.estimate > 0
        icer = math.nan
        if gain:
            icer = -math.inf if cost.estimate <= 0 else cost.estimate * 1e6 / eff.estimate
        out.append(Entry(p.name, p.title, eff, cost, icer, gain, capped=capped_share(df, res.case, p.name, p.levers)))
    _dominance(out)
    ranked = sorted((e for e in out if e.gain and e.status == ""), key=lambda e: e.icer)
    for k, e in enumerate(ranked, 1):
        e.ce_rank = k
    return sorted(out, key=lambda e: -e.effect.estimate)


def _dominance(es: list[Entry]) -> None:
    """Mark strict and extended dominance on the mean effects and costs (the baseline is at 0, 0)."""
    pts = [(e.effect.estimate, e.cost.estimate) for e in es] + [(0.0, 0.0)]
    for i, e in enumerate(es):
        x, y = pts[i]
        if x == 0 and y == 0:
            continue  # the same as the baseline: 'no clear effect' says it
        for j, (x2, y2) in enumerate(pts):
            if j != i and x2 >= x and y2 <= y and (x2 > x or y2 < y):
                e.status = "dominated"
                break
    frontier = sorted([e for e in es if e.status == "" and e.effect.estimate > 0], key=lambda e: (e.cost.estimate, -e.effect.estimate))
    changed = True
    while changed:  # drop a point whose incremental ratio exceeds the next one's
        changed = False
        prev = (0.0, 0.0)
        slopes = []
        for e in frontier:
            dx = e.effect.estimate - prev[0]
            slopes.append((e.cost.estimate - prev[1]) / dx if dx > 0 else math.inf)
            prev = (e.effect.estimate, e.cost.estimate)
        for k in range(len(frontier) - 1):
            if slopes[k] > slopes[k + 1]:
                frontier[k].status = "extended dominance"
                frontier.pop(k)
                changed = True
                break


def _icer_text(e: Entry) -> str:
    if not e.gain:
        return "no clear effect"
    if e.icer == -math.inf:
        return "gains for no extra money" if e.cost.estimate == 0 else "gains and saves money"
    return sek(e.icer)


def league_table(res: CaseResult, es: list[Entry]) -> Table:
    """Packages ranked by effect, with the cost-effectiveness rank and the marks a decision needs."""
    rows = []
    for k, e in enumerate(es, 1):
        marks = [e.status] if e.status else []
        if not e.gain:
            marks.append("no clear effect")
        if e.capped > 0:
            marks.append(f"budget cap hit in {100 * e.capped:.0f} % of runs")
        rows.append(
            [
                str(k),
                package_label(e.name),
                fmt_interval(e.effect, 1, sign=True),
                fmt_interval(e.cost, 2, sign=True),
                _icer_text(e),
                str(e.ce_rank) if e.ce_rank else "-",
                "; ".join(marks) or "-",
            ]
        )
    header = [
        "rank by effect",
        "package",
        "extra exchange-years [95 % interval]",
        "extra public money, MSEK [95 % interval]",
        "public money per extra exchange-year",
        "rank by value for money",
        "marks",
    ]
    return Table(
        f"{res.name}: league table ({res.years} years, {len(res.seeds)} paired runs)",
        header,
        rows,
        "Effect and money are differences from the baseline on the same seeds. Value for money is ranked only for "
        "packages with a clear gain that are not dominated. Dominance is judged on the averages.",
    )


def _versus(df: pd.DataFrame, res: CaseResult, baseline: str, a: Entry, b: Entry) -> str:
    """Whether the top package beat the runner-up, paired by seed."""
    d = stats.t_interval(paired(df, res.case, a.name, baseline, EFFECT) - paired(df, res.case, b.name, baseline, EFFECT))
    money = b.cost.estimate - a.cost.estimate
    cheaper = (
        f", and {package_label(b.name)} costs {sek(abs(money) * 1e6)} {'less' if money < 0 else 'more'}" if abs(money) >= 0.005 else ""
    )
    if stats.clear(d, 1):
        return (
            f"That is clearly more than the next, {package_label(b.name)}: {fmt(d.estimate, 1)} exchange-years more than it "
            f"(95 % interval {fmt(d.low, 1)} to {fmt(d.high, 1)}){cheaper}."
        )
    return (
        f"It is not clearly better than {package_label(b.name)} (difference {fmt(d.estimate, 1, True)} exchange-years, "
        f"95 % interval {fmt(d.low, 1, True)} to {fmt(d.high, 1, True)}, which reaches zero){cheaper}."
    )


def verdict(res: CaseResult, es: list[Entry], df: pd.DataFrame, baseline: str) -> str:
    """A few sentences for one case: what does most, at what cost, how sure, what does nothing."""
    head = f"In {res.name} ({len(res.seeds)} paired runs of {res.years} years)"
    gains = [e for e in es if e.gain]
    none = [package_label(e.name) for e in es if not e.gain]
    if not gains:
        return f"{head}, no package clearly added exchange-years compared with today's policy ({_list(none)}: no clear effect)."
    top = gains[0]
    cost = top.cost
    money = (
        "for no clear difference in public money"
        if not stats.clear(cost, 2)
        else f"for {fmt(cost.estimate, 1)} MSEK more public money ({fmt(cost.low, 1)} to {fmt(cost.high, 1)})"
        if cost.estimate > 0
        else f"while spending {fmt(-cost.estimate, 1)} MSEK less public money"
    )
    parts = [
        f"{head}, '{top.title}' ({package_label(top.name)}) did most: "
        f"{fmt(top.effect.estimate, 1)} more exchange-years than today's policy (95 % interval {fmt(top.effect.low, 1)} to "
        f"{fmt(top.effect.high, 1)}), {money}."
    ]
    others = [e for e in gains if e is not top] or [e for e in es if e is not top]
    if others:
        parts.append(_versus(df, res, baseline, top, others[0]))
    best = next((e for e in es if e.ce_rank == 1), None)
    if best is not None:
        worth = (
            f"{package_label(best.name)} gave more for no extra public money"
            if best.icer == -math.inf
            else f"the best value for money is {package_label(best.name)}, about {sek(best.icer)} of public money per extra exchange-year"
        )
        parts.append(worth[0].upper() + worth[1:] + ".")
    if none:
        parts.append(f"No clear effect: {_list(none)}.")
    capped = [package_label(e.name) for e in es if e.capped > 0 and not stats.clear(e.cost, 2)]
    if capped:
        parts.append(f"Programme budget caps were reached under {_list(capped)}: 'no extra cost' there reflects the cap, not the package.")
    return " ".join(parts)


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""
