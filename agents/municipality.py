"""Municipalities: land, permits, planning stance, utilities and optional facilitation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import mesa


class Zoning(StrEnum):
    """Plot zoning: industrial land can host an establishment, housing land cannot."""

    INDUSTRIAL = "industrial"
    HOUSING = "housing"
    RESERVED = "reserved"


@dataclass(slots=True)
class Plot:
    """A plot of land near a hub where an establishment company can locate."""

    x: float
    y: float
    zoning: Zoning
    occupant: int | None = None
    planned: bool = False


class Municipality(mesa.Agent):
    """Holds land and planning state; permit and planning rules live in ``sim.mechanisms.permits``."""

    def __init__(
        self,
        model: mesa.Model,
        *,
        idx: int,
        name: str,
        x: float,
        y: float,
        region: int,
        housing_pressure: float,
        freshwater_scarcity: float,
        planning_stance: float,
    ) -> None:
        super().__init__(model)
        self.idx = idx
        self.name = name
        self.x = x
        self.y = y
        self.region = region
        self.housing_pressure = housing_pressure
        self.freshwater_scarcity = freshwater_scarcity
        self.planning_stance = planning_stance
        self.plots: list[Plot] = []
        self.hub_firm: int | None = None
        self.operating_exchanges = 0
        self.ever_active = False
        self.months_inactive = 0
        self.months_visible = 0
        self.replanned = False
        self.facilitator: int | None = None
