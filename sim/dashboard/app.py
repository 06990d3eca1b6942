"""The student dashboard: ``page = SolaraViz(...)``, so ``solara run sim.dashboard.app`` works too.

Mesa's SolaraViz gives play, step, reset and the tiled main area; this module adds the scenario
controls (in the sidebar), the map, the time series, the event feed, the summary cards with
"pin this run", and the explanation panel. Every piece of state is per browser session (solara
kernel), so five students on one server each drive their own model.
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
from dataclasses import dataclass, replace
from html import escape
from typing import Any

import solara
import solara.lab
import solara.server.settings
import solara.settings
from mesa.visualization import SolaraViz, solara_viz
from solara.toestand import KernelStoreFactory

from sim import config
from sim.dashboard import explain, feed, svg
from sim.dashboard.scenario import (
    EXAMPLE_KEY,
    LEVERS,
    DashboardModel,
    Lever,
    Settings,
    changes,
    find_case,
    list_cases,
    settings_for_case,
)
from sim.palette import RESOURCE_COLOURS
from sim.resources import CATALOGUE, RESOURCE_NAMES

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
TILE_STYLE = {
    "height": "370px",
    "overflow-y": "auto",
    "padding": "2px 8px",
    "background": "white",
    "color": "#212121",
    "border": "1px solid #e0e0e0",
}


# ----- per-session state (solara reactives live per kernel, that is per browser session) --------
settings = solara.reactive(settings_for_case(EXAMPLE_KEY))
problems: solara.Reactive[list[str] | None] = solara.reactive(None)
DashboardModel.settings_source = staticmethod(lambda: settings.value)
model = solara.Reactive(KernelStoreFactory(lambda: DashboardModel(settings.value), key="sim.dashboard.app:model"))
viz_epoch = solara.reactive(0)  # counts new runs that replaced a finished one; see _Controller


@dataclass(frozen=True)
class Pinned:
    """A run's curves kept as a faint reference."""

    label: str
    t: list[float]
    columns: dict[str, list[float]]

    def at(self, step: int, column: str) -> float | None:
        vals = self.columns[column]
        return vals[min(step, len(vals)) - 1] if vals and step > 0 else None


pinned: solara.Reactive[Pinned | None] = solara.reactive(None)


def _cumsum(vals: list[float]) -> list[float]:
    out, acc = [], 0.0
    for v in vals:
        acc += v
        out.append(acc)
    return out


@dataclass(frozen=True)
class View:
    """A consistent copy of what the tiles show at one step.

    Mesa plays the model in a worker thread while a click may render from another, so the tiles
    never read the live model: this copy is taken under the model's lock, all columns the same
    length.
    """

    step: int
    horizon: int
    year: int
    month: int
    t_range: tuple[float, float]
    t: list[float]
    data: dict[str, list[Any]]
    columns: dict[str, list[float]]
    public_msek: float
    firms_alive: int
    settings: Settings
    case_label: str
    changes: list[str]
    cluster_rule: str
    map_svg: str
    map_legend: str
    feed_main: list[tuple[int, str]]
    feed_detail: list[tuple[int, str]]


def snapshot(m: DashboardModel, frame: svg.MapFrame, shapes: dict[str, int]) -> View:
    """Copy what the tiles need from the model, under its lock."""
    with m.state_lock:
        d = m.collector.data
        n = min(len(v) for v in d.values())
        data = {k: list(v[:n]) for k, v in d.items()}
        map_svg = svg.map_svg(m, frame, shapes, width=330, height=330)
        legend = svg.map_legend(m, shapes)
        feed_main = feed.lines(m, detail=False)
        feed_detail = feed.lines(m, detail=True)
        # one collected row per finished month (Mesa counts a step before it runs, outside the lock)
        step, public, alive = n, m.public_sek_total / 1e6, m.n_alive
    start = m.config.start_year
    obs = m.config.observation
    columns = {
        "active_exchanges": data["active_exchanges"],
        "co2_avoided_kt": [v / 1000 for v in _cumsum(data["co2_avoided_t"])],
        "public_msek": [v / 1e6 for v in data["public_funding_sek"]],
        "facilitator_engagement": data["facilitator_engagement"],
        "mean_trust": data["mean_trust"],
        "firms_alive": data["firms_alive"],
    }
    year, month = m.date_of(step) if step > 0 else (start, 1)
    return View(
        step=step,
        horizon=m.horizon,
        year=year,
        month=month,
        t_range=(float(start), float(start + m.config.years)),
        t=[y + (mo - 1) / 12 for y, mo in zip(data["year"], data["month"], strict=True)],
        data=data,
        columns=columns,
        public_msek=public,
        firms_alive=alive,
        settings=m.settings,
        case_label=find_case(m.settings.case).label,
        changes=changes(m.settings),
        cluster_rule=f"at least {obs.cluster_min_firms} firms exchanging at least {obs.cluster_min_resources} resource types",
        map_svg=map_svg,
        map_legend=legend,
        feed_main=feed_main,
        feed_detail=feed_detail,
    )


# ----- controls ----------------------------------------------------------------------------------
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
        viz_epoch.value += 1  # a fresh Mesa controller, with ▶ enabled (see _Controller)


@solara.component
def LeverControl(lever: Lever, value: Any, on_change: Any) -> None:
    """One policy lever with its unit in the label."""
    with solara.Column(gap="0px", classes=[f"lever-{lever.name}"]):
        _lever_widget(lever, value, on_change)


def _lever_widget(lever: Lever, value: Any, on_change: Any) -> None:
    if lever.kind == "switch":
        solara.Switch(label=lever.label, value=bool(value), on_value=on_change)
        return
    shown = value / lever.scale
    unit = f" {lever.unit}" if lever.unit else ""
    # the label sits above the slider: beside it, a long label squeezes the slider to a stub
    solara.HTML(
        tag="div", unsafe_innerHTML=f"{escape(lever.label)}: <b>{shown:g}{escape(unit)}</b>", style="font-size: 14px; margin-bottom: -14px"
    )
    hi = max(lever.hi, shown)
    if lever.kind == "int":
        solara.SliderInt("", value=int(shown), min=int(lever.lo), max=int(hi), step=int(lever.step), on_value=on_change)
    else:
        solara.SliderFloat("", value=float(shown), min=lever.lo, max=hi, step=lever.step, on_value=on_change)


@solara.component
def Controls() -> None:
    """Case, seed, levers and mechanism switches; each change starts a new run from month 1."""
    s = settings.value
    cases = list_cases()
    by_label = {c.label: c.key for c in cases}

    def choose_case(label: str) -> None:
        try:
            apply(settings_for_case(by_label[label]))
        except config.ConfigError as exc:
            problems.value = exc.problems

    def set_lever(lever: Lever, shown: Any) -> None:
        if lever.kind == "switch":
            value: Any = bool(shown)
        elif lever.kind == "int":
            value = int(shown)
        elif lever.scale > 1:
            value = float(round(shown * lever.scale))  # whole SEK
        elif lever.scale != 1:
            value = round(shown * lever.scale, 6)
        else:
            value = round(float(shown), 4)
        apply(settings.value.with_policy(lever.name, value))

    with solara.Sidebar(), solara.Card("Scenario", style={"max-width": "400px"}):
        solara.Select(label="Case", value=find_case(s.case).label, values=list(by_label), on_value=choose_case)
        solara.InputInt(label="Seed (same seed, same run)", value=s.seed, on_value=lambda v: apply(replace(settings.value, seed=v)))
        solara.HTML(tag="div", unsafe_innerHTML="<b>Policy levers</b>", style="margin-top: 6px")
        for lever in LEVERS:
            LeverControl(lever, s.policy[lever.name], lambda v, lever=lever: set_lever(lever, v))
        with solara.Details(summary="Mechanism switches"):
            for name in config.Switches.model_fields:
                solara.Switch(
                    label=name.replace("_", " "),
                    value=s.mechanisms[name],
                    on_value=lambda on, name=name: apply(settings.value.with_mechanism(name, on)),
                )
        solara.HTML(
            tag="div",
            unsafe_innerHTML="Each change starts a new run from month 1. Pin a run first to compare.",
            style="font-size: 12px; color: #555",
        )


# ----- tiles -------------------------------------------------------------------------------------
def _title(text: str) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>{escape(text)}</b>", style="font-size: 14px; margin-top: 2px")


def _card(testid: str, title: str, value: str, raw: float, note: str = "") -> str:
    sub = f"<div style='font-size: 11px; color: #666'>{escape(note)}</div>" if note else ""
    return (
        f"<div style='border: 1px solid #ddd; border-radius: 4px; padding: 4px 8px; min-width: 118px; flex: 1'>"
        f"<div style='font-size: 11px; color: #555'>{escape(title)}</div>"
        f"<div style='font-size: 20px; font-weight: 500' data-testid='{testid}' data-value='{raw}'>{escape(value)}</div>{sub}</div>"
    )


@solara.component
def Cards(v: View) -> None:
    pin = pinned.value
    step = v.step
    active = v.columns["active_exchanges"][-1] if v.t else 0
    co2_t = v.columns["co2_avoided_kt"][-1] * 1000 if v.t else 0.0

    def note(column: str, fmt: str) -> str:
        if pin is None:
            return ""
        value = pin.at(step, column)
        return "" if value is None else "pinned: " + fmt.format(value)

    when = feed.month_label(v.year, v.month) if step else f"start, Jan {v.year}"
    html = "".join(
        [
            _card("card-month", "Month", when, step, f"step {step} of {v.horizon}"),
            _card("card-active", "Operating exchanges", f"{active}", active, note("active_exchanges", "{:.0f}")),
            _card("card-co2", "CO₂ avoided, total", f"{co2_t:,.0f} t", round(co2_t, 3), note("co2_avoided_kt", "{:,.1f} kt")),
            _card(
                "card-public",
                "Public money spent",
                f"{v.public_msek:,.2f} MSEK",
                round(v.public_msek, 6),
                note("public_msek", "{:,.2f} MSEK"),
            ),
            _card("card-firms", "Firms in the region", f"{v.firms_alive}", v.firms_alive, note("firms_alive", "{:.0f}")),
        ]
    )
    solara.HTML(tag="div", unsafe_innerHTML=html, style="display: flex; flex-wrap: wrap; gap: 6px")
    solara.HTML(tag="div", unsafe_innerHTML=_status(v), style="font-size: 12px", attributes={"data-testid": "status"})

    def do_pin() -> None:
        label = v.case_label + (" with " + ", ".join(v.changes) if v.changes else "") + f" (to month {v.step})"
        pinned.value = Pinned(label, v.t, v.columns)

    with solara.Row(gap="8px", style={"align-items": "center", "margin-top": "4px"}):
        solara.Button("Pin this run", on_click=do_pin, disabled=step == 0, color="primary", outlined=True, small=True)
        solara.Button("Clear pin", on_click=lambda: pinned.set(None), disabled=pin is None, small=True, text=True)
    if pin is not None:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"Pinned: {escape(pin.label)}",
            style="font-size: 11px; color: #555",
            attributes={"data-testid": "pin-label"},
        )
    solara.HTML(
        tag="div",
        unsafe_innerHTML="<b>How to use:</b> pick a case and press ▶ to watch it grow or collapse. Pin the run, move one policy "
        "lever (a new run starts), press ▶ again and compare with the dashed grey curves. "
        "<i>How the model works</i> (below the charts) explains every mechanism.",
        style="font-size: 12px; color: #333; margin-top: 6px; padding: 4px 6px; background: #f5f7fb; border-radius: 4px",
    )


def _status(v: View) -> str:
    """A line on the cluster's state by Chertow's 3-2 rule, and the student's changes to the case."""
    active = v.data["cluster_active"]
    if not active:
        state = "Press ▶ to play or Step for one month."
    elif active[-1]:
        state = f"<b>The symbiosis is active</b> ({v.cluster_rule})."
    elif any(active):
        state = f"<b>The symbiosis has gone quiet</b>: it was active, but now there are not {v.cluster_rule}."
    else:
        state = f"Not yet a symbiosis ({v.cluster_rule})."
    mine = "Your changes to the case: " + escape(", ".join(v.changes)) + "." if v.changes else "The case as described (no changes)."
    return f"{state}<br><span style='color: #555'>{mine}</span>"


@solara.component
def Overview(v: View) -> None:
    """Summary cards, status, pin buttons and messages."""
    with solara.Column(style=TILE_STYLE, gap="6px"):
        _title(v.case_label)
        if problems.value:
            solara.Error("Cannot use this setting: " + "; ".join(problems.value))
        Cards(v)


@solara.component
def MapView(v: View) -> None:
    with solara.Column(style=TILE_STYLE, gap="0px"):
        _title("Map of the region (hover for names)")
        with solara.Row(gap="4px", style={"align-items": "flex-start"}):
            solara.HTML(tag="div", unsafe_innerHTML=v.map_svg, style="flex: 1 1 auto; min-width: 0")
            solara.HTML(tag="div", unsafe_innerHTML=v.map_legend, style="flex: 0 0 122px; max-height: 335px; overflow-y: auto")


def _entrant_sectors(m: DashboardModel) -> list[str]:
    """Sectors start-ups may come from, known at the start so marker shapes never change mid-run."""
    return [s for sectors in m.params.entry.attractive.values() for s in sectors]


def _pinned_curve(column: str) -> list[tuple[list[float], list[float], str]]:
    pin = pinned.value
    return [] if pin is None else [(pin.t, pin.columns[column], "pinned: " + pin.label)]


@solara.component
def ExchangesChart(v: View) -> None:
    used = [r for r in RESOURCE_NAMES if any(v.data[f"exchanges_{r}"])]
    series = [svg.Series(CATALOGUE[r].label, v.data[f"exchanges_{r}"], RESOURCE_COLOURS[r]) for r in used]
    with solara.Column(style=TILE_STYLE, gap="0px"):
        _title("Operating exchanges by resource type")
        chart = svg.chart_svg(
            v.t,
            series,
            t_range=v.t_range,
            ylabel="exchanges (count)",
            testid="chart-exchanges",
            stacked=True,
            pinned=_pinned_curve("active_exchanges"),
        )
        solara.HTML(tag="div", unsafe_innerHTML=chart)
        solara.HTML(tag="div", unsafe_innerHTML=svg.chart_legend(series, pinned.value.label if pinned.value else None))


@solara.component
def Co2Chart(v: View) -> None:
    series = [svg.Series("CO₂ avoided since the start", v.columns["co2_avoided_kt"], "#117733")]
    with solara.Column(style=TILE_STYLE, gap="0px"):
        _title("CO₂ avoided by the exchanges")
        chart = svg.chart_svg(
            v.t,
            series,
            t_range=v.t_range,
            ylabel="CO₂ avoided, cumulative (kt)",
            testid="chart-co2",
            pinned=_pinned_curve("co2_avoided_kt"),
        )
        solara.HTML(tag="div", unsafe_innerHTML=chart)
        solara.HTML(tag="div", unsafe_innerHTML=svg.chart_legend(series, pinned.value.label if pinned.value else None))


@solara.component
def TrustChart(v: View) -> None:
    series = [
        svg.Series("facilitator engagement", v.columns["facilitator_engagement"], "#332288"),
        svg.Series("mean trust in live exchanges", v.columns["mean_trust"], "#CC6677", 'stroke-dasharray="6 2"'),
    ]
    pin = pinned.value
    ref = (
        []
        if pin is None
        else [(pin.t, pin.columns[c], f"pinned {c.replace('_', ' ')}: {pin.label}") for c in ("facilitator_engagement", "mean_trust")]
    )
    with solara.Column(style=TILE_STYLE, gap="0px"):
        _title("Facilitator engagement and trust")
        chart = svg.chart_svg(v.t, series, t_range=v.t_range, ylabel="engagement, trust (0-1)", testid="chart-trust", pinned=ref, y_max=1.0)
        solara.HTML(tag="div", unsafe_innerHTML=chart)
        solara.HTML(tag="div", unsafe_innerHTML=svg.chart_legend(series, pin.label if pin else None))


@solara.component
def EventFeed(v: View) -> None:
    detail, set_detail = solara.use_state(False)
    with solara.Column(style=TILE_STYLE, gap="0px"):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            _title("What happened (newest first)")
            solara.Checkbox(label="every step of each deal", value=detail, on_value=set_detail, style="margin: 0")
        items = v.feed_detail if detail else v.feed_main
        body = "".join(f"<li data-step='{step}'>{escape(text)}</li>" for step, text in items) or "<li>Nothing yet: press ▶ or Step.</li>"
        solara.HTML(
            tag="ul", unsafe_innerHTML=body, style="font-size: 12px; padding-left: 16px; margin: 0", attributes={"data-testid": "feed"}
        )


@solara.component
def Explanation(model: DashboardModel) -> None:
    """What each mechanism does, which parameters drive it and where in the report it comes from."""
    items = solara.use_memo(lambda: explain.mechanisms(model.config), [model])
    with solara.Column(style={**TILE_STYLE, "height": "auto", "max-height": "640px"}, gap="0px", classes=["explanation"]):
        _title("How the model works (click a mechanism)")
        lever_rows = "".join(
            f"<li><b>{escape(lv.label)}</b>{' (' + escape(lv.unit) + ')' if lv.unit else ''}: {escape(lv.description)} "
            f"<span style='color: #555'>Source: {escape(lv.source)}</span></li>"
            for lv in LEVERS
        )
        with solara.Details(summary="The seven policy levers"):
            solara.HTML(tag="ul", unsafe_innerHTML=lever_rows, style="font-size: 12px; padding-left: 16px")
        for mech in items:
            on = model.config.mechanisms.model_dump().get(mech.name)
            state = "" if mech.switch is None else (" (on)" if on else " (off)")
            with solara.Details(summary=f"{mech.name.replace('_', ' ')}{state}: {mech.title}"):
                solara.HTML(tag="div", unsafe_innerHTML=explain.mechanism_html(mech, on), style="font-size: 12px")


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
page = SolaraViz(model, components=[Dashboard], name="Symbiosis simulator", play_interval=50)
