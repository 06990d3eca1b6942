"""No case file has a need or a stream that no actor could ever meet (sim/scenarios/supply.py)."""

from __future__ import annotations

import copy

import pytest

from sim import config
from sim.scenarios.cases import case_files
from sim.scenarios.supply import unmeetable

CASES = case_files()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_need_and_stream_of_a_case_can_be_met(path) -> None:
    assert unmeetable(config.load(path)) == []


def _raw() -> dict:
    return copy.deepcopy(config.read_yaml(next(p for p in CASES if p.stem.startswith("A16_"))))


def test_a_need_beyond_reach_or_quality_is_found() -> None:
    raw = _raw()
    novo = next(f for f in raw["firms"] if f["name"] == "Novo battery plant")
    novo["demands"].append({"resource": "oxygen", "quantity": 10, "min_quality": 0.9})  # nobody offers oxygen
    novo["demands"].append({"resource": "technical_water", "quantity": 10, "min_quality": 0.95})  # Gryaab's is 0.7
    problems = unmeetable(config.build(raw))
    n = len(novo["demands"])
    assert [p.split(":")[0] for p in problems] == [f"firms.0 (Novo battery plant).demands.{i}" for i in (n - 2, n - 1)]


def test_a_stream_of_a_firm_that_left_before_the_need_began_is_no_supplier() -> None:
    raw = _raw()
    gryaab = next(f for f in raw["firms"] if f["name"] == "Gryaab")
    gryaab["exit_year"] = 2023
    novo = next(f for f in raw["firms"] if f["name"] == "Novo battery plant")
    novo["demands"][0]["start_year"] = 2025
    volvo = next(f for f in raw["firms"] if f["name"] == "Volvo Cars Torslanda")
    volvo["demands"][0]["start_year"] = 2025
    problems = unmeetable(config.build(raw))
    assert any("Novo battery plant's need of technical_water" in p for p in problems)


def test_born_firms_and_entrants_count_as_possible_partners() -> None:
    """A20's heat needs have no listed supplier; born metal firms (births on) may offer heat."""
    savsjo = config.read_yaml(next(p for p in CASES if p.stem.startswith("A20_")))
    assert unmeetable(config.build(savsjo)) == []
    savsjo["mechanisms"] = {**savsjo.get("mechanisms", {}), "births": False}
    assert any("need of heat" in p for p in unmeetable(config.build(savsjo)))
