"""What a scenario says already exists between its firms at the start: acquaintance ties it lists
and exchanges that already operate. Kept apart from :mod:`sim.config.schema`, which re-exports
them, as the funding entities are (:mod:`sim.config.funding`)."""

from __future__ import annotations

from sim.core.params import Strict, param
from sim.core.resources import ResourceName


class AcquaintanceConfig(Strict):
    a: str = param(..., "firm name", "case data", "One firm of the pair.")
    b: str = param(..., "firm name", "case data", "The other firm of the pair.")
    strength: float = param(
        0.15,
        "trust (0-1)",
        "case data (an earlier deal, a shared history); default: assumption, as an earlier deal",
        "Tie added to the pair's starting trust.",
        ge=0,
        le=1,
    )
    why: str = param("", "text", "case data", "What the tie is (same site, earlier deal, ...), for the reader.")


class InitialExchangeConfig(Strict):
    """An exchange that already operates when the case starts (A2 High Coast in 2019)."""

    supplier: str = param(..., "firm name", "case history", "The firm whose stream is delivered.")
    receiver: str = param(..., "firm name", "case history", "The firm that receives it.")
    resource: ResourceName = param(..., "resource type", "case history", "What flows.")
    quantity: float | None = param(
        None, "resource unit per month", "case data", "How much flows (none: the smaller of the stream and the need).", gt=0
    )
    start_year: int = param(..., "year", "case history", "Year the exchange began (at or before the case's start).", ge=1900, le=2200)
    offer_index: int | None = param(
        None,
        "index from 0",
        "case data",
        "Which of the supplier's offers of this resource flows, counted from 0 (none: the first with room).",
        ge=0,
        le=100,
    )
