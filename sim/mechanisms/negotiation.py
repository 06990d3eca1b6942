"""Contract negotiation: it takes time, longer between unfamiliar parties (Händelö, A3).

At the end both sides look at the deal again; it fails, with a chance that grows with
unfamiliarity, because the parties cannot agree on terms. A deal a facilitator brokered also
leans on the broker: if the facilitator's engagement has fallen meanwhile (a funding gap), the
process stalls and may fall apart (§3.4.2: the build-up should happen in one go so that
engagement is not stalled; §3.3: partners must be kept without restarting when new money comes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.params import Strict, Switch, param
from sim.mechanisms import engagement, trust

if TYPE_CHECKING:
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-negotiation"  # its section in docs/odd.md
SWITCH = Switch("Contract negotiation takes time and may fail.", "report §3.4.3 (contracts)")


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
    stall_without_broker: float = param(
        0.9,
        "probability at zero engagement",
        "§3.3, §3.4.2: continuity is at great risk when a new project cannot start right after the previous one; value: assumption",
        "Extra chance that a brokered negotiation fails, times (1 − the facilitator's engagement) when it concludes.",
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
    p = model.params.negotiation
    t = trust.level(model, model.firms[ex.supplier], model.firms[ex.receiver])
    fail = p.failure_at_zero_trust * (1.0 - t)
    if ex.facilitated:
        fail += p.stall_without_broker * (1.0 - engagement.of_firm(model, ex.receiver))
    return bool(model.rng.random() >= min(1.0, fail))
