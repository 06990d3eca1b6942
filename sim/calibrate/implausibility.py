"""Implausibility of a parameter point against each fact of the report, by simulation and by emulator.

A fact's acceptable region is where the docking criterion puts it: a yes/no fact expected true
needs its share of seeds in (0.5, 1], expected false in [0, 0.5); a count or quantity needs the
seeds' mean in [lo, hi]. The implausibility is the distance of the point's estimate from that
region over sqrt(sampling variance of the estimate + model discrepancy^2) (Craig et al. 1997,
Vernon et al. 2010); a point is ruled out by a fact when it reaches the cutoff (3, Pukelsheim
1994). The discrepancy term says how far the model may sit from the report and still count as
matching it; it also keeps the measure finite when every seed agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.facts import RANGED

MAX_TRAIN = 1000  # points an emulator is fitted on at most (a Gaussian process costs n^3)


@dataclass(frozen=True)
class Fact:
    """One fact as the calibration sees it: its id, the kind of estimate and the acceptable region."""

    case: str
    fact: str
    ranged: bool
    expect_true: bool  # yes/no facts
    lo: float  # ranged facts
    hi: float
    discrepancy: float

    @property
    def id(self) -> str:
        return f"{self.case}/{self.fact}"


def range_scale(lo: float, hi: float) -> float:
    """A range's scale for its discrepancy: its width, or the size of its middle if that is larger
    (a narrow range far from zero, [8, 13], is not judged to a fraction of a firm)."""
    return max(hi - lo, abs(lo + hi) / 2.0, 1e-9)


def facts_of(cases: list, discrepancy_share: float, discrepancy_relative: float) -> list[Fact]:
    """The facts of every case, in case and file order."""
    out = []
    for case in cases:
        for f in case.cfg.facts:
            if f.observe in RANGED:
                lo, hi = (float(v) for v in f.expect)
                out.append(Fact(case.id, f.id, True, False, lo, hi, discrepancy_relative * range_scale(lo, hi)))
            else:
                out.append(Fact(case.id, f.id, False, bool(f.expect), np.nan, np.nan, discrepancy_share))
    return out


def distance(fact: Fact, estimate: np.ndarray) -> np.ndarray:
    """How far each estimate lies outside the fact's acceptable region (0 inside it)."""
    e = np.asarray(estimate, dtype=float)
    if fact.ranged:
        return np.maximum(0.0, np.maximum(fact.lo - e, e - fact.hi))
    return np.maximum(0.0, 0.5 - e) if fact.expect_true else np.maximum(0.0, e - 0.5)


def ratio(d: np.ndarray, variance: np.ndarray, discrepancy: float) -> np.ndarray:
    """d / sqrt(variance + discrepancy^2); infinite when the denominator is 0 and d is not."""
    den = np.sqrt(np.asarray(variance, dtype=float) + discrepancy**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, d / np.where(den > 0, den, 1.0), np.where(d > 0, np.inf, 0.0))
    return np.where(np.isnan(d), np.nan, out)


def share_variance(share: np.ndarray, n: np.ndarray | float) -> np.ndarray:
    """Sampling variance of a share of n seeds, from the Jeffreys estimate (k + 1/2)/(n + 1)."""
    n = np.maximum(np.asarray(n, dtype=float), 1.0)
    p = (np.asarray(share, dtype=float) * n + 0.5) / (n + 1.0)
    return p * (1.0 - p) / n


def simulated(fact: Fact, n: np.ndarray, estimate: np.ndarray, sample_var: np.ndarray) -> np.ndarray:
    """Implausibility from the seeds' values: n seeds, their share or mean, their variance (ddof 1).

    The sampling variance is s^2/n for a mean (0 with one seed) and p~(1 - p~)/n for a share, with
    p~ = (k + 1/2)/(n + 1) (Jeffreys): the raw p(1 - p)/n is 0 when every seed agrees, which would
    let four seeds that all miss by chance rule a point out."""
    n = np.asarray(n, dtype=float)
    e = np.asarray(estimate, dtype=float)
    if fact.ranged:
        var = np.where(n > 1, np.nan_to_num(np.asarray(sample_var, dtype=float)) / np.maximum(n, 1), 0.0)
    else:
        var = share_variance(e, n)
    return np.where(n > 0, ratio(distance(fact, e), var, fact.discrepancy), np.nan)


def estimates(obs: pd.DataFrame) -> pd.DataFrame:
    """Per point and fact: seeds, estimate (share or mean) and variance of the seeds' values (NaN values left out)."""
    v = obs.dropna(subset=["value"]).assign(fact_id=lambda d: d["case"] + "/" + d["fact"])
    g = v.groupby(["point", "fact_id"], sort=True)["value"]
    return pd.DataFrame({"n": g.size(), "estimate": g.mean(), "var": g.var(ddof=1)}).reset_index()


def table(facts: list[Fact], est: pd.DataFrame) -> pd.DataFrame:
    """Long table point, fact, n, estimate, implausibility for every point and fact observed."""
    by = {f.id: f for f in facts}
    parts = []
    for fid, g in est.groupby("fact_id", sort=False):
        f = by.get(str(fid))
        if f is None:
            continue
        imp = simulated(f, g["n"].to_numpy(), g["estimate"].to_numpy(), g["var"].to_numpy())
        parts.append(
            pd.DataFrame(
                {
                    "point": g["point"].to_numpy(),
                    "fact": fid,
                    "n": g["n"].to_numpy(),
                    "estimate": g["estimate"].to_numpy(),
                    "implausibility": imp,
                }
            )
        )
    cols = ["point", "fact", "n", "estimate", "implausibility"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return out.sort_values(["point", "fact"], kind="stable").reset_index(drop=True)[cols]


def structural(facts: list[Fact], imp: pd.DataFrame, wave1: list[int], cutoff: float) -> list[str]:
    """Facts no wave-1 point meets: a finding about the model's structure, left out of the rule."""
    w = imp[imp["point"].isin(wave1)]
    met = set(w.loc[w["implausibility"] < cutoff, "fact"])
    return [f.id for f in facts if f.id not in met]


def accepted(imp: pd.DataFrame, points: list[int], exclude: list[str], cutoff: float, misses: int = 0) -> dict[int, bool]:
    """The simulator's rule: at most ``misses`` of the remaining facts at or above the cutoff (NaN: not
    observed, not held against the point)."""
    keep = imp[~imp["fact"].isin(exclude)]
    bad = keep.loc[keep["implausibility"] >= cutoff].groupby("point").size()
    return {p: int(bad.get(p, 0)) <= misses for p in points}


def _fit(u: np.ndarray, y: np.ndarray, seed: int):
    """One GP per fact (ARD RBF + white noise, as sim/sweep/emulator.py), on standardised outputs."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    mean, sd = float(y.mean()), float(y.std())
    if sd == 0:
        return None, mean, 0.0
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF([0.5] * u.shape[1], (1e-2, 1e2)) + WhiteKernel(0.1, (1e-6, 10.0))
    gp = GaussianProcessRegressor(kernel, normalize_y=False, n_restarts_optimizer=0, random_state=seed)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(u, (y - mean) / sd)
    return gp, mean, sd


def screen(
    facts: list[Fact],
    est: pd.DataFrame,
    units: pd.DataFrame,
    candidates: np.ndarray,
    cutoff: float,
    exclude: list[str],
    seed: int,
    misses: int = 0,
) -> tuple[np.ndarray, dict[str, float]]:
    """Which candidates (rows of unit-cube points) at most ``misses`` facts' emulators rule out, and each fact's rule-out share.

    ``units`` holds the simulated points' unit coordinates (index: point id). A candidate's
    implausibility is judged as the simulator's would be at the emulator's mean: the distance of
    that mean from the region over sqrt(the GP's variance of the mean response + the sampling
    variance of an estimate there + discrepancy^2). The GP's white-noise term (the seed noise it
    fitted) is left out of the first, since the sampling variance stands for it: :func:`share_variance`
    at the predicted share, or the points' mean s^2/n for a count. A fact whose estimate is the same at
    every point has a constant emulator.
    """
    missed = np.zeros(len(candidates), dtype=np.int64)
    shares: dict[str, float] = {}
    for f in facts:
        if f.id in exclude:
            continue
        g = est[est["fact_id"] == f.id]
        g = g[np.isfinite(g["estimate"])]
        if len(g) < 2:
            continue
        if len(g) > MAX_TRAIN:  # a GP costs n^3: a fixed random subset of the points
            g = g.iloc[np.sort(np.random.default_rng(seed).permutation(len(g))[:MAX_TRAIN])]
        u = units.loc[g["point"].to_numpy()].to_numpy(dtype=float)
        gp, mean, sd = _fit(u, g["estimate"].to_numpy(dtype=float), seed)
        if gp is None:
            mu, var = np.full(len(candidates), mean), np.zeros(len(candidates))
        else:
            mu = gp.predict(candidates) * sd + mean
            gp.kernel_ = gp.kernel_.k1  # the mean response's kernel, without the white noise
            var = (gp.predict(candidates, return_std=True)[1] * sd) ** 2
        n = float(np.median(g["n"]))
        if f.ranged:
            sampling = float(np.nanmean(np.where(g["n"] > 1, g["var"].fillna(0.0) / g["n"], 0.0)))
        else:
            sampling = share_variance(np.clip(mu, 0.0, 1.0), n)
        out = ratio(distance(f, mu), var + sampling, f.discrepancy) >= cutoff
        shares[f.id] = float(out.mean())
        missed += out
    return missed <= misses, shares
