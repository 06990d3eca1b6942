"""The exchange: a first-class object with a lifecycle, between one offer and one demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Stage(StrEnum):
    """Lifecycle stages, in order. ``ENDED`` carries a reason."""

    NEGOTIATING = "negotiating"
    PERMITTING = "permitting"
    FINANCING = "financing"
    BUILDING = "building"
    OPERATING = "operating"
    ENDED = "ended"


class EndReason(StrEnum):
    """Why an exchange ended; every ended exchange has exactly one."""

    NEGOTIATION_FAILED = "negotiation_failed"
    PERMIT_DENIED = "permit_denied"
    FINANCING_FAILED = "financing_failed"
    PARTNER_EXIT = "partner_exit"
    PHASE_OUT = "phase_out"
    NOT_RENEWED = "not_renewed"
    DISRUPTED = "disrupted"
    FEED_LOST = "feed_lost"
    STREAM_ENDED = "stream_ended"  # the stream or need ended on its date in the case history


PIPELINE = (Stage.NEGOTIATING, Stage.PERMITTING, Stage.FINANCING, Stage.BUILDING)


@dataclass(slots=True)
class Offer:
    """A residual stream a firm can give away: quantity per month and its quality."""

    firm: int
    resource: str
    quantity: float
    quality: float
    phase_out_step: int | None = None
    same_discharge_point: bool = False
    committed: float = 0.0
    fed_by: str | None = None  # the input resource this stream is made from (see sim.mechanisms.feed)
    fed_from: int | None = None  # with fed_by: the only firm whose deliveries feed it
    retired: bool = False  # phased out for good: its book drops it (a fed stream at 0 is only waiting)
    base_quantity: float = field(init=False)  # the quantity when fully fed

    def __post_init__(self) -> None:
        self.base_quantity = self.quantity

    @property
    def available(self) -> float:
        return self.quantity - self.committed


@dataclass(slots=True)
class Demand:
    """A need a firm now meets with a virgin resource."""

    firm: int
    resource: str
    quantity: float
    min_quality: float
    virgin_price: float
    needs_new_land: bool = False
    met: float = 0.0
    only_from: int | None = None  # the one firm that can meet this need (a plant built for its feeder)
    internal_share: float | None = None  # share of the need the firm can cover itself (None: the resource's default)
    internal_cost: float | None = None  # SEK per unit of covering it itself (None: the resource's default)
    internal: float = 0.0  # the part the firm chose to cover itself (see sim.mechanisms.internal_supply)

    @property
    def unmet(self) -> float:
        return self.quantity - self.met - self.internal


@dataclass(slots=True)
class Exchange:
    """One bilateral contract from discovery to its end."""

    id: int
    offer: Offer
    demand: Demand
    quantity: float
    distance_km: float
    price_sek_per_unit: float
    investment_sek: float
    supplier_net_sek_per_month: float
    receiver_net_sek_per_month: float
    facilitated: bool
    discovered_step: int
    stage: Stage = Stage.NEGOTIATING
    stage_until: int = 0
    financing_steps_left: int = 0
    operating_since: int | None = None
    contract_end: int | None = None
    ended_step: int | None = None
    end_reason: EndReason | None = None
    delivered_months: int = 0
    # copied from the offer and the demand, which never change firm or resource: read millions of
    # times a run, plain slots cost a third of a property call
    supplier: int = field(init=False)
    receiver: int = field(init=False)
    resource: str = field(init=False)
    trust_slot: int = field(init=False, default=-1)  # the pair's slot in the model's trust.PairMemory

    def __post_init__(self) -> None:
        self.supplier = self.offer.firm
        self.receiver = self.demand.firm
        self.resource = self.offer.resource

    @property
    def active(self) -> bool:
        return self.stage is Stage.OPERATING


class ExchangeArrays:
    """Supplier, receiver, resource and trust slot of every exchange by id; which are live, which operate.

    The monthly passes over all exchanges (the collector's trust, the 3-2 cluster test) read these
    arrays instead of visiting thousands of objects scattered in memory; at national scale those
    visits were most of the collection's cost.

    ``live_version`` and ``operating_version`` count the changes to the live and the operating set:
    most months change neither, so the id lists (and what a caller derives from them, keyed on the
    version) are kept until the next change instead of rebuilt from the arrays every month.
    """

    def __init__(self, resources: list[str]) -> None:
        self.resource_code = {r: k for k, r in enumerate(resources)}
        self.n = 0
        self.supplier = np.zeros(0, dtype=np.int64)
        self.receiver = np.zeros(0, dtype=np.int64)
        self.resource = np.zeros(0, dtype=np.int64)
        self.trust_slot = np.zeros(0, dtype=np.int64)
        self.live = np.zeros(0, dtype=bool)
        self.operating = np.zeros(0, dtype=bool)
        self.live_version = self.operating_version = 0
        self._live_ids: tuple[int, np.ndarray] | None = None
        self._operating_ids: tuple[int, np.ndarray] | None = None

    def add(self, ex: Exchange) -> None:
        i = ex.id
        if i >= len(self.live):
            cap = max(64, 2 * len(self.live))
            for name in ("supplier", "receiver", "resource", "trust_slot", "live", "operating"):
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros(cap - len(arr), dtype=arr.dtype)]))
        self.supplier[i], self.receiver[i] = ex.supplier, ex.receiver
        self.resource[i], self.trust_slot[i] = self.resource_code[ex.resource], ex.trust_slot
        self.live[i] = True
        self.n = max(self.n, i + 1)
        self.live_version += 1

    def start_operating(self, ex: Exchange) -> None:
        self.operating[ex.id] = True
        self.operating_version += 1

    def end(self, ex: Exchange) -> None:
        self.operating_version += bool(self.operating[ex.id])
        self.live_version += 1
        self.live[ex.id] = self.operating[ex.id] = False

    def live_ids(self) -> np.ndarray:
        """Ids of the live exchanges, in id order (the order of ``model.live``); read-only, kept until
        the live set changes."""
        if self._live_ids is None or self._live_ids[0] != self.live_version:
            self._live_ids = (self.live_version, _frozen(np.flatnonzero(self.live[: self.n])))
        return self._live_ids[1]

    def operating_ids(self) -> np.ndarray:
        """Ids of the operating exchanges, in id order; read-only, kept until the operating set changes."""
        if self._operating_ids is None or self._operating_ids[0] != self.operating_version:
            self._operating_ids = (self.operating_version, _frozen(np.flatnonzero(self.operating[: self.n])))
        return self._operating_ids[1]


def _frozen(a: np.ndarray) -> np.ndarray:
    """A kept array is shared by its callers: none may write to it."""
    a.flags.writeable = False
    return a
