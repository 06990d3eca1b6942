"""Stepwise financing (sim/mechanisms/financing.py): a large firm decides at once, an SME borrows
against its business, a start-up must raise each step and may fail at any; a public guarantee
lowers the start-up's risk; a failed financing ends the exchange."""

from __future__ import annotations

import pytest

from sim.core.exchange import EndReason, Stage
from sim.mechanisms import financing
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b


def _model(**kw):
    return b.new(
        b.firm("Mill", "anchor", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Foods", at=(11, 10)),
        b.firm("Works", "utility", at=(12, 10)),
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        plots=[{"near": "Mill", "count": 1}],
        **kw,
    )


def test_each_role_has_its_chance_and_the_guarantee_helps_start_ups() -> None:
    m = _model()
    startup = b.add_startup(m, "Mill", "heat")
    p = m.params.financing
    chance = {f.name: financing.success_probability(m, f) for f in m.firms}
    assert chance["Mill"] == chance["Works"] == p.large_success
    assert chance["Foods"] == p.sme_success
    assert chance[startup.name] == p.startup_step_success
    guaranteed = _model(policy={"startup_guarantee_share": 1.0})
    g = b.add_startup(guaranteed, "Mill", "heat")
    expected = p.startup_step_success + p.guarantee_effect * (1 - p.startup_step_success)
    assert financing.success_probability(guaranteed, g) == pytest.approx(expected)


def test_a_start_up_must_pass_every_step_others_one() -> None:
    m = _model()
    startup = b.add_startup(m, "Mill", "heat")
    assert financing.steps(m, startup) == m.params.financing.startup_steps == 3
    assert {financing.steps(m, f) for f in m.firms if f is not startup} == {1}
    off = _model(mechanisms={"financing": False})
    s = b.add_startup(off, "Mill", "heat")
    assert financing.steps(off, s) == 1 and financing.success_probability(off, s) == 1.0


def test_a_start_up_walks_through_its_steps_before_building() -> None:
    m = _model()
    startup = b.add_startup(m, "Mill", "heat")
    ex = b.open_exchange(m, "Mill", startup.name, "heat")
    left = []
    while ex.stage is not Stage.OPERATING and m.steps < 20:
        m.step()
        if ex.stage is Stage.FINANCING:
            left.append(ex.financing_steps_left)
    assert left == [3, 2, 1], "one step a month with no waiting and certain success"


def test_a_failed_financing_ends_the_exchange() -> None:
    m2 = b.new(
        b.firm("Mill", "anchor", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 500, 40)]),
        mechanisms={"trust": False},
        params={"financing": {"sme_success": 0.0}},
    )
    assert b.step_until(m2, lambda m: b.events(m, "financing_failed"), 6)
    assert [x.end_reason for x in b.exchanges(m2)] == [EndReason.FINANCING_FAILED]


def test_a_guarantee_books_its_share_of_the_start_up_investment() -> None:
    m = _model(policy={"startup_guarantee_share": 0.5})
    startup = b.add_startup(m, "Mill", "heat")
    ex = b.open_exchange(m, "Mill", startup.name, "heat")
    assert b.step_until(m, lambda m: ex.stage is Stage.OPERATING, 12)
    assert startup.guaranteed_investment_sek == pytest.approx(0.5 * ex.investment_sek)


@pytest.mark.slow
def test_stepwise_financing_holds_startups_back() -> None:
    """P3: start-ups financing step by step land fewer exchanges; a guarantee helps them."""
    base = outcomes(None, {}, "startup_exchanges_started", n=60)
    greater(outcomes(None, {"mechanisms.financing": False}, "startup_exchanges_started", n=60), base)
    greater(outcomes(None, {"policy.startup_guarantee_share": 0.9}, "startup_exchanges_started", n=60), base, alpha=0.05)
