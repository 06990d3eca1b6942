"""A searchable register of residual streams: an information platform that lowers the cost of search.

Helsingborg looked into making the larger firms' mandatory environmental reports searchable, so that
firms could find residual streams in the city without searching on their own (A29, §2.2.8); in
Fraccascia & Yazan (2018) an online information-sharing platform raises the performance of an
industrial-symbiosis network by cutting the cost of finding partners. A municipality's register opens
in a given year (``municipalities.*.information_platform_from_year``); from then on every demand of a
firm there consults it with an extra monthly probability, on top of its own search and any
facilitator's. A consultation is a search like any other: it finds offers by distance, and talks still
need both sides' benefit and trust. Only part of what the register holds is detailed enough to act on
(A29: the mandatory reports lack the detail needed to match flows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.params import Strict, Switch, param

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel


ODD = "submodel-platform"  # its section in docs/odd.md
SWITCH = Switch(
    "A municipality's searchable register of residual streams makes its firms search more often.",
    "A29 Helsingborg (searchable environmental reports); Fraccascia & Yazan (2018)",
)


class Params(Strict):
    consult_rate: float = param(
        0.1,
        "1/month",
        "Fraccascia & Yazan (2018): an information-sharing platform lowers the cost of searching for partners; "
        "value: assumption, a register one can look up is consulted far more readily than a search on one's own "
        "(matching.base_search_rate 0.02)",
        "Monthly probability that a firm with an unmet demand looks it up in its municipality's register.",
        ge=0,
        le=1,
    )
    detail_share: float = param(
        0.3,
        "share of consultations",
        "A29: the information the environmental report must hold is not detailed enough to find the flows one asks for; value: assumption",
        "Share of consultations that find a stream described well enough to approach its owner (a search).",
        ge=0,
        le=1,
    )


class State:
    """Per municipality: the extra monthly search probability of its firms' demands (0 without a register)."""

    def __init__(self) -> None:
        self.rate = np.zeros(0)
        self.on = False  # any register open: matching adds the rate only then, so without one its floats are untouched
        self.opens: list[tuple[int, int]] = []  # (municipality, year its register opens), not yet open


def on_built(model: SymbiosisModel) -> None:
    st = model.state.platform
    st.rate = np.zeros(len(model.municipalities))
    st.opens = [
        (i, m.information_platform_from_year)
        for i, m in enumerate(model.config.municipalities)
        if m.information_platform_from_year is not None
    ]
    step(model)


def step(model: SymbiosisModel) -> None:
    """Open the registers whose year has come."""
    st = model.state.platform
    if not st.opens or not model.switches.platform:
        return
    year = model.date_of(max(model.steps, 1))[0]
    p = model.params.platform
    for m, _year in [o for o in st.opens if o[1] <= year]:
        st.rate[m] = p.consult_rate * p.detail_share
    st.opens = [o for o in st.opens if o[1] > year]
    st.on = bool(st.rate.max(initial=0.0) > 0.0)


def search_rates(model: SymbiosisModel, firms: np.ndarray) -> np.ndarray:
    """The register's extra monthly search probability of each of these firms' demands."""
    return model.state.platform.rate[model.firm_arrays.municipality[firms]]


def max_rate(model: SymbiosisModel) -> float:
    """The highest extra search probability any register gives (0 without one)."""
    st = model.state.platform
    return float(st.rate.max(initial=0.0)) if st.on else 0.0
