"""Lock-in (sim/mechanisms/lock_in.py): a stream that is phased out ends at its date with every
exchange built on it; with foresight, nobody signs on a stream that ends within the contract term."""

from __future__ import annotations

import pytest

from sim import config
from sim.core.exchange import EndReason, Stage
from sim.run.runner import run
from tests.mechanisms import builder as b

PHASE_OUT_YEAR = b.START_YEAR + 1


def _model(foresight: bool = False, **kw):
    return b.new(
        b.firm("Cracker", "anchor", offers=[b.offer("co2", 1000, 0.95, phase_out_year=PHASE_OUT_YEAR)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("co2", 300, 0.9)]),
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        params={"lock_in": {"foresight": foresight}},
        **kw,
    )


def test_the_phase_out_is_booked_at_its_date() -> None:
    m = _model()
    assert list(b.pending_phase_outs(m)) == [b.step_of(PHASE_OUT_YEAR)]


def test_exchanges_on_a_phased_out_stream_end_with_it() -> None:
    m = _model()
    assert b.step_until(m, lambda m: b.operating(m), 6)
    (ex,) = b.operating(m)
    b.step(m, b.step_of(PHASE_OUT_YEAR) - m.steps)
    assert ex.stage is Stage.ENDED and ex.end_reason is EndReason.PHASE_OUT and ex.ended_step == b.step_of(PHASE_OUT_YEAR)
    stream = b.offer_of(m, "Cracker", "co2")
    assert stream.quantity == 0.0 and stream.retired
    assert b.events(m, "stream_phased_out")[0]["firm"] == "Cracker"
    b.step(m, 12)
    assert len(b.exchanges(m)) == 1, "nothing new is signed on a retired stream"


def test_switched_off_the_stream_runs_on() -> None:
    m = _model(mechanisms={"lock_in": False})
    b.step(m, b.step_of(PHASE_OUT_YEAR) + 6)
    assert [ex.stage for ex in b.exchanges(m)] == [Stage.OPERATING]


def test_with_foresight_nobody_signs_on_a_stream_about_to_end() -> None:
    assert b.step(_model(foresight=True), 12).exchanges == {}


@pytest.mark.slow
@pytest.mark.parametrize("lock_in", [True, False])
def test_lock_in_ends_exchanges_on_phased_out_streams(lock_in: bool) -> None:
    """§5: exchanges built on a stream that is phased out end with it (here the treatment plant's water)."""
    cfg = config.load(None, {"firms.2.offers.0.phase_out_year": 2024, "mechanisms.lock_in": lock_in})
    phase_out = (2024 - cfg.start_year) * 12 + 1
    beyond = 0
    for seed in range(10):
        ex = run(cfg, seed).exchanges
        on_stream = ex[(ex.supplier == "Millby Wastewater") & (ex.operating_since > 0)]
        ran_on = (on_stream.ended_step < 0) | (on_stream.ended_step > phase_out)
        beyond += int(ran_on.sum())
        if lock_in:
            assert (on_stream.loc[on_stream.ended_step == phase_out, "end_reason"] == "phase_out").all()
    assert (beyond == 0) if lock_in else (beyond > 0)
