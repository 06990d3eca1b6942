"""The facts block of a case file: valid facts load; each kind of mistake is named with field, value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import config

CASE = Path(__file__).resolve().parent.parent / "configs" / "cases" / "A13_bjuv.yaml"


def _raw(*facts: dict) -> dict:
    raw = config.read_yaml(CASE)
    raw["facts"] = list(facts)
    return raw


def _fact(**kw) -> dict:
    base = {"id": "findus_leaves", "says": "Findus closed its Bjuv plant.", "source": "A13", "observe": "firm_present"}
    base.update(firm="Findus Bjuv", window=[2018, 2020], expect=False)
    base.update(kw)
    return base


def test_valid_facts_load() -> None:
    cfg = config.build(
        _raw(
            _fact(),
            _fact(id="hub", observe="count", firm=None, metric="active_exchanges", stat="max", expect=[1, 10]),
            _fact(id="heat", observe="exchange", firm=None, resource="heat", supplier="Findus Bjuv", expect=True, source="A13, §2.3"),
        )
    )
    assert [f.id for f in cfg.facts] == ["findus_leaves", "hub", "heat"]
    assert cfg.facts[1].expect == (1.0, 10.0) and cfg.facts[0].expect is False


@pytest.mark.parametrize(
    ("fact", "needle"),
    [
        (_fact(firm="Findus"), "facts.0 (findus_leaves).firm: value 'Findus' is not a firm of this file"),
        (_fact(observe="exchange"), "facts.0 (findus_leaves).resource: missing for observe exchange"),
        (_fact(observe="cluster_active"), "facts.0 (findus_leaves).firm: not an argument of observe cluster_active"),
        (_fact(observe="count", firm=None, metric="nope", expect=[0, 1]), "metric: value 'nope' is not a timeseries column"),
        (_fact(observe="count", firm=None, metric="firms_alive"), "expect: value False is a yes/no"),
        (_fact(expect=[0, 1]), "expect: value [0.0, 1.0] is a range"),
        (_fact(observe="sometimes"), "facts.0.observe: value 'sometimes' is not allowed (allowed: 'exchange'"),
        (_fact(source="the report"), "facts.0.source: value 'the report' is invalid"),
        (_fact(id="Findus leaves"), "facts.0.id: value 'Findus leaves' is invalid"),
        (_fact(colour="red"), "facts.0.colour: unknown key"),
    ],
)
def test_bad_fact_is_named(fact: dict, needle: str) -> None:
    with pytest.raises(config.ConfigError) as err:
        config.build(_raw(fact))
    assert any(needle in p for p in err.value.problems), err.value.problems


def test_duplicate_ids_and_dated_entrant() -> None:
    raw = _raw(_fact(), _fact())
    with pytest.raises(config.ConfigError, match="is a duplicate"):
        config.build(raw)
    raw = _raw(_fact(firm="Newcomer", observe="firm_entered", expect=True))
    arrival = dict(raw["firms"][0], name="Newcomer", offers=[], demands=[])
    raw["events"] = [*raw.get("events", []), {"kind": "firm_entry", "year": 2015, "new_firm": arrival}]
    assert config.build(raw).facts[0].firm == "Newcomer"  # a dated entrant may be named


def test_a_fact_outside_the_run_still_loads() -> None:
    """A sweep may shorten or move a case: its facts then lie outside the run, which is no error."""
    cfg = config.build(config.apply_overrides(_raw(_fact(window=[2018, 2020])), {"years": 10}))
    assert cfg.facts[0].window == (2018, 2020)
