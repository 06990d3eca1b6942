"""Diffusion between municipalities (pattern P11).

When collaboration takes root and is communicated, others tend to follow (§2.4.2): they meet
(neighbours most often, in regional networks) and they visit (Sotenäs started after a study visit
to Kalundborg, some 300 km away, A4). A municipality whose symbiosis has been visible for a while
inspires others without facilitation to start a unit of their own: near ones through meetings
whose chance decays with distance, any one through study visits to a well-known symbiosis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.facilitator import Facilitator
from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.core.model import SymbiosisModel


ODD = "submodel-diffusion"  # its section in docs/odd.md
SWITCH = Switch(
    "Visible symbioses inspire other municipalities, through meetings (near) and study visits (any distance).",
    "report §2.5.1 (municipalities learning from each other), P11",
)


class Params(Strict):
    visible_after_months: int = param(
        24,
        "months",
        "assumption: a symbiosis must work for a while to be visited",
        "Months a municipality's exchanges must run before others notice.",
        ge=0,
    )
    radius_km: float = param(
        60.0,
        "km",
        "assumption: neighbouring municipalities meet in regional networks; the chance of meeting halves every 0.69 radius",
        "Length scale of the exp(-d/radius) decay with distance of meetings between a municipality and a visible symbiosis.",
        gt=0,
    )
    rate_per_year: float = param(
        0.1,
        "1/year per visible symbiosis next door",
        "§2.4.2, A4; value: assumption",
        "Annual chance that meetings with one visible symbiosis at distance 0 make a municipality start facilitation.",
        ge=0,
        le=1,
    )
    study_visit_exchanges: int = param(
        3,
        "operating exchanges",
        "Chertow (2007): the 3-2 heuristic; A4: Sotenäs visited Kalundborg; value: assumption",
        "A visible symbiosis with at least this many operating exchanges is known well enough for study visits from anywhere.",
        ge=1,
    )
    study_visit_rate_per_year: float = param(
        0.01,
        "1/year per well-known symbiosis",
        "A4: Sotenäs started after a study visit to Kalundborg, some 300 km away; value: assumption",
        "Annual chance that a study visit to one well-known symbiosis, at any distance, makes a municipality start facilitation.",
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
    """Municipality centres as an array (they never move), made on first use; the last month's
    chances with what they were computed from (the visible and the well-known municipalities)."""

    def __init__(self) -> None:
        self.centres: np.ndarray | None = None
        self.key: tuple[object, ...] | None = None
        self.chance: np.ndarray | None = None
        self.chances: list[float] = []  # the same as Python floats, [] when all are 0


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


def inspiration(model: SymbiosisModel) -> np.ndarray:
    """Per municipality, this month's chance of starting facilitation from meetings and visits.

    Meetings: each visible symbiosis ``v`` counts ``exp(-d/radius_km)``, so neighbours meet most
    but no distance rules it out. Study visits: each well-known one counts the same wherever it
    is. ``p = 1 - (1 - p_meet)^k_meet × (1 - p_visit)^k_visit`` with monthly ``p`` from the annual rates.

    The chances depend only on which municipalities are visible and which of them well known, so
    they are kept and recomputed only when that changes (most months it does not).
    """
    p = model.params.diffusion
    munis = model.municipalities
    visible = [m.idx for m in munis if m.months_visible >= p.visible_after_months]
    st = model.state.diffusion
    if not visible:
        _none_visible(st)
        return np.zeros(len(munis))
    famous_list = tuple(munis[v].operating_exchanges >= p.study_visit_exchanges for v in visible)
    key = (len(munis), tuple(visible), famous_list, p.radius_km, p.rate_per_year, p.study_visit_rate_per_year)
    if key == st.key and st.chance is not None:
        return st.chance
    if st.centres is None or len(st.centres) != len(munis):
        st.centres = np.array([(m.x, m.y) for m in munis], dtype=float).reshape(len(munis), 2)
    vis = np.array(visible, dtype=np.int64)
    d = np.hypot(st.centres[:, None, 0] - st.centres[None, vis, 0], st.centres[:, None, 1] - st.centres[None, vis, 1])
    d[vis, np.arange(len(vis))] = np.inf  # a municipality does not inspire itself
    k_meet = np.exp(-d / p.radius_km).sum(axis=1)
    famous = np.array(famous_list)
    k_visit = np.where(np.isinf(d), 0.0, 1.0)[:, famous].sum(axis=1)
    meet = 1.0 - (1.0 - p.rate_per_year) ** (1.0 / 12.0)
    visit = 1.0 - (1.0 - p.study_visit_rate_per_year) ** (1.0 / 12.0)
    st.key, st.chance = key, 1.0 - (1.0 - meet) ** k_meet * (1.0 - visit) ** k_visit
    st.chances = st.chance.tolist() if st.chance.any() else []
    return st.chance


def _none_visible(st: State) -> None:
    """No municipality is visible: no chances, and the kept ones no longer hold."""
    st.key, st.chances = None, []


def step(model: SymbiosisModel) -> None:
    """Count visibility and let municipalities that met or visited a visible symbiosis start facilitation."""
    after = model.params.diffusion.visible_after_months
    vacant = visible = False  # (in the same pass) a municipality without facilitation; one visible
    for mun in model.municipalities:
        months = mun.months_visible = mun.months_visible + 1 if mun.operating_exchanges > 0 else 0
        visible = visible or months >= after
        vacant = vacant or mun.facilitator is None
    if not model.switches.diffusion:
        return
    if not vacant:
        return  # none left to start facilitation (and nothing drawn): the chances are not needed
    if not visible:  # what :func:`inspiration` finds then, without its pass and its array of zeros
        _none_visible(model.state.diffusion)
        return
    inspiration(model)
    chance = model.state.diffusion.chances  # as Python floats, [] when no municipality has a chance
    if not chance:
        return
    for mun in model.municipalities:
        if mun.facilitator is None and chance[mun.idx] > 0 and model.rng.random() < chance[mun.idx]:
            start_facilitation(model, mun, inspired=True)
