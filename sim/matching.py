"""Discovery of matches through per-resource spatial indexes (never an all-pairs scan).

Each month some demands search: at a low base rate (firms prioritise internal efficiency,
§2.5.4), more often where a facilitator works, where a partner already exchanges (snowball) or
where water is scarce. A searcher looks among offers of its resource within the resource's
reach, found through a cKDTree, and picks one with probability decaying as exp(-d/d0)
(Raimbault et al. 2020). Candidates then go to :func:`propose`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from sim import benefit, scarcity, snowball, trust
from sim.exchange import Demand, Exchange, Offer
from sim.params import Strict, param
from sim.resources import CATALOGUE

if TYPE_CHECKING:
    from sim.model import SymbiosisModel

EPS = 1e-9


class Params(Strict):
    base_search_rate: float = param(
        0.005,
        "1/month",
        "§2.5.4: nearly all firms work on internal efficiency, seeking partners across sectors is far less natural; value: assumption (about one look per seventeen years)",
        "Monthly probability that a firm looks for a partner for an unmet demand on its own.",
        ge=0,
        le=1,
    )
    facilitated_search_rate: float = param(
        0.2,
        "1/month at full engagement",
        "§2.5.5: the facilitator identifies latent matches; value: assumption",
        "Extra monthly search probability for firms a fully engaged, fully funded facilitator covers.",
        ge=0,
        le=1,
    )
    distance_decay_km: float = param(
        5.0,
        "km",
        "Raimbault et al. (2020): partner found with probability exp(-d/d0); value: assumption",
        "Length scale d0 of the distance decay of discovery.",
        gt=0,
    )
    candidates: int = param(
        16,
        "offers",
        "assumption: a firm knows its neighbourhood, not the whole country; with exp(-d/d0) the far ones hardly count",
        "How many of the nearest offers within reach a searcher considers.",
        ge=1,
        le=1000,
    )
    min_quantity_share: float = param(
        0.05,
        "share of the demand",
        "assumption: a sliver of a demand is not worth a contract",
        "Smallest share of a demand an exchange must cover to be proposed.",
        ge=0,
        le=1,
    )


class Book:
    """Offers and demands of one resource, with lazily rebuilt spatial indexes.

    Streams of firms that left stay in the lists until the next rebuild, which drops them; so an
    exit costs nothing here but marking the book stale.
    """

    def __init__(self, resource: str) -> None:
        self.resource = resource
        self.offers: list[Offer] = []
        self.demands: list[Demand] = []
        self.large_offers: list[Offer] = []
        self._offer_tree: cKDTree | None = None
        self._demand_tree: cKDTree | None = None
        self.demand_firms = np.zeros(0, dtype=np.int64)

    def add_offer(self, offer: Offer, large: bool) -> None:
        self.offers.append(offer)
        if large:
            self.large_offers.append(offer)
        self._offer_tree = None

    def add_demand(self, demand: Demand) -> None:
        self.demands.append(demand)
        self._demand_tree = None

    def stale(self) -> None:
        """A firm with streams here left, or a stream ended: rebuild on next use."""
        self._offer_tree = None
        self._demand_tree = None

    def offer_tree(self, model: SymbiosisModel) -> cKDTree | None:
        if self._offer_tree is None:
            alive = model.firm_alive
            self.offers = [o for o in self.offers if alive[o.firm] and o.quantity > 0]
            self.large_offers = [o for o in self.large_offers if alive[o.firm] and o.quantity > 0]
            if self.offers:
                self._offer_tree = cKDTree(model.positions([o.firm for o in self.offers]))
        return self._offer_tree

    def demand_tree(self, model: SymbiosisModel) -> cKDTree | None:
        if self._demand_tree is None:
            alive = model.firm_alive
            self.demands = [d for d in self.demands if alive[d.firm]]
            self.demand_firms = np.fromiter((d.firm for d in self.demands), dtype=np.int64, count=len(self.demands))
            if self.demands:
                self._demand_tree = cKDTree(model.positions(self.demand_firms))
        return self._demand_tree


def search_probabilities(model: SymbiosisModel, book: Book) -> tuple[np.ndarray, np.ndarray]:
    """Per demand: total monthly search probability and the facilitated part of it."""
    book.demand_tree(model)  # refreshes demand_firms
    firms = book.demand_firms
    p = model.params.matching
    own = np.full(len(firms), p.base_search_rate)
    if model.switches.scarcity and book.resource == scarcity.WATER:
        own *= scarcity.search_multipliers(model, firms)
    own += snowball.search_boost(model, firms)
    facilitated = model.facilitation_rate[firms] * p.facilitated_search_rate
    return np.minimum(1.0, own + facilitated), facilitated


def discover(model: SymbiosisModel) -> None:
    """Let this month's searchers look for a partner in every resource book."""
    for book in model.books.values():
        if book.demand_tree(model) is None or book.offer_tree(model) is None:
            continue
        prob, facilitated = search_probabilities(model, book)
        draws = model.rng.random(len(prob))
        for k in np.flatnonzero(draws < prob):
            demand = book.demands[k]
            if demand.unmet <= EPS:
                continue
            brokered = bool(draws[k] < facilitated[k])
            _search(model, book, demand, brokered)


def _search(model: SymbiosisModel, book: Book, demand: Demand, brokered: bool) -> None:
    tree = book.offer_tree(model)
    if tree is None:
        return
    p = model.params.matching
    receiver = model.firms[demand.firm]
    k = min(p.candidates, len(book.offers))
    dists, idx = tree.query([receiver.x, receiver.y], k=k, distance_upper_bound=CATALOGUE[book.resource].max_distance_km)
    cands, near = [], []
    for d, i in zip(np.atleast_1d(dists), np.atleast_1d(idx), strict=True):
        if not np.isfinite(d):
            break
        offer = book.offers[i]
        if offer.firm == demand.firm or offer.available <= EPS or offer.quality < demand.min_quality:
            continue
        cands.append(offer)
        near.append(float(d))
    if not cands:
        return
    w = np.exp(-np.asarray(near) / p.distance_decay_km)
    pick = int(model.rng.choice(len(cands), p=w / w.sum()))
    if brokered and model.facilitation_rate[cands[pick].firm] < model.facilitation_rate[demand.firm]:
        # the facilitator's money may not reach this supplier (SME-only funding and an anchor)
        ratio = model.facilitation_rate[cands[pick].firm] / model.facilitation_rate[demand.firm]
        brokered = bool(model.rng.random() < ratio)
    if brokered:
        trust.on_meeting(model, cands[pick].firm, demand.firm, model.engagement_of(demand.firm))
    propose(model, cands[pick], demand, near[pick], brokered)


def propose(model: SymbiosisModel, offer: Offer, demand: Demand, distance: float, brokered: bool) -> Exchange | None:
    """Start negotiating if quality, reach, both sides' benefit, trust and attention allow.

    A viable match that fails only on trust or attention is remembered as latent, for a
    facilitator to broker later.
    """
    res = CATALOGUE[offer.resource]
    if distance > res.max_distance_km or offer.quality < demand.min_quality:
        return None
    if (offer.firm, demand.firm, offer.resource) in model.pairs:
        return None
    supplier, receiver = model.firms[offer.firm], model.firms[demand.firm]
    if not (supplier.alive and receiver.alive):
        return None
    if min(offer.available, demand.unmet) < model.params.matching.min_quantity_share * demand.quantity:
        return None
    deal = benefit.evaluate(model, offer, demand, supplier, receiver, distance)
    if not deal.viable:
        return None
    if not trust.sufficient(model, supplier, receiver) or supplier.busy >= supplier.attention or receiver.busy >= receiver.attention:
        model.remember_latent(offer, demand, distance)
        return None
    return model.open_exchange(offer, demand, deal, distance, brokered)
