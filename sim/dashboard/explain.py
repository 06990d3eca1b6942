"""The explanation panel, built from the mechanism modules themselves.

Each mechanism's docstring says what it does and where in the report it comes from; its
``Params`` fields carry description, unit and source; the policy levers it reads are found in its
source. Reading them here keeps one text in one place: change a docstring, the panel follows.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Any

from sim import config


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


@cache
def _levers_read_by(name: str) -> tuple[str, ...]:
    src = inspect.getsource(config.MECHANISM_MODULES[name])
    used = set(re.findall(r"policy\.([a-z_]+)", src))
    return tuple(lv for lv in config.Policy.model_fields if lv in used)


def mechanisms(cfg: config.ScenarioConfig) -> list[Mechanism]:
    """Every mechanism with its text, switch, levers and parameter values in this scenario."""
    out = []
    switches = config.Switches.model_fields
    for name, mod in config.MECHANISM_MODULES.items():
        doc = inspect.cleandoc(mod.__doc__ or name)
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
            for pname, f in mod.Params.model_fields.items()
        )
        switch = switches[name].description if name in switches else None
        out.append(Mechanism(name, title.strip(), " ".join(body.split()), switch, _levers_read_by(name), params))
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
