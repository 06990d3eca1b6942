"""The Bjuv case's own patterns (docs/validation.md, P1): the mechanism tests in tests/mechanisms/
guard each mechanism's direction of effect; these guard what they do together on the case.

Each test tests a share over seeds with an exact binomial or Fisher test, on 30 full runs of the
case per arm, so both are in the slow tier.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from scipy import stats

from sim.run import measures
from sim.run.runner import run
from sim.scenarios import bjuv


@cache
def _bjuv_collapses(second_anchor: bool, n: int) -> np.ndarray:
    """Collapse after Findus's exit (active in the year before, inactive at the end) over seeds 0..n-1."""
    cfg = bjuv.case_config(second_anchor)
    window = cfg.observation.collapse_window_months
    return np.array([measures.collapsed_after(run(cfg, seed).timeseries, bjuv.EXIT_STEP, window) for seed in range(n)], dtype=bool)


@pytest.mark.slow
def test_bjuv_collapses_after_findus_leaves() -> None:
    """P1 on the case itself: the cluster active before the 2017 exit collapses in most seeds
    (only the exit is scheduled; the collapse comes from the mechanisms)."""
    collapsed = _bjuv_collapses(False, 30)
    p = stats.binomtest(int(collapsed.sum()), len(collapsed), 0.5, alternative="greater").pvalue
    assert p < 0.01, f"collapse in {collapsed.mean():.0%} of seeds, binomial p = {p:.3f}"
