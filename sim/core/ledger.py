"""The exchange ledger: every exchange, the live ones split by stage, and the bookkeeping of
opening, starting, delivering and ending one.

What an event means for a mechanism (trust lost when a deal fails, a receiver stranded when its
supplier leaves) is not written here: each mechanism registers a hook (``on_open``,
``on_operating``, ``on_delivery``, ``on_end``) and the ledger calls them in registry order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.events import EventKind
from sim.core.exchange import Demand, EndReason, Exchange, ExchangeArrays, Offer, Stage
from sim.core.resources import CATALOGUE

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel
    from sim.mechanisms.benefit import Deal


BULK_TRACK_RECORD = 2  # exchanges from which one array addition beats two scalar ones each (four scalar numpy
# additions cost more instructions than one fancy-indexed one and its kept index)


class Ledger:
    """Exchanges by id; ``live`` keeps id order, split into ``pipeline`` and ``operating``."""

    def __init__(self, model: SymbiosisModel) -> None:
        self.model = model
        self.all: dict[int, Exchange] = {}
        self.live: dict[int, Exchange] = {}
        self.pipeline: dict[int, Exchange] = {}
        self.operating: dict[int, Exchange] = {}
        self.pairs: set[tuple[int, int, str]] = set()  # (supplier, receiver, resource) of live exchanges
        self.arrays = ExchangeArrays(list(CATALOGUE))
        self._in_order: tuple[int, tuple[Exchange, ...]] = (-1, ())
        self._delivering: tuple[Sequence[Exchange], np.ndarray] | None = None  # see _track_record
        self._hooks: tuple[Any, tuple[tuple[Any, Any], ...]] = (None, ())  # see _delivery_hooks

    # ----- reading -------------------------------------------------------------------------
    def describe(self, ex: Exchange) -> str:
        firms = self.model.firms
        return f"{CATALOGUE[ex.resource].label} from {firms[ex.supplier].name} to {firms[ex.receiver].name}"

    def fields(self, ex: Exchange) -> dict[str, Any]:
        """The typed event fields of an exchange."""
        firms = self.model.firms
        return {
            "exchange": ex.id,
            "detail": self.describe(ex),
            "resource": ex.resource,
            "supplier": firms[ex.supplier].name,
            "receiver": firms[ex.receiver].name,
        }

    def log(self, kind: EventKind, ex: Exchange, **extra: Any) -> None:
        """An event about an exchange, with its typed fields."""
        self.model.log(kind, **{**self.fields(ex), **extra})

    def due(self) -> list[Exchange]:
        """Exchanges in the pipeline whose current stage ends now, in id order."""
        now = self.model.steps
        return [ex for ex in self.pipeline.values() if ex.stage_until <= now]

    def operating_snapshot(self) -> tuple[Exchange, ...]:
        """Operating exchanges in id order; the sorted tuple is kept until an exchange starts or ends."""
        version = self.arrays.operating_version
        if self._in_order[0] != version:
            self._in_order = (version, tuple(self.operating[i] for i in sorted(self.operating)))
        return self._in_order[1]

    def on_offer(self, offer: Offer) -> list[Exchange]:
        return [ex for ex in self.live.values() if ex.offer is offer]

    # ----- writing -------------------------------------------------------------------------
    def open(self, offer: Offer, demand: Demand, deal: Deal, distance: float, brokered: bool) -> Exchange:
        """Record a new exchange (in no stage yet: the lifecycle moves it into negotiation)."""
        model = self.model
        ex = Exchange(
            len(self.all),
            offer,
            demand,
            deal.quantity,
            distance,
            deal.price,
            deal.investment_sek,
            deal.supplier_net,
            deal.receiver_net,
            brokered,
            model.steps,
        )
        offer.committed += ex.quantity
        demand.met += ex.quantity
        self.all[ex.id] = ex
        self.live[ex.id] = ex
        for hook in model.hooks["on_open"]:
            hook(model, ex)
        self.arrays.add(ex)
        self.pipeline[ex.id] = ex
        self.pairs.add((offer.firm, demand.firm, offer.resource))
        model.firms[offer.firm].exchanges.add(ex.id)
        model.firms[demand.firm].exchanges.add(ex.id)
        return ex

    def move(self, ex: Exchange, stage: Stage, months: int) -> None:
        ex.stage = stage
        ex.stage_until = self.model.steps + months

    def start_operating(self, ex: Exchange) -> None:
        model = self.model
        ex.stage = Stage.OPERATING
        self.pipeline.pop(ex.id, None)
        self.operating[ex.id] = ex
        self.arrays.start_operating(ex)
        ex.operating_since = model.steps
        operating = model.firm_arrays.operating
        for i in (ex.supplier, ex.receiver):
            if operating[i] == 0:
                model.collector.participating += 1
            operating[i] += 1
        for hook in model.hooks["on_operating"]:
            hook(model, ex)
        model.municipalities[model.firms[ex.supplier].municipality].operating_exchanges += 1
        model.collector.active_by_resource[ex.resource] += 1
        self.log(EventKind.EXCHANGE_STARTED, ex)

    def deliver(self, exchanges: Sequence[Exchange]) -> None:
        """One month's delivery of each of these exchanges, in order: both sides' track record and
        cash, then each hook over the exchanges, then the flows. The lifecycle passes all the
        operating exchanges at once in a month none of them ends or renews (most months): one pass
        and one look-up of what it needs, not a call per exchange; every float gets its additions
        in exchange order (no hook reads the cash or the track records, and each hook's own sums
        see the exchanges in order; a hook may carry ``many``, the same for a sequence of them in
        one call). From ``BULK_TRACK_RECORD`` exchanges the track records are added in one step."""
        model = self.model
        delivered = model.firm_arrays.delivered
        firms = model.firms
        if len(exchanges) < BULK_TRACK_RECORD:
            for ex in exchanges:
                delivered[ex.supplier] += 1
                delivered[ex.receiver] += 1
        else:
            delivered += self._track_record(exchanges, len(delivered))
        for ex in exchanges:
            ex.delivered_months += 1
            firms[ex.supplier].cash_sek += ex.supplier_net_sek_per_month
            firms[ex.receiver].cash_sek += ex.receiver_net_sek_per_month
        for hook, many in self._delivery_hooks():
            if many is not None:
                many(model, exchanges)
            else:
                for ex in exchanges:
                    hook(model, ex)
        model.collector.add_flows(exchanges)

    def _delivery_hooks(self) -> tuple[tuple[Any, Any], ...]:
        """The ``on_delivery`` hooks, each with its ``many`` form (or None), kept for the hooks' tuple."""
        hooks = self.model.hooks["on_delivery"]
        if self._hooks[0] is not hooks:
            self._hooks = (hooks, tuple((h, getattr(h, "many", None)) for h in hooks))
        return self._hooks[1]

    def _track_record(self, exchanges: Sequence[Exchange], n: int) -> np.ndarray:
        """How many of these exchanges each of ``n`` firm rows is in: one addition of the whole
        column to the register's delivered months instead of two scalar ones per exchange (a
        fancy-indexed addition costs a gather and a scatter more). Kept for the tuple it was made
        from (the operating snapshot, the same object until an exchange starts or ends) and the
        column's length (it grows by doubling as firms arrive)."""
        kept = self._delivering
        if kept is not None and kept[0] is exchanges and len(kept[1]) == n:
            return kept[1]
        firms = np.array([i for ex in exchanges for i in (ex.supplier, ex.receiver)], dtype=np.int64)
        dense = np.bincount(firms, minlength=n)
        self._delivering = (exchanges, dense)
        return dense

    def end(self, ex: Exchange, reason: EndReason) -> None:
        """End an exchange for a reason; the mechanisms' ``on_end`` hooks say what that means."""
        if ex.stage is Stage.ENDED:
            return
        model = self.model
        was_operating = ex.stage is Stage.OPERATING
        ex.offer.committed -= ex.quantity
        ex.demand.met -= ex.quantity
        if was_operating:
            operating = model.firm_arrays.operating
            for i in (ex.supplier, ex.receiver):
                operating[i] -= 1
                if operating[i] == 0:
                    model.collector.participating -= 1
            model.municipalities[model.firms[ex.supplier].municipality].operating_exchanges -= 1
            model.collector.active_by_resource[ex.resource] -= 1
        ex.stage = Stage.ENDED
        ex.end_reason = reason
        ex.ended_step = model.steps
        self.live.pop(ex.id, None)
        self.arrays.end(ex)
        self.pipeline.pop(ex.id, None)
        self.operating.pop(ex.id, None)
        self.pairs.discard((ex.supplier, ex.receiver, ex.resource))
        model.firms[ex.supplier].exchanges.discard(ex.id)
        model.firms[ex.receiver].exchanges.discard(ex.id)
        for hook in model.hooks["on_end"]:
            hook(model, ex, was_operating)
        fields = self.fields(ex)
        fields["detail"] = f"{fields['detail']}: {reason.value}"
        model.log(EventKind.EXCHANGE_ENDED, **fields, reason=reason.value, was_operating=was_operating)
