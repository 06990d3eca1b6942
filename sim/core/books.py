"""The books of offers and demands, one per resource, and the nearest-offer search in them.

Kept apart from :mod:`sim.mechanisms.matching` because they are state and geometry, not a rule:
a book holds its streams with lazily rebuilt spatial indexes (cKDTree), and finds each searcher's
usable offers nearest first. Two ways give the same answer: one tree query for all searchers,
and for a few searchers in a book of a few offers the tree's own distance arithmetic in plain
Python, which costs far less at case scale (a few offers, a few searchers a month).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree

from sim.core.exchange import Demand, Offer

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel

LEAF = 16  # points in one leaf of an offer tree (cKDTree's leafsize)
BRUTE = 64  # offers in a book up to which :func:`nearest_few` searches them by brute force
FEW = 8  # searchers in a book up to which their nearest offers are found in plain Python
PLAIN = 64  # streams in a book up to which its lists are rebuilt in plain Python
KEEP = 256  # offers in a book up to which :func:`nearest` keeps each demand's candidates
RETIRED, QUALITY = attrgetter("retired"), attrgetter("quality")


class Book:
    """Offers and demands of one resource, with lazily rebuilt spatial indexes.

    Streams of firms that left stay in the lists until the next rebuild, which drops them; so an
    exit costs nothing here but marking the book stale.
    """

    def __init__(self, resource: str, changed: list[Book] | None = None) -> None:
        self.resource = resource
        self.offers: list[Offer] = []
        self.demands: list[Demand] = []
        self.large_offers: list[Offer] = []
        self._offer_tree: cKDTree | None = None  # built from ``_xy`` when a search first needs it
        self._offers_stale = True
        self._columns: tuple | None = None  # (the list, its length, firms, qualities, its last) at the last rebuild
        self._xy = np.zeros((0, 2))  # the offers' points, parallel to ``offers`` after a rebuild
        self._demand_tree: cKDTree | None = None
        self.demand_firms = np.zeros(0, dtype=np.int64)
        self.offer_firms = np.zeros(0, dtype=np.int64)  # parallel to ``offers`` after a rebuild, as is:
        self.offer_quality = np.zeros(0)
        # firm indices parallel to ``offers`` and ``demands``: compaction then needs no pass over the objects
        self._offer_firms: list[int] = []
        self._demand_firms: list[int] = []
        self._offer_quality: list[float] = []  # ``offer_quality`` as a list, for the per-candidate checks
        self._offer_xy: list[list[float]] = []  # the points of the offer tree
        self._demands_stale = True
        self.restricted = False  # some demand here can be met by one firm only (Demand.only_from)
        # whether it has live demands and offers; None: a change since, look again. Most books
        # in most months stay as they were, and discovery then skips them without rebuilding anything.
        # A book whose answer is gone joins ``changed`` (its owner's list of books to look at again),
        # so discovery finds the few changed books without a pass over all of them
        self.searchable: bool | None = None
        self.changed: list[Book] = [] if changed is None else changed
        self.changed.append(self)
        # :func:`nearest`'s rows by demand, for the offer tree they were found in
        self._near: tuple[object, dict[int, tuple[Demand, tuple, list[tuple[float, float, int]]]]] = (None, {})

    def add_offer(self, offer: Offer, large: bool) -> None:
        self.offers.append(offer)
        self._offer_firms.append(offer.firm)
        if large:
            self.large_offers.append(offer)
        self._offers_stale = True
        self.unknown()

    def add_demand(self, demand: Demand) -> None:
        self.demands.append(demand)
        self._demand_firms.append(demand.firm)
        self._demand_tree = None
        self._demands_stale = True
        self.unknown()
        self.restricted |= demand.only_from is not None

    def stale(self) -> None:
        """A stream ended, or a firm with offers and demands here left: rebuild on next use."""
        self.stale_offers()
        self.stale_demands()

    def stale_offers(self) -> None:
        """A firm with offers here left: the offer index is rebuilt on next use."""
        self._offers_stale = True
        self.unknown()

    def stale_demands(self) -> None:
        """A firm with demands here left: the demand list is compacted on next use."""
        self._demand_tree = None
        self._demands_stale = True
        self.unknown()

    def unknown(self) -> None:
        """Whether the book is searchable is to be looked at again: it joins ``changed`` once."""
        if self.searchable is not None:
            self.searchable = None
            self.changed.append(self)

    def offer_tree(self, model: SymbiosisModel) -> cKDTree | None:
        """The tree of the live offers (:meth:`live_offers`), None without any."""
        self.live_offers(model)
        return self._tree()

    def _tree(self) -> cKDTree | None:
        """The tree of ``offers``, built on first use after a rebuild: a case's books change far
        more often than a search needs a tree (most searches are answered by :func:`nearest_few`).
        A large book is rebuilt every month: a tree built for speed (no balancing, no shrunk
        boxes), which :func:`nearest_tree` checks for ties against the usual one."""
        if self._offer_tree is None and self.offers:
            fast = len(self.offers) > KEEP
            self._offer_tree = cKDTree(self._xy, leafsize=LEAF, balanced_tree=not fast, compact_nodes=not fast)
            self._reference = [self._xy, None] if fast else None
        return self._offer_tree

    def live_offers(self, model: SymbiosisModel) -> list[Offer]:
        """The offers of firms in business and not retired, the others dropped from the lists, and
        their firms, qualities and points as arrays; the tree waits for a search (:meth:`_tree`).

        At national scale most books change every month, by an exit or a birth. The firms and
        qualities of the offers kept at the last rebuild are kept as arrays (``_columns``), so a
        rebuild reads only the offers added since from the objects (:meth:`_live_many`): the offers
        lie scattered in memory, and a pass over them costs more than the tree. A case's book of a
        few offers is rebuilt in plain Python (:meth:`_live_few`).
        """
        if self._offers_stale:
            firms, quality = self._live_few(model) if len(self.offers) <= PLAIN else self._live_many(model)
            offers = self.offers
            self._columns = (offers, len(offers), firms, quality, offers[-1] if offers else None)  # also names this rebuild
            alive = model.firm_arrays.alive
            self.large_offers = [o for o in self.large_offers if alive[o.firm] and not o.retired]
            self.offer_firms = firms
            self.offer_quality = quality
            self._offer_tree = None
            if self.offers:
                self._xy = xy = model.positions(firms)
                if len(self.offers) <= BRUTE:  # what :func:`nearest_few` reads instead of the tree
                    self._offer_xy, self._offer_quality = xy.tolist(), self.offer_quality.tolist()
            self._offers_stale = False
        return self.offers

    def has_live_offers(self, model: SymbiosisModel) -> bool:
        """Whether any offer is live. A case's book answers without a rebuild, which waits for a
        search (:meth:`live_offers`): its books change in far more months than they are searched,
        and a rebuild later drops the same offers (firms never return, a retired offer stays so)."""
        if self._offers_stale and len(self.offers) <= PLAIN:
            alive = model.firm_arrays.alive
            return any(not o.retired and alive.item(f) for o, f in zip(self.offers, self._offer_firms, strict=True))
        return bool(self.live_offers(model))

    def _live_few(self, model: SymbiosisModel) -> tuple[np.ndarray, np.ndarray]:
        """For :meth:`live_offers` in a book of a few offers (a case's): the firms and qualities of
        the live ones, the others dropped, in plain Python (numpy's per-call cost is most of the work)."""
        alive = model.firm_arrays.alive
        offers, firms = self.offers, self._offer_firms
        keep = [not o.retired and alive.item(f) for o, f in zip(offers, firms, strict=True)]
        if not all(keep):
            offers = self.offers = list(compress(offers, keep))
            firms = self._offer_firms = array("q", compress(firms, keep))
        return np.array(firms, dtype=np.int64), np.array([o.quality for o in offers], dtype=float)

    def _live_many(self, model: SymbiosisModel) -> tuple[np.ndarray, np.ndarray]:
        """For :meth:`live_offers` in a large book: only the offers added since the last rebuild are
        read from the objects, and the retired flags of all through a C loop."""
        offers = self.offers
        kept = self._columns
        n0 = kept[1] if kept is not None and _intact(offers, (kept[0], kept[4]), kept[1]) else 0
        new = offers[n0:]  # appended since
        firms = np.array(self._offer_firms[n0:], dtype=np.int64)
        quality = np.fromiter(map(QUALITY, new), dtype=float, count=len(new))
        if n0:
            firms, quality = np.concatenate((kept[2], firms)), np.concatenate((kept[3], quality))
        keep = model.firm_arrays.alive[firms] & ~np.fromiter(map(RETIRED, offers), dtype=bool, count=len(offers))
        if not keep.all():
            self.offers = list(compress(offers, keep.tolist()))
            firms, quality = firms[keep], quality[keep]
            self._offer_firms = array("q", firms.tobytes())
        return firms, quality

    def live_demands(self, model: SymbiosisModel) -> list[Demand]:
        """The demands of firms still in business, in the order they were added; refreshes ``demand_firms``.

        Separate from :meth:`demand_tree` because discovery needs only the list, and building a
        tree after every exit would cost more than the search itself. The firms of the demands kept
        last time are ``demand_firms`` already; only those added since are read from the list.
        """
        if self._demands_stale and len(self.demands) <= PLAIN:  # a case's: in plain Python
            alive = model.firm_arrays.alive
            keep = [alive.item(f) for f in self._demand_firms]
            if not all(keep):
                self.demands = list(compress(self.demands, keep))
                self._demand_firms = array("q", compress(self._demand_firms, keep))
            self.demand_firms = np.array(self._demand_firms, dtype=np.int64)
            self._demand_list = (self.demands, self.demands[-1] if self.demands else None)
            self._demands_stale = False
        if self._demands_stale:
            demands = self.demands
            kept = self.__dict__.get("_demand_list")  # the list as ``demand_firms`` was last made from it
            n0 = len(self.demand_firms) if kept is not None and _intact(demands, kept, len(self.demand_firms)) else 0
            firms = np.array(self._demand_firms[n0:], dtype=np.int64)
            if n0:
                firms = np.concatenate((self.demand_firms, firms))
            keep = model.firm_arrays.alive[firms]
            if not keep.all():
                demands = self.demands = list(compress(demands, keep.tolist()))
                firms = firms[keep]
                self._demand_firms = array("q", firms.tobytes())
            self.demand_firms = firms
            self._demand_list = (demands, demands[-1] if demands else None)
            self._demands_stale = False
        return self.demands

    def demand_tree(self, model: SymbiosisModel) -> cKDTree | None:
        if self._demand_tree is None:
            self.live_demands(model)
            if self.demands:
                self._demand_tree = cKDTree(model.positions(self.demand_firms))
        return self._demand_tree


def searchable_books(model: SymbiosisModel, st: Any, after: Book | None = None) -> list[Book]:
    """The books of ``st.books`` with live demands and offers, in book order (those after ``after``
    only), for discovery.

    Kept in ``st.open`` between months: a book that changes joins ``st.changed``
    (:meth:`Book.unknown`) and only those are looked at again; most months none is. After
    ``after`` only those after it are: the others wait for next month, when discovery would have
    looked at them.
    """
    if not st.changed and after is None:
        return st.open
    order = list(st.books.values())
    later = order if after is None else order[order.index(after) + 1 :]
    if st.changed:
        left = []
        for book in st.changed:
            if book.searchable is None and book in later:
                book.searchable = bool(book.live_demands(model)) and book.has_live_offers(model)
            if book.searchable is None:
                left.append(book)
        st.changed[:] = left
        st.open = [b for b in order if b.searchable]
    return st.open if after is None else [b for b in later if b.searchable]


def _intact(now: list, kept: tuple[list, object], n0: int) -> bool:
    """Whether ``now`` still begins with the ``n0`` streams it held when ``kept`` (the list and its
    last stream then) was taken: the same list, only appended to. A stream that ended is deleted
    from the demand list (:func:`sim.core.history.end_demand`), which moves the one at ``n0 - 1``."""
    return now is kept[0] and len(now) >= n0 and (n0 == 0 or now[n0 - 1] is kept[1])


def nearest(
    book: Book, searchers: list[int], xy: np.ndarray, k: int, reach: float, decay: float
) -> list[Iterable[tuple[float, float, int]]]:
    """Per searcher, its usable candidates (distance, weight exp(-d/d0), offer index), nearest first:
    :func:`nearest_few` where it can answer, else :func:`nearest_tree` (``xy``: the firms' points).

    A demand's candidates depend only on the offers (a new tree whenever they change), what the
    demand asks (its firm, quality floor and only supplier), ``k``, reach and decay; a demand searches again and again, so its
    candidates are kept until the tree changes and only new searchers are looked up (in books of
    up to :data:`KEEP` offers searched by up to :data:`FEW` at once, as in a case).
    """
    if len(searchers) > FEW or len(book.offers) > KEEP:  # a large region: many searchers, trees rebuilt often
        return nearest_tree(book, searchers, xy[book.demand_firms[searchers]], k, reach, decay)
    rebuild, near = book._near
    if rebuild is not book._columns:  # the offers were rebuilt since
        near = {}
        book._near = (book._columns, near)
    rows: list = [None] * len(searchers)
    todo, restricted, demands = [], book.restricted, book.demands
    for row, k_ in enumerate(searchers):
        demand = demands[k_]
        # what a demand's candidates depend on besides the offers
        key = (k, reach, decay, demand.firm, demand.min_quality, demand.only_from, restricted)
        kept = near.get(id(demand))
        if kept is not None and kept[0] is demand and kept[1] == key:
            rows[row] = kept[2]
        else:
            todo.append((row, key))
    if todo:
        new = [searchers[r] for r, _ in todo]
        found = None
        if len(book.offers) <= BRUTE and len(new) <= FEW:
            found = nearest_few(book, new, [xy[book._demand_firms[s]].tolist() for s in new], k, reach, decay)
        if found is None:
            found = nearest_tree(book, new, xy[book.demand_firms[new]], k, reach, decay)
        for (r, key), got in zip(todo, found, strict=True):
            demand = demands[searchers[r]]
            rows[r] = list(got)
            near[id(demand)] = (demand, key, rows[r])
    return rows


def nearest_tree(
    book: Book, searchers: list[int], points: np.ndarray, k: int, reach: float, decay: float
) -> list[Iterable[tuple[float, float, int]]]:
    """Per searcher, its usable candidates (distance, weight exp(-d/d0), offer index), nearest first,
    from one tree query for all of them.

    What cannot change during this month's discovery is checked for all candidates at once: within
    reach, another firm, good enough; availability only falls as exchanges open, so :func:`_search`
    checks it one searcher at a time, in order.
    """
    tree = book._tree()
    ref = book.__dict__.get("_reference")
    dists, idx = _query(tree, points, k + (ref is not None), reach)
    if ref is not None:
        # a tree built another way gives the same k nearest, in the same order, unless two of the first
        # k + 1 lie at the same distance: then the order is the tree's own, and the usual tree answers
        d = dists[:, 1:]
        tie = ((d == dists[:, :-1]) & np.isfinite(d)).any(axis=1)
        dists, idx = dists[:, :k], idx[:, :k]
        if tie.any():
            if ref[1] is None:
                ref[1] = cKDTree(ref[0], leafsize=LEAF)
            tied = np.flatnonzero(tie)
            dists[tied], idx[tied] = _query(ref[1], points[tied], k, reach)
    found = np.isfinite(dists)
    safe = np.where(found, idx, 0)
    seekers = book.demand_firms[searchers][:, None]
    wanted = [book.demands[i] for i in searchers]
    min_quality = np.array([d.min_quality for d in wanted])[:, None]
    candidates = book.offer_firms[safe]
    usable = found & (candidates != seekers) & (book.offer_quality[safe] >= min_quality)
    if book.restricted:  # a need only one firm can meet (Demand.only_from)
        only = np.array([-1 if d.only_from is None else d.only_from for d in wanted])[:, None]
        usable &= (only < 0) | (candidates == only)
    weights = np.exp(-dists / decay).tolist()  # beyond reach d is inf and the weight 0
    rows = zip(dists.tolist(), weights, idx.tolist(), usable.tolist(), strict=True)
    return [compress(zip(d, w, i, strict=True), u) for d, w, i, u in rows]


def _query(tree: cKDTree, points: np.ndarray, k: int, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest points within ``reach`` of each query point, as (n, k) arrays."""
    dists, idx = tree.query(points, k=k, distance_upper_bound=reach)
    return dists.reshape(len(points), k), idx.reshape(len(points), k)


def nearest_few(
    book: Book, searchers: list[int], points: list[list[float]], k: int, reach: float, decay: float
) -> list[Iterable[tuple[float, float, int]]] | None:
    """:func:`nearest_tree` for a few searchers in a book of at most :data:`BRUTE` offers, in plain
    Python; None where two squared distances tie, as the tree then orders them by its heap.

    The tree's arithmetic on every offer (dx*dx + dy*dy below reach*reach, then its square root):
    the tree reaches the same points through its leaves (in a leaf it computes each one's distance
    so), and without a tie the k nearest in order are the same, for far less than a tree query and
    the masks over its answer.
    """
    limit = float(reach) * float(reach)
    rows = []
    for qx, qy in points:
        found = []
        for i, (x, y) in enumerate(book._offer_xy):
            dx, dy = x - qx, y - qy
            if (d2 := dx * dx + dy * dy) < limit:
                found.append((d2, i))
        if len({d2 for d2, _ in found}) < len(found):
            return None
        found.sort()
        rows.append([(math.sqrt(d2), i) for d2, i in found[:k]])
    weights = np.exp(-np.array([d for row in rows for d, _ in row]) / decay).tolist()  # in one call
    firms, quality, restricted = book._offer_firms, book._offer_quality, book.restricted
    nearest, at = [], 0
    for k_, row in zip(searchers, rows, strict=True):
        wanted, seeker = book.demands[k_], book._demand_firms[k_]
        floor, only = wanted.min_quality, -1 if wanted.only_from is None else wanted.only_from
        at += len(row)
        nearest.append(
            [
                (d, w, i)
                for (d, i), w in zip(row, weights[at - len(row) : at], strict=True)
                if firms[i] != seeker and quality[i] >= floor and (not restricted or only < 0 or firms[i] == only)
            ]
        )
    return nearest
