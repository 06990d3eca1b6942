"""Noise-aware indices on a toy model of known indices: Ishigami plus Gaussian seed noise, no simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from sim.sweep import noise
from sim.sweep.sensitivity import analyse_frame, summary_text

NAMES = ["x1", "x2", "x3"]
PROBLEM = {"num_vars": 3, "names": NAMES, "bounds": [[-math.pi, math.pi]] * 3}
A, B = 7.0, 0.1
VAR = A**2 / 8 + B * math.pi**4 / 5 + B**2 * math.pi**8 / 18 + 0.5  # variance of the Ishigami function
S1 = {"x1": (0.5 * (1 + B * math.pi**4 / 5) ** 2) / VAR, "x2": (A**2 / 8) / VAR, "x3": 0.0}
NOISE_SD = 6.0


def _runs(x: np.ndarray, reps: int, sd: float = NOISE_SD, seed: int = 0) -> pd.DataFrame:
    f = Ishigami.evaluate(x)
    y = f[:, None] + np.random.default_rng(seed).normal(0, sd, (len(f), reps))
    return pd.DataFrame({"point": np.repeat(np.arange(len(f)), reps), "replication": np.tile(np.arange(reps), len(f)), "y": y.ravel()})


def test_two_replications_warn_that_noise_dominates_and_say_how_many_are_needed() -> None:
    x = sobol_sample.sample(PROBLEM, 128, calc_second_order=False, seed=1)
    a = analyse_frame(_runs(x, 2), "sobol", NAMES, ["y"], resamples=100, converge=False)
    row = a.noise.iloc[0]
    expected_share = (NOISE_SD**2 / 2) / (VAR + NOISE_SD**2 / 2)
    assert row["noise_share"] == pytest.approx(expected_share, abs=0.08)
    assert row["within_var"] == pytest.approx(NOISE_SD**2, rel=0.1)
    expected_needed = NOISE_SD**2 * (1 - 0.1) / (0.1 * VAR)
    assert expected_needed / 2 < row["needed"] < expected_needed * 2
    assert len(a.warnings) == 1 and "DOMINATES" in a.warnings[0] and f"about {int(row['needed'])} replications" in a.warnings[0]
    text = summary_text(a, "toy")
    assert "## Warnings" in text and "DOMINATES" in text and "noise floor" in text


def test_enough_replications_give_a_small_noise_share_and_intervals_that_exclude_zero() -> None:
    x = sobol_sample.sample(PROBLEM, 256, calc_second_order=False, seed=2)
    a = analyse_frame(_runs(x, 40, seed=1), "sobol", NAMES, ["y"], resamples=200, converge=False)
    assert a.noise.iloc[0]["noise_share"] < 0.1 and not a.warnings
    idx = a.indices.set_index("parameter")
    assert (idx["ST_low"] > 0).all(), idx  # x3 acts only through its interaction with x1
    assert (idx.loc[["x1", "x2"], "S1_low"] > 0).all()
    assert idx.loc["x3", "S1_low"] < 0.05 < idx.loc["x1", "S1_low"]
    for name in ("x1", "x2"):
        assert idx.loc[name, "S1_low"] - 0.05 < S1[name] < idx.loc[name, "S1_high"] + 0.05


def test_bootstrap_over_replications_widens_the_intervals_of_a_noisy_sweep() -> None:
    x = sobol_sample.sample(PROBLEM, 64, calc_second_order=False, seed=3)
    loud = _runs(x, 4, sd=8.0)
    flat = loud.assign(y=loud.groupby("point")["y"].transform("mean"))  # same point means, no seed noise
    a = noise.sobol(loud, "y", NAMES, resamples=200, seed=1)
    b = noise.sobol(flat, "y", NAMES, resamples=200, seed=1)  # same base-sample draws
    assert a["ST"].to_numpy() == pytest.approx(b["ST"].to_numpy())
    for k in ("S1", "ST"):
        assert (a[f"{k}_high"] - a[f"{k}_low"]).mean() > 1.1 * (b[f"{k}_high"] - b[f"{k}_low"]).mean()


def test_point_estimates_are_salibs_on_the_point_means() -> None:
    x = sobol_sample.sample(PROBLEM, 32, calc_second_order=True, seed=4)
    runs = _runs(x, 3)
    means = runs.groupby("point")["y"].mean().to_numpy()
    ours = noise.sobol(runs, "y", NAMES, second_order=True, resamples=5)
    theirs = salib_sobol.analyze(PROBLEM, means, calc_second_order=True, seed=1)
    np.testing.assert_allclose(ours["S1"], theirs["S1"], rtol=1e-10)
    np.testing.assert_allclose(ours["ST"], theirs["ST"], rtol=1e-10)
    xm = morris_sample.sample(PROBLEM, 12, num_levels=4, seed=5)
    runs = _runs(xm, 3, sd=1.0)
    ours = noise.morris(runs, "y", NAMES, xm, levels=4, resamples=5)
    theirs = salib_morris.analyze(PROBLEM, xm, runs.groupby("point")["y"].mean().to_numpy(), num_levels=4, seed=1)
    for k in ("mu_star", "mu", "sigma"):
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-10)


def test_morris_noise_floor_is_what_pure_noise_gives() -> None:
    xm = morris_sample.sample(PROBLEM, 400, num_levels=4, seed=6)
    runs = _runs(xm, 2, sd=3.0)
    runs["y"] -= Ishigami.evaluate(xm)[runs["point"]]  # keep only the noise
    m = noise.morris(runs, "y", NAMES, xm, levels=4, resamples=5)
    assert m["mu_star"].to_numpy() == pytest.approx(m["mu_star_noise_floor"].to_numpy(), rel=0.1)


def test_one_replication_says_noise_cannot_be_measured() -> None:
    x = sobol_sample.sample(PROBLEM, 16, calc_second_order=False, seed=7)
    a = analyse_frame(_runs(x, 1), "sobol", NAMES, ["y"], resamples=20, converge=False)
    assert len(a.warnings) == 1 and "one replication per design point" in a.warnings[0]


def test_convergence_uses_growing_prefixes_of_the_base_samples() -> None:
    x = sobol_sample.sample(PROBLEM, 64, calc_second_order=False, seed=8)
    a = analyse_frame(_runs(x, 2, sd=1.0), "sobol", NAMES, ["y"], resamples=30)
    sizes = sorted(set(a.convergence["base_samples"]))
    assert sizes[-1] == 64 and len(sizes) >= 4 and sizes[0] < 16
    last = a.convergence[a.convergence["base_samples"] == 64].set_index("parameter")["ST"]
    assert last.to_dict() == pytest.approx(a.indices.set_index("parameter")["ST"].to_dict())
