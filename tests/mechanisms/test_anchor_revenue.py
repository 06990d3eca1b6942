"""Anchor marginal revenue (sim/mechanisms/anchor_revenue.py): a large supplier pays a one-off
management review per deal and weighs delivery risk against the payment, whatever its turnover; an
anchor gains brand value."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import anchor_revenue, benefit
from tests.helpers import greater
from tests.mechanisms import builder as b

TEN_YEARS = 120


def _model(role: str = "anchor", turnover: float = 3000.0, **kw):
    return b.new(
        b.firm("Mill", role, offers=[b.offer("heat", 1000, 60)], turnover_msek_per_year=turnover),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 600, 40)]),
        **kw,
    )


def _costs(m, value: float = 1e5) -> tuple[float, float]:
    return anchor_revenue.supplier_side_costs(m, b.firm_named(m, "Mill"), value)


def test_an_anchor_weighs_risk_by_the_value_not_by_its_turnover() -> None:
    p = _model().params.anchor_revenue
    small, big = _costs(_model(turnover=100.0)), _costs(_model(turnover=3000.0))
    assert big == small, "turnover plays no part"
    assert _costs(_model(), 2e5)[0] - _costs(_model(), 1e5)[0] == pytest.approx(p.delivery_risk_share * 1e5)
    assert big[1] == p.brand_value_sek_per_month


def test_a_large_supplier_reviews_each_new_deal_once_whatever_its_turnover() -> None:
    p = _model().params.anchor_revenue
    for role, turnover in (("anchor", 100.0), ("anchor", 20000.0), ("utility", 250.0)):
        m = _model(role, turnover)
        assert anchor_revenue.supplier_review_cost(m, b.firm_named(m, "Mill")) == p.management_review_sek
    m = _model("sme")
    assert anchor_revenue.supplier_review_cost(m, b.firm_named(m, "Mill")) == 0.0
    m = _model(mechanisms={"anchor_revenue": False})
    assert anchor_revenue.supplier_review_cost(m, b.firm_named(m, "Mill")) == 0.0
    # it is a one-off: a renewal does not pay it again
    o, d = b.offer_of(m := _model(), "Mill", "heat"), b.demand_of(m, "Grower", "heat")
    mill, grower = b.firm_named(m, "Mill"), b.firm_named(m, "Grower")
    m_off = _model(params={"anchor_revenue": {"management_review_sek": 0.0}})
    o2, d2 = b.offer_of(m_off, "Mill", "heat"), b.demand_of(m_off, "Grower", "heat")
    renew = benefit.evaluate(m, o, d, mill, grower, 1.0, sunk=True)
    renew_off = benefit.evaluate(m_off, o2, d2, b.firm_named(m_off, "Mill"), b.firm_named(m_off, "Grower"), 1.0, sunk=True)
    assert renew == renew_off


def test_a_utility_bears_the_costs_without_the_brand_and_an_sme_bears_none() -> None:
    cost, brand = _costs(_model("utility"))
    assert cost > 0 and brand == 0
    assert _costs(_model("sme")) == (0.0, 0.0)
    assert _costs(_model(mechanisms={"anchor_revenue": False})) == (0.0, 0.0)


def _viable(m) -> bool:
    o, d = b.offer_of(m, "Mill", "heat"), b.demand_of(m, "Grower", "heat")
    return benefit.evaluate(m, o, d, b.firm_named(m, "Mill"), b.firm_named(m, "Grower"), 1.0).viable


def test_a_utility_declines_a_marginal_deal_it_would_take_without_the_rule() -> None:
    """Heat to a grower beside it: the guarantee's risk outweighs the utility's gain; an SME takes it."""
    assert not _viable(_model("utility"))
    assert _viable(_model("utility", mechanisms={"anchor_revenue": False}))
    assert _viable(_model("sme"))


def _large_supplier_exchanges(seed: int, **kw) -> int:
    """A municipal works with heat and three growers, each deal thin; every stage may take time or fail."""
    m = b.new(
        b.firm("Works", "utility", offers=[b.offer("heat", 3000, 60)]),
        *(b.firm(f"Grower {i}", at=(10.5 + 0.25 * i, 10.5), demands=[b.demand("heat", 600, 40)]) for i in range(3)),
        seed=seed,
        quick=False,
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        params={"matching": {"base_search_rate": 0.2}},
    )
    b.step(m, TEN_YEARS)
    return len([ex for ex in b.exchanges(m) if ex.operating_since is not None])


@pytest.mark.slow
def test_delivery_risk_and_review_keep_large_suppliers_out_of_marginal_deals() -> None:
    """P4: a large supplier's guarantee risk and management review keep it out of thin deals that a
    supplier without them takes (the anchor's brand value can tip the balance the other way; in the
    example region anchors are held back more by their short payback and busy staff, see benefit)."""
    seeds = range(20)
    off = np.array([_large_supplier_exchanges(s, mechanisms={"anchor_revenue": False}) for s in seeds], dtype=float)
    on = np.array([_large_supplier_exchanges(s) for s in seeds], dtype=float)
    greater(off, on)
