"""Permits (sim/mechanisms/permits.py): each exchange is a permit activity with a duration and a
denial risk; a denied permit ends the exchange; new land needs a detailed plan first, none on land
re-planned for housing; a sandbox shortens procedures and costs the authority public money."""

from __future__ import annotations

import numpy as np
import pytest

from sim import config
from sim.core.exchange import EndReason, Stage
from sim.mechanisms import matching, permits
from sim.run.measures import water_first_month
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


def _median_months(m, ex, n: int = 2001) -> float:
    return float(np.median([permits.months(m, ex) for _ in range(n)]))


def test_the_permit_time_factor_scales_the_procedure() -> None:
    act = {"permits": {"heat_connection": {"months": 6.0, "denial": 0.0}}}
    normal, sandbox = _pair(params=act), _pair(params=act, policy={"permit_time_factor": 0.5})
    assert _median_months(normal, b.open_exchange(normal, "Source", "Taker", "heat")) == pytest.approx(6.0, abs=0.5)
    assert _median_months(sandbox, b.open_exchange(sandbox, "Source", "Taker", "heat")) == pytest.approx(3.0, abs=0.5)


def test_a_receiver_on_new_land_waits_for_a_detailed_plan() -> None:
    """Without spread (sigma 0) the procedure takes exactly the medians: the plan, then the permit."""
    params = {
        "permits": {
            "heat_connection": {"months": 3.0, "denial": 0.0},
            "minor": {"median_months": 2.0, "sigma": 0.0, "authority": "municipality"},
            "detailed_plan_months": 18.0,
            "detailed_plan_sigma": 0.0,
        }
    }
    m = _pair(params=params, demand={"needs_new_land": True}, town={"planning_stance": 0.5})
    ex = b.open_exchange(m, "Source", "Taker", "heat")
    assert permits.months(m, ex) == 3 + 18
    assert permits.granted(m, ex)
    assert permits.months(m, ex) == 3, "once the plan is adopted it is not needed again"


@pytest.mark.parametrize(
    ("sector", "resource", "cls", "authority"),
    [
        ("food", "heat", "minor", "municipality"),
        ("food", "technical_water", "class_b", "county administrative board"),
        ("fish_farm", "heat", "class_b", "county administrative board"),
        ("efuel", "heat", "class_a", "land and environment court"),
    ],
)
def test_each_permit_class_has_its_authority_and_median(sector, resource, cls, authority) -> None:
    """The duration is lognormal with the class's median (the builder's quick preset is undone here)."""
    m = _pair(sector, resource, params={"permits": {a: {"months": None, "denial": 0.0} for a in permits.USUAL_CLASS}})
    ex = b.open_exchange(m, "Source", "Taker", resource)
    klass = permits.permit_class(m, ex)
    assert klass is getattr(m.params.permits, cls)
    assert authority in klass.authority
    draws = np.array([permits.months(m, ex) for _ in range(3001)])
    assert np.median(draws) == pytest.approx(klass.median_months, abs=max(1.0, 0.08 * klass.median_months))
    p90 = klass.median_months * np.exp(permits.Z90 * klass.sigma)
    assert np.quantile(draws, 0.9) == pytest.approx(p90, rel=0.12), "heavy tail: the 90th percentile is the lognormal's"


def test_the_same_discharge_point_is_a_minor_procedure_and_a_new_discharge_a_class_b_permit() -> None:
    m = _pair("food", "technical_water", same=True, params={"permits": {a: {"months": None, "denial": 0.0} for a in permits.USUAL_CLASS}})
    same = permits.permit_class(m, b.open_exchange(m, "Source", "Taker", "technical_water"))
    assert same is m.params.permits.minor
    assert same.median_months < m.params.permits.class_b.median_months


def _three(**kw):
    """A supplier, a receiver and a second receiver at another site, all wanting heat."""
    return b.new(
        b.firm("Source", offers=[b.offer("heat", 3000, 60)]),
        b.firm("Taker", at=(11, 10), demands=[b.demand("heat", 500, 40)]),
        b.firm("Other", at=(9, 10), demands=[b.demand("heat", 500, 40)]),
        b.firm("Second", at=(10, 11), offers=[b.offer("heat", 3000, 60)]),
        mechanisms={"trust": False},
        **kw,
    )


def test_a_denied_site_stays_denied_for_the_same_activity() -> None:
    m = _three(params={"permits": {"heat_connection": {"months": 0, "denial": 1.0}}})
    first = b.open_exchange(m, "Source", "Taker", "heat")
    assert not permits.granted(m, first)
    m.params.permits.heat_connection.denial = 0.0  # the authority would now grant a fresh application
    again = b.open_exchange(m, "Second", "Taker", "heat")
    assert permits.denied_before(m, again)
    assert permits.months(m, again) == 0, "refused at once on the earlier decision"
    assert not permits.granted(m, again), "the same activity at the same site, from another supplier"
    assert [e["detail"] for e in b.events(m, "permit_site_barred")] == ["heat_connection"]
    other = b.open_exchange(m, "Source", "Other", "heat")
    assert not permits.denied_before(m, other) and permits.granted(m, other), "another site is not affected"


def test_a_receiver_does_not_propose_an_activity_denied_at_its_site() -> None:
    m = _three(params={"permits": {"heat_connection": {"months": 0, "denial": 1.0}}})
    assert not permits.granted(m, b.open_exchange(m, "Source", "Taker", "heat"))
    m.params.permits.heat_connection.denial = 0.0
    second, taker = b.offer_of(m, "Second", "heat"), b.demand_of(m, "Taker", "heat")
    assert permits.barred(m, second, taker)
    assert matching.propose(m, second, taker, 1.0, False) is None
    other = b.demand_of(m, "Other", "heat")
    assert not permits.barred(m, second, other) and matching.propose(m, second, other, 1.0, False) is not None


def test_a_denial_bars_only_the_activity_it_was_for() -> None:
    m = b.new(
        b.firm("Source", offers=[b.offer("heat", 3000, 60), b.offer("technical_water", 5000, 0.7)]),
        b.firm("Taker", at=(11, 10), demands=[b.demand("heat", 500, 40), b.demand("technical_water", 500, 0.5)]),
        mechanisms={"trust": False},
        params={"permits": {"water_reuse": {"months": 0, "denial": 1.0}}},
    )
    assert not permits.granted(m, b.open_exchange(m, "Source", "Taker", "technical_water"))
    assert permits.granted(m, b.open_exchange(m, "Source", "Taker", "heat"))


def test_without_memory_a_denied_site_may_be_granted_later() -> None:
    m = _three(params={"permits": {"heat_connection": {"months": 0, "denial": 1.0}, "remember_denials": False}})
    assert not permits.granted(m, b.open_exchange(m, "Source", "Taker", "heat"))
    m.params.permits.heat_connection.denial = 0.0
    assert permits.granted(m, b.open_exchange(m, "Second", "Taker", "heat"))


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


WATER_ACTIVITIES = ("water_reuse", "same_discharge_point")


def _water(overrides: dict) -> tuple[np.ndarray, np.ndarray]:
    """Month of the treatment plant's first water delivery (censored at 121) and its denied water-reuse
    permits (the activity itself: a fish farm's aquaculture permit is the same in both arms), 80 seeds."""
    cfg = config.load(None, overrides)
    first, denied = [], []
    for seed in range(80):
        result = run(cfg, seed, TEN_YEARS)
        first.append(water_first_month(result.exchanges, TEN_YEARS))
        ev = result.events
        mine = (ev["kind"] == "permit_denied") & (ev["supplier"] == "Millby Wastewater") & ev["detail"].isin(WATER_ACTIVITIES)
        denied.append(int(mine.sum()))
    return np.array(first), np.array(denied)


@pytest.mark.slow
def test_same_discharge_point_eases_water_reuse() -> None:
    """P6: reuse with a new discharge needs a class B environmental permit that is slower and more often
    denied than the minor procedure at the same discharge point: the treatment plant's water reaches
    receivers later, and its water-reuse permits are denied more often."""
    new_first, new_denied = _water({"firms.2.offers.0.same_discharge_point": False})
    same_first, same_denied = _water({})
    greater(new_first, same_first)
    greater(new_denied, same_denied)


def _first_exchange_months(overrides: dict, n: int = 30) -> np.ndarray:
    """Month of the example's first operating exchange over seeds 0..n-1, censored at the horizon + 1."""
    cfg = config.load(None, overrides)
    out = []
    for seed in range(n):
        first = run(cfg, seed, TEN_YEARS).summary["first_exchange_step"]
        out.append(TEN_YEARS + 1 if first is None or not np.isfinite(first) else first)
    return np.array(out, dtype=float)


@pytest.mark.slow
def test_slower_permits_delay_the_first_exchange() -> None:
    """P6: with every procedure three times as long, the first exchange of the region operates later
    than with procedures at half their time (common seeds)."""
    greater(_first_exchange_months({"policy.permit_time_factor": 3.0}), _first_exchange_months({"policy.permit_time_factor": 0.5}))
