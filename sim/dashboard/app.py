"""The student dashboard: ``page = SolaraViz(...)``, so ``solara run sim.dashboard.app`` works too.

Mesa's SolaraViz gives play, step, reset and the tiled main area; this module lays out the
scenario controls in the sidebar (:mod:`~sim.dashboard.controls`) and the tiles
(:mod:`~sim.dashboard.tiles`: summary cards with "pin this run", map, time series, event feed and
the explanation panel), refreshed from one copy of the model (:mod:`~sim.dashboard.view`). Every
piece of state is per browser session (:mod:`~sim.dashboard.state`), so five students on one
server each drive their own model.
"""

from __future__ import annotations

import os

# Offline: serve the front-end assets from the installed solara-assets package, never a CDN, and
# send no telemetry. Must be set before solara reads its settings.
os.environ.setdefault("SOLARA_ASSETS_PROXY", "true")
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
# A session whose tab has gone (closed, crashed, or a laptop gone to sleep) is freed, model and all,
# this long after its connection drops, instead of solara's default of a day; a page that
# reconnects within it keeps its run.
os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "60s")

import asyncio
from typing import Any

import solara
import solara.lab
import solara.server.settings
import solara.settings
from mesa.visualization import SolaraViz, solara_viz

from sim.dashboard import svg
from sim.dashboard.controls import Controls
from sim.dashboard.scenario import DashboardModel
from sim.dashboard.state import model, viz_epoch
from sim.dashboard.tiles import Co2Chart, EventFeed, ExchangesChart, Explanation, MapView, Overview, TrustChart
from sim.dashboard.view import Pinned, View, snapshot

__all__ = ["Pinned", "View", "page", "snapshot"]  # the page, and what tests read of it

solara.settings.assets.proxy = True
solara.server.settings.telemetry.mixpanel_enable = False
solara.server.settings.theme.show_banner = False
SESSION_TIMEOUT = os.environ["SOLARA_KERNEL_CULL_TIMEOUT"]
solara.server.settings.kernel.cull_timeout = SESSION_TIMEOUT

# Mesa's ModelCreator shows an empty "Model Parameters" card when every setting lives in the
# Scenario card, and a tab bar for a single page; hide both to give the tiles the room.
# The whole dashboard is one Mesa component laid out by itself, so let its grid item span the
# main area instead of Mesa's draggable half-width tile.
CSS = """
.v-card:has(> .v-card__text > .v-sheet:empty) { display: none; }
.v-tabs:not(:has(.v-tab + .v-tab)) { display: none; }
.vue-grid-layout { height: auto !important; }
.vue-grid-item { position: static !important; transform: none !important; width: auto !important; height: auto !important;
                 margin: 0 8px 8px 8px; }
.vue-grid-item > .vue-resizable-handle { display: none; }
"""
REFRESH_S = 0.1  # seconds between looks at a playing model


def _entrant_sectors(m: DashboardModel) -> list[str]:
    """Sectors start-ups may come from, known at the start so marker shapes never change mid-run."""
    return [s for sectors in m.params.entry.attractive.values() for s in sectors]


@solara.component
def Live(model: DashboardModel) -> None:
    """The tiles that change every month, all from one snapshot of the model.

    The tiles do not listen to Mesa's step counter. Mesa plays in a worker thread and bumps that
    counter every step; a tile render slower than a step (a busy machine) then never finishes
    ("too many renders"), and every listener costs a render pass of its own (measured for Bjuv:
    ~110 ms per step with six listening tiles). Instead this component looks at the model
    ``REFRESH_S`` after its last look and re-renders once if a month has passed, so the page
    refreshes at most ~10 times a second however fast the model plays.
    """
    _tick, set_tick = solara.use_state(0)

    async def follow() -> None:
        seen = model.steps
        while True:
            await asyncio.sleep(REFRESH_S)
            if model.steps != seen:
                seen = model.steps
                set_tick(lambda t: t + 1)

    # in the server's event loop, like click handlers, so a refresh and a click never render at once
    solara.lab.use_task(follow, dependencies=[model], prefer_threaded=False)
    frame, shapes = solara.use_memo(
        lambda: (svg.map_frame(model), svg.sector_shapes([f.sector for f in model.firms] + _entrant_sectors(model))), [model]
    )
    v = snapshot(model, frame, shapes)
    with solara.GridFixed(columns=2, column_gap="8px", row_gap="8px"):
        Overview(v)
        MapView(v)
        ExchangesChart(v)
        Co2Chart(v)
        TrustChart(v)
        EventFeed(v)


@solara.component
def Dashboard(model: DashboardModel) -> None:
    """Sidebar controls, the live tiles and the explanation panel (which need not re-render per step)."""
    solara.Style(CSS)
    Controls()
    with solara.Column(gap="8px"):
        Live(model)
        Explanation(model)


@solara.component
def _Controller(model: Any, **kwargs: Any) -> None:
    """Mesa's ModelController, mounted afresh when a new run replaces a finished one.

    Mesa's controller greys out ▶ once its model stops running, and only its own Reset clears that,
    so a new run started from the sidebar after a finished one could not be played. A finished run
    has no play loop left, so a new controller can safely replace the old one then (and only then:
    a playing controller keeps playing the new run). The key must sit on the controller itself:
    SolaraViz renders it in the sidebar, which solara lays out apart from the page.
    """
    _MesaController(model, **kwargs).key(f"controller-{viz_epoch.value}")


_MesaController = solara_viz.ModelController
solara_viz.ModelController = _Controller  # SolaraViz looks the name up when it renders
# Mesa's play loop bumps its update counter after every step, from its own thread, and a render pass
# that such a bump interrupts starts again; at 50 ms a busy pass (the map, the charts, other
# sessions) could be interrupted every time and the page gave up ("too many renders"). 100 ms
# leaves room for a pass; the sidebar's slider still sets it per session.
page = SolaraViz(model, components=[Dashboard], name="Symbiosis simulator", play_interval=100)
