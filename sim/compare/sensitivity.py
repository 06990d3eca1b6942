"""How sure, and on what it rests: the ranking's sensitivity to the assumed prices and key parameters.

Each factor is set to a low and a high value in every arm and the whole comparison is run again on
the first seeds of the main comparison (the same seeds in every arm and at every value), so a bar
shows what the factor alone does to the answer. Factors: the three assumed prices of the
authorities' own work (half and twice the default) and the three parameters the Morris screening
of docs/validation.md §2 ranks highest for exchange-years on the Bjuv baseline (its ranges). It is
optional (``--sensitivity N``) because it costs up to twelve comparisons of N seeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from sim.compare import analysis, league
from sim.compare.analysis import CaseResult, fmt, sek
from sim.compare.figures import Figure, _save
from sim.compare.plain import package_label
from sim.compare.policies import PolicyPackage
from sim.compare.runs import Plan, execute, resolve_cases
from sim.compare.tables import Table

# (key, words, low, high, the lever whose cost it prices or None); prices at half and twice their
# defaults, the Morris parameters over the ranges of experiments/validation/morris.py
FACTORS: list[tuple[str, str, float, float, str | None]] = [
    ("params.land_planning.reservation_cost_sek_per_plot_year", "price of a reserved plot", 25_000.0, 100_000.0, "land_reservation"),
    ("params.permits.sandbox_cost_sek_per_case", "price of a sandbox permit case", 20_000.0, 80_000.0, "permit_time_factor"),
    (
        "params.eed_mandate.supervision_cost_sek_per_assessment",
        "price of supervising a heat assessment",
        10_000.0,
        40_000.0,
        "eed_heat_mandate",
    ),
    ("params.trust.established", "trust of partners who already know each other", 0.1, 0.4, None),
    ("params.negotiation.failure_at_zero_trust", "chance a negotiation fails without trust", 0.1, 0.7, None),
    ("params.project_funding.free_riding_exponent", "free-riding among co-financing partners", 0.0, 0.6, None),
]


def factors(packages: list[PolicyPackage]) -> list[tuple[str, str, float, float, str | None]]:
    """The factors that can matter here: a price only when some package uses the work it prices."""
    used = {lever for p in packages for lever in p.levers}
    return [f for f in FACTORS if f[4] is None or f[4] in used]


@dataclass
class Point:
    """The answer of one case at one setting: the leading packages and their numbers."""

    top: str  # most extra exchange-years
    top_effect: float
    best: str  # best value for money ('' without a clear gain)
    best_icer: float  # SEK per extra exchange-year (NaN without)


@dataclass
class Bar:
    case: str
    factor: str
    low: Point
    high: Point


def answer(res: CaseResult, df: pd.DataFrame, packages: list[PolicyPackage]) -> Point:
    es = league.entries(res, df, packages)
    top = es[0]
    best = next((e for e in es if e.ce_rank == 1), None)
    icer = best.icer if best is not None else math.nan
    return Point(top.name, top.effect.estimate, best.name if best else "", 0.0 if icer == -math.inf else icer)


def run(
    cases: list[str],
    years: int | None,
    overrides: dict,
    packages: list[PolicyPackage],
    seeds: list[int],
    out: Path,
    workers: int,
    on_batch: Callable[[int, int], None] | None = None,
    done: int = 0,
) -> dict[tuple[str, str], Point]:
    """Every factor at its low and high value: (case id, 'key|low' or 'key|high') -> the answer there.

    ``done`` runs came before (the main comparison), so progress counts on from them."""
    answers: dict[tuple[str, str], Point] = {}
    offset = [done]

    def progress(batch: int, finished: int) -> None:
        if on_batch is not None:
            on_batch(batch, offset[0] + finished)

    for key, _, lo, hi, _ in factors(packages):
        for level, value in (("low", lo), ("high", hi)):
            cs = resolve_cases(cases, years, {**overrides, key: value})
            plan = Plan(cs, packages, seeds)
            plan.check()
            runs, _ = execute(plan, out / f"{key.split('.', 1)[1].replace('.', '-')}-{level}", workers, progress)
            offset[0] += plan.runs
            names = {c.id: c.name for c in cs}
            results = analysis.analyse(runs, packages[0].name, [p.name for p in packages], names, {c.id: c.years for c in cs})
            df = analysis.prepared(runs, {c.id: c.years for c in cs})
            for res in results:
                answers[(res.case, f"{key}|{level}")] = answer(res, df, packages)
    return answers


def bars(answers: dict[tuple[str, str], Point], case_ids: list[str], packages: list[PolicyPackage]) -> list[Bar]:
    out = []
    for case in case_ids:
        for key, words, *_ in factors(packages):
            out.append(Bar(case, words, answers[(case, f"{key}|low")], answers[(case, f"{key}|high")]))
    return out


def _panel(ax: plt.Axes, mine: list[Bar], centre: Point, metric: str, scale: float, label: str) -> None:
    """One tornado: a bar per factor from its low-value answer (blue) to its high-value answer (red)."""
    c = getattr(centre, metric) * scale
    leader = centre.top if metric == "top_effect" else centre.best
    order = sorted(mine, key=lambda b: abs(getattr(b.high, metric) - getattr(b.low, metric)) if _ok(b, metric) else -1.0)
    for i, b in enumerate(order):
        for p, colour in ((b.low, "#88ccee"), (b.high, "#cc6677")):
            who = p.top if metric == "top_effect" else p.best
            v = getattr(p, metric) * scale
            if not who or not math.isfinite(v):
                ax.annotate("no clear gain", (c, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=6.5)
                continue
            ax.barh(i, v - c, left=c, color=colour, alpha=0.85, height=0.6)
            if who != leader:  # a change of leader is the news; otherwise the title names it
                ax.annotate(
                    f"{package_label(who)} leads",
                    (v, i),
                    xytext=(3 if v >= c else -3, 0),
                    textcoords="offset points",
                    ha="left" if v >= c else "right",
                    va="center",
                    fontsize=6.5,
                    fontweight="bold",
                )
    ax.axvline(c, color="black", lw=0.8)
    ax.set_yticks(range(len(order)), [b.factor for b in order], fontsize=7)
    ax.set_xlabel(label, fontsize=7.5)
    ax.tick_params(labelsize=7)
    ax.margins(x=0.3)
    ax.grid(axis="x", alpha=0.3)


def _ok(b: Bar, metric: str) -> bool:
    return all(math.isfinite(getattr(p, metric)) for p in (b.low, b.high))


def fig_tornado(results: list[CaseResult], centre: dict[str, Point], bs: list[Bar], path: Path) -> Figure:
    """Per case, two tornados: what the leader adds, and what the best buy costs per extra exchange-year."""
    fig, axes = plt.subplots(len(results), 2, figsize=(11.5, 2.9 * len(results) + 0.6), constrained_layout=True, squeeze=False)
    for row, res in zip(axes, results, strict=True):
        mine = [b for b in bs if b.case == res.case]
        cp = centre[res.case]
        _panel(row[0], mine, cp, "top_effect", 1.0, "extra exchange-years of the package that does most")
        row[0].set_title(f"{res.name}: does most: {package_label(cp.top)}", fontsize=8.5)
        _panel(row[1], mine, cp, "best_icer", 1e-3, "public money per extra exchange-year of the best buy (thousand SEK)")
        row[1].set_title(f"best value for money: {package_label(cp.best) if cp.best else 'none with a clear gain'}", fontsize=8.5)
    return _save(
        fig,
        "How sure: the answer at low and high values of the assumptions",
        path,
        "Sensitivity of the ranking",
        "Each bar runs from the answer with one factor at its low value (blue) to its high value (red), everything else "
        "as in the report, on the same seeds; the widest bar is at the top. A name at a bar's end is a package that "
        "comes first at that value; prices change only what the packages cost.",
    )


def table(res: CaseResult, centre: Point, bs: list[Bar]) -> Table:
    rows = []
    for b in (b for b in bs if b.case == res.case):
        for level, p in (("low", b.low), ("high", b.high)):
            rows.append(
                [
                    f"{b.factor} ({level})",
                    package_label(p.top) + ("" if p.top == centre.top else " (changed)"),
                    fmt(p.top_effect, 1, True),
                    (package_label(p.best) + ("" if p.best == centre.best else " (changed)")) if p.best else "none with a clear gain",
                    sek(p.best_icer) if p.best else "-",
                ]
            )
    return Table(
        f"{res.name}: the answer at low and high values",
        ["factor (value)", "does most", "its extra exchange-years", "best value for money", "public money per extra exchange-year"],
        rows,
        f"As in the report: {package_label(centre.top)} does most ({fmt(centre.top_effect, 1, True)}); best value for money: "
        f"{package_label(centre.best) if centre.best else 'none with a clear gain'}. The values are in the reproducibility section.",
        text=True,
    )
