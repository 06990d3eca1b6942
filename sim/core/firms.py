"""The firm register: per-firm arrays with one write path, and what a firm's arrival and exit do.

The vectorised passes (search, exit hazards, trust of every live exchange) read columns indexed
by ``Firm.idx``. Each value lives here once: ``Firm.alive``, ``Firm.operating`` and
``Firm.delivered_months`` read these columns rather than keeping copies that could drift.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from agents.firm import Firm, Role
from sim.core.events import EventKind
from sim.core.exchange import EndReason, Stage

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel

# column → dtype; ``operating`` is float so the search arithmetic stays exactly as it was
COLUMNS: dict[str, Any] = {
    "municipality": np.int64,
    "alive": bool,
    "anchor": bool,
    "startup": bool,
    "sme": bool,
    "exitable": bool,
    "operating": float,
    "delivered": np.int64,
    "base_hazard": float,
    "own_hazard": bool,  # the firm's exit rule is its own (exit: scheduled or exit_hazard_per_year)
    "extra_hazard": float,
    "facilitation_rate": float,
    "founded": float,  # step the firm was founded; -inf: established long before the run
}

CAPACITY = 16  # rows a register starts with; it doubles when full


class FirmArrays:
    """Per-firm columns, grown by doubling; rows past ``n`` are unused capacity."""

    municipality: np.ndarray
    alive: np.ndarray
    anchor: np.ndarray
    startup: np.ndarray
    sme: np.ndarray
    exitable: np.ndarray
    operating: np.ndarray
    delivered: np.ndarray
    base_hazard: np.ndarray
    own_hazard: np.ndarray
    extra_hazard: np.ndarray
    facilitation_rate: np.ndarray
    founded: np.ndarray

    def __init__(self) -> None:
        """Made with room for :data:`CAPACITY` firms, which a case's firms rarely outgrow: rather than
        empty columns that the first firm regrows."""
        self.n = 0
        self.n_alive = 0
        self.xy = np.zeros((CAPACITY, 2))
        self._municipality_role: np.ndarray | None = None
        for name, dtype in COLUMNS.items():
            setattr(self, name, np.zeros(CAPACITY, dtype=dtype))

    def add(self, firm: Firm) -> None:
        """A row for a new firm (its idx is the next row). Rows past ``n`` are zero in every column
        (the columns grow with zeros and only firms' rows are written), so only the row's values
        that are not zero are set."""
        idx = self.n
        if idx >= len(self.xy):
            cap = max(CAPACITY, 2 * len(self.xy))
            self.xy = np.resize(self.xy, (cap, 2))
            for name in COLUMNS:
                arr = getattr(self, name)
                setattr(self, name, np.concatenate([arr, np.zeros(cap - len(arr), dtype=arr.dtype)]))
        self.xy[idx] = (firm.x, firm.y)
        if firm.municipality:
            self.municipality[idx] = firm.municipality
        self.alive[idx] = True
        role = firm.role
        if role == Role.ANCHOR:  # one of the role columns at most is True
            self.anchor[idx] = True
        elif role == Role.STARTUP:
            self.startup[idx] = True
        elif role == Role.SME:
            self.sme[idx] = True
        # built before the first month: established (age unknown, old); arriving in the run: founded now
        self.founded[idx] = -np.inf if firm.entered_step == 0 else firm.entered_step
        self.n += 1
        self.n_alive += 1

    def municipality_role(self) -> np.ndarray:
        """Per firm (the first ``n`` rows), its row in a per-municipality table of two columns (other
        firms, anchors) read flat: ``2 * municipality + anchor``. Both are fixed when a firm is added,
        so the index is kept until one is."""
        kept = self._municipality_role
        if kept is None or len(kept) != self.n:
            kept = self._municipality_role = 2 * self.municipality[: self.n] + self.anchor[: self.n]
        return kept

    def remove(self, idx: int) -> None:
        self.alive[idx] = False
        self.n_alive -= 1


def add_firm(model: SymbiosisModel, **attrs: Any) -> Firm:
    """A new firm in the register; the mechanisms' ``on_firm_added`` hooks then see it."""
    if attrs.get("attention") is None:  # a role keys the table by its value (a StrEnum)
        attrs["attention"] = model.params.matching.attention[Role(attrs["role"])]
    firm = Firm(model, idx=len(model.firms), entered_step=model.steps, **attrs)
    model.firms.append(firm)
    model.firm_arrays.add(firm)
    model.by_name[firm.name] = firm
    for hook in model.hooks["on_firm_added"]:
        hook(model, firm)
    return firm


def remove_firm(model: SymbiosisModel, firm: Firm, why: str) -> None:
    """A firm leaves: its exchanges end, then each mechanism does its part (``on_firm_removed``)."""
    model.firm_arrays.remove(firm.idx)
    ended = 0
    for ex_id in sorted(firm.exchanges):
        ex = model.ledger.all[ex_id]
        ended += ex.stage is Stage.OPERATING
        model.ledger.end(ex, EndReason.PARTNER_EXIT)
    for hook in model.hooks["on_firm_removed"]:
        hook(model, firm)
    model.log(EventKind.FIRM_EXITED, firm=firm.name, detail=f"{why}; {ended} exchanges end", reason=why, count=ended)
    firm.remove()
