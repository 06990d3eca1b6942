"""Building a model's agents from a scenario config: regions, municipalities, firms with their
streams and needs, plots, facilitators and the scheduled events."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from agents.municipality import Municipality, Plot, Zoning
from agents.region import Programme, Region
from sim.core.exchange import Demand, Offer

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel


def add_offer(model: SymbiosisModel, offer: Offer) -> None:
    """A stream joins its firm and its resource's book; mechanisms that track streams see it."""
    model.firms[offer.firm].offers.append(offer)
    model.state.matching.books[offer.resource].add_offer(offer, model.firms[offer.firm].is_large)
    for hook in model.hooks["on_offer_added"]:
        hook(model, offer)


def add_demand(model: SymbiosisModel, demand: Demand) -> None:
    model.firms[demand.firm].demands.append(demand)
    model.state.matching.books[demand.resource].add_demand(demand)


def build(model: SymbiosisModel) -> None:
    """Every agent of the config, in the config's order (a firm's idx is its place in the list)."""
    cfg = model.config
    region_idx = {}
    for i, r in enumerate(cfg.regions):
        progs = [
            Programme(
                p.name,
                p.budget_sek,
                p.funding_rate,
                p.project_length_months,
                p.call_interval_months,
                p.anchor_eligible,
                budget_sek_per_year=p.budget_sek_per_year,
                carry_over=p.carry_over,
                open_from_year=p.open_from_year,
                open_until_year=p.open_until_year,
                public=p.funder == "public",
            )
            for p in r.programmes
        ]
        model.regions.append(Region(model, idx=i, name=r.name, programmes=progs))
        region_idx[r.name] = i
    muni_idx = {}
    for i, m in enumerate(cfg.municipalities):
        model.municipalities.append(
            Municipality(
                model,
                idx=i,
                name=m.name,
                x=m.centre_km[0],
                y=m.centre_km[1],
                region=region_idx[m.region],
                housing_pressure=m.housing_pressure,
                freshwater_scarcity=m.freshwater_scarcity,
                planning_stance=m.planning_stance,
            )
        )
        muni_idx[m.name] = i
    from sim.core import history  # it builds on add_offer and add_demand above

    history.build_firms(model)
    for i, m in enumerate(cfg.municipalities):
        mun = model.municipalities[i]
        mun.hub_firm = model.by_name[m.hub].idx if m.hub else None
        for pc in m.plots:
            hub = model.by_name[pc.near]
            if mun.hub_firm is None:
                mun.hub_firm = hub.idx
            for k in range(pc.count):
                ang = 2 * math.pi * k / max(pc.count, 1)
                r = pc.radius_km * (0.5 + 0.5 * (k % 2))
                mun.plots.append(Plot(hub.x + r * math.cos(ang), hub.y + r * math.sin(ang), Zoning(pc.zoning)))
    for fc in cfg.facilitators:
        if not history.schedule_facilitator(model, fc):
            history.add_facilitator(model, fc)
    for ev in cfg.events:
        if ev.kind != "firm_entry":  # arrivals are scheduled with the firms
            model.scheduled.setdefault(model.step_of(ev.year, ev.month), []).append(ev)
    history.open_initial(model)
    for hook in model.hooks["on_built"]:
        hook(model)
