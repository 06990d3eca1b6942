"""The authorities' own work for land reservation, a permit sandbox and the heat mandate is public money.

Each cost is pure accounting: it must add exactly its amount to public spending and change
nothing else in the run (same seed, same everything but the public-money columns).
"""

from __future__ import annotations

import numpy as np
import pytest

from agents.municipality import Zoning
from sim import config
from sim.core.exchange import Exchange, Stage
from sim.core.model import SymbiosisModel
from sim.mechanisms import permits
from tests.helpers import ANCHOR_EXIT

PUBLIC = ("public_funding_sek", "public_funding_step_sek")


def _pair(overrides: dict, cost_key: str, steps: int, seed: int = 3) -> tuple[SymbiosisModel, SymbiosisModel, list[int]]:
    """Step the scenario with the cost at its default and at 0; per step, the free reserved plots of the first."""
    priced = SymbiosisModel(config.load(ANCHOR_EXIT, overrides), rng=seed)
    free = SymbiosisModel(config.load(ANCHOR_EXIT, {**overrides, cost_key: 0.0}), rng=seed)
    counts = []
    for _ in range(steps):
        priced.step()
        free.step()
        counts.append(sum(p.zoning == Zoning.RESERVED and p.occupant is None for m in priced.municipalities for p in m.plots))
    return priced, free, counts


def _same_run_but_money(a: SymbiosisModel, b: SymbiosisModel) -> None:
    da, db = a.collector.frame(), b.collector.frame()
    others = [c for c in da.columns if c not in PUBLIC]
    assert da[others].equals(db[others]), "pricing the authorities' work changed the run itself"
    assert a.events == b.events


def test_land_reservation_costs_its_free_plots_every_month() -> None:
    priced, free, counts = _pair({"policy.land_reservation": True}, "params.land_planning.reservation_cost_sek_per_plot_year", 120)
    assert max(counts) > 0, "the scenario must hold free reserved plots"
    per_plot_month = priced.params.land_planning.reservation_cost_sek_per_plot_year / 12.0
    extra = np.asarray(priced.collector.data["public_funding_step_sek"]) - np.asarray(free.collector.data["public_funding_step_sek"])
    assert extra == pytest.approx(np.asarray(counts) * per_plot_month, rel=1e-12, abs=1e-6)
    _same_run_but_money(priced, free)


def test_land_costs_nothing_without_reservation() -> None:
    priced, free, _ = _pair({"policy.land_reservation": False}, "params.land_planning.reservation_cost_sek_per_plot_year", 60)
    assert priced.public_sek_total == free.public_sek_total


def test_each_heat_assessment_costs_its_supervision() -> None:
    overrides = {"policy.eed_heat_mandate": True, "params.eed_mandate.refurbish_rate_per_year": 0.5}
    priced, free, _ = _pair(overrides, "params.eed_mandate.supervision_cost_sek_per_assessment", 120)
    assessments = sum(e["kind"] == "heat_assessment" for e in priced.events)
    assert assessments > 0, "the scenario must have heat assessments"
    cost = priced.params.eed_mandate.supervision_cost_sek_per_assessment
    assert priced.public_sek_total - free.public_sek_total == pytest.approx(assessments * cost, rel=1e-12)
    _same_run_but_money(priced, free)


@pytest.mark.parametrize(("factor", "units"), [(1.0, 0.0), (0.5, 1.0), (0.25, 3.0), (2.0, 0.0)])
def test_a_sandbox_procedure_costs_by_its_speed_up(factor: float, units: float) -> None:
    """Opening a procedure costs sandbox_cost_sek_per_case × (1/factor − 1), and nothing without a sandbox."""
    m = SymbiosisModel(config.load(ANCHOR_EXIT, {"policy.permit_time_factor": factor}), rng=0)
    while m.running and not any(ex.stage is not Stage.NEGOTIATING for ex in m.live.values()):
        m.step()
    assert m.live, "the scenario must have an exchange to open a procedure for"
    ex = next(iter(m.live.values()))
    before = m.public_sek_total
    permits.start(m, ex)
    assert m.public_sek_total - before == pytest.approx(units * m.params.permits.sandbox_cost_sek_per_case)


def test_sandbox_costs_follow_the_procedures_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over a run, the extra money is one unit per procedure opened, and the run is otherwise the same."""
    opened = []
    real_start = permits.start

    def counting_start(model: SymbiosisModel, ex: Exchange) -> int:
        opened.append(model is priced_model[0])
        return real_start(model, ex)

    priced_model: list[SymbiosisModel | None] = [None]
    monkeypatch.setattr(permits, "start", counting_start)
    overrides = {"policy.permit_time_factor": 0.5}
    priced = priced_model[0] = SymbiosisModel(config.load(ANCHOR_EXIT, overrides), rng=3)
    free = SymbiosisModel(config.load(ANCHOR_EXIT, {**overrides, "params.permits.sandbox_cost_sek_per_case": 0.0}), rng=3)
    for _ in range(120):
        priced.step()
        free.step()
    procedures = sum(opened)
    assert procedures > 0
    cost = priced.params.permits.sandbox_cost_sek_per_case
    assert priced.public_sek_total - free.public_sek_total == pytest.approx(procedures * cost, rel=1e-12)
    _same_run_but_money(priced, free)
