"""Diffusion between municipalities (pattern P11).

When collaboration takes root and is communicated, neighbouring municipalities tend to follow
(§2.4.2); Sotenäs started after a study visit to Kalundborg (A4). A municipality whose symbiosis
has been visible for a while inspires each neighbour without facilitation to start its own unit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from agents.facilitator import Facilitator
from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.core.model import SymbiosisModel


ODD = "submodel-diffusion"  # its section in docs/odd.md
SWITCH = Switch("Visible symbioses inspire neighbouring municipalities.", "report §2.5.1 (municipalities learning from each other), P11")


class Params(Strict):
    visible_after_months: int = param(
        24,
        "months",
        "assumption: a symbiosis must work for a while to be visited",
        "Months a municipality's exchanges must run before neighbours notice.",
        ge=0,
    )
    radius_km: float = param(
        60.0, "km", "assumption: neighbouring municipalities", "Distance within which a visible symbiosis inspires.", gt=0
    )
    rate_per_year: float = param(
        0.1,
        "1/year per visible neighbour",
        "§2.4.2, A4; value: assumption",
        "Annual chance a neighbour starts facilitation because of one visible symbiosis.",
        ge=0,
        le=1,
    )
    unit_cost_sek_per_month: float = param(
        150000.0,
        "SEK/month",
        "assumption: one to two staff, as the cases' units (A4, A6: 150,000; A15, A16, A20: 120,000)",
        "Running cost of a facilitation unit a municipality starts because of a neighbour; it starts with engagement 0 and no fees.",
        ge=0,
    )


class State:
    """Per radius, each municipality's neighbours (centres never move, so worked out once)."""

    def __init__(self) -> None:
        self.neighbours: dict[float, list[list[int]]] = {}


def start_facilitation(model: SymbiosisModel, mun: Municipality, inspired: bool) -> None:
    """A municipality starts a facilitation unit of its own (P11)."""
    idx = len(model.facilitators)
    fac = Facilitator(
        model,
        idx=idx,
        name=f"{mun.name} symbiosis unit",
        region=mun.region,
        municipalities=[mun.idx],
        cost_sek_per_month=model.params.diffusion.unit_cost_sek_per_month,
        engagement=0.0,
        membership_fee_share=0.0,
    )
    fac.next_project_step = model.steps
    model.facilitators.append(fac)
    mun.facilitator = idx
    model.log(EventKind.FACILITATION_STARTED, municipality=mun.name, detail="inspired by a neighbour" if inspired else "")


def step(model: SymbiosisModel) -> None:
    """Count visibility and let inspired neighbours start facilitation."""
    p = model.params.diffusion
    for mun in model.municipalities:
        mun.months_visible = mun.months_visible + 1 if mun.operating_exchanges > 0 else 0
    if not model.switches.diffusion:
        return
    visible = [m for m in model.municipalities if m.months_visible >= p.visible_after_months]
    if not visible:
        return
    monthly = 1.0 - (1.0 - p.rate_per_year) ** (1.0 / 12.0)
    is_visible = [False] * len(model.municipalities)
    for v in visible:
        is_visible[v.idx] = True
    near = neighbours(model, p.radius_km)
    for mun in model.municipalities:
        if mun.facilitator is not None:
            continue
        k = sum(is_visible[j] for j in near[mun.idx])
        if k and model.rng.random() < 1.0 - (1.0 - monthly) ** k:
            start_facilitation(model, mun, inspired=True)


def neighbours(model: SymbiosisModel, radius_km: float) -> list[list[int]]:
    """Per municipality, the others within ``radius_km`` of its centre.

    Centres never move, so this is worked out once per radius rather than over all pairs every
    month (290 municipalities would make that 84,000 distances a month).
    """
    cache = model.state.diffusion.neighbours
    if radius_km not in cache:
        munis = model.municipalities
        cache[radius_km] = [[v.idx for v in munis if v is not mun and math.hypot(v.x - mun.x, v.y - mun.y) <= radius_km] for mun in munis]
    return cache[radius_km]
