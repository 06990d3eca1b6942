"""Snowball growth (pattern P5): partners learn each other's processes.

Once one collaboration has started, further streams are identified and evaluated over time
(§2.5.5; Sotenäs A4, Händelö A3). The model does that as knowledge, not as a search multiplier:
when an exchange starts operating, each partner gets to know the other's other streams (every
further match between the two is queued and looked at within months, without a search), and each
partner introduces the other to its own acquaintances at a weaker tie
(:func:`sim.mechanisms.acquaintance.introduce`), passing on what they could trade with it (their
matches are queued too), so the partner's neighbours become reachable without a search or a broker. Knowledge spreading along firms' social ties is the self-organising mechanism of
Ghali, Frayret & Ahabchane (2017).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.numpy_order import draws_below
from sim.core.params import Strict, Switch, param
from sim.mechanisms import acquaintance, matching

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Demand, Exchange, Offer
    from sim.core.model import SymbiosisModel


ODD = "submodel-snowball"  # its section in docs/odd.md
SWITCH = Switch(
    "Partners of an operating exchange learn each other's other streams and are introduced to each other's acquaintances.",
    "report §3.1 (one exchange leads to the next), §2.5.5, P5; Ghali, Frayret & Ahabchane (2017)",
)


class Params(Strict):
    follow_up_per_month: float = param(
        0.1,
        "1/month",
        "§2.5.5: further streams are identified and evaluated over time; value: assumption (about ten months)",
        "Monthly chance that partners look at one further stream between them they learnt of.",
        ge=0,
        le=1,
    )
    follow_up_tries: int = param(
        6,
        "tries",
        "assumption: a further stream held back by attention or trust is looked at again a few times",
        "How often a learnt stream that could not open yet is looked at again before it is dropped.",
        ge=1,
        le=100,
    )


class State:
    """Further streams partners learnt of, each with the tries left, in the order they are looked at.

    The entries sit in ``entries`` for good (None once dropped) and the queue is an array of their
    places: the monthly draw keeps or takes each, and keeping most of a long queue then moves
    integers, without touching (reference counting) every queued entry as a new list would.
    """

    def __init__(self) -> None:
        self.entries: list[tuple[Offer, Demand, int] | None] = []
        self.order = np.zeros(0, dtype=np.int64)  # the queue: places in ``entries``
        self.pending: list[int] = []  # places queued since the last draw, after ``order``

    @property
    def queue(self) -> list[tuple[Offer, Demand, int]]:
        """The queued entries, in order."""
        return [self.entries[i] for i in self.order.tolist() + self.pending]  # type: ignore[misc]

    def add(self, pairs: list[tuple[Offer, Demand]], tries: int) -> None:
        start = len(self.entries)
        self.entries.extend((o, d, tries) for o, d in pairs)
        self.pending.extend(range(start, len(self.entries)))

    def clear(self) -> None:
        self.entries, self.order, self.pending = [], np.zeros(0, dtype=np.int64), []


def matches_between(a: Firm, b: Firm) -> list[tuple[Offer, Demand]]:
    """Every match of the same resource between two firms, in either direction."""
    return [(o, d) for giver, taker in ((a, b), (b, a)) for o in giver.offers for d in taker.demands if o.resource == d.resource]


def further_streams(model: SymbiosisModel, ex: Exchange) -> list[tuple[Offer, Demand]]:
    """Every other match between the two partners, in either direction, of the same resource."""
    pairs = matches_between(model.firms[ex.supplier], model.firms[ex.receiver])
    return [(o, d) for o, d in pairs if not (o is ex.offer and d is ex.demand)]


def on_operating(model: SymbiosisModel, ex: Exchange) -> None:
    """The partners learn each other's other streams, and each is introduced to the other's
    acquaintances together with what those could trade with it."""
    if not model.switches.snowball:
        return
    learnt = further_streams(model, ex)
    firms = model.firms
    a, b = firms[ex.supplier], firms[ex.receiver]
    for newcomer, introducer in ((a, b), (b, a)):
        for c in acquaintance.introduce(model, newcomer, introducer):
            learnt += matches_between(newcomer, firms[c])  # dozens of introductions per exchange, most with no match
    model.state.snowball.add(learnt, model.params.snowball.follow_up_tries)


SMALL = 64  # queued entries up to which the month's draw is compared in plain Python


def step(model: SymbiosisModel) -> None:
    """Partners look at some of the further streams they learnt of; what could not open yet waits.

    Only the drawn ones are looked at (and dropped if a firm left or the match is spent), so a long
    queue costs one vectorised draw a month, not a pass in Python; a short one (a case's) compares
    the same draws in plain Python, where numpy's per-call cost would be most of the month's work.
    """
    st = model.state.snowball
    order = st.order
    if st.pending:
        order = np.concatenate((order, np.array(st.pending, dtype=np.int64)))
        st.pending = []
    if not len(order):
        return
    if not model.switches.snowball:
        st.clear()
        return
    chance = model.params.snowball.follow_up_per_month
    if len(order) <= SMALL:
        if (draws := draws_below(model.rng, len(order), chance)) is None:  # most months: nobody looks, the queue stands
            st.order = order
            return
        places = order.tolist()
        hits = [i for i, u in zip(places, draws, strict=True) if u < chance]
        keep = np.array([i for i, u in zip(places, draws, strict=True) if not u < chance], dtype=np.int64)
    else:
        hit = model.rng.random(len(order)) < chance
        keep, hits = order[~hit], order[hit].tolist()
    again = _look(model, st, hits)
    st.order = np.concatenate((keep, np.array(again, dtype=np.int64))) if again else keep
    # mostly dropped entries: renumber the queue's (not while a place queued meanwhile points into them)
    entries = st.entries
    if len(entries) > 4 * len(st.order) + 4096 and not st.pending:
        st.entries = [entries[i] for i in st.order.tolist()]
        st.order = np.arange(len(st.entries), dtype=np.int64)


def _look(model: SymbiosisModel, st: State, hits: list[int]) -> list[int]:
    """Propose the drawn further streams; the places of those held back by trust or attention, to
    be looked at again at the end of the queue."""
    again = []
    entries, alive = st.entries, model.firm_arrays.alive
    eps, pairs = matching.EPS, model.ledger.pairs
    for i in hits:
        offer, demand, tries = entries[i]  # type: ignore[misc]
        entries[i] = None
        if not (alive[offer.firm] and alive[demand.firm]):
            continue
        # Demand.unmet and Offer.available, without the property calls
        if demand.quantity - demand.met - demand.internal <= eps or offer.quantity - offer.committed <= eps:
            continue
        if (offer.firm, demand.firm, offer.resource) in pairs:
            continue
        ex = matching.propose(model, offer, demand, model.distance(offer.firm, demand.firm), False)
        if ex is None and tries > 1 and matching.is_latent(model, offer, demand):
            entries[i] = (offer, demand, tries - 1)  # held back by trust or attention: later, at the end
            again.append(i)
    return again
