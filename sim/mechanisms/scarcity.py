"""Scarcity drivers (pattern P7).

A cap on fresh-water withdrawal or on discharges (Stenungsund's lake Hällungen, Sotenäs' process
water permits, Kalundborg) raises the effective price of virgin water and makes firms look for
technical water or shared treatment (§3.1, A1, A4, A18).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel

WATER = "technical_water"


ODD = "submodel-scarcity"  # its section in docs/odd.md
SWITCH = Switch("Water scarcity raises the shadow price of virgin water.", "report §1.3 and A28 (water scarcity as driver), P7")


class Params(Strict):
    price_premium: float = param(
        4.0,
        "multiple of the virgin price at full scarcity",
        "A1, A18: no larger withdrawal allowed means expansion needs another source; value: assumption, the next source (a new intake or pipeline) costs several times the current one",
        "How much a binding withdrawal or discharge cap raises the shadow price of virgin water.",
        ge=0,
    )
    search_boost: float = param(
        3.0,
        "multiple of the search rate at full scarcity",
        "§3.1: a concrete problem starts the search; value: assumption",
        "How much more often firms under a water cap search for alternatives.",
        ge=0,
    )


def price_multiplier(model: SymbiosisModel, firm: Firm, resource: str) -> float:
    """Shadow price of the virgin alternative relative to its market price: under scarcity, water
    in a municipality with a cap costs more."""
    level = model.municipalities[firm.municipality].freshwater_scarcity if resource == WATER and model.switches.scarcity else 0.0
    return 1.0 + model.params.scarcity.price_premium * level


def search_multipliers(model: SymbiosisModel, firms: np.ndarray) -> np.ndarray:
    """How much more often each of these firms looks for water because of scarcity."""
    level = np.fromiter((m.freshwater_scarcity for m in model.municipalities), dtype=float, count=len(model.municipalities))
    return 1.0 + model.params.scarcity.search_boost * level[model.firm_arrays.municipality[firms]]
