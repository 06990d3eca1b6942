"""An emulator route for expensive stochastic sweeps: a Gaussian process fitted to every run.

Instead of averaging replications point by point, a scikit-learn Gaussian process with a white
noise term is fitted to the single runs (inputs scaled to the unit cube). The white-noise term
estimates the seed variance; the GP's mean is a smooth, noise-free stand-in for the model's mean
response, cheap enough to give Sobol' indices (SALib) on many more points than the sweep ran. It
serves when runs are too expensive for enough replications at every point: a Latin hypercube with
one or two replications per point is enough to fit it. Its indices are those of the emulator; check
``r2_holdout`` (fit on held-out runs) before trusting them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def fit(x: np.ndarray, y: np.ndarray, bounds: list[list[float]], max_runs: int = 1500, seed: int = 0) -> dict[str, Any]:
    """Fit the GP to runs ``x`` (rows of inputs) and ``y``; return it with its noise estimate."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    rng = np.random.default_rng(seed)
    lo, hi = np.asarray(bounds, dtype=float).T
    u = (np.asarray(x, dtype=float) - lo) / (hi - lo)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y)
    u, y = u[ok], y[ok]
    order = rng.permutation(len(y))
    hold = order[: max(1, len(y) // 5)]
    train = order[len(hold) :][:max_runs]
    mean, sd = float(y[train].mean()), float(y[train].std()) or 1.0
    d = u.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF([0.3] * d, (1e-2, 1e2)) + WhiteKernel(0.1, (1e-6, 10.0))
    gp = GaussianProcessRegressor(kernel, normalize_y=False, n_restarts_optimizer=0, random_state=seed)
    gp.fit(u[train], (y[train] - mean) / sd)
    pred = gp.predict(u[hold]) * sd + mean
    r2 = 1 - float(np.mean((y[hold] - pred) ** 2) / np.var(y[hold])) if np.var(y[hold]) > 0 else float("nan")
    noise_var = float(gp.kernel_.k2.noise_level) * sd**2
    return {"gp": gp, "lo": lo, "hi": hi, "mean": mean, "sd": sd, "noise_var": noise_var, "r2_holdout": r2, "runs": len(train)}


def sobol(model: dict[str, Any], names: list[str], base: int = 1024, seed: int = 0) -> pd.DataFrame:
    """Sobol' S1 and ST (with SALib's intervals) of the emulator's mean response."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = sample.sample(problem, base, calc_second_order=False, seed=seed)
    y = model["gp"].predict(u)
    si = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    return pd.DataFrame(
        {
            "parameter": names,
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
            "noise_var": model["noise_var"],
            "r2_holdout": model["r2_holdout"],
        }
    )
