"""A fixed set of runs and the digest of their tables: the guard that a change keeps results exact.

``tests/test_equality.py`` compares these digests with ``tests/data/reference_outputs.json``, and
``benchmarks/make_reference.py`` rewrites that file when a change of results is intended.
"""

from __future__ import annotations

import hashlib
import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import config
from sim.config import ROOT
from sim.scenarios import synthetic

# the events columns the reference was made with; columns added later are new information and do
# not change what the guard covers
EVENT_COLUMNS = ("step", "year", "month", "kind", "firm", "facilitator", "municipality", "exchange", "reason", "was_operating", "detail")


def scenarios() -> dict[str, tuple[config.ScenarioConfig, int]]:
    """Name → (config, seed): the example over 10 years, the anchor-exit scenario, two synthetic regions."""
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


def digests(cfg: config.ScenarioConfig, seed: int) -> dict[str, str]:
    """Digests of the three result tables of one run."""
    from sim.run.runner import run

    res = run(cfg, seed)
    events = res.events[[c for c in EVENT_COLUMNS if c in res.events.columns]] if len(res.events.columns) else res.events
    return {"timeseries": digest(res.timeseries), "events": digest(events), "exchanges": digest(res.exchanges)}
