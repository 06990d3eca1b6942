"""Stepwise financing (pattern P3).

Each company finances its own part. A large firm decides the whole project at once; a start-up
must secure money for each step (permit, land, technology) and may fail at any, which makes its
timeline uncertain (§3.2, §3.4.2). A public guarantee (``policy.startup_guarantee_share``)
covers part of a start-up's loss and so lowers the financier's risk; its payouts are public money.
An investment grant (see investment_support), applied for as the financing starts, pays a share of
the investment, so the firms have less to raise and each decision fails less often: a grant can
turn a financing failure into a success. It is paid when the financing is secured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.firm import Role
from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param
from sim.mechanisms import investment_support

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-financing"  # its section in docs/odd.md
SWITCH = Switch("Start-ups finance step by step.", "report §3.4.2 (financing), P3")
LEVERS = ("startup_guarantee_share",)


class Params(Strict):
    large_success: float = param(
        0.95,
        "probability",
        "§3.2: large companies can decide the whole project at once; value: assumption",
        "Chance a large firm funds its part in one decision.",
        ge=0,
        le=1,
    )
    sme_success: float = param(
        0.85, "probability", "assumption: SMEs borrow against their business", "Chance an SME funds its part in one decision.", ge=0, le=1
    )
    startup_step_success: float = param(
        0.7,
        "probability per step",
        "§3.2, A5 Wa3rm's five steps; value: assumption",
        "Chance a start-up secures each financing step without a guarantee.",
        ge=0,
        le=1,
    )
    startup_steps: int = param(
        3, "steps", "§3.2: permit, land, technical development", "Financing steps a start-up must pass one by one.", ge=1, le=10
    )
    step_months: float = param(
        4.0,
        "months",
        "§3.4.2: waiting between partial financings stalls engagement; value: assumption",
        "Mean time to raise one step.",
        ge=0,
    )
    guarantee_effect: float = param(
        0.9,
        "share of risk removed per guaranteed share",
        "assumption: lenders price the uncovered share",
        "How much of the step failure risk a full guarantee removes.",
        ge=0,
        le=1,
    )


def on_firm_removed(model: SymbiosisModel, firm: Firm) -> None:
    """A start-up that leaves with guaranteed investment calls the public guarantee."""
    if firm.role == Role.STARTUP and firm.guaranteed_investment_sek > 0:
        model.add_public_spending(firm.guaranteed_investment_sek)
        sek = firm.guaranteed_investment_sek
        model.log(EventKind.GUARANTEE_PAID, firm=firm.name, detail=f"{sek / 1e6:.1f} MSEK", amount_sek=sek)


def steps(model: SymbiosisModel, firm: Firm) -> int:
    """Number of financing decisions a firm needs for its part."""
    if model.switches.financing and firm.role == Role.STARTUP:
        return model.params.financing.startup_steps
    return 1


def step_months(model: SymbiosisModel) -> int:
    return int(model.rng.poisson(model.params.financing.step_months)) if model.switches.financing else 0


def success_probability(model: SymbiosisModel, firm: Firm, grant_share: float = 0.0) -> float:
    """Chance that one financing decision of this firm succeeds, with ``grant_share`` of the investment granted."""
    if not model.switches.financing:
        return 1.0
    p = model.params.financing
    if firm.is_large:
        base = p.large_success
    elif firm.role != Role.STARTUP:
        base = p.sme_success
    else:
        g = model.config.policy.startup_guarantee_share * p.guarantee_effect
        base = p.startup_step_success + g * (1.0 - p.startup_step_success)
    if grant_share <= 0.0:
        return base
    # a grant pays part of what is to be raised: the failure risk falls with the share left to the firms
    return 1.0 - (1.0 - base) * (1.0 - grant_share * model.params.investment_support.grant_effect)


def secure_step(model: SymbiosisModel, ex: Exchange) -> bool:
    """One financing step of the receiver (and, on the first step, the supplier's part).

    On the first step the exchange first applies for investment support; a grant's share lowers
    both sides' failure risk, and the grant is paid once the last step succeeds.
    """
    receiver = model.firms[ex.receiver]
    first = ex.financing_steps_left == steps(model, receiver)
    share = investment_support.apply(model, ex) if first else investment_support.grant_share(model, ex)
    ok = model.rng.random() < success_probability(model, receiver, share)
    if first:
        ok = ok and model.rng.random() < success_probability(model, model.firms[ex.supplier], share)
    if ok and receiver.role == Role.STARTUP and model.switches.financing:
        own = ex.investment_sek - investment_support.grant_sek(model, ex)
        receiver.guaranteed_investment_sek += model.config.policy.startup_guarantee_share * own / steps(model, receiver)
    if ok and ex.financing_steps_left <= 1:
        investment_support.pay(model, ex)
    return bool(ok)
