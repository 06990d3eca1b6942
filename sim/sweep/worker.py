"""Run one batch of a sweep; the same code runs in-process, in a process pool and on Dask workers.

A task carries everything a run needs (the resolved base scenario, each run's id, overrides and
seed), so a result depends only on the run id, never on which worker computed it. A run that
raises is recorded with its error text instead of killing the sweep.

A worker validates the base scenario once (kept per sweep, by the task's ``base_key``) and gives
each run its config with :func:`sim.config.incremental.build_overridden`, which equals the full
copy-override-validate but costs a fraction of it: for runs of a few tenths of a second that fixed
cost was a few percent of the sweep.
"""

from __future__ import annotations

import functools
import math
import traceback
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sim import config as cfgmod
from sim import outputs
from sim.config import incremental
from sim.run.measures import MECHANISM_COUNTS
from sim.run.runner import SUMMARY_KEYS
from sim.run.runner import run as run_model

INT_OUTCOMES = frozenset(
    {
        "final_active_exchanges",
        "peak_active_exchanges",
        "first_exchange_step",
        "firms_alive_final",
        "startups_entered",
        "permits_denied",
        "exchanges_ended_partner_exit",
        *MECHANISM_COUNTS,
    }
)
BOOL_OUTCOMES = frozenset({"collapsed", "cluster_ever_active", "final_cluster_active"})
ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}


def outcome_type(key: str) -> pa.DataType:
    return pa.int64() if key in INT_OUTCOMES else pa.bool_() if key in BOOL_OUTCOMES else pa.float64()


def runs_schema(param_types: list[tuple[str, str]]) -> pa.Schema:
    """Fixed schema of the runs table, so every batch file has identical columns and types."""
    return _runs_schema(tuple(param_types))


@functools.lru_cache(maxsize=16)
def _runs_schema(param_types: tuple[tuple[str, str], ...]) -> pa.Schema:
    """Made once per sweep and process (a few milliseconds each time, once per batch before)."""
    fields = [
        pa.field("run_id", pa.int64()),
        pa.field("point", pa.int64()),
        pa.field("replication", pa.int64()),
        pa.field("seed", pa.int64()),
    ]
    fields += [pa.field(name, ARROW_TYPES[kind]) for name, kind in param_types]
    fields += [pa.field(k, outcome_type(k)) for k in SUMMARY_KEYS]
    fields.append(pa.field("error", pa.string()))
    return outputs.annotate(pa.schema(fields).empty_table()).schema


def timeseries_schema(columns: list[str], every: int | None = None) -> pa.Schema:
    """Schema of a thinned time series: the chosen columns, and for each flow its sum over the
    ``every`` months ending at a kept row; units and kinds in the metadata (see :mod:`sim.outputs`)."""
    return _timeseries_schema(tuple(columns), every)


@functools.lru_cache(maxsize=16)
def _timeseries_schema(columns: tuple[str, ...], every: int | None) -> pa.Schema:
    from sim.sweep.spec import TIMESERIES_COLUMNS

    types = {c: pa.int64() for c in ("step", "year", "month")}
    fields = [pa.field("run_id", pa.int64()), pa.field("step", pa.int64()), pa.field("year", pa.int64())]
    for c in columns:
        t = types.get(c) or (
            pa.bool_() if c == "cluster_active" else pa.int64() if c.startswith("exchanges_") or c in _INT_TS else pa.float64()
        )
        assert c in TIMESERIES_COLUMNS
        fields.append(pa.field(c, t))
    if every:
        fields += [pa.field(outputs.window_name(c, every), pa.float64()) for c in outputs.flows(columns)]
    return outputs.annotate(pa.schema(fields).empty_table()).schema


_INT_TS = frozenset({"active_exchanges", "pipeline_exchanges", "participating_firms", "firms_alive", "startups_alive"})


@dataclass(frozen=True)
class BatchTask:
    """Everything needed to compute one batch, picklable for any executor."""

    batch: int
    base_raw: dict[str, Any]
    keys: list[tuple[str, str, str]]  # (column name, config key, arrow kind)
    run_ids: list[int]
    points: list[int]
    replications: list[int]
    seeds: list[int]
    values: list[tuple[Any, ...]]
    steps: int
    ts_every: int | None
    ts_columns: list[str] | None
    base_key: str = ""  # identifies base_raw (the sweep's digest), so a worker validates it once; "" never caches


_BASES: dict[str, cfgmod.ScenarioConfig] = {}  # base_key -> the validated base scenario, in this process


def run_config(task: BatchTask, overrides: dict[str, Any]) -> cfgmod.ScenarioConfig:
    """The validated config of one run: the task's base scenario with ``overrides``."""
    if not task.base_key:
        return cfgmod.build(cfgmod.apply_overrides(task.base_raw, overrides))
    base = _BASES.get(task.base_key)
    if base is None:
        if len(_BASES) >= 4:  # a long-lived Dask worker serving many sweeps keeps only the recent ones
            _BASES.clear()
        base = _BASES[task.base_key] = cfgmod.build(task.base_raw)
    return incremental.build_overridden(base, task.base_raw, overrides)


def _clean(key: str, v: Any) -> Any:
    if v is None:
        return None
    if key in BOOL_OUTCOMES:
        return bool(v)
    if key in INT_OUTCOMES:
        return int(v)
    v = float(v)
    return v


def run_batch(task: BatchTask) -> tuple[int, pa.Table, pa.Table | None]:
    """Compute every run of a batch; return its rows (and thinned time series) as Arrow tables."""
    rows: list[dict[str, Any]] = []
    ts_parts: list[pa.Table] = []
    ts_schema = timeseries_schema(task.ts_columns, task.ts_every) if task.ts_columns is not None else None
    for run_id, point, rep, seed, vals in zip(task.run_ids, task.points, task.replications, task.seeds, task.values, strict=True):
        row: dict[str, Any] = {"run_id": run_id, "point": point, "replication": rep, "seed": seed}
        row.update({name: v for (name, _, _), v in zip(task.keys, vals, strict=True)})
        try:
            cfg = run_config(task, {key: v for (_, key, _), v in zip(task.keys, vals, strict=True)})
            res = run_model(cfg, seed, task.steps)
            row.update({k: _clean(k, res.summary.get(k)) for k in SUMMARY_KEYS})
            row["error"] = None
            if ts_schema is not None and task.ts_every is not None:
                full = res.timeseries
                keep = (full["step"] % task.ts_every == 0).to_numpy()
                ts = full[keep]
                cols = {"run_id": [run_id] * len(ts), "step": ts["step"].tolist(), "year": ts["year"].tolist()}
                cols.update({c: ts[c].tolist() for c in task.ts_columns or []})
                period = (full["step"] - 1) // task.ts_every  # kept row k closes the period of months k*every-every+1 .. k*every
                for c in outputs.flows(task.ts_columns or []):
                    sums = full[c].groupby(period).sum()
                    cols[outputs.window_name(c, task.ts_every)] = sums.loc[(ts["step"] - 1) // task.ts_every].tolist()
                ts_parts.append(pa.Table.from_pydict(cols, schema=ts_schema))
        except Exception as exc:  # a failing run is a result too; the sweep goes on
            row.update(dict.fromkeys(SUMMARY_KEYS))
            row["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        rows.append(row)
    schema = runs_schema([(name, kind) for name, _, kind in task.keys])
    for r in rows:  # an outcome the horizon cannot reach (NaN in the summary) is NULL, so SQL avg() skips it
        for k in SUMMARY_KEYS:
            v = r[k]
            if isinstance(v, float) and math.isnan(v):
                r[k] = None
    table = pa.Table.from_pylist(rows, schema=schema)
    ts_table = None
    if ts_schema is not None:
        ts_table = pa.concat_tables(ts_parts) if ts_parts else ts_schema.empty_table()
    return task.batch, table, ts_table
