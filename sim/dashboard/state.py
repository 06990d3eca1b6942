"""The dashboard's per-session state, and the one way to change it: start a new run.

Solara reactives live per kernel, that is per browser session, so ten students on one server
each drive their own model. Import the page from :mod:`sim.dashboard.app`, which configures solara
for offline use before this module is loaded.
"""

from __future__ import annotations

import solara
from solara.toestand import KernelStoreFactory

from sim import config
from sim.dashboard.scenario import EXAMPLE_KEY, DashboardModel, Settings, settings_for_case
from sim.dashboard.view import Pinned

SPEEDS = (1, 2, 5, 10, 20)  # months per second a student can choose
DEFAULT_SPEED = 10

settings = solara.reactive(settings_for_case(EXAMPLE_KEY))
problems: solara.Reactive[list[str] | None] = solara.reactive(None)
notice: solara.Reactive[str | None] = solara.reactive(None)  # a one-off note, e.g. why the pin went
DashboardModel.settings_source = staticmethod(lambda: settings.value)
# the store keeps the key it had when this lived in the app module
model = solara.Reactive(KernelStoreFactory(lambda: DashboardModel(settings.value), key="sim.dashboard.app:model"))
pinned: solara.Reactive[Pinned | None] = solara.reactive(None)
playing = solara.reactive(False)
speed = solara.reactive(DEFAULT_SPEED)  # months per second
tick = solara.reactive(0)  # bumped when the shown month should be redrawn
selected: solara.Reactive[str | None] = solara.reactive(None)  # "firm:3", "municipality:0", "exchange:12"...


def apply(new: Settings) -> None:
    """Start a new run with these settings, or show why they cannot be used (the old run stays).

    A pinned run of another case is dropped: its curves lie on another time axis and its cards
    would compare different regions.
    """
    if new.seed is None or new.seed < 0:
        problems.value = [f"seed: value {new.seed!r} is invalid (allowed: a whole number 0 or more)"]
        return
    try:
        fresh = DashboardModel(new)
    except config.ConfigError as exc:
        problems.value = exc.problems
        return
    problems.value = None
    notice.value = None
    if new.case != settings.value.case and pinned.value is not None:
        pinned.value = None
        notice.value = "The pinned run was cleared: it belonged to another case."
    playing.value = False
    selected.value = None
    settings.value = new
    model.value = fresh
    tick.value += 1


def reset() -> None:
    """The same settings from month 1 again (the pin and the choice of actor stay)."""
    keep = selected.value
    playing.value = False
    model.value = DashboardModel(settings.value)
    selected.value = keep
    tick.value += 1
