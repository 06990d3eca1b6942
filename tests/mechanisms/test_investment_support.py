"""Investment support (sim/mechanisms/investment_support.py): a programme pays a share of an
exchange's investment when its financing starts, if the exchange passes the programme's rules; under
the "existing emissions only" rule a new establishment has no emission cut to count and is turned
down (§5), unless the symbiosis-eligible lever counts the partner's avoided emissions too."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim import config
from sim.core.exchange import EndReason, Stage
from sim.dashboard import feed
from sim.mechanisms import benefit, financing, investment_support
from tests.helpers import greater
from tests.mechanisms import builder as b

KLIMATKLIVET = {"name": "Klimatklivet", "budget_sek_per_year": 1.0e9, "share": 0.5}


def _raw(*firms: dict[str, Any], programmes: list[dict[str, Any]] | None = None, **kw: Any) -> dict[str, Any]:
    raw = b.scenario(*firms, mechanisms={"trust": False, **kw.pop("mechanisms", {})}, **kw)
    raw["regions"][0]["investment_programmes"] = [KLIMATKLIVET] if programmes is None else programmes
    return raw


def _mill_and(*receivers: dict[str, Any], **kw: Any):
    """A mill with heat, the given receivers and one free plot beside the mill (for a start-up)."""
    return b.model(
        _raw(b.firm("Mill", "anchor", offers=[b.offer("heat", 3000, 60)]), *receivers, plots=[{"near": "Mill", "count": 1}], **kw)
    )


def _grower(name: str = "Grower", role: str = "sme", at: tuple[float, float] = (11, 10)) -> dict[str, Any]:
    return b.firm(name, role, at=at, demands=[b.demand("heat", 500, 40)])


def _decisions(m) -> list[tuple[str, str, str, float]]:
    """(kind, receiver, reason, amount) of every grant decision, in order."""
    kinds = ("investment_grant", "investment_grant_denied")
    return [(e["kind"], e["receiver"], e["reason"], e["amount_sek"]) for e in m.events if e["kind"] in kinds]


def _until_operating(m, ex, months: int = 12) -> bool:
    return b.step_until(m, lambda _: ex.stage is Stage.OPERATING, months)


def test_existing_emitter_is_funded_and_a_new_establishment_rejected_under_existing_only() -> None:
    m = _mill_and(_grower())
    startup = b.add_startup(m, "Mill", "heat")
    grower = b.open_exchange(m, "Mill", "Grower", "heat")
    new = b.open_exchange(m, "Mill", startup.name, "heat")
    assert _until_operating(m, grower) and _until_operating(m, new)
    assert _decisions(m) == [
        ("investment_grant", "Grower", "", 0.5 * grower.investment_sek),
        ("investment_grant_denied", startup.name, investment_support.NO_EXISTING_EMISSIONS, 0.0),
    ]
    assert m.state.investment_support.paid_sek == pytest.approx(0.5 * grower.investment_sek)


@pytest.mark.parametrize("how", ["lever", "programme"])
def test_the_symbiosis_rule_funds_the_new_establishment(how: str) -> None:
    office = b.firm("Office", at=(14, 10))  # wants nothing: the start-up is the only receiver
    if how == "lever":
        m = _mill_and(office, policy={"investment_support_symbiosis_eligible": True})
    else:
        m = _mill_and(office, programmes=[{**KLIMATKLIVET, "emission_basis": "symbiosis"}])
    startup = b.add_startup(m, "Mill", "heat")
    ex = b.open_exchange(m, "Mill", startup.name, "heat")
    assert _until_operating(m, ex)
    assert _decisions(m) == [("investment_grant", startup.name, "", 0.5 * ex.investment_sek)]
    cut = investment_support.emission_cut_t_per_year(m, ex)
    assert cut == pytest.approx(12 * ex.quantity * 0.06) and cut > 0  # heat replaces 0.06 t CO2/MWh


def test_sme_only_rejects_an_anchor_and_funds_an_sme() -> None:
    m = _mill_and(_grower("Works", "anchor"), _grower("Grower", at=(12, 10)), programmes=[{**KLIMATKLIVET, "sme_only": True}])
    a, s = b.open_exchange(m, "Mill", "Works", "heat"), b.open_exchange(m, "Mill", "Grower", "heat")
    assert _until_operating(m, a) and _until_operating(m, s)
    assert [(k, r, why) for k, r, why, _ in _decisions(m)] == [
        ("investment_grant_denied", "Works", investment_support.NOT_SME),
        ("investment_grant", "Grower", ""),
    ]


def test_grants_stay_within_the_yearly_budget_and_the_share() -> None:
    """A budget for one grant a year: the second applicant that year is turned down; the next year's applicant fits."""
    m = _mill_and(_grower("A"), _grower("B", at=(12, 10)), policy={"investment_support_symbiosis_eligible": True})
    one = 0.5 * b.open_exchange(m, "Mill", "A", "heat").investment_sek
    m.state.investment_support.programmes[0][0].rules.budget_sek_per_year = 1.5 * one  # room for one grant a year
    b.open_exchange(m, "Mill", "B", "heat")
    b.step(m, 12)
    assert [(k, r, why) for k, r, why, _ in _decisions(m)] == [
        ("investment_grant", "A", ""),
        ("investment_grant_denied", "B", investment_support.BUDGET_EXHAUSTED),
    ]
    startup = b.add_startup(m, "Mill", "heat")  # arrives in December, applies in the new year
    ex = b.open_exchange(m, "Mill", startup.name, "heat")
    assert _until_operating(m, ex)
    assert _decisions(m)[-1] == ("investment_grant", startup.name, "", pytest.approx(0.5 * ex.investment_sek))
    prog = m.state.investment_support.programmes[0][0]
    assert prog.committed_by_year == {b.START_YEAR: pytest.approx(one), b.START_YEAR + 1: pytest.approx(0.5 * ex.investment_sek)}
    assert all(v <= prog.rules.budget_sek_per_year for v in prog.committed_by_year.values())
    assert m.state.investment_support.paid_sek == pytest.approx(one + 0.5 * ex.investment_sek)


def test_the_budget_factor_scales_every_budget() -> None:
    m = _mill_and(_grower(), policy={"investment_support_budget_factor": 0.0})
    ex = b.open_exchange(m, "Mill", "Grower", "heat")
    assert _until_operating(m, ex)
    assert _decisions(m) == [("investment_grant_denied", "Grower", investment_support.BUDGET_EXHAUSTED, 0.0)]
    assert m.state.investment_support.paid_sek == 0.0


def test_open_years_resources_size_and_cut_per_krona_rules() -> None:
    rules = [
        {**KLIMATKLIVET, "name": "Water only", "applies_to": ["technical_water"]},
        {**KLIMATKLIVET, "name": "Closed", "open_from_year": b.START_YEAR + 5},  # not open yet: not asked
        {**KLIMATKLIVET, "name": "Ended", "open_until_year": b.START_YEAR - 1},
        {**KLIMATKLIVET, "name": "Innovation Fund", "min_investment_sek": 28.0e6},
        {**KLIMATKLIVET, "name": "Strict", "min_cut_t_per_msek": 1.0e6},
        {**KLIMATKLIVET, "name": "Industriklivet", "share": 0.3},
    ]
    m = _mill_and(_grower(), programmes=rules)
    ex = b.open_exchange(m, "Mill", "Grower", "heat")
    assert _until_operating(m, ex)
    got = [(e["programme"], e["reason"]) for e in m.events if e["kind"].startswith("investment_grant")]
    assert got == [
        ("Water only", investment_support.NOT_COVERED),
        ("Innovation Fund", investment_support.TOO_SMALL),
        ("Strict", investment_support.CUT_TOO_SMALL),
        ("Industriklivet", ""),
    ]
    assert _decisions(m)[-1][3] == pytest.approx(0.3 * ex.investment_sek)


def test_a_grant_turns_a_financing_failure_into_a_success() -> None:
    """SMEs that never raise money alone: the exchange fails without a grant and is built with a full one."""
    params = {"financing": {"sme_success": 0.0}}
    without = _mill_and(_grower(), programmes=[], params=params)
    ex = b.open_exchange(without, "Mill", "Grower", "heat")
    b.step(without, 4)
    assert ex.end_reason is EndReason.FINANCING_FAILED
    full = _mill_and(_grower(), programmes=[{**KLIMATKLIVET, "share": 1.0}], params=params)
    ex = b.open_exchange(full, "Mill", "Grower", "heat")
    assert _until_operating(full, ex)
    grower = b.firm_named(full, "Grower")
    p = full.params.financing
    assert financing.success_probability(full, grower, 0.5) == pytest.approx(1 - (1 - p.sme_success) * 0.5)
    assert financing.success_probability(full, grower, 0.0) == p.sme_success


def test_a_grant_is_paid_only_when_financing_is_secured() -> None:
    """An award whose financing fails lapses: nothing is paid and the year's budget gets it back."""
    m = _mill_and(_grower(), params={"financing": {"sme_success": 0.0}})
    ex = b.open_exchange(m, "Mill", "Grower", "heat")
    b.step(m, 4)
    assert ex.end_reason is EndReason.FINANCING_FAILED and _decisions(m)[0][0] == "investment_grant"
    assert m.state.investment_support.paid_sek == 0.0 == b.public_sek_total(m)
    assert m.state.investment_support.programmes[0][0].committed_by_year[b.START_YEAR] == 0.0
    assert not m.state.investment_support.awards


def test_paid_grants_are_public_money_and_lower_the_receivers_cost() -> None:
    m = _mill_and(_grower())
    ex = b.open_exchange(m, "Mill", "Grower", "heat")
    before = ex.receiver_net_sek_per_month
    assert _until_operating(m, ex)
    grant = 0.5 * ex.investment_sek
    assert b.public_sek_total(m) == pytest.approx(grant) == m.collector.data["investment_support_sek"][-1]
    p = m.params.benefit
    assert ex.receiver_net_sek_per_month == pytest.approx(before + grant * benefit.annuity_factor(p.discount_rate, p.contract_years))


def test_the_feed_tells_grants_and_refusals() -> None:
    m = _mill_and(_grower())
    startup = b.add_startup(m, "Mill", "heat")
    ex = b.open_exchange(m, "Mill", "Grower", "heat")
    b.open_exchange(m, "Mill", startup.name, "heat")
    b.step(m, 4)
    said = [feed.sentence(e) for e in m.events if e["kind"].startswith("investment_grant")]
    assert said == [
        f"Klimatklivet grants {0.5 * ex.investment_sek / 1e6:.1f} MSEK towards low-grade residual heat from Mill to Grower",
        f"Klimatklivet turns down low-grade residual heat from Mill to {startup.name}: a new establishment has no existing emissions to cut",
    ]


def test_switched_off_nothing_is_granted() -> None:
    m = _mill_and(_grower(), mechanisms={"investment_support": False})
    ex = b.open_exchange(m, "Mill", "Grower", "heat")
    assert _until_operating(m, ex)
    assert _decisions(m) == [] and m.state.investment_support.paid_sek == 0.0


def test_bad_programme_values_are_named() -> None:
    raw = _raw(_grower("A"), _grower("B"), programmes=[{**KLIMATKLIVET, "open_from_year": 2030, "open_until_year": 2025}])
    with pytest.raises(config.ConfigError, match=r"regions\.0\.investment_programmes\.0\.open_until_year: value 2025.*allowed"):
        config.build(raw)
    raw["regions"][0]["investment_programmes"] = [{**KLIMATKLIVET, "emission_basis": "new_only"}]
    with pytest.raises(
        config.ConfigError, match=r"emission_basis: value 'new_only' is not allowed \(allowed: 'existing_only' or 'symbiosis'\)"
    ):
        config.build(raw)


# ----- direction of effect ---------------------------------------------------------------------------
def _startups_reaching_operation(seed: int, programmes: list[dict[str, Any]], **policy: Any) -> float:
    """Exchanges that reach operation in three years beside a mill whose neighbours are cash-poor start-ups.

    Financing binds: each start-up raises its money in three steps that each fail 30 % of the time
    (the default financing), and a start-up without supply burns its 2 MSEK in under two years and leaves.
    """
    startups = [
        b.firm(f"Grower {k}", "startup", at=(10 + 0.5 * k, 10.5), cash_msek=2.0, demands=[b.demand("heat", 300, 40)]) for k in range(4)
    ]
    raw = _raw(
        b.firm("Mill", "anchor", offers=[b.offer("heat", 3000, 60)], attention=4),
        *startups,
        programmes=programmes,
        quiet=False,
        mechanisms={"entry": False, "diffusion": False},
        params={"financing": {"startup_step_success": 0.7, "step_months": 2.0}},
        policy=policy,
        years=3,
    )
    m = b.model(raw, seed)
    b.step(m, m.horizon)
    return float(len(b.events(m, "exchange_started")))


@pytest.mark.slow
def test_investment_support_brings_more_exchanges_into_operation_where_financing_binds() -> None:
    seeds = range(30)
    none = np.array([_startups_reaching_operation(s, []) for s in seeds])
    supported = np.array([_startups_reaching_operation(s, [KLIMATKLIVET], investment_support_symbiosis_eligible=True) for s in seeds])
    existing_only = np.array([_startups_reaching_operation(s, [KLIMATKLIVET]) for s in seeds])
    greater(supported, none)
    greater(supported, existing_only)
    assert (existing_only == none).all(), "under existing_only start-ups get nothing, so nothing changes"
