"""Internal alternatives: a firm can meet part of a need itself, and weighs a symbiosis against it.

Nearly all firms work on internal resource efficiency, while seeking partners across sectors is
far less natural (§2.5.4). In Visby and Vimmerby, under water scarcity, internal efficiency and
reuse of water were judged more feasible than a water symbiosis with other actors, although the
symbiosis was judged to save more and to spread the risk of a single water source (A28, §2.3.1):
the obstacle is less technical than the attitude to a collaboration one controls less. So when a
receiver decides on a proposed exchange, it compares the symbiosis, for the part its own option
could cover, with that option's net benefit plus a control premium (the value it puts on supply it
controls itself), less the value of spreading supply risk over a second source (worth something
only when the own option cannot cover everything). If the own option wins, the firm covers that
part itself (event ``internal_supply``): that part of the need is no longer searched for, and the
rest, if any, is still open to the symbiosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import field_validator

from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param
from sim.core.resources import CATALOGUE
from sim.mechanisms import benefit, scarcity

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Demand, Offer
    from sim.core.model import SymbiosisModel

EPS = 1e-9

ODD = "submodel-internal_supply"  # its section in docs/odd.md
SWITCH = Switch(
    "Receivers weigh a symbiosis against covering the need themselves.",
    "report §2.5.4 (firms work on internal efficiency) and A28 (internal efficiency preferred to a water symbiosis)",
)


class Params(Strict):
    default_share: dict[str, float] = param(
        {},
        "share of the need, by resource",
        "§2.5.4: nearly all firms work on internal efficiency; how much more they can still cover is case data, so "
        "assumption: none unless a demand (demands.*.internal_share) or this table says so",
        "Share of a need a firm can cover itself, for demands that do not give internal_share; a resource not "
        "listed has no internal option.",
    )
    cost_sek_per_unit: dict[str, float] = param(
        {"technical_water": 30.0, "heat": 200.0},
        "SEK per resource unit, by resource",
        "A28: internal reuse was judged to save less than a symbiosis; values: assumption: treating and recirculating "
        "process water on site (membranes, polishing) about 30 SEK/m3; recovering heat on site with a heat pump "
        "about 200 SEK/MWh",
        "Cost of covering a unit of the need oneself, for demands that do not give internal_cost_per_unit.",
    )
    fallback_cost_share: float = param(
        0.8,
        "share of the virgin price",
        "assumption: an own option worth having costs somewhat less than buying virgin",
        "Cost of covering a unit oneself, as a share of the virgin market price, for a resource without a cost above.",
        ge=0,
        le=10,
    )
    control_premium_share: float = param(
        0.25,
        "share of the effective virgin price, per unit",
        "§2.3.1: the attitude to a collaboration one controls less is the main obstacle, not technology (A28); value: assumption",
        "Value a firm puts on a unit of supply it controls itself, over one it depends on a partner for.",
        ge=0,
        le=10,
    )
    diversification_share: float = param(
        0.1,
        "share of the effective virgin price, per unit, at an own option of zero share",
        "A28, §2.3.1: a symbiosis spreads the risk of a single water source; value: assumption",
        "Value of a second source, per unit, times (1 − the own option's share): nothing when the firm could cover everything itself.",
        ge=0,
        le=10,
    )

    @field_validator("default_share", "cost_sek_per_unit")
    @classmethod
    def _by_resource(cls, value: dict[str, float], info) -> dict[str, float]:
        """Keys are catalogue resources; shares lie in 0-1 and costs are not negative."""
        top = 1.0 if info.field_name == "default_share" else float("inf")
        for name, x in value.items():
            if name not in CATALOGUE:
                raise ValueError(f"unknown resource {name!r} (allowed: {', '.join(CATALOGUE)})")
            if not 0.0 <= x <= top:
                raise ValueError(f"{name}: {x} is outside [0, {top:g}]")
        return value


@dataclass(slots=True, frozen=True)
class Comparison:
    """The receiver's view, SEK/month, of the part of the need the own option could cover."""

    overlap: float  # units the symbiosis and the own option compete for
    symbiosis_net: float  # the symbiosis's receiver net benefit on that part
    internal_net: float  # the own option's net benefit on that part (avoided virgin − own cost)
    control_premium: float
    risk_spreading: float

    @property
    def internal_preferred(self) -> bool:
        """Own option when it beats the symbiosis with the control premium, less the value of a second source."""
        own = self.internal_net + self.control_premium
        return self.overlap > EPS and own > 0.0 and own - self.risk_spreading >= self.symbiosis_net


def share(model: SymbiosisModel, demand: Demand) -> float:
    """Share of the need the firm can cover itself."""
    if demand.internal_share is not None:
        return demand.internal_share
    return model.params.internal_supply.default_share.get(demand.resource, 0.0)


def cost(model: SymbiosisModel, demand: Demand) -> float:
    """SEK per unit of covering the need oneself."""
    if demand.internal_cost is not None:
        return demand.internal_cost
    p = model.params.internal_supply
    if demand.resource in p.cost_sek_per_unit:
        return p.cost_sek_per_unit[demand.resource]
    return p.fallback_cost_share * model.resources[demand.resource].virgin_price_sek_per_unit


def capacity(model: SymbiosisModel, demand: Demand) -> float:
    """Units a month the own option can still take on (never more than what is unmet)."""
    return max(0.0, min(share(model, demand) * demand.quantity - demand.internal, demand.unmet))


def compare(model: SymbiosisModel, demand: Demand, receiver: Firm, deal: benefit.Deal) -> Comparison:
    """Weigh the proposed deal against the own option for the part that option can cover."""
    p = model.params.internal_supply
    cap = capacity(model, demand)
    overlap = min(deal.quantity, cap)
    virgin = demand.virgin_price * scarcity.price_multiplier(model, receiver, demand.resource)
    sym = deal.receiver_net * overlap / deal.quantity if deal.quantity > EPS else 0.0
    s = share(model, demand)
    return Comparison(
        overlap=overlap,
        symbiosis_net=sym,
        internal_net=overlap * (virgin - cost(model, demand)),
        control_premium=overlap * p.control_premium_share * virgin,
        risk_spreading=overlap * p.diversification_share * virgin * (1.0 - s),
    )


def decide(
    model: SymbiosisModel, offer: Offer, demand: Demand, supplier: Firm, receiver: Firm, distance: float, deal: benefit.Deal
) -> benefit.Deal | None:
    """The receiver's choice on a viable proposed deal: the deal as it stands, the deal for the rest
    after covering part of the need itself, or None when nothing is left worth a symbiosis."""
    if not model.switches.internal_supply or capacity(model, demand) <= EPS:
        return deal
    c = compare(model, demand, receiver, deal)
    if not c.internal_preferred:
        return deal
    take = capacity(model, demand)
    demand.internal += take
    firm = model.firms[demand.firm]
    model.log(
        EventKind.INTERNAL_SUPPLY,
        firm=firm.name,
        resource=demand.resource,
        supplier=supplier.name,
        receiver=receiver.name,
        detail=f"covers {take:.4g} of its {demand.quantity:.4g} itself rather than from {supplier.name}",
    )
    if min(offer.available, demand.unmet) < model.params.matching.min_quantity_share * demand.quantity:
        return None
    rest = benefit.evaluate(model, offer, demand, supplier, receiver, distance)
    return rest if rest.viable else None
