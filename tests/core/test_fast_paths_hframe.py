"""The model's frame keeps what a fresh computation gives: the month's phases and the hooks planned
once per registry, and a firm register made with room for its first firms.

The plan is shared between the models of one registry, so each model must get its own list and
dict of it, and a different registry (a study's) must get its own plan, whatever was built before.
"""

from __future__ import annotations

import pandas as pd

from sim import config
from sim.core import firms
from sim.core.model import SymbiosisModel
from sim.mechanisms import HOOKS, REGISTRY, hooks, schedule
from sim.run.runner import simulate

CASES = ("A1_stenungsund", "A3_handelo", "A18_perstorp")


def _cfg(case: str) -> config.ScenarioConfig:
    return config.load(f"configs/cases/{case}.yaml")


def _fresh(model: SymbiosisModel) -> tuple[list, dict]:
    return schedule(model.registry), {kind: hooks(kind, model.registry) for kind in HOOKS}


def test_the_planned_phases_and_hooks_are_those_of_the_models_registry() -> None:
    """Models of the registry, of a study's registry and of the registry again each get the plan
    of their own registry."""
    without = tuple(m for m in REGISTRY if m.name != "snowball")
    for case in CASES:
        for registry in (REGISTRY, without, REGISTRY, without, without):
            model = SymbiosisModel(_cfg(case), rng=1, registry=registry)
            phases, by_kind = _fresh(model)
            assert model.phases == phases and model.hooks == by_kind, (case, len(registry))


def test_a_models_phases_and_hooks_are_its_own() -> None:
    """Changing one model's phases or hooks (as a study or a profiler does) leaves the next model's alone."""
    cfg = _cfg(CASES[0])
    first = SymbiosisModel(cfg, rng=1)
    first.phases.pop()
    first.hooks["on_open"] = ()
    second = SymbiosisModel(cfg, rng=1)
    assert second.phases == schedule(REGISTRY) and second.hooks == _fresh(second)[1]
    assert second.phases is not first.phases and second.hooks is not first.hooks


def test_the_register_starts_with_room_and_grows_with_zeros() -> None:
    """Rows past the firms are zero before and after the register grows; a case run
    in one process after others gives what it gives first."""
    arrays = firms.FirmArrays()
    assert arrays.n == 0 and len(arrays.xy) == firms.CAPACITY
    for name in firms.COLUMNS:
        assert not getattr(arrays, name).any()
    for case in CASES:
        model = simulate(_cfg(case), 1)
        fa = model.firm_arrays
        for name in firms.COLUMNS:
            column = getattr(fa, name)
            assert len(column) == len(fa.xy) >= fa.n
            assert not column[fa.n :].any(), (case, name)
    again = [simulate(_cfg(case), 1).collector.frame() for case in CASES]
    for case, frame in zip(CASES, again, strict=True):
        pd.testing.assert_frame_equal(frame, simulate(_cfg(case), 1).collector.frame())
