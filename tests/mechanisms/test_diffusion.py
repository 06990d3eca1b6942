"""Diffusion (sim/mechanisms/diffusion.py): a municipality whose exchanges have run long enough to
be visible inspires others without a facilitator to start a unit of their own, through meetings
(more likely the nearer) and study visits to a well-known symbiosis (at any distance)."""

from __future__ import annotations

import math

import pytest

from sim.mechanisms import diffusion
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

SOON = {"diffusion": {"visible_after_months": 6, "rate_per_year": 1.0, "radius_km": 60.0}}


def _model(neighbour_at: float = 40.0, **kw):
    return b.new(
        b.firm("Mill", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 1000, 40)]),
        b.firm("Away", at=(neighbour_at, 10), municipality=b.NEIGHBOUR),
        neighbour={"centre_km": [neighbour_at, 10.0]},
        mechanisms={"trust": False, "diffusion": True, **kw.pop("mechanisms", {})},
        params={**SOON, **kw.pop("params", {})},
        **kw,
    )


def test_a_visible_symbiosis_starts_a_unit_in_a_neighbour() -> None:
    m = _model()
    assert b.step_until(m, lambda m: b.events(m, "facilitation_started"), 24)
    (ev,) = b.events(m, "facilitation_started")
    assert ev["municipality"] == b.NEIGHBOUR and ev["detail"] == "inspired by a neighbour"
    first_operating = b.operating(m)[0].operating_since
    assert ev["step"] == first_operating + 5, "visible in its sixth month of running, then inspiring for certain"
    (fac,) = m.facilitators
    neighbour = next(mun for mun in m.municipalities if mun.name == b.NEIGHBOUR)
    assert fac.municipalities == [neighbour.idx] and neighbour.facilitator == 0
    assert fac.engagement == 0.0 and fac.cost_sek_per_month == m.params.diffusion.unit_cost_sek_per_month


def _chance(neighbour_at: float, operating: int = 1, **params) -> float:
    """The neighbour's monthly chance of being inspired once the town's symbiosis is visible."""
    m = _model(neighbour_at, params={"diffusion": {"visible_after_months": 0, **params}})
    town = next(mun for mun in m.municipalities if mun.name == b.TOWN)
    town.operating_exchanges, town.months_visible = operating, 1
    return float(diffusion.inspiration(m)[1])


def test_meetings_fall_off_with_distance_but_reach_any_distance() -> None:
    rate = {"rate_per_year": 0.1, "radius_km": 60.0}
    near, far, very_far = _chance(40.0, **rate), _chance(90.0, **rate), _chance(99.0, **rate)
    monthly = 1.0 - 0.9 ** (1.0 / 12.0)
    assert near == pytest.approx(1.0 - (1.0 - monthly) ** math.exp(-30.0 / 60.0))
    assert near > far > very_far > 0.0, "no hard radius: a far neighbour is inspired less often, not never"


def test_a_well_known_symbiosis_draws_study_visits_from_anywhere() -> None:
    """A4: Sotenäs visited Kalundborg. At the 3-2 size a symbiosis adds a visit chance that does not fall with distance."""
    no_meetings = {"rate_per_year": 0.0, "study_visit_rate_per_year": 0.2, "study_visit_exchanges": 3}
    assert _chance(99.0, operating=2, **no_meetings) == 0.0, "too small to be known"
    assert _chance(99.0, operating=3, **no_meetings) == pytest.approx(1.0 - 0.8 ** (1.0 / 12.0))
    assert _chance(99.0, operating=3, **no_meetings) == pytest.approx(_chance(40.0, operating=3, **no_meetings))


def test_nothing_visible_no_inspiration() -> None:
    m = _model()
    assert diffusion.inspiration(m).tolist() == [0.0, 0.0]


def test_a_town_with_a_facilitator_starts_none() -> None:
    m = b.step(_model(facilitator={"municipalities": [b.TOWN, b.NEIGHBOUR]}), 36)
    assert not b.events(m, "facilitation_started")


def test_switched_off_nobody_is_inspired() -> None:
    assert not b.events(b.step(_model(mechanisms={"diffusion": False}), 36), "facilitation_started")


def test_a_started_unit_applies_for_money_at_once() -> None:
    fund = {"name": "Fund", "budget_sek": 100e6, "funding_rate": 0.5, "project_length_months": 12}
    m = _model(programme=fund, params={**SOON, "project_funding": {"approval_probability": 1.0}})
    b.start_facilitation(m, b.NEIGHBOUR)
    m.step()
    assert [e["facilitator"] for e in b.events(m, "project_started")] == [f"{b.NEIGHBOUR} symbiosis unit"]


@pytest.mark.slow
def test_diffusion_spreads_facilitation() -> None:
    """P11: a visible symbiosis inspires neighbouring municipalities to start facilitation."""
    greater(outcomes(None, {}, "facilitators_started"), outcomes(None, {"mechanisms.diffusion": False}, "facilitators_started"))
