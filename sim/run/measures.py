"""Measures taken on a run's tables that studies, the validation and the tests share.

Each takes what :func:`sim.run.runner.run` returns (the ``timeseries`` or ``exchanges`` table) and
gives one number or flag per run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def water_first_month(exchanges: pd.DataFrame, horizon: int, supplier: str = "Millby Wastewater") -> float:
    """Month the supplier's water first reaches a receiver; ``horizon + 1`` if never (censored).

    Permitting sits between discovery and operation, so a harder permit delays it (P6)."""
    w = exchanges[(exchanges["supplier"] == supplier) & (exchanges["operating_since"] > 0)]
    return float(w["operating_since"].min()) if len(w) else float(horizon + 1)


def water_permits_denied(exchanges: pd.DataFrame, supplier: str = "Millby Wastewater") -> float:
    """The supplier's water exchanges that ended with a denied permit (P6)."""
    return float(((exchanges["supplier"] == supplier) & (exchanges["end_reason"] == "permit_denied")).sum())


def active_before(timeseries: pd.DataFrame, step: int, months: int = 12) -> bool:
    """Whether the cluster passed the 3-2 test in any of the ``months`` months before ``step``."""
    cluster = timeseries["cluster_active"].to_numpy(dtype=bool)
    return bool(cluster[max(0, step - 1 - months) : step - 1].any())


def inactive_at_end(timeseries: pd.DataFrame, window: int) -> bool:
    """Whether the cluster failed the 3-2 test in each of the last ``window`` months."""
    return bool(not timeseries["cluster_active"].to_numpy(dtype=bool)[-window:].any())


def collapsed_after(timeseries: pd.DataFrame, step: int, window: int) -> bool:
    """Collapse after an event at ``step``: active in the year before it, inactive at the end."""
    return active_before(timeseries, step) and inactive_at_end(timeseries, window)


def longest_active_years(timeseries: pd.DataFrame, step: int) -> float:
    """Years from ``step`` to the last month the cluster was active (0 if never again)."""
    after = np.flatnonzero(timeseries["cluster_active"].to_numpy(dtype=bool)[step - 1 :])
    return (after[-1] + 1) / 12.0 if len(after) else 0.0


MECHANISM_COUNTS: tuple[str, ...] = (
    "guarantees_paid",
    "projects_started",
    "project_applications_refused",
    "project_budget_full_years",
    "investment_grants",
    "investment_grants_refused_budget",
    "investment_grants_refused_new_establishment",
    "permits_granted",
    "heat_assessments",
    "plots_replanned",
    "financing_failed",
    "facilitators",
)


def mechanism_counts(model: Any, events: pd.DataFrame) -> dict[str, int]:
    """How often each policy-relevant mechanism acted in a run, so a report can say why a lever did
    (or could not do) anything: guarantees paid, projects funded, grants paid or refused, permits,
    heat assessments, plots re-planned, and the programme-years whose appropriation was full."""
    kinds = events["kind"] if len(events) else pd.Series(dtype=str)
    reasons = events["reason"] if len(events) else pd.Series(dtype=str)
    denied = kinds == "investment_grant_denied"
    replanned = events.loc[kinds == "land_replanned", "count"] if len(events) else pd.Series(dtype=int)
    return {
        "guarantees_paid": int((kinds == "guarantee_paid").sum()),
        "projects_started": int((kinds == "project_started").sum()),
        "project_applications_refused": int((kinds == "funding_denied").sum()),
        "project_budget_full_years": project_budget_full_years(model),
        "investment_grants": int((kinds == "investment_grant").sum()),
        "investment_grants_refused_budget": int((denied & (reasons == "budget_exhausted")).sum()),
        "investment_grants_refused_new_establishment": int((denied & (reasons == "no_existing_emissions")).sum()),
        "permits_granted": int((kinds == "permit_granted").sum()),
        "heat_assessments": int((kinds == "heat_assessment").sum()),
        "plots_replanned": int(replanned.clip(lower=0).sum()),
        "financing_failed": int((kinds == "financing_failed").sum()),
        "facilitators": len(getattr(model, "facilitators", [])),
    }


def project_budget_full_years(model: Any) -> int:
    """Programme-years in which a public project programme's yearly appropriation had no room for one
    more facilitation project-year of any facilitator of its region: the budget cap, not the policy,
    then limited what facilitation could be funded (the programme rule is ``Programme.can_fund``)."""
    years = range(model.config.start_year, model.date_of(model.steps)[0] + 1)
    full = 0
    for region in model.regions:
        facs = [f for f in model.facilitators if f.region == region.idx]
        if not facs:
            continue
        for prog in region.programmes:
            if not prog.public or prog.budget_sek_per_year is None:
                continue
            year_need = 12.0 * min(f.cost_sek_per_month for f in facs) * prog.funding_rate
            for y in years:
                if prog.is_open(y) and prog.committed_by_year.get(y, 0.0) + year_need > prog.appropriation(y) + 1e-6:
                    full += 1
    return full
