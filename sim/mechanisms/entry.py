"""Entry of establishment companies (start-ups whose business is an anchor's residual stream).

Wa3rm, Agtira and Liquid Wind locate next to unused low-grade heat, biogenic CO2 or oxygen
(§2.5.5, §4). An entrant needs a free industrial plot beside the source (§2.4.1); it arrives more
often where a facilitator markets the site. Entrants are firms like any other: they must find
trust, permits and money, or leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.params import Strict, param
from sim.core.resources import CATALOGUE
from sim.mechanisms.matching import EPS

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel


class Params(Strict):
    base_rate_per_year: float = param(
        0.15,
        "1/year per unused stream",
        "A7: easy to find residual products, hard to find takers: new establishments are needed; value: assumption",
        "Annual chance that an establishment company shows interest in an unused attractive stream with free land beside it.",
        ge=0,
        le=5,
    )
    facilitated_rate_per_year: float = param(
        0.6,
        "1/year at full engagement",
        "A7: the symbiosis has attracted establishment enquiries; value: assumption",
        "Extra annual chance where an engaged facilitator markets the site.",
        ge=0,
        le=5,
    )
    min_unused_share: float = param(
        0.3, "share of the stream", "assumption", "Unused share of a stream that makes it attractive.", ge=0, le=1
    )
    size_share: float = param(
        0.5,
        "share of the stream",
        "A5: two 100,000 m² greenhouses on one mill's heat; value: assumption",
        "Share of the unused stream an entrant wants.",
        gt=0,
        le=1,
    )
    plot_radius_km: float = param(
        3.0,
        "km",
        "assumption: entrants settle beside the anchor (A5 greenhouses at the mill, A13 plots next to Findus)",
        "Largest distance between a supplier and a free plot for an entrant.",
        gt=0,
    )
    cash_sek: float = param(
        10.0e6,
        "SEK",
        "assumption: seed money of an establishment company (Wa3rm runs a developer fund, A5)",
        "Cash an entrant brings.",
        ge=0,
    )
    attractive: dict[str, list[str]] = param(
        {
            "heat": ["greenhouse", "fish_farm"],
            "co2": ["efuel", "greenhouse"],
            "oxygen": ["fish_farm"],
            "steam": ["biorefinery"],
            "technical_water": ["fish_farm", "greenhouse"],
            "biogas": ["greenhouse"],
        },
        "sectors by resource",
        "§4: greenhouses and fish farms on heat, e-fuels on CO2, fish farms on O2; A4 Sotenäs: land-based fish farms on treated water, biogas to growers",
        "Which entrant sectors each resource attracts.",
    )


def step(model: SymbiosisModel) -> None:
    """Draw new entrants beside attractive, unused streams with free land."""
    if not model.switches.entry:
        return
    p = model.params.entry
    for resource, sectors in p.attractive.items():
        book = model.books.get(resource)
        if book is None:
            continue
        for offer in list(book.large_offers):
            if offer.available <= EPS or offer.available < p.min_unused_share * offer.quantity:
                continue
            supplier = model.firms[offer.firm]
            if not supplier.alive or not supplier.is_large:
                continue
            plot = model.free_plot_near(supplier, p.plot_radius_km)
            if plot is None:
                continue
            rate = p.base_rate_per_year + p.facilitated_rate_per_year * model.facilitation_rate[supplier.idx]
            if model.rng.random() >= 1.0 - (1.0 - min(rate, 0.99)) ** (1.0 / 12.0):
                continue
            sector = sectors[int(model.rng.integers(len(sectors)))]
            qty = p.size_share * offer.available
            res = CATALOGUE[resource]
            model.add_startup(plot, supplier, sector, resource, qty, offer.quality, res.virgin_price_sek_per_unit, p.cash_sek)
