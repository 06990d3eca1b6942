"""The sidebar: case, seed, policy levers and mechanism switches.

Each change goes through :func:`sim.dashboard.state.apply`, so it starts a new run from month 1
or, if the setting cannot be used, leaves the old run and says why.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import Any

import solara

from sim import config
from sim.dashboard.scenario import LEVERS, Lever, find_case, list_cases, settings_for_case
from sim.dashboard.state import apply, problems, settings


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
