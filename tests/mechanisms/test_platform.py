"""Platform (sim/mechanisms/platform.py): from the year a municipality's searchable register of residual
streams opens, its firms' demands search more often; other towns, earlier years and the switch off are
untouched (A29, Fraccascia & Yazan 2018)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.run.runner import run
from tests.mechanisms import builder as b

SLOW_SEARCH = {"matching": {"base_search_rate": 0.01}}


def _model(opens: int | None = b.START_YEAR, platform: bool = True):
    town = {} if opens is None else {"information_platform_from_year": opens}
    return b.new(
        b.firm("Plant", offers=[b.offer("materials", 500, 0.7)]),
        b.firm("Shop", at=(11, 10), demands=[b.demand("materials", 100, 0.5)]),
        b.firm("Away", at=(40, 10), municipality=b.NEIGHBOUR, demands=[b.demand("materials", 100, 0.5)]),
        town=town,
        neighbour={},
        params=SLOW_SEARCH,
        mechanisms={"snowball": False, "platform": platform},
    )


def test_an_open_register_adds_its_consultations_to_the_towns_searches_only() -> None:
    m = _model()
    extra = m.params.platform.consult_rate * m.params.platform.detail_share
    assert extra > 0
    assert b.search_probabilities(m, "materials") == pytest.approx([0.01 + extra, 0.01]), "the neighbour has no register"


def test_no_register_before_its_year_or_with_the_switch_off() -> None:
    later = _model(b.START_YEAR + 2)
    assert b.search_probabilities(later, "materials") == pytest.approx([0.01, 0.01])
    b.step(later, 25)  # through January of the opening year
    extra = later.params.platform.consult_rate * later.params.platform.detail_share
    assert b.search_probabilities(later, "materials") == pytest.approx([0.01 + extra, 0.01])
    off = _model(platform=False)
    assert b.search_probabilities(off, "materials") == pytest.approx([0.01, 0.01])
    assert b.search_probabilities(_model(None), "materials") == pytest.approx([0.01, 0.01])


def _first_proposal_month(with_register: bool, n: int = 60) -> np.ndarray:
    """Per seed: the month the town's district heating first proposes to take the sawmill's wood
    residues (the horizon + 1 if never), with the default search rates."""
    cfg = b.build(
        b.firm("Sawmill", offers=[b.offer("materials", 400, 0.6)]),
        b.firm("District heating", role="utility", at=(12, 10), demands=[b.demand("materials", 300, 0.5)]),
        quick=False,
        town={"information_platform_from_year": b.START_YEAR} if with_register else {},
        years=3,
    )
    months = []
    for seed in range(n):
        ev = run(cfg, seed).events
        hit = ev[(ev["kind"] == "exchange_proposed") & (ev["resource"] == "materials")]
        months.append(int(hit["step"].min()) if len(hit) else 37)
    return np.array(months)


@pytest.mark.slow
def test_a_register_brings_the_first_deal_forward() -> None:
    """A29: with the city's searchable register, a sawmill's residues reach the town's district heating
    sooner than by the firms' own searches (one-sided Mann-Whitney over 60 seeds)."""
    with_register, without = _first_proposal_month(True), _first_proposal_month(False)
    p = stats.mannwhitneyu(with_register, without, alternative="less").pvalue
    assert p < 0.01, (
        f"first proposal month: median {np.median(with_register)} with the register vs {np.median(without)} without, p = {p:.4g}"
    )
