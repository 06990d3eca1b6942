"""A case's history: firms, streams, needs and facilitators that arrive and leave on their dates,
the events that say so, and the exchanges already operating when the case starts.

Real clusters grew as plants arrived (Stenungsund's crackers from the 1960s, Händelö's plants
after 1982); a case that starts in 2019 starts with what the site had then (A2 High Coast). Each
date becomes an entry of ``model.scheduled``, run at the start of its month before any
mechanism, so a firm that arrives later is not in the register, the books or the counts until
then, and one whose fate the case tells (``exit: scheduled``, Findus in A13) never leaves by
chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agents.facilitator import Facilitator, Project
from agents.firm import Role
from sim.config.schema import DemandConfig, EventConfig, FacilitatorConfig, FirmConfig, OfferConfig
from sim.core.build import add_demand, add_offer
from sim.core.events import EventKind
from sim.core.exchange import Demand, EndReason, Offer
from sim.core.firms import add_firm

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel

EPS = 1e-9


@dataclass(slots=True)
class Happening:
    """A dated change the config implies (an arrival, a stream's start or end, a facilitator's)."""

    kind: str  # "arrive", "stream_start", "stream_end", "facilitator_start", "facilitator_end"
    firms: tuple[FirmConfig, ...] = ()
    firm: str = ""
    item: Any = None  # an OfferConfig/DemandConfig to start, an Offer/Demand to end, a FacilitatorConfig
    facilitator: Facilitator | None = None


def later(model: SymbiosisModel, year: int | None, month: int) -> int | None:
    """The step of a date after the first month, or None when it is at or before the start."""
    if year is None:
        return None
    s = model.step_of(year, month)
    return s if s > 1 else None


def _at(model: SymbiosisModel, s: int, what: Any) -> None:
    model.scheduled.setdefault(s, []).append(what)


# ----- firms ---------------------------------------------------------------------------------
def build_firms(model: SymbiosisModel) -> None:
    """The firms there at the start, in config order; later ones (entry dates, firm_entry events)
    are scheduled to arrive, grouped by month so that firms arriving together can name each other."""
    cfg = model.config
    arrivals: dict[int, list[FirmConfig]] = {}
    for fc in cfg.firms:
        s = later(model, fc.entry_year, fc.entry_month)
        arrivals.setdefault(s or 0, []).append(fc)
    for ev in cfg.events:
        if ev.kind == "firm_entry":
            arrivals.setdefault(max(model.step_of(ev.year, ev.month), 0), []).append(ev.new_firm)
    add_firms(model, arrivals.pop(0, []), log=False)
    for s in sorted(arrivals):
        if s <= 1:
            add_firms(model, arrivals[s], log=False)
        else:
            _at(model, s, Happening("arrive", firms=tuple(arrivals[s])))


def add_firms(model: SymbiosisModel, fcs: list[FirmConfig], log: bool = True) -> list[Firm]:
    """Add configured firms, then their streams and needs (which may name each other)."""
    muni = {m.name: m.idx for m in model.municipalities}
    out = []
    for fc in fcs:
        firm = add_firm(
            model,
            name=fc.name,
            role=Role(fc.role),
            sector=fc.sector,
            x=fc.location_km[0],
            y=fc.location_km[1],
            municipality=muni[fc.municipality],
            turnover_sek_per_year=fc.turnover_msek_per_year * 1e6,
            cash_sek=fc.cash_msek * 1e6,
            attention=fc.attention,
            energy_input_mw=fc.energy_input_mw,
            data_centre=fc.data_centre,
        )
        _exit_rule(model, firm, fc)
        out.append(firm)
        if log:
            model.log(EventKind.FIRM_ENTRY, firm=fc.name, sector=fc.sector, detail=f"{fc.role} arrives as in the case history")
    for fc in fcs:
        for oc in fc.offers:
            _stream(model, fc.name, oc)
        for dc in fc.demands:
            _stream(model, fc.name, dc)
    return out


def _exit_rule(model: SymbiosisModel, firm: Firm, fc: FirmConfig) -> None:
    """The firm's own exit: scheduled firms never leave by hazard; a given hazard replaces the role's."""
    arrays = model.firm_arrays
    if fc.exit == "scheduled":
        arrays.exitable[firm.idx] = False
        arrays.base_hazard[firm.idx] = 0.0
    elif fc.exit_hazard_per_year is not None:
        arrays.base_hazard[firm.idx] = fc.exit_hazard_per_year
        arrays.exitable[firm.idx] = True  # a utility given a hazard of its own can leave too
    if fc.exit == "scheduled" or fc.exit_hazard_per_year is not None:  # a new row is False already
        arrays.own_hazard[firm.idx] = True
    if fc.exit_year is not None:
        _at(
            model,
            model.step_of(fc.exit_year, fc.exit_month),
            EventConfig(kind="firm_exit", year=fc.exit_year, month=fc.exit_month, firm=fc.name),
        )


# ----- streams and needs -------------------------------------------------------------------
def _stream(model: SymbiosisModel, firm: str, sc: OfferConfig | DemandConfig) -> None:
    """A configured stream or need: now, or on its start date; its end is scheduled."""
    s = later(model, sc.start_year, sc.start_month)
    if s is not None and s > model.steps:
        _at(model, s, Happening("stream_start", firm=firm, item=sc))
        return
    obj = start_stream(model, model.by_name[firm], sc)
    if sc.end_year is not None:
        _at(model, model.step_of(sc.end_year, sc.end_month), Happening("stream_end", firm=firm, item=obj))


def start_stream(model: SymbiosisModel, firm: Firm, sc: OfferConfig | DemandConfig) -> Offer | Demand:
    """Put a configured offer or need into its firm and its resource's book."""
    if isinstance(sc, OfferConfig):
        phase = None if sc.phase_out_year is None else model.step_of(sc.phase_out_year, 1)
        offer = Offer(firm.idx, sc.resource, sc.quantity, sc.quality, phase, sc.same_discharge_point, fed_by=sc.fed_by)
        offer.fed_from = model.by_name[sc.fed_from].idx if sc.fed_from else None
        add_offer(model, offer)
        return offer
    price = sc.virgin_price if sc.virgin_price is not None else model.resources[sc.resource].virgin_price_sek_per_unit
    own = {"internal_share": sc.internal_share, "internal_cost": sc.internal_cost_per_unit}
    demand = Demand(firm.idx, sc.resource, sc.quantity, sc.min_quality, price, sc.needs_new_land, **own)
    demand.only_from = model.by_name[sc.only_from].idx if sc.only_from else None
    add_demand(model, demand)
    return demand


def end_offer(model: SymbiosisModel, offer: Offer) -> None:
    """A stream ends: its exchanges end (the receivers' needs are open again), the book drops it."""
    if offer.retired:
        return
    for ex in model.ledger.on_offer(offer):
        model.ledger.end(ex, EndReason.STREAM_ENDED)
    offer.quantity = offer.base_quantity = 0.0
    offer.retired = True
    model.state.matching.books[offer.resource].stale()


def end_demand(model: SymbiosisModel, demand: Demand) -> None:
    """A need ends: its exchanges end and its book no longer lists it."""
    for ex in [e for e in model.ledger.live.values() if e.demand is demand]:
        model.ledger.end(ex, EndReason.STREAM_ENDED)
    demand.quantity = 0.0
    book = model.state.matching.books[demand.resource]
    k = next((i for i, d in enumerate(book.demands) if d is demand), None)
    if k is not None:
        del book.demands[k]
        del book._demand_firms[k]
    book.stale_demands()


# ----- facilitators -------------------------------------------------------------------------
def add_facilitator(model: SymbiosisModel, fc: FacilitatorConfig) -> Facilitator:
    """A configured facilitator starts work in its municipalities."""
    region = {r.name: k for k, r in enumerate(model.regions)}[fc.region]
    muni = {m.name: m.idx for m in model.municipalities}
    fac = Facilitator(
        model,
        idx=len(model.facilitators),
        name=fc.name,
        region=region,
        municipalities=[muni[m] for m in fc.municipalities],
        cost_sek_per_month=fc.cost_sek_per_month,
        engagement=fc.initial_engagement,
        membership_fee_share=fc.membership_fee_share,
    )
    if fc.initial_project_months > 0:
        fac.project = Project(
            -1,
            model.steps,
            model.steps + fc.initial_project_months,
            fc.cost_sek_per_month * model.params.project_funding.initial_project_funding_rate,
            model.config.policy.funding_anchor_eligible or fc.initial_project_anchor_eligible,
            public=fc.initial_project_funder == "public",
        )
    fac.next_project_step = model.steps
    model.facilitators.append(fac)
    for m in fac.municipalities:
        model.municipalities[m].facilitator = fac.idx
    if fc.end_year is not None:
        _at(model, model.step_of(fc.end_year, fc.end_month), Happening("facilitator_end", facilitator=fac))
    return fac


def schedule_facilitator(model: SymbiosisModel, fc: FacilitatorConfig) -> bool:
    """Whether the facilitator starts later (then its start is scheduled)."""
    s = later(model, fc.start_year, fc.start_month)
    if s is None:
        return False
    _at(model, s, Happening("facilitator_start", item=fc))
    return True


def close_facilitator(model: SymbiosisModel, fac: Facilitator) -> None:
    """A facilitator closes: it leaves the list, and the others keep their places by object."""
    if fac not in model.facilitators:
        return
    model.facilitators.remove(fac)
    for k, other in enumerate(model.facilitators):
        other.idx = k
    for mun in model.municipalities:
        mun.facilitator = None
    for other in model.facilitators:
        for m in other.municipalities:
            model.municipalities[m].facilitator = other.idx
    model.log(EventKind.PROJECT_ENDED, facilitator=fac.name, detail="the facilitator closes as in the case history")


# ----- exchanges operating at the start -------------------------------------------------------
def open_initial(model: SymbiosisModel) -> None:
    """The exchanges the case had at its start operate from step 1, with the months they delivered
    before it counted in both firms' track record and in the pair's trust."""
    from sim.mechanisms import benefit, trust  # the mechanisms build on the core, not the other way

    term = max(1, int(model.params.benefit.contract_years * 12))
    for ie in model.config.initial_exchanges:
        s, r = model.by_name[ie.supplier], model.by_name[ie.receiver]
        offers = [o for o in s.offers if o.resource == ie.resource]
        first_with_room = next((o for o in offers if o.available > EPS), offers[0])
        offer = offers[ie.offer_index] if ie.offer_index is not None else first_with_room
        demand = next(d for d in r.demands if d.resource == ie.resource)
        demand = next((d for d in r.demands if d.resource == ie.resource and d.unmet > EPS), demand)
        qty = ie.quantity if ie.quantity is not None else min(offer.available, demand.unmet)
        if qty <= EPS:
            continue
        dist = model.distance(s.idx, r.idx)
        running = benefit.evaluate(model, offer, demand, s, r, dist, sunk=True, quantity=qty)
        built = benefit.evaluate(model, offer, demand, s, r, dist, sunk=False, quantity=qty)
        deal = benefit.Deal(qty, running.price, built.investment_sek, running.supplier_net, running.receiver_net)
        ex = model.ledger.open(offer, demand, deal, dist, False)
        began = model.step_of(ie.start_year, 1)
        ex.contract_end = began + term * max(1, math.ceil((1 - began) / term))  # the contract cycle since it began
        model.ledger.start_operating(ex)
        model.events[-1]["detail"] += f" (operating since {ie.start_year})"
        months = max(0, 1 - began)
        ex.delivered_months = months
        model.firm_arrays.delivered[s.idx] += months
        model.firm_arrays.delivered[r.idx] += months
        trust.adjust(model, s.idx, r.idx, model.params.trust.delivery_gain * months)


# ----- running a dated change ----------------------------------------------------------------
def run(model: SymbiosisModel, ev: Any) -> None:
    """One scheduled history entry or history event, at the start of its month."""
    kind = ev.kind
    if kind == "arrive":
        add_firms(model, list(ev.firms))
    elif kind == "firm_entry":
        add_firms(model, [ev.new_firm])
    elif kind in ("stream_start", "offer_start"):
        firm = model.by_name.get(ev.firm)
        if firm is None or not firm.alive:
            return
        sc = ev.item if kind == "stream_start" else ev.offer
        obj = start_stream(model, firm, sc)
        if sc.end_year is not None:
            _at(model, model.step_of(sc.end_year, sc.end_month), Happening("stream_end", firm=ev.firm, item=obj))
        if isinstance(obj, Offer):
            model.log(EventKind.OFFER_START, firm=firm.name, resource=obj.resource, detail=f"{obj.quantity:g} per month")
    elif kind in ("stream_end", "offer_end"):
        firm = model.by_name.get(ev.firm)
        if firm is None or not firm.alive:
            return
        if kind == "stream_end" and isinstance(ev.item, Demand):
            end_demand(model, ev.item)
            return
        offers = [ev.item] if kind == "stream_end" else [o for o in firm.offers if o.resource == ev.resource and not o.retired]
        for offer in offers:
            if not offer.retired:
                end_offer(model, offer)
                model.log(EventKind.OFFER_END, firm=firm.name, resource=offer.resource, detail=offer.resource)
    elif kind == "facilitator_start":
        add_facilitator(model, ev.item)
    elif kind == "facilitator_end":
        close_facilitator(model, ev.facilitator)
