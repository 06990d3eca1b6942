"""Shared pieces of the sweep tests: writing sweep files and reading a sweep's results back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

ROOT = Path(__file__).resolve().parent.parent


def write_spec(path: Path, **fields: Any) -> Path:
    """A small sweep over the built-in example; ``fields`` override the defaults."""
    spec: dict[str, Any] = {
        "name": "t",
        "base": "example",
        "set": {"years": 2},
        "parameters": [
            {"key": "policy.funding_gap_months", "range": [0, 24], "levels": 3},
            {"key": "policy.funding_anchor_eligible", "values": [False, True]},
        ],
        "design": {"kind": "grid"},
        "replications": 2,
        "seed": 42,
        "batch_size": 3,
        "outcomes": {"timeseries": {"every": 6, "columns": ["active_exchanges", "co2_avoided_t", "cluster_active"]}},
    }
    spec.update(fields)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def table(out: Path, sub: str = "runs") -> pd.DataFrame:
    """Every batch file of ``sub`` concatenated and sorted, for comparing whole sweeps."""
    files = sorted((out / sub).glob("batch-*.parquet"))
    df = pa.concat_tables(pq.read_table(f) for f in files).to_pandas()
    keys = ["run_id", "step"] if sub == "timeseries" else ["run_id"]
    return df.sort_values(keys).reset_index(drop=True)


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``symbiosis ARGS`` in a fresh process, output captured (stderr is not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout, env=dict(os.environ)
    )
