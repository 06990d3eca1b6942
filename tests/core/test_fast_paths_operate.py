"""The values kept while exchanges operate, deliver and are collected equal a fresh computation.

Each check steps case models and compares, every month, what a kept row or table says with what the
mechanisms' public rules give from scratch, so a kept value that misses a change fails here.
"""

from __future__ import annotations

import collections

import pytest

from sim import config
from sim.core.model import SymbiosisModel
from sim.core.ties import attribute_ties
from sim.mechanisms import acquaintance, trust

CASES = ("A2_high_coast", "A13_bjuv", "A19_bengtsfors")


def _model(case: str, seed: int = 1, **overrides: object) -> SymbiosisModel:
    cfg = config.load(f"configs/cases/{case}.yaml")
    if overrides:
        cfg = config.build(config.apply_overrides(config.resolved(cfg), overrides))
    return SymbiosisModel(cfg, rng=seed)


@pytest.mark.parametrize("acquainted", [True, False])
def test_live_trust_rows_equal_a_fresh_computation_every_month(acquainted: bool) -> None:
    """Each live row's fixed part and kept base are what the rule gives now; the levels are level()'s."""
    kept = 0
    for case in CASES:
        model = _model(case, **({} if acquainted else {"mechanisms.acquaintance": False}))
        p = model.params.trust
        rep = (p.reputation_cap, p.reputation_per_year)
        firms = model.firms
        while model.running:
            model.step()
            live = list(model.ledger.live.values())
            levels = trust.live_levels_few(model)
            assert levels == [trust.level(model, firms[ex.supplier], firms[ex.receiver]) for ex in live], (case, model.steps)
            rows = model.state.trust.live[2] if live else []
            for ex, row in zip(live, rows, strict=True):
                a, b = firms[ex.supplier], firms[ex.receiver]
                assert (row.supplier, row.receiver, row.slot) == (ex.supplier, ex.receiver, ex.trust_slot)
                startup = trust.Role.STARTUP in (a.role, b.role)
                assert row.start == trust._start(p, startup, a.municipality != b.municipality)
                assert row.tie == acquaintance.tie(model, a, b)  # taken this month
                assert row.base == trust._base(row.start, row.tie, row.delivered_a, row.delivered_b, *rep)
                if row.capped:  # the base holds for the delivered months there are now
                    assert row.base == trust._base(row.start, row.tie, a.delivered_months, b.delivered_months, *rep)
                    assert trust._capped(a.delivered_months, *rep) and trust._capped(b.delivered_months, *rep)
                    kept += 1
    assert kept > 100  # months with a kept base were compared


def test_acquaintances_of_a_few_equal_the_vectorised_ones() -> None:
    """The plain-Python candidates and ties of a small town are the numpy path's, as introductions,
    deals and departures change them."""
    compared = 0
    for case in CASES:
        model = _model(case)
        while model.running:
            model.step()
            if model.steps % 6:
                continue
            for firm in model.firms:
                few = acquaintance._acquainted_few(model, firm)
                if few is not None:
                    cands, ties = acquaintance._acquainted(model, firm)
                    assert few == list(zip(cands.tolist(), ties.tolist(), strict=True)), (case, model.steps, firm.idx)
                    compared += bool(few)
                kept = model.state.acquaintance.static.get(firm.idx)
                if kept is not None:  # attribute ties taken one by one are the vectorised ones
                    assert kept[2].tolist() == attribute_ties(model, firm, kept[1]).tolist()
    assert compared > 100


def test_kept_track_record_of_the_operating_exchanges_is_a_fresh_count() -> None:
    """The column the ledger adds to the delivered months at once counts, for every firm row, the
    operating exchanges it keeps it for (as long as the register's column, of its type), and every
    firm's delivered months are its deliveries."""
    kept = 0
    for case in CASES:
        model = _model(case)
        while model.running:
            model.step()
            held = model.ledger._delivering
            if held is not None and held[0] is model.ledger.operating_snapshot():
                fresh = collections.Counter(i for ex in held[0] for i in (ex.supplier, ex.receiver))
                column = held[1]
                assert len(column) == len(model.firm_arrays.delivered) and column.dtype == model.firm_arrays.delivered.dtype
                assert {i: c for i, c in enumerate(column.tolist()) if c} == fresh
                kept += 1
        done = collections.Counter()
        for ex in model.ledger.all.values():
            done[ex.supplier] += ex.delivered_months
            done[ex.receiver] += ex.delivered_months
        assert [model.firms[i].delivered_months for i in range(len(model.firms))] == [done[i] for i in range(len(model.firms))]
    assert kept > 100
