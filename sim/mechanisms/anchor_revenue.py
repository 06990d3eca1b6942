"""Anchor-company marginal revenue (pattern P4).

For an anchor the payment for a residual stream is small beside its turnover and not in itself a
reason to join (§3.2). A deal outside the core business must pass management and a legal review of
its guarantees (a one-off cost per deal, not a share of turnover), and a delivery guarantee carries a
risk cost that the payment may not outweigh; brand and recruitment value can tip the balance. The
ordinary staff time every firm spends on a deal, and an anchor's short payback requirement, sit in
benefit. Anchors therefore join reluctantly, by mechanism.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel


ODD = "submodel-anchor_revenue"  # its section in docs/odd.md
SWITCH = Switch(
    "Anchors and utilities review each deal once and weigh delivery risk against marginal revenue; anchors gain brand value.",
    "report §2.5.4 (core business first), P4",
)


class Params(Strict):
    management_review_sek: float = param(
        500000.0,
        "SEK per deal",
        "§2.5.4, §3.2: core business first; a guarantee to an outside party needs management sign-off; value: assumption, "
        "a few hundred hours of management, legal and risk staff",
        "One-off cost for a large supplier (anchor or utility) of taking a deal outside its core through management and legal review.",
        ge=0,
    )
    delivery_risk_share: float = param(
        0.25,
        "share of delivered value",
        "§3.2: the risk of a collaboration with delivery guarantees may not be outweighed by the payment; value: assumption",
        "Expected cost of a delivery guarantee, as a share of the value the receiver gets.",
        ge=0,
        le=1,
    )
    brand_value_sek_per_month: float = param(
        60000.0,
        "SEK/month",
        "§3.2: brand value and recruitment; value: assumption",
        "Non-financial value (brand, recruitment) an anchor gets from a visible exchange.",
        ge=0,
    )


def supplier_side_costs(model: SymbiosisModel, supplier: Firm, delivered_value_sek: float) -> tuple[float, float]:
    """Monthly (cost, non-financial value) of supplying for this firm.

    Only large firms (anchors, utilities) bear a guarantee cost: their residual stream is a
    by-product of a process they will not bend, and a shortfall is theirs to answer for.
    """
    if not model.switches.anchor_revenue or not supplier.is_large:
        return 0.0, 0.0
    p = model.params.anchor_revenue
    risk = p.delivery_risk_share * delivered_value_sek
    brand = p.brand_value_sek_per_month if supplier.role == "anchor" else 0.0
    return risk, brand


def supplier_review_cost(model: SymbiosisModel, supplier: Firm) -> float:
    """One-off SEK a large supplier spends taking a new deal through management and legal review."""
    if not model.switches.anchor_revenue or not supplier.is_large:
        return 0.0
    return model.params.anchor_revenue.management_review_sek
