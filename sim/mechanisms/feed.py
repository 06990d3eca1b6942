"""Input–output coupling: a stream made from a stream the firm receives (pattern P1 in chains).

A biogas plant makes biogas from the food waste it is sent; a treatment plant makes clean water
from the process water a factory sends it (Bjuv, A13; Sotenäs, A4). Such a firm's offer marked
``fed_by`` an input resource exists only as far as that input arrives through operating
exchanges. When a feeding partner leaves, the stream shrinks at once, and the newest exchanges on
it end (``feed_lost``) until what is promised fits what is made. The collapse then travels along
the chain, as the report describes for Bjuv after Findus left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.exchange import EndReason, Stage
from sim.core.params import Strict, Switch, param
from sim.mechanisms.matching import EPS

if TYPE_CHECKING:
    from sim.core.exchange import Offer
    from sim.core.model import SymbiosisModel


ODD = "submodel-feed"  # its section in docs/odd.md
SWITCH = Switch("A stream fed by a received input follows that input.", "report A13 and A4 (plants living on a partner's residual streams)")


class Params(Strict):
    min_load_share: float = param(
        0.0,
        "share of the input need (0-1)",
        "assumption: digesters and treatment plants need a minimum load; 0 keeps plain proportional scaling",
        "Below this fed share a fed stream makes nothing.",
        ge=0,
        le=1,
    )


class State:
    """The streams made from a received input, in the order they were added; and what each one's
    firm receives of its input (:func:`received`), kept with the ledger's operating version it was
    summed at: it changes only when an exchange starts or stops operating, and the month resizes
    every fed stream."""

    def __init__(self) -> None:
        self.offers: list[Offer] = []
        self.received: dict[int, tuple[int, Offer, float]] = {}  # by id of the offer (kept with it)


def on_offer_added(model: SymbiosisModel, offer: Offer) -> None:
    if offer.fed_by is not None:
        model.state.feed.offers.append(offer)


def on_built(model: SymbiosisModel) -> None:
    """Nothing is received before the first exchange: fed streams start at what that gives."""
    for offer in model.state.feed.offers:
        offer.quantity = quantity(model, offer)


def fed_share(model: SymbiosisModel, offer: Offer) -> float:
    """Share (0-1) of the firm's need for the input that operating exchanges deliver (from
    ``fed_from`` only, when the stream names a feeding firm)."""
    need, fed_by = 0, offer.fed_by  # sum()'s start and order, without a generator
    for d in model.firms[offer.firm].demands:
        if d.resource == fed_by:
            need += d.quantity
    return min(1.0, received(model, offer) / need) if need > 0 else 0.0


def received(model: SymbiosisModel, offer: Offer) -> float:
    """What operating exchanges deliver of the stream's input to its firm, summed in id order (kept; see :class:`State`)."""
    version = model.ledger.arrays.operating_version
    kept = model.state.feed.received.get(id(offer))
    if kept is not None and kept[0] == version:
        return kept[2]
    firm = model.firms[offer.firm]
    exchanges = model.ledger.all
    total = 0.0
    for ex_id in sorted(firm.exchanges):
        ex = exchanges[ex_id]
        if (
            ex.receiver == firm.idx
            and ex.resource == offer.fed_by
            and ex.stage is Stage.OPERATING
            and offer.fed_from in (None, ex.supplier)
        ):
            total += ex.quantity
    model.state.feed.received[id(offer)] = (version, offer, total)
    return total


def quantity(model: SymbiosisModel, offer: Offer) -> float:
    """What the fed stream makes this month; with the mechanism off, its full quantity."""
    if not model.switches.feed:
        return offer.base_quantity
    share = fed_share(model, offer)
    return 0.0 if share < model.params.feed.min_load_share else offer.base_quantity * share


def _resize(model: SymbiosisModel, offer: Offer) -> bool:
    """Set the stream to what its input allows; end the newest exchanges that no longer fit. Changed?"""
    new = quantity(model, offer)
    if abs(new - offer.quantity) <= EPS:
        return False
    if offer.committed > new + EPS:
        for ex in reversed(model.ledger.on_offer(offer)):  # newest first: live keeps id order
            model.ledger.end(ex, EndReason.FEED_LOST)
            if offer.committed <= new + EPS:
                break
    offer.quantity = new
    return True


def step(model: SymbiosisModel) -> None:
    """Resize every fed stream of a firm in business; repeat while a change runs down a chain."""
    if not model.state.feed.offers:
        return
    alive = model.firm_arrays.alive
    offers = [o for o in model.state.feed.offers if alive.item(o.firm)]
    for _ in range(len(offers) + 1):
        if not any([_resize(model, o) for o in offers]):
            return
