"""Lock-in on streams that will be phased out (§5, Stenungsund A1).

A stream marked as phasing out (fossil feedstock) ends at its date, and every exchange built on
it ends with it. With ``foresight`` firms refuse new deals on a stream that ends within the
contract term; the report warns that in practice they often do not look that far.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.events import EventKind
from sim.core.exchange import EndReason
from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from sim.core.exchange import Offer
    from sim.core.model import SymbiosisModel


ODD = "submodel-lock_in"  # its section in docs/odd.md
SWITCH = Switch("Phased-out streams end with their exchanges.", "report §5 (fossil lock-in)")


class Params(Strict):
    foresight: bool = param(
        False,
        "switch",
        "§5: symbioses built on fossil by-products risk locking in unsustainable systems",
        "Whether firms refuse deals on streams that end within the contract term.",
    )


class State:
    """Streams by the step at which they are phased out."""

    def __init__(self) -> None:
        self.phase_outs: dict[int, list[Offer]] = {}


def on_offer_added(model: SymbiosisModel, offer: Offer) -> None:
    if offer.phase_out_step is not None:
        model.state.lock_in.phase_outs.setdefault(offer.phase_out_step, []).append(offer)


def blocks(model: SymbiosisModel, offer: Offer) -> bool:
    """Whether foresight stops a new deal on this stream."""
    if not (model.switches.lock_in and model.params.lock_in.foresight) or offer.phase_out_step is None:
        return False
    return offer.phase_out_step - model.steps < model.params.benefit.contract_years * 12


def step(model: SymbiosisModel) -> None:
    """End the streams whose phase-out date has come, and the exchanges on them."""
    if not model.switches.lock_in:
        return
    for offer in model.state.lock_in.phase_outs.pop(model.steps, ()):
        for ex in model.ledger.on_offer(offer):
            model.ledger.end(ex, EndReason.PHASE_OUT)
        offer.quantity = 0.0
        offer.retired = True
        model.state.matching.books[offer.resource].stale()
        model.log(EventKind.STREAM_PHASED_OUT, firm=model.firms[offer.firm].name, detail=offer.resource, resource=offer.resource)
