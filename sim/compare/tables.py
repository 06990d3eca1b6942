"""The comparison report's tables: outcomes per policy and differences from the baseline.

Both writers render the same ``Table``, so the HTML and the Markdown can never disagree on a number.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sim.compare.analysis import OUTCOMES, CaseResult, fmt, fmt_interval, pct
from sim.compare.plain import package_label
from sim.compare.stats import Interval, clear


@dataclass
class Table:
    """A table both writers render: header, rows of text, and a note under it."""

    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""
    text: bool = False  # cells of words, aligned left (not figures, aligned right)


def _outcome_rows(columns: list[str], interval: Callable[[str, str], Interval], cell: Callable[[Interval, int], str]) -> list[list[str]]:
    """A row per outcome that has data in some column: its label and unit, then ``cell`` of each column's interval."""
    shown = [o for o in OUTCOMES if any(interval(c, o.key).n for c in columns)]
    return [[f"{o.label} ({o.unit})", *(cell(interval(c, o.key), o.decimals) for c in columns)] for o in shown]


def arm_table(res: CaseResult, arms: list[str]) -> Table:
    """Each arm on its own: means, probabilities and cost per unit, with intervals."""
    header = ["outcome (unit)", *(package_label(a) for a in arms)]
    rows = _outcome_rows(arms, lambda a, k: res.arms[a].means[k], fmt_interval)
    rows.append(["probability of collapse", *(_pct_interval(res.arms[a].collapse) for a in arms)])
    rows.append(["probability of no exchange", *(_pct_interval(res.arms[a].never) for a in arms)])
    rows.append(["public SEK per active exchange-year", *(_sek_interval(res.arms[a].sek_per_exchange_year) for a in arms)])
    rows.append(["public SEK per tonne CO2 avoided", *(_sek_interval(res.arms[a].sek_per_t_co2) for a in arms)])
    return Table(
        f"{res.name}: outcomes per policy",
        header,
        rows,
        "Mean [95 % interval from resampling the runs, which never leaves the range of the values] over runs; probabilities with 95 % Wilson intervals; cost per unit is total public money "
        "over total units, with a 95 % paired-bootstrap interval. 'n/a' means the horizon is too short or there were no units.",
    )


def diff_table(res: CaseResult, policies: list[str]) -> Table:
    """Each policy against the baseline on the same seeds: the effect, not the level."""
    header = ["outcome (unit)", *(package_label(p) for p in policies)]
    rows = _outcome_rows(policies, lambda p, k: res.diffs[p].diffs[k], _mark)
    rows.append(
        [
            "probability of collapse (percentage points)",
            *(_mark(res.diffs[p].collapse.scaled(100), 0) for p in policies),
        ]
    )
    for label, attr in (
        ("incremental SEK per extra exchange-year", "incremental_sek_per_exchange_year"),
        ("incremental SEK per extra tonne CO2", "incremental_sek_per_t_co2"),
    ):
        rows.append([label, *(_icer_cell(getattr(res.diffs[p], attr), res.diffs[p].diffs["public_funding_total_sek"]) for p in policies)])
    return Table(
        f"{res.name}: difference from the baseline (policy minus baseline, paired by seed)",
        header,
        rows,
        "Mean paired difference [95 % t interval]; collapse with Newcombe's paired score interval; * marks an interval "
        "that excludes zero. Incremental cost is extra public money over extra units (bootstrap interval), shown only "
        "when the policy clearly adds units (its interval lies above zero).",
    )


def _icer_cell(iv: Interval, d_cost: Interval) -> str:
    """Incremental cost per unit; a policy that adds units and saves money is 'dominant', not a negative price."""
    if not math.isfinite(iv.estimate):
        return "no clear gain"
    if d_cost.estimate <= 0:
        return "no extra cost" if d_cost.estimate == 0 else "saves money (dominant)"
    return _sek_interval(iv)


def _mark(iv: Interval, decimals: int) -> str:
    """A signed difference, starred when its interval excludes zero (a clear effect)."""
    return fmt_interval(iv, decimals, sign=True) + (" *" if clear(iv, decimals) else "")


def _pct_interval(iv: Interval) -> str:
    """A share with its interval, in per cent."""
    return f"{pct(iv.estimate)} [{pct(iv.low)}, {pct(iv.high)}]" if iv.n else "n/a"


def _sek_interval(iv: Interval, missing: str = "n/a") -> str:
    """Whole SEK with the interval when there is one (a single run has none)."""
    if not math.isfinite(iv.estimate):
        return missing
    if math.isnan(iv.low):
        return f"{fmt(iv.estimate, 0)}"
    return f"{fmt(iv.estimate, 0)} [{fmt(iv.low, 0)}, {fmt(iv.high, 0)}]"
