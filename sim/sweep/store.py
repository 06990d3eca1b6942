"""The on-disk layout of a sweep: manifest, design and one Parquet file per batch.

Every file is written under a temporary name and renamed into place, so a file that exists is
complete; a batch counts as done exactly when its runs file exists. That one rule makes resume
after SIGKILL safe: nothing half-written is ever read, and nothing is computed twice.

    DIR/manifest.json                    spec, base scenario, design summary, versions, seeds
    DIR/design.parquet                   one row per design point
    DIR/runs/batch-000000.parquet        one row per run: ids, seed, parameters, outcomes
    DIR/timeseries/batch-000000.parquet  optional thinned time series, one row per run and period
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
RUNS = "runs"
TIMESERIES = "timeseries"


def batch_name(batch: int) -> str:
    return f"batch-{batch:06d}.parquet"


def write_table(table: pa.Table, path: Path) -> None:
    """Atomic, deterministic Parquet: temporary name, fsync, rename."""
    tmp = path.with_name(path.name + ".tmp")
    keep = {k: v for k, v in (table.schema.metadata or {}).items() if k.startswith(b"symbiosis.")}  # units, not pandas'
    pq.write_table(table.replace_schema_metadata(keep or None), tmp, compression="zstd")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(path)


def write_json(data: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def done_batches(out: Path) -> set[int]:
    """Batches whose runs file exists (and is therefore complete)."""
    runs = out / RUNS
    if not runs.is_dir():
        return set()
    return {int(p.name[6:12]) for p in runs.glob("batch-*.parquet")}


def remove_partials(out: Path) -> int:
    """Delete temporary files a killed sweep left behind; they are never complete."""
    n = 0
    for sub in (RUNS, TIMESERIES):
        d = out / sub
        if d.is_dir():
            for p in d.glob("*.tmp"):
                p.unlink(missing_ok=True)
                n += 1
    return n


def versions() -> dict[str, str]:
    """Versions that can change results, plus the project's git commit when there is one."""
    from sim.runner import versions as run_versions

    out = run_versions()
    for pkg in ("SALib", "dask", "distributed", "duckdb"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    try:
        root = Path(__file__).resolve().parents[2]
        out["git_commit"] = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out["git_commit"] = "unknown"
    return out
