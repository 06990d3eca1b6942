"""symbiosis check-cases on a fast subset: one short case, two seeds, through the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import config
from sim.cli import app
from sim.run import docking
from sim.scenarios.cases import CASES_DIR

A16 = config.load(CASES_DIR / "A16_novo_gryaab.yaml")


def test_check_cases_writes_the_table(tmp_path: Path) -> None:
    docs = tmp_path / "validation.md"
    docs.write_text(f"# V\n\n## Case docking\n\n{docking.DOCS_START}\nOLD TABLE\n{docking.DOCS_END}\n\nDiscussion.\n", encoding="utf-8")
    res = CliRunner().invoke(
        app, ["check-cases", "--cases", "A16", "--seeds", "2", "--out", str(tmp_path / "out"), "--docs", str(docs), "--no-figure"]
    )
    assert res.exit_code == 0, res.output
    table = pd.read_parquet(tmp_path / "out" / "docking.parquet")
    assert list(table["fact"]) == [f.id for f in A16.facts]
    assert set(table["seeds"]) == {2} and table["commit"].str.len().min() >= 7
    assert pd.read_csv(tmp_path / "out" / "docking.csv")["fact"].tolist() == list(table["fact"])
    obs = pd.read_parquet(tmp_path / "out" / "observations.parquet")
    assert len(obs) == 2 * len(A16.facts) and set(obs["seed"]) == {1, 2}
    assert not (tmp_path / "out" / "docking_exchanges.png").exists()
    text = docs.read_text(encoding="utf-8")
    assert "OLD TABLE" not in text and "Discussion." in text and "| A16 | `technical_water_cools_novo` |" in text
    held = int(table["holds"].sum())
    assert f"A16 {held}/{len(A16.facts)}" in res.output and f"{held} of {len(A16.facts)} facts hold" in text


def test_same_seeds_same_table() -> None:
    a, b = docking.dock(["A16"], 1), docking.dock(["A16"], 1)
    pd.testing.assert_frame_equal(a.observations, b.observations)
    assert a.series["A16"].shape == (1, A16.steps)


@pytest.mark.slow  # matplotlib's import alone takes a second or more on busy cores
def test_the_figure_is_drawn(tmp_path: Path) -> None:
    d = docking.dock(["A16"], 1)
    docking.write(d, tmp_path)
    assert (tmp_path / "docking_exchanges.png").stat().st_size > 1000


def test_unknown_case_is_named(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["check-cases", "--cases", "A99", "--seeds", "1", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--cases A99: no such case" in res.output
