"""The exchange: a first-class object with a lifecycle, between one offer and one demand."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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

    @property
    def unmet(self) -> float:
        return self.quantity - self.met


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

    @property
    def supplier(self) -> int:
        return self.offer.firm

    @property
    def receiver(self) -> int:
        return self.demand.firm

    @property
    def resource(self) -> str:
        return self.offer.resource

    @property
    def active(self) -> bool:
        return self.stage is Stage.OPERATING
