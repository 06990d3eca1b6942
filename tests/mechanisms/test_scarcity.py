"""Scarcity (sim/mechanisms/scarcity.py): a binding water cap multiplies the shadow price of virgin
water and makes firms under it search more; other resources and other towns are untouched."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim import config
from sim.mechanisms import benefit, scarcity
from sim.run.runner import run
from tests.mechanisms import builder as b

TEN_YEARS = 120


def _model(scarcity_level: float = 1.0, **kw):
    return b.new(
        b.firm("Plant", offers=[b.offer("technical_water", 5000, 0.7)]),
        b.firm("Mill", at=(11, 10), demands=[b.demand("technical_water", 3000, 0.5), b.demand("heat", 100, 40)]),
        b.firm("Away", at=(40, 10), municipality=b.NEIGHBOUR),
        town={"freshwater_scarcity": scarcity_level},
        neighbour={},
        **kw,
    )


def test_scarcity_multiplies_the_price_of_virgin_water_only() -> None:
    m = _model(0.5)
    premium = m.params.scarcity.price_premium
    mill, away = b.firm_named(m, "Mill"), b.firm_named(m, "Away")
    assert scarcity.price_multiplier(m, mill, "technical_water") == pytest.approx(1 + premium * 0.5)
    assert scarcity.price_multiplier(m, mill, "heat") == 1.0
    assert scarcity.price_multiplier(m, away, "technical_water") == 1.0, "the neighbour has no cap"
    off = _model(0.5, mechanisms={"scarcity": False})
    assert scarcity.price_multiplier(off, b.firm_named(off, "Mill"), "technical_water") == 1.0


def test_a_cap_makes_reused_water_worth_more_to_the_receiver() -> None:
    def receiver_net(level: float) -> float:
        m = _model(level)
        o, d = b.offer_of(m, "Plant", "technical_water"), b.demand_of(m, "Mill", "technical_water")
        return benefit.evaluate(m, o, d, b.firm_named(m, "Plant"), b.firm_named(m, "Mill"), 1.0).receiver_net

    assert receiver_net(1.0) > receiver_net(0.5) > receiver_net(0.0)


def test_firms_under_a_cap_search_more_for_water() -> None:
    m = _model(1.0, params={"matching": {"base_search_rate": 0.01}}, mechanisms={"snowball": False})
    boost = m.params.scarcity.search_boost
    firms = np.array([b.firm_named(m, n).idx for n in ("Mill", "Away")])
    assert scarcity.search_multipliers(m, firms).tolist() == [1 + boost, 1.0]
    assert b.search_probabilities(m, "technical_water") == pytest.approx([0.01 * (1 + boost)])
    assert b.search_probabilities(m, "heat") == pytest.approx([0.01]), "the cap is on water: heat searches are unchanged"


def _mill_gets_technical_water(overrides: dict, n: int = 80) -> np.ndarray:
    """Per seed: does the pulp mill (cheap own lake water, 1.5 SEK/m3) take technical water within ten years?"""
    cfg = config.load(None, {"municipalities.0.freshwater_scarcity": 1.0, "firms.0.demands.0.virgin_price": 1.5, **overrides})
    got = []
    for seed in range(n):
        ex = run(cfg, seed, TEN_YEARS).exchanges
        got.append(bool(((ex.receiver == "Millby Pulp") & (ex.resource == "technical_water") & (ex.operating_since > 0)).any()))
    return np.array(got)


@pytest.mark.slow
def test_scarcity_drives_water_reuse() -> None:
    """P7: a binding withdrawal cap (Stenungsund's lake, A1/A18) makes reuse worth it where cheap
    own water would not (Fisher's exact test over 80 seeds)."""
    on, off = _mill_gets_technical_water({}), _mill_gets_technical_water({"mechanisms.scarcity": False})
    table = [[int(on.sum()), int(len(on) - on.sum())], [int(off.sum()), int(len(off) - off.sum())]]
    p = stats.fisher_exact(table, alternative="greater").pvalue
    assert p < 0.01, f"reuse in {on.mean():.0%} of seeds with the cap vs {off.mean():.0%} without, p = {p:.4f}"
