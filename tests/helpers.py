"""Helpers for tests: run the real CLI in a subprocess and replicate runs over seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from sim import config

# Debian's Chromium, never a downloaded browser, launched as ``compare`` launches it for its PDF
# (without the background-networking flags it keeps trying hosts this closed network refuses)
from sim.compare.pdf import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 (re-exported for the tests)
from sim.run.runner import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "configs" / "example.yaml"
ANCHOR_EXIT = ROOT / "configs" / "scenarios" / "anchor_exit.yaml"
FEED_CHAIN = ROOT / "configs" / "scenarios" / "feed_chain.yaml"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``symbiosis ARGS`` as a user would, in a fresh Python process."""
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=600)


class Result:
    """What a command returned: exit code and its two streams (like subprocess.CompletedProcess)."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def cli_inprocess(*args: str) -> Result:
    """``symbiosis ARGS`` through typer's test runner: the real app without a new interpreter (and
    its seconds of imports); an exception the command does not handle is raised, failing the test."""
    from typer.testing import CliRunner

    from sim.cli import app

    res = CliRunner().invoke(app, list(args))
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return Result(res.exit_code, res.stdout, res.stderr)


def outcomes(path: Path | None, overrides: dict[str, Any], key: str, n: int = 30, steps: int | None = None) -> np.ndarray:
    """One summary outcome over seeds 0..n-1 (common random numbers across arms)."""
    cfg = config.load(path, overrides)
    return np.array([float(run(cfg, seed, steps).summary[key]) for seed in range(n)])


def greater(a: np.ndarray, b: np.ndarray, alpha: float = 0.01) -> float:
    """One-sided Mann–Whitney U test that ``a`` tends to exceed ``b``; asserts and returns p."""
    p = float(stats.mannwhitneyu(a, b, alternative="greater").pvalue)
    assert p < alpha, f"no significant increase: mean {a.mean():.3f} vs {b.mean():.3f}, one-sided Mann–Whitney p = {p:.4f}"
    return p
