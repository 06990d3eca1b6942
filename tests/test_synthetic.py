"""Synthetic regions: reproducible, valid, plausible enough that exchanges form, national size."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from sim import config
from sim.core.model import SymbiosisModel
from sim.run.runner import run
from sim.scenarios import synthetic
from tests.helpers import cli_inprocess


def test_same_seed_same_region_different_seed_different_region() -> None:
    a = synthetic.generate(municipalities=8, firms=300, seed=5)
    b = synthetic.generate(municipalities=8, firms=300, seed=5)
    c = synthetic.generate(municipalities=8, firms=300, seed=6)
    assert a == b
    assert [f["location_km"] for f in a["firms"]] != [f["location_km"] for f in c["firms"]]
    assert a["municipalities"] != c["municipalities"]


def test_generated_region_is_valid_and_has_its_parts() -> None:
    cfg = config.build(synthetic.generate(municipalities=10, regions=2, firms=500, seed=2))
    assert len(cfg.firms) == 500 and len(cfg.municipalities) == 10 and len(cfg.regions) == 2
    roles = Counter(f.role for f in cfg.firms)
    assert roles["utility"] == 20, "a district-heating and a wastewater utility per municipality"
    assert roles["anchor"] >= 5 and roles["sme"] > roles["anchor"]
    per_muni = Counter((f.municipality, f.sector) for f in cfg.firms if f.role == "utility")
    assert all(per_muni[(m.name, s)] == 1 for m in cfg.municipalities for s in ("district_heating", "wastewater"))
    anchors = {f.name for f in cfg.firms if f.role == "anchor"}
    plots_near = {p.near for m in cfg.municipalities for p in m.plots}
    assert plots_near == anchors, "free plots beside every anchor"
    assert cfg.facilitators and all(r.programmes for r in cfg.regions)


def test_sector_counts_are_respected() -> None:
    raw = synthetic.generate(municipalities=3, firms_per_sector={"pulp_paper": 1, "greenhouse": 2, "food": 7}, seed=1)
    sectors = Counter(f["sector"] for f in raw["firms"] if f["role"] != "utility")
    assert sectors == {"pulp_paper": 1, "greenhouse": 2, "food": 7}


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="municipalities"):
        synthetic.generate(municipalities=0)
    with pytest.raises(ValueError, match="unknown sectors"):
        synthetic.generate(municipalities=2, firms_per_sector={"unicorns": 3})
    with pytest.raises(ValueError, match="preset"):
        synthetic.preset("galactic")


def test_exchanges_form_in_a_synthetic_region() -> None:
    """Streams are plausible: a small region forms an active cluster (Chertow's 3-2) within ten years."""
    cfg = config.build(synthetic.preset("small", seed=1))
    res = run(cfg, 1, 120)
    assert res.summary["peak_active_exchanges"] >= 3
    assert res.summary["cluster_ever_active"]
    used = [c for c in res.timeseries.columns if c.startswith("exchanges_") and res.timeseries[c].max() > 0]
    assert len(used) >= 2, "more than one kind of resource is exchanged"


@pytest.mark.slow
def test_national_preset_has_swedish_size_builds_and_steps() -> None:
    raw = synthetic.preset("national", seed=1)
    cfg = config.build(raw)
    assert len(cfg.municipalities) == 290 and len(cfg.regions) == 21 and len(cfg.firms) == 20000
    assert len({m.region for m in cfg.municipalities}) == 21, "every region has municipalities"
    t0 = time.perf_counter()
    model = SymbiosisModel(cfg, rng=1)
    for _ in range(2):
        model.step()
    assert model.n_alive > 19000
    assert time.perf_counter() - t0 < 60, "building and two months stay well inside a minute"


@pytest.mark.slow
def test_synth_command_writes_a_config_that_runs(tmp_path: Path) -> None:
    out = tmp_path / "region.yaml"
    proc = cli_inprocess("synth", "--municipalities", "5", "--firms", "200", "--seed", "7", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    loaded = config.load(out)
    assert config.resolved(loaded) == config.resolved(config.build(synthetic.generate(municipalities=5, firms=200, seed=7)))
    bad = cli_inprocess("synth", "--preset", "nowhere", "--out", str(out))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
