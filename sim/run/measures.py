"""Measures taken on a run's tables that studies, the validation and the tests share.

Each takes what :func:`sim.run.runner.run` returns (the ``timeseries`` or ``exchanges`` table) and
gives one number or flag per run.
"""

from __future__ import annotations

from collections import Counter
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


class Tally:
    """What a run's events say, counted in one pass over their columns: the kinds, the reasons an
    investment grant was refused, the plots re-planned and the operating exchanges ended by a
    partner's exit. Comparing pandas columns against each name in turn cost more than a case's
    summary otherwise does."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.kinds: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.replanned = 0
        self.partner_exit_ended = 0
        if not len(events):
            return
        kinds = events["kind"].tolist()
        self.kinds.update(kinds)
        reasons = events["reason"].tolist()
        if self.kinds["investment_grant_denied"]:
            self.refused.update(r for k, r in zip(kinds, reasons, strict=True) if k == "investment_grant_denied")
        if self.kinds["land_replanned"]:  # a count below 0 counts as none, a missing one not at all
            counts = events["count"].tolist()
            self.replanned = int(sum(max(c, 0) for k, c in zip(kinds, counts, strict=True) if k == "land_replanned" and c == c))
        if self.kinds["exchange_ended"]:
            ended = zip(kinds, reasons, events["was_operating"].tolist(), strict=True)
            self.partner_exit_ended = sum(1 for k, r, w in ended if k == "exchange_ended" and r == "partner_exit" and w == w and bool(w))


def mechanism_counts(model: Any, events: pd.DataFrame | Tally) -> dict[str, int]:
    """How often each policy-relevant mechanism acted in a run, so a report can say why a lever did
    (or could not do) anything: guarantees paid, projects funded, grants paid or refused, permits,
    heat assessments, plots re-planned, and the programme-years whose appropriation was full."""
    tally = events if isinstance(events, Tally) else Tally(events)
    kinds = tally.kinds
    return {
        "guarantees_paid": kinds["guarantee_paid"],
        "projects_started": kinds["project_started"],
        "project_applications_refused": kinds["funding_denied"],
        "project_budget_full_years": project_budget_full_years(model),
        "investment_grants": kinds["investment_grant"],
        "investment_grants_refused_budget": tally.refused["budget_exhausted"],
        "investment_grants_refused_new_establishment": tally.refused["no_existing_emissions"],
        "permits_granted": kinds["permit_granted"],
        "heat_assessments": kinds["heat_assessment"],
        "plots_replanned": tally.replanned,
        "financing_failed": kinds["financing_failed"],
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
