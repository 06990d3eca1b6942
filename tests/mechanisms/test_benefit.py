"""Two-sided benefit (sim/mechanisms/benefit.py): an exchange forms only if both sides gain; the
price splits the surplus; distance and investment fall on the deal; a renewal no longer pays for
the pipe."""

from __future__ import annotations

import pytest

from sim.core.resources import CATALOGUE
from sim.mechanisms import benefit
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
    disposal = CATALOGUE["biogas"].disposal_sek_per_unit
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
