"""The explanation panel: each mechanism in plain words, with its parameters in a table beneath.

The student text (what it is in the real world, the report's example) lives in
:mod:`sim.dashboard.plain`; the parameters come from the mechanism modules themselves (each
``Params`` field's description, unit and source, read through :func:`sim.core.params.param`), and
the switch and levers from the registry, so a changed parameter shows here without a second copy.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from html import escape
from typing import Any

from sim import config
from sim.dashboard.plain import PATTERNS, PLAIN
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
    plain_title: str = ""
    what: str = ""
    example: str = ""
    patterns: tuple[str, ...] = ()  # "P1", ... as the module's docstring names them


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
        plain_title, what, example = PLAIN.get(name, (title.strip(), " ".join(body.split()), ""))
        patterns = tuple(re.findall(r"\bP\d+\b", title))
        out.append(
            Mechanism(name, title.strip(), " ".join(body.split()), switch, mech.levers, params, plain_title, what, example, patterns)
        )
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
    """One mechanism for a student: what it is, the report's example, the patterns it helps explain,
    its switch and levers, then its parameters with unit and source in a table."""
    from sim.dashboard.scenario import LEVERS

    parts = [f"<p style='margin: 4px 0' data-testid='plain'>{escape(m.what)}</p>"]
    if m.example:
        parts.append(f"<p style='margin: 4px 0'><i>In the report:</i> {escape(m.example)}</p>")
    if m.patterns:
        spelled = "; ".join(f"{escape(PATTERNS.get(p, p))} ({p})" for p in m.patterns)
        parts.append(f"<p style='margin: 4px 0'><i>Helps explain the pattern:</i> {spelled}</p>")
    if m.switch is not None:
        state = "on" if on else "<b>off</b>"
        parts.append(f"<p style='margin: 4px 0'><i>Switch ({state}):</i> {escape(m.switch)}</p>")
    else:
        parts.append("<p style='margin: 4px 0'><i>Always on: the other mechanisms build on it.</i></p>")
    if m.levers:
        label = {lv.name: lv.label for lv in LEVERS}
        names = ", ".join(escape(label.get(lv, lv.replace("_", " "))) for lv in m.levers)
        parts.append(f"<p style='margin: 4px 0'><i>Policy levers that change it:</i> {names}</p>")
    if m.params:
        rows = "".join(
            f"<tr><td>{escape(p.description)}</td><td style='white-space: nowrap'>{escape(_fmt(p.value))}</td><td>{escape(p.unit)}</td>"
            f"<td style='color: #555'>{escape(p.source)}</td></tr>"
            for p in m.params
        )
        parts.append(
            "<table class='actor-table' data-testid='params'>"
            "<tr><th>parameter</th><th>value</th><th>unit</th><th>source</th></tr>"
            f"{rows}</table>"
        )
    return "".join(parts)
