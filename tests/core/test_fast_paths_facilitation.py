"""The kept tables and plain-Python paths of facilitation, funding and entry give what a fresh
computation gives, every month of a few cases."""

from __future__ import annotations

import pytest

from agents.firm import Role
from sim import config
from sim.core import partners as partners_mod
from sim.core.model import SymbiosisModel
from sim.mechanisms import entry, land_planning, project_funding

CASES = ("A11_ipos", "A13_bjuv", "A25_molekyl", "A26_paper_province", "A6_umea")


def _model(case: str, seed: int = 1) -> SymbiosisModel:
    return SymbiosisModel(config.load(f"configs/cases/{case}.yaml"), rng=seed)


def _fresh_rates(model: SymbiosisModel) -> list[float]:
    """Each firm's facilitation rate from the facilitators as they are now."""
    rates = []
    for firm in model.firms:
        anchor = firm.role == Role.ANCHOR
        covering = [f for f in model.facilitators if firm.municipality in f.municipalities]
        rates.append(max((f.engagement * (f.anchor_coverage if anchor else f.funded_share) for f in covering), default=0.0))
    return rates


def test_facilitation_rates_equal_a_fresh_computation_after_every_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh that finds the rates unchanged and skips the pass leaves what a pass would set."""
    refresh = project_funding.refresh_facilitation
    checked = skipped = 0

    def checked_refresh(model: SymbiosisModel) -> None:
        nonlocal checked, skipped
        before = model.state.project_funding.refreshed
        refresh(model)
        fresh = _fresh_rates(model)
        assert model.firm_arrays.facilitation_rate[: model.firm_arrays.n].tolist() == fresh, model.steps
        assert project_funding.highest_rate(model) == max(fresh, default=0.0)
        checked += 1
        skipped += model.state.project_funding.refreshed is before

    monkeypatch.setattr(project_funding, "refresh_facilitation", checked_refresh)
    for case in CASES:
        model = _model(case)
        while model.running:
            model.step()
    assert checked > 1000 and skipped > 100


def test_entry_sites_equal_a_fresh_pass_over_the_large_offers_every_month() -> None:
    """The kept large offers with plots near their firm, and the first free plot among those, are
    what a pass over the book's large offers and the municipality's plots gives."""
    free = 0
    for case in ("A11_ipos", "A13_bjuv", "A6_umea", "A4_sotenas"):
        model = _model(case)
        radius = model.params.entry.plot_radius_km
        while model.running:
            model.step()
            for k, (_, _, book) in enumerate(entry.watched(model)):
                kept = entry.sites(model, k, book, radius)
                fresh = [
                    (o, model.firms[o.firm], land_planning.plots_near(model, model.firms[o.firm], radius))
                    for o in book.large_offers
                    if model.firms[o.firm].is_large and land_planning.plots_near(model, model.firms[o.firm], radius)
                ]
                assert [(o, f, [id(p) for p in plots]) for o, f, plots in kept] == [(o, f, [id(p) for p in plots]) for o, f, plots in fresh]
                for _, supplier, plots in kept:
                    plot = land_planning.first_free(plots)
                    assert plot is land_planning.free_plot_near(model, supplier, radius)
                    free += plot is not None
    assert free > 100


def test_partners_split_and_the_loop_equal_the_numpy_path_every_month() -> None:
    """Each kept partner table holds the firms alive in the area, its firms and utilities apart are
    them split by role, and the loop's payments and cash left are the numpy path's."""
    compared = 0
    for case in ("A11_ipos", "A13_bjuv", "A25_molekyl"):
        model = _model(case)
        benefit = model.state.project_funding.benefit_sek
        while model.running:
            model.step()
            for fac in model.facilitators:
                table = partners_mod.partners(model, fac, model.state.project_funding.partners)
                assert table.idx == [f.idx for f in model.firms if f.alive and f.municipality in fac.municipalities]
                assert table.at.tolist() == table.idx and table.firms == [model.firms[i] for i in table.idx]
                rows = list(zip(table.idx, table.firms, strict=True))
                for kept, public in ((table.private, False), (table.public, True)):
                    mine = [(i, f) for i, f in rows if (f.role == Role.UTILITY) == public]
                    assert kept == ([i for i, _ in mine], [f for _, f in mine])
                if not table.idx:
                    continue
                bill = (0.5, 0.5, 1.0e6, len(table.idx) ** -0.25, 1.0e4, 0.5 * len(table.idx) ** -0.25 * 1.0e4, 0.02)
                cash = [f.cash_sek for f in table.firms]
                paid = (partners_mod.pay(benefit, *table.private, bill), partners_mod.pay(benefit, *table.public, bill))
                left = [f.cash_sek for f in table.firms]
                for f, c in zip(table.firms, cash, strict=True):
                    f.cash_sek = c
                assert partners_mod.pay_many(benefit, table, bill) == paid
                assert [f.cash_sek for f in table.firms] == left
                for f, c in zip(table.firms, cash, strict=True):
                    f.cash_sek = c
                compared += 1
    assert compared > 500


def test_member_turnover_equals_a_pass_over_every_firm_every_month() -> None:
    """The turnover read from the partners and the register's column is the sum over all firms
    alive in the area with an exchange operating, in index order."""
    cfg = config.load(None)
    fees = {"facilitators.0.membership_fee_share": 0.01}
    model = SymbiosisModel(config.build(config.apply_overrides(config.resolved(cfg), fees)), rng=2)
    members = 0
    while model.running:
        model.step()
        for fac in model.facilitators:
            area = set(fac.municipalities)
            firms = [f for f in model.firms if f.alive and f.operating > 0 and f.municipality in area]
            if fac.membership_fee_share > 0:
                assert project_funding.member_turnover_sek_per_month(model, fac) == sum(f.turnover_sek_per_year for f in firms) / 12.0
                members += len(firms)
    assert members > 100
