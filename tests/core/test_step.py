"""The model's step is Mesa's: time and steps advance together, and events scheduled on Mesa's
list still run in their place when the month takes the short way past Mesa's event objects."""

from __future__ import annotations

from sim import config
from sim.core.model import SymbiosisModel


def test_step_advances_time_and_steps_as_mesa_does() -> None:
    m = SymbiosisModel(config.load(None), rng=1)
    for k in range(1, 4):
        m.step()
        assert (m.steps, m.time) == (k, float(k))
    m.run_for(2)  # Mesa's own way, through the same schedule
    assert (m.steps, m.time) == (5, 5.0)
    m.step()
    assert (m.steps, m.time) == (6, 6.0)


def test_an_event_scheduled_on_mesas_list_runs_in_its_place() -> None:
    m = SymbiosisModel(config.load(None), rng=1)
    seen: list[tuple[int, float]] = []

    class Probe:
        def __call__(self) -> None:
            seen.append((m.steps, m.time))

    probe = Probe()  # Mesa holds a weak reference to the callable
    m.step()
    m.schedule_event(probe, at=3.0)
    for _ in range(4):
        m.step()
    assert seen == [(3, 3.0)], "the month of time 3 runs before a default-priority event at 3"
    assert (m.steps, m.time) == (5, 5.0)
