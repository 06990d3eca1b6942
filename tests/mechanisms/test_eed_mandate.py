"""The EED heat mandate (sim/mechanisms/eed_mandate.py): with the lever on, a covered installation
(above the threshold or a data centre) that is refurbished assesses its residual heat and so puts
it in front of every heat demand within reach, at a supervision cost."""

from __future__ import annotations

import pytest

from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
NO_SEARCH = {"matching": {"base_search_rate": 0.0}, "eed_mandate": {"refurbish_rate_per_year": 1.0}}


def _model(mw: float = 20.0, lever: bool = True, data_centre: bool = False, **kw):
    return b.new(
        b.firm("Plant", "anchor", offers=[b.offer("heat", 3000, 60)], energy_input_mw=mw, data_centre=data_centre),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 1000, 40)]),
        b.firm("Energi", "utility", at=(12, 10), demands=[b.demand("heat", 1000, 40)]),
        policy={"eed_heat_mandate": lever},
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        params=NO_SEARCH,
        **kw,
    )


def test_a_covered_installation_assesses_its_heat_when_the_lever_is_on() -> None:
    m = b.step(_model(), 1)
    (ev,) = b.events(m, "heat_assessment")
    assert ev["firm"] == "Plant" and ev["detail"] == "2 exchanges proposed"
    assert {m.firms[ex.receiver].name for ex in b.exchanges(m)} == {"Grower", "Energi"}
    assert b.public_sek_this_month(m) == pytest.approx(m.params.eed_mandate.supervision_cost_sek_per_assessment)


def test_without_the_lever_nobody_assesses_and_nothing_is_found() -> None:
    m = b.step(_model(lever=False), 12)
    assert not b.events(m, "heat_assessment") and m.exchanges == {}
    off = b.step(_model(mechanisms={"eed_mandate": False}), 12)
    assert not b.events(off, "heat_assessment")


def test_small_installations_are_not_covered_but_data_centres_are() -> None:
    assert not b.events(b.step(_model(mw=5.0), 12), "heat_assessment")
    assert b.events(b.step(_model(mw=0.0, data_centre=True), 1), "heat_assessment")


@pytest.mark.slow
def test_eed_mandate_puts_heat_in_front_of_demand() -> None:
    """EED 2023/1791: the mandate's assessments bring heat deliveries earlier where the plants and the
    heat users do not know each other (no acquaintance ties). In the example with its ties the mill
    and the town's utility find each other anyway and the mandate adds little (not significant)."""
    strangers = {"mechanisms.acquaintance": False}
    on = outcomes(None, {"policy.eed_heat_mandate": True, **strangers}, "heat_delivered_total_mwh", n=60, steps=TEN_YEARS)
    off = outcomes(None, {"policy.eed_heat_mandate": False, **strangers}, "heat_delivered_total_mwh", n=60, steps=TEN_YEARS)
    greater(on, off)
