"""Entry of establishment companies (start-ups whose business is an anchor's residual stream).

Wa3rm, Agtira and Liquid Wind locate next to unused low-grade heat, biogenic CO2 or oxygen
(§2.5.5, §4). An entrant needs a free industrial plot beside the source (§2.4.1); it arrives more
often where a facilitator markets the site. It comes only if its own plant would pay back within
an establishment company's required payback (Ash2Salt's plant cost 600–700 MSEK, A15): the plant
is the investment, the residual stream only the reason to build it here. Entrants are firms like
any other: they must find trust, permits and money, or leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.firm import Role
from sim.core.build import add_demand
from sim.core.events import EventKind
from sim.core.exchange import Demand
from sim.core.firms import add_firm
from sim.core.params import Strict, Switch, param
from sim.mechanisms import benefit, land_planning
from sim.mechanisms.matching import EPS

if TYPE_CHECKING:
    from agents.firm import Firm
    from agents.municipality import Plot
    from sim.core.books import Book
    from sim.core.exchange import Offer
    from sim.core.model import SymbiosisModel


ODD = "submodel-entry"  # its section in docs/odd.md
SWITCH = Switch("Establishment companies arrive beside unused streams.", "report §2.5.5 (establishment companies) and §4")


# Plant per unit of monthly intake and operating margin per unit of intake, by the stream it is built on.
PLANT_SEK_PER_UNIT = {
    "heat": 40000.0,
    "co2": 150000.0,
    "oxygen": 100000.0,
    "steam": 60000.0,
    "technical_water": 500.0,
    "biogas": 20000.0,
    "materials": 52000.0,
}
MARGIN_SEK_PER_UNIT = {
    "heat": 800.0,
    "co2": 3100.0,
    "oxygen": 2100.0,
    "steam": 1250.0,
    "technical_water": 10.5,
    "biogas": 420.0,
    "materials": 1100.0,
}


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
    plant_investment_sek_per_unit: dict[str, float] = param(
        PLANT_SEK_PER_UNIT,
        "SEK per unit/month of intake, by resource",
        "A15: Ash2Salt's plant for 150,000 t of fly ash a year cost 600–700 MSEK (about 52,000 SEK per t/month); "
        "others: assumption, greenhouses about 1,200 SEK/m² on 0.03 MWh/m² a month, e-fuel, fish-farm and "
        "biorefinery plants of the size §4 describes",
        "Investment in an establishment company's own plant per unit of the residual stream it takes each month (a resource without an entry: no plant check).",
    )
    plant_margin_sek_per_unit: dict[str, float] = param(
        MARGIN_SEK_PER_UNIT,
        "SEK per unit of intake, by resource",
        "assumption: an operating margin that pays the plant itself back in about four years, within the start-up's required payback",
        "Monthly operating margin of the plant's products per unit of residual it takes, after its other inputs.",
    )
    development_cost_sek: float = param(
        5.0e6,
        "SEK",
        "assumption: feasibility study, design and permit applications before the plant is built (§3.2: start-ups' timelines are uncertain)",
        "One-off cost of developing an establishment, whatever its size; it keeps entrants away from small streams.",
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


class State:
    """Start-ups in business, by idx in the order they entered, and how many ever entered; the
    attractive resources' books (:func:`watched`), made on first use; per watched book, its sites
    (:func:`sites`) with what they were gathered from."""

    def __init__(self) -> None:
        self.startups: dict[int, Firm] = {}
        self.ever = 0
        self.watched: list[tuple[str, list[str], Book]] | None = None
        self.sites: dict[int, tuple[list[Offer], int, float, list[Site]]] = {}


def startups(model: SymbiosisModel) -> list[Firm]:
    """Start-ups still in business, in the order they entered."""
    return list(model.state.entry.startups.values())


def on_firm_added(model: SymbiosisModel, firm: Firm) -> None:
    if firm.role == Role.STARTUP:
        model.state.entry.startups[firm.idx] = firm
        model.state.entry.ever += 1  # names the next one, so O(1) rather than a count over all firms


def on_firm_removed(model: SymbiosisModel, firm: Firm) -> None:
    model.state.entry.startups.pop(firm.idx, None)


def add_startup(
    model: SymbiosisModel, plot: Plot, anchor: Firm, sector: str, resource: str, qty: float, quality: float, price: float, cash: float
) -> Firm:
    """An establishment company takes a plot beside an anchor and wants its stream."""
    n = model.state.entry.ever + 1
    firm = add_firm(
        model,
        name=f"{sector.replace('_', ' ').title()} {n}",
        role=Role.STARTUP,
        sector=sector,
        x=plot.x,
        y=plot.y,
        municipality=anchor.municipality,
        turnover_sek_per_year=0.0,
        cash_sek=cash,
    )
    plot.occupant = firm.idx
    add_demand(model, Demand(firm.idx, resource, qty, 0.0, price, needs_new_land=not plot.planned))
    model.log(
        EventKind.FIRM_ENTERED,
        firm=firm.name,
        detail=f"{sector} beside {anchor.name} for its {resource}",
        partner=anchor.name,
        sector=sector,
        resource=resource,
    )
    return firm


def plant_pays_back(model: SymbiosisModel, resource: str, qty: float) -> bool:
    """Whether a plant on ``qty`` per month of ``resource`` recovers its investment and development cost
    within an establishment company's required payback (``benefit.max_payback_years['startup']``)."""
    p = model.params.entry
    per_unit = p.plant_investment_sek_per_unit.get(resource)
    if per_unit is None:
        return True
    outlay = per_unit * qty + p.development_cost_sek
    margin = p.plant_margin_sek_per_unit.get(resource, 0.0) * qty
    return margin > 0 and outlay / margin <= benefit.max_payback_months(model, Role.STARTUP)


def step(model: SymbiosisModel) -> None:
    """Draw new entrants beside attractive, unused streams with free land."""
    if not model.switches.entry:
        return
    p, fa = model.params.entry, model.firm_arrays
    min_unused, radius = p.min_unused_share, p.plot_radius_km
    for k, (resource, sectors, book) in enumerate(watched(model)):
        if not book.large_offers:
            continue
        for offer, supplier, plots in sites(model, k, book, radius):
            available = offer.quantity - offer.committed  # Offer.available, without the property call
            if available <= EPS or available < min_unused * offer.quantity:
                continue
            if not fa.alive.item(offer.firm):  # the column read afresh: an arrival may regrow the register
                continue
            plot = land_planning.first_free(plots)
            if plot is None:
                continue
            # a Python float (the same double as numpy's scalar), so the power below is plain Python's
            rate = p.base_rate_per_year + p.facilitated_rate_per_year * fa.facilitation_rate.item(supplier.idx)
            if model.rng.random() >= 1.0 - (1.0 - (0.99 if rate > 0.99 else rate)) ** (1.0 / 12.0):  # min(rate, 0.99)
                continue
            sector = sectors[int(model.rng.integers(len(sectors)))]
            qty = p.size_share * offer.available
            if not plant_pays_back(model, resource, qty):
                continue
            res = model.resources[resource]
            add_startup(model, plot, supplier, sector, resource, qty, offer.quality, res.virgin_price_sek_per_unit, p.cash_sek)


Site = tuple["Offer", "Firm", list["Plot"]]  # a large firm's offer and the plots within reach of the firm


def sites(model: SymbiosisModel, k: int, book: Book, radius_km: float) -> list[Site]:
    """The ``k``-th watched book's large offers whose firm has plots within ``radius_km``, in the
    book's order, with the firm and those plots: where an entrant could settle if a plot is free.

    Firms and plots never move and a firm's role is fixed, so the list is kept until the book's
    large offers change (appended to, or a new list when its offers are rebuilt: rare) or the radius
    does; most of a case's large firms have no plot near, and are not looked at every month."""
    large = book.large_offers
    kept = model.state.entry.sites.get(k)
    if kept is None or kept[0] is not large or kept[1] != len(large) or kept[2] != radius_km:
        found = []
        for offer in large:
            supplier = model.firms[offer.firm]
            if supplier.is_large and (plots := land_planning.plots_near(model, supplier, radius_km)):
                found.append((offer, supplier, plots))
        kept = model.state.entry.sites[k] = (large, len(large), radius_km, found)
    return kept[3]


def watched(model: SymbiosisModel) -> list[tuple[str, list[str], Book]]:
    """The attractive resources that have a book, with the sectors they attract and the book, in the
    order of ``attractive``: both are fixed for a run, so the list is made once (see :class:`State`)."""
    st = model.state.entry
    if st.watched is None:
        books = model.state.matching.books
        st.watched = [(r, sectors, books[r]) for r, sectors in model.params.entry.attractive.items() if r in books]
    return st.watched
