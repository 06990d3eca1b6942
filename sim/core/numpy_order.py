"""numpy's arithmetic on a few floats, in plain Python and in numpy's order: the same floats.

A case has a handful of candidates, live exchanges or facilitators a month, too few for numpy's
per-call cost to pay off; these give what ``np.sum`` and ``rng.choice`` would give, so a fast path
built on them keeps the results exact.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

import numpy as np


def choice(rng: np.random.Generator, weights: list[float]) -> int:
    """``int(rng.choice(len(w), p=w / w.sum()))`` for a handful of weights, in plain Python.

    A search has at most ``candidates`` weights, too few for numpy's per-call overhead to pay off.
    This does numpy's arithmetic in numpy's order (:func:`numpy_sum`, a running cumulative sum
    normalised by its last element, a right-sided search of one uniform draw), so the same pick.
    """
    if len(weights) == 1 and weights[0] > 0:  # the cumulative sum is w / w = 1, above every draw
        rng.random()
        return 0
    total = numpy_sum(weights)
    if not total > 0:
        raise ValueError("probabilities contain NaN")  # as rng.choice would: every candidate beyond exp's range
    cdf = list(accumulate([w / total for w in weights]))
    last = cdf[-1]
    return bisect_right([c / last for c in cdf], rng.random())


def draws_below(rng: np.random.Generator, n: int, ceiling: float) -> list[float] | None:
    """``rng.random(n)`` as a list (one draw by a scalar call, which costs half and gives the same
    number), or None when no draw falls below ``ceiling``: most months, a few firms' draws are all
    above what any of them could need, and a loop decides that for less than min()."""
    if n == 1:
        u = rng.random()
        return [u] if u < ceiling else None
    draws = rng.random(n).tolist()
    for u in draws:
        if u < ceiling:
            return draws
    return None


def numpy_sum(xs: list[float]) -> float:
    """``np.sum`` of a short float64 array, in its order: below 8 terms one running sum; up to 128,
    eight running sums (of every 8th term) added in pairs, then the rest one by one."""
    n = len(xs)
    if n < 8:
        total = 0.0
        for x in xs:
            total += x
        return total
    if n > 128:
        return float(np.sum(xs))  # numpy recurses in halves beyond 128 terms
    r = xs[:8]
    tail = n - n % 8
    for i in range(8, tail, 8):
        for j in range(8):
            r[j] += xs[i + j]
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for x in xs[tail:]:
        total += x
    return total
