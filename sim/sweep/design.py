"""Design points (via SALib) and per-run seeds (via ``numpy.random.SeedSequence``).

Run ``r`` is replication ``r % replications`` of design point ``r // replications``. Its seed is
child ``r`` of ``SeedSequence(seed).spawn(runs)``, computed directly from the spawn key so a
sweep of a million runs never holds a million seed objects.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.sweep.spec import LoadedSweep, Parameter

RAW_PREFIX = "x."  # unit-free sample columns SALib's analysers need


def salib_problem(params: list[Parameter]) -> dict[str, Any]:
    """SALib problem: numeric ranges as they are, categorical values as index bins [0, k)."""
    bounds = [[p.low, p.high] if p.values is None else [0.0, float(len(p.values))] for p in params]
    return {"num_vars": len(params), "names": [p.name for p in params], "bounds": bounds}


def n_points(sweep: LoadedSweep) -> int:
    d = sweep.spec.design
    k = len(sweep.parameters)
    if d.kind == "grid":
        return math.prod(len(p.values) if p.values is not None else int(p.levels or 0) for p in sweep.parameters)
    n = int(d.samples or 0)
    if d.kind == "lhs":
        return n
    if d.kind == "sobol":
        return n * (2 * k + 2 if d.second_order else k + 2)
    return n * (k + 1)  # morris trajectories


def _grid_levels(p: Parameter) -> list[Any]:
    if p.values is not None:
        return list(p.values)
    assert p.low is not None and p.high is not None and p.levels is not None
    xs = np.linspace(p.low, p.high, p.levels)
    return [round(x) for x in xs] if p.kind == "int" else [float(x) for x in xs]


def _decode(p: Parameter, x: np.ndarray) -> pd.Series:
    """Map SALib's unit samples to the parameter's values and type."""
    if p.values is not None:
        idx = np.clip(np.floor(x).astype(np.int64), 0, len(p.values) - 1)
        return pd.Series([p.values[i] for i in idx])
    if p.kind == "int":
        return pd.Series(np.clip(np.rint(x), p.low, p.high).astype(np.int64))
    return pd.Series(x.astype(np.float64))


def make_design(sweep: LoadedSweep) -> pd.DataFrame:
    """One row per design point: ``point``, one column per parameter, and SALib's raw samples."""
    params = sweep.parameters
    d = sweep.spec.design
    seed = sweep.spec.seed
    if d.kind == "grid":
        rows = list(itertools.product(*(_grid_levels(p) for p in params)))
        df = pd.DataFrame({p.name: pd.Series([r[i] for r in rows]) for i, p in enumerate(params)})
        raw = np.array(
            [[float(p.values.index(r[i])) + 0.5 if p.values is not None else float(r[i]) for i, p in enumerate(params)] for r in rows]
        )
    else:
        from SALib.sample import latin, morris, sobol

        problem = salib_problem(params)
        if d.kind == "lhs":
            raw = latin.sample(problem, int(d.samples or 0), seed=seed)
        elif d.kind == "sobol":
            raw = sobol.sample(problem, int(d.samples or 0), calc_second_order=d.second_order, seed=seed)
        else:
            raw = morris.sample(problem, int(d.samples or 0), num_levels=d.levels or 4, seed=seed)
        df = pd.DataFrame({p.name: _decode(p, raw[:, i]) for i, p in enumerate(params)})
    df.insert(0, "point", np.arange(len(df), dtype=np.int64))
    for i, p in enumerate(params):
        df[RAW_PREFIX + p.name] = raw[:, i].astype(np.float64)
    return df


def run_seed(root: int, index: int) -> int:
    """Seed of child ``index`` of ``SeedSequence(root).spawn(...)``, as a non-negative int64."""
    child = np.random.SeedSequence(root, spawn_key=(index,))
    hi, lo = (int(v) for v in child.generate_state(2, dtype=np.uint32))
    return ((hi << 32) | lo) & (2**63 - 1)


def seed_for_run(sweep: LoadedSweep, run_id: int) -> int:
    """Own seed per run id; with common random numbers, one seed per replication index."""
    spec = sweep.spec
    index = run_id % spec.replications if spec.common_random_numbers else run_id
    return run_seed(spec.seed, index)
