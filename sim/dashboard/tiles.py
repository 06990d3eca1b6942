"""The dashboard's tiles: summary cards, tour, map with the actor panel, charts, event feed, explanations.

Every tile that changes by the month renders from one :class:`~sim.dashboard.view.View`, never
from the live model, so the tiles always agree with each other.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import solara

from sim.core.resources import CATALOGUE, RESOURCE_NAMES
from sim.dashboard import explain, state, svg, tour
from sim.dashboard.feed import month_label
from sim.dashboard.scenario import LEVERS, DashboardModel
from sim.dashboard.state import pinned, problems
from sim.dashboard.view import Pinned, View
from sim.run.palette import RESOURCE_COLOURS

FEED_LINES = 12  # lines shown before "show all"


@solara.component_vue("clickmap.vue")
def ClickMap(html: str, event_select: Callable[[str], None]) -> None:
    """The map's SVG; a click on an element with ``data-actor`` selects that actor."""


def _title(text: str) -> None:
    """A tile's heading, escaped (case names come from files)."""
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>{escape(text)}</b>", style="font-size: 15px; margin-top: 2px")


def _card(testid: str, title: str, value: str, raw: float, note: str = "") -> str:
    """One summary card; ``data-value`` holds the raw number so tests need not parse the text."""
    sub = f"<div style='font-size: 11px; color: #666'>{escape(note)}</div>" if note else ""
    return (
        f"<div style='border: 1px solid #ddd; border-radius: 4px; padding: 4px 8px; min-width: 118px; flex: 1'>"
        f"<div style='font-size: 11px; color: #555'>{escape(title)}</div>"
        f"<div style='font-size: 20px; font-weight: 500' data-testid='{testid}' data-value='{raw}'>{escape(value)}</div>{sub}</div>"
    )


@solara.component
def Cards(v: View) -> None:
    """The run at a glance, each card with the pinned run's value beside it, and the pin buttons."""
    pin = pinned.value
    step = v.step
    active = v.columns["active_exchanges"][-1] if v.t else 0
    co2_t = v.columns["co2_avoided_kt"][-1] * 1000 if v.t else 0.0

    def note(column: str, fmt: str) -> str:
        if pin is None:
            return ""
        value = pin.at(step, column)
        return "" if value is None else "pinned: " + fmt.format(value)

    html = "".join(
        [
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
        label = v.case_label + (" with " + ", ".join(v.changes) if v.changes else "") + f" (to {month_label(v.year, v.month)})"
        pinned.value = Pinned(label, v.t, v.columns)

    with solara.Row(gap="8px", style={"align-items": "center", "margin-top": "4px"}):
        solara.Button("Pin this run", on_click=do_pin, disabled=step == 0, color="primary", outlined=True, small=True)
        solara.Button("Clear pin", on_click=lambda: pinned.set(None), disabled=pin is None, small=True, text=True)
    if state.notice.value:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=escape(state.notice.value),
            style="font-size: 13px; color: #8a4b00",
            attributes={"data-testid": "notice"},
        )
    if pin is not None:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"Pinned: {escape(pin.label)}",
            style="font-size: 11px; color: #555",
            attributes={"data-testid": "pin-label"},
        )
    solara.HTML(
        tag="div",
        unsafe_innerHTML="<b>How to use:</b> pick a case and press ▶ Play to watch it grow or collapse. Click a firm on the map "
        "to see what it does. Pin the run, move one policy lever (a new run starts), play again and compare with the dashed grey "
        "curves. <i>How the model works</i> (at the bottom) explains every mechanism.",
        style="font-size: 13px; color: #333; margin-top: 6px; padding: 4px 6px; background: #f5f7fb; border-radius: 4px",
    )


def _status(v: View) -> str:
    """A line on the cluster's state by Chertow's 3-2 rule, and the student's changes to the case."""
    active = v.data["cluster_active"]
    if not active:
        state = "Press ▶ Play, or Step one month."
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
    with solara.Column(classes=["dash-tile", "overview"], gap="6px"):
        _title(v.case_label)
        if problems.value:
            solara.Error("Cannot use this setting: " + "; ".join(problems.value))
        Cards(v)


@solara.component
def Tour(v: View) -> None:
    """The case's guided tour, with a jump to the month before the event to watch."""
    m = state.model.value
    t = solara.use_memo(lambda: tour.tour_for(v.settings.case, m.config), [m])
    if t is None:
        return

    def jump() -> None:
        while m.running and m.steps < t.step - 1 and not state.playing.value:
            m.step()
        state.tick.value += 1

    with solara.Column(classes=["dash-tile", "tour"], gap="4px", style={"background": "#fffbe6"}):
        _title("A guided tour")
        items = "".join(f"<li>{escape(x)}</li>" for x in (t.intro, t.watch, t.after))
        solara.HTML(
            tag="ol", unsafe_innerHTML=items, style="font-size: 14px; margin: 0; padding-left: 20px", attributes={"data-testid": "tour"}
        )
        if v.step < t.step - 1:
            solara.Button(f"Jump to {t.before}, then press Step one month", on_click=jump, outlined=True, small=True, classes=["tour-jump"])
        elif v.step >= t.step:
            solara.HTML(
                tag="div", unsafe_innerHTML=f"You are past {escape(t.when)}: look at the feed for what happened.", style="font-size: 13px"
            )


@solara.component
def MapView(v: View) -> None:
    """The map large in the middle, legend and the clicked actor's panel beside (or below) it."""
    with solara.Column(classes=["dash-tile", "map-tile"], gap="4px"):
        _title("Map of the region: hover for names, click a firm, town, facilitator or line")
        with solara.Div(classes=["dash-mapwrap"]):
            with solara.Div(classes=["dash-map"]):
                ClickMap(html=v.map_svg, event_select=lambda key: state.selected.set(key or None))
            with solara.Div(classes=["dash-mapside"]):
                solara.HTML(tag="div", unsafe_innerHTML=v.panel, attributes={"data-testid": "actor-panel"}, classes=["actor-panel"])
                solara.HTML(tag="div", unsafe_innerHTML=v.map_legend, style="margin-top: 10px")


Curves = list[tuple[list[float], list[float], str]]


def _chart_tile(title: str, v: View, series: list[svg.Series], ylabel: str, testid: str, ref: Curves, **options: Any) -> None:
    """A chart with its title and legend, the pinned run's curves underneath for comparison."""
    pin = pinned.value
    with solara.Column(classes=["dash-tile", "chart-tile"], gap="0px"):
        _title(title)
        chart = svg.chart_svg(v.t, series, t_range=v.t_range, ylabel=ylabel, testid=testid, pinned=ref, **options)
        solara.HTML(tag="div", unsafe_innerHTML=chart)
        solara.HTML(tag="div", unsafe_innerHTML=svg.chart_legend(series, pin.label if pin else None))


def _pinned_curves(*columns: str) -> Curves:
    """The pinned run's curves of these columns (none without a pin), named after the run."""
    pin = pinned.value
    if pin is None:
        return []
    if len(columns) == 1:
        return [(pin.t, pin.columns[columns[0]], "pinned: " + pin.label)]
    return [(pin.t, pin.columns[c], f"pinned {c.replace('_', ' ')}: {pin.label}") for c in columns]


@solara.component
def ExchangesChart(v: View) -> None:
    """Exchanges stacked by resource type, so a reader sees which streams carry the cluster."""
    used = [r for r in RESOURCE_NAMES if any(v.data[f"exchanges_{r}"])]
    series = [svg.Series(CATALOGUE[r].label, v.data[f"exchanges_{r}"], RESOURCE_COLOURS[r]) for r in used]
    ref = _pinned_curves("active_exchanges")
    _chart_tile("Operating exchanges by resource type", v, series, "exchanges (count)", "chart-exchanges", ref, stacked=True)


@solara.component
def Co2Chart(v: View) -> None:
    """CO2 avoided since the start: what the exchanges are for."""
    series = [svg.Series("CO₂ avoided since the start", v.columns["co2_avoided_kt"], "#117733")]
    ref = _pinned_curves("co2_avoided_kt")
    _chart_tile("CO₂ avoided by the exchanges", v, series, "CO₂ avoided, cumulative (kt)", "chart-co2", ref)


@solara.component
def TrustChart(v: View) -> None:
    """Facilitator engagement and trust: the slow state behind deals, which a funding gap erodes."""
    series = [
        svg.Series("facilitator engagement", v.columns["facilitator_engagement"], "#332288"),
        svg.Series("mean trust in live exchanges", v.columns["mean_trust"], "#CC6677"),
    ]
    ref = _pinned_curves("facilitator_engagement", "mean_trust")
    _chart_tile("Facilitator engagement and trust", v, series, "engagement, trust (0-1)", "chart-trust", ref, y_max=1.0)


@solara.component
def Charts(v: View) -> None:
    """The three time series side by side where there is room, one below the other where not."""
    with solara.Div(classes=["dash-charts"]):
        ExchangesChart(v)
        Co2Chart(v)
        TrustChart(v)


@solara.component
def EventFeed(v: View) -> None:
    """The event log in words, newest first; the steps of each deal only on request (they are many)."""
    detail, set_detail = solara.use_state(False)
    everything, set_everything = solara.use_state(False)
    with solara.Column(classes=["dash-tile", "feed-tile"], gap="0px"):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between", "flex-wrap": "wrap"}):
            _title("What happened (newest first)")
            solara.Checkbox(label="every step of each deal", value=detail, on_value=set_detail, style="margin: 0")
        items = v.feed_detail if detail else v.feed_main
        shown = items if everything else items[:FEED_LINES]
        body = (
            "".join(f"<li data-step='{step}'>{escape(text)}</li>" for step, text in shown) or "<li>Nothing yet: press ▶ Play or Step.</li>"
        )
        solara.HTML(
            tag="ul", unsafe_innerHTML=body, style="font-size: 13px; padding-left: 18px; margin: 0", attributes={"data-testid": "feed"}
        )
        if len(items) > FEED_LINES:
            solara.Button(
                "Show fewer" if everything else f"Show all {len(items)}",
                on_click=lambda: set_everything(not everything),
                text=True,
                small=True,
            )


@solara.component
def Explanation(model: DashboardModel) -> None:
    """What each mechanism is in the real world, the report's example, its parameters with units and sources."""
    items = solara.use_memo(lambda: explain.mechanisms(model.config), [model])
    with solara.Column(classes=["dash-tile", "explanation"], gap="0px"):
        _title("How the model works (click a mechanism)")
        lever_rows = "".join(
            f"<tr><td><b>{escape(lv.label)}</b></td><td>{escape(lv.unit)}</td><td>{escape(lv.description)}</td><td style='color: #555'>{escape(lv.source)}</td></tr>"
            for lv in LEVERS
        )
        with solara.Details(summary="The policy levers"):
            solara.HTML(
                tag="table",
                unsafe_innerHTML=f"<tr><th>lever</th><th>unit</th><th>what it does</th><th>source</th></tr>{lever_rows}",
                classes=["actor-table"],
            )
        on_off = model.config.mechanisms.model_dump()
        for mech in items:
            on = on_off.get(mech.name)
            flag = "" if mech.switch is None else (" (on)" if on else " (off)")
            with solara.Details(summary=f"{mech.plain_title}{flag}"):
                solara.HTML(tag="div", unsafe_innerHTML=explain.mechanism_html(mech, on), style="font-size: 13px")
