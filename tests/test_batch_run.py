"""mesa.batch_run gives every run its own seed, and a run without one is refused."""

from __future__ import annotations

import math

import mesa
import pytest

from sim.core.model import SymbiosisModel


def _runs(seeds: list[int]) -> dict[int, tuple]:
    results = mesa.batch_run(
        SymbiosisModel,
        parameters={"funding_gap_months": 6},
        rng=seeds,
        max_steps=36,
        data_collection_period=1,
        number_processes=1,
        display_progress=False,
    )
    by_seed: dict[int, list] = {}
    for r in results:
        trust = None if math.isnan(r["mean_trust"]) else r["mean_trust"]  # NaN while no exchange is live
        by_seed.setdefault(r["rng"], []).append((r["Step"], trust, r["pipeline_exchanges"], r["facilitator_engagement"]))
    return {s: tuple(sorted(rows)) for s, rows in by_seed.items()}


def test_batch_run_with_three_seeds_gives_three_different_repeatable_runs() -> None:
    first = _runs([1, 2, 3])
    assert sorted(first) == [1, 2, 3]
    assert len(set(first.values())) == 3, "two seeds gave the same run"
    assert _runs([3, 1, 2]) == first  # the same seed gives the same run, whatever the order


def test_a_run_without_a_seed_is_refused_with_the_way_to_give_one() -> None:
    with pytest.raises(ValueError, match=r"rng=None.*batch_run\(\.\.\., rng=\[1, 2, 3\]\)"):
        SymbiosisModel()
    with pytest.raises(ValueError, match="not in parameters"):  # batch_run replaces parameters' rng with its own (None)
        mesa.batch_run(SymbiosisModel, parameters={"rng": [1, 2]}, max_steps=2, number_processes=1, display_progress=False)
