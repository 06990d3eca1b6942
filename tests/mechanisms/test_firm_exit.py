"""Firm exit (sim/mechanisms/firm_exit.py): firms leave by a hazard by role and age (young SMEs
more, anchors rarely, utilities never); a leaving firm's exchanges end; its receivers lose the stranded part of their connection and small
ones grow likelier to leave; a start-up without supply burns cash and leaves when patience runs out."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from agents.firm import Role
from sim import config
from sim.core.exchange import EndReason, Stage
from sim.core.model import SymbiosisModel
from sim.mechanisms import firm_exit
from tests.helpers import ANCHOR_EXIT, greater, outcomes
from tests.mechanisms import builder as b

NO_HAZARD = {"hazard_anchor": 0.0, "hazard_sme": 0.0, "hazard_startup": 0.0}


def _model(exit_params: dict | None = None, **kw):
    return b.new(
        b.firm("Mill", "anchor", offers=[b.offer("heat", 1000, 60)]),
        b.firm("Grower", at=(11, 10), demands=[b.demand("heat", 500, 40)]),
        b.firm("Works", "utility", at=(12, 10)),
        mechanisms={"trust": False, "firm_exit": True, **kw.pop("mechanisms", {})},
        params={"firm_exit": {**NO_HAZARD, **(exit_params or {})}, **kw.pop("params", {})},
        **kw,
    )


def test_the_base_hazard_follows_the_role_and_utilities_never_leave() -> None:
    p = firm_exit.Params()
    assert firm_exit.base_hazard(p, Role.ANCHOR) == p.hazard_anchor
    assert firm_exit.base_hazard(p, Role.SME) == p.hazard_sme
    assert firm_exit.base_hazard(p, Role.STARTUP) == p.hazard_startup
    assert firm_exit.base_hazard(p, Role.UTILITY) == 0.0


def test_a_young_sme_is_likelier_to_exit_than_an_established_one() -> None:
    """Liability of newness: below newness_years an SME's hazard is newness_factor times its base."""
    p = firm_exit.Params()
    young = float(firm_exit.annual_hazard(p, p.hazard_sme, True, 1.0))
    old = float(firm_exit.annual_hazard(p, p.hazard_sme, True, p.newness_years + 1.0))
    assert young == pytest.approx(p.newness_factor * p.hazard_sme) and old == pytest.approx(p.hazard_sme)
    assert young > old
    assert float(firm_exit.annual_hazard(p, p.hazard_sme, True, np.inf)) == old, "established: no newness"
    # three years at the young hazard: about three in four survive, as Tillväxtanalys measures (76 %)
    assert 0.7 < (1 - young) ** 3 < 0.8


def test_anchors_rarely_and_utilities_never_exit_and_age_does_not_raise_theirs() -> None:
    p = firm_exit.Params()
    assert 0 < firm_exit.base_hazard(p, Role.ANCHOR) < 0.005
    assert firm_exit.base_hazard(p, Role.UTILITY) == 0.0
    anchor = firm_exit.base_hazard(p, Role.ANCHOR)
    assert float(firm_exit.annual_hazard(p, anchor, False, 0.5)) == anchor, "newness is an SME's"
    many = firm_exit.annual_hazard(p, np.array([0.5, 0.5]), np.array([True, False]), np.array([0.0, 0.0]), np.array([0.0, 0.9]))
    assert many.tolist() == [1.0, 1.0], "capped at 1, extra hazard added"


def test_a_firms_own_hazard_and_exclusion_are_honoured() -> None:
    """What a scenario sets per firm in the register (base_hazard, exitable) is what the month draws."""
    m = _model()
    grower, mill = b.firm_named(m, "Grower"), b.firm_named(m, "Mill")
    m.firm_arrays.base_hazard[grower.idx] = 1.0
    m.firm_arrays.base_hazard[mill.idx] = 1.0
    m.firm_arrays.exitable[mill.idx] = False
    b.step(m, 1)
    assert not grower.alive and mill.alive


def test_a_founding_year_makes_a_firm_young_and_firms_at_the_start_are_established() -> None:
    m = b.new(
        b.firm("Old", offers=[b.offer("heat", 10, 40)]),
        b.firm("Young", founded_year=b.START_YEAR - 2, at=(11, 10)),
        mechanisms={"firm_exit": True},
    )
    founded = {f.name: m.firm_arrays.founded[f.idx] for f in m.firms}
    assert founded["Old"] == -np.inf and founded["Young"] == b.step_of(b.START_YEAR - 2)


def test_utilities_may_exit_when_given_a_hazard() -> None:
    m = b.step(_model({"hazard_utility": 1.0}), 1)
    assert not b.firm_named(m, "Works").alive


def test_a_certain_hazard_removes_every_firm_but_the_utility() -> None:
    m = b.step(_model({"hazard_anchor": 1.0, "hazard_sme": 1.0}), 1)
    assert {f.name: f.alive for f in m.firms} == {"Mill": False, "Grower": False, "Works": True}
    assert {e["firm"]: e["reason"] for e in b.events(m, "firm_exited")} == {"Mill": "hazard", "Grower": "hazard"}


def test_switched_off_nobody_leaves_by_hazard() -> None:
    m = b.step(_model({"hazard_anchor": 1.0, "hazard_sme": 1.0}, mechanisms={"firm_exit": False}), 12)
    assert all(f.alive for f in m.firms)


def test_a_supplier_leaving_ends_its_exchanges_and_strands_its_receiver() -> None:
    leave = {"kind": "firm_exit", "year": b.START_YEAR, "month": 10, "firm": "Mill"}
    m = _model(events=[leave])
    assert b.step_until(m, lambda m: b.operating(m), 6)
    (ex,) = b.operating(m)
    b.step(m, 8 - m.steps)
    grower = b.firm_named(m, "Grower")
    cash = grower.cash_sek
    b.step(m, 2)
    assert not b.firm_named(m, "Mill").alive
    assert ex.stage is Stage.ENDED and ex.end_reason is EndReason.PARTNER_EXIT
    stranded = m.params.firm_exit.stranded_share * ex.investment_sek * 0.5
    assert grower.cash_sek == pytest.approx(cash + ex.receiver_net_sek_per_month - stranded), "one more delivery, then the loss"
    assert b.extra_hazard(m, "Grower") == m.params.firm_exit.dependant_hazard
    assert b.events(m, "firm_exited")[0]["reason"] == "scheduled"


def test_a_start_up_without_supply_burns_cash_and_leaves_when_patience_runs_out() -> None:
    m = _model({"startup_patience_months": 3}, params={"matching": {"base_search_rate": 0.0}}, plots=[{"near": "Mill", "count": 1}])
    startup = b.add_startup(m, "Mill", "heat")
    cash = startup.cash_sek
    b.step(m, 2)
    assert startup.cash_sek == pytest.approx(cash - 2 * m.params.firm_exit.startup_burn_sek_per_month)
    b.step(m, 2)
    assert not startup.alive
    assert b.events(m, "firm_exited")[-1]["reason"] == "no_supply"


@pytest.mark.slow
def test_anchor_exit_collapses_the_cluster_and_policy_helps_recovery() -> None:
    """P1: the anchor's exit collapses the cluster in most seeds; reserved land and continuous
    facilitation money make recovery more frequent (Fisher's exact test)."""
    base = outcomes(ANCHOR_EXIT, {}, "collapsed", n=100)
    policy = outcomes(
        ANCHOR_EXIT, {"policy.land_reservation": True, "policy.facilitator_base_funding_sek_per_year": 1.8e6}, "collapsed", n=100
    )
    assert base.mean() > 0.5, f"collapse in only {base.mean():.0%} of seeds"
    table = [[int(base.sum()), int(len(base) - base.sum())], [int(policy.sum()), int(len(policy) - policy.sum())]]
    p = stats.fisher_exact(table, alternative="greater").pvalue
    assert p < 0.05, f"collapse {base.mean():.0%} vs {policy.mean():.0%}, p = {p:.3f}"


@pytest.mark.slow
def test_firm_exit_removes_firms_and_their_exchanges() -> None:
    """Without exits the anchor stays and no cluster collapses."""
    off = outcomes(ANCHOR_EXIT, {"mechanisms.firm_exit": False, "events": []}, "final_active_exchanges")
    on = outcomes(ANCHOR_EXIT, {}, "final_active_exchanges")
    greater(off, on)


def test_the_exit_table_of_a_few_firms_is_numpys_to_the_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain-Python exit table of a small register gives the numpy table's candidates, hazards
    and expiry bit for bit, month after month (births bring young SMEs, exits strand dependants)."""
    m = SymbiosisModel(config.load(None), rng=3)
    for _ in range(120):
        m.step()
        tables = []
        for small in (firm_exit.SMALL, -1):
            monkeypatch.setattr(firm_exit, "SMALL", small)
            firm_exit.invalidate(m)
            candidates, monthly = firm_exit.exit_table(m)
            tables.append((candidates.tolist(), monthly.tobytes(), m.state.firm_exit.table[2]))
        monkeypatch.undo()
        assert tables[0] == tables[1]
