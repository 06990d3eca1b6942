"""The kept tables and plain-Python paths of the month give what a fresh computation gives.

Each check steps a case model and compares, every month, the fast value with one computed from
scratch through the mechanisms' public rules, so a cache that misses an invalidation fails here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import config
from sim.core import collector
from sim.core.model import SymbiosisModel
from sim.mechanisms import firm_exit, land_planning, matching, project_funding, scarcity, trust


def _model(case: str, seed: int = 1) -> SymbiosisModel:
    return SymbiosisModel(config.load(f"configs/cases/{case}.yaml"), rng=seed)


def _fresh_mean_trust(model: SymbiosisModel) -> float:
    live = list(model.ledger.live.values())
    if not live:
        return math.nan
    firms = model.firms
    return float(np.mean([trust.level(model, firms[ex.supplier], firms[ex.receiver]) for ex in live]))


@pytest.mark.parametrize("few_live", [collector.FEW_LIVE, 0])  # 0: the vectorised path of many live exchanges
def test_mean_trust_equals_a_fresh_computation_every_month(monkeypatch: pytest.MonkeyPatch, few_live: int) -> None:
    """Live sets, deliveries, meetings and new ties change month by month; the kept rows follow."""
    monkeypatch.setattr(collector, "FEW_LIVE", few_live)
    seen = 0
    for case in ("A2_high_coast", "A13_bjuv"):
        model = _model(case)
        while model.running:
            model.step()
            fresh, fast = _fresh_mean_trust(model), model.collector.mean_trust()
            assert (math.isnan(fresh) and math.isnan(fast)) or fast == fresh, (case, model.steps)
            seen += not math.isnan(fresh)
    assert seen > 100  # months with live exchanges were compared


def test_search_ceiling_bounds_every_demand_of_a_few_including_water() -> None:
    """No demand's search probability exceeds the ceiling its book's draws are cut at."""
    checked = 0
    for case in ("A1_stenungsund", "A18_perstorp"):
        model = _model(case)
        for _ in range(60):
            model.step()
            for book in model.state.matching.books.values():
                if not book.live_demands(model) or len(book.demand_firms) > matching.SMALL:
                    continue
                water = model.switches.scarcity and book.resource == scarcity.WATER
                prob, _ = matching.search_probabilities(model, book)
                assert prob.max() <= matching._ceiling(model, water), (case, book.resource)
                checked += water
    assert checked > 0


def test_kept_contract_end_next_due_and_member_turnover_match_fresh_values() -> None:
    """The earliest contract end and each facilitator's member turnover, where still kept, are what
    a pass over the exchanges and the firms gives; no pipeline stage ends before the kept step."""
    renewals = fees = 0
    cfg = config.load(None)
    model = SymbiosisModel(
        config.build(
            config.apply_overrides(
                config.resolved(cfg), {"params.benefit.contract_years": 2.0, "facilitators.0.membership_fee_share": 0.01}
            )
        ),
        rng=2,
    )
    while model.running:
        model.step()
        version, end = model.state.lifecycle.next_end
        if version == model.ledger.arrays.operating_version:
            ends = [ex.contract_end for ex in model.ledger.operating.values() if ex.contract_end is not None]
            assert end == min(ends, default=math.inf)
        pipeline = [ex.stage_until for ex in model.ledger.pipeline.values()]
        assert model.state.lifecycle.next_due <= min(pipeline, default=math.inf)
        arrays = model.firm_arrays
        register = (model.ledger.arrays.operating_version, arrays.n, arrays.n_alive)
        kept = model.state.project_funding.turnover
        for fac, (key, turnover) in list(kept.items()):
            if key[:3] == register:
                del kept[fac]  # computed again from the firms
                assert turnover == project_funding.member_turnover_sek_per_month(model, fac)
                fees += turnover > 0
        renewals = sum(e["kind"] == "contract_renewed" for e in model.events)
    assert renewals > 0 and fees > 0


def test_clusters_of_a_few_exchanges_equal_the_vectorised_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain-Python 3-2 test gives the numpy path's municipalities every month."""
    active = 0
    for case in ("A13_bjuv", "A1_stenungsund"):
        model = _model(case)
        while model.running and model.steps < 300:
            model.step()
            few = land_planning._clusters_few(model)
            monkeypatch.setattr(land_planning, "FEW", -1)
            assert land_planning._clusters(model) == few
            monkeypatch.setattr(land_planning, "FEW", 64)
            active += bool(few)
    assert active > 0


def test_patched_exit_table_equals_a_fresh_one() -> None:
    """Rows made again for the firms that arrived, left, were stranded or supplied again give the
    table a pass over the whole register gives; its expiry is no later."""
    patched = 0
    for cfg, seed in ((config.load(None), 3), (config.load("configs/cases/A13_bjuv.yaml"), 1)):
        model = SymbiosisModel(cfg, rng=seed)
        while model.running and model.steps < 180:
            model.step()
            patched += bool(model.state.firm_exit.touched)
            candidates, monthly = firm_exit.exit_table(model)
            kept = (candidates.tolist(), monthly.tobytes(), model.state.firm_exit.table[6:])
            expires = model.state.firm_exit.table[2]
            firm_exit.invalidate(model)
            candidates, monthly = firm_exit.exit_table(model)
            assert kept == (candidates.tolist(), monthly.tobytes(), model.state.firm_exit.table[6:]), model.steps
            assert expires <= model.state.firm_exit.table[2]
    assert patched > 10
