"""Discovery of matches through per-resource spatial indexes (never an all-pairs scan).

Each month some demands search: on their own at a low base rate (firms prioritise internal
efficiency, §2.5.4), more often where a facilitator works or where water is scarce. A search
finds offers; whether talks open is decided by both sides' benefit and their trust, which starts
from their acquaintance (:mod:`sim.mechanisms.acquaintance`): neighbours who know each other
open deals by themselves, strangers wait as latent matches for a facilitator's meeting. A searcher looks among offers of its resource within the resource's
reach, found through a cKDTree, and picks one with probability decaying as exp(-d/d0)
(Raimbault et al. 2020). Candidates then go to :func:`propose`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from sim.core.books import Book, searchable_books
from sim.core.books import nearest as nearest_offers
from sim.core.exchange import Demand, Exchange, Offer
from sim.core.numpy_order import choice, draws_below
from sim.core.params import Strict, param
from sim.core.resources import RESOURCE_NAMES
from sim.mechanisms import benefit, engagement, internal_supply, lifecycle, lock_in, permits, platform, project_funding, scarcity, trust

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel

EPS = 1e-9
SMALL = 32  # demands in a book up to which discovery draws its searchers in plain Python


ODD = "submodel-matching"  # its section in docs/odd.md


class Params(Strict):
    base_search_rate: float = param(
        0.02,
        "1/month",
        "§2.5.4: nearly all firms work on internal efficiency, seeking partners across sectors is far less natural; §3.1: initiatives start from a firm's own concrete challenge or new requirements; value: assumption, about one look per need in four years, the interval of large firms' energy audits (Directive 2012/27/EU art. 8)",
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
    attention: dict[str, int] = param(
        {"anchor": 2, "utility": 3, "sme": 1, "startup": 2},
        "deals in the pipeline at once, by role",
        "§2.5.4: firms give collaboration little room beside core business; large firms have staff for it; value: assumption",
        "How many deals a firm of each role can have in talks, permitting, financing or building at once, unless its config sets its own.",
    )


class State:
    """The books of offers and demands, and the viable matches held back by trust or attention."""

    def __init__(self) -> None:
        self.changed: list[Book] = []  # books whose searchable is to be looked at again (see searchable_books)
        self.books: dict[str, Book] = {r: Book(r, self.changed) for r in RESOURCE_NAMES}
        self.open: list[Book] = []  # the searchable books, in book order, as of ``changed`` empty
        self.latent: dict[int, dict[tuple[int, int], tuple[Offer, Demand]]] = {}  # by receiver's municipality
        # per municipality: firm -> the keys of its latent pairs there (a dict as an ordered set)
        self.involved: dict[int, dict[int, dict[tuple[int, int], None]]] = {}
        self.departed: list[int] = []  # every firm removed, in order
        self.swept: dict[int, int] = {}  # per municipality: len(departed) when latent_in last looked
        # the search ceilings (by water or not) as of (the last facilitation refresh, the registers)
        self.ceilings: tuple[object, bool, int, dict[bool, float]] | None = None


def remember_latent(model: SymbiosisModel, offer: Offer, demand: Demand) -> None:
    """A viable match held back by trust or attention, for a facilitator to broker."""
    st = model.state.matching
    mun = model.firms[demand.firm].municipality
    pairs, key = st.latent.setdefault(mun, {}), (id(offer), id(demand))
    if key not in pairs:
        involved = st.involved.setdefault(mun, {})
        for f in (offer.firm, demand.firm):
            involved.setdefault(f, {})[key] = None
    pairs[key] = (offer, demand)


def _uncount(involved: dict[int, dict[tuple[int, int], None]], offer: Offer, demand: Demand, key: tuple[int, int]) -> None:
    """A town's latent pair ``key`` is gone: neither firm holds it any more."""
    for f in (offer.firm, demand.firm):
        held = involved.get(f)
        if held is not None:
            held.pop(key, None)
            if not held:
                del involved[f]


def is_latent(model: SymbiosisModel, offer: Offer, demand: Demand) -> bool:
    """Whether this match waits as latent (viable, held back by trust or attention)."""
    return (id(offer), id(demand)) in model.state.matching.latent.get(model.firms[demand.firm].municipality, {})


def forget_latent(model: SymbiosisModel, offer: Offer, demand: Demand) -> None:
    st = model.state.matching
    mun = model.firms[demand.firm].municipality
    key = (id(offer), id(demand))
    if st.latent.get(mun, {}).pop(key, None) is not None:
        _uncount(st.involved[mun], offer, demand, key)


def latent_in(model: SymbiosisModel, municipalities: list[int]) -> list[tuple[Offer, Demand]]:
    """Latent matches whose receiver is in these municipalities; pairs with a firm gone are dropped.

    Each town keeps, per firm, the keys of its latent pairs there, so a firm that left takes exactly
    its own pairs with it (firms never return, and a pair is remembered only while both firms are
    alive): a facilitator asks every month, its towns' latent pairs run into the thousands, and at
    national scale some firm somewhere leaves every month. The pairs left keep their order.
    """
    st = model.state.matching
    out = []
    for m in municipalities:
        pairs = st.latent.get(m)
        if not pairs:
            continue
        since = st.swept.get(m, 0)
        if since < len(st.departed):
            involved = st.involved[m]
            for f in st.departed[since:]:
                held = involved.pop(f, None)
                if held:
                    for key in held:  # the other firm of each pair lets it go too
                        _uncount(involved, *pairs.pop(key), key)
            st.swept[m] = len(st.departed)
        out.extend(pairs.values())
    return out


def on_open(model: SymbiosisModel, ex: Exchange) -> None:
    forget_latent(model, ex.offer, ex.demand)


def on_firm_removed(model: SymbiosisModel, firm: Firm) -> None:
    """Only the side of a book that held the firm's streams changes."""
    model.state.matching.departed.append(firm.idx)
    books = model.state.matching.books
    for resource in {o.resource for o in firm.offers}:
        books[resource].stale_offers()
    for resource in {d.resource for d in firm.demands}:
        books[resource].stale_demands()


def search_probabilities(model: SymbiosisModel, book: Book) -> tuple[np.ndarray, np.ndarray]:
    """Per demand: total monthly search probability and the facilitated part of it."""
    book.live_demands(model)  # refreshes demand_firms
    firms = book.demand_firms
    p = model.params.matching
    own = np.full(len(firms), p.base_search_rate)
    if model.switches.scarcity and book.resource == scarcity.WATER:
        own *= scarcity.search_multipliers(model, firms)
    if model.state.platform.on:
        own += platform.search_rates(model, firms)
    facilitated = model.firm_arrays.facilitation_rate[firms] * p.facilitated_search_rate
    return np.minimum(1.0, own + facilitated), facilitated


def discover(model: SymbiosisModel) -> None:
    """Let this month's searchers look for a partner in every resource book.

    The nearest offers of all of a book's searchers are found in one tree query: nothing a
    search does (proposing, opening an exchange) changes the book's offers, only how much of
    them is still available, which :func:`_search` checks one searcher at a time, in order.

    Only books with live demands and offers are visited (:func:`sim.core.books.searchable_books`).
    A book of a few demands draws here and is passed over when no draw falls below the month's
    search ceiling (:func:`_ceiling`), as in most months; the ceilings are asked again only after
    a search, in case what it set off changed facilitation.
    """
    st = model.state.matching
    books, at, tops = searchable_books(model, st), 0, None
    scarce, rng = model.switches.scarcity, model.rng
    while at < len(books):
        book = books[at]
        at += 1
        n = len(book.demand_firms)
        if n <= SMALL:
            if tops is None:
                tops = _kept_ceilings(model)
            ceiling = _ceiling(model, scarce and book.resource == scarcity.WATER, tops)
            if (draws := draws_below(rng, n, ceiling)) is None:  # nobody searches
                continue
            searchers, brokered = _searchers_few(model, book, draws, ceiling)
        else:
            prob, facilitated = search_probabilities(model, book)
            uniform = rng.random(len(prob))
            found = np.flatnonzero(uniform < prob)
            searchers, brokered = found.tolist(), (uniform[found] < facilitated[found]).tolist()
        if searchers and _search_book(model, model.params.matching, book, searchers, brokered):
            tops = None
            if st.changed:  # what the search set off changed some book: the later ones are looked at again
                books, at = searchable_books(model, st, after=book), 0


def _search_book(model: SymbiosisModel, p: Params, book: Book, searchers: list[int], brokered: list[bool]) -> bool:
    """The searches of one book, in order, from the nearest offers of all its searchers found at
    once; whether any searched. A searcher whose demand is met (over a third in a case) has nothing
    to look for: its nearest offers are found only if a search before it opened its need again."""
    demands = book.demands
    wanting = [k_ for k_ in searchers if not ((d := demands[k_]).quantity - d.met - d.internal <= EPS)]  # Demand.unmet
    if not wanting:
        return False
    k = min(p.candidates, len(book.live_offers(model)))
    reach, xy = model.resources[book.resource].reach_km, model.firm_arrays.xy
    found = nearest_offers(book, wanting, xy, k, reach, p.distance_decay_km)
    if len(wanting) < len(searchers):
        by_demand = dict(zip(wanting, found, strict=True))
        found = [by_demand.get(k_) for k_ in searchers]
    for k_, brokered_k, near in zip(searchers, brokered, found, strict=True):
        demand = demands[k_]
        if demand.quantity - demand.met - demand.internal <= EPS:
            continue
        if near is None:  # met when the month's searchers were drawn, open again since
            near = nearest_offers(book, [k_], xy, k, reach, p.distance_decay_km)[0]
        _search(model, book, demand, brokered_k, near)
    return True


def _searchers_few(model: SymbiosisModel, book: Book, draws: list[float], ceiling: float) -> tuple[list[int], list[bool]]:
    """:func:`search_probabilities` and the ``draws`` against them for a book of a few demands, in
    plain Python with the same arithmetic (numpy's per-call cost would be most of the work): the
    searchers and whether each one's search is brokered. A draw at or above ``ceiling``, which no
    demand's probability exceeds, is no search, and that demand's probability is not computed."""
    maybe = [k for k, u in enumerate(draws) if u < ceiling]
    p = model.params.matching
    base, facilitation, rate, firms = p.base_search_rate, p.facilitated_search_rate, model.firm_arrays.facilitation_rate, book._demand_firms
    own = None
    if model.switches.scarcity and book.resource == scarcity.WATER:
        own = scarcity.search_multipliers(model, book.demand_firms).tolist()
    listed = platform.search_rates(model, book.demand_firms).tolist() if model.state.platform.on else None
    searchers, brokered = [], []
    for k in maybe:
        facilitated = rate.item(firms[k]) * facilitation
        own_k = base if own is None else base * own[k]
        if listed is not None:
            own_k += listed[k]
        total = own_k + facilitated
        if draws[k] < (total if total < 1.0 else 1.0):  # min(1.0, total), without the call
            searchers.append(k)
            brokered.append(draws[k] < facilitated)
    return searchers, brokered


def _ceiling(model: SymbiosisModel, water: bool = False, tops: dict[bool, float] | None = None) -> float:
    """An upper bound of every demand's search probability this month (:func:`_bound`), kept in
    ``tops`` (:func:`_kept_ceilings`, which discovery asks once until a search)."""
    if tops is None:
        tops = _kept_ceilings(model)
    if (value := tops.get(water)) is None:
        value = tops[water] = _bound(model, water)
    return value


def _kept_ceilings(model: SymbiosisModel) -> dict[bool, float]:
    """The ceilings (by water or not), kept while the last refresh (a new one replaces the kept
    rates) and the registers (they open only in :func:`platform.step`) stand; without a refresh
    the rates are the firms' own, and a new dict is given each time."""
    refreshed, reg = model.state.project_funding.refreshed, model.state.platform
    kept = model.state.matching.ceilings
    if refreshed is None or kept is None or kept[0] is not refreshed or kept[1] != reg.on or kept[2] != len(reg.opens):
        kept = model.state.matching.ceilings = (refreshed, reg.on, len(reg.opens), {})
    return kept[3]


def _bound(model: SymbiosisModel, water: bool) -> float:
    """An upper bound of every demand's search probability this month: the base rate (for water
    under scarcity times the multiplier of the scarcest municipality) plus the highest facilitation
    of any firm, with the same rounding, so no less (rounding is monotone).

    A firm's facilitation is one of the rates :func:`project_funding.refresh_facilitation` last
    set per municipality, so their maximum (:func:`project_funding.highest_rate`) bounds it without
    a pass over the firms."""
    p = model.params.matching
    base = p.base_search_rate
    if water:
        top_level = max((m.freshwater_scarcity for m in model.municipalities), default=0.0)
        base = base * (1.0 + model.params.scarcity.search_boost * top_level)
    own = base + platform.max_rate(model) if model.state.platform.on else base
    top = project_funding.highest_rate(model)
    if top is None:
        top = model.firm_arrays.facilitation_rate.max(initial=0.0)
    return min(1.0, own + top * p.facilitated_search_rate)


def _search(model: SymbiosisModel, book: Book, demand: Demand, brokered: bool, nearest: Iterable[tuple[float, float, int]]) -> None:
    """Pick one of the ``nearest`` (distance, weight exp(-d/d0), offer index) that still has some
    available, with probability proportional to its weight."""
    offers = book.offers
    # the candidates with some available (Offer.available, without the property call), in one pass
    cands = [(d, w, o) for d, w, i in nearest if not ((o := offers[i]).quantity - o.committed <= EPS)]
    if not cands:
        return
    near, _, offer = cands[choice(model.rng, [c[1] for c in cands])]
    if brokered:
        rate = model.firm_arrays.facilitation_rate
        if (to := rate.item(offer.firm)) < (of := rate.item(demand.firm)):
            # the facilitator's money may not reach this supplier (SME-only funding and an anchor)
            brokered = model.rng.random() < to / of
        if brokered:
            trust.on_meeting(model, offer.firm, demand.firm, engagement.of_firm(model, demand.firm))
    propose(model, offer, demand, near, brokered)


def propose(model: SymbiosisModel, offer: Offer, demand: Demand, distance: float, brokered: bool) -> Exchange | None:
    """Start negotiating if quality, reach, both sides' benefit, trust and attention allow.

    A viable match that fails only on trust or attention is remembered as latent, for a
    facilitator to broker later.
    """
    if distance > model.resources[offer.resource].reach_km or offer.quality < demand.min_quality:
        return None
    if (offer.firm, demand.firm, offer.resource) in model.ledger.pairs:
        return None
    if demand.only_from is not None and offer.firm != demand.only_from:
        return None
    alive = model.firm_arrays.alive
    if not (alive.item(offer.firm) and alive.item(demand.firm)):
        return None
    available, unmet = offer.quantity - offer.committed, demand.quantity - demand.met - demand.internal  # without the properties
    if min(available, unmet) < model.params.matching.min_quantity_share * demand.quantity:
        return None
    supplier, receiver = model.firms[offer.firm], model.firms[demand.firm]
    if permits.barred(model, offer, demand):  # the receiver knows its site was denied this activity
        return None
    if _still_held_back(model, offer, demand, supplier, receiver):
        return None
    deal = benefit.evaluate(model, offer, demand, supplier, receiver, distance)
    if not deal.viable:
        return None
    if (deal := internal_supply.decide(model, offer, demand, supplier, receiver, distance, deal)) is None:
        return None
    if supplier.busy >= supplier.attention or receiver.busy >= receiver.attention or not trust.sufficient(model, supplier, receiver):
        remember_latent(model, offer, demand)
        return None
    if lock_in.blocks(model, offer):
        return None
    ex = model.ledger.open(offer, demand, deal, distance, brokered)
    lifecycle.begin(model, ex)
    return ex


def _still_held_back(model: SymbiosisModel, offer: Offer, demand: Demand, supplier: Firm, receiver: Firm) -> bool:
    """A latent match that trust or attention still holds back, where the receiver has no own
    option left to weigh: whatever the deal is worth now, :func:`propose` would change nothing
    (viable, it is remembered as latent again; not viable, it is dropped as a proposal, not from
    the latent list). Most proposals at scale are such repeats, so the deal is not priced again."""
    if not is_latent(model, offer, demand):
        return False
    if model.switches.internal_supply and internal_supply.capacity(model, demand) > EPS:
        return False
    # attention first: the same answer, and it spares most of the trust look-ups at scale
    return supplier.busy >= supplier.attention or receiver.busy >= receiver.attention or not trust.sufficient(model, supplier, receiver)
