"""Land planning (sim/mechanisms/land_planning.py): once a municipality's cluster has been
inactive long enough, housing pressure may re-plan the free industrial plots beside the hub for
housing, unless they are reserved; a cluster that was never active is left alone."""

from __future__ import annotations

import numpy as np
import pytest

from sim import config
from sim.run.runner import run
from tests.helpers import ANCHOR_EXIT, greater
from tests.mechanisms import builder as b

LEAVE = {"kind": "firm_exit", "year": b.START_YEAR, "month": 8, "firm": "Grower"}


def _model(events=(LEAVE,), **kw):
    """One heat exchange counts as a cluster here (2 firms, 1 resource); the receiver leaves in month 8."""
    return b.new(
        b.firm("Mill", "anchor", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 500, 40)]),
        mechanisms={"trust": False, **kw.pop("mechanisms", {})},
        observation={"cluster_min_firms": 2, "cluster_min_resources": 1},
        town={"housing_pressure": 1.0, "hub": "Mill"},
        plots=[{"near": "Mill", "count": 3}],
        params={"land_planning": {"inactive_months": 3, "replan_rate_per_year": 1.0}},
        events=list(events),
        **kw,
    )


def _zoning(m) -> list[str]:
    return b.plot_zoning(m)


def test_an_operating_exchange_makes_an_active_cluster() -> None:
    m = _model()
    assert b.step_until(m, lambda m: b.operating(m), 6)
    assert b.active_clusters(m) == {b.TOWN}
    b.step(m, 8 - m.steps)
    assert b.active_clusters(m) == set()


def test_land_is_replanned_for_housing_after_the_cluster_goes_quiet() -> None:
    m = b.step(_model(), 9)
    assert _zoning(m) == ["industrial"] * 3 and not b.events(m, "land_replanned")
    b.step(m, 1)
    (ev,) = b.events(m, "land_replanned")
    assert ev["step"] == 10 and ev["municipality"] == b.TOWN, "quiet from month 8, so month 10 is the third quiet month"
    assert _zoning(m) == ["housing"] * 3
    assert b.land_state(m).replanned


def test_reserved_land_is_never_replanned_and_costs_public_money() -> None:
    m = b.step(_model(policy={"land_reservation": True}), 36)
    assert not b.events(m, "land_replanned")
    assert _zoning(m) == ["reserved"] * 3
    cost = m.params.land_planning.reservation_cost_sek_per_plot_year
    assert b.public_sek_this_month(m) == pytest.approx(3 * cost / 12)


def test_switched_off_land_stays_industrial() -> None:
    m = b.step(_model(mechanisms={"land_planning": False}), 36)
    assert _zoning(m) == ["industrial"] * 3


def test_a_cluster_that_never_ran_is_not_replanned() -> None:
    quiet = b.new(
        b.firm("Mill", "anchor", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 500, 40)]),
        town={"housing_pressure": 1.0},
        plots=[{"near": "Mill", "count": 3}],
        params={"matching": {"base_search_rate": 0.0}, "land_planning": {"inactive_months": 1, "replan_rate_per_year": 1.0}},
    )
    b.step(quiet, 36)
    assert _zoning(quiet) == ["industrial"] * 3
    assert not b.land_state(quiet).ever_active


def _late_entries(overrides: dict) -> np.ndarray:
    """Start-ups entering more than two years after the anchor's exit (step 75)."""
    cfg = config.load(ANCHOR_EXIT, overrides)
    counts = []
    for seed in range(40):
        ev = run(cfg, seed).events
        counts.append(int(((ev.kind == "firm_entered") & (ev.step > 75 + 24)).sum()))
    return np.array(counts, dtype=float)


@pytest.mark.slow
def test_replanned_land_blocks_new_establishments() -> None:
    """P1: once land beside the hub is re-planned for housing, start-ups can no longer locate there."""
    greater(_late_entries({"mechanisms.land_planning": False}), _late_entries({}))
