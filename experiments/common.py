"""Shared helpers of the experiments: confidence intervals, two-arm tests and a small deterministic process pool.

The studies report every figure with its uncertainty over seeded replications; the same helpers
keep the Bjuv study, the pattern table and the sensitivity analysis consistent.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import subprocess
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent


def provenance() -> str:
    """Which model code produced a table: the commit, and any uncommitted changes to the model.

    Others edit the same working tree, so a table must say what it was computed from."""
    git = ["git", "-C", str(ROOT)]
    try:
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no", "--", "sim", "agents", "configs"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "model code of unknown version (no git)"
    files = sorted(line[3:] for line in changed if line.strip())
    return f"model code at commit {commit}" + (f" with uncommitted changes to {', '.join(files)}" if files else "")


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """Share k/n with its Wilson score interval (well-behaved near 0 and 1, unlike the normal one)."""
    if n == 0:
        return math.nan, math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_ci(x: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean with a Student-t interval; a constant sample has a zero-width interval."""
    a = np.asarray(x, dtype=float)
    a = a[~np.isnan(a)]
    if len(a) == 0:
        return math.nan, math.nan, math.nan
    m = float(a.mean())
    if len(a) < 2 or float(a.std(ddof=1)) == 0.0:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, len(a) - 1) * a.std(ddof=1) / math.sqrt(len(a)))
    return m, m - half, m + half


def band(matrix: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-column mean and t interval of a (replications x time) matrix, for figure bands."""
    n = matrix.shape[0]
    m = matrix.mean(axis=0)
    if n < 2:
        return m, m, m
    half = stats.t.ppf(0.5 + level / 2, n - 1) * matrix.std(axis=0, ddof=1) / math.sqrt(n)
    return m, m - half, m + half


def welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Difference of means a − b with a Welch 95 % interval."""
    d = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(np.sqrt(va + vb))
    if se == 0.0:
        return d, d, d
    dof = (va + vb) ** 2 / ((va**2) / (len(a) - 1) + (vb**2) / (len(b) - 1))
    half = float(stats.t.ppf(0.975, dof)) * se
    return d, d - half, d + half


def mw_p(a: np.ndarray, b: np.ndarray) -> float:
    """One-sided Mann–Whitney p that a tends to exceed b (1.0 when both are constant and equal)."""
    if np.all(a == a[0]) and np.all(b == a[0]):
        return 1.0
    return float(stats.mannwhitneyu(a, b, alternative="greater").pvalue)


def fmt_p(p: float) -> str:
    """A p value for tables, never printed as zero."""
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.4f}"


def pmap[T, R](func: Callable[[T], R], tasks: Iterable[T], workers: int = 2) -> list[R]:
    """Map over tasks in input order (results never depend on scheduling); workers=1 runs in-process."""
    items = list(tasks)
    if workers <= 1:
        return [func(t) for t in items]
    ctx = mp.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(func, items, chunksize=max(1, len(items) // (workers * 20))))


def fmt_share(p: float, lo: float, hi: float) -> str:
    """A share and its interval as percentages, for tables."""
    return f"{100 * p:.0f} % [{100 * lo:.0f}, {100 * hi:.0f}]"


def fmt_mean(m: float, lo: float, hi: float, digits: int = 2) -> str:
    """A mean and its interval, for tables."""
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
