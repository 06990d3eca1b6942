"""Entry (sim/mechanisms/entry.py): an establishment company takes a free industrial plot beside a
large firm's unused attractive stream and wants a share of it; no free land, no entrant; no plant
that pays back within the start-up's required payback, no entrant."""

from __future__ import annotations

import math

import pytest

from agents.firm import Role
from sim.mechanisms import benefit, entry
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
SOON = {"entry": {"base_rate_per_year": 5.0}, "matching": {"base_search_rate": 0.0}}


def _model(heat_taken: float = 0.0, plots: list | None = None, role: str = "anchor", **kw):
    taker = [b.demand("heat", heat_taken, 40)] if heat_taken else []
    return b.new(
        b.firm("Mill", role, offers=[b.offer("heat", 1000, 60)]),
        b.firm("Foods", at=(11, 10), demands=taker),
        mechanisms={"entry": True, **kw.pop("mechanisms", {})},
        params={**SOON, **kw.pop("params", {})},
        plots=[{"near": "Mill", "count": 2, "radius_km": 1.0}] if plots is None else plots,
        **kw,
    )


def _entrants(m):
    return [f for f in m.firms if f.role is Role.STARTUP]


def test_an_entrant_settles_beside_an_unused_stream_and_wants_part_of_it() -> None:
    m = _model()
    assert b.step_until(m, _entrants, 36)
    (new,) = _entrants(m)[:1]
    mill = b.firm_named(m, "Mill")
    assert math.hypot(new.x - mill.x, new.y - mill.y) <= 1.0 + 1e-9
    assert new.sector in m.params.entry.attractive["heat"]
    (d,) = new.demands
    assert d.resource == "heat" and d.quantity == pytest.approx(m.params.entry.size_share * 1000)
    assert d.needs_new_land, "a plot not yet planned needs a detailed plan"
    (ev,) = b.events(m, "firm_entered")[:1]
    assert ev["firm"] == new.name


def test_no_free_plot_no_entrant() -> None:
    assert not _entrants(b.step(_model(plots=[]), 36))
    housing = [{"near": "Mill", "count": 2, "zoning": "housing"}]
    assert not _entrants(b.step(_model(plots=housing), 36)), "land re-planned for housing takes no entrant"


def test_a_stream_mostly_in_use_attracts_nobody() -> None:
    m = _model(900.0)
    b.open_exchange(m, "Mill", "Foods", "heat")
    assert not _entrants(b.step(m, 36))


def test_an_sme_stream_attracts_nobody() -> None:
    assert not _entrants(b.step(_model(role="sme"), 36))


def test_switched_off_nobody_enters() -> None:
    assert not _entrants(b.step(_model(mechanisms={"entry": False}), 36))


def test_a_plant_that_does_not_pay_back_keeps_the_establishment_away() -> None:
    """The same stream and plot: with the plant at three times the cost nobody comes."""
    dear = {"entry": {**SOON["entry"], "plant_investment_sek_per_unit": {"heat": 3 * entry.PLANT_SEK_PER_UNIT["heat"]}}}
    assert b.step_until(_model(), _entrants, 36)
    assert not _entrants(b.step(_model(params=dear), 36))


def test_the_plant_must_pay_back_within_the_start_ups_required_payback() -> None:
    m = _model()
    p = m.params.entry
    limit = benefit.max_payback_months(m, "startup")
    # the largest stream it would not build on: development cost and plant against the margin
    per_unit, margin = p.plant_investment_sek_per_unit["heat"], p.plant_margin_sek_per_unit["heat"]
    breakeven = p.development_cost_sek / (limit * margin - per_unit)
    assert not entry.plant_pays_back(m, "heat", 0.9 * breakeven), "a small plant does not carry its development cost"
    assert entry.plant_pays_back(m, "heat", 1.1 * breakeven)
    assert entry.plant_pays_back(m, "infrastructure", 1.0), "no plant figures for a stream: no check"
    quick = {"entry": {**SOON["entry"]}, "benefit": {"max_payback_years": {"startup": 1.0}}}
    assert not entry.plant_pays_back(_model(params=quick), "heat", 10 * breakeven), "an impatient owner builds nothing"


@pytest.mark.slow
def test_entry_brings_establishment_companies() -> None:
    """§2.5.5: establishment companies locate beside unused streams with free land."""
    greater(
        outcomes(None, {}, "startups_entered", steps=TEN_YEARS),
        outcomes(None, {"mechanisms.entry": False}, "startups_entered", steps=TEN_YEARS),
    )


@pytest.mark.slow
def test_entrants_need_land_beside_the_anchor() -> None:
    """P9: greenhouses and fish farms establish only where free land lies beside the anchor."""
    greater(
        outcomes(None, {}, "startups_entered", n=20, steps=TEN_YEARS),
        outcomes(None, {"municipalities.0.plots": []}, "startups_entered", n=20, steps=TEN_YEARS),
    )
