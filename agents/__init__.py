"""Agent classes: they hold state; the rules live in the mechanism modules under ``sim/mechanisms/``."""

from agents.facilitator import Facilitator
from agents.firm import Firm, Role
from agents.municipality import Municipality, Plot, Zoning
from agents.region import Programme, Region

__all__ = ["Facilitator", "Firm", "Municipality", "Plot", "Programme", "Region", "Role", "Zoning"]
