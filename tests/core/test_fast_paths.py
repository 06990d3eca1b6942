"""The kept tables and plain-Python paths of the month give what a fresh computation gives.

Each check steps a case model and compares, every month, the fast value with one computed from
scratch through the mechanisms' public rules, so a cache that misses an invalidation fails here.
"""

from __future__ import annotations

import math

import numpy as np

from sim import config
from sim.core.model import SymbiosisModel
from sim.mechanisms import trust


def _model(case: str, seed: int = 1) -> SymbiosisModel:
    return SymbiosisModel(config.load(f"configs/cases/{case}.yaml"), rng=seed)


def _fresh_mean_trust(model: SymbiosisModel) -> float:
    live = list(model.ledger.live.values())
    if not live:
        return math.nan
    firms = model.firms
    return float(np.mean([trust.level(model, firms[ex.supplier], firms[ex.receiver]) for ex in live]))


def test_mean_trust_equals_a_fresh_computation_every_month() -> None:
    """Live sets, deliveries, meetings and new ties change month by month; the kept rows follow."""
    seen = 0
    for case in ("A2_high_coast", "A13_bjuv"):
        model = _model(case)
        while model.running:
            model.step()
            fresh, fast = _fresh_mean_trust(model), model.collector.mean_trust()
            assert (math.isnan(fresh) and math.isnan(fast)) or fast == fresh, (case, model.steps)
            seen += not math.isnan(fresh)
    assert seen > 100  # months with live exchanges were compared
