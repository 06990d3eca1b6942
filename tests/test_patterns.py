"""Guards for the patterns of docs/validation.md that tests/test_mechanisms.py does not cover.

Each test compares arms on the same seeds with a one-sided Mann–Whitney U test (alpha 0.01) or
tests a share over seeds with an exact binomial or Fisher test; they are kept small (a few
seconds each) and can fail if the mechanism behind the pattern breaks.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import stats

from experiments.bjuv import study as bjuv
from experiments.validation.patterns import water_first_month, water_permits_denied
from sim import config
from sim.run.runner import run
from tests.helpers import greater, outcomes

TEN_YEARS = 120


@cache
def _bjuv_collapses(arm: str, n: int) -> np.ndarray:
    """Collapse after Findus's exit (active before, inactive at the end) over seeds 0..n-1."""
    runs = [bjuv.one_run((arm, seed)) for seed in range(n)]
    return np.array([r["active_at_exit"] and r["inactive_at_end"] for r in runs], dtype=bool)


def test_bjuv_collapses_after_findus_leaves() -> None:
    """P1 on the case itself: the cluster active before the 2017 exit collapses in most seeds
    (only the exit is scheduled; the collapse comes from the mechanisms)."""
    collapsed = _bjuv_collapses("baseline", 30)
    p = stats.binomtest(int(collapsed.sum()), len(collapsed), 0.5, alternative="greater").pvalue
    assert p < 0.01, f"collapse in {collapsed.mean():.0%} of seeds, binomial p = {p:.3f}"


def test_a_second_anchor_makes_bjuv_collapse_less_often() -> None:
    """The study's lead finding: a second heat anchor keeps a cluster going after the exit (Fisher)."""
    base = _bjuv_collapses("baseline", 30)
    second = _bjuv_collapses("second_anchor", 30)
    table = [[int(base.sum()), int((~base).sum())], [int(second.sum()), int((~second).sum())]]
    p = stats.fisher_exact(table, alternative="greater").pvalue
    assert p < 0.01, f"collapse {base.mean():.0%} vs {second.mean():.0%}, Fisher p = {p:.3f}"


def test_facilitators_matter() -> None:
    """P8: without the symbiosis centre fewer exchanges run after ten years."""
    greater(
        outcomes(None, {}, "active_exchanges_10y", n=20, steps=TEN_YEARS),
        outcomes(None, {"facilitators": []}, "active_exchanges_10y", n=20, steps=TEN_YEARS),
    )


def test_heat_is_local() -> None:
    """P9: the same district-heating utility 20 km from the mill receives far less heat."""
    greater(
        outcomes(None, {}, "heat_delivered_total_mwh", n=30, steps=TEN_YEARS),
        outcomes(None, {"firms.1.location_km": [40.0, 20.0]}, "heat_delivered_total_mwh", n=30, steps=TEN_YEARS),
    )


def test_entrants_need_land_beside_the_anchor() -> None:
    """P9: greenhouses and fish farms establish only where free land lies beside the anchor."""
    greater(
        outcomes(None, {}, "startups_entered", n=20, steps=TEN_YEARS),
        outcomes(None, {"municipalities.0.plots": []}, "startups_entered", n=20, steps=TEN_YEARS),
    )


def _water(overrides: dict) -> tuple[np.ndarray, np.ndarray]:
    """Month of the treatment plant's first water delivery (censored at 121) and its denied permits, 80 seeds."""
    cfg = config.load(None, overrides)
    first, denied = [], []
    for seed in range(80):
        ex = run(cfg, seed, TEN_YEARS).exchanges
        first.append(water_first_month(ex, TEN_YEARS))
        denied.append(water_permits_denied(ex))
    return np.array(first), np.array(denied)


def test_same_discharge_point_eases_water_reuse() -> None:
    """P6: reuse with a new discharge needs an environmental permit that is slower and more often
    denied than at the same discharge point: the treatment plant's water reaches receivers later."""
    new_first, new_denied = _water({"firms.2.offers.0.same_discharge_point": False})
    same_first, same_denied = _water({})
    greater(new_first, same_first)
    greater(new_denied, same_denied)
