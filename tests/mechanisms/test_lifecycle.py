"""The exchange lifecycle (sim/mechanisms/lifecycle.py): negotiating → permitting → financing →
building → operating, one stage after another; an operating exchange delivers and pays every
month, is renewed at the end of its term if still worth it, and may be disrupted."""

from __future__ import annotations

import numpy as np
import pytest

from sim import config
from sim.core.exchange import EndReason, Stage
from sim.run.runner import run
from tests.mechanisms import builder as b


def _pair(resource: str = "biogas", distance_km: float = 1.0, **kw):
    """A plant and a taker of its biogas (cheap to pipe, so the deal holds at short terms and some distance) or CO2."""
    quality = {"biogas": (0.6, 0.5), "co2": (0.95, 0.9)}[resource]
    return b.new(
        b.firm("Mill", offers=[b.offer(resource, 1000, quality[0])]),
        b.firm("Grower", at=(10 + distance_km, 10), demands=[b.demand(resource, 500, quality[1])]),
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        **kw,
    )


def test_an_exchange_passes_every_stage_in_order() -> None:
    m = _pair()
    stages = []
    for _ in range(6):
        m.step()
        stages.append(b.exchanges(m)[0].stage)
    assert stages[:4] == [Stage.PERMITTING, Stage.FINANCING, Stage.BUILDING, Stage.OPERATING]
    kinds = [e["kind"] for e in m.events]
    assert kinds == ["exchange_proposed", "permit_granted", "financing_secured", "exchange_started"]


def test_building_takes_longer_the_farther_the_pipe() -> None:
    p = {"lifecycle": {"build_months": 0.0, "build_months_per_km": 4.0}}
    near = _pair(params=p)
    assert b.step_until(near, lambda m: b.operating(m), 60)
    far = _pair(distance_km=10.0, params=p)
    assert b.step_until(far, lambda m: b.operating(m), 60)
    assert b.operating(far)[0].operating_since > b.operating(near)[0].operating_since


def test_an_operating_exchange_delivers_and_pays_every_month() -> None:
    m = _pair()
    assert b.step_until(m, lambda m: b.operating(m), 6)
    (ex,) = b.operating(m)
    mill, grower = b.firm_named(m, "Mill"), b.firm_named(m, "Grower")
    cash = mill.cash_sek, grower.cash_sek
    b.step(m, 12)
    assert ex.delivered_months == 13
    assert mill.cash_sek - cash[0] == pytest.approx(12 * ex.supplier_net_sek_per_month)
    assert grower.cash_sek - cash[1] == pytest.approx(12 * ex.receiver_net_sek_per_month)
    assert ex.supplier_net_sek_per_month > 0 and ex.receiver_net_sek_per_month > 0


def test_a_contract_still_worth_it_is_renewed_at_the_end_of_its_term() -> None:
    m = _pair(params={"benefit": {"contract_years": 1.0}})
    assert b.step_until(m, lambda m: b.operating(m), 6)
    (ex,) = b.operating(m)
    b.step(m, 30)
    assert len(b.events(m, "contract_renewed")) == 2
    assert ex.stage is Stage.OPERATING and ex.contract_end > m.steps


def test_a_contract_no_longer_worth_it_ends_at_its_term() -> None:
    m = _pair("co2", params={"benefit": {"contract_years": 1.0}})
    assert b.step_until(m, lambda m: b.operating(m), 6)
    (ex,) = b.operating(m)
    ex.demand.virgin_price = 0.0  # the receiver found a free alternative meanwhile (and CO2 costs nothing to dispose of)
    b.step(m, 13)
    assert ex.stage is Stage.ENDED and ex.end_reason is EndReason.NOT_RENEWED


def test_a_certain_disruption_ends_an_exchange_after_its_first_month() -> None:
    m = _pair(params={"lifecycle": {"disruption_rate_per_year": 1.0}})
    assert b.step_until(m, lambda m: any(ex.stage is Stage.ENDED for ex in m.exchanges.values()), 8)
    (ex,) = b.exchanges(m)
    assert ex.end_reason is EndReason.DISRUPTED and ex.delivered_months == 1


@pytest.mark.slow
def test_heat_to_district_heating_persists_for_decades() -> None:
    """P12: a plant-to-utility heat exchange, once running, usually lasts decades (renewed contracts)."""
    cfg = config.load(None, {"years": 40})
    lives = []
    for seed in range(20):
        ex = run(cfg, seed).exchanges
        heat = ex[(ex.resource == "heat") & (ex.receiver == "Millby Energi") & (ex.operating_since > 0)]
        if len(heat):
            end = heat.ended_step.where(heat.ended_step > 0, 480)
            lives.append(float((end - heat.operating_since).max()) / 12.0)
    assert len(lives) >= 15
    assert np.median(lives) >= 20, f"median longest heat exchange {np.median(lives):.1f} years"
