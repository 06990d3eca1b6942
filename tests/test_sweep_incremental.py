"""A sweep run's config from the validated base plus overrides equals the full copy-override-validate.

The worker gives each run ``incremental.build_overridden(base, base_raw, overrides)`` instead of
``build(apply_overrides(base_raw, overrides))``; here both ways meet on keys of every section, on
keys outside the sections, on bad values and bad keys (same config, or the same error words), and
the base data is left unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sim import config
from sim.config import ROOT, ConfigError, incremental
from sim.sweep import worker

BJUV = ROOT / "configs" / "cases" / "A13_bjuv.yaml"


@pytest.fixture(scope="module")
def base() -> tuple[config.ScenarioConfig, dict[str, Any]]:
    raw = config.resolved(config.load(BJUV))
    return config.build(raw), raw


SAME = [
    {},
    {"policy.funding_gap_months": 7},
    {"policy.funding_gap_months": 30, "policy.facilitator_base_funding_sek_per_year": 2.5e5},
    {"policy.funding_anchor_eligible": False},
    {"mechanisms.trust": False},
    {"params.trust.threshold": 0.3, "policy.permit_time_factor": 1.5},
    {"observation.collapse_window_months": 24},
    {"resources.heat.max_distance_km": 12.0},
    {"years": 30},  # outside the sections: the full way
    {"firms.0.location_km": [20.0, 20.0]},
    {"policy.funding_gap_months": 12, "start_year": 2009},
]


@pytest.mark.parametrize("overrides", SAME)
def test_same_config_as_the_full_build(base: tuple[config.ScenarioConfig, dict[str, Any]], overrides: dict[str, Any]) -> None:
    cfg, raw = base
    before = copy.deepcopy(raw)
    fast = incremental.build_overridden(cfg, raw, overrides)
    full = config.build(config.apply_overrides(raw, overrides))
    assert fast == full
    assert config.resolved(fast) == config.resolved(full)
    assert raw == before  # the shared base data is never changed


BAD = [
    {"policy.funding_gap_months": -3},
    {"policy.funding_gap_months": float("nan")},
    {"params.trust.threshold": "high"},
    {"policy.no_such_lever": 1},
    {"firms.999.name": "x"},
    {"years.deep": 1},
    {"years": 5},  # an event after the horizon: a cross-check
    {"mechanisms.trust": "sometimes"},
]


@pytest.mark.parametrize("overrides", BAD)
def test_same_error_as_the_full_build(base: tuple[config.ScenarioConfig, dict[str, Any]], overrides: dict[str, Any]) -> None:
    cfg, raw = base
    with pytest.raises(ConfigError) as full:
        config.build(config.apply_overrides(raw, overrides))
    with pytest.raises(ConfigError) as fast:
        incremental.build_overridden(cfg, raw, overrides)
    assert fast.value.problems == full.value.problems


def test_a_cached_base_gives_the_same_run_as_no_cache(base: tuple[config.ScenarioConfig, dict[str, Any]]) -> None:
    """Two short runs of a batch, once through the per-process base cache and once the full way."""
    _, raw = base
    fields: dict[str, Any] = {
        "batch": 0,
        "base_raw": raw,
        "keys": [("gap", "policy.funding_gap_months", "int"), ("seen", "mechanisms.trust", "bool")],
        "run_ids": [0, 1],
        "points": [0, 1],
        "replications": [0, 0],
        "seeds": [11, 12],
        "values": [(0, True), (24, False)],
        "steps": 36,
        "ts_every": 12,
        "ts_columns": ["active_exchanges", "co2_avoided_t"],
    }
    _, runs_full, ts_full = worker.run_batch(worker.BatchTask(**fields))
    _, runs_fast, ts_fast = worker.run_batch(worker.BatchTask(**fields, base_key="test-bjuv"))
    assert "test-bjuv" in worker._BASES
    assert runs_fast.equals(runs_full) and ts_fast is not None and ts_full is not None and ts_fast.equals(ts_full)
    assert runs_fast.column("error").null_count == 2
