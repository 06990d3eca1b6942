"""Trust (sim/mechanisms/trust.py): who the two are sets where it starts; deliveries and brokered
meetings raise it, failures lower it; below the threshold a viable deal waits as a latent match."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.exchange import EndReason, Stage
from sim.mechanisms import trust
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
HEAT = [b.offer("heat", 1000, 60)]
NEEDS_HEAT = [b.demand("heat", 500, 40)]


def _pair(**kw):
    return b.new(b.firm("Mill", offers=HEAT), b.firm("Grower", at=(11, 10), demands=NEEDS_HEAT), **kw)


def test_initial_trust_follows_who_the_two_are() -> None:
    """Strangers' base by role and place, plus the pair's acquaintance ties (here: the same town)."""
    m = b.new(
        b.firm("A"),
        b.firm("B", at=(11, 10)),
        b.firm("Far", at=(40, 10), municipality=b.NEIGHBOUR),
        b.firm("New", role="startup", at=(12, 10)),
        neighbour={},
    )
    p, town = m.params.trust, m.params.acquaintance.same_municipality
    a, bb, far, new = (b.firm_named(m, n) for n in ("A", "B", "Far", "New"))
    assert trust.level(m, a, bb) == pytest.approx(p.established + town)
    assert trust.level(m, a, far) == pytest.approx(p.established - p.other_municipality_penalty)
    assert trust.level(m, a, new) == pytest.approx(p.startup_initial + town)
    assert not trust.sufficient(m, a, bb), "by default two firms of one town that share no site, owner or deal start below the threshold"


def test_below_the_threshold_a_viable_deal_waits_as_latent() -> None:
    m = b.step(_pair(), 12)
    assert m.exchanges == {}
    assert [(o.resource, m.firms[d.firm].name) for o, d in b.latent_matches(m)] == [("heat", "Grower")]
    off = b.step(_pair(mechanisms={"trust": False}), 1)
    assert len(b.exchanges(off, "Mill", "Grower")) == 1, "with trust off the same deal opens in the first month"


def test_trust_rises_with_every_delivered_month() -> None:
    m = _pair(params={"trust": {"threshold": 0.0}})
    mill, grower = b.firm_named(m, "Mill"), b.firm_named(m, "Grower")
    assert b.step_until(m, lambda m: b.operating(m), 12)
    seen = []
    for _ in range(12):
        m.step()
        seen.append(trust.level(m, mill, grower))
    assert all(later > earlier for earlier, later in itertools.pairwise(seen))
    delivered = b.operating(m)[0].delivered_months
    assert b.pair_increment(m, mill.idx, grower.idx) == pytest.approx(delivered * m.params.trust.delivery_gain)


def test_a_track_record_is_seen_by_everybody() -> None:
    m = b.new(b.firm("A"), b.firm("B", at=(11, 10)), b.firm("C", at=(12, 10)))
    p = m.params.trust
    a, bb, c = m.firms
    before = trust.level(m, a, c)
    b.set_delivered_months(m, bb.idx, 24)
    rep = min(p.reputation_cap, p.reputation_per_year * 2)
    assert trust.level(m, bb, c) == pytest.approx(before + 0.5 * rep), "half of each side's reputation counts"
    assert trust.level(m, a, c) == pytest.approx(before), "a third firm's record changes nothing between these two"


def test_a_failed_negotiation_costs_the_pair_trust() -> None:
    """At zero trust with certain failure, the negotiation fails and the pair remembers it."""
    m = _pair(params={"trust": {"established": 0.0, "threshold": 0.0}, "negotiation": {"failure_at_zero_trust": 1.0}})
    m.step()
    (ex,) = b.exchanges(m, "Mill", "Grower")
    assert ex.stage is Stage.ENDED and ex.end_reason is EndReason.NEGOTIATION_FAILED
    assert b.pair_increment(m, ex.supplier, ex.receiver) == pytest.approx(-m.params.trust.failure_loss)


def test_a_failed_financing_lowers_trust() -> None:
    m = _pair(params={"trust": {"threshold": 0.0}, "financing": {"sme_success": 0.0}})
    mill, grower = b.firm_named(m, "Mill"), b.firm_named(m, "Grower")
    before = trust.level(m, mill, grower)
    assert b.step_until(m, lambda m: any(ex.stage is Stage.ENDED for ex in m.exchanges.values()), 6)
    assert b.exchanges(m)[0].end_reason is EndReason.FINANCING_FAILED
    assert trust.level(m, mill, grower) == pytest.approx(before - m.params.trust.failure_loss)


def test_a_brokered_meeting_builds_trust_by_engagement() -> None:
    m = _pair()
    mill, grower = b.firm_named(m, "Mill"), b.firm_named(m, "Grower")
    before = trust.level(m, mill, grower)
    trust.on_meeting(m, mill.idx, grower.idx, 0.5)
    assert trust.level(m, mill, grower) == pytest.approx(before + 0.5 * m.params.trust.meeting_gain)
    trust.on_meeting(m, mill.idx, grower.idx, 0.5)
    assert trust.sufficient(m, mill, grower), "two half-engaged meetings introduce two firms of one town"


def test_switched_off_trust_never_binds() -> None:
    m = _pair(mechanisms={"trust": False})
    mill, grower = m.firms
    trust.on_failure(m, mill.idx, grower.idx)
    assert trust.level(m, mill, grower) == 1.0
    assert trust.levels(m, np.array([0]), np.array([1]), b.pair_slots(m, [0], [1])).tolist() == [1.0]


ROLES = st.sampled_from(["anchor", "sme", "startup", "utility"])


@settings(max_examples=30, deadline=None)
@given(
    roles=st.lists(st.tuples(ROLES, st.booleans(), st.integers(0, 400)), min_size=2, max_size=5),
    established=st.floats(0, 1),
    penalty=st.floats(0, 1),
    cap=st.floats(0, 1),
    data=st.data(),
)
def test_levels_is_level_for_every_pair(roles, established, penalty, cap, data) -> None:
    """The vectorised trust of many pairs gives exactly the floats of the plain one, pair by pair."""
    firms = [
        b.firm(f"F{i}", role, (10.0 + i, 10.0), municipality=b.NEIGHBOUR if away else b.TOWN) for i, (role, away, _) in enumerate(roles)
    ]
    params = {"trust": {"established": established, "other_municipality_penalty": penalty, "reputation_cap": cap}}
    m = b.new(*firms, neighbour={}, params=params)
    for i, (_, _, months) in enumerate(roles):
        b.set_delivered_months(m, i, months)
    idx = st.integers(0, len(roles) - 1)
    for i, j, delta in data.draw(st.lists(st.tuples(idx, idx, st.floats(-1, 1)), max_size=8)):
        trust.adjust(m, i, j, delta)
    pairs = data.draw(st.lists(st.tuples(idx, idx), min_size=1, max_size=12))
    sup, rec = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    plain = [trust.level(m, m.firms[i], m.firms[j]) for i, j in pairs]
    assert trust.levels(m, sup, rec, b.pair_slots(m, sup, rec)).tolist() == plain


@pytest.mark.slow
def test_trust_barrier_slows_deals() -> None:
    """P3: trust gates negotiations; without it more exchanges start. Most of the example's pairs
    know each other (acquaintance), so the gate binds on fewer of them: 60 seeds per arm."""
    greater(
        outcomes(None, {"mechanisms.trust": False}, "exchanges_started", n=60, steps=TEN_YEARS),
        outcomes(None, {}, "exchanges_started", n=60, steps=TEN_YEARS),
    )
