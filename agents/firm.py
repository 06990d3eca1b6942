"""Firms: anchors, SMEs, start-ups and municipal utilities."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.core.exchange import Demand, Offer


class Role(StrEnum):
    """A firm's role decides how it finances, how much attention it has and whom it trusts."""

    ANCHOR = "anchor"
    SME = "sme"
    STARTUP = "startup"
    UTILITY = "utility"


class Firm(mesa.Agent):
    """A firm holds its streams, money, trust and attention; mechanisms change them.

    Its register columns are read with ``item``: a Python value of the column's dtype, without a
    numpy scalar made and converted on every read."""

    def __init__(
        self,
        model: mesa.Model,
        *,
        idx: int,
        name: str,
        role: Role,
        sector: str,
        x: float,
        y: float,
        municipality: int,
        turnover_sek_per_year: float,
        cash_sek: float,
        attention: int,
        energy_input_mw: float = 0.0,
        data_centre: bool = False,
        entered_step: int = 0,
    ) -> None:
        super().__init__(model)
        self.idx = idx
        self.name = name
        self.role = role  # never changes, so neither does:
        self.is_large = role in (Role.ANCHOR, Role.UTILITY)  # large firms decide a whole project at once (report §3.2)
        self.sector = sector
        self.x = x
        self.y = y
        self.municipality = municipality
        self.turnover_sek_per_year = turnover_sek_per_year
        self.cash_sek = cash_sek
        self.attention = attention
        self.energy_input_mw = energy_input_mw
        self.data_centre = data_centre
        self.entered_step = entered_step
        self.offers: list[Offer] = []
        self.demands: list[Demand] = []
        self.exchanges: set[int] = set()
        self.months_without_supply: int = 0
        self.guaranteed_investment_sek: float = 0.0

    @property
    def alive(self) -> bool:
        """Still in business (the firm register's column)."""
        return self.model.firm_arrays.alive.item(self.idx)

    @property
    def operating(self) -> int:
        """Exchanges it takes part in that operate now (the firm register's column)."""
        return int(self.model.firm_arrays.operating.item(self.idx))  # a float column

    @property
    def delivered_months(self) -> int:
        """Months delivered in any exchange, its visible track record (the firm register's column)."""
        return self.model.firm_arrays.delivered.item(self.idx)

    @property
    def extra_hazard(self) -> float:
        """Extra annual exit hazard after losing a supplier (kept in the model's array)."""
        return self.model.firm_arrays.extra_hazard.item(self.idx)

    @property
    def busy(self) -> int:
        """Exchanges in the pipeline, which use the firm's scarce collaboration attention."""
        return len(self.exchanges) - self.operating
