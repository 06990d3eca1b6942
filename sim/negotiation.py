"""Contract negotiation: it takes time, longer between unfamiliar parties (Händelö, A3).

At the end both sides look at the deal again; it fails if it no longer pays or, with a chance
that grows with unfamiliarity, because the parties cannot agree on terms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import trust
from sim.params import Strict, param

if TYPE_CHECKING:
    from sim.exchange import Exchange
    from sim.model import SymbiosisModel


class Params(Strict):
    base_months: float = param(
        3.0,
        "months",
        "assumption: ordinary bilateral contract (§3.2)",
        "Mean negotiation time between parties who trust each other fully.",
        ge=0,
    )
    unfamiliarity_months: float = param(
        9.0,
        "months at zero trust",
        "A3 Händelö: contract negotiations took a long time",
        "Extra mean negotiation time, times (1 − trust).",
        ge=0,
    )
    failure_at_zero_trust: float = param(
        0.4,
        "probability",
        "assumption: A5 some actors saw no economic incentive",
        "Chance that negotiation fails, times (1 − trust).",
        ge=0,
        le=1,
    )


def months(model: SymbiosisModel, ex: Exchange) -> int:
    """Draw the duration; with the mechanism off a deal is signed at once."""
    if not model.switches.negotiation:
        return 0
    p = model.params.negotiation
    t = trust.level(model, model.firms[ex.supplier], model.firms[ex.receiver])
    mean = p.base_months + p.unfamiliarity_months * (1.0 - t)
    return int(model.rng.poisson(mean))


def agreed(model: SymbiosisModel, ex: Exchange) -> bool:
    """Whether the parties sign."""
    if not model.switches.negotiation:
        return True
    t = trust.level(model, model.firms[ex.supplier], model.firms[ex.receiver])
    return bool(model.rng.random() >= model.params.negotiation.failure_at_zero_trust * (1.0 - t))
