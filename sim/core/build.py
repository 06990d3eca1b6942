"""Building a model's agents from a scenario config: regions, municipalities, firms with their
streams and needs, plots, facilitators and the scheduled events."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from agents.facilitator import Facilitator, Project
from agents.firm import Role
from agents.municipality import Municipality, Plot, Zoning
from agents.region import Programme, Region
from sim.core.exchange import Demand, Offer
from sim.core.firms import add_firm
from sim.core.resources import CATALOGUE

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
    index = {fc.name: i for i, fc in enumerate(cfg.firms)}

    def idx_of(name: str | None) -> int | None:
        return None if name is None else index[name]

    for fc in cfg.firms:
        firm = add_firm(
            model,
            name=fc.name,
            role=Role(fc.role),
            sector=fc.sector,
            x=fc.location_km[0],
            y=fc.location_km[1],
            municipality=muni_idx[fc.municipality],
            turnover_sek_per_year=fc.turnover_msek_per_year * 1e6,
            cash_sek=fc.cash_msek * 1e6,
            attention=fc.attention,
            energy_input_mw=fc.energy_input_mw,
            data_centre=fc.data_centre,
        )
        for oc in fc.offers:
            phase = None if oc.phase_out_year is None else model.step_of(oc.phase_out_year, 1)
            fed = {"fed_by": oc.fed_by, "fed_from": idx_of(oc.fed_from)}
            add_offer(model, Offer(firm.idx, oc.resource, oc.quantity, oc.quality, phase, oc.same_discharge_point, **fed))
        for dc in fc.demands:
            price = dc.virgin_price if dc.virgin_price is not None else CATALOGUE[dc.resource].virgin_price_sek_per_unit
            add_demand(
                model, Demand(firm.idx, dc.resource, dc.quantity, dc.min_quality, price, dc.needs_new_land, only_from=idx_of(dc.only_from))
            )
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
    for i, fc in enumerate(cfg.facilitators):
        fac = Facilitator(
            model,
            idx=i,
            name=fc.name,
            region=region_idx[fc.region],
            municipalities=[muni_idx[m] for m in fc.municipalities],
            cost_sek_per_month=fc.cost_sek_per_month,
            engagement=fc.initial_engagement,
            membership_fee_share=fc.membership_fee_share,
        )
        if fc.initial_project_months > 0:
            fac.project = Project(
                -1,
                0,
                fc.initial_project_months,
                fc.cost_sek_per_month * model.params.project_funding.initial_project_funding_rate,
                cfg.policy.funding_anchor_eligible or fc.initial_project_anchor_eligible,
                public=fc.initial_project_funder == "public",
            )
        model.facilitators.append(fac)
        for m in fac.municipalities:
            model.municipalities[m].facilitator = i
    for ev in cfg.events:
        model.scheduled.setdefault(model.step_of(ev.year, ev.month), []).append(ev)
    for hook in model.hooks["on_built"]:
        hook(model)
