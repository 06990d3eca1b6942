"""Which demands and offers of a scenario no actor could ever meet.

A need is met only by a stream of the same resource, of at least its quality, within the resource's
reach, from another firm (the one named in ``only_from`` where set), while both exist (the rules of
:func:`sim.mechanisms.matching.propose`). Besides the listed firms and those a firm_entry event
brings, two kinds of firm may appear during a run: a born SME (births on and a municipality's rate
above 0) has its sector's profile streams or copies one of the municipality's SMEs; an
establishment company (entry on) wants an attractive stream of a large firm with a free plot
beside it. A case file whose need or stream nobody can ever meet describes a part of the case that
can never happen, so the case library is checked for it (tests/test_case_supply.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.config import ScenarioConfig
from sim.config.history import all_firms, step
from sim.core import resources as catalogue
from sim.mechanisms import births

FOREVER = 10**9


@dataclass(frozen=True)
class Stream:
    """An offer or a demand with where and when it can exist."""

    firm: str
    resource: str
    quality: float  # the offer's quality, or the demand's least quality
    x: float
    y: float
    first: int  # steps, inclusive
    last: int
    only_from: str | None = None
    spread_km: float = 0.0  # a born firm's position: within this distance of (x, y), as far as the check goes
    where: str = ""


def _life(cfg: ScenarioConfig, fc, born: int, item) -> tuple[int, int]:
    gone = FOREVER if fc.exit_year is None else step(cfg, fc.exit_year, fc.exit_month) - 1
    first = born if item.start_year is None else max(born, step(cfg, item.start_year, item.start_month))
    last = gone if item.end_year is None else min(gone, step(cfg, item.end_year, item.end_month) - 1)
    return first, min(last, cfg.steps)


def listed(cfg: ScenarioConfig) -> tuple[list[Stream], list[Stream]]:
    """The offers and demands of the listed firms and of those the case history brings."""
    offers, demands = [], []
    for loc, fc, born in all_firms(cfg):
        x, y = fc.location_km
        for j, o in enumerate(fc.offers):
            offers.append(Stream(fc.name, o.resource, o.quality, x, y, *_life(cfg, fc, born, o), where=f"{loc}.offers.{j}"))
        for j, d in enumerate(fc.demands):
            first, last = _life(cfg, fc, born, d)
            demands.append(Stream(fc.name, d.resource, d.min_quality, x, y, first, last, d.only_from, where=f"{loc}.demands.{j}"))
    return offers, demands


def born_streams(cfg: ScenarioConfig) -> tuple[list[Stream], list[Stream]]:
    """What a born SME could offer and need, placed at its municipality's centre or plots with its spread."""
    if not cfg.mechanisms.births:
        return [], []
    p = cfg.params.births
    firms = {fc.name: fc for _, fc, _ in all_firms(cfg)}
    offers, demands = [], []
    for m in cfg.municipalities:
        base = sum(1 for f in cfg.firms if f.municipality == m.name and f.role != "utility")
        rate = p.rate_per_firm_year * base if m.firm_births_per_year is None else m.firm_births_per_year
        smes = [f for f in cfg.firms if f.municipality == m.name and f.role == "sme"]
        if rate <= 0 or not smes:
            continue
        places = [(*m.centre_km, p.town_spread_km)] + [(*firms[pl.near].location_km, pl.radius_km + p.park_spread_km) for pl in m.plots]
        for tpl in smes:
            prof = births.sme_profile(tpl.sector)
            if prof is not None:
                streams = [(s.resource, s.quality[1] if s.offer else s.quality[0], s.offer, None) for s in prof.streams]
                spread = prof.spread_km
            else:
                streams = [(o.resource, o.quality, True, o.fed_by) for o in tpl.offers]
                streams += [(d.resource, d.min_quality, False, d.only_from) for d in tpl.demands]
                spread = p.town_spread_km
            for resource, quality, is_offer, tied in streams:
                if tied is not None:  # a copy takes no fed_by stream and no only_from need
                    continue
                for x, y, sd in places:
                    s = Stream(f"a born {tpl.sector} firm", resource, quality, x, y, 1, cfg.steps, spread_km=3 * max(sd, spread))
                    (offers if is_offer else demands).append(s)
    return offers, demands


def entrant_demands(cfg: ScenarioConfig, offers: list[Stream]) -> list[Stream]:
    """An establishment company's need for each attractive stream of a large firm with plots beside it."""
    if not cfg.mechanisms.entry:
        return []
    p = cfg.params.entry
    firms = {fc.name: fc for _, fc, _ in all_firms(cfg)}
    hubs = [(firms[pl.near].location_km, pl.radius_km) for m in cfg.municipalities for pl in m.plots if pl.count > 0]
    out = []
    for o in offers:
        fc = firms.get(o.firm)
        if fc is None or fc.role not in ("anchor", "utility") or o.resource not in p.attractive:
            continue
        if any(math.hypot(o.x - hx, o.y - hy) <= p.plot_radius_km + r for (hx, hy), r in hubs):
            out.append(Stream(f"an entrant beside {o.firm}", o.resource, o.quality, o.x, o.y, o.first, cfg.steps))
    return out


def meets(offer: Stream, demand: Stream, reach: dict[str, float]) -> bool:
    """Whether the offer could ever meet the demand: matching's rules, and both existing at once."""
    if offer.resource != demand.resource or offer.firm == demand.firm or offer.quality < demand.quality:
        return False
    if demand.only_from is not None and offer.firm != demand.only_from:
        return False
    if max(offer.first, demand.first) > min(offer.last, demand.last):
        return False
    gap = math.hypot(offer.x - demand.x, offer.y - demand.y) - offer.spread_km - demand.spread_km
    return gap <= reach[offer.resource]


def unmeetable(cfg: ScenarioConfig) -> list[str]:
    """Every listed demand no possible offer meets and every listed offer no possible demand meets."""
    reach = {name: r.reach_km for name, r in catalogue.resolve(cfg.resources).items()}
    offers, demands = listed(cfg)
    born_offers, born_demands = born_streams(cfg)
    all_offers = offers + born_offers
    all_demands = demands + born_demands + entrant_demands(cfg, offers)
    out = []
    for d in demands:
        if not any(meets(o, d, reach) for o in all_offers):
            out.append(f"{d.where}: {d.firm}'s need of {d.resource} (quality >= {d.quality:g}) has no possible supplier")
    for o in offers:
        if not any(meets(o, d, reach) for d in all_demands):
            out.append(f"{o.where}: {o.firm}'s {o.resource} stream (quality {o.quality:g}) has no possible receiver")
    return out
