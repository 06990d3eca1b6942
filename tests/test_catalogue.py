"""The resource catalogue as scenario data (sim/core/resources.py): a scenario file and ``--set``
override its values, the run uses them and writes them to config.resolved.yaml, bad values are
refused with a clear message, and a ``set_price`` event changes a price at its month."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim import config
from sim.core.model import SymbiosisModel
from sim.core.resources import CATALOGUE, PRICE_PROPERTIES, RESOURCE_NAMES, properties_of
from sim.run.runner import run
from tests.helpers import EXAMPLE, cli_inprocess
from tests.mechanisms import builder as b


def _example_with(tmp_path: Path, **top: object) -> Path:
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    raw.update(top)
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_every_value_has_a_unit_and_a_source() -> None:
    for r in CATALOGUE.values():
        for prop in properties_of(r):
            assert r.sources.get(prop), f"{r.name}.{prop} has no source"
    fields = config.ScenarioConfig().resources
    for name in RESOURCE_NAMES:
        for prop, info in type(getattr(fields, name)).model_fields.items():
            assert info.json_schema_extra["unit"] and info.json_schema_extra["source"], f"resources.{name}.{prop}"


def test_the_default_table_is_the_catalogue_and_materials_pay_the_landfill_tax() -> None:
    m = SymbiosisModel(config.load(), rng=1)
    assert m.resources == CATALOGUE
    tax = m.policy.landfill_tax_sek_per_t
    assert m.resources["materials"].disposal_sek_per_unit(tax) > tax, "a gate fee on top of the tax (Lag (1999:673))"


def test_a_scenario_file_and_set_override_the_catalogue_and_reach_the_resolved_config(tmp_path: Path) -> None:
    path = _example_with(tmp_path, resources={"materials": {"disposal_fee_sek_per_unit": 900.0}})
    out = tmp_path / "run"
    res = cli_inprocess("run", str(path), "--out", str(out), "--steps", "6", "--set", "resources.oxygen.transport_sek_per_unit_km=3")
    assert res.returncode == 0, res.stdout + res.stderr
    resolved = yaml.safe_load((out / "config.resolved.yaml").read_text(encoding="utf-8"))
    assert resolved["resources"]["materials"]["disposal_fee_sek_per_unit"] == 900.0
    assert resolved["resources"]["oxygen"]["transport_sek_per_unit_km"] == 3.0
    assert resolved["resources"]["oxygen"]["virgin_price_sek_per_unit"] == CATALOGUE["oxygen"].virgin_price_sek_per_unit
    cfg = config.load(path, {"resources.oxygen.transport_sek_per_unit_km": 3})
    m = SymbiosisModel(cfg, rng=1)
    assert m.resources["materials"].disposal_fee_sek_per_unit == 900.0 and m.resources["oxygen"].transport_sek_per_unit_km == 3.0


def test_an_override_changes_the_run() -> None:
    """Water mains at a thousand times their cost: the example's water exchanges never form."""
    base = run(config.load(), 1, 120).timeseries["flow_technical_water"].sum()
    dear = run(config.load(None, {"resources.technical_water.connection_sek_per_km": 2.5e9}), 1, 120).timeseries
    assert base > 0 and dear["flow_technical_water"].sum() == 0


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"resources": {"oxigen": {"transport_sek_per_unit_km": 3}}}, ["resources.oxigen", "unknown key", "oxygen"]),
        ({"resources": {"oxygen": {"transport_cost": 3}}}, ["resources.oxygen.transport_cost", "transport_sek_per_unit_km"]),
        ({"resources": {"oxygen": {"transport_sek_per_unit_km": -3}}}, ["resources.oxygen.transport_sek_per_unit_km", "-3", ">= 0"]),
        ({"resources": {"heat": {"landfill_share": 0.5}}}, ["resources.heat.landfill_share", "unknown key", "virgin_price_sek_per_unit"]),
    ],
)
def test_a_bad_override_names_the_field_the_value_and_what_is_allowed(overrides: dict, words: list[str]) -> None:
    raw = {**config.read_yaml(EXAMPLE), **overrides}
    with pytest.raises(config.ConfigError) as err:
        config.build(raw)
    for w in words:
        assert w in str(err.value), str(err.value)


def test_a_bad_set_names_the_allowed_properties() -> None:
    res = cli_inprocess("validate", str(EXAMPLE), "--set", "resources.oxygen.price=3")
    assert res.returncode == 2
    assert "resources.oxygen.virgin_price_sek_per_unit" in res.stdout + res.stderr


def _shock(**event: object) -> dict:
    ev = {"kind": "set_price", "year": b.START_YEAR + 1, "month": 3, "resource": "oxygen", "value": 1400.0, **event}
    return b.scenario(
        b.firm("Electrolyser", offers=[b.offer("oxygen", 100, 0.99)]),
        b.firm("Fish farm", at=(11, 10), demands=[b.demand("oxygen", 50, 0.9), b.demand("biogas", 10, virgin_price=300.0)]),
        b.firm("Treatment plant", at=(12, 10), demands=[b.demand("oxygen", 50, 0.9, virgin_price=350.0)]),
        events=[ev],
    )


def test_a_price_change_event_changes_the_price_at_its_month() -> None:
    m = SymbiosisModel(config.build(_shock()), rng=0)
    month = b.step_of(b.START_YEAR + 1, 3)
    b.step(m, month - 1)
    assert m.resources["oxygen"].virgin_price_sek_per_unit == 700.0 and not b.events(m, "price_change")
    b.step(m, 1)
    assert m.resources["oxygen"].virgin_price_sek_per_unit == 1400.0
    (ev,) = b.events(m, "price_change")
    assert ev["resource"] == "oxygen" and ev["lever"] == "resources.oxygen.virgin_price_sek_per_unit" and ev["step"] == month
    assert b.demand_of(m, "Fish farm", "oxygen").virgin_price == 1400.0, "a need at the catalogue price takes the new price"
    assert b.demand_of(m, "Treatment plant", "oxygen").virgin_price == pytest.approx(700.0), "its own price moves in proportion"
    assert b.demand_of(m, "Fish farm", "biogas").virgin_price == 300.0, "other resources keep their prices"
    assert CATALOGUE["oxygen"].virgin_price_sek_per_unit == 700.0, "the catalogue itself is not changed"


@pytest.mark.parametrize(
    ("event", "words"),
    [
        ({"resource": None}, ["events.0.resource", "set_price", "oxygen"]),
        ({"property": "max_distance_km"}, ["events.0.property", "not a price of oxygen", "virgin_price_sek_per_unit"]),
        ({"property": "landfill_share", "resource": "heat"}, ["events.0.property", "not a price of heat"]),
        ({"value": -1.0}, ["events.0.value", "virgin_price_sek_per_unit", ">= 0"]),
        ({"value": "dear"}, ["events.0.value", "dear"]),
    ],
)
def test_a_bad_price_change_is_refused_with_a_clear_message(event: dict, words: list[str]) -> None:
    with pytest.raises(config.ConfigError) as err:
        config.build(_shock(**event))
    for w in words:
        assert w in str(err.value), str(err.value)


def test_only_prices_can_change_during_a_run() -> None:
    assert "max_distance_km" not in PRICE_PROPERTIES and "search_reach_km" not in PRICE_PROPERTIES
