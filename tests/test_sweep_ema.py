"""The EMA Workbench adapter and mesa.batch_run drive the real model."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pytest

from sim import config
from sim.core.model import SymbiosisModel
from sim.run.runner import SUMMARY_KEYS, run
from sim.sweep.ema import config_key, replications, symbiosis_outcomes


def test_adapter_returns_the_runner_summary_for_the_same_inputs() -> None:
    out = symbiosis_outcomes(seed=5, steps=24, funding_gap_months=12, regions__0__programmes__0__funding_rate=0.3)
    cfg = config.load(None, {"policy.funding_gap_months": 12, "regions.0.programmes.0.funding_rate": 0.3})
    expected = run(cfg, 5, 24).summary
    assert out["error"] == 0.0
    for key in SUMMARY_KEYS:
        want = math.nan if expected[key] is None else float(expected[key])
        assert out[key] == pytest.approx(want, nan_ok=True), key


def test_adapter_never_raises_on_bad_input() -> None:
    for bad in ({"startup_guarantee_share": 3.0}, {"no_such_lever": 1}, {"regions__7__programmes__0__budget_sek": 1.0}):
        out = symbiosis_outcomes(seed=1, steps=12, **bad)
        assert out["error"] == 1.0 and all(math.isnan(out[k]) for k in SUMMARY_KEYS), bad


def test_parameter_names_map_to_config_keys() -> None:
    assert config_key("funding_gap_months") == "policy.funding_gap_months"
    assert config_key("regions__0__programmes__0__budget_sek") == "regions.0.programmes.0.budget_sek"
    assert config_key("policy.land_reservation") == "policy.land_reservation"
    assert config_key("years") == "years"
    assert [r["seed"] for r in replications(3, 8)] == [r["seed"] for r in replications(3, 8)]
    assert len({r["seed"] for r in replications(3, 8)}) == 3


EVALUATOR_SCRIPT = """
import json, warnings
import numpy as np
from ema_workbench import Constant, IntegerParameter, MultiprocessingEvaluator, RealParameter
from sim.sweep.ema import make_model

model = make_model(n_replications=2, seed=3, outcomes=("final_active_exchanges", "error"))
model.uncertainties = [IntegerParameter("funding_gap_months", 0, 24), RealParameter("startup_guarantee_share", 0.5, 1.5)]
model.constants = [Constant("steps", 12)]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=8)
print(json.dumps({
    "errors": np.asarray(outcomes["error"]).reshape(8, 2).tolist(),
    "invalid": (experiments["startup_guarantee_share"] > 1).tolist(),
}))
"""


@pytest.mark.slow
def test_multiprocessing_evaluator_finishes_even_when_runs_fail() -> None:
    """An exception inside an EMA model hangs its MultiprocessingEvaluator; the adapter must not raise.

    The evaluator runs in a fresh interpreter, as a researcher's script runs it: EMA's pool forks
    its parent, and a test process carries the threads of earlier tests (Dask, the sweep pool),
    which a forked child of Python 3.12 can crash on."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", EVALUATOR_SCRIPT], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    errors, invalid = np.array(got["errors"]), np.array(got["invalid"])
    assert invalid.any() and (~invalid).any()
    assert (errors[invalid] == 1).all() and (errors[~invalid] == 0).all()


def test_mesa_batch_run_drives_the_model_with_flat_levers() -> None:
    results = mesa.batch_run(
        SymbiosisModel,
        parameters={"funding_gap_months": [0, 24], "land_reservation": True},
        rng=[1, 2],
        max_steps=24,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 4
    assert {(r["funding_gap_months"], r["rng"]) for r in results} == {(g, s) for g in (0, 24) for s in (1, 2)}
    for r in results:
        expected = run(
            config.load(None, {"policy.funding_gap_months": r["funding_gap_months"], "policy.land_reservation": True}), r["rng"], 24
        )
        assert r["active_exchanges"] == expected.timeseries["active_exchanges"].iloc[-1]
