"""Invariants that must hold in every run, whatever the seed and the policy."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import config
from sim.core.exchange import Stage
from sim.core.model import SymbiosisModel
from sim.run.runner import run
from tests.helpers import ANCHOR_EXIT, FEED_CHAIN

EPS = 1e-6

policies = st.fixed_dictionaries(
    {
        "policy.funding_gap_months": st.integers(0, 36),
        "policy.funding_anchor_eligible": st.booleans(),
        "policy.facilitator_base_funding_sek_per_year": st.sampled_from([0.0, 1.0e6, 3.0e6]),
        "policy.startup_guarantee_share": st.floats(0, 1),
        "policy.permit_time_factor": st.floats(0.2, 3),
        "policy.land_reservation": st.booleans(),
        "policy.eed_heat_mandate": st.booleans(),
    }
)


switches = st.fixed_dictionaries({f"mechanisms.{name}": st.booleans() for name in config.Switches.model_fields})


def _check_state(model: SymbiosisModel) -> None:
    for book in model.state.matching.books.values():
        for offer in book.offers:
            assert -EPS <= offer.committed <= offer.quantity + EPS, "a stream is sold beyond its quantity"
        for demand in book.demands:
            assert -EPS <= demand.met <= demand.quantity + EPS, "a demand is served beyond its need"
    for region in model.regions:
        for prog in region.programmes:
            assert prog.remaining_sek >= -EPS, f"programme {prog.name} overspent"
            assert prog.spent_sek >= -EPS, f"programme {prog.name} has negative spending"
    for firm in model.firms:
        if firm.alive and firm.role.value == "startup":
            assert firm.cash_sek >= -EPS, f"start-up {firm.name} runs on negative cash"
    delivered: dict[int, float] = {}
    for ex in model.exchanges.values():
        if ex.stage is Stage.OPERATING:
            delivered[id(ex.offer)] = delivered.get(id(ex.offer), 0.0) + ex.quantity
            assert ex.quantity <= ex.offer.quantity + EPS, "an exchange delivers more than its offer holds"
            assert ex.quantity <= ex.demand.quantity + EPS, "an exchange delivers more than its demand needs"
    for ex in model.exchanges.values():
        if ex.stage is Stage.OPERATING:
            assert delivered[id(ex.offer)] <= ex.offer.quantity * (1 + 1e-9) + EPS, "an offer is delivered beyond its quantity"
    for ex in model.exchanges.values():
        assert ex.distance_km <= model.resources[ex.resource].reach_km + EPS, "an exchange beyond the resource's reach"
        if ex.stage is Stage.ENDED:
            assert ex.end_reason is not None, "an ended exchange without a reason"
        else:
            assert model.firms[ex.supplier].alive and model.firms[ex.receiver].alive
    assert model.public_sek_total >= 0.0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), overrides=policies, mechanisms=switches, scenario=st.sampled_from([None, ANCHOR_EXIT, FEED_CHAIN]))
def test_invariants_hold_every_month(seed: int, overrides: dict, mechanisms: dict, scenario: object) -> None:
    cfg = config.load(scenario, {**overrides, **mechanisms})
    model = SymbiosisModel(cfg, rng=seed)
    model.horizon = 96
    while model.running:
        model.step()
        _check_state(model)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), overrides=policies, mechanisms=switches)
def test_timeseries_counts_match_the_event_log(seed: int, overrides: dict, mechanisms: dict) -> None:
    res = run(config.load(None, {**overrides, **mechanisms}), seed, steps=120)
    ev, ts = res.events, res.timeseries
    started = ev[ev.kind == "exchange_started"].groupby("step").size()
    ended = ev[(ev.kind == "exchange_ended") & ev.was_operating].groupby("step").size()
    steps = ts["step"].to_numpy()
    net = started.reindex(steps, fill_value=0).to_numpy() - ended.reindex(steps, fill_value=0).to_numpy()
    assert np.array_equal(np.cumsum(net), ts["active_exchanges"].to_numpy())
    exits = ev[ev.kind == "firm_exited"].groupby("step").size().reindex(steps, fill_value=0).to_numpy()
    entries = ev[ev.kind.isin(["firm_entered", "firm_birth"])].groupby("step").size().reindex(steps, fill_value=0).to_numpy()
    assert np.array_equal(len(res.config.firms) + np.cumsum(entries - exits), ts["firms_alive"].to_numpy())
    # per resource, operating exchanges follow that resource's starts and ends in the event log
    ex = res.exchanges.set_index("id")["resource"]
    for col in [c for c in ts.columns if c.startswith("exchanges_")]:
        resource = col.removeprefix("exchanges_")
        of = ev["exchange"].map(ex) == resource
        s = ev[of & (ev.kind == "exchange_started")].groupby("step").size().reindex(steps, fill_value=0).to_numpy()
        e = ev[of & (ev.kind == "exchange_ended") & ev.was_operating].groupby("step").size().reindex(steps, fill_value=0).to_numpy()
        assert np.array_equal(np.cumsum(s - e), ts[col].to_numpy()), col
    assert (res.exchanges.loc[res.exchanges.stage == "ended", "end_reason"] != "").all()
    assert np.all(np.diff(ts["public_funding_sek"].to_numpy()) >= 0)


def test_same_seed_same_result_in_process() -> None:
    cfg = config.load(None, {"years": 8})
    a, b = run(cfg, 11), run(cfg, 11)
    assert a.timeseries.equals(b.timeseries) and a.events.equals(b.events)
    assert not a.timeseries.equals(run(cfg, 12).timeseries)
