"""Help text keeps every word of a long value (paths, dotted keys, defaults) on a narrow terminal."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from sim.cli import app


@pytest.mark.parametrize(
    ("command", "text"),
    [("sweep", "(default: results/sweeps/NAME)."), ("compare", "params.land_planning.reservation_cost_sek_per_plot_year=80000")],
)
def test_help_on_a_narrow_terminal_is_wrapped_not_cut(command: str, text: str) -> None:
    res = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "60", "TERM": "xterm"}, terminal_width=60)
    assert res.exit_code == 0
    assert "…" not in res.stdout
    assert re.sub(r"\s+", "", text) in re.sub(r"\s+", "", res.stdout)  # wrapping may break it, but nothing is left out
