"""The case library: every file validates and runs through the real model; the table lists it.

The Bjuv file is checked for the set-up the Bjuv study (experiments/bjuv) needs, never for its outcome:
the collapse must come from the mechanisms, so no test here asserts one.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from sim import config
from sim.run.runner import run
from sim.scenarios import cases
from tests.helpers import cli, cli_inprocess

FILES = cases.case_files()
REQUIRED = {f"A{n}" for n in range(1, 30)}  # the report's appendix: A1-A29


def test_library_holds_every_case_of_the_report() -> None:
    ids = {config.load(p).case for p in FILES}
    assert ids >= REQUIRED, f"missing {sorted(REQUIRED - ids)}"
    assert len(ids) == len(FILES), "one file per case, no duplicates"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_case_validates_and_runs_24_months(path: Path) -> None:
    cfg = config.load(path)
    assert path.stem.split("_")[0] == cfg.case, "file name starts with the case id"
    assert cases.tests_of(cfg.description), "the description says what the case tests"
    assert cfg.start_year + cfg.years - 1 >= 2030, "the last simulated year is 2030 or later"
    for firm in cfg.firms:
        assert firm.offers or firm.demands, f"{firm.name} has no stream and could never take part"
    res = run(cfg, cfg.seed, 24)
    assert len(res.timeseries) == 24
    assert res.timeseries["firms_alive"].iloc[0] >= len(cfg.firms) - 2, "the actors are built and alive"
    for key in ("co2_avoided_total_t", "public_funding_total_sek", "heat_delivered_total_mwh"):
        assert math.isfinite(res.summary[key]) and res.summary[key] >= 0


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_file_keeps_its_assumptions_in_one_block(path: Path) -> None:
    """Assumed numbers are listed once at the top ([a1], [a2], ...) and every tag used is defined."""
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("# ---------------------------------------------------------------")
    assert "ASSUMPTIONS" in head, "a commented assumption block at the top"
    defined = set(re.findall(r"^# \[(a\d+)\]", text, re.M))
    used = set(re.findall(r"\[(a\d+)\]", body))
    assert defined, "at least one assumption is stated"
    assert used <= defined, f"tags used but not defined: {sorted(used - defined)}"
    assert yaml.safe_load(text)["case"] in text.splitlines()[0], "first line names the case id"


def test_bjuv_has_the_setup_of_the_study() -> None:
    cfg = config.load(cases.CASES_DIR / "A13_bjuv.yaml")
    findus = next(f for f in cfg.firms if f.name.startswith("Findus"))
    assert findus.role == "anchor" and cfg.start_year == 2008
    assert {o.resource for o in findus.offers} >= {"biogas", "heat", "technical_water"}
    # the hub's treatment and biogas plant works only on what Findus sends it (input-output coupling)
    plant = next(f for f in cfg.firms if "biogas plant" in f.name)
    assert {o.resource for o in plant.offers} >= {"biogas", "digestate", "technical_water"}
    assert all(o.fed_by is not None and o.fed_from == findus.name for o in plant.offers)
    assert all(d.only_from == findus.name for d in plant.demands)
    bjuv = next(m for m in cfg.municipalities if m.name == "Bjuv")
    assert bjuv.hub == findus.name and any(p.near == findus.name and p.count > 0 for p in bjuv.plots)
    assert bjuv.housing_pressure >= 0.7, "high housing pressure on the land beside the hub"
    exits = [e for e in cfg.events if e.kind == "firm_exit"]
    assert [(e.firm, e.year) for e in exits] == [(findus.name, 2017)], "Findus's exit is the only scripted event"
    assert 28 <= len(cfg.firms) <= 40, "a cluster of about thirty actors"
    assert sum(f.role == "startup" for f in cfg.firms) >= 2
    programmes = " ".join(p.name for r in cfg.regions for p in r.programmes)
    for funder in ("Bjuv", "Region Skåne", "Tillväxtverket"):
        assert funder in programmes
    assert cfg.start_year + cfg.years - 1 >= 2030
    assert cfg.policy.land_reservation is False, "the baseline does not reserve land"


@pytest.mark.slow
def test_cases_command_lists_the_library() -> None:
    proc = cli_inprocess("cases")
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if re.match(r"A\d+\s", line)]
    assert len(rows) == len(FILES)
    bjuv = next(r for r in rows if r.startswith("A13 "))
    assert "Bjuv" in bjuv and "2008" in bjuv and "P1" in bjuv
    assert f"{len(FILES)} cases" in proc.stdout


def test_cases_command_reports_a_broken_file_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "A99_broken.yaml").write_text("name: x\nfirms: []\n", encoding="utf-8")
    proc = cli_inprocess("cases", "--directory", str(tmp_path))
    assert proc.returncode == 2
    assert "A99_broken.yaml" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow  # fresh interpreters, several seconds: the slow tier keeps it
def test_a_case_runs_from_the_command_line(tmp_path: Path) -> None:
    proc = cli("run", str(cases.CASES_DIR / "A16_novo_gryaab.yaml"), "--steps", "12", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "summary.json").exists()
