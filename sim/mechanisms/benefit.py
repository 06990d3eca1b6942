"""Two-sided net benefit of a proposed exchange (Fraccascia et al. 2017; Albino et al. 2016).

An exchange forms only if both sides expect to gain over the contract term:
supplier = payment + avoided disposal (fee + landfill tax) + non-financial value − delivery risk − transaction cost;
receiver = avoided virgin purchase (+ the carbon price on its emissions) − payment − transport and upgrading −
annualised investment. Prices and costs are the scenario's resource catalogue (``model.resources``).
The price splits the joint surplus (symmetric Nash bargaining), floored so that a supplier never
pays more to be rid of a stream than its disposal would cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.core.params import Strict, param
from sim.mechanisms import anchor_revenue, scarcity

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Demand, Offer
    from sim.core.model import SymbiosisModel


ODD = "submodel-benefit"  # its section in docs/odd.md
LEVERS = ("landfill_tax_sek_per_t", "co2_price_sek_per_t")  # per-unit instruments priced into every deal


class Params(Strict):
    contract_years: float = param(
        10.0,
        "years",
        "assumption: ordinary bilateral supply contracts (§3.2); Agtira signs up to 15 years (A14)",
        "Contract term over which both sides evaluate an exchange.",
        gt=0,
        le=50,
    )
    discount_rate: float = param(
        0.06, "1/year", "assumption: typical industrial hurdle rate", "Rate used to annualise the connection investment.", ge=0, le=0.5
    )
    transaction_cost_sek: float = param(
        300000.0,
        "SEK per exchange and side",
        "assumption: months of staff time for studies and contracts (§3.4.2)",
        "One-off cost of preparing a deal, spread over the contract term.",
        ge=0,
    )
    receiver_share: float = param(
        0.5,
        "share",
        "assumption: symmetric Nash bargaining",
        "Share of the joint surplus the receiver keeps through the price.",
        gt=0,
        lt=1,
    )


@dataclass(slots=True, frozen=True)
class Deal:
    """The terms of a proposed exchange."""

    quantity: float
    price: float
    investment_sek: float
    supplier_net: float
    receiver_net: float

    @property
    def viable(self) -> bool:
        return self.supplier_net > 0.0 and self.receiver_net > 0.0


def annuity_factor(rate_per_year: float, years: float) -> float:
    """Monthly payment per SEK invested, over ``years`` at ``rate_per_year``."""
    r = rate_per_year / 12.0
    n = years * 12.0
    return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** -n)


def evaluate(
    model: SymbiosisModel,
    offer: Offer,
    demand: Demand,
    supplier: Firm,
    receiver: Firm,
    distance_km: float,
    sunk: bool = False,
    quantity: float | None = None,
) -> Deal:
    """Price the exchange and return both sides' monthly net benefit (SEK/month).

    ``sunk``: the connection already exists (a renewal), so its investment no longer counts.
    """
    p = model.params.benefit
    res = model.resources[offer.resource]  # the scenario's catalogue, as set_price events leave it
    qty = min(offer.available, demand.unmet) if quantity is None else quantity
    virgin = demand.virgin_price * scarcity.price_multiplier(model, receiver, offer.resource)
    value = qty * virgin
    carbon = qty * res.co2_t_per_unit * model.policy.co2_price_sek_per_t  # the virgin alternative's emissions, priced
    transport = qty * (res.transport_sek_per_unit_km * distance_km + res.upgrade_sek_per_unit)
    investment = 0.0 if sunk else res.fixed_investment_sek + res.connection_sek_per_km * distance_km
    months = p.contract_years * 12.0
    capital = investment * annuity_factor(p.discount_rate, p.contract_years)
    transaction = 0.0 if sunk else p.transaction_cost_sek / months
    disposal = qty * res.disposal_sek_per_unit(model.policy.landfill_tax_sek_per_t)  # fee + landfill tax
    risk, brand = anchor_revenue.supplier_side_costs(model, supplier, value)
    receiver_base = value + carbon - transport - capital - transaction
    supplier_base = disposal + brand - risk - transaction
    surplus = receiver_base + supplier_base
    payment = receiver_base - p.receiver_share * surplus
    payment = max(payment, -disposal)
    price = payment / qty if qty > 0 else 0.0
    return Deal(qty, price, investment, supplier_base + payment, receiver_base - payment)
