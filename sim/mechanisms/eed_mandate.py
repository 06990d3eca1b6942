"""The Energy Efficiency Directive's residual-heat mandate (EU 2023/1791, report §4.4).

A new or substantially refurbished installation with average energy input above 8 MW, or a data
centre, must do a cost–benefit analysis of using its residual heat, assessing nearby industrial
sites, agricultural sites and district heating as demand points. In the model that assessment
puts each such installation's heat in front of every heat demand within reach.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param
from sim.mechanisms import matching, trust

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel

HEAT = ("heat", "steam")


ODD = "submodel-eed_mandate"  # its section in docs/odd.md
SWITCH = Switch("The EED heat mandate acts when the policy lever is on.", "report §4.4; Directive (EU) 2023/1791, art. 26")
LEVERS = ("eed_heat_mandate",)


class Params(Strict):
    threshold_mw: float = param(
        8.0, "MW average energy input", "EU 2023/1791 art. 26 as summarised in §4.4", "Installations above this input are covered.", ge=0
    )
    refurbish_rate_per_year: float = param(
        0.1,
        "1/year",
        "assumption: a substantial refurbishment or permit review about every ten years",
        "Chance per year that a covered installation is substantially refurbished.",
        ge=0,
        le=1,
    )
    supervision_cost_sek_per_assessment: float = param(
        20000.0,
        "SEK per assessment",
        "assumption: about 25 hours of the supervising authority's review of one cost-benefit analysis at 800 SEK/hour "
        "(the installation's own cost of the analysis is private and not counted)",
        "Public cost of supervising one heat assessment under the mandate.",
        ge=0,
    )


class State:
    """The installations the mandate covers, in the order they came."""

    def __init__(self) -> None:
        self.installations: list[Firm] = []


def on_firm_added(model: SymbiosisModel, firm: Firm) -> None:
    if covered(model, firm):
        model.state.eed_mandate.installations.append(firm)


def heat_installations(model: SymbiosisModel) -> list[Firm]:
    """Firms the mandate covers (above the threshold or data centres), still in business."""
    return [f for f in model.state.eed_mandate.installations if f.alive]


def covered(model: SymbiosisModel, firm: Firm) -> bool:
    return firm.data_centre or firm.energy_input_mw > model.params.eed_mandate.threshold_mw


def assess(model: SymbiosisModel, firm: Firm) -> int:
    """Put the installation's heat offers to every heat demand within reach; count proposals."""
    n = 0
    for offer in firm.offers:
        if offer.resource not in HEAT or offer.available <= matching.EPS:
            continue
        book = model.state.matching.books[offer.resource]
        tree = book.demand_tree(model)
        if tree is None:
            continue
        for k in tree.query_ball_point([firm.x, firm.y], r=model.resources[offer.resource].reach_km):
            demand = book.demands[k]
            if demand.unmet > matching.EPS and demand.firm != firm.idx:
                trust.on_meeting(model, firm.idx, demand.firm, 1.0)  # the analysis puts both at one table
                n += matching.propose(model, offer, demand, model.distance(firm.idx, demand.firm), False) is not None
    model.log(EventKind.HEAT_ASSESSMENT, firm=firm.name, detail=f"{n} exchanges proposed", count=n)
    return n


def step(model: SymbiosisModel) -> None:
    """Covered installations that are refurbished this month assess their residual heat."""
    if not (model.switches.eed_mandate and model.config.policy.eed_heat_mandate):
        return
    monthly = 1.0 - (1.0 - model.params.eed_mandate.refurbish_rate_per_year) ** (1.0 / 12.0)
    for firm in heat_installations(model):
        if model.rng.random() < monthly:
            assess(model, firm)
            model.add_public_spending(model.params.eed_mandate.supervision_cost_sek_per_assessment)
