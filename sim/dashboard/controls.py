"""The controls: the play bar (play, step, reset, speed, date, downloads) and the scenario column
(case, seed, policy levers and mechanism switches).

Each scenario change goes through :func:`sim.dashboard.state.apply`, so it starts a new run from
month 1 or, if the setting cannot be used, leaves the old run and says why.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import Any

import solara

from sim import config
from sim.dashboard import export, feed, state
from sim.dashboard.plain import PLAIN
from sim.dashboard.scenario import LEVERS, Lever, find_case, list_cases, settings_for_case
from sim.dashboard.state import apply, problems, settings

FINISHED = "Finished — press Reset or change a lever to start a new run."


@solara.component
def LeverControl(lever: Lever, value: Any, on_change: Any) -> None:
    """One policy lever with its unit in the label."""
    with solara.Column(gap="0px", classes=[f"lever-{lever.name}"]):
        _lever_widget(lever, value, on_change)


def _lever_widget(lever: Lever, value: Any, on_change: Any) -> None:
    """A switch, or a slider in the lever's display unit (a value above its range widens the range)."""
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

    with solara.Column(gap="4px", classes=["dash-tile", "scenario"]):
        solara.HTML(tag="div", unsafe_innerHTML="<b>Scenario</b>", style="font-size: 15px")
        solara.Select(label="Case", value=find_case(s.case).label, values=list(by_label), on_value=choose_case)
        solara.InputInt(label="Seed (same seed, same run)", value=s.seed, on_value=lambda v: apply(replace(settings.value, seed=v)))
        solara.HTML(tag="div", unsafe_innerHTML="<b>Policy levers</b>", style="margin-top: 6px")
        for lever in LEVERS:
            LeverControl(lever, s.policy[lever.name], lambda v, lever=lever: set_lever(lever, v))
        with solara.Details(summary="Mechanism switches"):
            for name in config.Switches.model_fields:
                solara.Switch(
                    label=PLAIN[name][0] if name in PLAIN else name.replace("_", " "),
                    value=s.mechanisms[name],
                    on_value=lambda on, name=name: apply(settings.value.with_mechanism(name, on)),
                )
        solara.HTML(
            tag="div",
            unsafe_innerHTML="Each change starts a new run from month 1. Pin a run first to compare.",
            style="font-size: 13px; color: #555",
        )


@solara.component
def PlayBar() -> None:
    """Play or pause, one month, reset, speed in months per second, the date, and the run as CSV."""
    m = state.model.value
    _ = state.tick.value
    on = state.playing.value and m.running
    with m.state_lock:  # the months collected, as the tiles show them (Mesa counts a month before it runs)
        step = len(m.collector.data["step"])
    date = feed.month_label(*m.date_of(step)) if step else f"start: Jan {m.config.start_year}"

    def one_month() -> None:
        if m.running and not state.playing.value:
            m.step()
            state.tick.value += 1

    with solara.Div(classes=["dash-playbar"]):
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                "❚❚ Pause" if on else "▶ Play",
                on_click=lambda: state.playing.set(not on),
                disabled=not m.running,
                color="primary",
                classes=["play"],
            )
            solara.Button("Step one month", on_click=one_month, disabled=on or not m.running, outlined=True, classes=["step"])
            solara.Button("Reset", on_click=state.reset, outlined=True, classes=["reset"])
            solara.HTML(tag="span", unsafe_innerHTML="Speed, months per second:", style="font-size: 14px; margin-left: 6px")
            solara.ToggleButtonsSingle(
                value=state.speed.value,
                values=list(state.SPEEDS),
                on_value=state.speed.set,
                dense=True,
                classes=["speed"],
            )
            solara.HTML(
                tag="span",
                unsafe_innerHTML=escape(date),
                style="font-size: 20px; font-weight: 500; margin-left: 8px; white-space: nowrap",
                attributes={"data-testid": "card-month", "data-value": str(step), "title": f"month {step} of {m.horizon}"},
            )
            pct = 100 * step / max(m.horizon, 1)
            end = feed.month_label(*m.date_of(m.horizon))
            solara.HTML(
                tag="span",
                unsafe_innerHTML=f"<span style='display: inline-block; width: 90px; height: 6px; background: #e0e0e0; vertical-align: middle'>"
                f"<span style='display: block; width: {pct:.0f}%; height: 6px; background: #1976d2'></span></span> to {escape(end)}",
                style="font-size: 12px; color: #555; white-space: nowrap",
            )
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap", "margin-top": "4px"}):
            if not m.running:
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=f"<b>{escape(FINISHED)}</b>",
                    style="font-size: 14px; color: #1b5e20; background: #e8f5e9; padding: 2px 8px; border-radius: 4px",
                    attributes={"data-testid": "finished"},
                )
            solara.FileDownload(lambda: export.timeseries_csv(m), filename=export.filename(m, "months"), label="Download the months (CSV)")
            solara.FileDownload(lambda: export.events_csv(m), filename=export.filename(m, "events"), label="Download the events (CSV)")
