"""Births of ordinary firms: SMEs of the region's sectors start up in every municipality.

Sweden sees about 70,000 new firms a year (Tillväxtanalys), some 6 % of its firms, most of them in
services; without births a region in the model could only lose firms, and over decades it would
empty (an anchor's park of about twenty firms, A11, would shrink to a handful). A born firm is an
SME of a sector the municipality already has, with streams drawn from that sector's profile
(:mod:`sim.scenarios.sectors`), settling in the town or in the industrial area beside its hub.
It then has to find partners like any other firm, and carries the liability of newness
(:mod:`sim.mechanisms.firm_exit`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np

from agents.firm import Role
from agents.municipality import Zoning
from sim.core.build import add_demand, add_offer
from sim.core.events import EventKind
from sim.core.exchange import Demand, Offer
from sim.core.firms import add_firm
from sim.core.params import Strict, Switch, param
from sim.scenarios.sectors import SECTORS, Sector, draw_stream, loguniform

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.config.schema import FirmConfig
    from sim.core.model import SymbiosisModel


ODD = "submodel-births"  # its section in docs/odd.md
SWITCH = Switch(
    "Ordinary firms (SMEs of the region's sectors) are born in every municipality.",
    "Tillväxtanalys: about 70,000 new Swedish firms a year, 76 % still active after three years; rate: assumption",
)


class Params(Strict):
    rate_per_firm_year: float = param(
        0.04,
        "births per year per firm at the start",
        "Tillväxtanalys: 71,668 new firms in 2014, some 6 % of Sweden's firms, 82 % of them in services (2012); "
        "assumption: 4 % for a region's industrial firms, about what the default exit hazards take away",
        "Expected SMEs born in a municipality a year per firm it had at the start (utilities not counted), unless "
        "municipalities.*.firm_births_per_year sets its own rate.",
        ge=0,
        le=10,
    )
    park_share: float = param(
        0.5,
        "share of births",
        "A11: about twenty firms grew up around Kemira in its industry park; §2.5.1 industrial land in a circular "
        "structure; value: assumption",
        "Share of a municipality's births that settle in the industrial area beside its plots (while some plot is "
        "not re-planned for housing); the others settle around the centre.",
        ge=0,
        le=1,
    )
    park_spread_km: float = param(
        0.5,
        "km (standard deviation)",
        "assumption: a park's firms sit within about a kilometre of each other",
        "Spread of a born firm's position around the plot it settles beside.",
        gt=0,
    )
    town_spread_km: float = param(
        3.0,
        "km (standard deviation)",
        "assumption: as the synthetic regions' SMEs (sim/scenarios/sectors.py)",
        "Spread of a born firm's position around the centre, for sectors without a profile of their own.",
        gt=0,
    )
    template_spread: float = param(
        2.0,
        "factor",
        "assumption: firms of one sector differ in size within a factor of a few",
        "A sector without a profile copies the streams of one of the municipality's SMEs of that sector, its "
        "quantities, turnover and cash times a factor drawn log-uniformly between 1/template_spread and template_spread.",
        ge=1,
        le=100,
    )


@dataclass(frozen=True)
class Kind:
    """One sector a municipality's births can be: its profile, or else the firms it copies."""

    sector: str
    profile: Sector | None
    templates: tuple[FirmConfig, ...]


SCALAR_DRAWS = 16  # up to this many municipalities with births, one scalar draw each is cheaper than numpy's array call


class State:
    """Per municipality: the monthly birth rate and the kinds of firm born there, with cumulative
    weights (a list: a birth's pick is then one bisect, not numpy's searchsorted on a few numbers)."""

    def __init__(self) -> None:
        self.monthly = np.zeros(0)
        self.drawn: list[tuple[int, float]] = []  # (municipality, monthly rate) where the rate is above 0
        self.kinds: list[tuple[Kind, ...]] = []
        self.cumulative: list[list[float]] = []
        self.born = 0


def sme_profile(sector: str) -> Sector | None:
    """The sector's SME profile, if the profiles have one (an anchor's profile is not an SME's)."""
    prof = SECTORS.get(sector)
    return prof if prof is not None and prof.role == Role.SME.value else None


def birth_rates(model: SymbiosisModel, p: Params) -> np.ndarray:
    """Expected births a year per municipality: its own rate, or rate_per_firm_year times its non-utility firms."""
    base = np.zeros(len(model.municipalities))
    for f in model.firms:
        if f.alive and f.role != Role.UTILITY:
            base[f.municipality] += 1
    own = [m.firm_births_per_year for m in model.config.municipalities]
    return np.array([p.rate_per_firm_year * base[i] if r is None else r for i, r in enumerate(own)], dtype=float)


def _kinds(smes: list[FirmConfig]) -> tuple[tuple[Kind, ...], list[float]]:
    """The sectors of these SMEs, weighted by how many there are (sorted by name: order-free)."""
    by_sector: dict[str, list[FirmConfig]] = {}
    for fc in smes:
        by_sector.setdefault(fc.sector, []).append(fc)
    kinds = tuple(Kind(s, sme_profile(s), tuple(by_sector[s])) for s in sorted(by_sector))
    return kinds, _cumsum([len(k.templates) for k in kinds])


def _cumsum(weights: list[float]) -> list[float]:
    """Running sums of the weights as floats, added one after another as numpy's cumsum adds them."""
    return list(accumulate(float(w) for w in weights))


def on_built(model: SymbiosisModel) -> None:
    """Fix each municipality's rate and sector mix from the firms at the start (its industrial base)."""
    st, p = model.state.births, model.params.births
    st.monthly = birth_rates(model, p) / 12.0
    st.drawn = [(m, rate) for m, rate in enumerate(st.monthly.tolist()) if rate > 0]
    smes = [fc for fc in model.config.firms if fc.role == Role.SME.value and fc.name in model.by_name]
    region = _kinds(smes)
    if not smes:  # no SMEs anywhere: the national mix of the profiles
        kinds = tuple(Kind(s, prof, ()) for s, prof in SECTORS.items() if prof.role == Role.SME.value)
        region = kinds, _cumsum([k.profile.share for k in kinds if k.profile is not None])
    by_mun: dict[str, list[FirmConfig]] = {}
    for fc in smes:
        by_mun.setdefault(fc.municipality, []).append(fc)
    for mun in model.municipalities:
        local = by_mun.get(mun.name)
        kinds, cum = _kinds(local) if local else region
        st.kinds.append(kinds)
        st.cumulative.append(cum)


def step(model: SymbiosisModel) -> None:
    """Draw this month's births in every municipality at once (Poisson), then build only those firms."""
    if not model.switches.births:
        return
    st = model.state.births
    if not st.drawn:
        return
    rng = model.rng
    if len(st.drawn) > SCALAR_DRAWS:
        counts = rng.poisson(st.monthly)
        for m in np.flatnonzero(counts):
            for _ in range(int(counts[m])):
                born(model, int(m))
        return
    # a rate of 0 draws nothing, and one draw per rate gives the numbers the array call gives
    drawn = [(m, rng.poisson(rate)) for m, rate in st.drawn]
    for m, count in drawn:
        for _ in range(count):
            born(model, m)


def born(model: SymbiosisModel, m: int) -> Firm:
    """One SME born in municipality ``m``: its sector, streams and place, drawn from model.rng."""
    st, p, rng = model.state.births, model.params.births, model.rng
    cum = st.cumulative[m]
    kind = st.kinds[m][min(bisect_right(cum, rng.random() * cum[-1]), len(cum) - 1)]
    if kind.profile is not None:
        prof = kind.profile
        streams = [s for s in (draw_stream(rng, s) for s in prof.streams) if s is not None]
        turnover = loguniform(rng, *prof.turnover)
        cash, spread = 0.1 * turnover, prof.spread_km
    else:
        tpl = kind.templates[int(rng.integers(len(kind.templates)))]
        scale = loguniform(rng, 1.0 / p.template_spread, p.template_spread)
        streams = _copied(model, tpl, scale)
        turnover, cash, spread = tpl.turnover_msek_per_year * scale, tpl.cash_msek * scale, p.town_spread_km
    x, y = _place(model, m, spread)
    st.born += 1
    name = f"New {kind.sector.replace('_', ' ')} firm {st.born}"
    while name in model.by_name:
        name += "'"
    mun = model.municipalities[m]
    firm = add_firm(
        model,
        name=name,
        role=Role.SME,
        sector=kind.sector,
        x=x,
        y=y,
        municipality=m,
        turnover_sek_per_year=turnover * 1e6,
        cash_sek=cash * 1e6,
    )
    for s in streams:
        if "quality" in s:
            add_offer(model, Offer(firm.idx, s["resource"], s["quantity"], s["quality"], s.get("phase_out_step")))
        else:
            price = s.get("virgin_price")
            price = model.resources[s["resource"]].virgin_price_sek_per_unit if price is None else price
            add_demand(model, Demand(firm.idx, s["resource"], s["quantity"], s["min_quality"], price))
    model.log(
        EventKind.FIRM_BIRTH,
        firm=name,
        municipality=mun.name,
        sector=kind.sector,
        count=len(streams),
        detail=f"a new {kind.sector.replace('_', ' ')} firm in {mun.name} with {len(streams)} streams and needs",
    )
    return firm


def _copied(model: SymbiosisModel, tpl: FirmConfig, scale: float) -> list[dict]:
    """The template's streams and needs at ``scale``; streams made from an input (``fed_by``) and those
    already phased out are not copied, and nothing is tied to one partner (``only_from``)."""
    out: list[dict] = []
    for o in tpl.offers:
        phase = None if o.phase_out_year is None else model.step_of(o.phase_out_year, 1)
        if o.fed_by is None and (phase is None or phase > model.steps):
            out.append({"resource": o.resource, "quantity": o.quantity * scale, "quality": o.quality, "phase_out_step": phase})
    for d in tpl.demands:
        if d.only_from is None:
            out.append(
                {"resource": d.resource, "quantity": d.quantity * scale, "min_quality": d.min_quality, "virgin_price": d.virgin_price}
            )
    return out


def _place(model: SymbiosisModel, m: int, spread: float) -> tuple[float, float]:
    """Beside one of the municipality's plots not re-planned for housing (a share park_share of births),
    else around its centre; inside the region."""
    p, rng, mun = model.params.births, model.rng, model.municipalities[m]
    plots = [pl for pl in mun.plots if pl.zoning != Zoning.HOUSING]
    if plots and rng.random() < p.park_share:
        pl = plots[int(rng.integers(len(plots)))]
        cx, cy, sd = pl.x, pl.y, p.park_spread_km
    else:
        cx, cy, sd = mun.x, mun.y, spread
    dx, dy = rng.normal(0.0, sd, 2)
    w, h = model.config.area_km
    return float(min(max(cx + dx, 0.0), w)), float(min(max(cy + dy, 0.0), h))
