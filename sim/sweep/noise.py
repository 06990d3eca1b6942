"""Replication noise in a stochastic sweep, and Sobol' and Morris indices that account for it.

Sensitivity indices of a stochastic model are computed on the mean of each design point's
replications. Those means still carry seed noise: with ``r`` replications of within-point (seed)
variance ``s_w^2``, a point mean has noise variance ``s_w^2 / r``. The **noise share** is that
noise's part of the variance of the point means, ``(s_w^2 / r) / Var(point means)``; it is the
part of what SALib sees that no input explains. For Sobol' it is about the total-order index an
input without effect would get (every ST is inflated by about it, every S1 shrunk by about
``1 - share``); for Morris the noise floor of mu* is ``E|EE|`` of pure noise,
``sqrt(2 s_w^2 / r) sqrt(2 / pi) / delta``. The replications that bring the share below a target
``t`` are ``r >= s_w^2 (1 - t) / (t s_b^2)``, with ``s_b^2 = Var(point means) - s_w^2 / r`` the
variance the inputs explain.

Intervals are percentile bootstrap intervals that resample both levels of the design: the base
samples (Sobol') or trajectories (Morris) and, within every design point, its replications (with
replacement), so seed noise widens them. Everything here works on a plain DataFrame with a
``point`` column and one column per outcome (one row per run), so it is testable without a model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

DOMINATES = 0.5  # noise share above which the warning says noise dominates
TARGET = 0.1  # default noise share to stay below


@dataclass(frozen=True)
class Noise:
    """Seed noise of one outcome over a sweep's design points."""

    outcome: str
    points: int
    replications: float  # harmonic mean of runs per point
    within_var: float  # pooled seed variance of single runs at a point
    means_var: float  # variance of the point means
    noise_share: float  # (within_var / replications) / means_var, at most 1
    seed_share_of_runs: float  # within_var / (within_var + explained), the noise part of single runs
    needed: int | None  # replications for noise_share <= target; None: nothing beyond noise to explain
    target: float


def _matrix(runs: pd.DataFrame, outcome: str, points: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(P, rmax) values padded with NaN, and the number of values per point."""
    df = runs[["point", outcome]].dropna()
    df = df.assign(k=df.groupby("point").cumcount())
    p = int(points if points is not None else runs["point"].max() + 1)
    r = int(df["k"].max()) + 1 if len(df) else 1
    v = np.full((p, r), np.nan)
    v[df["point"].to_numpy(dtype=int), df["k"].to_numpy(dtype=int)] = df[outcome].to_numpy(dtype=float)
    return v, np.sum(~np.isnan(v), axis=1)


def decompose(runs: pd.DataFrame, outcome: str, target: float = TARGET) -> Noise:
    """Within-point (seed) and between-point variance of ``outcome``; see the module docstring."""
    v, n = _matrix(runs, outcome)
    ok = n > 0
    means = np.nanmean(v[ok], axis=1)
    means_var = float(np.var(means, ddof=1)) if ok.sum() > 1 else math.nan
    multi = n > 1
    if multi.any():
        dev = np.nansum((v[multi] - np.nanmean(v[multi], axis=1, keepdims=True)) ** 2, axis=1)
        within = float(dev.sum() / (n[multi] - 1).sum())
    else:
        within = math.nan  # one run per point: seed noise cannot be measured
    r = round(float(len(n[ok]) / np.sum(1.0 / n[ok])), 6) if ok.any() else math.nan
    noise_var = within * float(np.mean(1.0 / n[ok])) if ok.any() else math.nan
    if not (means_var > 0) or math.isnan(within):
        share = 0.0 if within == 0 else math.nan
        explained = means_var if within == 0 else math.nan
    else:
        share = min(1.0, noise_var / means_var)
        explained = max(means_var - noise_var, 0.0)
    seed_share = within / (within + explained) if within + explained > 0 else math.nan
    if math.isnan(share) or share == 0:
        needed = None if math.isnan(share) else 1
    elif explained > 0:
        needed = max(2, math.ceil(within * (1 - target) / (target * explained)))
    else:
        needed = None
    return Noise(outcome, int(ok.sum()), r, within, means_var, share, seed_share, needed, target)


def noise_table(runs: pd.DataFrame, outcomes: list[str], target: float = TARGET) -> pd.DataFrame:
    return pd.DataFrame([asdict(decompose(runs, o, target)) for o in outcomes])


def warnings_for(table: pd.DataFrame) -> list[str]:
    """One plain sentence per outcome whose indices are not to be trusted as they stand."""
    out = []
    for row in table.itertuples():
        if math.isnan(row.within_var):
            out.append(
                f"{row.outcome}: one replication per design point, so seed noise cannot be measured and may be most of "
                "what the indices show; run at least 2 replications (better 10 or more) to know"
            )
        elif math.isnan(row.noise_share):
            continue
        elif row.noise_share > row.target:
            level = "seed noise DOMINATES" if row.noise_share >= DOMINATES else "seed noise is a large part of"
            known = row.needed is not None and not (isinstance(row.needed, float) and math.isnan(row.needed))
            need = (
                f"about {int(row.needed)} replications per point would bring it below {row.target:.0%}"
                if known
                else f"the point means differ no more than noise alone would make them, so the replications needed to bring it "
                f"below {row.target:.0%} cannot be estimated from this sweep: many more than {row.replications:.3g} "
                "(try 10 times as many on a few points first)"
            )
            out.append(
                f"{row.outcome}: {level} the variance of the point means ({row.noise_share:.0%} with "
                f"{row.replications:.3g} replications; within-point variance {row.within_var:.3g} against "
                f"{row.means_var:.3g} for the point means); {need}"
            )
    return out


def _resample_means(v: np.ndarray, n: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """Point means of ``v``; with ``rng``, of each point's replications resampled with replacement."""
    if rng is None:
        return np.nanmean(v, axis=1)
    idx = np.floor(rng.random(v.shape) * n[:, None]).astype(int)
    w = np.take_along_axis(v, idx, axis=1)  # values are packed left, so idx < n picks real ones
    w[np.arange(v.shape[1])[None, :] >= n[:, None]] = np.nan
    return np.nanmean(w, axis=1)


def _sobol_from_means(y: np.ndarray, d: int, second_order: bool, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SALib's estimators (Saltelli 2010, Jansen total) on the base samples ``base`` of a Saltelli design."""
    step = 2 * d + 2 if second_order else d + 2
    y = (y - y.mean()) / y.std()  # as SALib normalises
    a, b = y[0::step][base], y[step - 1 :: step][base]
    ab = np.stack([y[j + 1 :: step][base] for j in range(d)], axis=1)
    var = np.var(np.r_[a, b])
    s1 = np.mean(b[:, None] * (ab - a[:, None]), axis=0) / var
    st = 0.5 * np.mean((a[:, None] - ab) ** 2, axis=0) / var
    return s1, st


def _interval(draws: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.nanquantile(draws, [(1 - conf) / 2, (1 + conf) / 2], axis=0)
    return lo, hi


def sobol(
    runs: pd.DataFrame,
    outcome: str,
    names: list[str],
    second_order: bool = False,
    n_base: int | None = None,
    resamples: int = 300,
    conf: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """S1 and ST on the point means of the first ``n_base`` base samples, with bootstrap intervals."""
    d = len(names)
    step = 2 * d + 2 if second_order else d + 2
    v, n = _matrix(runs, outcome)
    n_all = v.shape[0] // step
    k = n_all if n_base is None else min(n_base, n_all)
    if (n == 0).any():
        raise ValueError(f"{outcome}: Sobol' indices need a result at every design point")
    s1, st = _sobol_from_means(_resample_means(v, n, None), d, second_order, np.arange(k))
    rng = np.random.default_rng(seed)
    draws = np.empty((resamples, 2, d))
    for i in range(resamples):
        draws[i] = _sobol_from_means(_resample_means(v, n, rng), d, second_order, rng.integers(0, k, k))
    lo, hi = _interval(draws, conf)
    return pd.DataFrame(
        {
            "outcome": outcome,
            "parameter": names,
            "base_samples": k,
            "S1": s1,
            "S1_low": lo[0],
            "S1_high": hi[0],
            "ST": st,
            "ST_low": lo[1],
            "ST_high": hi[1],
        }
    )


def _morris_pairs(x: np.ndarray, d: int) -> tuple[np.ndarray, ...]:
    """For every step of every trajectory: (variable, trajectory, row after, row before, sign)."""
    t = x.shape[0] // (d + 1)
    var, traj, after, before, sign = [], [], [], [], []
    for j in range(t):
        for s in range(d):
            r0, r1 = j * (d + 1) + s, j * (d + 1) + s + 1
            diff = x[r1] - x[r0]
            i = int(np.argmax(np.abs(diff)))
            var.append(i)
            traj.append(j)
            after.append(r1)
            before.append(r0)
            sign.append(1.0 if diff[i] > 0 else -1.0)
    return tuple(np.asarray(a) for a in (var, traj, after, before, sign))


def _morris_from_means(y: np.ndarray, pairs: tuple[np.ndarray, ...], d: int, delta: float, trajs: np.ndarray) -> np.ndarray:
    var, traj, after, before, sign = pairs
    t_all = int(traj.max()) + 1
    ee = np.zeros((d, t_all))
    ee[var, traj] = sign * (y[after] - y[before]) / delta
    ee = ee[:, trajs]
    return np.stack([np.mean(np.abs(ee), axis=1), np.mean(ee, axis=1), np.std(ee, axis=1, ddof=1)])


def morris(
    runs: pd.DataFrame,
    outcome: str,
    names: list[str],
    x: np.ndarray,
    levels: int = 4,
    n_traj: int | None = None,
    resamples: int = 300,
    conf: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """mu*, mu and sigma of the elementary effects on the point means, with bootstrap intervals."""
    d = len(names)
    v, n = _matrix(runs, outcome, len(x))
    if (n == 0).any():
        raise ValueError(f"{outcome}: Morris indices need a result at every design point")
    delta = levels / (2.0 * (levels - 1))
    pairs = _morris_pairs(np.asarray(x, dtype=float), d)
    t_all = len(x) // (d + 1)
    k = t_all if n_traj is None else min(n_traj, t_all)
    est = _morris_from_means(_resample_means(v, n, None), pairs, d, delta, np.arange(k))
    rng = np.random.default_rng(seed)
    draws = np.stack([_morris_from_means(_resample_means(v, n, rng), pairs, d, delta, rng.integers(0, k, k)) for _ in range(resamples)])
    lo, hi = _interval(draws, conf)
    noise_var = decompose(runs, outcome).within_var * float(np.mean(1.0 / n))
    floor = math.sqrt(2 * noise_var) * math.sqrt(2 / math.pi) / delta if not math.isnan(noise_var) else math.nan
    return pd.DataFrame(
        {
            "outcome": outcome,
            "parameter": names,
            "trajectories": k,
            "mu_star": est[0],
            "mu_star_low": lo[0],
            "mu_star_high": hi[0],
            "mu": est[1],
            "sigma": est[2],
            "sigma_low": lo[2],
            "sigma_high": hi[2],
            "mu_star_noise_floor": floor,
        }
    )


def convergence(kind: str, runs: pd.DataFrame, outcome: str, names: list[str], total: int, **kw: Any) -> pd.DataFrame:
    """Indices on growing prefixes of the design (base samples or trajectories), to see them settle."""
    sizes = sorted({max(2, total >> s) for s in range(5)} | {total})
    sizes = [s for s in sizes if s >= min(4, total)]
    if kind == "sobol":
        return pd.concat([sobol(runs, outcome, names, n_base=s, **kw) for s in sizes], ignore_index=True)
    return pd.concat([morris(runs, outcome, names, n_traj=s, **kw) for s in sizes], ignore_index=True)
