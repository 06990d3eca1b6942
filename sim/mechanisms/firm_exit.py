"""Exit of firms and the fate of their dependants (pattern P1).

Firms leave by a small hazard or a scheduled event (Findus 2017, A13). Exchanges with a leaving
firm end; receivers that built their business on the stream lose their savings (the stranded
part of the connection investment) and, without a supply, a start-up leaves once its patience or
cash runs out. Nothing here knows about clusters: collapse follows from these rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.firm import Role
from sim.core.exchange import EndReason
from sim.core.params import Strict, Switch, param
from sim.mechanisms import entry

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-firm_exit"  # its section in docs/odd.md
SWITCH = Switch("Firms exit by hazard; start-ups without supply leave.", "report A13 (Findus's exit), P1")


class Params(Strict):
    hazard_anchor: float = param(
        0.01,
        "1/year",
        "assumption: large process plants are long-lived, yet Findus left Bjuv (A13)",
        "Annual exit hazard of an anchor.",
        ge=0,
        le=1,
    )
    hazard_sme: float = param(
        0.03, "1/year", "assumption: Swedish SME exit rates of a few per cent a year", "Annual exit hazard of an SME.", ge=0, le=1
    )
    hazard_startup: float = param(
        0.05,
        "1/year",
        "assumption: start-ups fail more often",
        "Annual exit hazard of a start-up (besides leaving for want of supply or cash).",
        ge=0,
        le=1,
    )
    startup_patience_months: int = param(
        24,
        "months",
        "§3.2: start-ups' timelines are uncertain; value: assumption",
        "Months a start-up stays with neither an operating supply nor a deal in preparation before it leaves.",
        ge=1,
    )
    startup_burn_sek_per_month: float = param(
        120000.0,
        "SEK/month",
        "assumption: a small team before revenue",
        "What a start-up spends each month while it has no operating supply.",
        ge=0,
    )
    dependant_hazard: float = param(
        0.3,
        "1/year",
        "A13: after Findus left, the cluster's firms went quiet; value: assumption",
        "Extra annual exit hazard of a small firm or start-up whose supplier left (its business basis is gone).",
        ge=0,
        le=1,
    )
    stranded_share: float = param(
        0.7,
        "share of the investment",
        "assumption: a pipe to a closed plant is worth little",
        "Share of the receiver's connection investment lost when its supplier leaves.",
        ge=0,
        le=1,
    )


def step(model: SymbiosisModel) -> None:
    """Draw hazard exits, then let start-ups without supply burn cash or run out of patience."""
    p = model.params.firm_exit
    if not model.switches.firm_exit:
        return
    n = len(model.firms)
    candidates = np.flatnonzero(model.firm_arrays.alive[:n] & model.firm_arrays.exitable[:n])
    if len(candidates):
        annual = np.minimum(1.0, model.firm_arrays.base_hazard[candidates] + model.firm_arrays.extra_hazard[candidates])
        monthly = 1.0 - np.power(1.0 - annual, 1.0 / 12.0)
        draws = model.rng.random(len(candidates))
        for k in candidates[draws < monthly]:
            model.remove_firm(model.firms[int(k)], "hazard")
    for f in entry.startups(model):
        if not model.firm_arrays.exitable[f.idx] and model.firm_arrays.own_hazard[f.idx]:
            continue  # a start-up whose fate the case tells (exit: scheduled)
        if f.operating > 0:
            f.months_without_supply = 0
            continue
        f.cash_sek -= p.startup_burn_sek_per_month
        f.months_without_supply = 0 if f.exchanges else f.months_without_supply + 1
        if f.months_without_supply > p.startup_patience_months or f.cash_sek < 0:
            model.remove_firm(f, "no_supply")


def on_firm_added(model: SymbiosisModel, firm: Firm) -> None:
    """Utilities are municipal and never exit; every other firm carries its role's hazard."""
    model.firm_arrays.base_hazard[firm.idx] = base_hazard(model.params.firm_exit, firm.role)
    model.firm_arrays.exitable[firm.idx] = firm.role != Role.UTILITY


def on_operating(model: SymbiosisModel, ex: Exchange) -> None:
    """Supplied again: the receiver's business basis is back."""
    model.firm_arrays.extra_hazard[ex.receiver] = 0.0


def on_end(model: SymbiosisModel, ex: Exchange, was_operating: bool) -> None:
    """An operating supply lost because its supplier left strands the receiver's investment."""
    if ex.end_reason is EndReason.PARTNER_EXIT and was_operating and not model.firm_arrays.alive[ex.supplier]:
        strand(model, ex.receiver, ex.investment_sek)


def base_hazard(p: Params, role: Role) -> float:
    """Annual exit hazard by role; utilities are municipal and do not exit."""
    if role == Role.UTILITY:
        return 0.0
    return _hazard(p, role)


def _hazard(p: Params, role: Role) -> float:
    if role == Role.ANCHOR:
        return p.hazard_anchor
    if role == Role.STARTUP:
        return p.hazard_startup
    return p.hazard_sme


def strand(model: SymbiosisModel, receiver_idx: int, investment_sek: float) -> None:
    """A receiver whose supplier leaves loses the stranded part of its half of the connection,
    and a small one may leave in turn."""
    firm = model.firms[receiver_idx]
    firm.cash_sek -= model.params.firm_exit.stranded_share * investment_sek * 0.5
    if model.switches.firm_exit and not firm.is_large:
        model.firm_arrays.extra_hazard[firm.idx] = model.params.firm_exit.dependant_hazard
