"""The kept values of the firm register, exits, births, entry and the resource table give what a
fresh computation gives, month by month over a few cases (the pattern of test_fast_paths.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim import config
from sim.core import firms, resources
from sim.core.model import SymbiosisModel
from sim.mechanisms import entry, firm_exit

CASES = ("A13_bjuv", "A6_umea", "A10_alby", "A4_sotenas")


def _model(case: str, seed: int = 1) -> SymbiosisModel:
    return SymbiosisModel(config.load(f"configs/cases/{case}.yaml"), rng=seed)


def _check_month(model: SymbiosisModel, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kept value against a fresh one, at the end of a month."""
    fa = model.firm_arrays
    for name in firms.COLUMNS:  # rows past n stay zero: a new row sets only its non-zero values
        assert not getattr(fa, name)[fa.n :].any(), name
    for survive, hazard in model.state.firm_exit.monthly.items():
        assert hazard == (1.0 - np.power(np.array([survive]), 1.0 / 12.0))[0]
    st = model.state.firm_exit
    candidates, monthly = firm_exit.exit_table(model)
    kept, expires = (candidates.tolist(), monthly.tobytes()), st.table[2]
    saved = st.table, st.version, set(st.touched)  # the kept (patched) table goes on to the next month
    monkeypatch.setattr(firm_exit, "SMALL", -1)  # the numpy column expression over the whole register
    firm_exit.invalidate(model)
    candidates, monthly = firm_exit.exit_table(model)
    assert kept == (candidates.tolist(), monthly.tobytes()), model.steps
    assert expires <= st.table[2]  # a kept expiry may come sooner, never later
    monkeypatch.undo()
    st.table, st.version, st.touched = saved
    books = model.state.matching.books
    fresh = [(r, s, books[r]) for r, s in model.params.entry.attractive.items() if r in books]
    assert [(r, s, id(b)) for r, s, b in entry.watched(model)] == [(r, s, id(b)) for r, s, b in fresh]


@pytest.mark.parametrize("case", CASES)
def test_register_exit_and_entry_kept_values_equal_fresh_ones_every_month(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(case)
    while model.running and model.steps < 150:
        model.step()
        _check_month(model, monkeypatch)
    assert model.state.firm_exit.monthly  # hazards were kept


@pytest.mark.parametrize("case", CASES)
def test_birth_weights_are_numpys_cumulative_sums(case: str) -> None:
    st = _model(case).state.births
    for kinds, cum in zip(st.kinds, st.cumulative, strict=True):
        weights = [len(k.templates) for k in kinds] if kinds and kinds[0].templates else [k.profile.share for k in kinds]
        assert np.array(cum).tobytes() == np.cumsum(weights, dtype=float).tobytes()


@pytest.mark.parametrize("case", CASES)
def test_resolved_resources_equal_the_catalogue_with_the_scenario_applied(case: str) -> None:
    rc = config.load(f"configs/cases/{case}.yaml").resources
    fresh = {name: replace(r, **getattr(rc, name).model_dump()) for name, r in resources.CATALOGUE.items()}
    assert resources.resolve(rc) == fresh
    changed = rc.model_copy(update={"heat": rc.heat.model_copy(update={"virgin_price_sek_per_unit": 1.0})})
    changed.heat.model_fields_set.add("virgin_price_sek_per_unit")
    assert resources.resolve(changed)["heat"].virgin_price_sek_per_unit == 1.0
