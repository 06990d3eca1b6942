"""The symbiosis model: one step is one month.

The model builds its agents from a :class:`~sim.config.ScenarioConfig` and runs the mechanisms
in a fixed order each month. It keeps the bookkeeping every mechanism needs (books of offers and
demands, exchanges, the event log) so that the mechanism modules hold only their own rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import mesa
import numpy as np

from agents.facilitator import Facilitator, Project
from agents.firm import Firm, Role
from agents.municipality import Municipality, Plot, Zoning
from agents.region import Programme, Region
from sim import (
    diffusion,
    eed_mandate,
    engagement,
    entry,
    feed,
    firm_exit,
    land_planning,
    lifecycle,
    lock_in,
    matching,
    negotiation,
    project_funding,
    trust,
)
from sim.benefit import Deal
from sim.collector import Collector
from sim.config import ScenarioConfig
from sim.exchange import Demand, EndReason, Exchange, ExchangeArrays, Offer, Stage
from sim.resources import CATALOGUE

DEFAULT_ATTENTION = {Role.ANCHOR: 2, Role.UTILITY: 3, Role.SME: 1, Role.STARTUP: 2}


class SymbiosisModel(mesa.Model):
    """Industrial and urban symbiosis in a region, month by month."""

    def __init__(self, config: ScenarioConfig | None = None, *, rng: int | None = None, **levers: Any) -> None:
        """Build the model. ``rng`` must be an explicit seed: a run without one cannot be replayed.

        Extra keyword arguments are policy levers or ``mechanism_<name>`` switches, so that
        ``mesa.batch_run`` can drive the model with flat parameters.
        """
        from sim import config as cfgmod

        config = config or cfgmod.load()
        if levers:
            overrides = {}
            for key, value in levers.items():
                if key.startswith("mechanism_"):
                    overrides[f"mechanisms.{key.removeprefix('mechanism_')}"] = value
                else:
                    overrides[f"policy.{key}"] = value
            config = cfgmod.build(cfgmod.apply_overrides(cfgmod.resolved(config), overrides))
        if rng is None:  # mesa.batch_run overwrites an ``rng`` in ``parameters`` with its own rng argument
            raise ValueError(
                "SymbiosisModel needs an explicit seed, got rng=None (allowed: a whole number; "
                "with mesa.batch_run pass the seeds as batch_run(..., rng=[1, 2, 3]), not in parameters)"
            )
        seed = int(rng)
        super().__init__(rng=seed)
        self.seed = seed
        self.config = config
        self.params = config.params
        self.switches = config.mechanisms
        self.policy = config.policy
        self.horizon = config.steps
        self.firms: list[Firm] = []
        self.municipalities: list[Municipality] = []
        self.regions: list[Region] = []
        self.facilitators: list[Facilitator] = []
        self.books: dict[str, matching.Book] = {r: matching.Book(r) for r in CATALOGUE}
        self.exchanges: dict[int, Exchange] = {}
        self.live: dict[int, Exchange] = {}
        # the live exchanges split by stage, so that the monthly passes need not filter all of them;
        # both keep id order (``pipeline`` by insertion, ``operating`` by sorting its keys)
        self.pipeline: dict[int, Exchange] = {}
        self.operating: dict[int, Exchange] = {}
        self.pairs: set[tuple[int, int, str]] = set()
        self.pair_memory = trust.PairMemory()
        self.exchange_arrays = ExchangeArrays(list(CATALOGUE))
        self.latent: dict[int, dict[tuple[int, int], tuple[Offer, Demand]]] = {}  # by receiver's municipality
        self.events: list[dict[str, Any]] = []
        self.public_sek_total = 0.0
        self.public_sek_step = 0.0
        # per-firm arrays, indexed by Firm.idx, for the vectorised parts of the mechanisms
        self._xy = np.zeros((0, 2))
        self.operating_count = np.zeros(0)
        self.facilitation_rate = np.zeros(0)
        self.firm_municipality = np.zeros(0, dtype=np.int64)
        self.firm_alive = np.zeros(0, dtype=bool)
        self.firm_is_anchor = np.zeros(0, dtype=bool)
        self.firm_extra_hazard = np.zeros(0)
        self.firm_base_hazard = np.zeros(0)
        self.firm_exitable = np.zeros(0, dtype=bool)
        self.firm_is_startup = np.zeros(0, dtype=bool)
        self.firm_delivered = np.zeros(0, dtype=np.int64)  # Firm.delivered_months, for trust over all exchanges at once
        self._startups: dict[int, Firm] = {}
        self._heat_installations: list[Firm] = []
        self._by_name: dict[str, Firm] = {}
        self._scheduled: dict[int, list[Any]] = {}
        self._phase_outs: dict[int, list[Offer]] = {}
        self.fed_offers: list[Offer] = []  # streams made from a received input (see sim.feed)
        self.n_alive = 0
        self._planned: set[int] = set()
        self.municipality_neighbours: dict[float, list[list[int]]] = {}  # by radius; see diffusion.neighbours
        self.n_startups = 0
        self._startups_ever = 0
        self.collector = Collector(self)
        self.datacollector = self.collector  # what mesa.batch_run reads
        self._build()
        self.running = True

    # ----- construction -------------------------------------------------------------------
    def _build(self) -> None:
        cfg = self.config
        region_idx = {}
        for i, r in enumerate(cfg.regions):
            progs = [
                Programme(p.name, p.budget_sek, p.funding_rate, p.project_length_months, p.call_interval_months, p.anchor_eligible)
                for p in r.programmes
            ]
            self.regions.append(Region(self, idx=i, name=r.name, programmes=progs))
            region_idx[r.name] = i
        muni_idx = {}
        for i, m in enumerate(cfg.municipalities):
            self.municipalities.append(
                Municipality(
                    self,
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
        index = {fc.name: i for i, fc in enumerate(cfg.firms)}  # a firm's idx is its place in the list

        def idx_of(name: str | None) -> int | None:
            return None if name is None else index[name]

        for fc in cfg.firms:
            firm = self._new_firm(
                name=fc.name,
                role=Role(fc.role),
                sector=fc.sector,
                x=fc.location_km[0],
                y=fc.location_km[1],
                municipality=muni_idx[fc.municipality],
                turnover=fc.turnover_msek_per_year * 1e6,
                cash=fc.cash_msek * 1e6,
                attention=fc.attention,
                energy_input_mw=fc.energy_input_mw,
                data_centre=fc.data_centre,
            )
            for oc in fc.offers:
                phase = None if oc.phase_out_year is None else self.step_of(oc.phase_out_year, 1)
                fed = {"fed_by": oc.fed_by, "fed_from": idx_of(oc.fed_from)}
                self._add_offer(Offer(firm.idx, oc.resource, oc.quantity, oc.quality, phase, oc.same_discharge_point, **fed))
            for dc in fc.demands:
                price = dc.virgin_price if dc.virgin_price is not None else CATALOGUE[dc.resource].virgin_price_sek_per_unit
                self._add_demand(
                    Demand(firm.idx, dc.resource, dc.quantity, dc.min_quality, price, dc.needs_new_land, only_from=idx_of(dc.only_from))
                )
        for offer in self.fed_offers:  # nothing is received before the first exchange
            offer.quantity = feed.quantity(self, offer)
        for i, m in enumerate(cfg.municipalities):
            mun = self.municipalities[i]
            mun.hub_firm = self._by_name[m.hub].idx if m.hub else None
            for pc in m.plots:
                hub = self._by_name[pc.near]
                if mun.hub_firm is None:
                    mun.hub_firm = hub.idx
                for k in range(pc.count):
                    ang = 2 * math.pi * k / max(pc.count, 1)
                    r = pc.radius_km * (0.5 + 0.5 * (k % 2))
                    mun.plots.append(Plot(hub.x + r * math.cos(ang), hub.y + r * math.sin(ang), Zoning(pc.zoning)))
        for i, fc in enumerate(cfg.facilitators):
            fac = Facilitator(
                self,
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
                    fc.cost_sek_per_month * self.params.project_funding.initial_project_funding_rate,
                    cfg.policy.funding_anchor_eligible or fc.initial_project_anchor_eligible,
                )
            self.facilitators.append(fac)
            for m in fac.municipalities:
                self.municipalities[m].facilitator = i
        for ev in cfg.events:
            self._scheduled.setdefault(self.step_of(ev.year, ev.month), []).append(ev)
        if cfg.policy.land_reservation:
            land_planning.reserve_all(self)
        self.refresh_facilitation()

    def _new_firm(
        self,
        *,
        name: str,
        role: Role,
        sector: str,
        x: float,
        y: float,
        municipality: int,
        turnover: float,
        cash: float,
        attention: int | None = None,
        energy_input_mw: float = 0.0,
        data_centre: bool = False,
    ) -> Firm:
        idx = len(self.firms)
        firm = Firm(
            self,
            idx=idx,
            name=name,
            role=role,
            sector=sector,
            x=x,
            y=y,
            municipality=municipality,
            turnover_sek_per_year=turnover,
            cash_sek=cash,
            attention=DEFAULT_ATTENTION[role] if attention is None else attention,
            energy_input_mw=energy_input_mw,
            data_centre=data_centre,
            entered_step=self.steps,
        )
        self.firms.append(firm)
        self._by_name[name] = firm
        self.n_alive += 1
        self.n_startups += role == Role.STARTUP
        self._startups_ever += role == Role.STARTUP  # names the next one, so O(1) rather than a count over all firms
        if idx >= len(self._xy):
            cap = max(16, 2 * len(self._xy))
            self._xy = np.resize(self._xy, (cap, 2))
            for name in (
                "operating_count",
                "facilitation_rate",
                "firm_municipality",
                "firm_alive",
                "firm_is_anchor",
                "firm_extra_hazard",
                "firm_base_hazard",
                "firm_exitable",
                "firm_is_startup",
                "firm_delivered",
            ):
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros(cap - len(arr), dtype=arr.dtype)]))
        self._xy[idx] = (x, y)
        self.operating_count[idx] = 0
        self.facilitation_rate[idx] = 0.0
        self.firm_municipality[idx] = municipality
        self.firm_alive[idx] = True
        self.firm_is_anchor[idx] = role == Role.ANCHOR
        self.firm_extra_hazard[idx] = 0.0
        self.firm_base_hazard[idx] = firm_exit.base_hazard(self.params.firm_exit, role)
        self.firm_exitable[idx] = role != Role.UTILITY
        self.firm_is_startup[idx] = role == Role.STARTUP
        self.firm_delivered[idx] = 0
        if role == Role.STARTUP:
            self._startups[idx] = firm
        if eed_mandate.covered(self, firm):
            self._heat_installations.append(firm)
        return firm

    def _add_offer(self, offer: Offer) -> None:
        self.firms[offer.firm].offers.append(offer)
        self.books[offer.resource].add_offer(offer, self.firms[offer.firm].is_large)
        if offer.phase_out_step is not None:
            self._phase_outs.setdefault(offer.phase_out_step, []).append(offer)
        if offer.fed_by is not None:
            self.fed_offers.append(offer)

    def _add_demand(self, demand: Demand) -> None:
        self.firms[demand.firm].demands.append(demand)
        self.books[demand.resource].add_demand(demand)

    # ----- time ------------------------------------------------------------------------------
    def step_of(self, year: int, month: int) -> int:
        """The step at which a calendar month is simulated (step 1 is January of the start year)."""
        return (year - self.config.start_year) * 12 + month

    def date_of(self, step: int) -> tuple[int, int]:
        return self.config.start_year + (step - 1) // 12, (step - 1) % 12 + 1

    def step(self) -> None:
        """One month, in the order documented in docs/odd.md (process overview)."""
        self.public_sek_step = 0.0
        self._run_scheduled()
        lock_in.step(self)
        project_funding.step(self)
        engagement.step(self)
        firm_exit.step(self)
        entry.step(self)
        eed_mandate.step(self)
        matching.discover(self)
        lifecycle.advance(self)
        lifecycle.operate(self)
        feed.step(self)
        land_planning.step(self)
        diffusion.step(self)
        self.collector.collect()
        if self.steps >= self.horizon:
            self.running = False

    def _run_scheduled(self) -> None:
        for ev in self._scheduled.pop(self.steps, []):
            if ev.kind == "firm_exit":
                firm = self._by_name[ev.firm]
                if firm.alive:
                    self.remove_firm(firm, "scheduled")
            elif ev.kind == "set_policy":
                setattr(self.policy, ev.key, ev.value)
                self.log("policy_changed", detail=f"{ev.key} = {ev.value}")
                if ev.key == "land_reservation" and ev.value:
                    land_planning.reserve_all(self)

    # ----- geometry and lookups ----------------------------------------------------------
    def positions(self, idx: Any) -> np.ndarray:
        return self._xy[np.asarray(idx, dtype=np.int64)]

    def distance(self, i: int, j: int) -> float:
        a, b = self.firms[i], self.firms[j]
        return math.hypot(a.x - b.x, a.y - b.y)

    def startups(self) -> list[Firm]:
        """Start-ups still in business, in the order they entered."""
        return list(self._startups.values())

    def heat_installations(self) -> list[Firm]:
        """Firms the EED mandate covers (above 8 MW or data centres), still in business."""
        return [f for f in self._heat_installations if f.alive]

    def firm_by_name(self, name: str) -> Firm:
        return self._by_name[name]

    # ----- facilitation -------------------------------------------------------------------
    def coverage(self, fac: Facilitator, firm: Firm) -> float:
        return project_funding.covers(fac, firm.role)

    def refresh_facilitation(self) -> None:
        """Per firm: engagement times the share of funded time that may go to it.

        Kept per municipality too (column 0 for other firms, 1 for anchors), so that a firm
        entering before the next refresh gets its rate without a pass over all firms.
        """
        n = len(self.firms)
        by_muni = np.zeros((len(self.municipalities), 2))
        for fac in self.facilitators:
            for m in fac.municipalities:
                by_muni[m] = np.maximum(by_muni[m], (fac.engagement * fac.funded_share, fac.engagement * fac.anchor_coverage))
        muni = self.firm_municipality[:n]
        self.facilitation_rate[:n] = np.where(self.firm_is_anchor[:n], by_muni[muni, 1], by_muni[muni, 0])
        self._facilitation_by_muni = by_muni

    def engagement_of(self, firm_idx: int) -> float:
        fac = self.municipalities[self.firms[firm_idx].municipality].facilitator
        return self.facilitators[fac].engagement if fac is not None else 0.0

    def member_turnover_sek_per_month(self, fac: Facilitator) -> float:
        if fac.membership_fee_share <= 0:
            return 0.0
        area = set(fac.municipalities)
        return sum(f.turnover_sek_per_year for f in self.firms if f.alive and f.operating > 0 and f.municipality in area) / 12.0

    def add_public_spending(self, sek: float) -> None:
        self.public_sek_step += sek
        self.public_sek_total += sek

    def start_facilitation(self, mun: Municipality, inspired: bool) -> None:
        """A municipality starts a facilitation unit of its own (diffusion, P11)."""
        idx = len(self.facilitators)
        fac = Facilitator(
            self,
            idx=idx,
            name=f"{mun.name} symbiosis unit",
            region=mun.region,
            municipalities=[mun.idx],
            cost_sek_per_month=self.params.diffusion.unit_cost_sek_per_month,
            engagement=0.0,
            membership_fee_share=0.0,
        )
        fac.next_project_step = self.steps
        self.facilitators.append(fac)
        mun.facilitator = idx
        self.log("facilitation_started", municipality=mun.name, detail="inspired by a neighbour" if inspired else "")

    def active_clusters(self) -> set[int]:
        """Municipalities whose operating exchanges pass the 3-2 test (Chertow 2007).

        An exchange counts in its supplier's municipality, with both its firms and its resource.
        """
        arrays = self.exchange_arrays
        ids = arrays.operating_ids()
        if not len(ids):
            return set()
        n_muni, n_firms, n_res = len(self.municipalities), len(self.firms), len(arrays.resource_code)
        muni = self.firm_municipality[arrays.supplier[ids]]
        firm_keys = np.unique(np.concatenate([muni * n_firms + arrays.supplier[ids], muni * n_firms + arrays.receiver[ids]]))
        firms = np.bincount(firm_keys // n_firms, minlength=n_muni)
        resources = np.bincount(np.unique(muni * n_res + arrays.resource[ids]) // n_res, minlength=n_muni)
        obs = self.config.observation
        return set(np.flatnonzero((firms >= obs.cluster_min_firms) & (resources >= obs.cluster_min_resources)).tolist())

    # ----- land ---------------------------------------------------------------------------
    def free_plot_near(self, hub: Firm, radius_km: float) -> Plot | None:
        mun = self.municipalities[hub.municipality]
        for plot in mun.plots:
            if plot.occupant is None and plot.zoning != Zoning.HOUSING and math.hypot(plot.x - hub.x, plot.y - hub.y) <= radius_km:
                return plot
        return None

    def _plot_of(self, firm_idx: int) -> Plot | None:
        mun = self.municipalities[self.firms[firm_idx].municipality]
        return next((p for p in mun.plots if p.occupant == firm_idx), None)

    def plot_planned(self, firm_idx: int) -> bool:
        plot = self._plot_of(firm_idx)
        return plot.planned if plot is not None else firm_idx in self._planned

    def plot_buildable(self, firm_idx: int) -> bool:
        plot = self._plot_of(firm_idx)
        return plot is None or plot.zoning != Zoning.HOUSING

    def mark_plot_planned(self, firm_idx: int) -> None:
        plot = self._plot_of(firm_idx)
        if plot is not None:
            plot.planned = True
        self._planned.add(firm_idx)

    def add_startup(
        self, plot: Plot, anchor: Firm, sector: str, resource: str, qty: float, quality: float, price: float, cash: float
    ) -> Firm:
        """An establishment company takes a plot beside an anchor and wants its stream."""
        n = self._startups_ever + 1
        firm = self._new_firm(
            name=f"{sector.replace('_', ' ').title()} {n}",
            role=Role.STARTUP,
            sector=sector,
            x=plot.x,
            y=plot.y,
            municipality=anchor.municipality,
            turnover=0.0,
            cash=cash,
        )
        plot.occupant = firm.idx
        self._add_demand(Demand(firm.idx, resource, qty, 0.0, price, needs_new_land=not plot.planned))
        self.facilitation_rate[firm.idx] = self._facilitation_by_muni[firm.municipality, 0]  # as refresh_facilitation
        self.log("firm_entered", firm=firm.name, detail=f"{sector} beside {anchor.name} for its {resource}")
        return firm

    # ----- exchanges ----------------------------------------------------------------------
    def remember_latent(self, offer: Offer, demand: Demand) -> None:
        """A viable match held back by trust or attention, for a facilitator to broker."""
        mun = self.firms[demand.firm].municipality
        self.latent.setdefault(mun, {})[(id(offer), id(demand))] = (offer, demand)

    def forget_latent(self, offer: Offer, demand: Demand) -> None:
        self.latent.get(self.firms[demand.firm].municipality, {}).pop((id(offer), id(demand)), None)

    def latent_in(self, municipalities: list[int]) -> list[tuple[Offer, Demand]]:
        """Latent matches whose receiver is in these municipalities; pairs with a firm gone are dropped."""
        out = []
        for m in municipalities:
            pairs = self.latent.get(m)
            if not pairs:
                continue
            dead = [k for k, (o, d) in pairs.items() if not (self.firm_alive[o.firm] and self.firm_alive[d.firm])]
            for k in dead:
                del pairs[k]
            out.extend(pairs.values())
        return out

    def open_exchange(self, offer: Offer, demand: Demand, deal: Deal, distance: float, brokered: bool) -> Exchange | None:
        if lock_in.blocks(self, offer):
            return None
        ex = Exchange(
            len(self.exchanges),
            offer,
            demand,
            deal.quantity,
            distance,
            deal.price,
            deal.investment_sek,
            deal.supplier_net,
            deal.receiver_net,
            brokered,
            self.steps,
        )
        offer.committed += ex.quantity
        demand.met += ex.quantity
        self.exchanges[ex.id] = ex
        self.live[ex.id] = ex
        ex.trust_slot = self.pair_memory.slot(ex.supplier, ex.receiver)
        self.exchange_arrays.add(ex)
        self.pipeline[ex.id] = ex
        self.pairs.add((offer.firm, demand.firm, offer.resource))
        self.firms[offer.firm].exchanges.add(ex.id)
        self.firms[demand.firm].exchanges.add(ex.id)
        self.forget_latent(offer, demand)
        self.move(ex, Stage.NEGOTIATING, negotiation.months(self, ex))
        self.log("exchange_proposed", exchange=ex.id, detail=self.describe(ex))
        return ex

    def describe(self, ex: Exchange) -> str:
        return f"{CATALOGUE[ex.resource].label} from {self.firms[ex.supplier].name} to {self.firms[ex.receiver].name}"

    def move(self, ex: Exchange, stage: Stage, months: int) -> None:
        ex.stage = stage
        ex.stage_until = self.steps + months

    def due_exchanges(self) -> list[Exchange]:
        """Exchanges in the pipeline whose current stage ends now, in id order."""
        now = self.steps
        return [ex for ex in self.pipeline.values() if ex.stage_until <= now]

    def operating_exchanges(self) -> Iterator[Exchange]:
        """Operating exchanges in id order (the order of ``live``), as a snapshot."""
        return iter([self.operating[i] for i in sorted(self.operating)])

    def exchanges_on(self, offer: Offer) -> list[Exchange]:
        return [ex for ex in self.live.values() if ex.offer is offer]

    def phasing_out_now(self) -> list[Offer]:
        return self._phase_outs.pop(self.steps, [])

    def start_operating(self, ex: Exchange) -> None:
        ex.stage = Stage.OPERATING
        self.pipeline.pop(ex.id, None)
        self.operating[ex.id] = ex
        self.exchange_arrays.start_operating(ex)
        ex.operating_since = self.steps
        ex.contract_end = self.steps + int(self.params.benefit.contract_years * 12)
        for i in (ex.supplier, ex.receiver):
            self.firms[i].operating += 1
            self.operating_count[i] += 1
        self.firm_extra_hazard[ex.receiver] = 0.0  # supplied again: its business basis is back
        self.municipalities[self.firms[ex.supplier].municipality].operating_exchanges += 1
        self.collector.active_by_resource[ex.resource] += 1
        self.log("exchange_started", exchange=ex.id, detail=self.describe(ex))

    def deliver(self, ex: Exchange) -> None:
        ex.delivered_months += 1
        supplier, receiver = self.firms[ex.supplier], self.firms[ex.receiver]
        supplier.delivered_months += 1
        receiver.delivered_months += 1
        self.firm_delivered[ex.supplier] += 1
        self.firm_delivered[ex.receiver] += 1
        supplier.cash_sek += ex.supplier_net_sek_per_month
        receiver.cash_sek += ex.receiver_net_sek_per_month
        trust.on_delivery(self, ex)
        self.collector.add_flow(ex)

    def end_exchange(self, ex: Exchange, reason: EndReason) -> None:
        if ex.stage is Stage.ENDED:
            return
        was_operating = ex.stage is Stage.OPERATING
        ex.offer.committed -= ex.quantity
        ex.demand.met -= ex.quantity
        if was_operating:
            for i in (ex.supplier, ex.receiver):
                self.firms[i].operating -= 1
                self.operating_count[i] -= 1
            self.municipalities[self.firms[ex.supplier].municipality].operating_exchanges -= 1
            self.collector.active_by_resource[ex.resource] -= 1
        ex.stage = Stage.ENDED
        ex.end_reason = reason
        ex.ended_step = self.steps
        self.live.pop(ex.id, None)
        self.exchange_arrays.end(ex)
        self.pipeline.pop(ex.id, None)
        self.operating.pop(ex.id, None)
        self.pairs.discard((ex.supplier, ex.receiver, ex.resource))
        self.firms[ex.supplier].exchanges.discard(ex.id)
        self.firms[ex.receiver].exchanges.discard(ex.id)
        if reason in (EndReason.NEGOTIATION_FAILED, EndReason.FINANCING_FAILED, EndReason.DISRUPTED):
            trust.on_failure(self, ex.supplier, ex.receiver)
        if reason is EndReason.PARTNER_EXIT and was_operating and not self.firms[ex.supplier].alive:
            firm_exit.strand(self, ex.receiver, ex.investment_sek)
        self.log(
            "exchange_ended",
            exchange=ex.id,
            detail=f"{self.describe(ex)}: {reason.value}",
            reason=reason.value,
            was_operating=was_operating,
        )

    def remove_firm(self, firm: Firm, why: str) -> None:
        """A firm leaves: its exchanges end, its streams go, its plot frees up."""
        firm.alive = False
        self.firm_alive[firm.idx] = False
        self._startups.pop(firm.idx, None)
        self.n_alive -= 1
        self.n_startups -= firm.role == Role.STARTUP
        ended = 0
        for ex_id in sorted(firm.exchanges):
            ex = self.exchanges[ex_id]
            ended += ex.stage is Stage.OPERATING
            self.end_exchange(ex, EndReason.PARTNER_EXIT)
        # only the side of a book that held this firm's streams changes
        for resource in {o.resource for o in firm.offers}:
            self.books[resource].stale_offers()
        for resource in {d.resource for d in firm.demands}:
            self.books[resource].stale_demands()
        plot = self._plot_of(firm.idx)
        if plot is not None:
            plot.occupant = None
        if firm.role == Role.STARTUP and firm.guaranteed_investment_sek > 0:
            self.add_public_spending(firm.guaranteed_investment_sek)
            self.log("guarantee_paid", firm=firm.name, detail=f"{firm.guaranteed_investment_sek / 1e6:.1f} MSEK")
        self.log("firm_exited", firm=firm.name, detail=f"{why}; {ended} exchanges end", reason=why)
        firm.remove()

    # ----- log ----------------------------------------------------------------------------
    def log(
        self,
        kind: str,
        *,
        firm: str = "",
        facilitator: str = "",
        municipality: str = "",
        exchange: int = -1,
        detail: str = "",
        reason: str = "",
        was_operating: bool = False,
    ) -> None:
        year, month = self.date_of(max(self.steps, 1))
        self.events.append(
            {
                "step": self.steps,
                "year": year,
                "month": month,
                "kind": kind,
                "firm": firm,
                "facilitator": facilitator,
                "municipality": municipality,
                "exchange": exchange,
                "reason": reason,
                "was_operating": was_operating,
                "detail": detail,
            }
        )
