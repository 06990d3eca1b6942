"""Land planning and re-planning (pattern P1, P9).

Establishment companies need free industrial land beside the anchor (§2.4.1). When a
municipality's cluster has been inactive long enough, housing pressure may make it re-plan the
free industrial plots next to the hub for housing (Bjuv, A13), which blocks new establishments
for good unless ``policy.land_reservation`` keeps them reserved for a circular structure
(§2.5.1: Umeå, Finnslätten, Sävsjö).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from agents.municipality import Zoning
from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from agents.firm import Firm
    from agents.municipality import Plot
    from sim.core.model import SymbiosisModel


ODD = "submodel-land_planning"  # its section in docs/odd.md
SWITCH = Switch("Inactive hubs' land may be re-planned for housing.", "report §2.4.2 and A13 (land beside the hub re-planned), P1")
LEVERS = ("land_reservation",)


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


class State:
    """Firms without a plot whose detailed plan is done (a firm on a plot keeps it on the plot), and
    the last 3-2 test with the version of the operating set it was made from."""

    def __init__(self) -> None:
        self.planned: set[int] = set()
        self.clusters: tuple[int, frozenset[int]] | None = None


def active_clusters(model: SymbiosisModel) -> frozenset[int]:
    """Municipalities whose operating exchanges pass the 3-2 test (Chertow 2007).

    An exchange counts in its supplier's municipality, with both its firms and its resource. The
    answer depends only on the operating set, which most months leave unchanged, so it is kept
    until an exchange starts operating or ends (the ledger's ``operating_version``).
    """
    arrays = model.ledger.arrays
    st = model.state.land_planning
    if st.clusters is None or st.clusters[0] != arrays.operating_version:
        st.clusters = (arrays.operating_version, _clusters(model))
    return st.clusters[1]


FEW = 64  # operating exchanges up to which :func:`_clusters` counts in plain Python


def _clusters(model: SymbiosisModel) -> frozenset[int]:
    arrays = model.ledger.arrays
    operating = model.ledger.operating
    if len(operating) <= FEW:
        return _clusters_few(model)
    ids = arrays.operating_ids()
    n_muni, n_firms, n_res = len(model.municipalities), len(model.firms), len(arrays.resource_code)
    muni = model.firm_arrays.municipality[arrays.supplier[ids]]
    firm_keys = np.unique(np.concatenate([muni * n_firms + arrays.supplier[ids], muni * n_firms + arrays.receiver[ids]]))
    firms = np.bincount(firm_keys // n_firms, minlength=n_muni)
    resources = np.bincount(np.unique(muni * n_res + arrays.resource[ids]) // n_res, minlength=n_muni)
    obs = model.config.observation
    return frozenset(np.flatnonzero((firms >= obs.cluster_min_firms) & (resources >= obs.cluster_min_resources)).tolist())


def _clusters_few(model: SymbiosisModel) -> frozenset[int]:
    """:func:`_clusters` for a few operating exchanges with sets instead of a dozen numpy calls:
    the same distinct firms and resources per supplier's municipality, so the same answer."""
    if not model.ledger.operating:
        return frozenset()
    muni = model.firm_arrays.municipality
    firms: dict[int, set[int]] = {}
    resources: dict[int, set[str]] = {}
    for ex in model.ledger.operating.values():
        m = muni.item(ex.supplier)
        firms.setdefault(m, set()).update((ex.supplier, ex.receiver))
        resources.setdefault(m, set()).add(ex.resource)
    obs = model.config.observation
    return frozenset(m for m, f in firms.items() if len(f) >= obs.cluster_min_firms and len(resources[m]) >= obs.cluster_min_resources)


def free_plot_near(model: SymbiosisModel, hub: Firm, radius_km: float) -> Plot | None:
    return first_free(plots_near(model, hub, radius_km))


def plots_near(model: SymbiosisModel, hub: Firm, radius_km: float) -> list[Plot]:
    """The plots of the hub's municipality within ``radius_km`` of it, in the municipality's order
    (neither moves, so a caller may keep them)."""
    return [plot for plot in model.municipalities[hub.municipality].plots if math.hypot(plot.x - hub.x, plot.y - hub.y) <= radius_km]


def first_free(plots: list[Plot]) -> Plot | None:
    """The first of these plots without an occupant and not re-planned for housing."""
    for plot in plots:
        if plot.occupant is None and plot.zoning != Zoning.HOUSING:
            return plot
    return None


def plot_of(model: SymbiosisModel, firm_idx: int) -> Plot | None:
    mun = model.municipalities[model.firms[firm_idx].municipality]
    return next((p for p in mun.plots if p.occupant == firm_idx), None)


def plot_planned(model: SymbiosisModel, firm_idx: int) -> bool:
    plot = plot_of(model, firm_idx)
    return plot.planned if plot is not None else firm_idx in model.state.land_planning.planned


def plot_buildable(model: SymbiosisModel, firm_idx: int) -> bool:
    plot = plot_of(model, firm_idx)
    return plot is None or plot.zoning != Zoning.HOUSING


def mark_plot_planned(model: SymbiosisModel, firm_idx: int) -> None:
    plot = plot_of(model, firm_idx)
    if plot is not None:
        plot.planned = True
    model.state.land_planning.planned.add(firm_idx)


def on_firm_removed(model: SymbiosisModel, firm: Firm) -> None:
    """A leaving firm frees its plot."""
    plot = plot_of(model, firm.idx)
    if plot is not None:
        plot.occupant = None


def on_built(model: SymbiosisModel) -> None:
    if model.config.policy.land_reservation:
        reserve_all(model)


def on_policy_changed(model: SymbiosisModel, lever: str, value: object) -> None:
    if lever == "land_reservation" and value:
        reserve_all(model)


def step(model: SymbiosisModel) -> None:
    """Count months in which a municipality's cluster fails Chertow's 3-2 test; re-plan where pressure wins."""
    p = model.params.land_planning
    reserved = model.config.policy.land_reservation
    if reserved:
        free = sum(1 for mun in model.municipalities for plot in mun.plots if plot.zoning == Zoning.RESERVED and plot.occupant is None)
        model.add_public_spending(free * p.reservation_cost_sek_per_plot_year / 12.0)
    active = active_clusters(model)
    replanning = model.switches.land_planning and not reserved  # reserved land is not re-planned
    for mun in model.municipalities:
        if mun.idx in active:
            mun.ever_active = True
            mun.months_inactive = 0
            continue
        mun.months_inactive += 1
        if not replanning or mun.replanned or not mun.ever_active or mun.months_inactive < p.inactive_months:
            continue
        monthly = 1.0 - (1.0 - p.replan_rate_per_year) ** (1.0 / 12.0)  # only a town that may re-plan needs it
        if model.rng.random() < monthly * mun.housing_pressure:
            n = 0
            for plot in mun.plots:
                if plot.zoning == Zoning.INDUSTRIAL:
                    plot.zoning = Zoning.HOUSING  # an occupant may stay; no new one can come
                    n += 1
            mun.replanned = True
            model.log(
                EventKind.LAND_REPLANNED,
                municipality=mun.name,
                detail=f"{n} industrial plots beside the hub re-planned for housing",
                count=n,
            )


def reserve_all(model: SymbiosisModel) -> None:
    """Under land reservation, free industrial plots are reserved and cannot be re-planned."""
    for mun in model.municipalities:
        for plot in mun.plots:
            if plot.zoning == Zoning.INDUSTRIAL:
                plot.zoning = Zoning.RESERVED
