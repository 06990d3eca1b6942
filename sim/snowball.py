"""Snowball growth (pattern P5).

Once one collaboration has started, further streams are identified and evaluated over time
(§2.5.5; Sotenäs A4, Händelö A3): an operating exchange makes its partners search more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.params import Strict, param

if TYPE_CHECKING:
    from sim.model import SymbiosisModel


class Params(Strict):
    boost_per_exchange: float = param(
        0.02,
        "1/month per operating exchange",
        "§2.5.5: once one collaboration has started further streams are identified; value: assumption",
        "Extra monthly search probability per operating exchange a firm takes part in.",
        ge=0,
        le=1,
    )
    max_boost: float = param(0.08, "1/month", "assumption: attention is limited", "Cap on the snowball search boost.", ge=0, le=1)


def search_boost(model: SymbiosisModel, firms: np.ndarray) -> np.ndarray:
    """Extra search probability of each firm from its operating exchanges."""
    if not model.switches.snowball or len(firms) == 0:
        return np.zeros(len(firms))
    p = model.params.snowball
    return np.minimum(p.max_boost, p.boost_per_exchange * model.operating_count[firms])
