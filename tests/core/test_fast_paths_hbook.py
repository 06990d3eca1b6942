"""The monthly bookkeeping's kept values equal a fresh computation every month.

Each check steps case models and compares what a kept array says with what the rule gives from
scratch, so a kept value that misses a change (an exchange starting or ending, a firm arriving and
the register's columns growing) fails here.
"""

from __future__ import annotations

import numpy as np

from sim import config
from sim.core.model import SymbiosisModel

CASES = ("A2_high_coast", "A13_bjuv", "A19_bengtsfors", "A27_mesam")


def _model(case: str, seed: int = 1) -> SymbiosisModel:
    return SymbiosisModel(config.load(f"configs/cases/{case}.yaml"), rng=seed)


def test_kept_track_record_column_counts_the_firms_of_the_operating_exchanges() -> None:
    """The column the ledger adds to the delivered months is, for the snapshot it is kept for, each
    firm row's count of operating exchanges it is in, as long as the register's column."""
    kept = 0
    for case in CASES:
        for seed in (1, 2):
            model = _model(case, seed)
            while model.running:
                model.step()
                held = model.ledger._delivering
                snapshot = model.ledger.operating_snapshot()
                if held is None or held[0] is not snapshot:
                    continue
                n = len(model.firm_arrays.delivered)
                firms = [i for ex in snapshot for i in (ex.supplier, ex.receiver)]
                fresh = np.bincount(np.array(firms, dtype=np.int64), minlength=n)
                column = model.ledger._track_record(snapshot, n)
                assert column.dtype == model.firm_arrays.delivered.dtype
                assert column.tolist() == fresh.tolist(), (case, seed, model.steps)
                kept += 1
    assert kept > 100
