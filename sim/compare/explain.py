"""Why a package did or did not work: the counts of what its measures act on, per run.

Each lever acts through a mechanism that leaves counts in the runs table (start-ups that
entered, guarantees paid, projects funded, grants paid or refused, permits granted, heat
assessments, plots re-planned). A lever whose target never occurs in any run of either arm had
nothing to act on, which the report says instead of leaving "changed nothing" unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.compare import stats
from sim.compare.analysis import CaseResult, fmt
from sim.compare.league import PROJECT_LEVERS
from sim.compare.plain import lever_name, package_label
from sim.compare.policies import PolicyPackage
from sim.compare.tables import Table

NOTHING = "nothing to act on"


@dataclass(frozen=True)
class Target:
    """What a lever acts on: the counts that show it, and the words when there is none."""

    counts: tuple[str, ...]  # shown, baseline -> package; the first ones decide "nothing to act on"
    decisive: int  # how many of the first counts must all be zero in every run for "nothing to act on"
    none: str  # why there was nothing to act on


COUNT_WORDS = {
    "startups_entered": "start-ups that entered",
    "startup_exchanges_started": "exchanges with a start-up started",
    "guarantees_paid": "guarantees paid out",
    "facilitators": "facilitators",
    "projects_started": "facilitation projects funded",
    "project_applications_refused": "project applications refused",
    "project_budget_full_years": "programme-years with the appropriation used up",
    "anchor_exchanges_started": "exchanges with an anchor supplier started",
    "permits_granted": "permits granted (sped up under the package)",
    "plots_replanned": "industrial plots re-planned for housing",
    "heat_assessments": "heat assessments made",
    "investment_grants": "investment grants paid",
    "investment_grants_refused_new_establishment": "grants refused (new establishment)",
    "investment_grants_refused_budget": "grants refused for lack of budget",
    "exchanges_started": "exchanges started",
}

TARGETS: dict[str, Target] = {
    "startup_guarantee_share": Target(
        ("startups_entered", "startup_exchanges_started", "guarantees_paid"),
        2,
        "no start-up entered or had an exchange in any run, so there was no start-up investment to guarantee",
    ),
    "funding_gap_months": Target(
        ("facilitators", "projects_started", "project_applications_refused", "project_budget_full_years"),
        1,
        "there was no facilitator to fund",
    ),
    "funding_anchor_eligible": Target(
        ("facilitators", "projects_started", "anchor_exchanges_started"), 1, "there was no facilitator whose projects could widen"
    ),
    "facilitator_base_funding_sek_per_year": Target(("facilitators",), 1, "there was no facilitator to fund"),
    "permit_time_factor": Target(("permits_granted",), 1, "no exchange needed a permit in any run"),
    "land_reservation": Target(
        ("plots_replanned", "startups_entered"),
        1,
        "no industrial plot was ever re-planned for housing, so reserving land protected nothing",
    ),
    "eed_heat_mandate": Target(("heat_assessments",), 1, "no installation above the size limit and no data centre had heat to assess"),
    "investment_support_symbiosis_eligible": Target(
        ("investment_grants", "investment_grants_refused_new_establishment", "investment_grants_refused_budget"),
        3,
        "no exchange applied for investment support (the place has no such programme, or nothing to apply for)",
    ),
    "investment_support_budget_factor": Target(
        ("investment_grants", "investment_grants_refused_new_establishment", "investment_grants_refused_budget"),
        3,
        "no exchange applied for investment support (the place has no such programme, or nothing to apply for)",
    ),
    "landfill_tax_sek_per_t": Target(("exchanges_started",), 1, "no exchange started in any run, so no by-product was priced"),
    "co2_price_sek_per_t": Target(("exchanges_started",), 1, "no exchange started in any run, so no avoided emission was priced"),
}


def _means(df: pd.DataFrame, case: str, arm: str) -> dict[str, float]:
    c = df[(df["case"] == case) & (df["arm"] == arm)]
    return {k: float(c[k].fillna(0).mean()) for k in COUNT_WORDS if k in c}


def _totals(df: pd.DataFrame, case: str, arms: list[str], key: str) -> float:
    c = df[(df["case"] == case) & df["arm"].isin(arms)]
    return float(c[key].fillna(0).abs().sum()) if key in c else 0.0


def lever_reason(df: pd.DataFrame, case: str, baseline: str, arm: str, lever: str) -> tuple[bool, str]:
    """(nothing to act on?, the counts or the reason) for one lever of one package in one case."""
    t = TARGETS.get(lever)
    if t is None:
        return False, ""
    decisive = t.counts[: t.decisive]
    if all(_totals(df, case, [baseline, arm], k) == 0 for k in decisive):
        return True, f"{lever_name(lever)}: {NOTHING}: {t.none}."
    b, p = _means(df, case, baseline), _means(df, case, arm)
    shown = [f"{COUNT_WORDS[k]} {fmt(b.get(k, 0.0), 1)} -> {fmt(p.get(k, 0.0), 1)}" for k in t.counts if k in p]
    text = f"{lever_name(lever)}: " + ", ".join(shown) + "."
    if lever in PROJECT_LEVERS and p.get("project_budget_full_years", 0.0) > 0:
        text += (
            f" The programmes' yearly appropriations were used up in {fmt(p['project_budget_full_years'], 1)} programme-years "
            "a run: the budget cap, not this measure, limited how many projects could be funded."
        )
    return False, text


def explain(res: CaseResult, df: pd.DataFrame, package: PolicyPackage, baseline: str) -> str:
    """Every lever of a package in one case: what it acted on, or that it had nothing to act on.

    Levers that act through the same thing (two investment-support levers, two prices) share one line."""
    reasons = [lever_reason(df, res.case, baseline, package.name, lever) for lever in package.levers]
    head = f"Nothing to act on in {res.name}: " if reasons and all(nothing for nothing, _ in reasons) else ""
    grouped: dict[str, list[str]] = {}
    for lever, (_, text) in zip(package.levers, reasons, strict=True):
        if text:
            grouped.setdefault(text.split(": ", 1)[1], []).append(lever_name(lever))
    return head + " ".join(f"{' and '.join(names)}: {tail}" for tail, names in grouped.items()) or "-"


def why_table(res: CaseResult, df: pd.DataFrame, packages: list[PolicyPackage]) -> Table:
    """Per package: its effect in a word, and the counts (mean per run, baseline -> package) behind it."""
    baseline = packages[0].name
    rows = []
    for p in packages[1:]:
        d = res.diffs[p.name]
        eff = d.diffs["exchange_years"]
        effect = (
            "changed nothing"
            if d.identical
            else f"{fmt(eff.estimate, 1, True)} exchange-years" + ("" if stats.clear(eff, 1) else " (no clear effect)")
        )
        rows.append([package_label(p.name), effect, explain(res, df, p, baseline)])
    return Table(
        f"{res.name}: why the packages did or did not work",
        ["package", "effect", "what its measures acted on (mean per run: baseline -> package)"],
        rows,
        "'Nothing to act on' means the thing a measure works through never occurred in any run of the baseline or the "
        "package: the measure could not have changed anything there.",
        text=True,
    )
