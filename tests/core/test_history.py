"""Histories (sim/core/history.py): firms, streams and facilitators on their dates, the events that
say so, exchanges operating at the start, and firms whose fate the case tells."""

from __future__ import annotations

from typing import Any

import pytest

from sim import config
from sim.core.exchange import EndReason, Stage
from sim.dashboard import feed
from tests.mechanisms import builder as b

HEAT = [b.offer("co2", 1000, 0.95)]  # a stream and a need that make a deal at once (trust off)
NEED = [b.demand("co2", 300, 0.9)]


def _raw(*firms: dict[str, Any], initial: list[dict[str, Any]] | None = None, **kw: Any) -> dict[str, Any]:
    kw["mechanisms"] = {"trust": False, **kw.get("mechanisms", {})}
    raw = b.scenario(*firms, **kw)
    if initial is not None:
        raw["initial_exchanges"] = initial
    return raw


def _model(*firms: dict[str, Any], seed: int = 0, **kw: Any):
    return b.model(config.build(_raw(*firms, **kw)), seed)


def _problems(*firms: dict[str, Any], **kw: Any) -> str:
    with pytest.raises(config.ConfigError) as err:
        config.build(_raw(*firms, **kw))
    return str(err.value)


# ----- a firm that arrives later ---------------------------------------------------------------
def test_a_firm_with_a_later_entry_year_is_not_there_before_and_is_there_after() -> None:
    entry = b.START_YEAR + 2
    m = _model(b.firm("Mill", "anchor", offers=HEAT), b.firm("Grower", at=(11, 10), demands=NEED, entry_year=entry))
    assert [f.name for f in m.firms] == ["Mill"] and m.n_alive == 1
    assert all(not book.demands for book in m.state.matching.books.values())
    b.step(m, b.step_of(entry) - 1)
    assert "Grower" not in m.by_name and not b.exchanges(m)
    b.step(m)
    grower = b.firm_named(m, "Grower")
    assert grower.alive and grower.entered_step == b.step_of(entry) and m.n_alive == 2
    assert b.events(m, "firm_entry")[0]["firm"] == "Grower"
    assert b.step_until(m, lambda m: b.operating(m, receiver="Grower"), 12)


def test_a_firm_entry_event_brings_a_whole_firm() -> None:
    grower = b.firm("Grower", at=(11, 10), demands=NEED)
    m = _model(
        b.firm("Mill", "anchor", offers=HEAT),
        b.firm("Other", at=(30, 30)),
        events=[{"kind": "firm_entry", "year": b.START_YEAR + 1, "month": 4, "new_firm": grower}],
    )
    b.step(m, b.step_of(b.START_YEAR + 1, 4) - 1)
    assert "Grower" not in m.by_name
    b.step(m)
    assert b.firm_named(m, "Grower").alive
    (ev,) = b.events(m, "firm_entry")
    assert "arrives" in feed.sentence(ev)


def test_an_exit_year_removes_the_firm_at_its_date() -> None:
    m = _model(b.firm("Mill", "anchor", offers=HEAT, exit_year=b.START_YEAR + 1, exit_month=3), b.firm("Grower", at=(11, 10), demands=NEED))
    b.step(m, b.step_of(b.START_YEAR + 1, 3) - 1)
    assert b.firm_named(m, "Mill").alive
    b.step(m)
    assert not b.firm_named(m, "Mill").alive
    assert b.events(m, "firm_exited")[0]["reason"] == "scheduled"


# ----- streams on their dates -----------------------------------------------------------------
def test_offer_end_stops_the_stream_and_ends_its_exchange_without_blame() -> None:
    end = b.START_YEAR + 1
    m = _model(
        b.firm("Mill", "anchor", offers=HEAT),
        b.firm("Grower", at=(11, 10), demands=NEED),
        events=[{"kind": "offer_end", "firm": "Mill", "resource": "co2", "year": end}],
    )
    assert b.step_until(m, lambda m: b.operating(m), 6)
    (ex,) = b.operating(m)
    trust_before = b.pair_increment(m, ex.supplier, ex.receiver)
    b.step(m, b.step_of(end) - m.steps)
    assert ex.stage is Stage.ENDED and ex.end_reason is EndReason.STREAM_ENDED and ex.ended_step == b.step_of(end)
    stream = b.offer_of(m, "Mill", "co2")
    assert stream.retired and stream.quantity == 0.0 and stream.committed == 0.0
    assert b.demand_of(m, "Grower", "co2").met == 0.0  # the need is open again
    assert b.pair_increment(m, ex.supplier, ex.receiver) >= trust_before  # an end on its date is no failure
    (ev,) = b.events(m, "offer_end")
    assert ev["firm"] == "Mill" and ev["resource"] == "co2" and "ends" in feed.sentence(ev)
    b.step(m, 12)
    assert not b.operating(m)


def test_an_offer_with_an_end_year_and_a_later_start_year() -> None:
    start, end = b.START_YEAR + 1, b.START_YEAR + 3
    m = _model(
        b.firm("Mill", "anchor", offers=[b.offer("co2", 1000, 0.95, start_year=start, end_year=end)]),
        b.firm("Grower", at=(11, 10), demands=NEED),
    )
    assert not b.firm_named(m, "Mill").offers
    b.step(m, b.step_of(start) - 1)
    assert not b.exchanges(m)
    b.step(m)
    assert b.events(m, "offer_start")[0]["resource"] == "co2"
    assert b.step_until(m, lambda m: b.operating(m), 6)
    b.step(m, b.step_of(end) - m.steps)
    assert not b.operating(m) and b.exchanges(m)[0].end_reason is EndReason.STREAM_ENDED


def test_offer_start_event_adds_a_stream() -> None:
    m = _model(
        b.firm("Mill", "anchor"),
        b.firm("Grower", at=(11, 10), demands=NEED),
        events=[{"kind": "offer_start", "firm": "Mill", "year": b.START_YEAR + 1, "offer": b.offer("co2", 1000, 0.95)}],
    )
    b.step(m, 12)
    assert not b.exchanges(m)
    assert b.step_until(m, lambda m: b.operating(m), 6)


def test_a_need_with_an_end_year_ends_its_exchange_and_leaves_the_book() -> None:
    end = b.START_YEAR + 2
    m = _model(b.firm("Mill", "anchor", offers=HEAT), b.firm("Grower", at=(11, 10), demands=[b.demand("co2", 300, 0.9, end_year=end)]))
    assert b.step_until(m, lambda m: b.operating(m), 6)
    b.step(m, b.step_of(end) - m.steps)
    assert not b.operating(m) and b.exchanges(m)[0].end_reason is EndReason.STREAM_ENDED
    assert not m.state.matching.books["co2"].live_demands(m)


# ----- facilitators on their dates ---------------------------------------------------------
def test_a_facilitator_starts_and_closes_on_its_dates() -> None:
    start, end = b.START_YEAR + 1, b.START_YEAR + 3
    m = _model(
        b.firm("Mill", "anchor", offers=HEAT),
        b.firm("Grower", at=(11, 10), demands=NEED),
        facilitator={"start_year": start, "end_year": end},
    )
    assert not m.facilitators and m.municipalities[0].facilitator is None
    b.step(m, b.step_of(start) - 1)
    assert not m.facilitators
    b.step(m)
    assert [f.name for f in m.facilitators] == [b.FACILITATOR] and m.municipalities[0].facilitator == 0
    b.step(m, b.step_of(end) - m.steps)
    assert not m.facilitators and m.municipalities[0].facilitator is None


# ----- exchanges operating at the start -----------------------------------------------------
def test_an_initial_exchange_operates_at_step_one_with_its_delivered_months() -> None:
    began = b.START_YEAR - 10
    firms = (b.firm("Mill", "anchor", offers=HEAT), b.firm("Grower", at=(11, 10), demands=NEED), b.firm("Other", at=(12, 10)))
    m = _model(*firms, initial=[{"supplier": "Mill", "receiver": "Grower", "resource": "co2", "start_year": began}])
    fresh = _model(*firms)
    (ex,) = b.operating(m)
    assert ex.quantity == 300 and ex.delivered_months == 120 and ex.operating_since == 0
    assert b.firm_named(m, "Mill").delivered_months == 120 and b.firm_named(m, "Grower").delivered_months == 120
    assert b.pair_increment(m, ex.supplier, ex.receiver) > b.pair_increment(fresh, ex.supplier, ex.receiver)
    b.step(m)
    assert ex.stage is Stage.OPERATING and ex.delivered_months == 121
    assert m.collector.data["active_exchanges"][0] == 1
    assert ex.contract_end is not None and 1 <= ex.contract_end <= int(m.params.benefit.contract_years * 12) + 1


def test_an_initial_exchange_can_name_which_of_several_streams_flows() -> None:
    two = [b.offer("co2", 1000, 0.95), b.offer("co2", 500, 0.92)]
    firms = (b.firm("Mill", "anchor", offers=two), b.firm("Grower", at=(11, 10), demands=NEED))
    m = _model(*firms, initial=[{"supplier": "Mill", "receiver": "Grower", "resource": "co2", "start_year": 2010, "offer_index": 1}])
    (ex,) = b.operating(m)
    assert ex.offer.quality == 0.92 and ex.quantity == 300


def test_initial_exchanges_pass_the_cluster_test_from_the_first_month() -> None:
    firms = (
        b.firm("Mill", "anchor", offers=[*HEAT, b.offer("steam", 100, 10)]),
        b.firm("Grower", at=(11, 10), demands=NEED),
        b.firm("Chem", at=(10, 11), demands=[b.demand("steam", 100, 5)]),
    )
    ie = [
        {"supplier": "Mill", "receiver": "Grower", "resource": "co2", "start_year": 2000},
        {"supplier": "Mill", "receiver": "Chem", "resource": "steam", "start_year": 2005, "quantity": 50},
    ]
    m = _model(*firms, initial=ie)
    assert b.active_clusters(m) == {b.TOWN}
    b.step(m)
    assert m.collector.data["cluster_active"] == [True]
    assert [ex.quantity for ex in b.operating(m)] == [300, 50]


# ----- exit rules ------------------------------------------------------------------------------
def test_exit_scheduled_never_exits_by_hazard_and_a_firm_hazard_replaces_the_roles() -> None:
    firms = (
        b.firm("Mill", "anchor", offers=HEAT, exit="scheduled"),
        b.firm("Shop", at=(11, 10), demands=NEED, exit_hazard_per_year=1.0),
        b.firm("Lab", at=(12, 10), role="startup", exit="scheduled"),
    )
    for seed in range(5):
        m = _model(
            *firms, seed=seed, mechanisms={"firm_exit": True}, params={"firm_exit": {"hazard_anchor": 1.0, "hazard_startup": 1.0}}, years=4
        )
        b.step(m, 48)
        assert b.firm_named(m, "Mill").alive and b.firm_named(m, "Lab").alive
        assert not b.firm_named(m, "Shop").alive


# ----- bad histories -------------------------------------------------------------------------
def test_bad_dates_name_field_value_and_range() -> None:
    late = b.START_YEAR + 9
    text = _problems(b.firm("Mill", "anchor", offers=HEAT, entry_year=late), b.firm("Grower", at=(11, 10)))
    assert "firms.0 (Mill).entry_year: value" in text and str(late) in text and "after the horizon" in text and "before" in text
    text = _problems(b.firm("Mill", "anchor", entry_year=b.START_YEAR + 2, exit_year=b.START_YEAR + 1), b.firm("Grower", at=(11, 10)))
    assert "exit_year" in text and "not after its entry" in text
    text = _problems(
        b.firm("Mill", "anchor", offers=[b.offer("co2", 10, 0.95, start_year=b.START_YEAR + 2, end_year=b.START_YEAR + 1)]),
        b.firm("G", at=(11, 10)),
    )
    assert "offers.0.end_year" in text
    text = _problems(b.firm("Mill", "anchor", exit="scheduled", exit_hazard_per_year=0.1), b.firm("G", at=(11, 10)))
    assert "exit_hazard_per_year" in text


def test_bad_events_and_initial_exchanges_give_clear_errors() -> None:
    mill, grower = b.firm("Mill", "anchor", offers=HEAT), b.firm("Grower", at=(11, 10), demands=NEED)
    assert "events.0.new_firm: missing" in _problems(mill, grower, events=[{"kind": "firm_entry", "year": b.START_YEAR + 1}])
    assert "events.0.resource" in _problems(
        mill, grower, events=[{"kind": "offer_end", "firm": "Mill", "resource": "heat", "year": b.START_YEAR + 1}]
    )
    assert "events.0.firm" in _problems(
        mill, grower, events=[{"kind": "offer_end", "firm": "Nobody", "resource": "co2", "year": b.START_YEAR + 1}]
    )
    ie = {"supplier": "Mill", "receiver": "Grower", "resource": "co2", "start_year": b.START_YEAR + 1}
    assert "initial_exchanges.0.start_year" in _problems(mill, grower, initial=[ie])
    assert "initial_exchanges.0.resource" in _problems(mill, grower, initial=[{**ie, "start_year": 2000, "resource": "heat"}])
    assert "initial_exchanges.0.supplier" in _problems(mill, grower, initial=[{**ie, "start_year": 2000, "supplier": "Nobody"}])
    text = _problems(mill, grower, initial=[{**ie, "start_year": 2000, "quantity": 400}])
    assert "initial_exchanges.0.quantity" in text and "at most 300" in text
    text = _problems(mill, grower, initial=[{**ie, "start_year": 2000, "offer_index": 1}])
    assert "initial_exchanges.0.offer_index: value 1 is out of range" in text and "below 1" in text
    later = b.firm("Grower", at=(11, 10), demands=NEED, entry_year=b.START_YEAR + 1)
    assert "not a firm there at the start" in _problems(mill, later, initial=[{**ie, "start_year": 2000}])


def test_a_listed_tie_with_a_firm_that_arrives_later_is_refused() -> None:
    """Listed ties are set when the model is built, so one naming a later arrival is a config error, not a crash."""
    raw = _raw(b.firm("Mill", "anchor", offers=HEAT), b.firm("Grower", at=(11, 10), demands=NEED, entry_year=b.START_YEAR + 2))
    raw["acquaintances"] = [{"a": "Mill", "b": "Grower"}]
    with pytest.raises(config.ConfigError) as err:
        config.build(raw)
    assert "acquaintances.0.b: value 'Grower' arrives later" in str(err.value)
