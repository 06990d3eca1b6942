"""benchmarks/paired_cases.py: a checkout against itself has the same results, and bad input exits 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "paired_cases.py"


def _paired(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)


@pytest.mark.slow
def test_a_checkout_against_itself_has_identical_results_and_a_ratio(tmp_path: Path) -> None:
    shutil.copy(ROOT / "configs" / "cases" / "A25_molekyl.yaml", tmp_path)
    done = _paired(str(ROOT), "--cases", str(tmp_path), "--seeds", "1", "--rounds", "2")
    assert done.returncode == 0, done.stderr
    assert "1 cases from" in done.stdout and "results on seed 1 identical" in done.stdout
    assert done.stdout.count("this is ") == 2
    assert "median over 2 rounds" in done.stdout


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["/nonexistent-checkout"], "other=/nonexistent-checkout"),
        ([str(ROOT), "--rounds", "0"], "--rounds=0"),
        ([str(ROOT), "--cases", "/"], "--cases=/"),
    ],
)
def test_bad_input_names_the_field_and_exits_2(args: list[str], names: str) -> None:
    done = _paired(*args)
    assert done.returncode == 2
    assert names in done.stderr and "Traceback" not in done.stderr
