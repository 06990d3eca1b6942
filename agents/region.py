"""Regions and the funding programmes they (or national agencies) run."""

from __future__ import annotations

from dataclasses import dataclass

import mesa


@dataclass(slots=True)
class Programme:
    """A funding programme for development projects (§3.3)."""

    name: str
    budget_sek: float
    funding_rate: float
    project_length_months: int
    call_interval_months: int
    anchor_eligible: bool
    spent_sek: float = 0.0

    @property
    def remaining_sek(self) -> float:
        return self.budget_sek - self.spent_sek


class Region(mesa.Agent):
    """A region funds facilitators' projects through its programmes."""

    def __init__(self, model: mesa.Model, *, idx: int, name: str, programmes: list[Programme]) -> None:
        super().__init__(model)
        self.idx = idx
        self.name = name
        self.programmes = programmes
