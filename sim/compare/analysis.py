"""From paired runs to numbers an analyst can quote: per-arm summaries, differences, costs, prose.

Everything here is computed from the runs table alone (one row per case, arm and seed), so the
report can be rebuilt from the stored Parquet batches without running the model again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.compare import plain, stats
from sim.compare.policies import PolicyPackage
from sim.compare.stats import Interval

# Levers whose cost is the authorities' own work, priced by an assumed parameter (see docs/parameters.md).
ASSUMED_PRICES = {
    "land_reservation": "params.land_planning.reservation_cost_sek_per_plot_year",
    "permit_time_factor": "params.permits.sandbox_cost_sek_per_case",
    "eed_heat_mandate": "params.eed_mandate.supervision_cost_sek_per_assessment",
}


@dataclass(frozen=True)
class Outcome:
    """A scalar outcome of a run, how to show it, and which direction is good for symbiosis."""

    key: str
    label: str
    unit: str
    scale: float = 1.0
    better: str | None = "higher"
    decimals: int = 1


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("exchange_years", "active exchange-years", "exchange-years"),
    Outcome("years_to_first_exchange", "years to the first exchange", "years", better="lower"),
    Outcome("active_exchanges_10y", "active exchanges after 10 years", "exchanges"),
    Outcome("active_exchanges_20y", "active exchanges after 20 years", "exchanges"),
    Outcome("co2_avoided_t_per_year_10y", "CO2 avoided in year 10", "t/yr", decimals=0),
    Outcome("co2_avoided_t_per_year_20y", "CO2 avoided in year 20", "t/yr", decimals=0),
    Outcome("virgin_water_saved_m3_per_year_10y", "virgin water saved in year 10", "1000 m3/yr", 1e-3),
    Outcome("virgin_water_saved_m3_per_year_20y", "virgin water saved in year 20", "1000 m3/yr", 1e-3),
    Outcome("co2_avoided_total_t", "CO2 avoided over the horizon", "t", decimals=0),
    Outcome("public_funding_total_sek", "public money spent", "MSEK", 1e-6, better=None, decimals=2),
    Outcome("investment_support_total_sek", "of which investment grants", "MSEK", 1e-6, better=None, decimals=2),
)
OUTCOME_BY_KEY = {o.key: o for o in OUTCOMES}


@dataclass
class ArmResult:
    """One arm of one case: means with t intervals, collapse and no-exchange shares, cost per unit."""

    arm: str
    n: int
    means: dict[str, Interval]
    collapse: Interval
    never: Interval
    sek_per_exchange_year: Interval
    sek_per_t_co2: Interval


@dataclass
class DiffResult:
    """One policy against the baseline in one case, paired by seed."""

    arm: str
    diffs: dict[str, Interval]
    collapse: Interval
    incremental_sek_per_exchange_year: Interval
    incremental_sek_per_t_co2: Interval
    identical: bool  # every outcome equal in every pair: the policy changed nothing here


@dataclass
class CaseResult:
    """All arms and differences of one case."""

    case: str
    name: str
    years: int
    seeds: list[int]
    arms: dict[str, ArmResult] = field(default_factory=dict)
    diffs: dict[str, DiffResult] = field(default_factory=dict)


def prepared(runs: pd.DataFrame, years_by_case: dict[str, int]) -> pd.DataFrame:
    """Runs with years to the first exchange censored at the horizon (a run without any counts as the horizon)."""
    out = runs.copy()
    horizon = out["case"].map(years_by_case).astype(float)
    out["never_exchanged"] = out["years_to_first_exchange"].isna()
    out["years_to_first_exchange"] = out["years_to_first_exchange"].astype(float).fillna(horizon)
    for o in OUTCOMES:
        out[o.key] = out[o.key].astype(float) * o.scale
    return out


def _arm(df: pd.DataFrame, arm: str) -> ArmResult:
    cost = df["public_funding_total_sek"].to_numpy() / OUTCOME_BY_KEY["public_funding_total_sek"].scale
    return ArmResult(
        arm=arm,
        n=len(df),
        means={o.key: stats.bootstrap_mean(df[o.key].to_numpy()) for o in OUTCOMES},
        collapse=stats.wilson(int(df["collapsed"].sum()), len(df)),
        never=stats.wilson(int(df["never_exchanged"].sum()), len(df)),
        sek_per_exchange_year=stats.ratio_of_means(cost, df["exchange_years"].to_numpy()),
        sek_per_t_co2=stats.ratio_of_means(cost, df["co2_avoided_total_t"].to_numpy()),
    )


def _diff(base: pd.DataFrame, pol: pd.DataFrame, arm: str) -> DiffResult:
    scale = OUTCOME_BY_KEY["public_funding_total_sek"].scale
    d_cost = (pol["public_funding_total_sek"].to_numpy() - base["public_funding_total_sek"].to_numpy()) / scale
    d_ey = pol["exchange_years"].to_numpy() - base["exchange_years"].to_numpy()
    d_co2 = pol["co2_avoided_total_t"].to_numpy() - base["co2_avoided_total_t"].to_numpy()
    keys = [o.key for o in OUTCOMES] + ["collapsed"]
    a = base[keys].to_numpy(dtype=float)
    b = pol[keys].to_numpy(dtype=float)
    identical = bool(np.array_equal(np.nan_to_num(a, nan=-1.0), np.nan_to_num(b, nan=-1.0)))
    diffs = {o.key: stats.paired_difference(base[o.key].to_numpy(), pol[o.key].to_numpy()) for o in OUTCOMES}
    return DiffResult(
        arm=arm,
        diffs=diffs,
        collapse=stats.newcombe_paired(base["collapsed"].to_numpy(), pol["collapsed"].to_numpy()),
        incremental_sek_per_exchange_year=_incremental(d_cost, d_ey, diffs["exchange_years"]),
        incremental_sek_per_t_co2=_incremental(d_cost, d_co2, diffs["co2_avoided_total_t"]),
        identical=identical,
    )


def _incremental(d_cost: np.ndarray, d_units: np.ndarray, gain: Interval) -> Interval:
    """Extra money per extra unit, only where the policy clearly adds units (else the ratio is noise)."""
    if not (stats.clear(gain, 1) and gain.estimate > 0):
        return Interval(math.nan, math.nan, math.nan, gain.n)
    return stats.ratio_of_means(d_cost, d_units)


def analyse(runs: pd.DataFrame, baseline: str, arms: list[str], names: dict[str, str], years: dict[str, int]) -> list[CaseResult]:
    """Per case: every arm's summary and every policy's paired difference from ``baseline``."""
    df = prepared(runs, years)
    out = []
    for case in dict.fromkeys(df["case"]):
        cdf = df[df["case"] == case]
        by_arm = {a: cdf[cdf["arm"] == a].sort_values("replication").reset_index(drop=True) for a in arms}
        base = by_arm[baseline]
        seeds = base["seed"].tolist()
        res = CaseResult(case, names.get(case, case), years[case], seeds)
        for a in arms:
            if by_arm[a]["seed"].tolist() != seeds:
                raise ValueError(f"{case}: arm {a!r} ran on other seeds than the baseline; a paired comparison needs the same seeds")
            res.arms[a] = _arm(by_arm[a], a)
            if a != baseline:
                res.diffs[a] = _diff(base, by_arm[a], a)
        out.append(res)
    return out


# ---- numbers as words -------------------------------------------------------------------------


def fmt(x: float, decimals: int = 1, sign: bool = False) -> str:
    """Thousands separators, fixed decimals, 'n/a' for a missing value."""
    if x is None or math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "unbounded" if x > 0 else "-unbounded"
    if decimals == 0 or abs(x) >= 1000:
        decimals = 0
    if round(x, decimals) == 0:
        return f"{0:.{decimals}f}"  # no '-0.0' or '+0.0'
    return f"{x:+,.{decimals}f}" if sign else f"{x:,.{decimals}f}"


def fmt_interval(iv: Interval, decimals: int = 1, sign: bool = False) -> str:
    if not math.isfinite(iv.estimate):
        return "n/a"
    if math.isnan(iv.low) or math.isnan(iv.high):
        return fmt(iv.estimate, decimals, sign)
    return f"{fmt(iv.estimate, decimals, sign)} [{fmt(iv.low, decimals, sign)}, {fmt(iv.high, decimals, sign)}]"


def pct(p: float) -> str:
    return "n/a" if not math.isfinite(p) else f"{100 * p:.0f} %"


def sek(x: float) -> str:
    """Money in the unit that reads best: SEK, thousand SEK or million SEK."""
    if x is None or math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "unbounded"
    if abs(x) >= 1e6:
        return f"SEK {x / 1e6:,.1f} million"
    if abs(x) >= 1e4:
        return f"SEK {x / 1e3:,.0f} thousand"
    return f"SEK {x:,.0f}"


lever_value = plain.value_text  # lever values as a reader writes them: yes/no, 1,200,000, 0.5


def lever_text(levers: dict[str, object]) -> str:
    return plain.levers_text(levers)


def _effect(d: Interval, base: Interval, pol: Interval, o: Outcome) -> str:
    if d.n == 0 or not math.isfinite(d.estimate):
        return f"could not be judged on {o.label} (the horizon is shorter)"
    if d.estimate == 0 and d.low == d.high == 0:
        return f"left {o.label} unchanged in every paired run ({fmt(base.estimate, o.decimals)} {o.unit})"
    if round(d.low, o.decimals) == 0 and round(d.high, o.decimals) == 0:
        return f"left {o.label} practically unchanged ({fmt(base.estimate, o.decimals)} {o.unit}; the interval rounds to zero)"
    if stats.clear(d, o.decimals):
        verb = "raised" if d.estimate > 0 else "lowered"
        if o.key == "years_to_first_exchange":
            verb = "delayed" if d.estimate > 0 else "brought forward"
            what = "the first exchange"
        else:
            what = o.label
        return (
            f"{verb} {what} by {fmt(abs(d.estimate), o.decimals)} {o.unit} on average "
            f"(95 % interval {fmt(d.low, o.decimals, True)} to {fmt(d.high, o.decimals, True)}; "
            f"{fmt(base.estimate, o.decimals)} to {fmt(pol.estimate, o.decimals)})"
        )
    return (
        f"had no clear effect on {o.label} ({fmt(d.estimate, o.decimals, True)} {o.unit}, "
        f"95 % interval {fmt(d.low, o.decimals, True)} to {fmt(d.high, o.decimals, True)} includes zero)"
    )


def _collapse_text(base: ArmResult, pol: ArmResult, d: Interval) -> str:
    p0, p1 = base.collapse.estimate, pol.collapse.estimate
    if d.estimate == 0 and p0 == p1 and (p0 in (0.0, 1.0)):
        return f"the chance that the cluster collapses stayed at {pct(p0)}"
    if stats.clear(d.scaled(100), 0):
        word = "more" if d.estimate > 0 else "less"
        return (
            f"collapse became {word} likely ({pct(p0)} to {pct(p1)} of runs; difference "
            f"{fmt(100 * d.low, 0, True)} to {fmt(100 * d.high, 0, True)} percentage points)"
        )
    return (
        f"the chance of collapse did not clearly change ({pct(p0)} vs {pct(p1)} of runs; the difference's "
        f"95 % interval {fmt(100 * d.low, 0, True)} to {fmt(100 * d.high, 0, True)} percentage points includes zero)"
    )


def _cost_text(res: CaseResult, baseline: str, dr: DiffResult, package: PolicyPackage) -> str:
    dc = dr.diffs["public_funding_total_sek"]
    de = dr.diffs["exchange_years"]
    assumed = [plain.ASSUMED_PRICE_WORDS[lever] for lever in sorted(ASSUMED_PRICES.keys() & set(package.levers))]
    note = (
        " The authorities' own work for it is priced by assumption (" + ", ".join(assumed) + "); the price and how to "
        "put in your own are in the reproducibility section."
        if assumed
        else ""
    )
    if dc.estimate == 0 and dc.low == dc.high == 0:
        cost = "It spent exactly the same public money as the baseline in every run"
    elif stats.clear(dc, 2):
        cost = (
            f"It spent {sek(abs(dc.estimate) * 1e6)} {'more' if dc.estimate > 0 else 'less'} public money per run "
            f"on average (95 % interval {fmt(dc.low, 2, True)} to {fmt(dc.high, 2, True)} MSEK)"
        )
    else:
        cost = f"Its public spending had no clear difference from the baseline ({fmt(dc.estimate, 2, True)} MSEK, interval includes zero)"
    base_ce = res.arms[baseline].sek_per_exchange_year.estimate
    pol_ce = res.arms[dr.arm].sek_per_exchange_year.estimate
    ce = f"; public money per active exchange-year was {sek(pol_ce)} against {sek(base_ce)} in the baseline"
    gain = stats.clear(de, 1) and de.estimate > 0
    if gain and dc.estimate > 0 and stats.clear(dc, 2):
        icer = dr.incremental_sek_per_exchange_year
        ico2 = dr.incremental_sek_per_t_co2
        extra = f". Each extra active exchange-year cost about {sek(icer.estimate)}"
        if not math.isnan(icer.low):
            extra += f" (bootstrap interval {sek(icer.low)} to {sek(icer.high)})"
        if math.isfinite(ico2.estimate) and stats.clear(dr.diffs["co2_avoided_total_t"], 0):
            extra += f" and each extra tonne of CO2 avoided about {sek(ico2.estimate)}"
        ce += extra
    elif gain and dc.estimate <= 0:
        ce += ". It gave more exchange-years for no more public money"
    elif not gain and stats.clear(dc, 2) and dc.estimate > 0:
        ce += ". The extra money bought no clear gain in exchange-years"
    return cost + ce + "." + note


def reading(results: list[CaseResult], baseline: str, package: PolicyPackage) -> str:
    """One paragraph in plain words for one policy, built from the numbers of every case."""
    levers = lever_text(package.levers)
    parts = [f"{package.title} ({levers})."]
    for res in results:
        dr = res.diffs[package.name]
        base, pol = res.arms[baseline], res.arms[package.name]
        n = base.n
        head = f"In {res.name}, over {res.years} years and {n} paired runs,"
        if dr.identical:
            parts.append(f"{head} it changed nothing: every outcome equalled the baseline's in every run.")
            continue
        main = _effect(
            dr.diffs["exchange_years"], base.means["exchange_years"], pol.means["exchange_years"], OUTCOME_BY_KEY["exchange_years"]
        )
        first = _effect(
            dr.diffs["years_to_first_exchange"],
            base.means["years_to_first_exchange"],
            pol.means["years_to_first_exchange"],
            OUTCOME_BY_KEY["years_to_first_exchange"],
        )
        co2_key = next((k for k in ("co2_avoided_t_per_year_20y", "co2_avoided_t_per_year_10y") if dr.diffs[k].n), "co2_avoided_total_t")
        co2 = _effect(dr.diffs[co2_key], base.means[co2_key], pol.means[co2_key], OUTCOME_BY_KEY[co2_key])
        parts.append(
            f"{head} it {main}; it {first}; it {co2}; and {_collapse_text(base, pol, dr.collapse)}. "
            + _cost_text(res, baseline, dr, package)
        )
    return " ".join(parts)
