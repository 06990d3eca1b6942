"""The model's results stay exactly as they were: the guard for performance work.

Each scenario's timeseries, events and exchanges are serialised as ``sim.run.runner.write_parquet``
writes them and compared by SHA-256 with ``tests/data/reference_outputs.json``. A speed-up must
not change a single number, event or exchange (same seed, same random draws in the same order).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.run import reference

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = json.loads((ROOT / "tests" / "data" / "reference_outputs.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(REFERENCE["scenarios"]))
def test_outputs_equal_the_reference(name: str) -> None:
    cfg, seed = reference.scenarios()[name]
    got = reference.digests(cfg, seed)
    want = REFERENCE["scenarios"][name]
    changed = [t for t in got if got[t] != want[t]]
    assert not changed, (
        f"{name}: {', '.join(changed)} differ from the reference (model at {REFERENCE['commit'][:10]}). "
        "If the change of results is intended, regenerate with `.venv/bin/python benchmarks/make_reference.py` "
        "and say why in the commit message; otherwise the change altered the model's behaviour."
    )
