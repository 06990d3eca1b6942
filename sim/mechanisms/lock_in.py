"""Lock-in on streams that will be phased out (§5, Stenungsund A1).

A stream marked as phasing out (fossil feedstock) ends at its date, and every exchange built on
it ends with it. With ``foresight`` firms refuse new deals on a stream that ends within the
contract term; the report warns that in practice they often do not look that far.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.exchange import EndReason
from sim.core.params import Strict, param

if TYPE_CHECKING:
    from sim.core.exchange import Offer
    from sim.core.model import SymbiosisModel


class Params(Strict):
    foresight: bool = param(
        False,
        "switch",
        "§5: symbioses built on fossil by-products risk locking in unsustainable systems",
        "Whether firms refuse deals on streams that end within the contract term.",
    )


def blocks(model: SymbiosisModel, offer: Offer) -> bool:
    """Whether foresight stops a new deal on this stream."""
    if not (model.switches.lock_in and model.params.lock_in.foresight) or offer.phase_out_step is None:
        return False
    return offer.phase_out_step - model.steps < model.params.benefit.contract_years * 12


def step(model: SymbiosisModel) -> None:
    """End the streams whose phase-out date has come, and the exchanges on them."""
    if not model.switches.lock_in:
        return
    for offer in model.phasing_out_now():
        for ex in model.exchanges_on(offer):
            model.end_exchange(ex, EndReason.PHASE_OUT)
        offer.quantity = 0.0
        offer.retired = True
        model.books[offer.resource].stale()
        model.log("stream_phased_out", firm=model.firms[offer.firm].name, detail=offer.resource)
