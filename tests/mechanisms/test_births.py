"""Births (sim/mechanisms/births.py): SMEs of the municipality's sectors are born at the configured
rate, with the streams of their sector's profile (or of a firm of the sector they copy), in the
town or beside its industrial plots, and then search like any firm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from agents.firm import Role
from sim import config
from sim.run.runner import run
from sim.scenarios import synthetic
from sim.scenarios.sectors import SECTORS
from tests.helpers import greater
from tests.mechanisms import builder as b

BAKER = b.firm("Baker", sector="food", at=(10, 10), demands=[b.demand("heat", 100, 30)])
WORKSHOP = b.firm("Workshop", sector="engineering", at=(11, 10), demands=[b.demand("infrastructure", 1, 0.5)])
PARK = b.firm("Park owner", "anchor", sector="chemicals", at=(30, 30), offers=[b.offer("infrastructure", 20, 0.9)])


def _model(*firms, rate: float | None = 60.0, params: dict | None = None, seed: int = 0, **kw):
    town = {"firm_births_per_year": rate} if rate is not None else {}
    return b.new(
        *(firms or (BAKER, PARK)),
        mechanisms={"births": True, "trust": False, **kw.pop("mechanisms", {})},
        params={"births": params or {}, **kw.pop("extra_params", {})},
        town=town,
        seed=seed,
        **kw,
    )


def _born(m):
    return [e["firm"] for e in b.events(m, "firm_birth")]


def test_births_come_at_the_configured_rate() -> None:
    """60 a year for 24 months: the count is a Poisson draw of mean 120 (two-sided exact test)."""
    m = b.step(_model(rate=60.0), 24)
    n = len(_born(m))
    p = 2 * min(stats.poisson.cdf(n, 120), stats.poisson.sf(n - 1, 120))
    assert p > 0.01, f"{n} births in two years at 60 a year"
    assert len(m.firms) == 2 + n and m.n_alive == 2 + n, "every birth is a firm in the register"


def test_without_an_own_rate_births_scale_with_the_firms_at_the_start() -> None:
    """Two non-utility firms at 5 births per firm and year: 10 a year; the utility does not count."""
    works = b.firm("Works", "utility", sector="district_heating", at=(12, 10))
    m = b.step(_model(BAKER, PARK, works, rate=None, params={"rate_per_firm_year": 5.0}), 24)
    n = len(_born(m))
    p = 2 * min(stats.poisson.cdf(n, 20), stats.poisson.sf(n - 1, 20))
    assert p > 0.01, f"{n} births in two years, expected about 20"


def test_a_born_firm_is_an_sme_of_its_sectors_profile() -> None:
    m = b.step(_model(rate=60.0), 6)
    born = [b.firm_named(m, name) for name in _born(m)]
    assert born
    profile = SECTORS["food"]
    for f in born:
        assert f.role is Role.SME and f.sector == "food", "the town's only SME sector is food"
        assert f.entered_step >= 1 and m.firm_arrays.founded[f.idx] == f.entered_step, "founded in its month of birth"
        for o in f.offers:
            (s,) = [s for s in profile.streams if s.offer and s.resource == o.resource]
            assert s.low - 1 <= o.quantity <= s.high + 1 and s.quality[0] <= o.quality <= s.quality[1]
        for d in f.demands:
            (s,) = [s for s in profile.streams if not s.offer and s.resource == d.resource]
            assert s.low - 1 <= d.quantity <= s.high + 1
    biogas = [o for f in born for o in f.offers if o.resource == "biogas"]
    assert biogas and all(o in m.state.matching.books["biogas"].offers for o in biogas), "its streams are in the books"


def test_a_born_firms_stream_is_found_by_search() -> None:
    """A biogas user in town finds a newly born food firm's biogas through ordinary matching (its
    economics made easy: no staff-time costs, so the search is what is tested)."""
    depot = b.firm("Depot", at=(10.5, 10), demands=[b.demand("biogas", 50, 0.4)])
    free = {r: 0.0 for r in ("anchor", "sme", "startup", "utility")}
    easy = {"benefit": {"setup_cost_sek": free, "running_cost_sek_per_month": free}}
    m = _model(BAKER, depot, rate=30.0, extra_params=easy, resources={"biogas": {"fixed_investment_sek": 0.0}})

    def found(m) -> bool:
        born = set(_born(m))
        return any(m.firms[ex.supplier].name in born for ex in b.exchanges(m, receiver="Depot"))

    assert b.step_until(m, found, 36)


def test_a_sector_without_a_profile_copies_a_firm_of_the_sector() -> None:
    m = b.step(_model(WORKSHOP, PARK, rate=60.0), 6)
    born = [b.firm_named(m, name) for name in _born(m)]
    assert born and all(f.sector == "engineering" for f in born)
    spread = m.params.births.template_spread
    for f in born:
        (d,) = f.demands
        assert d.resource == "infrastructure" and d.min_quality == 0.5
        assert 1 / spread - 1e-9 <= d.quantity <= spread + 1e-9


def test_births_settle_beside_the_plots_or_around_the_centre() -> None:
    plots = [{"near": "Park owner", "count": 2, "radius_km": 1.0}]
    park = b.step(_model(rate=60.0, params={"park_share": 1.0}, plots=plots), 6)
    town = b.step(_model(rate=60.0, params={"park_share": 0.0}, plots=plots), 6)
    near_park = [math.hypot(f.x - 30, f.y - 30) for f in park.firms if f.name in _born(park)]
    near_centre = [math.hypot(f.x - 10, f.y - 10) for f in town.firms if f.name in _born(town)]
    assert near_park and max(near_park) < 1.0 + 5 * park.params.births.park_spread_km
    assert near_centre and np.median(near_centre) < np.median([math.hypot(f.x - 30, f.y - 30) for f in town.firms if f.name in _born(town)])


def test_land_replanned_for_housing_sends_births_to_the_centre() -> None:
    plots = [{"near": "Park owner", "count": 2, "radius_km": 1.0, "zoning": "housing"}]
    m = b.step(_model(rate=60.0, params={"park_share": 1.0}, plots=plots), 6)
    born = [f for f in m.firms if f.name in _born(m)]
    assert born and np.median([math.hypot(f.x - 10, f.y - 10) for f in born]) < 10


def test_switched_off_or_at_rate_zero_nobody_is_born_and_nothing_else_changes() -> None:
    assert not _born(b.step(_model(rate=60.0, mechanisms={"births": False}), 12))
    zero, off = b.step(_model(rate=0.0, seed=3), 24), b.step(_model(rate=60.0, seed=3, mechanisms={"births": False}), 24)
    assert not _born(zero)
    assert [e for e in zero.events] == [e for e in off.events], "a zero rate draws no random numbers"


def test_a_bad_birth_rate_or_founding_year_is_refused_with_a_message() -> None:
    raw = b.scenario(BAKER, PARK, town={"firm_births_per_year": -1})
    with pytest.raises(config.ConfigError, match="firm_births_per_year"):
        config.build(raw)
    raw = b.scenario(b.firm("Baker", sector="food", founded_year=b.START_YEAR + 1), PARK)
    with pytest.raises(config.ConfigError, match=r"founded_year.*at most"):
        config.build(raw)


# ----- direction of effect -----------------------------------------------------------------------
def _small(rate: float, seed: int):
    raw = synthetic.preset("small", seed=1, years=20)
    raw["params"] = {"births": {"rate_per_firm_year": rate}}
    return run(config.build(raw), seed).summary


@pytest.mark.slow
def test_more_births_more_firms_and_more_exchanges_after_twenty_years() -> None:
    """A small synthetic region over twenty years at 1 % and 10 % births a year (30 seeds each)."""
    low = [_small(0.01, s) for s in range(30)]
    high = [_small(0.10, s) for s in range(30)]
    greater(np.array([r["firms_alive_final"] for r in high]), np.array([r["firms_alive_final"] for r in low]))
    greater(np.array([r["active_exchanges_20y"] for r in high]), np.array([r["active_exchanges_20y"] for r in low]))


@pytest.mark.slow
def test_with_births_a_region_keeps_its_firms_without_them_it_declines() -> None:
    """Twenty years of a small synthetic region: without births every seed ends with fewer firms than
    it started with; with births at the default rate the count stays within a fifth of the start."""
    n0 = len(synthetic.preset("small", seed=1)["firms"])
    on = np.array([_small(config.MechanismParams().births.rate_per_firm_year, s)["firms_alive_final"] for s in range(20)])
    off = np.array([_small(0.0, s)["firms_alive_final"] for s in range(20)])
    assert (off < n0).all(), f"without births: {off.tolist()} of {n0}"
    assert stats.binomtest(int((on >= 0.8 * n0).sum()), len(on), 0.5, alternative="greater").pvalue < 0.01, (
        f"with births: {on.tolist()} of {n0}"
    )
    greater(on, off)
