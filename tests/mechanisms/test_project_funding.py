"""Project funding (sim/mechanisms/project_funding.py): a facilitator lives on a region's projects,
one after another with a gap between; SME-only money does not pay for work with an anchor; base
funding and membership fees bridge gaps."""

from __future__ import annotations

import pytest

from sim.mechanisms import project_funding
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
COST = 150_000.0
FUND = {"name": "Fund", "budget_sek": 100e6, "funding_rate": 0.5, "project_length_months": 12, "call_interval_months": 12}


def _model(programme: dict | None = FUND, approval: float = 1.0, **kw):
    return b.new(
        b.firm("Mill", "anchor", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 500, 40)]),
        facilitator={"cost_sek_per_month": COST, **kw.pop("facilitator", {})},
        programme=programme,
        params={"project_funding": {"approval_probability": approval}, **kw.pop("params", {})},
        **kw,
    )


def _steps(m, kind: str) -> list[int]:
    return [e["step"] for e in b.events(m, kind)]


def test_a_granted_project_funds_full_capacity_and_costs_its_public_share() -> None:
    m = b.step(_model(), 1)
    fac = m.facilitators[0]
    assert _steps(m, "project_started") == [1]
    assert fac.funded_share == 1.0, "partners co-finance the rest of a running project"
    assert b.public_sek_this_month(m) == pytest.approx(0.5 * COST)


def test_projects_follow_each_other_after_the_funding_gap() -> None:
    m = b.step(_model(policy={"funding_gap_months": 6}), 40)
    assert _steps(m, "project_started") == [1, 19, 37]
    assert _steps(m, "project_ended") == [13, 31]


def test_in_a_gap_nothing_is_funded() -> None:
    m = b.step(_model(policy={"funding_gap_months": 6}), 15)
    assert m.facilitators[0].funded_share == 0.0 and b.public_sek_this_month(m) == 0.0


def test_a_rejected_application_waits_for_the_next_call() -> None:
    m = b.step(_model(approval=0.0), 30)
    assert _steps(m, "funding_denied") == [1, 13, 25]
    assert not b.events(m, "project_started")


def test_a_spent_budget_funds_no_further_project() -> None:
    one_project = {**FUND, "budget_sek": 0.5 * COST * 12}
    m = b.step(_model(one_project, policy={"funding_gap_months": 0}), 30)
    assert _steps(m, "project_started") == [1]


def test_sme_only_money_does_not_reach_the_anchor() -> None:
    sme_only = b.step(_model(facilitator={"initial_engagement": 1.0}), 2)
    assert sme_only.facilitators[0].anchor_coverage == 0.0
    assert b.facilitation_rate(sme_only, "Mill") == 0.0 < b.facilitation_rate(sme_only, "Grower")
    eligible = b.step(_model(facilitator={"initial_engagement": 1.0}, policy={"funding_anchor_eligible": True}), 2)
    assert eligible.facilitators[0].anchor_coverage == 1.0
    assert b.facilitation_rate(eligible, "Mill") == pytest.approx(b.facilitation_rate(eligible, "Grower"))
    assert b.facilitation_rate(eligible, "Mill") > 0
    fac = eligible.facilitators[0]
    assert project_funding.covers(fac, b.firm_named(eligible, "Mill").role) == fac.anchor_coverage


def test_base_funding_pays_its_share_without_a_project_and_reaches_anchors() -> None:
    m = b.step(_model(None, policy={"facilitator_base_funding_sek_per_year": 6 * COST}), 1)
    fac = m.facilitators[0]
    assert fac.funded_share == pytest.approx(0.5) and fac.anchor_coverage == pytest.approx(0.5)
    assert b.public_sek_this_month(m) == pytest.approx(0.5 * COST)


def test_switched_off_funding_never_binds_and_costs_nothing() -> None:
    m = b.step(_model(None, mechanisms={"project_funding": False}), 1)
    fac = m.facilitators[0]
    assert fac.funded_share == fac.anchor_coverage == 1.0
    assert b.public_sek_this_month(m) == 0.0


@pytest.mark.slow
def test_project_funding_gap_loses_exchanges() -> None:
    """P2/P8: a gap between projects leaves fewer active exchanges after ten years."""
    no_gap = outcomes(None, {"policy.funding_gap_months": 0}, "active_exchanges_10y", n=60, steps=TEN_YEARS)
    gap = outcomes(None, {"policy.funding_gap_months": 24}, "active_exchanges_10y", n=60, steps=TEN_YEARS)
    greater(no_gap, gap)


@pytest.mark.slow
def test_permanent_base_funding_bridges_gaps() -> None:
    """§3.3: permanent base funding keeps facilitation going through project gaps."""
    base = outcomes(
        None, {"policy.funding_gap_months": 24, "policy.facilitator_base_funding_sek_per_year": 1.8e6}, "mean_engagement", steps=TEN_YEARS
    )
    none = outcomes(None, {"policy.funding_gap_months": 24}, "mean_engagement", steps=TEN_YEARS)
    greater(base, none)


@pytest.mark.slow
def test_anchor_eligible_funding_reaches_the_anchor() -> None:
    """P10: SME-only money cannot reach the anchor; anchor-eligible money brings more anchor exchanges."""
    eligible = outcomes(None, {"policy.funding_anchor_eligible": True}, "anchor_exchanges_started", n=60, steps=TEN_YEARS)
    sme_only = outcomes(None, {"policy.funding_anchor_eligible": False}, "anchor_exchanges_started", n=60, steps=TEN_YEARS)
    greater(eligible, sme_only)
