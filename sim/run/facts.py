"""Each fact of a case file measured on one run's tables, and the seeds' values judged against the report.

:func:`observe` reads what :func:`sim.run.runner.run` returns (``timeseries``, ``events``,
``exchanges``) and gives one value per fact and seed: a yes/no for the yes/no kinds, a number for
``count``. :func:`judge` aggregates the seeds with the criterion of configs/cases/README.md: a
yes-fact expected true holds if it happens in more than half of the seeds and the 95 % Wilson
interval of its share excludes 0 (expected false: below half, and the interval excludes 1); a count
(or quantity) holds if the seeds' mean lies in [lo, hi] (its 95 % t interval is reported, not judged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import ScenarioConfig
from sim.config.facts import RANGED, FactConfig
from sim.config.history import all_firms

ARRIVALS = ("firm_entry", "firm_entered")  # a dated arrival of the case history, an establishment company
BIRTHS = ("firm_birth",)  # an ordinary firm born in a municipality: counts only for a fact naming its sector


def window_steps(cfg: ScenarioConfig, fact: FactConfig) -> tuple[int, int]:
    """The first and last month (steps, inclusive) of the fact's calendar years, inside the run."""
    first = (fact.window[0] - cfg.start_year) * 12 + 1
    last = (fact.window[1] - cfg.start_year) * 12 + 12
    return max(1, first), min(cfg.steps, last)


def _operating_in(exchanges: pd.DataFrame, first: int, last: int) -> np.ndarray:
    """Whether each exchange operated at the end of some month of [first, last] (as active_exchanges counts it)."""
    since, ended = exchanges["operating_since"].to_numpy(), exchanges["ended_step"].to_numpy()
    return (since >= 0) & (since <= last) & ((ended < 0) | (ended > np.maximum(since, first)))


def _is(frame: pd.DataFrame, column: str, value: object) -> np.ndarray:
    """Rows whose ``column`` equals ``value`` (a missing value equals nothing), as pandas' ``==``
    would say, without its per-call cost: a case's facts ask dozens of such questions a run."""
    return frame[column].to_numpy() == value


def _pair(frame: pd.DataFrame, fact: FactConfig) -> np.ndarray:
    keep = _is(frame, "resource", fact.resource)
    if fact.supplier is not None:
        keep &= _is(frame, "supplier", fact.supplier)
    if fact.receiver is not None:
        keep &= _is(frame, "receiver", fact.receiver)
    return keep


def _months(ts: pd.DataFrame, first: int, last: int) -> np.ndarray:
    step = ts["step"].to_numpy()
    return (step >= first) & (step <= last)


def observe(cfg: ScenarioConfig, fact: FactConfig, ts: pd.DataFrame, events: pd.DataFrame, exchanges: pd.DataFrame) -> float:
    """The fact's observable in one run: 1.0/0.0 for a yes/no kind, the statistic for ``count``;
    NaN where the run does not cover the fact's years (a sweep that shortens or moves a case), which
    the verdict leaves out rather than counting as "did not happen"."""
    if fact.window[0] < cfg.start_year or fact.window[1] > cfg.start_year + cfg.years - 1:
        return math.nan
    first, last = window_steps(cfg, fact)
    kind = fact.observe
    if kind == "exchange":
        return float(bool((_pair(exchanges, fact) & _operating_in(exchanges, first, last)).any()))
    if kind == "exchange_started":
        since = exchanges["operating_since"].to_numpy()
        return float(bool((_pair(exchanges, fact) & (since >= max(first, 1)) & (since <= last)).any()))
    if kind == "cluster_active":
        return float(bool(ts["cluster_active"].to_numpy()[_months(ts, first, last)].astype(bool).any()))
    if kind == "firm_present":
        return float(_present(cfg, fact.firm or "", events, last))
    if kind in ("firm_entered", "permit_denied", "land_replanned") and not len(events):
        return 0.0
    if kind == "firm_entered":
        hit = _in_window(events, first, last)
        hit &= np.logical_or.reduce([_is(events, "kind", k) for k in ARRIVALS + (BIRTHS if fact.sector is not None else ())])
        if fact.firm is not None:
            hit &= _is(events, "firm", fact.firm)
        if fact.sector is not None:
            hit &= _is(events, "sector", fact.sector)
        return float(bool(hit.any()))
    if kind == "permit_denied":
        hit = _in_window(events, first, last) & _is(events, "kind", "permit_denied") & _is(events, "resource", fact.resource)
        if fact.firm is not None:
            hit &= _is(events, "supplier", fact.firm) | _is(events, "receiver", fact.firm) | _is(events, "firm", fact.firm)
        return float(bool(hit.any()))
    if kind == "land_replanned":
        hit = _in_window(events, first, last) & _is(events, "kind", "land_replanned")
        if fact.municipality is not None:
            hit &= _is(events, "municipality", fact.municipality)
        return float(bool(hit.any()))
    if kind == "falls":
        col, step = ts[fact.metric].astype(float), ts["step"].to_numpy()
        first_year = col[(step >= first) & (step < first + 12)].mean()
        last_year = col[(step > last - 12) & (step <= last)].mean()
        return float(bool(last_year < first_year))
    if kind == "quantity":
        live = _pair(exchanges, fact) & _operating_in(exchanges, last, last)
        return float(np.nansum(exchanges["quantity_per_month"].to_numpy(dtype=float)[live]))  # pandas' sum: NaN as 0
    if kind == "count":
        months = ts[fact.metric].astype(float)[_months(ts, first, last)]
        if not len(months):
            return math.nan
        return float(months.iloc[-1]) if fact.stat == "last" else float(getattr(months, fact.stat)())
    raise ValueError(f"observe: value {kind!r} has no measure")


def _in_window(events: pd.DataFrame, first: int, last: int) -> np.ndarray:
    step = events["step"].to_numpy()
    return (step >= first) & (step <= last)


def _present(cfg: ScenarioConfig, firm: str, events: pd.DataFrame, last: int) -> bool:
    """Alive at the end of month ``last``: arrived by then (from the start, or on its date) and not exited."""
    arrival = {fc.name: step for _, fc, step in all_firms(cfg)}.get(firm)
    if arrival is None or arrival > last:
        return False
    if not len(events):
        return True
    exits = _is(events, "kind", "firm_exited") & _is(events, "firm", firm) & (events["step"].to_numpy() <= last)
    return not exits.any()


@dataclass(frozen=True)
class Verdict:
    """A fact's value over the seeds: share (yes/no) or mean (count), its 95 % interval, and whether it holds."""

    measured: float
    low: float
    high: float
    seeds: int
    holds: bool

    def text(self, count: bool) -> str:
        if count:
            return f"{self.measured:.2f} [{self.low:.2f}, {self.high:.2f}]"
        return f"{self.measured:.0%} [{self.low:.0%}, {self.high:.0%}]"


def judge(fact: FactConfig, values: list[float] | np.ndarray) -> Verdict:
    """Aggregate the seeds' values of one fact with the docking criterion."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        return Verdict(math.nan, math.nan, math.nan, 0, False)
    if fact.observe in RANGED:
        lo, hi = fact.expect  # type: ignore[misc]
        mean = float(v.mean())
        if n > 1 and v.std(ddof=1) > 0:
            low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=stats.sem(v))
        else:
            low = high = mean
        return Verdict(mean, float(low), float(high), n, bool(lo <= mean <= hi))
    k = int(v.sum())
    share = k / n
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = ci.low, ci.high
    holds = (share > 0.5 and low > 0) if fact.expect is True else (share < 0.5 and high < 1)
    return Verdict(share, float(low), float(high), n, bool(holds))


def expected_text(fact: FactConfig) -> str:
    if fact.observe in RANGED:
        lo, hi = fact.expect  # type: ignore[misc]
        what = fact.stat if fact.observe == "count" else "quantity"
        return f"{what} in [{lo:g}, {hi:g}]"
    yes, no = WORDS[fact.observe]
    return yes if fact.expect is True else no


WORDS = {
    "exchange": ("operates", "does not operate"),
    "exchange_started": ("starts", "does not start"),
    "cluster_active": ("active", "not active"),
    "firm_present": ("present", "absent"),
    "firm_entered": ("enters", "none enters"),
    "permit_denied": ("denied", "not denied"),
    "land_replanned": ("re-planned", "not re-planned"),
    "falls": ("falls", "does not fall"),
}
