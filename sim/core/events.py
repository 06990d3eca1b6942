"""The event log: what happened, as a kind and typed fields, so readers never parse prose.

Each event is one row of ``events.parquet``. The ``detail`` column keeps a short sentence for
people reading the table; the dashboard's feed and the reports read the typed fields.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """Every kind of event the model records."""

    EXCHANGE_PROPOSED = "exchange_proposed"
    PERMIT_GRANTED = "permit_granted"
    PERMIT_DENIED = "permit_denied"
    PERMIT_SITE_BARRED = "permit_site_barred"
    FINANCING_SECURED = "financing_secured"
    FINANCING_FAILED = "financing_failed"
    EXCHANGE_STARTED = "exchange_started"
    CONTRACT_RENEWED = "contract_renewed"
    EXCHANGE_ENDED = "exchange_ended"
    FIRM_ENTERED = "firm_entered"
    FIRM_EXITED = "firm_exited"
    FIRM_BIRTH = "firm_birth"
    GUARANTEE_PAID = "guarantee_paid"
    INVESTMENT_GRANT = "investment_grant"
    INVESTMENT_GRANT_DENIED = "investment_grant_denied"
    PROJECT_STARTED = "project_started"
    PROJECT_ENDED = "project_ended"
    FUNDING_DENIED = "funding_denied"
    FACILITATION_STARTED = "facilitation_started"
    HEAT_ASSESSMENT = "heat_assessment"
    STREAM_PHASED_OUT = "stream_phased_out"
    LAND_REPLANNED = "land_replanned"
    POLICY_CHANGED = "policy_changed"
    PRICE_CHANGE = "price_change"
    FIRM_ENTRY = "firm_entry"  # a firm arrives on its date in the case history
    OFFER_START = "offer_start"  # a firm's stream starts on its date
    OFFER_END = "offer_end"  # a firm's stream ends on its date, and its exchanges with it
    INTERNAL_SUPPLY = "internal_supply"


# column → (default, meaning); the order is the column order of events.parquet
FIELDS: dict[str, tuple[Any, str]] = {
    "step": (0, "month of the run (1 is January of the start year)"),
    "year": (0, "calendar year"),
    "month": (0, "calendar month, 1-12"),
    "kind": ("", "what happened (sim.core.events.EventKind)"),
    "firm": ("", "the firm it happened to (entry, birth, exit, assessment, phase-out, guarantee)"),
    "facilitator": ("", "the facilitator concerned (projects, funding)"),
    "municipality": ("", "the municipality concerned (land, new facilitation, a firm's birth)"),
    "exchange": (-1, "id of the exchange concerned, -1 if none"),
    "reason": ("", "why an exchange ended, a firm left or an investment grant was denied"),
    "was_operating": (False, "whether an ended exchange had been operating"),
    "detail": ("", "a short sentence for people reading the table"),
    "resource": ("", "the resource of the exchange or stream concerned"),
    "supplier": ("", "the supplying firm of the exchange concerned"),
    "receiver": ("", "the receiving firm of the exchange concerned"),
    "partner": ("", "the firm an entrant sets up beside"),
    "sector": ("", "an entrant's or a born firm's sector"),
    "programme": ("", "the funding or investment-support programme concerned"),
    "lever": ("", "the policy lever a scheduled change sets (resources.<resource>.<property> for a price change)"),
    "value": ("", "the value it is set to"),
    "count": (-1, "how many: exchanges ended with a firm's exit, proposals of an assessment, plots re-planned"),
    "amount_sek": (0.0, "money concerned, SEK (a project's public total, a guarantee paid, an investment grant)"),
}
COLUMNS: tuple[str, ...] = tuple(FIELDS)
_DEFAULTS = {k: d for k, (d, _) in FIELDS.items()}
_NAMES = frozenset(FIELDS)


def record(step: int, year: int, month: int, kind: EventKind, fields: dict[str, Any]) -> dict[str, Any]:
    """One event row; unknown field names are a programming error, not silently kept."""
    if not _NAMES.issuperset(fields):
        raise KeyError(f"unknown event fields: {sorted(set(fields) - _NAMES)}")
    row = {**_DEFAULTS, **fields}
    row["step"], row["year"], row["month"] = step, year, month
    # the kind's value: a member's own (most calls), else the member a string names (or a ValueError)
    row["kind"] = kind._value_ if type(kind) is EventKind else EventKind(kind).value
    return row
