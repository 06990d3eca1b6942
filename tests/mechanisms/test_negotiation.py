"""Negotiation (sim/mechanisms/negotiation.py): it takes longer and fails more often the less the
two trust each other; a brokered deal stalls when the broker's engagement has gone; switched off,
a deal is signed at once."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.exchange import EndReason, Stage
from sim.mechanisms import negotiation, trust
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
REAL = {"negotiation": {"base_months": 3.0, "unfamiliarity_months": 9.0, "failure_at_zero_trust": 0.4, "stall_without_broker": 0.9}}


def _pair(**kw):
    return b.new(
        b.firm("Mill", offers=[b.offer("heat", 1000, 60)]), b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 500, 40)]), **kw
    )


def test_switched_off_a_deal_is_signed_in_the_month_it_is_found() -> None:
    m = b.step(_pair(mechanisms={"trust": False, "negotiation": False}, params=REAL), 1)
    (ex,) = b.exchanges(m)
    assert ex.stage is Stage.PERMITTING
    assert ex.discovered_step == 1


def test_negotiation_takes_months_when_on() -> None:
    m = _pair(params={**REAL, "trust": {"threshold": 0.0}})
    m.step()
    (ex,) = b.exchanges(m)
    assert ex.stage is Stage.NEGOTIATING and ex.stage_until > m.steps


def test_unfamiliar_parties_negotiate_longer() -> None:
    """The mean is base + unfamiliarity × (1 − trust): at trust 0.35 about 8.85 months, at trust 1 three."""
    m = _pair(params=REAL)
    ex = b.open_exchange(m, "Mill", "Grower", "heat")
    t = trust.level(m, m.firms[0], m.firms[1])
    slow = np.mean([negotiation.months(m, ex) for _ in range(2000)])
    trust.adjust(m, 0, 1, 1.0)
    fast = np.mean([negotiation.months(m, ex) for _ in range(2000)])
    assert slow == pytest.approx(3 + 9 * (1 - t), rel=0.05)
    assert fast == pytest.approx(3, rel=0.1)


def test_at_zero_trust_with_certain_failure_no_deal_is_signed() -> None:
    """Strangers' base 0 and no acquaintance ties: zero trust."""
    m = _pair(
        mechanisms={"acquaintance": False},
        params={"trust": {"established": 0.0, "threshold": 0.0}, "negotiation": {"failure_at_zero_trust": 1.0}},
    )
    ex = b.open_exchange(m, "Mill", "Grower", "heat")
    assert not any(negotiation.agreed(m, ex) for _ in range(50))
    trust.adjust(m, 0, 1, 1.0)
    assert all(negotiation.agreed(m, ex) for _ in range(50)), "at full trust nothing is left to fail on"


def test_a_brokered_deal_stalls_without_an_engaged_broker() -> None:
    """Full trust, so only the broker can fail it: with no facilitator engagement a brokered deal always falls apart."""
    m = _pair(mechanisms={"trust": False}, params={"negotiation": {"stall_without_broker": 1.0}})
    plain, brokered = b.open_exchange(m, "Mill", "Grower", "heat"), b.open_exchange(m, "Mill", "Grower", "heat", brokered=True)
    assert all(negotiation.agreed(m, plain) for _ in range(20))
    assert not any(negotiation.agreed(m, brokered) for _ in range(20))


def test_a_failed_negotiation_ends_the_exchange() -> None:
    m = b.step(_pair(params={"trust": {"established": 0.0, "threshold": 0.0}, "negotiation": {"failure_at_zero_trust": 1.0}}), 1)
    assert [ex.end_reason for ex in b.exchanges(m)] == [EndReason.NEGOTIATION_FAILED]
    assert b.events(m, "exchange_ended")[0]["reason"] == "negotiation_failed"


@pytest.mark.slow
def test_negotiation_takes_time() -> None:
    """Händelö: negotiation takes time; without it exchanges run longer within ten years."""
    greater(
        outcomes(None, {"mechanisms.negotiation": False}, "exchange_years", steps=TEN_YEARS),
        outcomes(None, {}, "exchange_years", steps=TEN_YEARS),
    )
