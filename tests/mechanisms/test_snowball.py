"""Snowball (sim/mechanisms/snowball.py): a firm in operating exchanges searches more, and so, a
little, does every firm in a municipality where exchanges run; the boost is capped."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import snowball
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120


def _model(**kw):
    return b.new(
        b.firm("Mill", offers=[b.offer("heat", 2000, 60), b.offer("co2", 500, 0.95)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 1000, 40), b.demand("co2", 400, 0.9)]),
        b.firm("Bystander", at=(12, 10)),
        b.firm("Away", at=(40, 10), municipality=b.NEIGHBOUR),
        neighbour={},
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        **kw,
    )


def _boost(m) -> list[float]:
    return snowball.search_boost(m, np.array([f.idx for f in m.firms])).tolist()


def test_no_operating_exchange_no_boost() -> None:
    assert _boost(_model()) == [0.0, 0.0, 0.0, 0.0]


def test_partners_in_operating_exchanges_search_more_and_their_town_a_little() -> None:
    m = _model()
    assert b.step_until(m, lambda m: len(b.operating(m)) == 2, 12)
    p = m.params.snowball
    own, local = 2 * p.boost_per_exchange, 2 * p.boost_per_local_exchange
    assert _boost(m) == pytest.approx([own + local, own + local, local, 0.0])


def test_the_boost_is_capped() -> None:
    m = _model(params={"snowball": {"boost_per_exchange": 0.5, "max_boost": 0.1}})
    assert b.step_until(m, lambda m: b.operating(m), 12)
    assert max(_boost(m)) == pytest.approx(0.1)


def test_switched_off_there_is_no_boost() -> None:
    m = _model(mechanisms={"snowball": False})
    assert b.step_until(m, lambda m: b.operating(m), 12)
    assert _boost(m) == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.slow
def test_snowball_finds_more_streams() -> None:
    """P5: operating exchanges make partners search more (shown where no facilitator searches for them)."""
    alone = {"policy.funding_gap_months": 600}
    on = outcomes(None, alone, "exchanges_started", n=60, steps=TEN_YEARS)
    off = outcomes(None, {**alone, "mechanisms.snowball": False}, "exchanges_started", n=60, steps=TEN_YEARS)
    greater(on, off)
