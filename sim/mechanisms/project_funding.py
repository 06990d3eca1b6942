"""Project funding of facilitation (patterns P2, P8, P10).

Almost all initiatives have needed public project money (§3.3). A facilitator lives on projects:
a region's programme funds a share of its cost for a project's length; when one ends the next
starts after ``policy.funding_gap_months``, if the programme still has budget. Regional
development money is for SMEs unless ``policy.funding_anchor_eligible``: then, and only then, the
facilitator's funded time may go to work with a large anchor (§3.4.2, MOLEKYL A25). Permanent
base funding and membership fees scaled by firm size (High Coast, A2) are the alternatives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.facilitator import Project
from agents.firm import Role
from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from agents.facilitator import Facilitator
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel


ODD = "submodel-project_funding"  # its section in docs/odd.md
SWITCH = Switch("Facilitation lives on project funding.", "report §3.3 and §3.4.2 (project funding), P2, P8, P10")
LEVERS = ("funding_gap_months", "funding_anchor_eligible", "facilitator_base_funding_sek_per_year")


class Params(Strict):
    approval_probability: float = param(
        0.8,
        "probability per application",
        "assumption: most symbiosis applications are granted eventually (§3.3)",
        "Chance an application to a programme is granted.",
        ge=0,
        le=1,
    )
    cofinanced_by_partners: bool = param(
        True,
        "switch",
        "§3.3: projects are co-financed by the partners' own money (A3 Händelö: ERDF plus the main actors' own money)",
        "Whether partners pay the rest of a project's cost, so that a running project funds full capacity.",
    )
    initial_project_funding_rate: float = param(
        0.5,
        "share of the facilitator's cost (0-1)",
        "as a programme's default funding_rate (§3.4.2); value: assumption",
        "Public share of the cost of a project already running at the start (facilitators.*.initial_project_months).",
        ge=0,
        le=1,
    )


class State:
    """Per municipality, the facilitation rate of a firm there (column 0 other firms, 1 anchors)."""

    def __init__(self) -> None:
        self.by_municipality: np.ndarray | None = None


def refresh_facilitation(model: SymbiosisModel) -> None:
    """Per firm: engagement times the share of funded time that may go to it.

    Kept per municipality too, so that a firm entering before the next refresh gets its rate
    without a pass over all firms.
    """
    arrays = model.firm_arrays
    n = arrays.n
    by_muni = np.zeros((len(model.municipalities), 2))
    for fac in model.facilitators:
        for m in fac.municipalities:
            by_muni[m] = np.maximum(by_muni[m], (fac.engagement * fac.funded_share, fac.engagement * fac.anchor_coverage))
    muni = arrays.municipality[:n]
    arrays.facilitation_rate[:n] = np.where(arrays.anchor[:n], by_muni[muni, 1], by_muni[muni, 0])
    model.state.project_funding.by_municipality = by_muni


def on_built(model: SymbiosisModel) -> None:
    refresh_facilitation(model)


def on_firm_added(model: SymbiosisModel, firm: Firm) -> None:
    """A firm arriving during a run gets the rate of its municipality at once."""
    table = model.state.project_funding.by_municipality
    if table is not None:
        model.firm_arrays.facilitation_rate[firm.idx] = table[firm.municipality, int(firm.role == Role.ANCHOR)]


def member_turnover_sek_per_month(model: SymbiosisModel, fac: Facilitator) -> float:
    """Turnover of the firms in the facilitator's area that take part in an exchange (for member fees)."""
    if fac.membership_fee_share <= 0:
        return 0.0
    area = set(fac.municipalities)
    return sum(f.turnover_sek_per_year for f in model.firms if f.alive and f.operating > 0 and f.municipality in area) / 12.0


def _programme_for(model: SymbiosisModel, fac: Facilitator) -> int | None:
    """The region's programme with budget left for one more project, if any."""
    region = model.regions[fac.region]
    for k, prog in enumerate(region.programmes):
        if prog.remaining_sek >= fac.cost_sek_per_month * prog.funding_rate * prog.project_length_months:
            return k
    return None


def _apply(model: SymbiosisModel, fac: Facilitator) -> None:
    k = _programme_for(model, fac)
    if k is None:
        return
    prog = model.regions[fac.region].programmes[k]
    if model.rng.random() >= model.params.project_funding.approval_probability:
        fac.next_project_step = model.steps + prog.call_interval_months
        model.log(EventKind.FUNDING_DENIED, facilitator=fac.name, detail=prog.name, programme=prog.name)
        return
    anchor_ok = model.config.policy.funding_anchor_eligible or prog.anchor_eligible
    monthly = fac.cost_sek_per_month * prog.funding_rate
    fac.project = Project(k, model.steps, model.steps + prog.project_length_months, monthly, anchor_ok)
    prog.spent_sek += monthly * prog.project_length_months
    total = monthly * prog.project_length_months
    model.log(
        EventKind.PROJECT_STARTED,
        facilitator=fac.name,
        detail=f"{prog.name}: {total / 1e6:.1f} MSEK",
        programme=prog.name,
        amount_sek=total,
    )


def step(model: SymbiosisModel) -> None:
    """Run projects, apply for new ones, and set each facilitator's funded capacity."""
    policy = model.config.policy
    on = model.switches.project_funding
    for fac in model.facilitators:
        if fac.project is not None and model.steps >= fac.project.end_step:
            model.log(EventKind.PROJECT_ENDED, facilitator=fac.name)
            fac.project = None
            fac.next_project_step = model.steps + policy.funding_gap_months
        if on and fac.project is None and model.steps >= fac.next_project_step:
            _apply(model, fac)
        cost = fac.cost_sek_per_month
        public = fac.project.public_sek_per_month if fac.project else 0.0
        capacity = cost if fac.project and model.params.project_funding.cofinanced_by_partners else public
        if not on:
            capacity = cost  # with the mechanism off, funding never binds
        base = policy.facilitator_base_funding_sek_per_year / 12.0
        fees = fac.membership_fee_share * member_turnover_sek_per_month(model, fac)
        fac.funded_share = min(1.0, (capacity + base + fees) / cost)
        anchor_ok = not on or (fac.project is not None and fac.project.anchor_eligible)
        fac.anchor_coverage = min(1.0, (base + fees + (capacity if anchor_ok else 0.0)) / cost)
        fac.public_sek_this_step = (public + base) if on else 0.0
        model.add_public_spending(fac.public_sek_this_step)


def covers(fac: Facilitator, role: Role) -> float:
    """Share of a facilitator's capacity that may be spent on a firm of this role."""
    return fac.anchor_coverage if role == Role.ANCHOR else fac.funded_share
