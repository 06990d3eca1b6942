"""The student dashboard: ``Page``, so ``solara run sim.dashboard.app`` serves it.

The page plays the model itself rather than through Mesa's SolaraViz: a task in the server's
event loop steps the model in a worker thread at the speed the student chose (months per second)
and asks for one redraw at most every ``REDRAW_S`` however fast it plays (longer when a redraw
itself is slow, as with ten sessions on one server, so the months keep the chosen pace). Mesa's controller bumped
a counter from its own thread after every step, and a render pass that such a bump interrupted
started again, so a busy page could give up ("too many renders"); here a redraw happens only
between steps, in the same loop as clicks, so a click and a redraw never render at once.

The layout: the scenario controls in a column on the left, never over the main column; in the
main column the play bar (sticky), the summary, the map with its legend and the actor panel, the
charts, the event feed and the explanations. Every piece of state is per browser session
(:mod:`~sim.dashboard.state`), so ten students on one server each drive their own model.
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
import time

import solara
import solara.lab
import solara.server.settings
import solara.settings

from sim.dashboard import mapsvg, state
from sim.dashboard.controls import Controls, PlayBar
from sim.dashboard.scenario import DashboardModel
from sim.dashboard.tiles import Charts, EventFeed, Explanation, MapView, Overview, Tour
from sim.dashboard.view import Pinned, View, snapshot

__all__ = ["Page", "Pinned", "View", "page", "snapshot"]  # the page, and what tests read of it

solara.settings.assets.proxy = True
solara.server.settings.telemetry.mixpanel_enable = False
solara.server.settings.theme.show_banner = False
SESSION_TIMEOUT = os.environ["SOLARA_KERNEL_CULL_TIMEOUT"]
solara.server.settings.kernel.cull_timeout = SESSION_TIMEOUT

REDRAW_S = 0.1  # at most ten redraws a second, whatever the speed

# One scroll for the whole page (no card scrolls inside itself), the controls in a fixed-width
# column beside the main column, the play bar stuck to the top while the page scrolls.
CSS = """
.v-content__wrap > div[style*="overflow"] { height: auto !important; max-height: none !important; overflow: visible !important; }
.dash-root { display: flex; gap: 12px; align-items: flex-start; padding: 8px; box-sizing: border-box; width: 100%; }
.dash-side { flex: 0 0 290px; width: 290px; min-width: 0; }
.dash-main { flex: 1 1 0; min-width: 0; display: flex; flex-direction: column; gap: 8px; }
.dash-playbar { position: sticky; top: 0; z-index: 4; background: white; border: 1px solid #cfd8dc; padding: 6px 10px;
                box-shadow: 0 1px 3px rgba(0,0,0,0.08); }
.dash-tile { background: white; color: #212121; border: 1px solid #e0e0e0; padding: 6px 10px; box-sizing: border-box; min-width: 0; }
.dash-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 8px; }
.dash-mapwrap { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.dash-map { flex: 1 1 560px; min-width: 0; }
.dash-mapside { flex: 1 1 300px; max-width: 440px; min-width: 0; font-size: 13px; }
.actor-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.actor-table th { white-space: nowrap; }
.actor-table td, .actor-table th { text-align: left; vertical-align: top; padding: 1px 8px 1px 0; border-bottom: 1px solid #eee; }
.dash-tile table { overflow-wrap: anywhere; }
.scenario .v-select__selection { white-space: normal; overflow: visible; text-overflow: clip; max-width: 100%; line-height: 1.3; }
"""


def _sectors(m: DashboardModel) -> list[str]:
    """Sectors the run may show, start-ups' included, known at the start so the legend never changes."""
    return [f.sector for f in m.firms] + [s for sectors in m.params.entry.attractive.values() for s in sectors]


@solara.component
def Player() -> None:
    """Plays the current run while ▶ is on, at the chosen speed; renders nothing itself."""
    m = state.model.value
    on, mps = state.playing.value, state.speed.value

    async def play() -> None:
        if not on:
            return
        period, last, gap = 1.0 / mps, 0.0, REDRAW_S
        month: asyncio.Future[None] | None = None
        try:
            while m.running and state.playing.value and state.model.value is m:
                t0 = time.monotonic()
                month = asyncio.ensure_future(asyncio.to_thread(m.step))  # off the event loop: other sessions go on
                await asyncio.shield(month)
                month = None
                if time.monotonic() - last >= gap or not m.running:
                    t_draw = time.monotonic()
                    state.tick.value += 1  # the redraw runs here, in this loop
                    last = time.monotonic()
                    gap = max(REDRAW_S, 3.0 * (last - t_draw))  # a slow redraw: fewer of them, not slower months
                await asyncio.sleep(max(period - (time.monotonic() - t0), 0.0))
        finally:
            # paused or replaced (the task is cancelled): finish the month in flight, then draw the
            # month the model is at, so the page never shows an older month than the model holds
            if month is not None:
                await month
            if state.model.value is m:
                state.tick.value += 1
                if not m.running:
                    state.playing.value = False

    solara.lab.use_task(play, dependencies=[m, on, mps], prefer_threaded=False)


@solara.component
def Live() -> None:
    """Everything that changes by the month, from one snapshot of the model."""
    m = state.model.value
    _ = state.tick.value  # redraw when the player or a button says so
    frame, sectors = solara.use_memo(lambda: (mapsvg.map_frame(m), _sectors(m)), [m])
    v = snapshot(m, frame, sectors, state.selected.value)
    Overview(v)
    Tour(v)
    MapView(v)
    Charts(v)
    EventFeed(v)


@solara.component
def Page() -> None:
    """Controls on the left; play bar, live tiles and explanations in the main column."""
    solara.Title("Symbiosis simulator")
    solara.Style(CSS)
    Player()
    with solara.Div(classes=["dash-root"]):
        with solara.Div(classes=["dash-side"]):
            Controls()
        with solara.Div(classes=["dash-main"]):
            PlayBar()
            Live()
            Explanation(state.model.value)


page = Page
