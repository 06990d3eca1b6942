"""Land planning and re-planning (pattern P1, P9).

Establishment companies need free industrial land beside the anchor (§2.4.1). When a
municipality's cluster has been inactive long enough, housing pressure may make it re-plan the
free industrial plots next to the hub for housing (Bjuv, A13), which blocks new establishments
for good unless ``policy.land_reservation`` keeps them reserved for a circular structure
(§2.5.1: Umeå, Finnslätten, Sävsjö).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.municipality import Zoning
from sim.core.params import Strict, param

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel


class Params(Strict):
    reservation_cost_sek_per_plot_year: float = param(
        50000.0,
        "SEK per free reserved plot and year",
        "assumption: interest forgone on serviced industrial land held free, about 1 MSEK a plot at 5 %/year",
        "Public cost of keeping a free plot reserved under policy.land_reservation.",
        ge=0,
    )
    inactive_months: int = param(
        24,
        "months",
        "A13: Bjuv's cluster went quiet after 2017 before the land was re-planned; value: assumption",
        "Months a once-active cluster must be inactive before re-planning is considered.",
        ge=1,
    )
    replan_rate_per_year: float = param(
        0.5,
        "1/year at full housing pressure",
        "A13; value: assumption",
        "Annual chance that an inactive hub's free industrial land is re-planned for housing, times housing pressure.",
        ge=0,
        le=1,
    )


def step(model: SymbiosisModel) -> None:
    """Count months in which a municipality's cluster fails Chertow's 3-2 test; re-plan where pressure wins."""
    p = model.params.land_planning
    monthly = 1.0 - (1.0 - p.replan_rate_per_year) ** (1.0 / 12.0)
    if model.config.policy.land_reservation:
        free = sum(1 for mun in model.municipalities for plot in mun.plots if plot.zoning == Zoning.RESERVED and plot.occupant is None)
        model.add_public_spending(free * p.reservation_cost_sek_per_plot_year / 12.0)
    active = model.active_clusters()
    for mun in model.municipalities:
        if mun.idx in active:
            mun.ever_active = True
            mun.months_inactive = 0
            continue
        mun.months_inactive += 1
        if not model.switches.land_planning or mun.replanned or not mun.ever_active:
            continue
        if mun.months_inactive < p.inactive_months or model.config.policy.land_reservation:
            continue
        if model.rng.random() < monthly * mun.housing_pressure:
            n = 0
            for plot in mun.plots:
                if plot.zoning == Zoning.INDUSTRIAL:
                    plot.zoning = Zoning.HOUSING  # an occupant may stay; no new one can come
                    n += 1
            mun.replanned = True
            model.log("land_replanned", municipality=mun.name, detail=f"{n} industrial plots beside the hub re-planned for housing")


def reserve_all(model: SymbiosisModel) -> None:
    """Under land reservation, free industrial plots are reserved and cannot be re-planned."""
    for mun in model.municipalities:
        for plot in mun.plots:
            if plot.zoning == Zoning.INDUSTRIAL:
                plot.zoning = Zoning.RESERVED
