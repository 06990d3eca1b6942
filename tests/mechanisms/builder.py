"""Tiny scenarios for testing one mechanism's rule: two to five firms, one municipality (and an
optional neighbour), one region, an optional facilitator.

A scenario is a plain dict in the schema of ``configs/example.yaml``, validated by
:func:`sim.config.build`; the model is :class:`~sim.core.model.SymbiosisModel` stepped month by
month. Tests read behaviour through stable entry points (``model.firms``, ``model.exchanges``,
``model.events``, the run result). Everything that reaches into the model's own bookkeeping sits in
the last section of this file, so that it can be re-pointed in one place when that bookkeeping moves.

Two presets keep a small model's story short:

- ``quick=True`` (default): every deal stage takes no time and never fails, firms search every
  month, and operating exchanges are never disrupted. A test of one stage's rule turns that stage
  back on with its own ``params``.
- ``quiet=True`` (default): no random exits, entrants, born firms or inspired neighbours (``firm_exit``,
  ``entry``, ``births`` and ``diffusion`` off), so nothing but the mechanism under test changes the cast.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from agents.municipality import Zoning
from sim import config
from sim.core.exchange import Demand, Exchange, Offer, Stage
from sim.core.model import SymbiosisModel
from sim.mechanisms import benefit, diffusion, entry, land_planning, lifecycle, lock_in, matching

TOWN = "Town"
NEIGHBOUR = "Neighbour"
REGION = "Region"
FACILITATOR = "Centre"
START_YEAR = 2020

_ZERO = {"months": 0.0, "denial": 0.0}
_PERMIT_ACTIVITIES = ("heat_connection", "same_discharge_point", "water_reuse", "aquaculture", "greenhouse", "process_plant", "other")

QUICK_PARAMS: dict[str, Any] = {
    "matching": {"base_search_rate": 1.0},
    "negotiation": {"base_months": 0.0, "unfamiliarity_months": 0.0, "failure_at_zero_trust": 0.0, "stall_without_broker": 0.0},
    "permits": {**{a: dict(_ZERO) for a in _PERMIT_ACTIVITIES}, "detailed_plan_months": 0.0},
    "financing": {"large_success": 1.0, "sme_success": 1.0, "startup_step_success": 1.0, "step_months": 0.0},
    "lifecycle": {"build_months": 0.0, "build_months_per_km": 0.0, "disruption_rate_per_year": 0.0},
}
QUIET_SWITCHES: dict[str, bool] = {"firm_exit": False, "entry": False, "births": False, "diffusion": False}


# ----- the scenario dict -------------------------------------------------------------------------
def offer(resource: str, quantity: float, quality: float = 1.0, **extra: Any) -> dict[str, Any]:
    return {"resource": resource, "quantity": quantity, "quality": quality, **extra}


def demand(resource: str, quantity: float, min_quality: float = 0.0, **extra: Any) -> dict[str, Any]:
    return {"resource": resource, "quantity": quantity, "min_quality": min_quality, **extra}


def firm(
    name: str,
    role: str = "sme",
    at: tuple[float, float] = (10.0, 10.0),
    *,
    offers: Iterable[dict[str, Any]] = (),
    demands: Iterable[dict[str, Any]] = (),
    municipality: str = TOWN,
    **extra: Any,
) -> dict[str, Any]:
    """One firm; ``extra`` takes any other firm field (turnover_msek_per_year, cash_msek, energy_input_mw, ...)."""
    return {
        "name": name,
        "role": role,
        "location_km": list(at),
        "municipality": municipality,
        "offers": list(offers),
        "demands": list(demands),
        **extra,
    }


def merge(base: dict[str, Any], more: dict[str, Any] | None) -> dict[str, Any]:
    """``base`` with ``more`` laid over it, nested dicts merged key by key (a copy)."""
    out = copy.deepcopy(base)
    for key, value in (more or {}).items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else copy.deepcopy(value)
    return out


def scenario(
    *firms: dict[str, Any],
    quick: bool = True,
    quiet: bool = True,
    mechanisms: dict[str, bool] | None = None,
    params: dict[str, Any] | None = None,
    policy: dict[str, Any] | None = None,
    observation: dict[str, Any] | None = None,
    town: dict[str, Any] | None = None,
    neighbour: dict[str, Any] | None = None,
    facilitator: bool | dict[str, Any] = False,
    programme: dict[str, Any] | None = None,
    plots: Iterable[dict[str, Any]] = (),
    events: Iterable[dict[str, Any]] = (),
    years: int = 5,
    resources: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The raw scenario dict. ``town``/``neighbour``: municipality fields (a neighbour exists only if
    given, centred 30 km east unless it says otherwise); ``facilitator``: True or facilitator fields,
    covering the town; ``programme``: one funding programme of the region; ``plots``: free plots in
    the town (``{"near": firm, "count": n}``)."""
    assert 2 <= len(firms) <= 5, "a mechanism test uses two to five firms"
    munis = [merge({"name": TOWN, "region": REGION, "centre_km": [10.0, 10.0], "plots": list(plots)}, town)]
    if neighbour is not None:
        munis.append(merge({"name": NEIGHBOUR, "region": REGION, "centre_km": [40.0, 10.0]}, neighbour))
    raw: dict[str, Any] = {
        "name": "mechanism-test",
        "start_year": START_YEAR,
        "years": years,
        "area_km": [100.0, 100.0],
        "regions": [{"name": REGION, "programmes": [programme] if programme else []}],
        "municipalities": munis,
        "firms": list(firms),
        "events": list(events),
        "mechanisms": merge(QUIET_SWITCHES if quiet else {}, mechanisms),
        "params": merge(QUICK_PARAMS if quick else {}, params),
        "policy": dict(policy or {}),
    }
    if observation:
        raw["observation"] = dict(observation)
    if resources:
        raw["resources"] = dict(resources)  # catalogue overrides
    if facilitator:
        fac = {"name": FACILITATOR, "region": REGION, "municipalities": [TOWN]}
        raw["facilitators"] = [merge(fac, facilitator if isinstance(facilitator, dict) else None)]
    return raw


def build(*firms: dict[str, Any], **kw: Any) -> config.ScenarioConfig:
    """:func:`scenario`, validated."""
    return config.build(scenario(*firms, **kw))


def model(cfg: config.ScenarioConfig | dict[str, Any], seed: int = 0) -> SymbiosisModel:
    return SymbiosisModel(cfg if isinstance(cfg, config.ScenarioConfig) else config.build(cfg), rng=seed)


def heat_book(
    suppliers: Iterable[tuple[float, float]], seekers: Iterable[tuple[float, float]]
) -> tuple[SymbiosisModel, Any, list[int], np.ndarray]:
    """A model whose heat book holds one offer per supplier point and one demand per seeker point,
    its offers' tree built and its demands listed: a test of the book's geometry, not of a rule, so
    any number of firms. Returns the model, the book, every demand as a searcher, and their points."""
    firms = [firm(f"S{i}", at=tuple(xy), offers=[offer("heat", 100, 60)]) for i, xy in enumerate(suppliers)]
    firms += [firm(f"D{i}", at=tuple(xy), demands=[demand("heat", 50, 40)]) for i, xy in enumerate(seekers)]
    raw = scenario(*firms[:2])
    raw["firms"] = firms
    m = model(raw)
    book = m.state.matching.books["heat"]
    book.offer_tree(m)
    book.live_demands(m)
    searchers = list(range(len(book.demands)))
    return m, book, searchers, m.positions(book.demand_firms[searchers])


def new(*firms: dict[str, Any], seed: int = 0, **kw: Any) -> SymbiosisModel:
    """A model of :func:`scenario`."""
    return model(build(*firms, **kw), seed)


def step(m: SymbiosisModel, months: int = 1) -> SymbiosisModel:
    for _ in range(months):
        m.step()
    return m


def step_until(m: SymbiosisModel, done: Callable[[SymbiosisModel], Any], months: int = 60) -> bool:
    """Step until ``done(m)`` holds (checked after each month) or ``months`` have passed; whether it held."""
    for _ in range(months):
        m.step()
        if done(m):
            return True
    return False


def step_of(year: int, month: int = 1) -> int:
    """The model step of a calendar month in a scenario of this builder."""
    return (year - START_YEAR) * 12 + month


# ----- reading a model through its stable surface ------------------------------------------------
def firm_named(m: SymbiosisModel, name: str):
    return next(f for f in m.firms if f.name == name)


def exchanges(m: SymbiosisModel, supplier: str | None = None, receiver: str | None = None, resource: str | None = None) -> list[Exchange]:
    """Every exchange ever opened, in id order, filtered by supplier, receiver and resource names."""
    names = {f.idx: f.name for f in m.firms}
    return [
        ex
        for _, ex in sorted(m.exchanges.items())
        if (supplier is None or names[ex.supplier] == supplier)
        and (receiver is None or names[ex.receiver] == receiver)
        and (resource is None or ex.resource == resource)
    ]


def operating(m: SymbiosisModel, **kw: str) -> list[Exchange]:
    return [ex for ex in exchanges(m, **kw) if ex.stage is Stage.OPERATING]


def events(m: SymbiosisModel, kind: str) -> list[dict[str, Any]]:
    return [e for e in m.events if e["kind"] == kind]


def offer_of(m: SymbiosisModel, name: str, resource: str) -> Offer:
    return next(o for o in firm_named(m, name).offers if o.resource == resource)


def demand_of(m: SymbiosisModel, name: str, resource: str) -> Demand:
    return next(d for d in firm_named(m, name).demands if d.resource == resource)


# ----- model internals: re-point these when the bookkeeping moves --------------------------------
def pair_increment(m: SymbiosisModel, a: int, b: int) -> float:
    """The pair's learned trust (deliveries, meetings, failures) on top of who the two are."""
    return m.state.trust.pairs.get(a, b)


def pair_slots(m: SymbiosisModel, suppliers: Iterable[int], receivers: Iterable[int]) -> np.ndarray:
    """The pairs' trust slots, as :func:`sim.mechanisms.trust.levels` takes them."""
    return np.array([m.state.trust.pairs.slot(int(i), int(j)) for i, j in zip(suppliers, receivers, strict=True)], dtype=np.int64)


def set_delivered_months(m: SymbiosisModel, firm_idx: int, months: int) -> None:
    """Give a firm a track record of ``months`` delivered months (on the firm and in the model's array)."""
    m.firm_arrays.delivered[firm_idx] = months


def latent_matches(m: SymbiosisModel) -> list[tuple[Offer, Demand]]:
    """Viable matches held back by trust or attention, anywhere."""
    return matching.latent_in(m, [mun.idx for mun in m.municipalities])


def pending_phase_outs(m: SymbiosisModel) -> dict[int, list[Offer]]:
    """Streams still to be phased out, by step."""
    return m.state.lock_in.phase_outs


def fed_offers(m: SymbiosisModel) -> list[Offer]:
    """Streams made from a received input."""
    return m.state.feed.offers


def add_startup(m: SymbiosisModel, anchor: str, resource: str, sector: str = "greenhouse", quantity: float = 100.0, radius_km: float = 3.0):
    """An entrant on a free plot beside ``anchor`` wanting its ``resource`` (what entry does once it draws one)."""
    hub = firm_named(m, anchor)
    plot = land_planning.free_plot_near(m, hub, radius_km)
    assert plot is not None, f"no free plot beside {anchor}"
    src = offer_of(m, anchor, resource)
    return entry.add_startup(m, plot, hub, sector, resource, quantity, src.quality, 100.0, 1e6)


def rezone_plots(m: SymbiosisModel, zoning: str) -> None:
    """Every plot of every municipality gets this zoning (industrial, housing or reserved)."""
    for mun in m.municipalities:
        for plot in mun.plots:
            plot.zoning = Zoning(zoning)


def start_facilitation(m: SymbiosisModel, municipality: str) -> None:
    """The municipality starts a facilitation unit of its own."""
    diffusion.start_facilitation(m, _municipality(m, municipality), inspired=False)


def active_clusters(m: SymbiosisModel) -> set[str]:
    """Names of the municipalities whose operating exchanges pass the cluster test."""
    return {m.municipalities[i].name for i in land_planning.active_clusters(m)}


def facilitation_rate(m: SymbiosisModel, name: str) -> float:
    """Engagement times funded share that may go to this firm, as discovery reads it."""
    return float(m.firm_arrays.facilitation_rate[firm_named(m, name).idx])


def open_exchange(m: SymbiosisModel, supplier: str, receiver: str, resource: str, brokered: bool = False) -> Exchange:
    """Open an exchange between the two on their priced deal, past discovery and its trust and attention gates."""
    o, d = offer_of(m, supplier, resource), demand_of(m, receiver, resource)
    s, r = firm_named(m, supplier), firm_named(m, receiver)
    dist = m.distance(s.idx, r.idx)
    assert not lock_in.blocks(m, o), "the exchange was refused"
    ex = m.ledger.open(o, d, benefit.evaluate(m, o, d, s, r, dist), dist, brokered)
    lifecycle.begin(m, ex)
    return ex


def extra_hazard(m: SymbiosisModel, name: str) -> float:
    """A firm's extra annual exit hazard after losing its supplier."""
    return float(m.firm_arrays.extra_hazard[firm_named(m, name).idx])


def public_sek_this_month(m: SymbiosisModel) -> float:
    """Public money spent in the month just stepped (funding, guarantees, sandboxes, supervision, reserved land)."""
    return m.public_sek_step


def public_sek_total(m: SymbiosisModel) -> float:
    return m.public_sek_total


def search_probabilities(m: SymbiosisModel, resource: str) -> list[float]:
    """This month's search probability of each live demand for ``resource``, in the order the demands were added."""
    prob, _ = matching.search_probabilities(m, m.state.matching.books[resource])
    return prob.tolist()


def plot_zoning(m: SymbiosisModel, municipality: str = TOWN) -> list[str]:
    return [p.zoning.value for p in _municipality(m, municipality).plots]


def land_state(m: SymbiosisModel, municipality: str = TOWN):
    """The municipality's land-planning state: ``ever_active``, ``months_inactive``, ``replanned``."""
    return _municipality(m, municipality)


def _municipality(m: SymbiosisModel, name: str):
    return next(mun for mun in m.municipalities if mun.name == name)
