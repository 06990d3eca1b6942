"""Events carry typed fields, so the feed and the reports never parse the prose in ``detail``."""

from __future__ import annotations

import pytest

from sim import config
from sim.core import events
from sim.core.events import EventKind
from sim.dashboard import feed
from sim.run.reference import EVENT_COLUMNS
from sim.run.runner import run
from tests.helpers import ANCHOR_EXIT


def test_events_table_keeps_every_earlier_column_and_adds_typed_fields() -> None:
    res = run(config.load(ANCHOR_EXIT), 3)
    assert list(res.events.columns[: len(EVENT_COLUMNS)]) == list(EVENT_COLUMNS)
    assert set(res.events["kind"]) <= {k.value for k in EventKind}
    ex_events = res.events[res.events["exchange"] >= 0]
    assert len(ex_events) and (ex_events["supplier"] != "").all() and (ex_events["receiver"] != "").all()
    names = res.exchanges.set_index("id")
    for row in ex_events.head(50).itertuples():
        assert row.supplier == names.loc[row.exchange, "supplier"] and row.resource == names.loc[row.exchange, "resource"]
    exits = res.events[res.events["kind"] == EventKind.FIRM_EXITED]
    assert len(exits) and (exits["count"] >= 0).all()
    for step, rows in exits.groupby("step"):  # several firms may leave in one month
        ended = res.events[(res.events["step"] == step) & (res.events["reason"] == "partner_exit")]
        assert int(rows["count"].sum()) == int(ended["was_operating"].sum())


def test_unknown_event_fields_are_refused() -> None:
    with pytest.raises(KeyError, match="colour"):
        events.record(1, 2020, 1, EventKind.PROJECT_ENDED, {"colour": "red"})
    with pytest.raises(ValueError):
        events.record(1, 2020, 1, "no_such_kind", {})  # type: ignore[arg-type]


def test_the_feed_reads_fields_not_prose() -> None:
    """A sentence comes from the typed fields: a misleading ``detail`` changes nothing."""
    ev = events.record(
        5,
        2020,
        5,
        EventKind.FIRM_ENTERED,
        {"firm": "Greenhouse 1", "sector": "greenhouse", "partner": "Mill", "resource": "heat", "detail": "x beside y"},
    )
    assert feed.sentence(ev) == "a greenhouse start-up, Greenhouse 1, sets up beside Mill to use its low-grade residual heat"
    ev = events.record(5, 2020, 5, EventKind.FIRM_EXITED, {"firm": "Mill", "reason": "scheduled", "count": 3, "detail": "nonsense"})
    assert feed.sentence(ev) == "Mill exits (as in the case history); 3 exchanges end"
