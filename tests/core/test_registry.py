"""The registry is the one list of mechanisms: config, step, docs and dashboard read it, and a new
mechanism is one module and one entry."""

from __future__ import annotations

import sys
import types

from sim import config
from sim.core.exchange import EndReason, Exchange
from sim.core.model import SymbiosisModel
from sim.core.params import Strict, param
from sim.mechanisms import REGISTRY, register, schedule
from sim.run.reference import digest


def _toy_module() -> types.ModuleType:
    """A mechanism written as a newcomer would: Params, State, a phase and two hooks."""
    toy = types.ModuleType("sim.mechanisms.toy", "Toy: counts months and ended exchanges.")

    class Params(Strict):
        per_month: int = param(1, "count", "assumption: a test", "How much the counter rises a month.", ge=0)

    class State:
        def __init__(self) -> None:
            self.months = 0
            self.ended: list[str] = []
            self.opened = 0

    def step(model: SymbiosisModel) -> None:
        model.state.toy.months += Params().per_month

    def on_open(model: SymbiosisModel, ex: Exchange) -> None:
        model.state.toy.opened += 1

    def on_end(model: SymbiosisModel, ex: Exchange, was_operating: bool) -> None:
        model.state.toy.ended.append(ex.end_reason.value)

    toy.Params, toy.State, toy.step, toy.on_open, toy.on_end = Params, State, step, on_open, on_end
    sys.modules.setdefault(toy.__name__, toy)
    return toy


def test_a_toy_mechanism_joins_the_month_through_one_registry_entry() -> None:
    toy = _toy_module()
    registry = (*REGISTRY, register(toy, toy.step))
    cfg = config.load(None, {"years": 10})
    model = SymbiosisModel(cfg, rng=7, registry=registry)
    assert [name for name, _ in model.phases][-1] == "toy"
    while model.running:
        model.step()
    assert model.state.toy.months == 120
    assert model.state.toy.opened == len(model.exchanges) > 0
    ended = [ex.end_reason.value for ex in model.exchanges.values() if ex.end_reason is not None]
    assert sorted(model.state.toy.ended) == sorted(ended) and ended
    assert set(model.state.toy.ended) <= {r.value for r in EndReason}


def test_a_toy_mechanism_that_does_nothing_changes_no_result() -> None:
    toy = _toy_module()
    cfg = config.load(None, {"years": 5})
    plain, extra = SymbiosisModel(cfg, rng=3), SymbiosisModel(cfg, rng=3, registry=(*REGISTRY, register(toy, toy.step)))
    for m in (plain, extra):
        while m.running:
            m.step()
    assert digest(plain.collector.frame()) == digest(extra.collector.frame())


def test_config_switches_and_parameters_come_from_the_registry() -> None:
    switched = [m.name for m in REGISTRY if m.switch is not None]
    assert list(config.Switches.model_fields) == switched
    assert list(config.MechanismParams.model_fields) == [m.name for m in REGISTRY]
    for m in REGISTRY:
        if m.switch is not None:
            assert "issue" not in m.switch.source.lower() and m.switch.source, m.name


def test_the_month_runs_the_scheduled_phases_in_registry_order() -> None:
    names = [name for name, _ in schedule()]
    assert names == [m.name for m in REGISTRY for _ in m.phases]
    assert names.index("lock_in") < names.index("matching") < names.index("lifecycle") < names.index("diffusion")


def test_a_scheduled_policy_change_does_not_reach_the_callers_config() -> None:
    raw = config.resolved(config.load(None, {"years": 3}))
    raw["events"] = [
        *raw.get("events", []),
        {"year": raw["start_year"] + 1, "month": 1, "kind": "set_policy", "key": "funding_gap_months", "value": 24},
    ]
    cfg = config.build(raw)
    before = cfg.policy.funding_gap_months
    runs = []
    for _ in range(2):
        m = SymbiosisModel(cfg, rng=5)
        while m.running:
            m.step()
        assert m.policy.funding_gap_months == 24
        runs.append(digest(m.collector.frame()))
    assert cfg.policy.funding_gap_months == before != 24
    assert runs[0] == runs[1]
