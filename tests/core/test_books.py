"""A book's kept columns (the firms and qualities of its offers, the firms of its demands) stay
parallel to its lists through births, exits, retired offers and needs deleted from the list."""

from __future__ import annotations

from sim.core import history
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
