"""Snowball growth (pattern P5).

Once one collaboration has started, further streams are identified and evaluated over time
(§2.5.5; Sotenäs A4, Händelö A3): an operating exchange makes its partners search more, and a
working network makes every firm in its municipality search a little more (it is visible).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel


ODD = "submodel-snowball"  # its section in docs/odd.md
SWITCH = Switch("Operating exchanges make partners search more.", "report §3.1 (one exchange leads to the next), P5")


class Params(Strict):
    boost_per_exchange: float = param(
        0.03,
        "1/month per operating exchange",
        "§2.5.5: once one collaboration has started further streams are identified; value: assumption",
        "Extra monthly search probability per operating exchange a firm takes part in.",
        ge=0,
        le=1,
    )
    boost_per_local_exchange: float = param(
        0.002,
        "1/month per operating exchange in the municipality",
        "Sammanfattning, A3, A4: a working network keeps finding new collaborations; value: assumption",
        "Extra monthly search probability of every firm per operating exchange in its municipality (the network is visible).",
        ge=0,
        le=1,
    )
    max_boost: float = param(0.1, "1/month", "assumption: attention is limited", "Cap on the snowball search boost.", ge=0, le=1)


def search_boost(model: SymbiosisModel, firms: np.ndarray) -> np.ndarray:
    """Extra search probability of each firm from its own and its neighbours' operating exchanges."""
    if not model.switches.snowball or len(firms) == 0:
        return np.zeros(len(firms))
    p = model.params.snowball
    local = np.fromiter((m.operating_exchanges for m in model.municipalities), dtype=float, count=len(model.municipalities))
    muni = model.firm_arrays.municipality[firms]
    return np.minimum(p.max_boost, p.boost_per_exchange * model.firm_arrays.operating[firms] + p.boost_per_local_exchange * local[muni])
