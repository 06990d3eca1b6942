"""The ``facts:`` block of a case file: what the report says happened, as data the model can be checked against.

Each fact is a statement of the report (``says``, with its ``source``), an observable the model
produces (``observe`` and the kind's arguments), a window of calendar years and the expected value.
Firm ids must be firms of the file (listed or brought by a firm_entry event), so a renamed firm
cannot leave a fact silently unobservable. The docking command (``symbiosis check-cases``) evaluates
the facts of every case; see sim/run/docking.py and configs/cases/README.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationInfo, field_validator, model_validator

from sim.core.params import Strict, param
from sim.core.resources import ResourceName

if TYPE_CHECKING:
    from sim.config.schema import ScenarioConfig

ObserveKind = Literal[
    "exchange",
    "exchange_started",
    "cluster_active",
    "firm_present",
    "firm_entered",
    "permit_denied",
    "land_replanned",
    "count",
    "falls",
    "quantity",
]
Stat = Literal["max", "mean", "last", "min"]

# What each kind needs (required) and may take (optional); any other argument is an error.
ARGUMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "exchange": (("resource",), ("supplier", "receiver")),
    "exchange_started": (("resource",), ("supplier", "receiver")),
    "cluster_active": ((), ()),
    "firm_present": (("firm",), ()),
    "firm_entered": ((), ("firm", "sector")),
    "permit_denied": (("resource",), ("firm",)),
    "land_replanned": ((), ("municipality",)),
    "count": (("metric",), ("stat",)),
    "falls": (("metric",), ()),
    "quantity": (("resource",), ("supplier", "receiver")),
}
FIRM_FIELDS = ("firm", "supplier", "receiver")
RANGED = ("count", "quantity")  # the kinds whose expected value is a range [lo, hi], not a yes/no
FACT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# A case of the report's appendix (A1-A29) or a section (§2.3.1); several may be given, comma-separated.
SOURCE = re.compile(r"^\s*(A([1-9]|1\d|2\d)|§\s?\d+(\.\d+)*)(\s*,\s*(A([1-9]|1\d|2\d)|§\s?\d+(\.\d+)*))*\s*$")

PATTERNS = {
    "id": (FACT_ID, "snake_case, a lower-case letter then letters, digits and _"),
    "source": (SOURCE, "a case A1-A29 or a section such as §2.3.1, several separated by commas"),
}


class FactConfig(Strict):
    """One fact of the report a case run can be checked against (configs/cases/README.md, facts)."""

    id: str = param(..., "snake_case id", "case file", "Unique within the case, e.g. findus_leaves.", min_length=1, max_length=80)
    says: str = param(..., "text", "the report", "The report's statement, quoted or closely paraphrased (English).", min_length=1)
    source: str = param(..., "case id or section", "the report", "The report's case (A13) or section (§2.3.1) the statement is from.")
    observe: ObserveKind = param(
        ...,
        "observable kind",
        "configs/cases/README.md",
        "exchange (operating in some month of the window), exchange_started (began operating in the window), cluster_active, "
        "firm_present, firm_entered, permit_denied, land_replanned (industrial land beside a hub re-planned for housing), count "
        "(a timeseries column's statistic in a range), falls (its mean over the window's last year below that over its first) or "
        "quantity (the monthly quantity of the matching exchanges operating at the window's end, in a range).",
    )
    window: tuple[int, int] = param(..., "calendar years (first, last), inclusive", "the report", "The years the fact speaks of.")
    expect: bool | tuple[float, float] = param(
        ...,
        "true/false, or [lo, hi] for count and quantity",
        "the report",
        "Whether it happens (yes/no kinds), or the range a count lies in.",
    )
    resource: ResourceName | None = param(
        None, "resource type", "the report", "For exchange, exchange_started, quantity and permit_denied: the resource."
    )
    supplier: str | None = param(
        None, "firm name", "the report", "For exchange, exchange_started and quantity: the supplying firm (none: any)."
    )
    receiver: str | None = param(
        None, "firm name", "the report", "For exchange, exchange_started and quantity: the receiving firm (none: any)."
    )
    firm: str | None = param(None, "firm name", "the report", "For firm_present, firm_entered, permit_denied: the firm.")
    sector: str | None = param(None, "sector", "the report", "For firm_entered: a firm of this sector entered (none: any).")
    municipality: str | None = param(None, "municipality name", "the report", "For land_replanned: the municipality (none: any).")
    metric: str | None = param(
        None, "timeseries column", "docs/outputs.md", "For count and falls: the timeseries column, e.g. active_exchanges."
    )
    stat: Stat = param("max", "statistic", "configs/cases/README.md", "For count: max, mean, min or last over the window's months.")

    @field_validator("id", "source")
    @classmethod
    def _pattern(cls, v: str, info: ValidationInfo) -> str:
        pattern, allowed = PATTERNS[info.field_name or ""]
        if not pattern.match(v):
            raise ValueError(f"allowed: {allowed}")
        return v

    @model_validator(mode="after")
    def _window(self) -> FactConfig:
        if self.window[1] < self.window[0]:
            raise ValueError(f"window: last year {self.window[1]} is before the first {self.window[0]} (allowed: first <= last)")
        return self


def check_facts(cfg: ScenarioConfig) -> list[str]:
    """Cross-checks of the facts block: ids unique, the kind's arguments, firms of the file, a known metric,
    the expected value's type and a window inside the horizon."""
    from sim.config.history import all_firms
    from sim.outputs import TIMESERIES

    problems: list[str] = []
    firms = sorted({fc.name for _, fc, _ in all_firms(cfg)})
    munis = sorted(m.name for m in cfg.municipalities)
    seen: set[str] = set()
    for i, f in enumerate(cfg.facts):
        loc = f"facts.{i} ({f.id})"
        if f.id in seen:
            problems.append(f"{loc}.id: value {f.id!r} is a duplicate (allowed: ids unique within the case)")
        seen.add(f.id)
        required, optional = ARGUMENTS[f.observe]
        for name in ("resource", "supplier", "receiver", "firm", "sector", "municipality", "metric"):
            value = getattr(f, name)
            if name in required and value is None:
                problems.append(f"{loc}.{name}: missing for observe {f.observe} (allowed: {_what(name)})")
            elif value is not None and name not in required + optional:
                allowed = ", ".join(required + optional) or "no arguments"
                problems.append(f"{loc}.{name}: not an argument of observe {f.observe} (allowed: {allowed})")
        for name in FIRM_FIELDS:
            value = getattr(f, name)
            if value is not None and value not in firms:
                problems.append(
                    f"{loc}.{name}: value {value!r} is not a firm of this file (allowed: a listed firm or one a firm_entry event brings: "
                    f"{', '.join(firms)})"
                )
        if f.municipality is not None and f.municipality not in munis:
            problems.append(f"{loc}.municipality: value {f.municipality!r} is not a municipality (allowed: {', '.join(munis)})")
        if f.metric is not None and f.metric not in TIMESERIES:
            problems.append(f"{loc}.metric: value {f.metric!r} is not a timeseries column (allowed: {', '.join(TIMESERIES)})")
        is_count = f.observe in RANGED
        if is_count and isinstance(f.expect, bool):
            problems.append(f"{loc}.expect: value {f.expect} is a yes/no (allowed for count: [lo, hi] with lo <= hi)")
        elif not is_count and not isinstance(f.expect, bool):
            problems.append(f"{loc}.expect: value {list(f.expect)} is a range (allowed for {f.observe}: true or false)")
        elif is_count and f.expect[1] < f.expect[0]:  # type: ignore[index]
            problems.append(f"{loc}.expect: value {list(f.expect)} has hi below lo (allowed: [lo, hi] with lo <= hi)")  # type: ignore[arg-type]
        if f.observe == "falls" and f.window[1] == f.window[0]:
            problems.append(f"{loc}.window: value {list(f.window)} is one year (allowed for falls: at least two years, first <= last - 1)")
    return problems


def _what(name: str) -> str:
    return {
        "resource": "a resource of the catalogue",
        "metric": "a timeseries column of docs/outputs.md",
        "firm": "a firm's name",
    }.get(name, "a value")
