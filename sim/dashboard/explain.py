"""The explanation panel, built from the mechanism modules themselves.

Each mechanism's docstring says what it does and where in the report it comes from; its
``Params`` fields carry description, unit and source; its registry entry names its switch and the
policy levers it reads. Reading them here keeps one text in one place: change a docstring, the
panel follows.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from html import escape
from typing import Any

from sim import config
from sim.mechanisms import REGISTRY


@dataclass(frozen=True)
class ParamInfo:
    name: str
    description: str
    unit: str
    source: str
    value: Any


@dataclass(frozen=True)
class Mechanism:
    name: str
    title: str
    body: str
    switch: str | None  # description of its on/off switch, None if it cannot be switched off
    levers: tuple[str, ...]
    params: tuple[ParamInfo, ...]


def _extra(field: Any) -> dict[str, Any]:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def mechanisms(cfg: config.ScenarioConfig) -> list[Mechanism]:
    """Every mechanism with its text, switch, levers and parameter values in this scenario."""
    out = []
    for mech in REGISTRY:
        name = mech.name
        doc = inspect.cleandoc(mech.module.__doc__ or name)
        title, _, body = doc.partition("\n")
        values = getattr(cfg.params, name)
        params = tuple(
            ParamInfo(
                pname,
                f.description or "",
                str(_extra(f).get("unit", "")),
                str(_extra(f).get("source", "")),
                getattr(values, pname),
            )
            for pname, f in mech.params.model_fields.items()
        )
        switch = mech.switch.description if mech.switch is not None else None
        out.append(Mechanism(name, title.strip(), " ".join(body.split()), switch, mech.levers, params))
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}"
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def mechanism_html(m: Mechanism, on: bool | None) -> str:
    """One mechanism as a small HTML block: what, switch, levers, parameters with unit and source."""
    parts = [f"<p style='margin: 4px 0'>{escape(m.body)}</p>"]
    if m.switch is not None:
        state = "on" if on else "<b>off</b>"
        parts.append(f"<p style='margin: 4px 0'><i>Switch ({state}):</i> {escape(m.switch)}</p>")
    else:
        parts.append("<p style='margin: 4px 0'><i>Always on: the other mechanisms build on it.</i></p>")
    if m.levers:
        names = ", ".join(escape(lv.replace("_", " ")) for lv in m.levers)
        parts.append(f"<p style='margin: 4px 0'><i>Policy levers it reads:</i> {names}</p>")
    if m.params:
        rows = "".join(
            f"<tr><td>{escape(p.description)}</td><td style='white-space: nowrap'>{escape(_fmt(p.value))} {escape(p.unit)}</td>"
            f"<td style='color: #555'>{escape(p.source)}</td></tr>"
            for p in m.params
        )
        parts.append(
            "<table style='font-size: 11px; border-collapse: collapse; width: 100%' data-testid='params'>"
            "<tr style='text-align: left'><th>parameter</th><th>value and unit</th><th>source in the report</th></tr>"
            f"{rows}</table>"
        )
    return "".join(parts)
