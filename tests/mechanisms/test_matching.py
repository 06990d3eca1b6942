"""Discovery (sim/mechanisms/matching.py): searchers find offers of their resource within reach and
good enough, nearer ones far more often, never their own, never a pair twice; a facilitator's
engagement makes firms search."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.core import books, numpy_order
from sim.core.resources import CATALOGUE
from sim.mechanisms import benefit
from tests.helpers import greater, outcomes
from tests.mechanisms import builder as b

TEN_YEARS = 120
NO_TRUST = {"trust": False}


def _grower(quantity: float = 500, **kw):
    return b.firm("Grower", at=(11, 10), demands=[b.demand("heat", quantity, 40, **kw)])


def test_a_searcher_finds_a_compatible_offer_in_its_first_month() -> None:
    m = b.step(b.new(b.firm("Mill", offers=[b.offer("heat", 1000, 60)]), _grower(), mechanisms=NO_TRUST), 1)
    (ex,) = b.exchanges(m)
    assert (m.firms[ex.supplier].name, m.firms[ex.receiver].name, ex.quantity) == ("Mill", "Grower", 500)
    assert b.events(m, "exchange_proposed")


def test_without_search_nothing_is_found() -> None:
    m = b.new(
        b.firm("Mill", offers=[b.offer("heat", 1000, 60)]), _grower(), mechanisms=NO_TRUST, params={"matching": {"base_search_rate": 0.0}}
    )
    assert b.step(m, 36).exchanges == {}


def test_an_offer_below_the_quality_needed_is_never_taken() -> None:
    m = b.new(b.firm("Mill", offers=[b.offer("heat", 1000, 35)]), _grower(), mechanisms=NO_TRUST)
    assert b.step(m, 24).exchanges == {}


def test_an_offer_beyond_the_resource_reach_is_never_taken() -> None:
    """Steam's reach is a physical cap (pressure is lost within a few km): a large steam deal that
    would pay just beyond it is still never found."""
    reach = CATALOGUE["steam"].reach_km

    def found(distance: float) -> bool:
        supplier = b.firm("Plant", at=(10 + distance, 10), offers=[b.offer("steam", 5000, 10)])
        receiver = b.firm("Dryer", demands=[b.demand("steam", 5000, 8)])
        m = b.new(supplier, receiver, mechanisms=NO_TRUST)
        o, d = b.offer_of(m, "Plant", "steam"), b.demand_of(m, "Dryer", "steam")
        assert benefit.evaluate(m, o, d, b.firm_named(m, "Plant"), b.firm_named(m, "Dryer"), distance).viable
        return bool(b.step(m, 12).exchanges)

    assert found(reach - 1) and not found(reach + 1)


def test_a_firm_does_not_supply_itself() -> None:
    both = b.firm("Loop", offers=[b.offer("heat", 1000, 60)], demands=[b.demand("heat", 500, 40)])
    assert b.step(b.new(both, b.firm("Other", at=(30, 30)), mechanisms=NO_TRUST), 24).exchanges == {}


def test_a_pair_is_not_proposed_twice_for_one_resource() -> None:
    """The offer covers half the need: the pair's one exchange stays the only one, the rest goes unmet."""
    m = b.new(b.firm("Mill", offers=[b.offer("heat", 1000, 60)]), _grower(2000), mechanisms=NO_TRUST)
    b.step(m, 24)
    assert len(b.exchanges(m)) == 1
    assert b.demand_of(m, "Grower", "heat").unmet == pytest.approx(1000)


def test_a_need_only_one_firm_can_meet_ignores_the_others() -> None:
    m = b.new(
        b.firm("Near", at=(11.5, 10), offers=[b.offer("heat", 4000, 60)]),
        b.firm("Named", at=(14, 10), offers=[b.offer("heat", 4000, 60)]),
        _grower(4000, only_from="Named"),
        mechanisms=NO_TRUST,
    )
    b.step(m, 12)
    assert [m.firms[ex.supplier].name for ex in b.exchanges(m)] == ["Named"]


def test_the_nearer_offer_is_picked_far_more_often() -> None:
    """Weights exp(-d/d0): with d0 = 5 km an offer 1 km away beats one 20 km away about 45 to 1
    (biogas, cheap to carry, so both deals are viable)."""
    picks = []
    for seed in range(30):
        m = b.new(
            b.firm("Near", at=(11, 10), offers=[b.offer("biogas", 500, 0.6)]),
            b.firm("Far", at=(30, 10), offers=[b.offer("biogas", 500, 0.6)]),
            b.firm("Boiler", demands=[b.demand("biogas", 300, 0.5)]),
            mechanisms=NO_TRUST,
            seed=seed,
        )
        m.step()
        picks += [m.firms[ex.supplier].name for ex in b.exchanges(m)]
    assert len(picks) == 30 and picks.count("Near") >= 25, picks


def test_a_facilitator_makes_firms_search() -> None:
    """No search of their own: only where an engaged, funded facilitator works do firms find each other."""
    firms = (b.firm("Mill", offers=[b.offer("heat", 1000, 60)]), _grower())
    quiet = {"matching": {"base_search_rate": 0.0, "facilitated_search_rate": 1.0}, "engagement": {"meetings_per_month": 0.0}}
    fac = {"initial_engagement": 1.0, "initial_project_months": 24}
    assert b.step(b.new(*firms, mechanisms=NO_TRUST, params=quiet), 24).exchanges == {}
    m = b.step(b.new(*firms, mechanisms=NO_TRUST, params=quiet, facilitator=fac), 3)
    assert b.facilitation_rate(m, "Grower") > 0
    (ex,) = b.exchanges(m)
    assert ex.facilitated


# ----- the vectorised pick against numpy's --------------------------------------------------------
WEIGHTS = st.one_of(
    st.lists(st.floats(0, 40).map(lambda d: float(np.exp(-d / 5.0))), min_size=1, max_size=140),  # exp(-d/d0) as discovery makes them
    st.lists(st.floats(1e-12, 1e6), min_size=1, max_size=140),
)


@settings(max_examples=60, deadline=None)
@given(weights=WEIGHTS, seed=st.integers(0, 2**32 - 1))
@example(weights=[0.5], seed=1)  # one weight: picked after choice's one draw
def test_choice_is_rng_choice_with_the_same_generator(weights: list[float], seed: int) -> None:
    """The plain-Python pick gives numpy's pick for the same weights and generator, and leaves the
    generator where numpy leaves it."""
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    w = np.array(weights)
    assert numpy_order.choice(ours, list(weights)) == int(theirs.choice(len(w), p=w / w.sum()))
    assert ours.bit_generator.state == theirs.bit_generator.state


@settings(max_examples=60, deadline=None)
@given(xs=st.lists(st.floats(0, 1e6), max_size=140))
def test_numpy_order_sum_isnumpy_sum(xs: list[float]) -> None:
    assert numpy_order.numpy_sum(list(xs)) == float(np.sum(np.array(xs, dtype=float)))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 12), ceiling=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_draws_below_are_rng_random_and_none_only_when_no_draw_is_below(n: int, ceiling: float, seed: int) -> None:
    """The draws are numpy's ``random(n)``, the generator is left where numpy leaves it, and None
    means that no draw fell below the ceiling."""
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    got, want = numpy_order.draws_below(ours, n, ceiling), theirs.random(n).tolist()
    assert ours.bit_generator.state == theirs.bit_generator.state
    assert got == (want if min(want) < ceiling else None)


def test_choice_refuses_weights_that_are_all_zero() -> None:
    with pytest.raises(ValueError):
        numpy_order.choice(np.random.default_rng(0), [0.0, 0.0])


@pytest.mark.slow
def test_facilitators_matter() -> None:
    """P8: without the symbiosis centre fewer exchanges run after ten years."""
    greater(
        outcomes(None, {}, "active_exchanges_10y", n=20, steps=TEN_YEARS),
        outcomes(None, {"facilitators": []}, "active_exchanges_10y", n=20, steps=TEN_YEARS),
    )


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=books.LEAF),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=books.FEW),
    st.integers(1, 6),
)
def test_the_plain_nearest_offer_search_is_the_tree_query(suppliers: list[tuple[int, int]], seekers: list[tuple[int, int]], k: int) -> None:
    """The case-scale search (a book of one tree leaf, a few searchers) finds the same candidates,
    in the same order, with the same distances and weights as the cKDTree query; where two
    distances tie it declines, and the tree answers."""
    m, book, searchers, points = b.heat_book([(x / 4, y / 4) for x, y in suppliers], [(x / 4, y / 4) for x, y in seekers])
    reach, decay = m.resources["heat"].reach_km, m.params.matching.distance_decay_km
    few = books.nearest_few(book, searchers, points.tolist(), k, reach, decay)
    tree = [list(row) for row in books.nearest_tree(book, searchers, points, k, reach, decay)]
    if few is None:  # a tie: the tree's heap order decides, so the plain search must not answer
        ties = []
        for qx, qy in points.tolist():
            d2 = [(x - qx) ** 2 + (y - qy) ** 2 for x, y in book._offer_xy]
            near = [d for d in d2 if d < reach * reach]
            ties.append(len(set(near)) < len(near))
        assert any(ties), "the plain search declined without a tie"
    else:
        assert few == tree


def test_latent_matches_lose_exactly_the_pairs_of_a_firm_that_left() -> None:
    """Trust holds two matches back; when a firm leaves, only its pair is dropped, and a firm that
    held no latent pair leaving drops none (each firm's pairs are kept, the town is not rescanned)."""
    search = {"matching": {"base_search_rate": 1.0, "facilitated_search_rate": 0.0}}
    m = b.new(
        b.firm("Mill", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 500, 40)]),
        b.firm("Baths", at=(10, 11), demands=[b.demand("heat", 500, 40)]),
        b.firm("Shop", at=(12, 12)),
        facilitator={"cost_sek_per_month": 150_000.0, "initial_engagement": 1.0},
        policy={"facilitator_base_funding_sek_per_year": 12 * 150_000.0},
        params={**search, "engagement": {"meetings_per_month": 0.0}},
    )
    b.step(m, 3)
    names = lambda: sorted(m.firms[d.firm].name for _, d in b.latent_matches(m))  # noqa: E731
    assert m.exchanges == {} and names() == ["Baths", "Grower"]
    m.remove_firm(m.firm_by_name("Shop"), "test")
    assert names() == ["Baths", "Grower"]
    m.remove_firm(m.firm_by_name("Grower"), "test")
    assert names() == ["Baths"]
    mill, baths = m.firm_by_name("Mill").idx, m.firm_by_name("Baths").idx
    assert {f: len(keys) for f, keys in m.state.matching.involved[m.firm_by_name("Baths").municipality].items()} == {mill: 1, baths: 1}
