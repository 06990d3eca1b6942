"""Generate ``docs/parameters.md`` from the config schema and the resource catalogue.

The table is never written by hand: every row comes from a field declared with
:func:`sim.core.params.param`, so unit, default, range and source cannot drift from the code. Run
``python -m sim.docs_gen`` after changing a parameter; ``--check`` (used by the tests and CI)
exits 1 when the committed file is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import BaseModel

from sim.config import (
    ROOT,
    DemandConfig,
    EventConfig,
    FacilitatorConfig,
    FirmConfig,
    InvestmentProgrammeConfig,
    MunicipalityConfig,
    OfferConfig,
    PlotsConfig,
    ProgrammeConfig,
    RegionConfig,
    ScenarioConfig,
)
from sim.core.resources import CATALOGUE
from sim.docs_gen.schema import Row, extra_of, fmt_range, fmt_value, list_item_model, walk
from sim.mechanisms import REGISTRY

OUT = ROOT / "docs" / "parameters.md"

# Entity configs are lists in a scenario; ``*`` stands for a list index (``--set firms.0.cash_msek=20``).
ENTITIES: tuple[tuple[str, type[BaseModel], str], ...] = (
    ("regions.*", RegionConfig, "Region"),
    ("regions.*.programmes.*", ProgrammeConfig, "Funding programme"),
    ("regions.*.investment_programmes.*", InvestmentProgrammeConfig, "Investment-support programme"),
    ("municipalities.*", MunicipalityConfig, "Municipality"),
    ("municipalities.*.plots.*", PlotsConfig, "Plots beside a hub"),
    ("facilitators.*", FacilitatorConfig, "Facilitator"),
    ("firms.*", FirmConfig, "Firm"),
    ("firms.*.offers.*", OfferConfig, "Offer (residual stream)"),
    ("firms.*.demands.*", DemandConfig, "Demand"),
    ("events.*", EventConfig, "Scheduled event"),
)


def list_rows() -> list[Row]:
    """The list-valued fields that hold entities (``firms``, ``firms.*.offers``, ...)."""
    rows: list[Row] = []
    for prefix, model in [("", ScenarioConfig)] + [(p + ".", m) for p, m, _ in ENTITIES]:
        for name, info in model.model_fields.items():
            if list_item_model(info.annotation):
                extra = extra_of(info)
                rows.append(
                    Row(
                        f"{prefix}{name}",
                        str(extra.get("unit", "")),
                        fmt_value(info.default),
                        fmt_range(info),
                        str(extra.get("source", "")),
                        info.description or "",
                    )
                )
    return rows


def sections() -> list[tuple[str, str, str, list[Row]]]:
    """(anchor, heading, intro, rows) for every table, in reading order."""
    default = ScenarioConfig()
    out: list[tuple[str, str, str, list[Row]]] = []
    top = [r for r in walk(ScenarioConfig, "", default) if "." not in r.key]
    out.append(("scenario", "Scenario", "Top-level keys of a scenario file.", top))
    out.append(
        (
            "policy",
            "Policy levers (`policy.*`)",
            "What an authority can change; also settable by `set_policy` events.",
            walk(type(default.policy), "policy.", default.policy),
        )
    )
    out.append(
        (
            "mechanisms",
            "Mechanism switches (`mechanisms.*`)",
            "Each mechanism can be switched off alone; see the submodel of the same name in [odd.md](odd.md#7-submodels).",
            walk(type(default.mechanisms), "mechanisms.", default.mechanisms),
        )
    )
    for mech in REGISTRY:
        name = mech.name
        section = getattr(default.params, name)
        rows = walk(type(section), f"params.{name}.", section)
        out.append((f"params-{name}", f"`params.{name}`", f"{mech.title} Submodel: [odd.md § {name}](odd.md#{mech.odd}).", rows))
    out.append(
        (
            "observation",
            "Observation (`observation.*`)",
            "How the collector judges a cluster.",
            walk(type(default.observation), "observation.", default.observation),
        )
    )
    out.append(
        (
            "resources",
            "Resource values (`resources.*`)",
            "Every value of the resource catalogue (sim/core/resources.py), per resource and property; a scenario overrides "
            "any of them (`resources: {oxygen: {transport_sek_per_unit_km: 3.0}}` or `--set resources.oxygen.transport_sek_per_unit_km=3`) "
            "and `set_price` events change the prices during a run. A cap (`max_distance_km`) stands only where physics or the "
            "resource sets one; elsewhere the benefit rule prices the distance.",
            walk(type(default.resources), "resources.", default.resources),
        )
    )
    out.append(("lists", "Entity lists", "The lists a scenario holds; one table per entity below.", list_rows()))
    for prefix, model, title in ENTITIES:
        anchor = "entity-" + prefix.replace(".*", "").replace(".", "-")
        out.append(
            (
                anchor,
                f"{title} (`{prefix}`)",
                (model.__doc__ or "").strip() if model.__doc__ and "Strict" not in model.__doc__ else "",
                walk(model, f"{prefix}.", None),
            )
        )
    return out


def all_rows() -> list[Row]:
    """Every parameter row of every table (the test checks units and sources on these)."""
    return [row for _, _, _, rows in sections() for row in rows]


def _cell(text: str) -> str:
    """Escape what would break a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[Row]) -> list[str]:
    lines = ["| key | unit | default | range | source | description |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        key = f'<a id="{r.key}"></a>`{r.key}`'
        default = r.default if r.default == "required" else f"`{_cell(r.default)}`"
        lines.append("| " + " | ".join([key, _cell(r.unit), default, _cell(r.range), _cell(r.source), _cell(r.description)]) + " |")
    return lines


def catalogue_table() -> list[str]:
    """The resource catalogue at a glance: what each stream is and its main values (sources in `resources.*`)."""
    lines = [
        "| resource | label | unit | quality | cap (km) | search reach (km) | transport (SEK/unit/km) | pipe (SEK/km)"
        " | fixed investment (SEK) | virgin price (SEK/unit) | upgrade (SEK/unit) | disposal fee (SEK/unit) | landfilled share"
        " | CO2 (t/unit) | water (m3/unit) | heat (MWh/unit) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in CATALOGUE.values():
        cells = [
            f'<a id="resource-{r.name}"></a>`{r.name}`',
            r.label,
            r.unit,
            r.quality_dimension,
            fmt_value(r.max_distance_km),
            fmt_value(r.search_reach_km),
            fmt_value(r.transport_sek_per_unit_km),
            fmt_value(r.connection_sek_per_km),
            fmt_value(r.fixed_investment_sek),
            fmt_value(r.virgin_price_sek_per_unit),
            fmt_value(r.upgrade_sek_per_unit),
            fmt_value(r.disposal_fee_sek_per_unit),
            fmt_value(r.landfill_share),
            fmt_value(r.co2_t_per_unit),
            fmt_value(r.water_m3_per_unit),
            fmt_value(r.heat_mwh_per_unit),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def render() -> str:
    """The whole of ``docs/parameters.md``; deterministic, so ``--check`` can compare text."""
    lines = [
        "# Parameters",
        "",
        "<!-- Generated by `python -m sim.docs_gen` from the config schema (sim/config/schema.py and each mechanism's",
        "     `Params`) and sim/core/resources.py. Do not edit by hand: change the code and regenerate. -->",
        "",
        "Every value a scenario can set, with its unit, default, allowed range and source. Keys are dotted paths",
        "as used by `--set` (e.g. `--set policy.funding_gap_months=12`); `*` stands for a list index",
        "(`--set firms.0.cash_msek=20`). `required` means the key has no default. A range `[a, b]` includes its",
        "ends, `(a, b)` excludes them. Sources cite the report's sections (§) and appendix cases (A1–A29), summarised",
        "in [sources.md](sources.md), or papers; `assumption` marks values the report does not give. Rows of a nested",
        "setting (a permit activity's `months` and `denial`) carry the source of the setting, which sets their",
        "defaults. The model is described in [odd.md](odd.md).",
        "",
        "## Contents",
        "",
    ]
    secs = sections()
    for anchor, heading, _, _ in secs:
        lines.append(f"- [{heading}](#{anchor})")
    lines.append("- [Resource catalogue](#resource-catalogue)")
    lines.append("")
    for anchor, heading, intro, rows in secs:
        level = "###" if anchor.startswith(("params-", "entity-")) else "##"
        if anchor == f"params-{REGISTRY[0].name}":
            lines += [
                "## Mechanism parameters (`params.*`)",
                "",
                "One table per mechanism, in the order of the registry (`sim/mechanisms/__init__.py`): the order in which they act in a month.",
                "",
            ]
        if anchor == "entity-regions":
            lines += ["## Entities", "", "Fields of each entity in a scenario's lists.", ""]
        lines += [f'<a id="{anchor}"></a>', "", f"{level} {heading}", ""]
        if intro:
            lines += [intro, ""]
        lines += [*table(rows), ""]
    lines += [
        '<a id="resource-catalogue"></a>',
        "",
        "## Resource catalogue",
        "",
        "The defaults of `sim.core.resources.CATALOGUE`; each value, its unit and its source is a row of",
        "[Resource values](#resources), where a scenario overrides it. Quantities are per month in the resource's unit. A cap",
        "(none: no cap) is a physical limit; elsewhere transport per unit and km, pipe per km and the fixed investment make a",
        "far deal unprofitable in the benefit rule, and the search reach only bounds where matching looks. The disposal a",
        "supplier avoids is the fee plus `policy.landfill_tax_sek_per_t` on the landfilled share; the CO2, water and heat",
        "factors convert delivered quantities into the outcomes of the time series (the CO2 factor is also what",
        "`policy.co2_price_sek_per_t` prices).",
        "",
        *catalogue_table(),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write docs/parameters.md, or with ``--check`` report whether it is up to date."""
    parser = argparse.ArgumentParser(prog="python -m sim.docs_gen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/parameters.md differs from the schema")
    parser.add_argument("--out", type=Path, default=OUT, help="file to write or check (default: docs/parameters.md)")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run `.venv/bin/python -m sim.docs_gen`", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(all_rows())} parameters, {len(CATALOGUE)} resources)")
    return 0
