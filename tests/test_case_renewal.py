"""The case library's regions renew: firms are born and leave by age and role, so no case loses most
of its firms by 2030 through exit hazards, and the Industry Park of Sweden (A11) is a living park of
about twenty firms in 2024, as the report describes it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import config
from sim.run.runner import run

CASES = sorted((Path(__file__).resolve().parent.parent / "configs" / "cases").glob("A*.yaml"))
SEEDS = range(3)


def _renews(path: Path) -> bool:
    """Whether firms can be born anywhere in the case. A file may describe a closed network instead
    (A13 lists the members of Food Valley, and no new firm joined it): with no births, small firms'
    default hazard alone (3 % a year) leaves about half of them after 23 years, so "at least half in
    every seed" is a coin toss there, not a test of renewal."""
    return any(m.get("firm_births_per_year") != 0 for m in config.read_yaml(path)["municipalities"])


RENEWING = [p for p in CASES if _renews(p)]


def _december(cfg: config.ScenarioConfig, year: int, seed: int):
    """The time-series row of December ``year`` (or of the horizon, if earlier)."""
    steps = min(cfg.steps, (year - cfg.start_year + 1) * 12)
    return run(cfg, seed, steps).timeseries.iloc[-1]


def _without_scheduled_exits(path: Path) -> config.ScenarioConfig:
    """The case with its scheduled firm exits left out, so that firms leave by the hazards alone."""
    raw = config.read_yaml(path)
    raw["events"] = [e for e in raw.get("events", []) if e.get("kind") != "firm_exit"]
    return config.build(raw)


@pytest.mark.slow
@pytest.mark.parametrize("path", RENEWING, ids=[p.stem for p in RENEWING])
def test_no_case_loses_most_of_its_firms_by_2030_through_hazard_alone(path: Path) -> None:
    """Every case where firms can be born (:func:`_renews`), without its scheduled exits: the firms
    alive in December 2030, the case's own and those born or entered since, are at least half of
    the firms the case starts with, in every seed."""
    cfg = _without_scheduled_exits(path)
    alive = [int(_december(cfg, 2030, seed)["firms_alive"]) for seed in SEEDS]
    assert min(alive) >= 0.5 * len(cfg.firms), f"{path.stem}: {alive} alive in 2030 of {len(cfg.firms)} at the start"


@pytest.mark.slow
def test_the_industry_park_of_sweden_is_alive_in_2024() -> None:
    """A11: "about twenty firms" work together in the park: the mean over five seeds has 10 to 40
    firms alive and at least 5 operating exchanges in 2024 (same order of magnitude)."""
    cfg = config.load(next(p for p in CASES if p.stem.startswith("A11_")))
    rows = [_december(cfg, 2024, seed) for seed in range(5)]
    firms = np.mean([r["firms_alive"] for r in rows])
    exchanges = np.mean([r["active_exchanges"] for r in rows])
    assert 10 <= firms <= 40, f"{firms:.1f} firms alive in 2024"
    assert 5 <= exchanges <= 40, f"{exchanges:.1f} exchanges operating in 2024"
