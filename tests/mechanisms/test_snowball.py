"""Snowball (sim/mechanisms/snowball.py): when an exchange starts operating, the partners learn each
other's other streams (looked at without any search) and each is introduced to the other's
acquaintances at a weaker tie."""

from __future__ import annotations

import pytest

from sim.mechanisms import acquaintance, snowball
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
NO_SEARCH = {"matching": {"base_search_rate": 0.0}, "snowball": {"follow_up_per_month": 1.0}}


def _model(**kw):
    """Mill and Grower could trade heat and CO2; nobody searches, so only what the partners learn opens."""
    return b.new(
        b.firm("Mill", offers=[b.offer("heat", 2000, 60), b.offer("co2", 500, 0.95)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 1000, 40), b.demand("co2", 400, 0.9)]),
        b.firm("Packer", at=(11.2, 10)),
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        params=b.merge(NO_SEARCH, kw.pop("params", {})),
        **kw,
    )


def _heat_operating(m) -> None:
    b.open_exchange(m, "Mill", "Grower", "heat")
    assert b.step_until(m, lambda m: b.operating(m, resource="heat"), 6)


def test_partners_learn_each_others_other_streams() -> None:
    m = _model()
    _heat_operating(m)
    assert b.step_until(m, lambda m: b.exchanges(m, "Mill", "Grower", "co2"), 3), "the CO2 deal opens without a search"
    assert not b.exchanges(m, "Grower", "Mill"), "nothing the other way: the grower offers nothing"


def test_switched_off_partners_learn_nothing() -> None:
    m = _model(mechanisms={"snowball": False})
    _heat_operating(m)
    b.step(m, 24)
    assert not b.exchanges(m, resource="co2"), "with no search and no snowball the second stream stays unseen"


def test_a_partner_introduces_its_acquaintances_at_a_weaker_tie() -> None:
    """The grower and the packer share a site; once the mill's heat reaches the grower, the mill knows the packer too."""
    m = _model()
    mill, grower, packer = (b.firm_named(m, n) for n in ("Mill", "Grower", "Packer"))
    before = acquaintance.tie(m, mill, packer)
    known = acquaintance.tie(m, grower, packer)
    _heat_operating(m)
    share = m.params.acquaintance.introduction_share
    assert acquaintance.tie(m, mill, packer) == pytest.approx(before + share * known)
    assert acquaintance.tie(m, mill, grower) >= m.params.acquaintance.earlier_deal, "the partners themselves now share a deal"


def test_switched_off_nobody_is_introduced() -> None:
    m = _model(mechanisms={"snowball": False})
    mill, packer = b.firm_named(m, "Mill"), b.firm_named(m, "Packer")
    before = acquaintance.tie(m, mill, packer)
    _heat_operating(m)
    assert acquaintance.tie(m, mill, packer) == before


def test_a_learnt_stream_held_back_waits_and_is_dropped_after_its_tries() -> None:
    """With no attention left (0) the grower can open no further deal: the learnt CO2 stream waits as
    latent, is looked at ``follow_up_tries`` times, then dropped."""
    m = _model(params={"snowball": {"follow_up_tries": 3}})
    _heat_operating(m)
    b.firm_named(m, "Grower").attention = 0
    assert len(m.state.snowball.queue) == 1
    b.step(m, 2)
    assert [t for _, _, t in m.state.snowball.queue] == [1]
    b.step(m, 1)
    assert m.state.snowball.queue == [] and not b.exchanges(m, resource="co2")
    assert snowball.further_streams(m, b.exchanges(m, resource="heat")[0])


def test_a_long_queue_mostly_dropped_is_renumbered_keeping_what_waits() -> None:
    """Thousands of learnt streams that are spent when drawn and one held back by attention: after
    the draw only the waiting one is left, one try fewer, and the dropped entries are let go."""
    m = _model(params={"snowball": {"follow_up_tries": 3}})
    _heat_operating(m)
    b.firm_named(m, "Grower").attention = 0
    st = m.state.snowball
    ((offer, demand, tries),) = st.queue
    st.add([(b.offer_of(m, "Mill", "heat"), b.demand_of(m, "Grower", "heat"))] * 5000, 3)  # that pair trades already
    b.step(m, 1)
    assert st.queue == [(offer, demand, tries - 1)] and len(st.entries) == 1


@pytest.mark.slow
def test_snowball_finds_more_streams() -> None:
    """P5: operating exchanges make partners search more (shown where no facilitator searches for them)."""
    alone = {"policy.funding_gap_months": 600}
    on = outcomes(None, alone, "exchanges_started", n=60, steps=TEN_YEARS)
    off = outcomes(None, {**alone, "mechanisms.snowball": False}, "exchanges_started", n=60, steps=TEN_YEARS)
    greater(on, off)


def test_a_short_queue_drawn_in_plain_python_gives_numpys_months(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case's short queue compares its draws in plain Python; the run is the same, table for
    table, as with every month's queue drawn by numpy's vectorised path."""
    from sim import config
    from sim.run.runner import exchange_table, simulate

    cfg = config.load(None, {"years": 20})
    runs = []
    for small in (snowball.SMALL, -1):
        monkeypatch.setattr(snowball, "SMALL", small)
        m = simulate(cfg, 5)
        runs.append((m.collector.frame(), m.events, exchange_table(m), m.state.snowball.entries))
    plain, vectorised = runs
    assert sum(e is None for e in plain[3]) > 0, "the run must look at learnt streams for the comparison to mean anything"
    assert plain[0].equals(vectorised[0])
    assert plain[1] == vectorised[1]
    assert plain[2].equals(vectorised[2])
