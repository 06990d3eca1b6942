"""A book's kept columns (the firms and qualities of its offers, the firms of its demands) stay
parallel to its lists through births, exits, retired offers and needs deleted from the list."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from sim.core import history
from sim.core.books import KEEP, LEAF, Book, nearest_tree
from sim.core.build import add_demand, add_offer
from sim.core.exchange import Demand, Offer
from tests.mechanisms import builder as b


def _parallel(m, book) -> None:
    """The columns as a rebuild from the objects would make them, and only live streams listed."""
    book.offer_tree(m)
    book.live_demands(m)
    alive = m.firm_arrays.alive
    assert all(alive[o.firm] and not o.retired for o in book.offers)
    assert all(alive[d.firm] for d in book.demands)
    assert book.offer_firms.tolist() == list(book._offer_firms) == [o.firm for o in book.offers]
    assert book.offer_quality.tolist() == [o.quality for o in book.offers]
    assert book.demand_firms.tolist() == list(book._demand_firms) == [d.firm for d in book.demands]


def test_kept_columns_follow_every_change_of_the_lists() -> None:
    firms = [b.firm(f"F{i}", at=(10.0 + i, 10.0), offers=[b.offer("heat", 100, 50 + i)], demands=[b.demand("heat", 50)]) for i in range(5)]
    m = b.new(*firms)
    book = m.state.matching.books["heat"]
    _parallel(m, book)
    before = [o.firm for o in book.offers]
    add_offer(m, Offer(0, "heat", 10.0, 99.0))  # appended: only the new one is read
    add_demand(m, Demand(1, "heat", 10.0, 0.0, 1.0))
    book.stale()
    _parallel(m, book)
    assert [o.firm for o in book.offers] == [*before, 0]
    history.end_demand(m, book.demands[1])  # deleted from the middle of the list, then one appended
    add_demand(m, Demand(2, "heat", 20.0, 0.0, 1.0))
    _parallel(m, book)
    history.end_offer(m, book.offers[2])  # retired
    m.remove_firm(m.firms[3], "test")  # its streams leave both lists
    _parallel(m, book)
    assert 3 not in book.offer_firms.tolist() and 3 not in book.demand_firms.tolist()
    assert len(book.offers) == 4 and len(book.demands) == 5


def _book(xy: np.ndarray, fast: bool) -> Book:
    """A book of one offer per point, searched by firms past the offers' (the last ``SEEKERS``)."""
    book = Book("heat")
    n = len(xy)
    book.offers = [Offer(i, "heat", 10.0, 1.0) for i in range(n)]
    book.offer_firms, book.offer_quality = np.arange(n), np.ones(n)
    book.demands = [Demand(n + j, "heat", 10.0, 0.0, 1.0) for j in range(SEEKERS)]
    book.demand_firms = np.arange(n, n + SEEKERS)
    book._offer_tree = cKDTree(xy, leafsize=LEAF, balanced_tree=not fast, compact_nodes=not fast)
    book._reference = [xy, None] if fast else None
    return book


SEEKERS = 40


def test_a_tree_built_for_speed_finds_what_the_usual_tree_finds_ties_included() -> None:
    """Random points (no ties) and a grid (searchers at equal distances from several offers): the
    candidates are the usual tree's, in its order."""
    rng = np.random.default_rng(3)
    grid = np.array([(x, y) for x in range(20) for y in range(20)], dtype=float)
    for xy in (rng.random((KEEP + 200, 2)) * 50.0, grid):
        points = np.vstack([rng.random((SEEKERS // 2, 2)) * 20.0, grid[: SEEKERS // 2] + 0.5])
        seekers = list(range(SEEKERS))
        fast, usual = (nearest_tree(_book(xy, f), seekers, points, 16, 3.0, 5.0) for f in (True, False))
        assert [list(r) for r in fast] == [list(r) for r in usual]
