"""Run a scenario and write its results: config → model → collector → store.

:func:`run` is the single entry every other tool uses (command line, sweeps, comparisons,
dashboard tests), so the same config and seed give the same numbers everywhere.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from sim.config import ScenarioConfig, resolved
from sim.core.events import COLUMNS as event_columns
from sim.core.model import SymbiosisModel
from sim.run.gc_policy import few_collections
from sim.run.measures import MECHANISM_COUNTS, Tally, mechanism_counts

SUMMARY_KEYS = (
    "final_active_exchanges",
    "peak_active_exchanges",
    "collapsed",
    "first_exchange_step",
    "co2_avoided_total_t",
    "public_funding_total_sek",
    "investment_support_total_sek",
    "private_funding_total_sek",
    "years_to_first_exchange",
    "active_exchanges_10y",
    "active_exchanges_20y",
    "co2_avoided_t_per_year_10y",
    "co2_avoided_t_per_year_20y",
    "virgin_water_saved_m3_per_year_10y",
    "virgin_water_saved_m3_per_year_20y",
    "exchange_years",
    "virgin_water_saved_total_m3",
    "heat_delivered_total_mwh",
    "cluster_ever_active",
    "final_cluster_active",
    "firms_alive_final",
    "startups_entered",
    "permits_denied",
    "exchanges_ended_partner_exit",
    "mean_engagement",
    "exchanges_started",
    "startup_exchanges_started",
    "anchor_exchanges_started",
    "facilitators_started",
    *MECHANISM_COUNTS,
)


@dataclass
class RunResult:
    """Everything one run produced, as tables and a summary."""

    config: ScenarioConfig
    seed: int
    timeseries: pd.DataFrame
    events: pd.DataFrame
    exchanges: pd.DataFrame
    summary: dict[str, Any]


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("symbiosis-sim", "mesa", "numpy", "pandas", "pydantic", "pyarrow", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def simulate(
    config: ScenarioConfig, seed: int, steps: int | None = None, on_step: Callable[[SymbiosisModel], None] | None = None
) -> SymbiosisModel:
    """Build and run the model for ``steps`` months (the config's horizon by default), with the
    garbage collector's thresholds raised (:mod:`sim.run.gc_policy`)."""
    with few_collections():
        model = SymbiosisModel(config, rng=seed)
        if steps is not None:
            model.horizon = steps
        while model.running:
            model.step()
            if on_step is not None:
                on_step(model)
    return model


def run(config: ScenarioConfig, seed: int, steps: int | None = None, on_step: Callable[[SymbiosisModel], None] | None = None) -> RunResult:
    """Run one scenario with one seed and return its tables and summary."""
    model = simulate(config, seed, steps, on_step)
    ts = model.collector.frame()
    events = pd.DataFrame(model.events, columns=list(event_columns))
    exchanges = exchange_table(model)
    return RunResult(config, seed, ts, events, exchanges, summarise(model, ts, events, exchanges))


def exchange_table(model: SymbiosisModel) -> pd.DataFrame:
    rows = []
    for ex in model.exchanges.values():
        rows.append(
            {
                "id": ex.id,
                "resource": ex.resource,
                "supplier": model.firms[ex.supplier].name,
                "receiver": model.firms[ex.receiver].name,
                "supplier_role": model.firms[ex.supplier].role.value,
                "receiver_role": model.firms[ex.receiver].role.value,
                "quantity_per_month": ex.quantity,
                "distance_km": ex.distance_km,
                "price_sek_per_unit": ex.price_sek_per_unit,
                "investment_sek": ex.investment_sek,
                "facilitated": ex.facilitated,
                "discovered_step": ex.discovered_step,
                "operating_since": -1 if ex.operating_since is None else ex.operating_since,
                "ended_step": -1 if ex.ended_step is None else ex.ended_step,
                "stage": ex.stage.value,
                "end_reason": "" if ex.end_reason is None else ex.end_reason.value,
                "delivered_months": ex.delivered_months,
            }
        )
    cols = [
        "id",
        "resource",
        "supplier",
        "receiver",
        "supplier_role",
        "receiver_role",
        "quantity_per_month",
        "distance_km",
        "price_sek_per_unit",
        "investment_sek",
        "facilitated",
        "discovered_step",
        "operating_since",
        "ended_step",
        "stage",
        "end_reason",
        "delivered_months",
    ]
    return pd.DataFrame(rows, columns=cols)


def _at(col: np.ndarray, step: int) -> float:
    """Value of a time-series column at ``step``, or NaN if the run is shorter."""
    return float(col[step - 1]) if len(col) >= step else math.nan


def _per_year(col: np.ndarray, step: int) -> float:
    """Sum of a time-series column over the twelve months ending at ``step`` (as pandas sums:
    missing values count as 0), or NaN if the run is shorter."""
    return float(np.nansum(col[step - 12 : step])) if len(col) >= step else math.nan


def summarise(model: SymbiosisModel, ts: pd.DataFrame, events: pd.DataFrame, exchanges: pd.DataFrame) -> dict[str, Any]:
    """The scalar outcomes every study uses (from the columns' arrays: pandas' per-call cost was
    most of a case's summary)."""
    active, step, cluster = ts["active_exchanges"].to_numpy(), ts["step"].to_numpy(), ts["cluster_active"].to_numpy(dtype=bool)
    co2, water = ts["co2_avoided_t"].to_numpy(), ts["virgin_water_saved_m3"].to_numpy()
    started = np.flatnonzero(active > 0)
    first = int(step[started[0]]) if len(started) else None
    window = model.config.observation.collapse_window_months
    ever = bool(cluster.any())
    collapsed = bool(ever and len(cluster) >= window and not cluster[-window:].any())
    opened = exchanges["operating_since"].to_numpy() > 0
    tally = Tally(events)
    kinds = tally.kinds
    return {
        "final_active_exchanges": int(active[-1]),
        "peak_active_exchanges": int(active.max()),
        "collapsed": collapsed,
        "first_exchange_step": first,
        "co2_avoided_total_t": float(np.nansum(co2)),
        "public_funding_total_sek": float(model.public_sek_total),
        "investment_support_total_sek": float(model.state.investment_support.paid_sek),
        "private_funding_total_sek": float(model.private_sek_total),
        "years_to_first_exchange": (first - 1) / 12.0 if first is not None else None,
        "active_exchanges_10y": _at(active, 120),
        "active_exchanges_20y": _at(active, 240),
        "co2_avoided_t_per_year_10y": _per_year(co2, 120),
        "co2_avoided_t_per_year_20y": _per_year(co2, 240),
        "virgin_water_saved_m3_per_year_10y": _per_year(water, 120),
        "virgin_water_saved_m3_per_year_20y": _per_year(water, 240),
        "exchange_years": float(active.sum() / 12.0),
        "virgin_water_saved_total_m3": float(np.nansum(water)),
        "heat_delivered_total_mwh": float(np.nansum(ts["heat_delivered_mwh"].to_numpy())),
        "cluster_ever_active": ever,
        "final_cluster_active": bool(cluster[-1]),
        "firms_alive_final": int(ts["firms_alive"].to_numpy()[-1]),
        "startups_entered": kinds["firm_entered"],
        "permits_denied": kinds["permit_denied"],
        "exchanges_ended_partner_exit": tally.partner_exit_ended,
        "mean_engagement": float(ts["facilitator_engagement"].mean()),
        "exchanges_started": int(opened.sum()),
        "startup_exchanges_started": int((opened & (exchanges["receiver_role"].to_numpy() == "startup")).sum()),
        "anchor_exchanges_started": int((opened & (exchanges["supplier_role"].to_numpy() == "anchor")).sum()),
        "facilitators_started": kinds["facilitation_started"],
        **mechanism_counts(model, tally),
    }


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write deterministically: no pandas index, no timestamps; temporary name, then rename.

    Known columns carry their unit and kind in the Parquet schema (see :mod:`sim.outputs`)."""
    from sim.outputs import annotate

    table = annotate(pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None))
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)


def resolved_yaml(meta: dict[str, Any]) -> str:
    """Block YAML for the settings, and one flow-style line per entity (firm, municipality, ...).

    A national config lists 20,000 firms and 290 municipalities; PyYAML's representer needs
    seconds for that, while a JSON line per entity (JSON flow mappings are YAML) takes a fraction
    and still reads as one entity per line. ``yaml.safe_load`` gives back the same dict (tested).
    """
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when installed
    parts = []
    for key, value in meta.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            parts.append(f"{key}:\n" + "".join(f"- {json.dumps(v, ensure_ascii=False)}\n" for v in value))
        else:
            parts.append(yaml.dump({key: value}, Dumper=dumper, sort_keys=False, allow_unicode=True))
    return "".join(parts)


def write(result: RunResult, out: Path, figure: bool = True) -> list[Path]:
    """Write the six result files of a run into ``out``.

    Every file is first written into a temporary directory beside ``out``; only when all of them
    are complete are they moved into place, so a run that fails while writing leaves ``out`` as it
    was (an earlier run's files stay together) and never a mix of two runs.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        write_parquet(result.timeseries, tmp / "timeseries.parquet")
        write_parquet(result.events, tmp / "events.parquet")
        write_parquet(result.exchanges, tmp / "exchanges.parquet")
        meta = resolved(result.config)
        meta["_run"] = {"seed": result.seed, "versions": versions(), "command": " ".join(sys.argv)}
        (tmp / "config.resolved.yaml").write_text(resolved_yaml(meta), encoding="utf-8")
        (tmp / "summary.json").write_text(
            json.dumps({"seed": result.seed, **result.summary}, indent=2, default=str) + "\n", encoding="utf-8"
        )
        names = ["timeseries.parquet", "events.parquet", "exchanges.parquet", "config.resolved.yaml", "summary.json"]
        if figure:
            from sim.run.plots import overview

            overview(result, tmp / "overview.png")
            names.append("overview.png")
        if not out.exists():
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)  # as mkdir would have made it, not mkdtemp's private 0700
            tmp.rename(out)  # the whole directory at once
        else:
            for name in names:
                (tmp / name).replace(out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [out / n for n in names]
