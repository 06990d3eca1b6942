"""Run a sweep: validate, write manifest and design, compute missing batches, write each atomically.

The spec is checked completely before the first run. A sweep directory is resumable at any
moment: the manifest and design are written first, and batches are skipped exactly when their
runs file exists and checks out against the manifest (footer, row count, checksum); a batch that
does not is reported and computed again.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import ConfigError
from sim.sweep import executors, store
from sim.sweep.design import make_design, salib_problem, seed_for_run
from sim.sweep.progress import Progress
from sim.sweep.spec import LoadedSweep, _value_kind, load_spec, parse, validate
from sim.sweep.worker import BatchTask, runs_schema

ExecutorName = Literal["auto", "inprocess", "processes", "dask"]
EXECUTORS = ("auto", "inprocess", "processes", "dask")


@dataclass
class SweepReport:
    """What a call to :func:`run_sweep` did."""

    out: Path
    name: str
    runs: int
    batches: int
    skipped_batches: int
    computed_runs: int
    failed_runs: int
    seconds: float
    executor: str
    notes: list[str] = field(default_factory=list)  # batches found damaged on resume and computed again


def default_batch_size(runs: int) -> int:
    """About 50 files for a small sweep, at most 250 runs per file for a huge one."""
    return max(1, min(250, math.ceil(runs / 50)))


def param_kinds(sweep: LoadedSweep) -> list[tuple[str, str, str]]:
    """(column, key, arrow kind) per parameter."""
    out = []
    for p in sweep.parameters:
        kind = _value_kind(p.values) if p.values is not None else p.kind
        out.append((p.name, p.key, kind or "str"))
    return out


def _manifest(sweep: LoadedSweep, design: pd.DataFrame, out: Path, batch_size: int) -> dict[str, Any]:
    spec = sweep.spec
    runs = len(design) * spec.replications
    return {
        "format": 1,
        "name": spec.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "spec_file": sweep.source,
        "spec_sha256": sweep.sha256(),
        "spec": spec.model_dump(mode="json"),
        "base_config": sweep.base_raw,
        "steps": sweep.steps,
        "design": {
            "kind": spec.design.kind,
            "file": store.DESIGN,
            "sha256": store.sha256_file(out / store.DESIGN),
            "points": len(design),
            "parameters": [p.as_dict() for p in sweep.parameters],
            "salib_problem": salib_problem(sweep.parameters),
        },
        "replications": spec.replications,
        "runs": runs,
        "batch_size": batch_size,
        "batches": math.ceil(runs / batch_size),
        "seeds": {
            "root": spec.seed,
            "method": "numpy.random.SeedSequence(root).spawn(runs)[i].generate_state(2, uint32) as one int64, "
            + ("i = replication (common random numbers)" if spec.common_random_numbers else "i = run_id"),
        },
        "run_id": "point * replications + replication",
        "outputs": {
            "runs": f"{store.RUNS}/batch-*.parquet",
            "timeseries": f"{store.TIMESERIES}/batch-*.parquet" if spec.outcomes.timeseries else None,
        },
        "versions": store.versions(),
        "completed": None,
        "batch_files": {},
    }


def open_sweep(spec_path: Path | None, out: Path, resume: bool) -> tuple[LoadedSweep, pd.DataFrame, dict[str, Any]]:
    """Validate and create (or reopen, with ``resume``) a sweep directory; no run is started."""
    has_manifest = (out / store.MANIFEST).is_file()
    if resume:
        if not has_manifest:
            raise ConfigError([f"--resume: {out} holds no {store.MANIFEST} (allowed: the --out directory of an earlier sweep)"])
        manifest = store.read_manifest(out)
        stored = validate(parse(manifest["spec"]), manifest["base_config"], manifest.get("spec_file", str(out)))
        if spec_path is not None:
            given = load_spec(spec_path)
            if given.sha256() != manifest["spec_sha256"]:
                raise ConfigError(
                    [
                        f"--resume: {spec_path} (or its base scenario) differs from the sweep in {out} "
                        "(allowed: the same sweep file, or leave it out to resume from the manifest)"
                    ]
                )
        if stored.sha256() != manifest["spec_sha256"]:
            raise ConfigError([f"{out}/{store.MANIFEST}: spec_sha256 does not match its spec (allowed: an unedited manifest)"])
        if store.sha256_file(out / store.DESIGN) != manifest["design"]["sha256"]:
            raise ConfigError([f"{out}/{store.DESIGN}: changed since the sweep started (allowed: the file the sweep wrote)"])
        design = pd.read_parquet(out / store.DESIGN)
        return stored, design, manifest
    if spec_path is None:
        raise ConfigError(["SWEEP: no sweep file given (allowed: a sweep YAML, or --resume with --out of an earlier sweep)"])
    sweep = load_spec(spec_path)
    if has_manifest or (out / store.RUNS).exists():
        raise ConfigError([f"--out {out}: already holds a sweep (allowed: --resume to finish it, or an empty or new directory)"])
    design = make_design(sweep)
    try:
        (out / store.RUNS).mkdir(parents=True, exist_ok=True)
        if sweep.spec.outcomes.timeseries:
            (out / store.TIMESERIES).mkdir(exist_ok=True)
        store.write_table(pa.Table.from_pandas(design, preserve_index=False), out / store.DESIGN)
    except OSError as exc:
        raise ConfigError([f"--out {out}: cannot write: {exc.strerror} (allowed: a writable directory)"]) from None
    batch_size = sweep.spec.batch_size or default_batch_size(len(design) * sweep.spec.replications)
    manifest = _manifest(sweep, design, out, batch_size)
    store.write_json(manifest, out / store.MANIFEST)
    return sweep, design, manifest


def batch_tasks(sweep: LoadedSweep, design: pd.DataFrame, batch_size: int, batches: list[int]) -> Iterator[BatchTask]:
    """Lazily build the tasks of the given batches (tasks carry values, not the whole design)."""
    reps = sweep.spec.replications
    runs = len(design) * reps
    kinds = param_kinds(sweep)
    columns = [design[name].tolist() for name, _, _ in kinds]
    ts = sweep.spec.outcomes.timeseries
    ts_columns = None
    if ts is not None:
        from sim.sweep.spec import TIMESERIES_COLUMNS

        ts_columns = list(ts.columns) if ts.columns is not None else [c for c in TIMESERIES_COLUMNS if c not in ("step", "year")]
    base_key = sweep.sha256()
    for b in batches:
        ids = list(range(b * batch_size, min(runs, (b + 1) * batch_size)))
        points = [i // reps for i in ids]
        yield BatchTask(
            batch=b,
            base_raw=sweep.base_raw,
            keys=kinds,
            run_ids=ids,
            points=points,
            replications=[i % reps for i in ids],
            seeds=[seed_for_run(sweep, i) for i in ids],
            values=[tuple(col[p] for col in columns) for p in points],
            steps=sweep.steps,
            ts_every=ts.every if ts else None,
            ts_columns=ts_columns,
            base_key=base_key,
        )


def choose_executor(executor: str, workers: int | None, scheduler: str | None) -> str:
    if executor != "auto":
        return executor
    if scheduler:
        return "dask"
    n = workers or executors.cpu_count()
    return "inprocess" if n == 1 else "processes"


def run_sweep(
    spec_path: Path | None,
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: str = "auto",
    resume: bool = False,
    progress: bool | Progress = True,
    on_batch: Callable[[int, int], None] | None = None,
    connect_timeout: float = 10.0,
) -> SweepReport:
    """Run (or finish) a sweep into ``out``; ``on_batch(batch, runs_done)`` is called after each write."""
    t0 = time.monotonic()
    sweep, design, manifest = open_sweep(spec_path, out, resume)
    store.remove_partials(out)
    batch_size = int(manifest["batch_size"])
    n_batches = int(manifest["batches"])
    runs = int(manifest["runs"])
    has_ts = sweep.spec.outcomes.timeseries is not None
    done, notes = store.check_batches(out, manifest, has_ts)
    if notes:
        store.write_json(manifest, out / store.MANIFEST)
    pending = [b for b in range(n_batches) if b not in done]
    done_runs = sum(min(runs, (b + 1) * batch_size) - b * batch_size for b in done if b < n_batches)
    kind = choose_executor(executor, workers, scheduler)
    tasks = batch_tasks(sweep, design, batch_size, pending)
    results = executors.start(kind, tasks, workers=workers, scheduler=scheduler, connect_timeout=connect_timeout)
    bar = progress if isinstance(progress, Progress) else Progress(sweep.spec.name, runs, done_runs) if progress else None
    computed = failed = 0
    schema = runs_schema([(n, k) for n, _, k in param_kinds(sweep)])
    saved = time.monotonic()
    try:
        for batch, table, ts_table in results:
            if table.schema != schema:
                table = table.cast(schema)
            if ts_table is not None:
                store.write_table(ts_table, out / store.TIMESERIES / store.batch_name(batch))
            store.write_table(table, out / store.RUNS / store.batch_name(batch))
            store.record_batch(manifest, out, batch, ts_table is not None)
            done.add(batch)
            if time.monotonic() - saved > 2.0:  # a batch not yet recorded is checked in full on resume
                store.write_json(manifest, out / store.MANIFEST)
                saved = time.monotonic()
            computed += table.num_rows
            failed += table.num_rows - table.column("error").null_count
            done_runs += table.num_rows
            if bar is not None:
                bar.update(table.num_rows)
            if on_batch is not None:
                on_batch(batch, done_runs)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
        if bar is not None and not isinstance(progress, Progress):
            bar.close()
        if len(done) == n_batches:
            manifest["completed"] = datetime.now(UTC).isoformat(timespec="seconds")
        store.write_json(manifest, out / store.MANIFEST)
    return SweepReport(
        out, sweep.spec.name, runs, n_batches, n_batches - len(pending), computed, failed, time.monotonic() - t0, kind, notes
    )


def read_runs(out: Path) -> pd.DataFrame:
    """All runs of a (small) sweep as one frame sorted by run id; use DuckDB for big ones."""
    files = list(store.batch_files(out).values())
    if not files:
        return pd.DataFrame()
    table = pa.concat_tables(pq.read_table(f) for f in files)
    return table.to_pandas().sort_values("run_id").reset_index(drop=True)
