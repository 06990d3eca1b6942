"""Facilitator engagement (sim/mechanisms/engagement.py): it rises while funded, halves every
half-life in a gap while members drift away, rebuilds more slowly after a gap, and an engaged
facilitator brokers meetings that turn latent matches into deals."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms.engagement import choose
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
COST = 150_000.0
FULL = {"facilitator_base_funding_sek_per_year": 12 * COST}
QUIET = {"engagement": {"meetings_per_month": 0.0}}


def _model(engagement: float = 0.0, policy: dict | None = None, **kw):
    return b.new(
        b.firm("Mill", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 500, 40)]),
        facilitator={"cost_sek_per_month": COST, "initial_engagement": engagement},
        policy=policy,
        params={**QUIET, **kw.pop("params", {})},
        **kw,
    )


def test_engagement_rises_towards_the_funded_share() -> None:
    m = _model(0.2, FULL)
    rise = m.params.engagement.rise_per_month
    m.step()
    assert m.facilitators[0].engagement == pytest.approx(0.2 + rise * (1.0 - 0.2))
    b.step(m, 60)
    assert 0.95 < m.facilitators[0].engagement <= 1.0


def test_without_funding_engagement_halves_every_half_life() -> None:
    m = _model(0.8, params={**QUIET, "engagement": {"meetings_per_month": 0.0, "half_life_months": 6.0}})
    b.step(m, 6)
    assert m.facilitators[0].engagement == pytest.approx(0.4)
    b.step(m, 6)
    assert m.facilitators[0].engagement == pytest.approx(0.2)
    assert m.facilitators[0].retention < 1.0, "members drift away in a gap"


def test_engagement_rebuilds_more_slowly_after_a_gap() -> None:
    """The same funding for a year raises engagement less when a two-year gap went before."""
    fresh = b.step(_model(0.0, FULL), 12).facilitators[0].engagement
    back = {"kind": "set_policy", "year": b.START_YEAR + 2, "key": "facilitator_base_funding_sek_per_year", "value": 12 * COST}
    after_gap = _model(0.0, events=[back])
    b.step(after_gap, 24)
    assert after_gap.facilitators[0].engagement == 0.0
    b.step(after_gap, 12)
    assert after_gap.facilitators[0].engagement < 0.8 * fresh


def test_switched_off_engagement_follows_funding_at_once() -> None:
    m = b.step(_model(0.0, FULL, mechanisms={"engagement": False}), 1)
    assert m.facilitators[0].engagement == 1.0
    gap = b.step(_model(0.9, mechanisms={"engagement": False}), 1)
    assert gap.facilitators[0].engagement == 0.0


def test_an_engaged_facilitator_brokers_a_latent_match_into_a_deal() -> None:
    """Trust just below the threshold holds the match back; a brokered meeting lifts it over."""
    search = {"matching": {"base_search_rate": 1.0, "facilitated_search_rate": 0.0}}
    meetings = {**search, "engagement": {"meetings_per_month": 3.0}}
    alone = b.step(_model(1.0, FULL, params=search), 6)
    assert alone.exchanges == {} and b.latent_matches(alone)
    m = _model(1.0, FULL, params=meetings)
    assert b.step_until(m, lambda m: m.exchanges, 6)
    (ex,) = b.exchanges(m)
    assert ex.facilitated
    assert b.pair_increment(m, ex.supplier, ex.receiver) >= m.params.trust.meeting_gain * 0.99
    assert not b.latent_matches(m)


@pytest.mark.slow
def test_engagement_rebuilds_slowly_after_a_gap() -> None:
    """P2: with engagement dynamics a gap costs more than its months; switched off, funding acts at once."""
    instant = outcomes(None, {"policy.funding_gap_months": 24, "mechanisms.engagement": False}, "mean_engagement", steps=TEN_YEARS)
    slow = outcomes(None, {"policy.funding_gap_months": 24}, "mean_engagement", steps=TEN_YEARS)
    greater(instant, slow)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_meetings_are_chosen_as_numpy_chooses_them(size: int) -> None:
    """The plain-Python choice of meetings makes numpy's picks from the same draws, whatever the
    generator's state (a kept half word from an earlier 32-bit draw included)."""
    for seed in range(300):
        ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
        for rng in (ours, numpys):
            rng.integers(0, 7, size=seed % 3)
        for k in (size, size + 1, 7, 40, 20_000):
            assert choose(ours, k, size) == numpys.choice(k, size=size, replace=False).tolist()
            assert ours.bit_generator.state == numpys.bit_generator.state
