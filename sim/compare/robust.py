"""Robustness of the answer across a calibrated ensemble: does the choice hold wherever the facts allow?

A policy is judged over many plausible states of the model, not at one (robust decision making,
Lempert et al. 2006), here the parameter sets the calibration kept.

For each case, package and parameter set (member) of the ensemble, the effect is the one the league
table ranks by: extra active exchange-years against the baseline, the mean of the per-seed paired
differences, with its 95 % t interval. Over the members:

- *beats the baseline*: members whose mean effect is above zero; *clearly*: whose interval, as
  printed, lies above zero (the report's one meaning of a clear effect);
- *spread*: median and 5-95 % range of the member effects (smallest to largest with fewer than 20);
- *ranks first*: share of members in which the package has the largest effect, a tie shared equally;
- *regret* of a choice in a member: the best choice's effect there minus its own (Savage 1951), its
  mean and maximum over members. Keeping today's policy is a choice too, with effect zero, so regret
  is never negative and a member in which every package harms ranks the baseline first.

Members weigh equally: the ensemble is what the calibration kept, not a probability distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from sim.compare import analysis, stats
from sim.compare.analysis import CaseResult, fmt, sek
from sim.compare.figures import BASELINE_COLOUR, Figure, _save
from sim.compare.league import EFFECT, MONEY, paired
from sim.compare.plain import package_label
from sim.compare.tables import Table
from sim.compare.writers import Section

GLOSSARY = {
    "calibrated parameter set": "one set of values of the model's uncertain parameters that the calibration on the "
    "case library's facts did not rule out; the ensemble is all of them, and the report's other sections use the defaults.",
    "regret": "what a choice gives up in one parameter set: the extra exchange-years of the best choice there minus "
    "its own. A choice with little regret in every set is a safe one even when it is not always the best.",
}
TIE = 1e-9  # exchange-years: member effects this close share a place
FEW = 20  # below this many members the spread is the smallest to the largest, not 5-95 %


@dataclass
class Choice:
    """One package (or keeping the baseline) in one case, over the members."""

    name: str
    effects: np.ndarray  # mean extra exchange-years per member
    clear: np.ndarray  # bool per member: the interval lies above zero as printed
    costs: np.ndarray  # mean extra public MSEK per member
    first: float = 0.0  # members ranked first, ties shared (a count, not a share)
    regret: np.ndarray = field(default_factory=lambda: np.zeros(0))
    baseline: bool = False

    @property
    def n(self) -> int:
        return len(self.effects)

    @property
    def wins(self) -> int:
        return int((self.effects > 0).sum())

    @property
    def clear_wins(self) -> int:
        return int(self.clear.sum())

    def spread(self) -> tuple[float, float, float]:
        """Median and the 5-95 % range (or smallest to largest with few members)."""
        e = self.effects
        if self.n < FEW:
            return float(np.median(e)), float(e.min()), float(e.max())
        lo, med, hi = np.percentile(e, [5, 50, 95])
        return float(med), float(lo), float(hi)

    def icer(self) -> float:
        """Median over members with a clear gain of extra SEK per extra exchange-year (NaN without any)."""
        ok = self.clear
        if not ok.any():
            return math.nan
        return float(np.median(self.costs[ok] * 1e6 / self.effects[ok]))


@dataclass
class CaseRobust:
    """Every choice of one case over the members, ordered by mean regret (the robust choice first)."""

    case: str
    name: str
    members: list[int]
    seeds: list[int]
    choices: list[Choice]

    def choice(self, name: str) -> Choice:
        return next(c for c in self.choices if c.name == name)

    @property
    def policies(self) -> list[Choice]:
        return [c for c in self.choices if not c.baseline]


def summarise(runs: pd.DataFrame, baseline: str, policies: list[str], names: dict[str, str], years: dict[str, int]) -> list[CaseRobust]:
    """Per case: each package's effect per member, then shares, spread, first places and regret."""
    df = analysis.prepared(runs, years)
    out = []
    for case in dict.fromkeys(df["case"]):
        cdf = df[df["case"] == case]
        members = sorted(int(m) for m in cdf["member"].unique())
        seeds = sorted(int(s) for s in cdf["seed"].unique())
        per: dict[str, tuple[list[float], list[bool], list[float]]] = {p: ([], [], []) for p in policies}
        for m in members:
            mdf = cdf[cdf["member"] == m]
            for p in policies:
                iv = stats.t_interval(paired(mdf, case, p, baseline, EFFECT))
                per[p][0].append(iv.estimate)
                per[p][1].append(bool(stats.clear(iv, 1) and iv.estimate > 0))
                per[p][2].append(float(np.nanmean(paired(mdf, case, p, baseline, MONEY))))
        zeros = np.zeros(len(members))
        choices = [Choice(baseline, zeros, zeros.astype(bool), zeros, baseline=True)]
        choices += [Choice(p, np.array(e, dtype=float), np.array(c, dtype=bool), np.array(k, dtype=float)) for p, (e, c, k) in per.items()]
        rank(choices)
        choices.sort(key=lambda c: (float(c.regret.mean()), -c.first, c.baseline))
        out.append(CaseRobust(case, names.get(case, case), members, seeds, choices))
    return out


def rank(choices: list[Choice]) -> None:
    """First places (ties shared) and regret per member, over all the choices of one case."""
    effects = np.vstack([c.effects for c in choices])  # choice x member
    best = effects.max(axis=0)
    top = effects >= best - TIE
    share = top / top.sum(axis=0)
    for i, c in enumerate(choices):
        c.first = float(share[i].sum())
        c.regret = np.maximum(best - effects[i], 0.0)


# ---- words, table and figure ------------------------------------------------------------------


def sets(n: int) -> str:
    """'1 calibrated parameter set', '20 calibrated parameter sets'."""
    return f"{n} calibrated parameter set{'' if n == 1 else 's'}"


def _count(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def _who(c: Choice) -> str:
    return "keeping today's policy" if c.baseline else package_label(c.name)


def _regret_text(c: Choice) -> str:
    """What choosing it gives up against the best choice in each set."""
    mean, worst = float(c.regret.mean()), float(c.regret.max())
    if worst < 0.05:  # rounds to zero as printed
        return "it is the best choice in every set"
    return f"choosing it costs on average {fmt(mean, 1)} exchange-years against the best choice in each set (at most {fmt(worst, 1)})"


def package_sentence(cr: CaseRobust, c: Choice) -> str:
    """What one package does across the members, in words an official can read."""
    n = len(cr.members)
    if c.baseline:
        return (
            f"Keeping today's policy is the best choice in {_count(c.first)} of {n} parameter sets "
            f"(every package does less there, or no more); {_regret_text(c)}."
        )
    return (
        f"{package_label(c.name).capitalize()} beats the baseline in {c.wins} of {n} parameter sets "
        f"(clearly, with its 95 % interval above zero, in {c.clear_wins}); it ranks first in {_count(c.first)} of {n}, "
        f"and {_regret_text(c)}."
    )


def front_sentence(cr: CaseRobust, res: CaseResult | None = None) -> str:
    """One sentence for the first page: the choice with the least regret over the ensemble, and
    whether it is the package that does most at the default values."""
    n = len(cr.members)
    c = cr.choices[0]
    head = f"Across {sets(n)},"
    if c.baseline:
        text = (
            f"{head} no package is a safe choice: keeping today's policy has the least regret "
            f"(on average {fmt(float(c.regret.mean()), 1)} exchange-years below the best choice in each set)"
        )
    else:
        text = (
            f"{head} {package_label(c.name)} is the most robust choice (the least regret): it beats the baseline in "
            f"{c.wins} of {n} (clearly in {c.clear_wins}) and ranks first in {_count(c.first)}; {_regret_text(c)}"
        )
    if res is not None and res.diffs:
        top = max(res.diffs, key=lambda p: res.diffs[p].diffs[EFFECT].estimate)
        if not c.baseline and top == c.name:
            text += ", the same package that does most at the default values"
        elif res.diffs[top].diffs[EFFECT].estimate > 0:
            text += f"; at the default values {package_label(top)} does most"
    return text + "."


def _icer_text(c: Choice) -> str:
    if c.baseline or not c.clear.any():
        return "-"
    v = c.icer()
    return "no extra money" if v == 0 else "saves money" if v < 0 else sek(v)


def table(cr: CaseRobust) -> Table:
    """Every choice over the members, the most robust (least mean regret) first."""
    n = len(cr.members)
    spread = "5-95 %" if n >= FEW else "smallest to largest"
    rows = []
    for c in cr.choices:
        med, lo, hi = c.spread()
        base = c.baseline
        rows.append(
            [
                _who(c),
                "-" if base else f"{c.wins} of {n}",
                "-" if base else f"{c.clear_wins} of {n}",
                "0 (by definition)" if base else f"{fmt(med, 1, True)} [{fmt(lo, 1, True)}, {fmt(hi, 1, True)}]",
                f"{100 * c.first / n:.0f} %",
                f"{fmt(float(c.regret.mean()), 1)} / {fmt(float(c.regret.max()), 1)}",
                "0" if base else fmt(float(np.median(c.costs)), 2, True),
                _icer_text(c),
            ]
        )
    return Table(
        f"{cr.name}: the choice across {sets(n)}",
        [
            "choice",
            "beats the baseline (mean effect above zero)",
            "clearly (95 % interval above zero)",
            f"extra exchange-years: median [{spread}]",
            "ranks first (ties shared)",
            "regret, mean / max (exchange-years)",
            "extra public money, MSEK (median)",
            "public money per extra exchange-year (median of sets with a clear gain)",
        ],
        rows,
        f"Per parameter set: each package against the baseline on the same {len(cr.seeds)} seeds. Regret: the best "
        "choice's extra exchange-years in a set minus this one's; keeping today's policy counts as a choice with none.",
    )


def fig_members(crs: list[CaseRobust], colours: dict[str, str], path: Path, results: list[CaseResult] | None = None) -> Figure:
    """Per case: every parameter set's effect of every package (a dot each), a box over them, and
    the effect at the default values (a black diamond)."""
    at_defaults = {r.case: r for r in results or []}
    fig, axes = plt.subplots(len(crs), 1, figsize=(9.5, 0.55 * max(len(c.policies) for c in crs) * len(crs) + 1.4 * len(crs) + 0.6))
    axes = np.atleast_1d(axes)
    rng = np.random.default_rng(0)  # jitter only; fixed so the figure is reproducible
    for ax, cr in zip(axes, crs, strict=True):
        pols = cr.policies
        data = [c.effects for c in pols]
        bp = ax.boxplot(data, orientation="horizontal", widths=0.55, patch_artist=True, showfliers=False, medianprops={"color": "black"})
        for patch, c in zip(bp["boxes"], pols, strict=True):
            patch.set_facecolor(colours.get(c.name, BASELINE_COLOUR))
            patch.set_alpha(0.3)
        for i, c in enumerate(pols):
            colour = colours.get(c.name, BASELINE_COLOUR)
            ax.scatter(c.effects, i + 1 + rng.uniform(-0.18, 0.18, c.n), s=14, color=colour, alpha=0.85, linewidths=0, zorder=3)
            res = at_defaults.get(cr.case)
            if res is not None and c.name in res.diffs:
                ax.scatter([res.diffs[c.name].diffs[EFFECT].estimate], [i + 1], marker="D", s=30, color="black", zorder=4)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(range(1, len(pols) + 1), [package_label(c.name) for c in pols], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(f"{cr.name} ({sets(len(cr.members))}, {len(cr.seeds)} seeds each)", fontsize=9)
        ax.set_xlabel("extra active exchange-years against the baseline (mean over seeds, per parameter set)", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    handles = [
        Line2D([], [], marker="o", ls="", color="#777777", markersize=4, label="one parameter set"),
        Line2D([], [], marker="D", ls="", color="black", markersize=5, label="at the default values"),
    ]
    axes[0].legend(handles=handles, fontsize=7, loc="best")
    fig.set_layout_engine("constrained")
    return _save(
        fig,
        "Robustness: each package's effect in every calibrated parameter set",
        path,
        "Effect across the calibrated ensemble",
        "Each dot is one parameter set of the ensemble: the package's mean extra exchange-years against the baseline "
        "on the same seeds; boxes span the middle half, the line is the median; the black diamond is the effect at "
        "the default values (the rest of the report). Dots right of the zero line beat the baseline.",
    )


def section(crs: list[CaseRobust], results: list[CaseResult], colours: dict[str, str], figdir: Path, about: str) -> Section:
    """The report's section: where the ensemble came from, a sentence per package, the tables, the figure."""
    paragraphs = [about]
    for cr in crs:
        paragraphs.append(f"In {cr.name}: " + " ".join(package_sentence(cr, c) for c in cr.policies))
    paragraphs.append(
        "A package beats the baseline in a parameter set when its mean effect there is above zero, and clearly when its "
        "95 % interval, as printed, lies above zero. Regret is what a choice gives up against the best choice in each set; "
        "keeping today's policy is a choice with no effect. The sets weigh equally: they are the ones the case facts did "
        "not rule out, not a probability distribution."
    )
    return Section(
        "robustness",
        "Robustness across the calibrated ensemble",
        paragraphs=paragraphs,
        tables=[table(cr) for cr in crs],
        figures=[fig_members(crs, colours, figdir / "ensemble_effects.png", results)],
    )
