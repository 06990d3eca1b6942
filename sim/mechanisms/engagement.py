"""Facilitator engagement (pattern P2).

Engagement rises while the facilitator is funded and decays with a half-life in a funding gap.
Members drift away during a gap (``retention`` falls), and rebuilding engagement runs at the
speed of the members still there, so rebuilding after a gap is slower than keeping engagement
(§3.3: partners must be kept in the network without restarting; Sävsjö A20). Engagement drives
how fast latent matches are found and how much trust brokered meetings build.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.core.params import Strict, Switch, param
from sim.mechanisms import matching, project_funding, trust

if TYPE_CHECKING:
    from agents.facilitator import Facilitator
    from sim.core.model import SymbiosisModel


ODD = "submodel-engagement"  # its section in docs/odd.md
SWITCH = Switch("Facilitator engagement builds and decays.", "report §3.3 and §2.5.5 (facilitators' continuity), P2")


class Params(Strict):
    rise_per_month: float = param(
        0.08,
        "share of the gap to full engagement per month",
        "assumption: about a year to full engagement in a new project",
        "How fast engagement rises while funded.",
        ge=0,
        le=1,
    )
    half_life_months: float = param(
        6.0,
        "months",
        "A20 Sävsjö: engagement could not be kept when funding did not follow; value: assumption",
        "Half-life of engagement without funding.",
        gt=0,
    )
    retention_half_life_months: float = param(
        12.0,
        "months",
        "§3.3: partners drift away between projects; value: assumption",
        "Half-life of the network's membership in a gap.",
        gt=0,
    )
    retention_recovery_per_month: float = param(
        0.03, "share per month", "assumption: rebuilding a network takes years", "How fast members return once funded again.", ge=0, le=1
    )
    meetings_per_month: float = param(
        3.0,
        "meetings per month at full engagement",
        "§2.5.5: the facilitator brings actors together; value: assumption",
        "Brokered meetings between latent partners a fully engaged facilitator holds per month.",
        ge=0,
    )


def of_firm(model: SymbiosisModel, firm_idx: int) -> float:
    """Engagement of the facilitator working where the firm is (0 where none does)."""
    fac = model.municipalities[model.firms[firm_idx].municipality].facilitator
    return model.facilitators[fac].engagement if fac is not None else 0.0


def step(model: SymbiosisModel) -> None:
    """Update engagement and retention, then broker meetings among latent matches."""
    facilitators = model.facilitators
    if facilitators:
        p = model.params.engagement
        on, meetings, rng = model.switches.engagement, p.meetings_per_month, model.rng
        decay = math.pow(0.5, 1.0 / p.half_life_months)
        drift = math.pow(0.5, 1.0 / p.retention_half_life_months)
        for fac in facilitators:
            f = fac.funded_share
            if not on:
                fac.engagement = f
                fac.retention = 1.0
            elif f > 0:
                fac.retention += p.retention_recovery_per_month * f * (1.0 - fac.retention)
                if fac.engagement < f:  # towards the funded share, at the pace of the members still there
                    fac.engagement += p.rise_per_month * fac.retention * (f - fac.engagement)
                else:
                    fac.engagement = f + (fac.engagement - f) * decay
            else:
                fac.engagement *= decay
                fac.retention *= drift
            # meetings: a Poisson draw with mean 0 is 0 and takes nothing from the generator, so it is not made
            lam = meetings * fac.engagement
            if lam != 0 and (n := int(rng.poisson(lam))):
                _broker(model, fac, n)
    project_funding.refresh_facilitation(model)


def _broker(model: SymbiosisModel, fac: Facilitator, n: int) -> None:
    """Hold ``n`` meetings (as many as there are, if fewer) between latent partners in the facilitator's area."""
    mine = matching.latent_in(model, fac.municipalities)
    if not mine:
        return
    rng, firms = model.rng, model.firms
    for j in choose(rng, len(mine), min(n, len(mine))):
        offer, demand = mine[j]
        supplier, receiver = firms[offer.firm], firms[demand.firm]
        share = min(project_funding.covers(fac, supplier.role), project_funding.covers(fac, receiver.role))
        if rng.random() >= share:
            continue
        trust.on_meeting(model, offer.firm, demand.firm, fac.engagement)
        if matching.propose(model, offer, demand, model.distance(offer.firm, demand.firm), True) is not None:
            matching.forget_latent(model, offer, demand)


def choose(rng: np.random.Generator, k: int, size: int) -> list[int]:
    """``rng.choice(k, size=size, replace=False)`` as a list, the same draws and the same picks.

    A month holds one or two meetings, and numpy's call costs several bounded draws. For one or two
    picks this makes numpy's own: Floyd's sampling (for each ``j`` from ``k - size`` on, a draw in
    ``[0, j]``, taken as ``j`` if already picked) and then its shuffle of the picks (one draw in
    ``[0, 1]`` swaps them when 0), each draw as ``rng.integers`` makes it; a draw in ``[0, 0]`` is 0
    and takes nothing from the generator, so it is not made.
    """
    if size > 2:
        return [int(j) for j in rng.choice(k, size=size, replace=False)]
    picks: list[int] = []
    for j in range(k - size, k):
        v = int(rng.integers(0, j + 1)) if j else 0
        picks.append(j if v in picks else v)
    if size == 2 and not int(rng.integers(0, 2)):
        picks.reverse()
    return picks
