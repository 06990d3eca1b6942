"""Statistics of a paired comparison: t intervals, Wilson and Newcombe intervals, paired bootstrap.

Every arm ran on the same seeds, so the effect of a policy is estimated from the per-seed
differences ``policy_i - baseline_i``: the noise the two arms share cancels, which is why a
policy identical to the baseline shows exactly zero. Collapse is a yes/no outcome, so its
probability gets a Wilson score interval (good at 0 % and 100 %, where the normal one fails) and
its paired difference Newcombe's hybrid score interval (method 10, 1998). Cost per unit is a
ratio of means, whose interval comes from resampling whole seeds (a paired bootstrap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

Z95 = 1.959963984540054
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20231791  # fixed, so a report's intervals are reproducible (the EED's number)


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95 % interval and the number of values (or pairs) behind it."""

    estimate: float
    low: float
    high: float
    n: int

    @property
    def width(self) -> float:
        return self.high - self.low

    def excludes_zero(self) -> bool:
        """True when the interval lies wholly above or below zero (a clear effect)."""
        return bool(self.n > 0 and (self.low > 0 or self.high < 0))

    def scaled(self, k: float) -> Interval:
        """The same interval in other units (a share as percentage points, say)."""
        return Interval(self.estimate * k, self.low * k, self.high * k, self.n)


NAN = Interval(math.nan, math.nan, math.nan, 0)


def _clean(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[np.isfinite(x)]


def _few(x: np.ndarray) -> Interval | None:
    """The interval of no value (NaN) or of one (its value, no limits); None when there are two or more."""
    if len(x) == 0:
        return NAN
    return Interval(float(x[0]), math.nan, math.nan, 1) if len(x) == 1 else None


def t_interval(values: np.ndarray, level: float = 0.95) -> Interval:
    """Mean with Student's t interval; a single value has no interval (NaN limits)."""
    x = _clean(values)
    if (few := _few(x)) is not None:
        return few
    n, mean = len(x), float(x.mean())
    sd = float(x.std(ddof=1))
    half = float(sps.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def bootstrap_mean(values: np.ndarray, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> Interval:
    """Mean with a percentile interval from resampling the runs.

    A resampled mean lies between the smallest and largest value, so the interval respects every
    bound of the quantity: a share stays in 0-1 and a count or an amount never gets a negative
    lower limit (a t interval of nine zeros and one large value does). All values equal: no spread.
    """
    x = _clean(values)
    if (few := _few(x)) is not None:
        return few
    n, mean = len(x), float(x.mean())
    if np.all(x == x[0]):
        return Interval(mean, mean, mean, n)
    means = x[_resample_indices(n, resamples, seed)].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return Interval(mean, float(min(lo, mean)), float(max(hi, mean)), n)


def clear(iv: Interval, decimals: int) -> bool:
    """A clear effect as the reader sees it: the interval, rounded as printed, does not reach zero.

    '-0.8 to 0.0' reaches zero on the page even when the unrounded limit is -0.01, so it is not clear."""
    if not iv.excludes_zero():
        return False
    return bool(round(iv.low, decimals) > 0 or round(iv.high, decimals) < 0)


def paired_difference(baseline: np.ndarray, policy: np.ndarray) -> Interval:
    """Mean of ``policy - baseline`` over seeds where both are defined, with a t interval."""
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(policy, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired arrays differ in length: {a.shape} vs {b.shape}")
    ok = np.isfinite(a) & np.isfinite(b)
    return t_interval(b[ok] - a[ok])


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval of a proportion (Wilson 1927)."""
    if n == 0:
        return NAN
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


def newcombe_paired(baseline: np.ndarray, policy: np.ndarray, z: float = Z95) -> Interval:
    """Difference of two paired proportions, policy minus baseline (Newcombe 1998, method 10)."""
    x0 = np.asarray(baseline, dtype=bool)
    x1 = np.asarray(policy, dtype=bool)
    n = len(x0)
    if n == 0:
        return NAN
    a = int(np.sum(x1 & x0))
    b = int(np.sum(x1 & ~x0))
    c = int(np.sum(~x1 & x0))
    d = n - a - b - c
    p1, p0 = (a + b) / n, (a + c) / n
    w1, w0 = wilson(a + b, n, z), wilson(a + c, n, z)
    denom = math.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    # Newcombe's correlation estimate, shrunk towards zero by n/2 when positive
    cross = a * d - b * c
    adj = cross - n / 2 if cross > n / 2 else 0.0 if cross >= 0 else cross
    phi = adj / denom if denom > 0 else 0.0
    dl = math.sqrt(max(0.0, (p1 - w1.low) ** 2 - 2 * phi * (p1 - w1.low) * (w0.high - p0) + (w0.high - p0) ** 2))
    du = math.sqrt(max(0.0, (w1.high - p1) ** 2 - 2 * phi * (w1.high - p1) * (p0 - w0.low) + (p0 - w0.low) ** 2))
    theta = p1 - p0
    return Interval(theta, max(-1.0, theta - dl), min(1.0, theta + du), n)


def _resample_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def ratio_of_means(
    numerator: np.ndarray, denominator: np.ndarray, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> Interval:
    """``mean(num) / mean(den)`` with a percentile interval from resampling seeds.

    Used for cost per unit: public SEK over exchange-years or tonnes, averaged over the same
    seeds. The estimate is undefined (NaN) when the mean denominator is not positive. A resample
    without units but with money spent counts as an infinite cost per unit, so the upper limit is
    ``inf`` (unbounded) when that happens in more than 2.5 % of resamples.
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    ok = np.isfinite(num) & np.isfinite(den)
    num, den = num[ok], den[ok]
    n = len(num)
    if n == 0 or den.mean() <= 0:
        return Interval(math.nan, math.nan, math.nan, n)
    est = float(num.mean() / den.mean())
    if n == 1:
        return Interval(est, math.nan, math.nan, 1)
    idx = _resample_indices(n, resamples, seed)
    dens = den[idx].mean(axis=1)
    nums = num[idx].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        # a resample with no units: money spent for nothing is an unbounded cost per unit
        ratios = np.where(dens > 0, nums / np.where(dens > 0, dens, 1.0), np.where(nums > 0, np.inf, np.nan))
    if np.isnan(ratios).any():  # money saved with no units: no cost per unit exists, no interval either
        return Interval(est, math.nan, math.nan, n)
    lo, hi = np.percentile(ratios, [2.5, 97.5])
    return Interval(est, float(lo), float(hi), n)
