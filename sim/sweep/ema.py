"""EMA Workbench adapter: a function ``ema_workbench.ReplicatorModel`` can call.

With ema-workbench 3.0 an exception raised inside a model function hangs the
``MultiprocessingEvaluator`` (the pool waits forever for a result that never comes), so
:func:`symbiosis_outcomes` never raises: bad input or a failing run returns NaN outcomes and an
``error`` outcome of 1.0, and the reason is logged.

Parameter names map to config keys like this: a dotted name (``policy.funding_gap_months``) is
used as it is; ``__`` stands for a dot (``regions__0__programmes__0__budget_sek``) for tools that
want identifiers; a bare policy lever (``funding_gap_months``) means ``policy.<lever>``; any other
bare name is a top-level key (``years``). ``seed``, ``steps`` and ``base`` are special.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from sim.run.runner import SUMMARY_KEYS

log = logging.getLogger(__name__)
OUTCOMES: tuple[str, ...] = (*SUMMARY_KEYS, "error")


def config_key(name: str) -> str:
    """The dotted config key an EMA parameter name stands for."""
    from sim.config import Policy

    if "." in name:
        return name
    if "__" in name:
        return name.replace("__", ".")
    if name in Policy.model_fields:
        return f"policy.{name}"
    return name


def _number(v: Any) -> float:
    return math.nan if v is None else float(v)


def symbiosis_outcomes(seed: int | None = None, steps: int | None = None, base: str | None = None, **parameters: Any) -> dict[str, float]:
    """Run the model once and return every summary outcome as a float; never raises."""
    failed = {k: math.nan for k in SUMMARY_KEYS} | {"error": 1.0}
    try:
        from sim import config as cfgmod
        from sim.run.runner import run

        overrides = {config_key(k): (v.item() if isinstance(v, np.generic) else v) for k, v in parameters.items()}
        cfg = cfgmod.load(Path(base) if base else None, overrides)
        result = run(cfg, cfg.seed if seed is None else int(seed), None if steps is None else int(steps))
        return {k: _number(result.summary.get(k)) for k in SUMMARY_KEYS} | {"error": 0.0}
    except Exception as exc:  # never raise: it would hang EMA's MultiprocessingEvaluator
        problems = getattr(exc, "problems", None)
        log.warning("symbiosis run failed (%s): %s", parameters, "; ".join(problems) if problems else f"{type(exc).__name__}: {exc}")
        return failed


def replications(n: int, seed: int) -> list[dict[str, int]]:
    """``n`` replication seeds from ``SeedSequence(seed).spawn(n)``, as EMA replication dicts."""
    from sim.sweep.design import run_seed

    return [{"seed": run_seed(seed, i)} for i in range(n)]


def make_model(name: str = "symbiosis", n_replications: int = 3, seed: int = 1, outcomes: tuple[str, ...] = OUTCOMES) -> Any:
    """A ``ReplicatorModel`` over :func:`symbiosis_outcomes` with seeded replications and scalar outcomes.

    Add uncertainties, levers and constants (e.g. ``Constant("steps", 120)``) as usual.
    """
    from ema_workbench import ArrayOutcome, ReplicatorModel

    model = ReplicatorModel(name, function=symbiosis_outcomes)
    model.replications = replications(n_replications, seed)
    # One value per replication: EMA stores (experiments, replications) arrays for these.
    model.outcomes = [ArrayOutcome(o) for o in outcomes]
    return model
