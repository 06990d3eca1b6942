"""What every output column is: a flow per month, a stock, a state or a rate, and in which unit.

One table, :data:`TIMESERIES` for the monthly time series and :data:`OUTCOMES` for the summary
outcomes of a run, is the single source for three things: the units written into the Parquet
schema (field metadata ``unit``, ``kind``, ``description`` and a schema-level JSON under
``symbiosis.columns``), the annual view of a time series (:func:`annual`: flows summed over the
year, stocks at the year's end) and the generated reference ``docs/outputs.md``
(``python -m sim.outputs``; ``--check`` exits 1 when the file is out of date).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from sim.core.resources import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "outputs.md"
SCHEMA_KEY = b"symbiosis.columns"

FLOW = "flow per month"  # what happened in the month ``step``; sum months for a longer period
STOCK = "stock"  # a level at the end of the month ``step``; never sum it over months
STATE = "state"  # a level or index at the end of the month (0-1 or true/false)
INDEX = "index"  # a time axis column
TOTAL = "total over the run"
AT = "value at a month"
PER_YEAR = "flow per year"
COUNT = "count over the run"


@dataclass(frozen=True)
class Column:
    """One output column: kind, unit, bounds (for intervals) and what it means."""

    name: str
    kind: str
    unit: str
    description: str
    low: float | None = 0.0
    high: float | None = None


def _resource_columns() -> list[Column]:
    out = []
    for r in CATALOGUE.values():
        out.append(Column(f"exchanges_{r.name}", STOCK, "exchanges", f"operating exchanges of {r.label}"))
        out.append(Column(f"flow_{r.name}", FLOW, f"{r.unit}/month", f"quantity of {r.label} delivered in the month"))
    return out


TIMESERIES: dict[str, Column] = {
    c.name: c
    for c in [
        Column("step", INDEX, "month", "month of the run, 1 = the first", low=1),
        Column("year", INDEX, "calendar year", "calendar year of the month (start_year + (step - 1) // 12)", low=None),
        Column("month", INDEX, "month of year", "calendar month 1-12 (step 1 is January)", low=1, high=12),
        Column("active_exchanges", STOCK, "exchanges", "exchanges operating at the month's end"),
        Column("pipeline_exchanges", STOCK, "exchanges", "exchanges discovered but not yet operating (negotiation, permit, build)"),
        Column("participating_firms", STOCK, "firms", "firms with at least one operating exchange"),
        Column("firms_alive", STOCK, "firms", "firms that have not exited"),
        Column("startups_alive", STOCK, "firms", "start-ups alive"),
        Column("co2_avoided_t", FLOW, "t CO2/month", "CO2 emissions avoided by the month's deliveries"),
        Column("virgin_water_saved_m3", FLOW, "m3/month", "virgin water replaced by the month's deliveries"),
        Column("heat_delivered_mwh", FLOW, "MWh/month", "heat delivered in the month"),
        Column("public_funding_sek", STOCK, "SEK (cumulative)", "public money paid since the start of the run"),
        Column("public_funding_step_sek", FLOW, "SEK/month", "public money paid in the month"),
        Column("investment_support_sek", STOCK, "SEK (cumulative)", "investment grants paid since the start (part of public_funding_sek)"),
        Column(
            "private_funding_sek",
            STOCK,
            "SEK (cumulative)",
            "the firms' own money for facilitation since the start (co-financing, fees, own programmes); never in public_funding_sek",
        ),
        Column("private_funding_step_sek", FLOW, "SEK/month", "the firms' own money for facilitation paid in the month"),
        Column("facilitator_engagement", STATE, "share 0-1", "mean engagement of the facilitators", high=1.0),
        Column("mean_trust", STATE, "share 0-1", "mean trust of the live exchanges' pairs (NaN when none is live)", high=1.0),
        Column("cluster_active", STATE, "true/false", "enough participating firms and resources to count as a working cluster", high=1.0),
        *_resource_columns(),
    ]
}

OUTCOMES: dict[str, Column] = {
    c.name: c
    for c in [
        Column("final_active_exchanges", AT, "exchanges", "operating exchanges in the last month"),
        Column("peak_active_exchanges", COUNT, "exchanges", "largest number of operating exchanges in any month"),
        Column("collapsed", STATE, "true/false (share over runs)", "a cluster existed but none in the last collapse window", high=1.0),
        Column("first_exchange_step", AT, "month", "first month with an operating exchange; NULL if none", low=1),
        Column("co2_avoided_total_t", TOTAL, "t CO2", "sum of co2_avoided_t over the run"),
        Column("public_funding_total_sek", TOTAL, "SEK", "public money paid over the run"),
        Column("investment_support_total_sek", TOTAL, "SEK", "investment grants paid over the run (part of public_funding_total_sek)"),
        Column("private_funding_total_sek", TOTAL, "SEK", "the firms' own money for facilitation paid over the run"),
        Column("years_to_first_exchange", AT, "years", "(first_exchange_step - 1) / 12; NULL if none"),
        Column("active_exchanges_10y", AT, "exchanges", "operating exchanges at month 120; NULL if the run is shorter"),
        Column("active_exchanges_20y", AT, "exchanges", "operating exchanges at month 240; NULL if the run is shorter"),
        Column("co2_avoided_t_per_year_10y", PER_YEAR, "t CO2/year", "sum over months 109-120; NULL if the run is shorter"),
        Column("co2_avoided_t_per_year_20y", PER_YEAR, "t CO2/year", "sum over months 229-240; NULL if the run is shorter"),
        Column("virgin_water_saved_m3_per_year_10y", PER_YEAR, "m3/year", "sum over months 109-120; NULL if the run is shorter"),
        Column("virgin_water_saved_m3_per_year_20y", PER_YEAR, "m3/year", "sum over months 229-240; NULL if the run is shorter"),
        Column("exchange_years", TOTAL, "exchange-years", "operating exchange-months over the run / 12"),
        Column("virgin_water_saved_total_m3", TOTAL, "m3", "sum of virgin_water_saved_m3 over the run"),
        Column("heat_delivered_total_mwh", TOTAL, "MWh", "sum of heat_delivered_mwh over the run"),
        Column("cluster_ever_active", STATE, "true/false (share over runs)", "cluster_active in any month", high=1.0),
        Column("final_cluster_active", STATE, "true/false (share over runs)", "cluster_active in the last month", high=1.0),
        Column("firms_alive_final", AT, "firms", "firms alive in the last month"),
        Column("startups_entered", COUNT, "firms", "firm_entered events"),
        Column("permits_denied", COUNT, "permits", "permit_denied events"),
        Column("exchanges_ended_partner_exit", COUNT, "exchanges", "operating exchanges ended because a partner exited"),
        Column("mean_engagement", STATE, "share 0-1", "mean of facilitator_engagement over the months", high=1.0),
        Column("exchanges_started", COUNT, "exchanges", "exchanges that reached operation"),
        Column("startup_exchanges_started", COUNT, "exchanges", "of which with a start-up receiver"),
        Column("anchor_exchanges_started", COUNT, "exchanges", "of which with an anchor supplier"),
        Column("facilitators_started", COUNT, "facilitators", "facilitation_started events (diffusion)"),
        Column("guarantees_paid", COUNT, "guarantees", "guarantee_paid events (a guaranteed start-up exited)"),
        Column("projects_started", COUNT, "projects", "project_started events (facilitation projects funded)"),
        Column("project_applications_refused", COUNT, "applications", "funding_denied events (a programme turned a project down)"),
        Column(
            "project_budget_full_years",
            COUNT,
            "programme-years",
            "years in which a public project programme's appropriation had no room for one more project-year",
        ),
        Column("investment_grants", COUNT, "grants", "investment_grant events"),
        Column("investment_grants_refused_budget", COUNT, "applications", "investment_grant_denied events for lack of budget"),
        Column(
            "investment_grants_refused_new_establishment",
            COUNT,
            "applications",
            "investment_grant_denied events because a new establishment has no existing emissions",
        ),
        Column("permits_granted", COUNT, "permits", "permit_granted events"),
        Column("heat_assessments", COUNT, "assessments", "heat_assessment events (EED mandate)"),
        Column("plots_replanned", COUNT, "plots", "industrial plots re-planned for housing (land_replanned counts)"),
        Column("financing_failed", COUNT, "financings", "financing_failed events"),
        Column("facilitators", AT, "facilitators", "facilitators in the last month"),
    ]
}


def window_name(column: str, months: int) -> str:
    """Name of a flow summed over the ``months`` ending at a kept row of a thinned series."""
    return f"{column}_sum_{months}m"


def window_column(column: str, months: int) -> Column:
    base = TIMESERIES[column]
    unit = base.unit.replace("/month", f"/{months} months")
    return Column(
        window_name(column, months),
        f"flow over {months} months",
        unit,
        f"{base.description}, summed over the {months} months ending at step",
    )


def describe(name: str) -> Column | None:
    """The reference entry of a column name (time series, window sums, outcomes), None if unknown."""
    if name in TIMESERIES:
        return TIMESERIES[name]
    if name in OUTCOMES:
        return OUTCOMES[name]
    base, sep, months = name.rpartition("_sum_")
    if sep and months.endswith("m") and months[:-1].isdigit() and base in TIMESERIES and TIMESERIES[base].kind == FLOW:
        return window_column(base, int(months[:-1]))
    return None


def flows(columns: list[str]) -> list[str]:
    return [c for c in columns if c in TIMESERIES and TIMESERIES[c].kind == FLOW]


def annotate(table: pa.Table) -> pa.Table:
    """``table`` with unit, kind and description on every known field and as schema-level JSON."""
    fields, known = [], {}
    for field in table.schema:
        col = describe(field.name)
        if col is None:
            fields.append(field)
            continue
        meta = {"unit": col.unit, "kind": col.kind, "description": col.description}
        known[field.name] = meta
        fields.append(field.with_metadata({k.encode(): v.encode() for k, v in meta.items()}))
    schema = pa.schema(fields, metadata={SCHEMA_KEY: json.dumps(known, sort_keys=True).encode()} if known else None)
    return table.cast(schema)


def units(schema: pa.Schema) -> dict[str, str]:
    """Column -> unit as stored in a Parquet schema (for readers of the files)."""
    raw = (schema.metadata or {}).get(SCHEMA_KEY)
    return {k: v["unit"] for k, v in json.loads(raw).items()} if raw else {}


def annual(ts: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """One row per complete calendar year: flows summed over its months (``<col>_per_year``), stocks
    and states at its last month (``<col>``). Works on a run's monthly ``timeseries``."""
    columns = columns or [c for c in ts.columns if c in TIMESERIES and TIMESERIES[c].kind != INDEX]
    months = ts.groupby("year")["step"].count()
    complete = months[months == 12].index
    g = ts[ts["year"].isin(complete)].groupby("year", sort=True)
    out = pd.DataFrame(index=pd.Index(complete.sort_values(), name="year"))
    for c in columns:
        if TIMESERIES[c].kind == FLOW:
            out[f"{c}_per_year"] = g[c].sum()
        else:
            out[c] = g[c].last()
    return out.reset_index()


def _table(cols: list[Column]) -> list[str]:
    lines = ["| column | kind | unit | meaning |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.kind} | {c.unit} | {c.description} |" for c in cols]
    return lines


def render() -> str:
    """The text of docs/outputs.md."""
    ex = window_column("co2_avoided_t", 12)
    lines = [
        "# Outputs reference",
        "",
        "Generated by `python -m sim.outputs` from `sim/outputs.py`; do not edit by hand (a test checks it).",
        "The same units are in the Parquet files: every known column's field metadata holds `unit`, `kind`",
        "and `description`, and the schema metadata key `symbiosis.columns` holds them as JSON",
        "(`pyarrow.parquet.read_schema(path).metadata[b'symbiosis.columns']`, or `sim.outputs.units(schema)`).",
        "",
        "Kinds: a **flow per month** is what happened in the month `step` (sum months to get a longer",
        "period, never average them into a year); a **stock** or **state** is a level at the end of the",
        "month (never sum it over months); an **index** is a time axis.",
        "",
        "## Time series of a run (`timeseries.parquet`, one row per month)",
        "",
        *_table(list(TIMESERIES.values())),
        "",
        "`sim.outputs.annual(ts)` gives one row per complete calendar year: flows summed over the year",
        "(`co2_avoided_t_per_year`, t CO2/year), stocks and states at the year's last month.",
        "",
        "## Time series of a sweep (`timeseries/batch-*.parquet`)",
        "",
        "Kept every `outcomes.timeseries.every` months (`step` a multiple of it), with `run_id`, `step`, `year`",
        "and the chosen columns as above: a flow column holds the flow of that one month only. Every",
        "chosen flow also gets its sum over the kept period, e.g. with `every: 12`:",
        "",
        *_table([ex]),
        "",
        "`symbiosis query` and `analyze` offer the view `timeseries_annual` when `every` divides 12: per",
        "run and complete year, `<flow>_per_year` (the sum of the year's monthly flows) and the stocks",
        "at the year's last kept month.",
        "",
        "## Summary outcomes (`summary.json` of a run; the `runs` table of a sweep)",
        "",
        "Bounds (lower 0 for every outcome, upper 1 for shares) are used to keep intervals inside them.",
        "An outcome the run's horizon cannot reach (e.g. `active_exchanges_20y` of a 10-year run) is NULL",
        "in a sweep's Parquet files, so DuckDB's `avg()` over such runs is NULL, not NaN.",
        "",
        *_table(list(OUTCOMES.values())),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.outputs", description="Write docs/outputs.md from sim/outputs.py.")
    ap.add_argument("--check", action="store_true", help="exit 1 if the file differs from the generated text")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out} is {'up to date' if same else 'out of date: run python -m sim.outputs'}", file=sys.stderr)
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
