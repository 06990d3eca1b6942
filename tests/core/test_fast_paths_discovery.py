"""Discovery's kept values give what a fresh computation gives: the list of searchable books, the
books' lists, points and trees rebuilt lazily, and each demand's kept nearest offers.

Each check steps case models and compares, every month, the kept value with one computed from
the streams themselves, so a change that misses an invalidation fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import config
from sim.core import books
from sim.core.model import SymbiosisModel
from sim.run.runner import exchange_table, simulate

CASES = ("A1_stenungsund", "A3_handelo", "A18_perstorp", "A26_paper_province")


def _model(case: str, seed: int = 1) -> SymbiosisModel:
    return SymbiosisModel(config.load(f"configs/cases/{case}.yaml"), rng=seed)


def _live(model: SymbiosisModel, book: books.Book) -> tuple[list, list]:
    """The book's live offers and demands, read from the objects."""
    alive = model.firm_arrays.alive
    return [o for o in book.offers if alive[o.firm] and not o.retired], [d for d in book.demands if alive[d.firm]]


def test_the_kept_searchable_books_and_their_lists_are_what_the_streams_give_every_month() -> None:
    """Births, exits, ended streams and phase-outs reopen a book; the kept list follows, and a
    book's lists, columns, points and tree, as a search rebuilds them, are those of its live streams."""
    searched = trees = 0
    for case in CASES:
        for seed in (1, 2):
            model = _model(case, seed)
            st = model.state.matching
            while model.running:
                model.step()
                fresh = []
                for book in st.books.values():
                    offers, demands = _live(model, book)
                    if offers and demands:
                        fresh.append(book)
                kept = books.searchable_books(model, st)
                assert kept == fresh, (case, model.steps)
                for book in kept:
                    offers, demands = _live(model, book)
                    assert book.has_live_offers(model)
                    book.live_offers(model)  # rebuilt when a search first needs it
                    assert book.offers == offers and book.demands == demands, (case, book.resource)
                    assert book.offer_firms.tolist() == list(book._offer_firms) == [o.firm for o in offers]
                    assert book.offer_quality.tolist() == [float(o.quality) for o in offers]
                    assert book.demand_firms.tolist() == list(book._demand_firms) == [d.firm for d in demands]
                    points = model.positions([o.firm for o in offers])
                    if len(offers) <= books.LEAF:
                        assert book._offer_xy == points.tolist()
                    trees += book._offer_tree is not None
                    np.testing.assert_array_equal(book.offer_tree(model).data, points)
                searched += len(kept)
    assert searched > 1000 and trees > 0


def test_kept_nearest_offers_are_a_fresh_tree_query_every_month() -> None:
    """Every demand's kept candidates, while its book's offers stand, are what a tree query now gives."""
    compared = 0
    for case in CASES:
        model = _model(case)
        st = model.state.matching
        while model.running:
            model.step()
            for book in books.searchable_books(model, st):
                rebuild, near = book._near
                if rebuild is not book._columns:
                    continue
                for k_, demand in enumerate(book.demands):
                    kept = near.get(id(demand))
                    if kept is None or kept[0] is not demand:
                        continue
                    k, reach, decay = kept[1][:3]
                    points = model.positions(book.demand_firms[[k_]])
                    fresh = [list(row) for row in books.nearest_tree(book, [k_], points, k, reach, decay)]
                    assert kept[2] == fresh[0], (case, model.steps, book.resource)
                    compared += 1
    assert compared > 1000


@pytest.mark.parametrize("case", ["A1_stenungsund", "A26_paper_province"])
def test_books_rebuilt_in_plain_python_give_numpys_runs(monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """A case's books rebuild their lists in plain Python; the run is the same, table for table,
    as with every rebuild through numpy's path for large books."""
    cfg = config.load(f"configs/cases/{case}.yaml")
    runs = []
    for plain in (books.PLAIN, -1):
        monkeypatch.setattr(books, "PLAIN", plain)
        m = simulate(cfg, 3)
        runs.append((m.collector.frame(), m.events, exchange_table(m)))
    few, many = runs
    assert few[0].equals(many[0]) and few[1] == many[1] and few[2].equals(many[2])
    assert len(few[2]) > 0, "the run must open exchanges for the comparison to mean anything"


@pytest.mark.parametrize("seed", range(6))
def test_the_plain_search_of_a_book_of_several_leaves_is_the_tree_query(seed: int) -> None:
    """A book of up to BRUTE offers spans several leaves of its tree; the plain search over all of
    them finds the tree's candidates, in its order, with its distances and weights, or declines on
    a tie. Points on a coarse grid (ties, points on the leaves' split lines) and scattered ones,
    seekers near the edge of reach included."""
    from tests.mechanisms import builder as b

    rng = np.random.default_rng(seed)
    n = int(rng.integers(books.LEAF + 1, books.BRUTE + 1))
    grid = seed % 2 == 0
    where = rng.integers(0, 60, (n + books.FEW, 2)) / 4 if grid else rng.random((n + books.FEW, 2)) * 15.0
    m, book, searchers, points = b.heat_book(where[:n].tolist(), where[n:].tolist())
    decay = m.params.matching.distance_decay_km
    answered = 0
    for reach in (m.resources["heat"].reach_km, 2.5, 6.0):
        for k in (1, 5, books.LEAF):
            few = books.nearest_few(book, searchers, points.tolist(), k, reach, decay)
            if few is not None:
                assert few == [list(row) for row in books.nearest_tree(book, searchers, points, k, reach, decay)]
                answered += 1
    assert grid or answered > 0
