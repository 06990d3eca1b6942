"""Write ``tests/data/reference_outputs.json``: SHA-256 digests of a fixed set of runs.

The equality test (``tests/test_equality.py``) re-runs the same scenarios and compares digests, so
a performance change that alters any number, event or exchange fails it. Regenerate only when a
change of results is intended, and say why in the commit message:

    .venv/bin/python benchmarks/make_reference.py
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REFERENCE = ROOT / "tests" / "data" / "reference_outputs.json"


def scenarios() -> dict[str, tuple[object, int]]:
    """Name → (config, seed): the example over 10 years, the anchor-exit scenario, two synthetic regions."""
    from sim import config
    from sim.scenarios import synthetic

    return {
        "example_10y_seed7": (config.load(None, {"years": 10}), 7),
        "anchor_exit_seed3": (config.load(ROOT / "configs" / "scenarios" / "anchor_exit.yaml"), 3),
        "synthetic_small_seed1_5y": (config.build(synthetic.preset("small", seed=1, years=5)), 1),
        # larger, so the code paths that only matter at scale (many books, brokering, diffusion) count too
        "synthetic_county_seed2_5y": (config.build(synthetic.preset("county", seed=2, years=5)), 2),
    }


def digest(df: pd.DataFrame) -> str:
    """SHA-256 of the table as :func:`sim.run.runner.write_parquet` writes it (no index, no metadata)."""
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return hashlib.sha256(buf.getvalue()).hexdigest()


def outputs() -> dict[str, dict[str, str]]:
    """Digests of the three result tables of every scenario."""
    from sim.run.runner import run

    out = {}
    for name, (cfg, seed) in scenarios().items():
        res = run(cfg, seed)
        out[name] = {t: digest(getattr(res, t)) for t in ("timeseries", "events", "exchanges")}
    return out


def main() -> int:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    data = {"commit": commit, "scenarios": outputs()}
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(ROOT)} (model at {commit[:10]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
