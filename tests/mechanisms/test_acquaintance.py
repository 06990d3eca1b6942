"""Acquaintance (sim/mechanisms/acquaintance.py): who knows whom sets a pair's starting trust, so
close neighbours open deals by themselves and strangers in other towns wait for a broker."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim import config
from sim.core.ties import ties_to
from sim.mechanisms import acquaintance, births, trust
from sim.run.runner import run
from sim.scenarios import synthetic
from tests.helpers import greater
from tests.mechanisms import builder as b

HEAT = [b.offer("heat", 1000, 60)]
NEEDS_HEAT = [b.demand("heat", 500, 40)]


def _pair(at: tuple[float, float] = (11.0, 10.0), mill: dict[str, Any] | None = None, grower: dict[str, Any] | None = None, **kw):
    """A mill with heat and a grower that needs it; nobody brokers (no facilitator)."""
    return b.new(b.firm("Mill", offers=HEAT, **(mill or {})), b.firm("Grower", at=at, demands=NEEDS_HEAT, **(grower or {})), **kw)


def _level(m) -> float:
    return trust.level(m, b.firm_named(m, "Mill"), b.firm_named(m, "Grower"))


# ----- starting trust ------------------------------------------------------------------------------
def test_neighbours_on_one_site_trust_each_other_enough() -> None:
    m = _pair(at=(10.3, 10.0))
    p, q = m.params.trust, m.params.acquaintance
    assert _level(m) == pytest.approx(p.established + q.same_municipality + q.same_site)
    assert _level(m) >= p.threshold


def test_firms_of_one_town_off_site_do_not() -> None:
    m = _pair(at=(11.0, 10.0))
    assert _level(m) == pytest.approx(m.params.trust.established + m.params.acquaintance.same_municipality)
    assert _level(m) < m.params.trust.threshold


def test_strangers_in_another_town_are_furthest_below() -> None:
    m = _pair(at=(40.0, 10.0), grower={"municipality": b.NEIGHBOUR}, neighbour={})
    p = m.params.trust
    assert _level(m) == pytest.approx(p.established - p.other_municipality_penalty)


def test_owner_sector_and_municipal_contact_add_up() -> None:
    same_group = _pair(at=(40.0, 10.0), mill={"group": "Koncern"}, grower={"municipality": b.NEIGHBOUR, "group": "Koncern"}, neighbour={})
    p, q = same_group.params.trust, same_group.params.acquaintance
    assert _level(same_group) == pytest.approx(p.established - p.other_municipality_penalty + q.same_group)
    utility = _pair(grower={"role": "utility"})
    assert _level(utility) == pytest.approx(p.established + q.same_municipality + q.municipal_contact)
    assert trust.sufficient(utility, *utility.firms), "a municipal utility knows the plants of its town"
    sector = _pair(mill={"sector": "food"}, grower={"sector": "food"})
    assert _level(sector) == pytest.approx(p.established + q.same_municipality + q.same_sector)


def test_a_listed_tie_adds_its_strength() -> None:
    m = _pair(**{})
    base = _level(m)
    raw = b.scenario(b.firm("Mill", offers=HEAT), b.firm("Grower", at=(11, 10), demands=NEEDS_HEAT))
    raw["acquaintances"] = [{"a": "Grower", "b": "Mill", "strength": 0.2, "why": "earlier deal"}]
    tied = b.model(raw)
    assert _level(tied) == pytest.approx(base + 0.2)
    assert trust.sufficient(tied, *tied.firms)


def test_ties_are_capped() -> None:
    raw = b.scenario(b.firm("Mill", offers=HEAT, group="G"), b.firm("Grower", at=(10.1, 10), demands=NEEDS_HEAT, group="G"))
    raw["acquaintances"] = [{"a": "Mill", "b": "Grower", "strength": 1.0}]
    m = b.model(raw)
    assert acquaintance.tie(m, *m.firms) == m.params.acquaintance.max_tie


def test_switched_off_every_pair_is_strangers() -> None:
    m = _pair(at=(10.3, 10.0), mechanisms={"acquaintance": False})
    assert _level(m) == pytest.approx(m.params.trust.established)
    assert not trust.sufficient(m, *m.firms)


# ----- deals without a broker ------------------------------------------------------------------------
def test_neighbours_who_know_each_other_open_a_deal_by_themselves() -> None:
    m = _pair(at=(10.3, 10.0))
    assert b.step_until(m, lambda m: b.operating(m, supplier="Mill", receiver="Grower"), 12)
    assert not b.exchanges(m)[0].facilitated


def test_strangers_wait_as_a_latent_match() -> None:
    m = b.step(_pair(at=(11.0, 10.0)), 12)
    assert m.exchanges == {} and len(b.latent_matches(m)) == 1


def test_an_operating_exchange_makes_the_partners_know_each_other() -> None:
    m = _pair(at=(11.0, 10.0), params={"trust": {"threshold": 0.0}})
    before = acquaintance.tie(m, *m.firms)
    assert b.step_until(m, lambda m: b.operating(m), 12)
    assert acquaintance.tie(m, *m.firms) == pytest.approx(before + m.params.acquaintance.earlier_deal)
    ex = b.operating(m)[0]
    slots = b.pair_slots(m, [ex.supplier], [ex.receiver])
    assert trust.levels(m, np.array([ex.supplier]), np.array([ex.receiver]), slots).tolist() == [_level(m)]
    for a, c in ((m.firms[0], 1), (m.firms[1], 0)):  # the vectorised ties find the deal by the firm's partners
        assert ties_to(m, a, np.array([c])).tolist() == [acquaintance.tie(m, a, m.firms[c])]
        assert acquaintance.acquaintances(m, a) == [(c, acquaintance.tie(m, a, m.firms[c]))]


# ----- the scenario's list is checked --------------------------------------------------------------
@pytest.mark.parametrize(
    ("tie", "field", "words"),
    [
        ({"a": "Mill", "b": "Nobody"}, "acquaintances.0.b", "'Nobody' is not a firm"),
        ({"a": "Ghost", "b": "Mill"}, "acquaintances.0.a", "'Ghost' is not a firm"),
        ({"a": "Mill", "b": "Mill"}, "acquaintances.0.b", "same firm"),
        ({"a": "Mill", "b": "Grower", "strength": 1.5}, "acquaintances.0.strength", "1.5"),
        ({"a": "Mill", "b": "Grower", "since": 1990}, "acquaintances.0.since", "unknown key"),
    ],
)
def test_a_bad_listed_tie_names_its_field(tie: dict[str, Any], field: str, words: str) -> None:
    raw = b.scenario(b.firm("Mill", offers=HEAT), b.firm("Grower", at=(11, 10), demands=NEEDS_HEAT))
    raw["acquaintances"] = [tie]
    with pytest.raises(config.ConfigError) as err:
        config.build(raw)
    msg = "\n".join(err.value.problems)
    assert field in msg and words in msg, msg


# ----- the vectorised trust is the plain one -------------------------------------------------------
ROLES = st.sampled_from(["anchor", "sme", "startup", "utility"])


@settings(max_examples=30, deadline=None)
@given(
    firms=st.lists(
        st.tuples(ROLES, st.booleans(), st.floats(10.0, 11.5), st.sampled_from([None, "G", "H"]), st.sampled_from(["other", "food"])),
        min_size=2,
        max_size=5,
    ),
    data=st.data(),
)
def test_levels_is_level_with_every_kind_of_tie(firms, data) -> None:
    cast = [
        b.firm(f"F{i}", role, (x, 10.0), municipality=b.NEIGHBOUR if away else b.TOWN, group=group, sector=sector)
        for i, (role, away, x, group, sector) in enumerate(firms)
    ]
    raw = b.scenario(*cast, neighbour={"centre_km": [11.0, 10.0]})
    idx = st.integers(0, len(firms) - 1)
    listed = data.draw(st.lists(st.tuples(idx, idx, st.floats(0, 1)).filter(lambda t: t[0] != t[1]), max_size=4))
    raw["acquaintances"] = [{"a": f"F{i}", "b": f"F{j}", "strength": s} for i, j, s in listed]
    m = b.model(raw)
    pairs = data.draw(st.lists(st.tuples(idx, idx), min_size=1, max_size=12))
    sup, rec = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    slots = b.pair_slots(m, sup, rec)
    assert trust.levels(m, sup, rec, slots).tolist() == [trust.level(m, m.firms[i], m.firms[j]) for i, j in pairs]
    for i, j in data.draw(st.lists(st.tuples(idx, idx).filter(lambda t: t[0] != t[1]), max_size=3)):
        acquaintance.introduce(m, m.firms[i], m.firms[j])  # changes ties after they were kept per slot
    assert trust.levels(m, sup, rec, slots).tolist() == [trust.level(m, m.firms[i], m.firms[j]) for i, j in pairs]


@settings(max_examples=30, deadline=None)
@given(
    firms=st.lists(
        st.tuples(
            ROLES,
            st.booleans(),
            st.sampled_from([10.0, 10.5, 10.25, 11.0, 10.5000001]),
            st.sampled_from([None, "G"]),
            st.sampled_from(["other", "food"]),
        ),
        min_size=2,
        max_size=5,
    ),
    data=st.data(),
)
def test_kept_acquaintances_are_those_computed_afresh_and_vector_ties_are_tie(firms, data) -> None:
    """Each firm's candidates and attribute ties are kept between calls; after introductions,
    births and exits they are what a computation from nothing gives, and the vectorised ties are
    tie()'s floats (sites at exactly 0.5 km included)."""
    cast = [
        b.firm(f"F{i}", role, (x, 10.0), municipality=b.NEIGHBOUR if away else b.TOWN, group=group, sector=sector)
        for i, (role, away, x, group, sector) in enumerate(firms)
    ]
    m = b.model(b.scenario(*cast, neighbour={"centre_km": [11.0, 10.0]}))
    kept = m.state.acquaintance.static
    every = lambda: [acquaintance.acquaintances(m, f) for f in m.firms]  # noqa: E731
    every()  # kept from here on
    idx = st.integers(0, len(firms) - 1)
    for i, j in data.draw(st.lists(st.tuples(idx, idx).filter(lambda t: t[0] != t[1]), max_size=4)):
        acquaintance.introduce(m, m.firms[i], m.firms[j])
    for town in data.draw(st.lists(st.integers(0, len(m.municipalities) - 1), max_size=2)):
        births.born(m, town)
    for i in data.draw(st.lists(idx, max_size=2, unique=True)):
        if m.firms[i].alive:
            m.remove_firm(m.firms[i], "test")
    with_kept = every()
    kept.clear()
    assert with_kept == every()
    for a in m.firms:
        others = np.array([f.idx for f in m.firms if f.idx != a.idx], dtype=np.int64)
        assert ties_to(m, a, others).tolist() == [acquaintance.tie(m, a, m.firms[c]) for c in others.tolist()]


# ----- direction of effect in a generated region -------------------------------------------------
SEEDS = 20


def _region(facilitated: bool, **mechanisms: bool) -> config.ScenarioConfig:
    """A generated region of four municipalities over ten years, with no facilitator or with one
    funded for the whole horizon covering all four."""
    raw = synthetic.generate(municipalities=4, firms=150, seed=3, years=10)
    raw["facilitators"] = []
    if facilitated:
        raw["facilitators"] = [
            {
                "name": "Region symbiosis centre",
                "region": raw["municipalities"][0]["region"],
                "municipalities": [m["name"] for m in raw["municipalities"]],
                "cost_sek_per_month": 150000.0,
                "initial_engagement": 0.5,
                "initial_project_months": 120,
            }
        ]
        # funded: its first project pays its whole cost, not a programme's share with partners' money
        raw.setdefault("params", {}).setdefault("project_funding", {})["initial_project_funding_rate"] = 1.0
    raw["mechanisms"] = dict(mechanisms)
    return config.build(raw)


def _summaries(cfg: config.ScenarioConfig) -> list[dict[str, Any]]:
    return [run(cfg, seed).summary for seed in range(SEEDS)]


@pytest.mark.slow
def test_a_region_without_facilitator_forms_exchanges_by_itself() -> None:
    """Viable streams and acquaintance suffice: most seeds form exchanges with nobody brokering,
    and none would without the acquaintance ties."""
    alone = np.array([s["exchanges_started"] for s in _summaries(_region(False))], dtype=float)
    strangers = np.array([s["exchanges_started"] for s in _summaries(_region(False, acquaintance=False))], dtype=float)
    forming = int((alone > 0).sum())
    assert stats.binomtest(forming, SEEDS, 0.5, alternative="greater").pvalue < 0.01, f"only {forming} of {SEEDS} seeds formed any"
    greater(alone, strangers)


@pytest.mark.slow
def test_a_funded_facilitator_forms_more_and_sooner() -> None:
    """P8: a facilitator makes deals faster, wider and likelier than the firms manage alone."""
    alone, helped = _summaries(_region(False)), _summaries(_region(True))
    greater(np.array([s["exchanges_started"] for s in helped], float), np.array([s["exchanges_started"] for s in alone], float))
    horizon = 121.0  # a run with no exchange counts as one month past the horizon

    def first(runs):
        return np.array([horizon if s["first_exchange_step"] is None else s["first_exchange_step"] for s in runs], float)

    greater(first(alone), first(helped))
