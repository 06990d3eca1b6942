"""The dashboard's per-session state, and the one way to change it: start a new run.

Solara reactives live per kernel, that is per browser session, so five students on one server
each drive their own model. Import the page from :mod:`sim.dashboard.app`, which configures solara
for offline use before this module is loaded.
"""

from __future__ import annotations

import solara
from solara.toestand import KernelStoreFactory

from sim import config
from sim.dashboard.scenario import EXAMPLE_KEY, DashboardModel, Settings, settings_for_case
from sim.dashboard.view import Pinned

settings = solara.reactive(settings_for_case(EXAMPLE_KEY))
problems: solara.Reactive[list[str] | None] = solara.reactive(None)
DashboardModel.settings_source = staticmethod(lambda: settings.value)
# the store keeps the key it had when this lived in the app module
model = solara.Reactive(KernelStoreFactory(lambda: DashboardModel(settings.value), key="sim.dashboard.app:model"))
viz_epoch = solara.reactive(0)  # counts new runs that replaced a finished one; see app._Controller
pinned: solara.Reactive[Pinned | None] = solara.reactive(None)


def apply(new: Settings) -> None:
    """Start a new run with these settings, or show why they cannot be used (the old run stays)."""
    if new.seed is None or new.seed < 0:
        problems.value = [f"seed: value {new.seed!r} is invalid (allowed: a whole number 0 or more)"]
        return
    try:
        fresh = DashboardModel(new)
    except config.ConfigError as exc:
        problems.value = exc.problems
        return
    problems.value = None
    finished = not model.value.running
    settings.value = new
    model.value = fresh
    if finished:
        viz_epoch.value += 1  # a fresh Mesa controller, with ▶ enabled (see app._Controller)
