"""Two-sided benefit (sim/mechanisms/benefit.py): an exchange forms only if both sides gain; the
price splits the surplus; distance and investment fall on the deal; a renewal no longer pays for
the pipe."""

from __future__ import annotations

import numpy as np
import pytest

from sim import config
from sim.core.model import SymbiosisModel
from sim.core.resources import CATALOGUE
from sim.mechanisms import benefit
from sim.run.runner import run
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120


def _deal(
    distance_km: float = 1.0, virgin_price: float | None = None, resource: str = "biogas", receiver_share: float = 0.5, **kw
) -> benefit.Deal:
    extra = {} if virgin_price is None else {"virgin_price": virgin_price}
    m = b.new(
        b.firm("Plant", offers=[b.offer(resource, 500, 0.6)]),
        b.firm("Boiler", at=(10 + distance_km, 10), demands=[b.demand(resource, 300, 0.5, **extra)]),
        params={"benefit": {"receiver_share": receiver_share}},
    )
    o, d = b.offer_of(m, "Plant", resource), b.demand_of(m, "Boiler", resource)
    at = kw.pop("priced_at_km", distance_km)
    return benefit.evaluate(m, o, d, b.firm_named(m, "Plant"), b.firm_named(m, "Boiler"), at, **kw)


def test_a_good_deal_gains_both_sides_and_splits_the_surplus() -> None:
    deal = _deal()
    assert deal.viable and deal.quantity == 300
    assert deal.supplier_net == pytest.approx(deal.receiver_net), "the symmetric Nash split of the surplus"


def test_distance_costs_the_receiver_until_the_deal_is_not_worth_it() -> None:
    nets = [_deal(d).receiver_net for d in (1, 20, 60)]
    assert nets[0] > nets[1] > nets[2]
    assert _deal(1, resource="co2").viable
    assert not _deal(1, virgin_price=1.0, resource="co2").viable, "nothing to dispose of and a virgin alternative for next to nothing"


def test_a_supplier_never_pays_more_than_its_disposal_would_cost() -> None:
    disposal = CATALOGUE["biogas"].disposal_fee_sek_per_unit  # biogas pays no landfill tax
    prices = [_deal(5, virgin_price=v).price for v in (0.0, 10.0, 100.0, 600.0, 5000.0)]
    assert min(prices) >= -disposal and prices == sorted(prices), "the dearer the virgin alternative, the more the receiver pays"
    # a receiver that would keep nearly all of a negative surplus (a worthless stream carried
    # 10,000 km) is paid the supplier's disposal cost and no more
    greedy = _deal(5, virgin_price=0.0, receiver_share=0.99, priced_at_km=10_000)
    assert greedy.price == pytest.approx(-disposal) and not greedy.viable


def test_a_renewal_no_longer_pays_for_the_connection() -> None:
    new, renewal = _deal(5), _deal(5, sunk=True)
    assert new.investment_sek > 0 and renewal.investment_sek == 0
    assert renewal.supplier_net + renewal.receiver_net > new.supplier_net + new.receiver_net


def test_an_unprofitable_match_never_opens() -> None:
    m = b.new(
        b.firm("Plant", offers=[b.offer("co2", 500, 0.95)]),
        b.firm("Boiler", at=(11, 10), demands=[b.demand("co2", 300, 0.9, virgin_price=1.0)]),
        mechanisms={"trust": False},
    )
    assert b.step(m, 12).exchanges == {}


def test_annuity_pays_back_the_investment() -> None:
    assert benefit.annuity_factor(0.0, 10) == pytest.approx(1 / 120)
    assert benefit.annuity_factor(0.06, 10) * 120 > 1.0, "with interest more than the principal is paid back"


@pytest.mark.slow
def test_heat_is_local() -> None:
    """P9: the same district-heating utility 20 km from the mill receives far less heat (the pipe costs per km)."""
    greater(
        outcomes(None, {}, "heat_delivered_total_mwh", n=30, steps=TEN_YEARS),
        outcomes(None, {"firms.1.location_km": [40.0, 20.0]}, "heat_delivered_total_mwh", n=30, steps=TEN_YEARS),
    )


def _pair(resource: str, quantity: float, distance_km: float, policy: dict | None = None, **demand) -> benefit.Deal:
    """The deal between a supplier and a receiver ``distance_km`` apart, priced by the benefit rule."""
    m = b.new(
        b.firm("Supplier", offers=[b.offer(resource, quantity, 0.99)]),
        b.firm("Receiver", at=(10 + distance_km, 10), demands=[b.demand(resource, quantity, 0.9, **demand)]),
        policy=policy,
    )
    o, d = b.offer_of(m, "Supplier", resource), b.demand_of(m, "Receiver", resource)
    return benefit.evaluate(m, o, d, b.firm_named(m, "Supplier"), b.firm_named(m, "Receiver"), distance_km)


def test_oxygen_stays_local_because_transport_is_expensive() -> None:
    """§4.1.1: 2,000 t of electrolysis oxygen a month pays at 2 km; at 50 km the joint surplus is
    negative under any price, although no cap stops matching from finding the partner."""
    oxygen = CATALOGUE["oxygen"]
    assert oxygen.max_distance_km is None and oxygen.reach_km > 50, "no cap: only economics can keep oxygen local"
    near, far = _pair("oxygen", 2000, 2.0), _pair("oxygen", 2000, 50.0)
    assert near.viable
    assert far.supplier_net + far.receiver_net < 0 and not far.viable


def test_a_landfill_tax_raises_what_a_by_product_supplier_avoids() -> None:
    """Fraccascia et al. (2017): the tax on landfilling is the supplier's avoided cost, per tonne landfilled."""
    share = CATALOGUE["materials"].landfill_share
    low, high = (_pair("materials", 40, 20.0, {"landfill_tax_sek_per_t": t}, virgin_price=0.0) for t in (0.0, 1000.0))
    joint = [d.supplier_net + d.receiver_net for d in (low, high)]
    assert joint[1] - joint[0] == pytest.approx(40 * share * 1000.0)
    assert not low.viable and high.viable, "a tax can turn a by-product exchange profitable"
    untaxed = [_pair("co2", 100, 20.0, {"landfill_tax_sek_per_t": t}) for t in (0.0, 1000.0)]
    assert untaxed[0] == untaxed[1], "a stream that is not landfilled pays no landfill tax"


def test_a_carbon_price_adds_the_avoided_emissions_to_the_receivers_value() -> None:
    deals = [_pair("biogas", 300, 5.0, {"co2_price_sek_per_t": p}) for p in (0.0, 1000.0)]
    gain = 300 * CATALOGUE["biogas"].co2_t_per_unit * 1000.0
    assert deals[1].supplier_net + deals[1].receiver_net == pytest.approx(deals[0].supplier_net + deals[0].receiver_net + gain)


def test_the_rule_reads_the_scenarios_catalogue_not_the_default() -> None:
    raw = b.scenario(
        b.firm("Supplier", offers=[b.offer("oxygen", 2000, 0.99)]),
        b.firm("Receiver", at=(60, 10), demands=[b.demand("oxygen", 2000, 0.9)]),
    )
    cheap = config.build({**raw, "resources": {"oxygen": {"transport_sek_per_unit_km": 1.0}}})
    m = SymbiosisModel(cheap, rng=0)
    o, d = b.offer_of(m, "Supplier", "oxygen"), b.demand_of(m, "Receiver", "oxygen")
    assert m.resources["oxygen"].transport_sek_per_unit_km == 1.0
    assert benefit.evaluate(m, o, d, b.firm_named(m, "Supplier"), b.firm_named(m, "Receiver"), 50.0).viable


def _ash_market(tax: float) -> config.ScenarioConfig:
    """An incinerator's fly ash and three small buyers 10-80 km away that pay little for it."""
    buyers = [
        b.firm(f"Buyer {k}", at=(10 + km, 10), demands=[b.demand("materials", 40, 0.2, virgin_price=50.0)])
        for k, km in enumerate((10, 40, 80))
    ]
    return b.build(
        b.firm("Incinerator", role="utility", offers=[b.offer("materials", 400, 0.5)]),
        *buyers,
        mechanisms={"trust": False},
        params={"matching": {"base_search_rate": 0.02}},
        policy={"landfill_tax_sek_per_t": tax},
        years=8,
    )


@pytest.mark.slow
def test_a_landfill_tax_raises_by_product_exchanges() -> None:
    """Fraccascia et al. (2017): with no tax small ash deals do not pay; a high tax makes them pay."""
    flow = {tax: np.array([run(_ash_market(tax), seed).timeseries["flow_materials"].sum() for seed in range(20)]) for tax in (0.0, 3000.0)}
    greater(flow[3000.0], flow[0.0])
