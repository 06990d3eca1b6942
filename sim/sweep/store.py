"""The on-disk layout of a sweep: manifest, design and one Parquet file per batch.

Every file is written under a temporary name and renamed into place, so a file that exists was
complete when written. A batch counts as done when its runs file exists *and* checks out: its
Parquet footer is readable, it holds the batch's number of rows, and its checksum matches the one
recorded in the manifest (a batch written after the manifest was last saved is read in full and
must hold exactly its run ids). A batch that fails is removed, reported and computed again, so a
file damaged after the sweep wrote it (a full disk, a copy cut short, an edit) is never taken for
a result.

    DIR/manifest.json                    spec, base scenario, design summary, versions, seeds
    DIR/design.parquet                   one row per design point
    DIR/runs/batch-000000.parquet        one row per run: ids, seed, parameters, outcomes
    DIR/timeseries/batch-000000.parquet  optional thinned time series, one row per run and period
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import ConfigError

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


_MANIFEST_KEYS: dict[str, type | tuple[type, ...]] = {
    "spec": dict,
    "base_config": dict,
    "spec_sha256": str,
    "design": dict,
    "runs": int,
    "replications": int,
    "batch_size": int,
    "batches": int,
}
_DESIGN_KEYS: dict[str, type | tuple[type, ...]] = {"kind": str, "sha256": str, "points": int, "parameters": list, "salib_problem": dict}
_PARAM_KINDS = ("int", "float", "bool", "str", "categorical")


def check_manifest(data: Any, where: str) -> list[str]:
    """Problems with a manifest's structure: every key the sweep commands read, with its type."""
    if not isinstance(data, dict):
        return [f"{where}: not a JSON object (allowed: the manifest symbiosis sweep wrote)"]
    problems = []
    for table, keys, prefix in ((data, _MANIFEST_KEYS, ""), (data.get("design"), _DESIGN_KEYS, "design.")):
        if not isinstance(table, dict):
            continue
        for key, kind in keys.items():
            value = table.get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                problems.append(
                    f"{where}: {prefix}{key} is missing or not a {getattr(kind, '__name__', kind)} (allowed: an unedited manifest)"
                )
    if problems:
        return problems
    if data["batch_size"] < 1 or data["runs"] < 0 or data["batches"] != -(-data["runs"] // data["batch_size"]):
        problems.append(f"{where}: runs, batch_size and batches do not agree (allowed: an unedited manifest)")
    for i, p in enumerate(data["design"]["parameters"]):
        ok = (
            isinstance(p, dict)
            and isinstance(p.get("name"), str)
            and isinstance(p.get("key"), str)
            and p.get("kind") in _PARAM_KINDS
            and (("values" in p and isinstance(p["values"], list)) or all(_is_number(p.get(k)) for k in ("low", "high")))
        )
        if not ok:
            problems.append(
                f"{where}: design.parameters.{i} is malformed (allowed: name, key, kind and low/high numbers or values, as written by the sweep)"
            )
    files = data.get("batch_files", {})
    if not isinstance(files, dict):
        problems.append(f"{where}: batch_files is not an object (allowed: an unedited manifest)")
    return problems


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of a sweep directory; a missing, unreadable or malformed one is a ConfigError."""
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: missing (allowed: the --out directory of symbiosis sweep)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror} (allowed: a readable manifest)"]) from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ConfigError([f"{path}: not valid JSON: {str(exc)[:120]} (allowed: the manifest symbiosis sweep wrote)"]) from None
    problems = check_manifest(data, str(path))
    if problems:
        raise ConfigError(problems)
    return data


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_BATCH = re.compile(r"batch-(\d{6})\.parquet")


def batch_files(out: Path, sub: str = RUNS) -> dict[int, Path]:
    """The batch files of ``out/sub`` by batch number; any other Parquet file there is a ConfigError."""
    d = out / sub
    if not d.is_dir():
        return {}
    files: dict[int, Path] = {}
    stray = []
    for p in d.iterdir():
        m = _BATCH.fullmatch(p.name)
        if m:
            files[int(m.group(1))] = p
        elif p.suffix == ".parquet":
            stray.append(p)
    if stray:
        raise ConfigError(
            [
                f"{p}: not a batch file of this sweep (allowed: only batch-NNNNNN.parquet files the sweep wrote in {sub}/; move it elsewhere)"
                for p in sorted(stray)
            ]
        )
    return dict(sorted(files.items()))


def batch_rows(manifest: dict[str, Any], batch: int) -> int:
    """Number of runs in ``batch``."""
    runs, size = int(manifest["runs"]), int(manifest["batch_size"])
    return max(0, min(runs, (batch + 1) * size) - batch * size)


def batch_key(batch: int) -> str:
    return f"{batch:06d}"


def record_batch(manifest: dict[str, Any], out: Path, batch: int, has_timeseries: bool) -> None:
    """Note a just-written batch's row count and checksums in the manifest (saved by the caller)."""
    runs = out / RUNS / batch_name(batch)
    entry: dict[str, Any] = {"rows": pq.read_metadata(runs).num_rows, "sha256": sha256_file(runs)}
    if has_timeseries:
        ts = out / TIMESERIES / batch_name(batch)
        entry["timeseries_sha256"] = sha256_file(ts)
    manifest.setdefault("batch_files", {})[batch_key(batch)] = entry


def batch_problem(manifest: dict[str, Any], out: Path, batch: int, has_timeseries: bool) -> str | None:
    """Why the written batch ``batch`` cannot be trusted, or None if it checks out.

    Recorded batches must match their checksums; a batch not yet recorded (the sweep stopped
    between writing it and saving the manifest) is read in full and must hold exactly its run ids.
    """
    path = out / RUNS / batch_name(batch)
    want = batch_rows(manifest, batch)
    if batch >= int(manifest["batches"]):
        return f"batch {batch} is beyond the sweep's {manifest['batches']} batches"
    try:
        meta = pq.read_metadata(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a damaged file
        return f"unreadable Parquet ({str(exc).splitlines()[0][:100]})"
    if meta.num_rows != want:
        return f"holds {meta.num_rows} rows, not the batch's {want}"
    entry = manifest.get("batch_files", {}).get(batch_key(batch))
    ts = out / TIMESERIES / batch_name(batch)
    if has_timeseries and not ts.is_file():
        return f"its time series file {TIMESERIES}/{batch_name(batch)} is missing"
    if isinstance(entry, dict):
        if entry.get("sha256") != sha256_file(path):
            return "its checksum differs from the one the sweep recorded"
        if has_timeseries and entry.get("timeseries_sha256") != sha256_file(ts):
            return f"the checksum of {TIMESERIES}/{batch_name(batch)} differs from the one the sweep recorded"
        return None
    try:
        ids = pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist()
        if has_timeseries:
            pq.read_table(ts)
    except Exception as exc:
        return f"unreadable Parquet ({str(exc).splitlines()[0][:100]})"
    first = batch * int(manifest["batch_size"])
    if ids != list(range(first, first + want)):
        return f"does not hold run ids {first} to {first + want - 1}"
    return None


def check_batches(out: Path, manifest: dict[str, Any], has_timeseries: bool) -> tuple[set[int], list[str]]:
    """Verify every written batch: (batches that check out, one note per bad batch, now removed).

    A bad batch's files are deleted so that it is computed again; unrecorded good batches are
    recorded in ``manifest`` (the caller saves it).
    """
    good: set[int] = set()
    notes: list[str] = []
    for batch, path in batch_files(out).items():
        problem = batch_problem(manifest, out, batch, has_timeseries)
        if problem is None:
            good.add(batch)
            if batch_key(batch) not in manifest.get("batch_files", {}):
                record_batch(manifest, out, batch, has_timeseries)
            continue
        notes.append(f"{RUNS}/{path.name}: {problem}; it is removed and computed again")
        path.unlink(missing_ok=True)
        (out / TIMESERIES / path.name).unlink(missing_ok=True)
        manifest.get("batch_files", {}).pop(batch_key(batch), None)
    return good, notes


def done_batches(out: Path) -> set[int]:
    """Batches whose runs file exists (verify them with :func:`check_batches` before trusting them)."""
    return set(batch_files(out))


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
    from sim.run.runner import versions as run_versions

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
