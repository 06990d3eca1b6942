"""Cases follow their histories: Findus is in Bjuv until June 2017 and gone after on every seed
(A13), and a town whose plants arrive over forty years grows as they arrive."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from experiments.validation import arrivals
from sim import config
from sim.core.model import SymbiosisModel
from sim.scenarios import bjuv

FINDUS = "Findus Bjuv"


def _findus_alive(seed: int, steps: int | None = None) -> list[bool]:
    """Whether Findus is in business in each month of one run of the real case file."""
    m = SymbiosisModel(config.load(bjuv.CASE), rng=seed)
    findus = m.by_name[FINDUS]
    alive = []
    while m.running and (steps is None or m.steps < steps):
        m.step()
        alive.append(findus.alive)
    return alive


def test_findus_stays_until_its_exit_on_seed_1() -> None:
    """Seed 1 once lost Findus to the anchor hazard in December 2013."""
    alive = _findus_alive(1, bjuv.EXIT_STEP + 1)
    assert all(alive[: bjuv.EXIT_STEP - 1]) and not any(alive[bjuv.EXIT_STEP - 1 :])


@pytest.mark.slow
def test_bjuv_follows_its_history_on_every_seed() -> None:
    for seed in range(1, 21):
        alive = _findus_alive(seed)
        assert all(alive[: bjuv.EXIT_STEP - 1]), f"seed {seed}: Findus left before June 2017"
        assert not any(alive[bjuv.EXIT_STEP - 1 :]), f"seed {seed}: Findus still there after June 2017"


def test_the_arrivals_scenario_has_its_waves() -> None:
    cfg = config.load(arrivals.SCENARIO)
    assert arrivals.arrivals(cfg).tolist() == [3, 2, 5, 0]


@pytest.mark.slow
def test_exchanges_started_per_decade_follow_the_arrivals() -> None:
    df = arrivals.measure(20, workers=1, counterfactual=False)
    rho = arrivals.spearman_by_seed(df)
    ok = rho[np.isfinite(rho)]
    assert stats.binomtest(int((ok > 0).sum()), int((ok != 0).sum()), 0.5, alternative="greater").pvalue < 0.01
    peak, none = arrivals.peak_vs_none(df)
    assert stats.wilcoxon(peak - none, alternative="greater").pvalue < 0.01
