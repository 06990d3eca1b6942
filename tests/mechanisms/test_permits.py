"""Permits (sim/mechanisms/permits.py): each exchange is a permit activity with a duration and a
denial risk; a denied permit ends the exchange; new land needs a detailed plan first, none on land
re-planned for housing; a sandbox shortens procedures and costs the authority public money."""

from __future__ import annotations

import numpy as np
import pytest

from sim import config
from sim.core.exchange import EndReason, Stage
from sim.mechanisms import permits
from sim.run.measures import water_first_month, water_permits_denied
from sim.run.runner import run
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
HEAT = [b.offer("heat", 1000, 60)]


def _pair(receiver_sector: str = "food", resource: str = "heat", **kw):
    offers = {"heat": HEAT, "technical_water": [b.offer("technical_water", 5000, 0.7, same_discharge_point=kw.pop("same", False))]}
    quality = {"heat": 40, "technical_water": 0.5}
    demand_kw = kw.pop("demand", {})
    return b.new(
        b.firm("Source", offers=offers[resource]),
        b.firm("Taker", at=(11, 10), sector=receiver_sector, demands=[b.demand(resource, 500, quality[resource], **demand_kw)]),
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        **kw,
    )


def test_a_denied_permit_ends_the_exchange_with_permit_denied() -> None:
    m = _pair(params={"permits": {"heat_connection": {"months": 0, "denial": 1.0}}})
    assert b.step_until(m, lambda m: b.events(m, "permit_denied"), 6)
    (ex,) = b.exchanges(m)
    assert ex.stage is Stage.ENDED and ex.end_reason is EndReason.PERMIT_DENIED
    assert b.events(m, "permit_denied")[0]["detail"] == "heat_connection"
    assert b.events(m, "exchange_ended")[0]["reason"] == "permit_denied"


def test_switched_off_every_permit_is_granted_at_once() -> None:
    m = _pair(mechanisms={"permits": False}, params={"permits": {"heat_connection": {"months": 50, "denial": 1.0}}})
    assert b.step_until(m, lambda m: b.operating(m), 6)
    assert not b.events(m, "permit_denied")


@pytest.mark.parametrize(
    ("sector", "resource", "same", "activity"),
    [
        ("fish_farm", "heat", False, "aquaculture"),
        ("food", "technical_water", True, "same_discharge_point"),
        ("food", "technical_water", False, "water_reuse"),
        ("efuel", "heat", False, "process_plant"),
        ("greenhouse", "heat", False, "greenhouse"),
        ("food", "heat", False, "heat_connection"),
    ],
)
def test_each_exchange_is_the_permit_activity_its_receiver_and_stream_make_it(sector, resource, same, activity) -> None:
    m = _pair(sector, resource, same=same)
    assert permits.activity_name(m, b.open_exchange(m, "Source", "Taker", resource)) == activity


def _mean_months(m, ex, n: int = 1500) -> float:
    return float(np.mean([permits.months(m, ex) for _ in range(n)]))


def test_the_permit_time_factor_scales_the_procedure() -> None:
    act = {"permits": {"heat_connection": {"months": 6.0, "denial": 0.0}}}
    normal, sandbox = _pair(params=act), _pair(params=act, policy={"permit_time_factor": 0.5})
    assert _mean_months(normal, b.open_exchange(normal, "Source", "Taker", "heat")) == pytest.approx(6.0, rel=0.08)
    assert _mean_months(sandbox, b.open_exchange(sandbox, "Source", "Taker", "heat")) == pytest.approx(3.0, rel=0.08)


def test_a_receiver_on_new_land_waits_for_a_detailed_plan() -> None:
    params = {"permits": {"heat_connection": {"months": 3.0, "denial": 0.0}, "detailed_plan_months": 18.0}}
    m = _pair(params=params, demand={"needs_new_land": True}, town={"planning_stance": 0.5})
    ex = b.open_exchange(m, "Source", "Taker", "heat")
    assert _mean_months(m, ex) == pytest.approx(3.0 + 18.0, rel=0.08)
    assert permits.granted(m, ex)
    assert _mean_months(m, ex) == pytest.approx(3.0, rel=0.1), "once the plan is adopted it is not needed again"


def test_no_plan_is_possible_on_land_replanned_for_housing() -> None:
    """Even with permits switched off, an entrant on a plot re-planned for housing cannot build."""
    m = b.new(
        b.firm("Source", offers=HEAT),
        b.firm("Other", at=(30, 30)),
        mechanisms={"trust": False, "permits": False},
        plots=[{"near": "Source", "count": 1}],
    )
    startup = b.add_startup(m, "Source", "heat")
    ex = b.open_exchange(m, "Source", startup.name, "heat")
    assert ex.demand.needs_new_land and permits.granted(m, ex)
    b.rezone_plots(m, "housing")
    assert not permits.granted(m, ex)


def test_a_sandbox_costs_the_authority_per_procedure() -> None:
    cost = 40000.0
    for factor, extra in ((1.0, 0.0), (0.5, cost), (0.25, 3 * cost)):
        m = _pair(policy={"permit_time_factor": factor}, params={"permits": {"sandbox_cost_sek_per_case": cost}})
        ex = b.open_exchange(m, "Source", "Taker", "heat")
        before = b.public_sek_total(m)
        permits.start(m, ex)
        assert b.public_sek_total(m) - before == pytest.approx(extra)


@pytest.mark.slow
def test_permits_gate_and_delay_receivers() -> None:
    """P6: permits and detailed plans deny and delay new receivers (start-ups on new land most);
    without them, and in a regulatory sandbox, more start-ups get their supply within twenty years."""
    with_permits = outcomes(None, {}, "startup_exchanges_started")
    greater(outcomes(None, {"mechanisms.permits": False}, "startup_exchanges_started"), with_permits)
    sandbox = outcomes(None, {"policy.permit_time_factor": 0.3}, "startup_exchanges_started")
    slow = outcomes(None, {"policy.permit_time_factor": 3.0}, "startup_exchanges_started")
    greater(sandbox, slow)


def _water(overrides: dict) -> tuple[np.ndarray, np.ndarray]:
    """Month of the treatment plant's first water delivery (censored at 121) and its denied permits, 80 seeds."""
    cfg = config.load(None, overrides)
    first, denied = [], []
    for seed in range(80):
        ex = run(cfg, seed, TEN_YEARS).exchanges
        first.append(water_first_month(ex, TEN_YEARS))
        denied.append(water_permits_denied(ex))
    return np.array(first), np.array(denied)


@pytest.mark.slow
def test_same_discharge_point_eases_water_reuse() -> None:
    """P6: reuse with a new discharge needs an environmental permit that is slower and more often
    denied than at the same discharge point: the treatment plant's water reaches receivers later."""
    new_first, new_denied = _water({"firms.2.offers.0.same_discharge_point": False})
    same_first, same_denied = _water({})
    greater(new_first, same_first)
    greater(new_denied, same_denied)
