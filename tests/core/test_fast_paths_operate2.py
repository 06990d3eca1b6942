"""Values kept from month to month in the collection of flows and in fed streams equal a fresh computation.

Each check steps case models and compares what a kept value says with what the rule gives from
scratch, so a kept value that misses a change of its inputs fails here.
"""

from __future__ import annotations

import pytest

from sim import config
from sim.core import resources
from sim.core.collector import Collector
from sim.core.model import SymbiosisModel
from sim.mechanisms import feed, trust

CASES = ("A2_high_coast", "A13_bjuv", "A19_bengtsfors", "A27_mesam")
FLOW_COLUMNS = ("co2_avoided_t", "virgin_water_saved_m3", "heat_delivered_mwh")


def _model(case: str, seed: int = 1) -> SymbiosisModel:
    return SymbiosisModel(config.load(f"configs/cases/{case}.yaml"), rng=seed)


def _run(case: str, seed: int) -> dict[str, list]:
    """A run whose resources change twice on the way (the kept flows must follow a new catalogue entry)."""
    model = _model(case, seed)
    while model.running:
        if model.steps in (40, 90):
            for name in {ex.resource for ex in model.ledger.operating.values()}:
                resources.change(model, name, "co2_t_per_unit", model.resources[name].co2_t_per_unit * 1.5 + 0.1)
        model.step()
    data = model.collector.data
    return {k: list(v) for k, v in data.items() if k in FLOW_COLUMNS or k.startswith("flow_")}


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_flows_equal_the_flows_added_afresh_every_month(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Every month's flow row and totals are those of adding the deliveries one by one."""
    kept = {case: _run(case, seed) for case in CASES}
    add_flows = Collector.add_flows

    def afresh(self: Collector, exchanges: object) -> None:
        self._kept_flows = None  # never copy a month's flows: add them again
        add_flows(self, exchanges)

    monkeypatch.setattr(Collector, "add_flows", afresh)
    delivered = 0
    for case in CASES:
        fresh = _run(case, seed)
        assert fresh == kept[case], case
        delivered += any(any(v) for k, v in fresh.items() if k.startswith("flow_"))
    assert delivered >= 3  # most of the runs delivered something


def test_kept_flows_are_copied_in_most_delivering_months(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: most months with deliveries copy the kept flows."""
    copied = months = 0
    add_flows = Collector.add_flows

    def counting(self: Collector, exchanges: object) -> None:
        nonlocal copied, months
        before = self._kept_flows
        add_flows(self, exchanges)
        months += 1
        copied += self._kept_flows is before and before is not None
        assert self._flowed

    monkeypatch.setattr(Collector, "add_flows", counting)
    for case in CASES:
        model = _model(case)
        while model.running:
            model.step()
    assert copied > months / 2


def test_kept_feed_received_equals_a_fresh_sum_every_month() -> None:
    """What a fed stream's firm receives, as kept, is the sum over its operating exchanges now."""
    compared = 0
    for case in ("A13_bjuv", "A27_mesam"):
        for seed in (1, 2):
            model = _model(case, seed)
            offers = model.state.feed.offers
            assert offers
            while model.running:
                model.step()
                for offer in offers:
                    kept = feed.received(model, offer)
                    model.state.feed.received.pop(id(offer))
                    assert kept == feed.received(model, offer), (case, model.steps)
                    compared += 1
    assert compared > 500


def test_quiet_live_rows_hold_their_firms_delivered_months() -> None:
    """A live trust row marked quiet for the operating version there is has the delivered months of
    its firms now (neither has delivered since it was marked), and the month's levels are level()'s."""
    quiet = 0
    for case in ("A2_high_coast", "A13_bjuv", "A19_bengtsfors", "A6_umea"):
        model = _model(case)
        firms = model.firms
        while model.running:
            model.step()
            if not model.ledger.live:
                continue
            version = model.ledger.arrays.operating_version
            for row in model.state.trust.live[2]:
                if row.quiet == version and not row.capped:
                    assert (row.delivered_a, row.delivered_b) == (
                        firms[row.supplier].delivered_months,
                        firms[row.receiver].delivered_months,
                    )
                    quiet += 1
            live = list(model.ledger.live.values())
            assert trust.live_levels_few(model) == [trust.level(model, firms[ex.supplier], firms[ex.receiver]) for ex in live]
    assert quiet > 100


def test_trust_deliveries_in_one_call_equal_one_by_one() -> None:
    """The ledger's ``many`` form of trust's delivery hook adds what the hook adds exchange by exchange."""
    one, each = _model("A2_high_coast"), _model("A2_high_coast")
    for model in (one, each):
        while model.steps < 100:
            model.step()
    assert trust.on_delivery.many is trust.on_deliveries
    exchanges = one.ledger.operating_snapshot()
    assert len(exchanges) > 3
    trust.on_deliveries(one, exchanges)
    for ex in each.ledger.operating_snapshot():
        trust.on_delivery(each, ex)
    assert one.state.trust.pairs.values.tolist() == each.state.trust.pairs.values.tolist()
