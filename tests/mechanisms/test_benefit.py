"""Two-sided benefit (sim/mechanisms/benefit.py): an exchange forms only if both sides gain and
each gets its outlay back within the payback its role demands; the price splits the surplus;
distance, investment, setup and upgrading fall on the deal; a renewal no longer pays for the pipe."""

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
    distance_km: float = 1.0,
    virgin_price: float | None = None,
    resource: str = "biogas",
    receiver_share: float = 0.5,
    quality: float = 0.6,
    **kw,
) -> benefit.Deal:
    extra = {} if virgin_price is None else {"virgin_price": virgin_price}
    m = b.new(
        b.firm("Plant", offers=[b.offer(resource, 500, quality)]),
        b.firm("Boiler", at=(10 + distance_km, 10), demands=[b.demand(resource, 300, 0.5, **extra)]),
        params={"benefit": {"receiver_share": receiver_share}},
    )
    o, d = b.offer_of(m, "Plant", resource), b.demand_of(m, "Boiler", resource)
    at = kw.pop("priced_at_km", distance_km)
    return benefit.evaluate(m, o, d, b.firm_named(m, "Plant"), b.firm_named(m, "Boiler"), at, **kw)


def test_a_good_deal_gains_both_sides_and_splits_the_surplus() -> None:
    deal = _deal()
    assert deal.viable and deal.quantity == 300
    assert deal.supplier_decision == pytest.approx(deal.receiver_decision), "the symmetric Nash split of the surplus"
    assert deal.supplier_net > 0 and deal.receiver_net > 0, "and both gain in cash too"


def test_distance_costs_the_receiver_until_the_deal_is_not_worth_it() -> None:
    nets = [_deal(d).receiver_net for d in (1, 20, 60)]
    assert nets[0] > nets[1] > nets[2]
    assert _deal(1, resource="co2", quality=0.95).viable
    assert not _deal(1, virgin_price=1.0, resource="co2", quality=0.95).viable, (
        "nothing to dispose of and a virgin alternative for next to nothing"
    )


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


def _priced(resource: str, quantity: float, distance_km: float, policy: dict | None = None, **demand) -> benefit.Deal:
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
    near, far = _priced("oxygen", 2000, 2.0), _priced("oxygen", 2000, 50.0)
    assert near.viable
    assert far.supplier_net + far.receiver_net < 0 and not far.viable


def test_a_landfill_tax_raises_what_a_by_product_supplier_avoids() -> None:
    """Fraccascia et al. (2017): the tax on landfilling is the supplier's avoided cost, per tonne landfilled."""
    share = CATALOGUE["materials"].landfill_share
    low, high = (_priced("materials", 40, 20.0, {"landfill_tax_sek_per_t": t}, virgin_price=0.0) for t in (0.0, 1000.0))
    joint = [d.supplier_net + d.receiver_net for d in (low, high)]
    assert joint[1] - joint[0] == pytest.approx(40 * share * 1000.0)
    assert not low.viable and high.viable, "a tax can turn a by-product exchange profitable"
    untaxed = [_priced("co2", 100, 20.0, {"landfill_tax_sek_per_t": t}) for t in (0.0, 1000.0)]
    assert untaxed[0] == untaxed[1], "a stream that is not landfilled pays no landfill tax"


def test_a_carbon_price_adds_the_avoided_emissions_to_the_receivers_value() -> None:
    deals = [_priced("biogas", 300, 5.0, {"co2_price_sek_per_t": p}) for p in (0.0, 1000.0)]
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


# ----- the decision: payback by role, setup and running staff time, upgrading --------------------
def _pair(supplier: dict, receiver: dict, resource: str, **kw):
    m = b.new(supplier, receiver, **kw)
    s, r = m.firms[0], m.firms[1]
    o, d = b.offer_of(m, s.name, resource), b.demand_of(m, r.name, resource)
    return m, o, d, s, r


def _joint(deal: benefit.Deal) -> float:
    return deal.supplier_decision + deal.receiver_decision


def test_the_same_deal_is_taken_by_a_utility_and_refused_by_an_sme_when_it_pays_back_in_five_years() -> None:
    """No setup or running costs: the joint outlay is the connection, recovered in exactly five years."""
    free = {
        "benefit": {
            "setup_cost_sek": {r: 0.0 for r in ("anchor", "sme", "startup", "utility")},
            "running_cost_sek_per_month": {r: 0.0 for r in ("anchor", "sme", "startup", "utility")},
        }
    }
    q, km = 100.0, 1.0

    def deal(role: str) -> benefit.Deal:
        m0 = b.new(b.firm("Plant", offers=[b.offer("biogas", q, 0.6)]), b.firm("Boiler", at=(11, 10)))
        res = benefit.resource(m0, "biogas")
        investment = res.fixed_investment_sek + res.connection_sek_per_km * km
        # the virgin price at which the joint monthly net recovers the investment in 60 months
        v = (investment / 60 - q * res.disposal_sek_per_unit(m0.policy.landfill_tax_sek_per_t) + q * res.transport_sek_per_unit_km * km) / q
        m, o, d, s, r = _pair(
            b.firm("Plant", offers=[b.offer("biogas", q, 0.6)]),
            b.firm("Boiler", role, at=(11, 10), demands=[b.demand("biogas", q, 0.5, virgin_price=v)]),
            "biogas",
            params=free,
        )
        out = benefit.evaluate(m, o, d, s, r, km)
        assert benefit.payback_years(
            out.investment_sek, _joint(out) + out.investment_sek / benefit.max_payback_months(m, role)
        ) == pytest.approx(5.0)
        return out

    assert deal("utility").viable, "a municipal utility accepts twelve years"
    assert not deal("sme").viable, "an SME wants its money back in three"


def test_a_payback_requirement_overridden_for_one_role_keeps_the_others() -> None:
    m = b.new(b.firm("A"), b.firm("B", at=(11, 10)), params={"benefit": {"max_payback_years": {"sme": 1.0}}})
    assert benefit.max_payback_months(m, "sme") == 12.0
    assert benefit.max_payback_months(m, "utility") == 12.0 * benefit.MAX_PAYBACK_YEARS["utility"]


def test_setup_staff_time_sinks_a_tiny_deal_not_a_large_one_whatever_the_turnover() -> None:
    def deal(q: float, turnover: float, free: bool = False) -> benefit.Deal:
        params: dict = {"anchor_revenue": {"brand_value_sek_per_month": 0.0}}
        if free:
            params["benefit"] = {"setup_cost_sek": {"anchor": 0.0, "sme": 0.0}}
            params["anchor_revenue"]["management_review_sek"] = 0.0
        m, o, d, s, r = _pair(
            b.firm("Biogas", "anchor", offers=[b.offer("digestate", 5000, 0.8)], turnover_msek_per_year=turnover),
            b.firm("Farm", at=(11, 10), demands=[b.demand("digestate", q, 0.5)]),
            "digestate",
            params=params,
        )
        return benefit.evaluate(m, o, d, s, r, 1.0)

    assert deal(150, 100.0, free=True).viable, "without the setup cost the tiny deal pays"
    assert not deal(150, 100.0).viable, "its setup staff time sinks it"
    assert deal(2000, 100.0).viable, "a large deal carries the same setup cost easily"
    for q in (150, 2000):
        assert deal(q, 100.0) == deal(q, 20000.0), "the supplier's turnover plays no part"


def test_running_staff_time_is_a_fixed_sum_a_month_per_exchange() -> None:
    def supplier_cash(cost: float) -> float:
        m, o, d, s, r = _pair(
            b.firm("Plant", offers=[b.offer("biogas", 500, 0.6)]),
            b.firm("Boiler", at=(11, 10), demands=[b.demand("biogas", 300, 0.5)]),
            "biogas",
            params={"benefit": {"running_cost_sek_per_month": {"sme": cost}}},
        )
        deal = benefit.evaluate(m, o, d, s, r, 1.0)
        return deal.supplier_net + deal.receiver_net

    assert supplier_cash(0.0) - supplier_cash(10000.0) == pytest.approx(2 * 10000.0), "both sides are SMEs"


def _heat_to_dh(temperature: float, month: int | None = None, sector: str = "district_heating") -> benefit.Deal:
    m, o, d, s, r = _pair(
        b.firm("Mill", "anchor", offers=[b.offer("heat", 5000, temperature)]),
        b.firm("Energi", "utility", at=(11, 10), sector=sector, demands=[b.demand("heat", 5000, 30)]),
        "heat",
    )
    return benefit.evaluate(m, o, d, s, r, 1.0, month=month)


def test_low_grade_heat_needs_a_heat_pump_to_enter_district_heating() -> None:
    m = b.new(b.firm("A"), b.firm("B", at=(11, 10)))
    p = m.params.benefit
    assert benefit.heat_pump_cop(m, 35.0) == pytest.approx(
        p.heat_pump_carnot_efficiency * (p.dh_supply_temperature_c + 273.15) / (p.dh_supply_temperature_c - 35.0)
    )
    assert benefit.heat_pump_cop(m, 90.0) is None, "hot enough: no lift"
    cool, hot = _heat_to_dh(35.0), _heat_to_dh(90.0)
    assert cool.investment_sek - hot.investment_sek == pytest.approx(p.heat_pump_capex_sek_per_mw * 5000 / benefit.HOURS_PER_MONTH)
    assert _joint(cool) < _joint(hot), "35 °C heat is worth less to district heating than 90 °C heat"
    assert _joint(_heat_to_dh(35.0, sector="greenhouse")) > _joint(cool), "a greenhouse uses it as it is"


def test_district_heating_values_heat_in_winter_more_than_in_summer() -> None:
    m = b.new(b.firm("A"), b.firm("B", at=(11, 10), sector="district_heating"), b.firm("C", at=(12, 10), sector="greenhouse"))
    dh, greenhouse = m.firms[1], m.firms[2]
    assert benefit.heat_utilisation(m, dh, 1) > benefit.heat_utilisation(m, dh, 7)
    assert benefit.heat_utilisation(m, dh) == pytest.approx(sum(m.params.benefit.dh_monthly_utilisation) / 12)
    assert benefit.heat_utilisation(m, dh) < 1.0
    assert benefit.heat_utilisation(m, greenhouse, 7) == 1.0
    assert _joint(_heat_to_dh(90.0, month=1)) > _joint(_heat_to_dh(90.0)) > _joint(_heat_to_dh(90.0, month=7))


def test_a_receiver_that_needs_cleaner_water_pays_for_polishing() -> None:
    def joint(sector: str, quality: float = 0.7) -> float:
        m, o, d, s, r = _pair(
            b.firm("Works", "utility", offers=[b.offer("technical_water", 50000, quality)]),
            b.firm("Plant", at=(11, 10), sector=sector, demands=[b.demand("technical_water", 20000, 0.6)]),
            "technical_water",
        )
        return _joint(benefit.evaluate(m, o, d, s, r, 1.0))

    polishing = 20000 * b.new(b.firm("A"), b.firm("B", at=(11, 10))).params.benefit.water_polishing_sek_per_m3
    assert joint("food") - joint("chemicals") == pytest.approx(polishing), "chemicals need 0.9, the works offers 0.7"
    assert joint("chemicals", 0.95) == pytest.approx(joint("food", 0.95)), "clean enough: no polishing"


def test_dilute_co2_needs_a_capture_plant_concentrated_co2_only_purification() -> None:
    concentrated, dilute = _deal(1, resource="co2", quality=0.95), _deal(1, resource="co2", quality=0.6)
    p = b.new(b.firm("A"), b.firm("B", at=(11, 10))).params.benefit
    assert _joint(concentrated) - _joint(dilute) == pytest.approx(300 * p.co2_capture_sek_per_t)
    assert concentrated.viable and not dilute.viable


@pytest.mark.slow
def test_a_shorter_payback_demanded_by_smes_gives_fewer_exchanges() -> None:
    """SMEs that want their money back within a year take part in fewer exchanges than at three years."""
    greater(
        outcomes(None, {}, "exchanges_started", n=60, steps=TEN_YEARS),
        outcomes(None, {"params.benefit.max_payback_years.sme": 1.0}, "exchanges_started", n=60, steps=TEN_YEARS),
    )
