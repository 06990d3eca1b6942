"""Direction of effect of each mechanism, over 30 seeded replications per arm.

Each test switches one mechanism (or moves one lever) and compares an outcome between arms run on
the same seeds, with a one-sided Mann–Whitney U test at alpha = 0.01 (``tests.helpers.greater``).
The scenarios are the built-in example (10 years) and the small anchor-exit set-up.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim import config
from sim.run.runner import run
from tests.helpers import ANCHOR_EXIT, greater, outcomes

TEN_YEARS = 120


def test_project_funding_gap_loses_exchanges() -> None:
    """P2/P8: a gap between projects leaves fewer active exchanges after ten years."""
    no_gap = outcomes(None, {"policy.funding_gap_months": 0}, "active_exchanges_10y", n=60, steps=TEN_YEARS)
    gap = outcomes(None, {"policy.funding_gap_months": 24}, "active_exchanges_10y", n=60, steps=TEN_YEARS)
    greater(no_gap, gap)


def test_permanent_base_funding_bridges_gaps() -> None:
    """§3.3: permanent base funding keeps facilitation going through project gaps."""
    base = outcomes(
        None, {"policy.funding_gap_months": 24, "policy.facilitator_base_funding_sek_per_year": 1.8e6}, "mean_engagement", steps=TEN_YEARS
    )
    none = outcomes(None, {"policy.funding_gap_months": 24}, "mean_engagement", steps=TEN_YEARS)
    greater(base, none)


def test_anchor_eligible_funding_reaches_the_anchor() -> None:
    """P10: SME-only money cannot reach the anchor; anchor-eligible money brings more anchor exchanges."""
    eligible = outcomes(None, {"policy.funding_anchor_eligible": True}, "anchor_exchanges_started", n=60, steps=TEN_YEARS)
    sme_only = outcomes(None, {"policy.funding_anchor_eligible": False}, "anchor_exchanges_started", n=60, steps=TEN_YEARS)
    greater(eligible, sme_only)


def test_engagement_rebuilds_slowly_after_a_gap() -> None:
    """P2: with engagement dynamics a gap costs more than its months; switched off, funding acts at once."""
    instant = outcomes(None, {"policy.funding_gap_months": 24, "mechanisms.engagement": False}, "mean_engagement", steps=TEN_YEARS)
    slow = outcomes(None, {"policy.funding_gap_months": 24}, "mean_engagement", steps=TEN_YEARS)
    greater(instant, slow)


def test_trust_barrier_slows_deals() -> None:
    """P3: trust gates negotiations; without it more exchanges start."""
    greater(
        outcomes(None, {"mechanisms.trust": False}, "exchanges_started", steps=TEN_YEARS),
        outcomes(None, {}, "exchanges_started", steps=TEN_YEARS),
    )


def test_stepwise_financing_holds_startups_back() -> None:
    """P3: start-ups financing step by step land fewer exchanges; a guarantee helps them."""
    base = outcomes(None, {}, "startup_exchanges_started", n=60)
    greater(outcomes(None, {"mechanisms.financing": False}, "startup_exchanges_started", n=60), base)
    greater(outcomes(None, {"policy.startup_guarantee_share": 0.9}, "startup_exchanges_started", n=60), base, alpha=0.05)


def test_anchor_marginal_revenue_makes_anchors_reluctant() -> None:
    """P4: attention and delivery-risk costs keep anchors out of marginal deals."""
    off = outcomes(None, {"mechanisms.anchor_revenue": False}, "anchor_exchanges_started", n=60, steps=TEN_YEARS)
    on = outcomes(None, {}, "anchor_exchanges_started", n=60, steps=TEN_YEARS)
    greater(off, on)


def test_permits_gate_and_delay_receivers() -> None:
    """P6: permits and detailed plans deny and delay new receivers (start-ups on new land most);
    without them, and in a regulatory sandbox, more start-ups get their supply within twenty years."""
    with_permits = outcomes(None, {}, "startup_exchanges_started")
    greater(outcomes(None, {"mechanisms.permits": False}, "startup_exchanges_started"), with_permits)
    sandbox = outcomes(None, {"policy.permit_time_factor": 0.3}, "startup_exchanges_started")
    slow = outcomes(None, {"policy.permit_time_factor": 3.0}, "startup_exchanges_started")
    greater(sandbox, slow)


def test_negotiation_takes_time() -> None:
    """Händelö: negotiation takes time; without it exchanges run longer within ten years."""
    greater(
        outcomes(None, {"mechanisms.negotiation": False}, "exchange_years", steps=TEN_YEARS),
        outcomes(None, {}, "exchange_years", steps=TEN_YEARS),
    )


def test_anchor_exit_collapses_the_cluster_and_policy_helps_recovery() -> None:
    """P1: the anchor's exit collapses the cluster in most seeds; reserved land and continuous
    facilitation money make recovery more frequent (Fisher's exact test)."""
    base = outcomes(ANCHOR_EXIT, {}, "collapsed", n=40)
    policy = outcomes(
        ANCHOR_EXIT, {"policy.land_reservation": True, "policy.facilitator_base_funding_sek_per_year": 1.8e6}, "collapsed", n=40
    )
    assert base.mean() > 0.5, f"collapse in only {base.mean():.0%} of seeds"
    table = [[int(base.sum()), int(len(base) - base.sum())], [int(policy.sum()), int(len(policy) - policy.sum())]]
    p = stats.fisher_exact(table, alternative="greater").pvalue
    assert p < 0.05, f"collapse {base.mean():.0%} vs {policy.mean():.0%}, p = {p:.3f}"


def test_firm_exit_removes_firms_and_their_exchanges() -> None:
    """Without exits the anchor stays and no cluster collapses."""
    off = outcomes(ANCHOR_EXIT, {"mechanisms.firm_exit": False, "events": []}, "final_active_exchanges")
    on = outcomes(ANCHOR_EXIT, {}, "final_active_exchanges")
    greater(off, on)


def _late_entries(overrides: dict) -> np.ndarray:
    """Start-ups entering more than two years after the anchor's exit (step 75)."""
    cfg = config.load(ANCHOR_EXIT, overrides)
    counts = []
    for seed in range(40):
        ev = run(cfg, seed).events
        counts.append(int(((ev.kind == "firm_entered") & (ev.step > 75 + 24)).sum()))
    return np.array(counts, dtype=float)


def test_replanned_land_blocks_new_establishments() -> None:
    """P1: once land beside the hub is re-planned for housing, start-ups can no longer locate there."""
    greater(_late_entries({"mechanisms.land_planning": False}), _late_entries({}))


def _mill_gets_technical_water(overrides: dict, n: int = 80) -> np.ndarray:
    """Per seed: does the pulp mill (cheap own lake water, 1.5 SEK/m3) take technical water within ten years?"""
    cfg = config.load(None, {"municipalities.0.freshwater_scarcity": 1.0, "firms.0.demands.0.virgin_price": 1.5, **overrides})
    got = []
    for seed in range(n):
        ex = run(cfg, seed, TEN_YEARS).exchanges
        got.append(bool(((ex.receiver == "Millby Pulp") & (ex.resource == "technical_water") & (ex.operating_since > 0)).any()))
    return np.array(got)


def test_scarcity_drives_water_reuse() -> None:
    """P7: a binding withdrawal cap (Stenungsund's lake, A1/A18) makes reuse worth it where cheap
    own water would not (Fisher's exact test over 80 seeds)."""
    on, off = _mill_gets_technical_water({}), _mill_gets_technical_water({"mechanisms.scarcity": False})
    table = [[int(on.sum()), int(len(on) - on.sum())], [int(off.sum()), int(len(off) - off.sum())]]
    p = stats.fisher_exact(table, alternative="greater").pvalue
    assert p < 0.01, f"reuse in {on.mean():.0%} of seeds with the cap vs {off.mean():.0%} without, p = {p:.4f}"


def test_eed_mandate_puts_heat_in_front_of_demand() -> None:
    """EED 2023/1791: the mandate's assessments bring heat deliveries earlier."""
    on = outcomes(None, {"policy.eed_heat_mandate": True}, "heat_delivered_total_mwh", n=100, steps=TEN_YEARS)
    off = outcomes(None, {"policy.eed_heat_mandate": False}, "heat_delivered_total_mwh", n=100, steps=TEN_YEARS)
    greater(on, off)


def test_snowball_finds_more_streams() -> None:
    """P5: operating exchanges make partners search more (shown where no facilitator searches for them)."""
    alone = {"policy.funding_gap_months": 600}
    on = outcomes(None, alone, "exchanges_started", n=60, steps=TEN_YEARS)
    off = outcomes(None, {**alone, "mechanisms.snowball": False}, "exchanges_started", n=60, steps=TEN_YEARS)
    greater(on, off)


def test_diffusion_spreads_facilitation() -> None:
    """P11: a visible symbiosis inspires neighbouring municipalities to start facilitation."""
    greater(outcomes(None, {}, "facilitators_started"), outcomes(None, {"mechanisms.diffusion": False}, "facilitators_started"))


def test_entry_brings_establishment_companies() -> None:
    """§2.5.5: establishment companies locate beside unused streams with free land."""
    greater(
        outcomes(None, {}, "startups_entered", steps=TEN_YEARS),
        outcomes(None, {"mechanisms.entry": False}, "startups_entered", steps=TEN_YEARS),
    )


@pytest.mark.parametrize("lock_in", [True, False])
def test_lock_in_ends_exchanges_on_phased_out_streams(lock_in: bool) -> None:
    """§5: exchanges built on a stream that is phased out end with it (here the treatment plant's water)."""
    cfg = config.load(None, {"firms.2.offers.0.phase_out_year": 2024, "mechanisms.lock_in": lock_in})
    phase_out = (2024 - cfg.start_year) * 12 + 1
    beyond = 0
    for seed in range(10):
        ex = run(cfg, seed).exchanges
        on_stream = ex[(ex.supplier == "Millby Wastewater") & (ex.operating_since > 0)]
        ran_on = (on_stream.ended_step < 0) | (on_stream.ended_step > phase_out)
        beyond += int(ran_on.sum())
        if lock_in:
            assert (on_stream.loc[on_stream.ended_step == phase_out, "end_reason"] == "phase_out").all()
    assert (beyond == 0) if lock_in else (beyond > 0)


def test_heat_to_district_heating_persists_for_decades() -> None:
    """P12: a plant-to-utility heat exchange, once running, usually lasts decades (renewed contracts)."""
    cfg = config.load(None, {"years": 40})
    lives = []
    for seed in range(20):
        ex = run(cfg, seed).exchanges
        heat = ex[(ex.resource == "heat") & (ex.receiver == "Millby Energi") & (ex.operating_since > 0)]
        if len(heat):
            end = heat.ended_step.where(heat.ended_step > 0, 480)
            lives.append(float((end - heat.operating_since).max()) / 12.0)
    assert len(lives) >= 15
    assert np.median(lives) >= 20, f"median longest heat exchange {np.median(lives):.1f} years"
