"""Two-sided net benefit of a proposed exchange, judged the way firms judge a side investment.

An exchange forms only if both sides gain (Fraccascia et al. 2017; Albino et al. 2016), and a
firm judges the one-off outlay a deal needs (connection, upgrading plant, staff time to set it up)
by a simple payback requirement that depends on who it is: industry wants non-core investments
back in two to three years (Sandberg & Söderström 2003), municipal utilities accept a longer
payback on long-lived network assets. Upgrading costs where quality demands it (heat pumps and
the season for low-grade heat into district heating, CO2 purification and liquefaction, polishing
of technical water) enter the deal. Prices and costs are the scenario's resource catalogue
(``model.resources``); the landfill tax is part of a by-product supplier's avoided disposal and a
carbon price (default 0) adds the avoided emissions to the receiver's value. The price splits the joint surplus (symmetric Nash bargaining),
floored so that a supplier never pays more to be rid of a stream than its disposal would cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.core.params import Strict, param
from sim.core.resources import Resource
from sim.mechanisms import anchor_revenue, scarcity

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Demand, Offer
    from sim.core.model import SymbiosisModel


ODD = "submodel-benefit"  # its section in docs/odd.md
LEVERS = ("landfill_tax_sek_per_t", "co2_price_sek_per_t")  # per-unit instruments priced into every deal

HOURS_PER_MONTH = 8760.0 / 12.0
KELVIN = 273.15
MAX_PAYBACK_YEARS = {"anchor": 3.0, "sme": 3.0, "startup": 6.0, "utility": 12.0}
SETUP_COST_SEK = {"anchor": 400000.0, "sme": 150000.0, "startup": 200000.0, "utility": 250000.0}
RUNNING_COST_SEK = {"anchor": 8000.0, "sme": 4000.0, "startup": 4000.0, "utility": 6000.0}
# share of a flat residual-heat stream a district-heating network can use, January to December
DH_UTILISATION = [1.0, 1.0, 0.95, 0.8, 0.55, 0.35, 0.3, 0.35, 0.55, 0.8, 0.95, 1.0]


class Params(Strict):
    contract_years: float = param(
        10.0,
        "years",
        "assumption: ordinary bilateral supply contracts (§3.2); Agtira signs up to 15 years (A14)",
        "Contract term; renewed at its end if both sides still gain; the setup cost is spread over it in the cash accounting.",
        gt=0,
        le=50,
    )
    discount_rate: float = param(
        0.06,
        "1/year",
        "assumption: typical industrial cost of capital",
        "Rate at which the cash accounting annualises the investment (not the acceptance test).",
        ge=0,
        le=0.5,
    )
    asset_life_years: float = param(
        20.0,
        "years",
        "Danish Energy Agency (2016): pipes and large heat pumps last two decades or more; value: assumption",
        "Life over which the cash accounting annualises the investment at discount_rate.",
        gt=0,
        le=60,
    )
    max_payback_years: dict[str, float] = param(
        MAX_PAYBACK_YEARS,
        "years, by role",
        "Sandberg & Söderström (2003): Swedish industry demands short paybacks, a few years, for energy-efficiency "
        "investments outside its core, SMEs as well as large firms; utilities: assumption, municipal district "
        "heating invests in network assets lasting decades at a municipal borrowing rate; start-ups: assumption, the "
        "exchange is their core business (§2.5.5)",
        "Longest simple payback a firm of each role accepts on its one-off outlay for a deal (a missing role takes its default).",
    )
    setup_cost_sek: dict[str, float] = param(
        SETUP_COST_SEK,
        "SEK per deal, by role",
        "§3.4.3, A3: contracts take long to negotiate; value: assumption, a few person-months of engineering, legal and "
        "management time at about 1,000 SEK/hour (an anchor's legal review and sign-off take longest)",
        "One-off staff time a firm of each role spends setting up a deal (studies, negotiation, contract).",
    )
    running_cost_sek_per_month: dict[str, float] = param(
        RUNNING_COST_SEK,
        "SEK/month per exchange, by role",
        "§2.5.4: collaboration competes with core business for staff time; value: assumption, a few hours a month "
        "of follow-up, metering and invoicing",
        "Running staff time a firm of each role spends on each exchange it takes part in.",
    )
    receiver_share: float = param(
        0.5,
        "share",
        "assumption: symmetric Nash bargaining",
        "Share of the joint surplus the receiver keeps through the price.",
        gt=0,
        lt=1,
    )
    district_heating_sectors: list[str] = param(
        ["district_heating", "chp"],
        "sectors",
        "§2.3 Table 2: residual heat goes to district heating networks",
        "Receiver sectors that feed heat into a district-heating network (heat pump below supply temperature, seasonal use).",
    )
    dh_supply_temperature_c: float = param(
        70.0,
        "°C",
        "Frederiksen & Werner (2013): Swedish networks supply about 70–90 °C, less in summer; value: assumption, the low end",
        "Temperature to which residual heat below it must be lifted before it can enter a district-heating network.",
        gt=0,
        le=150,
    )
    heat_pump_carnot_efficiency: float = param(
        0.5,
        "share of the Carnot COP",
        "Pärssinen et al. (2019): data-centre heat into district heating needs large heat pumps; value: assumption, "
        "large industrial heat pumps reach about half the Carnot COP",
        "COP = efficiency × T_supply / (T_supply − T_residual), temperatures in kelvin.",
        gt=0,
        le=1,
    )
    heat_pump_max_cop: float = param(
        8.0, "-", "assumption: a small lift still needs pumps and exchangers", "Upper bound on the heat pump's COP.", gt=1
    )
    heat_pump_capex_sek_per_mw: float = param(
        6.0e6,
        "SEK per MW of heat",
        "Danish Energy Agency (2016): large electric heat pumps for district heating cost roughly 0.5–0.9 M€ per MW; value: "
        "assumption within that range",
        "Investment in a heat pump, per MW of average heat flow lifted.",
        ge=0,
    )
    electricity_sek_per_mwh: float = param(
        600.0,
        "SEK/MWh",
        "assumption: Swedish industrial electricity with grid fee and tax, order of magnitude 2015–2023",
        "Price of the heat pump's electricity.",
        ge=0,
    )
    dh_monthly_utilisation: list[float] = param(
        DH_UTILISATION,
        "share, January to December",
        "Frederiksen & Werner (2013): district-heating load in summer is a fraction of the winter load and is largely "
        "met by base-load plants; values: assumption",
        "Share of a flat residual-heat stream a district-heating network can use in each month; decisions use the mean.",
        min_length=12,
        max_length=12,
    )
    co2_purification_sek_per_t: float = param(
        300.0,
        "SEK/t",
        "Naims (2016): concentrated CO2 sources need only purification and compression, about 20–40 € per tonne; "
        "liquefaction for trucking: assumption",
        "Purifying and liquefying a concentrated biogenic CO2 stream (levelised, capital included).",
        ge=0,
    )
    co2_capture_sek_per_t: float = param(
        600.0,
        "SEK/t",
        "Naims (2016): capture from dilute flue gas costs several times more than from concentrated sources; value: assumption",
        "Extra cost to capture CO2 from a stream below co2_concentrated_purity (levelised, capital included).",
        ge=0,
    )
    co2_concentrated_purity: float = param(
        0.9,
        "purity (0-1)",
        "assumption: fermentation and biogas upgrading give CO2 above 90 %; flue gas far less",
        "Purity at and above which a CO2 stream needs no capture plant, only purification.",
        ge=0,
        le=1,
    )
    water_polishing_sek_per_m3: float = param(
        4.0,
        "SEK/m3",
        "A18: Perstorp polishes the treated wastewater it takes for its own process; value: assumption, membrane "
        "treatment of treated effluent, capital included",
        "Cost of polishing technical water for a receiver that needs a higher purity than offered.",
        ge=0,
    )
    water_purity_needed: dict[str, float] = param(
        {"chemicals": 0.9, "petrochemicals": 0.9, "efuel": 0.95, "hydrogen": 0.95, "industrial_gases": 0.95},
        "purity (0-1), by receiver sector",
        "A18: process water and electrolysis need cleaner water than a treatment plant releases; values: assumption",
        "Purity a receiver's process needs; below it the receiver polishes (the demand's min_quality is what it accepts at the gate).",
    )


@dataclass(slots=True)
class Deal:
    """The terms of a proposed exchange: monthly cash to each side and the acceptance test.

    Not a frozen dataclass although nothing changes a deal once priced: every proposal prices one,
    and a frozen dataclass's constructor (one ``object.__setattr__`` per field) costs several times
    a plain one's.
    """

    quantity: float
    price: float
    investment_sek: float
    supplier_net: float  # monthly cash (the investment annualised over its life)
    receiver_net: float
    supplier_decision: float = 0.0  # monthly net less the outlay over the side's required payback
    receiver_decision: float = 0.0

    @property
    def viable(self) -> bool:
        """Both sides gain and each recovers its one-off outlay within its required payback."""
        return self.supplier_decision > 0.0 and self.receiver_decision > 0.0


def annuity_factor(rate_per_year: float, years: float) -> float:
    """Monthly payment per SEK invested, over ``years`` at ``rate_per_year``."""
    r = rate_per_year / 12.0
    n = years * 12.0
    return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** -n)


def resource(model: SymbiosisModel, name: str) -> Resource:
    """The resource's costs and prices in this model (the one place the decision reads them): the
    scenario's catalogue, as set_price events leave it."""
    return model.resources[name]


def _by_role(table: dict[str, float], default: dict[str, float], role: str) -> float:
    """A role's value; a table overridden for some roles keeps the defaults of the others."""
    return table.get(str(role), default[str(role)])


class State:
    """The role tables resolved for every role, kept while the tables are the same objects.

    Every proposal and renewal evaluates a deal, and looking each role up in the overridden table
    and its defaults every time cost more than the deal's arithmetic. A new table assigned to the
    parameters (a new object) resolves again; a table must not be changed in place during a run.
    """

    def __init__(self) -> None:
        self.tables: tuple[object, ...] = ()
        self.roles: dict[str, tuple[float, float, float]] = {}  # role → (setup SEK, running SEK/month, payback months)


def _roles(model: SymbiosisModel) -> dict[str, tuple[float, float, float]]:
    """Per role (keys are the role names; a ``Role`` finds its name): setup cost, running cost and longest payback."""
    p, st = model.params.benefit, model.state.benefit
    tables = st.tables
    if (
        not tables
        or tables[0] is not p.setup_cost_sek
        or tables[1] is not p.running_cost_sek_per_month
        or tables[2] is not p.max_payback_years
    ):
        st.tables = (p.setup_cost_sek, p.running_cost_sek_per_month, p.max_payback_years)
        st.roles = {
            role: (
                _by_role(p.setup_cost_sek, SETUP_COST_SEK, role),
                _by_role(p.running_cost_sek_per_month, RUNNING_COST_SEK, role),
                12.0 * _by_role(p.max_payback_years, MAX_PAYBACK_YEARS, role),
            )
            for role in MAX_PAYBACK_YEARS
        }
    return st.roles


def max_payback_months(model: SymbiosisModel, role: str) -> float:
    """The longest payback (months) a firm of this role accepts on a deal's outlay."""
    return _roles(model)[role][2]


def heat_utilisation(model: SymbiosisModel, receiver: Firm, month: int | None = None) -> float:
    """Share of delivered heat the receiver can use: seasonal for district heating, else 1.

    ``month`` (1–12) gives that month's share; without it the mean over the year, which is what
    an investment decision sees.
    """
    p = model.params.benefit
    if receiver.sector not in p.district_heating_sectors:
        return 1.0
    if month is None:
        return sum(p.dh_monthly_utilisation) / 12.0
    return p.dh_monthly_utilisation[(month - 1) % 12]


def heat_pump_cop(model: SymbiosisModel, source_c: float) -> float | None:
    """The COP of lifting heat at ``source_c`` to the network's supply temperature, or None if no lift is needed."""
    p = model.params.benefit
    if source_c >= p.dh_supply_temperature_c:
        return None
    hot = p.dh_supply_temperature_c + KELVIN
    return min(p.heat_pump_max_cop, max(1.0 + 1e-9, p.heat_pump_carnot_efficiency * hot / (p.dh_supply_temperature_c - source_c)))


def upgrading(model: SymbiosisModel, offer: Offer, receiver: Firm, qty: float, use: float) -> tuple[float, float]:
    """(investment SEK, running SEK/month) to bring the offered quality to what the receiver's use needs."""
    p = model.params.benefit
    if offer.resource == "heat" and receiver.sector in p.district_heating_sectors:
        cop = heat_pump_cop(model, offer.quality)
        if cop is None:
            return 0.0, 0.0
        capex = p.heat_pump_capex_sek_per_mw * qty / HOURS_PER_MONTH
        return capex, qty * use * p.electricity_sek_per_mwh / cop
    if offer.resource == "co2":
        per_t = p.co2_purification_sek_per_t + (p.co2_capture_sek_per_t if offer.quality < p.co2_concentrated_purity else 0.0)
        return 0.0, qty * per_t
    if offer.resource == "technical_water" and offer.quality < p.water_purity_needed.get(receiver.sector, 0.0):
        return 0.0, qty * p.water_polishing_sek_per_m3
    return 0.0, 0.0


def evaluate(
    model: SymbiosisModel,
    offer: Offer,
    demand: Demand,
    supplier: Firm,
    receiver: Firm,
    distance_km: float,
    sunk: bool = False,
    quantity: float | None = None,
    month: int | None = None,
) -> Deal:
    """Price the exchange and return both sides' monthly cash and decision nets (SEK/month).

    ``sunk``: the connection already exists (a renewal), so its investment and setup no longer
    count. ``month``: value heat in that calendar month rather than over the year.
    """
    p = model.params.benefit
    res = model.resources[offer.resource]  # the scenario's catalogue, as set_price events leave it
    if quantity is None:  # min(offer.available, demand.unmet), without the property calls
        available, unmet = offer.quantity - offer.committed, demand.quantity - demand.met - demand.internal
        qty = unmet if unmet < available else available
    else:
        qty = quantity
    use = heat_utilisation(model, receiver, month) if offer.resource == "heat" else 1.0
    virgin = demand.virgin_price * scarcity.price_multiplier(model, receiver, offer.resource)
    value = qty * use * virgin
    carbon = qty * use * res.co2_t_per_unit * model.policy.co2_price_sek_per_t  # the virgin alternative's emissions, priced
    transport = qty * (res.transport_sek_per_unit_km * distance_km + res.upgrade_sek_per_unit)  # and the catalogue's upgrading
    upgrade_capex, upgrade_running = upgrading(model, offer, receiver, qty, use)
    investment = 0.0 if sunk else res.fixed_investment_sek + res.connection_sek_per_km * distance_km + upgrade_capex
    roles = _roles(model)
    setup_s, running_s, payback_s = roles[supplier.role]
    setup_r, running_r, payback_r = roles[receiver.role]
    if sunk:
        setup_s = setup_r = 0.0
    else:
        setup_s += anchor_revenue.supplier_review_cost(model, supplier)
    disposal = qty * res.disposal_sek_per_unit(model.policy.landfill_tax_sek_per_t)  # fee + landfill tax
    risk, brand = anchor_revenue.supplier_side_costs(model, supplier, value)
    receiver_run = value + carbon - transport - upgrade_running - running_r
    supplier_run = disposal + brand - risk - running_s
    # the acceptance test: each side's outlay must come back within its required payback
    receiver_base = receiver_run - (investment + setup_r) / payback_r
    supplier_base = supplier_run - setup_s / payback_s
    surplus = receiver_base + supplier_base
    payment = max(receiver_base - p.receiver_share * surplus, -disposal)
    price = payment / qty if qty > 0 else 0.0
    # the cash accounting: the investment annualised over its life, the setup over the contract
    months = p.contract_years * 12.0
    receiver_cash = receiver_run - investment * annuity_factor(p.discount_rate, p.asset_life_years) - setup_r / months - payment
    supplier_cash = supplier_run - setup_s / months + payment
    return Deal(qty, price, investment, supplier_cash, receiver_cash, supplier_base + payment, receiver_base - payment)


def payback_years(outlay_sek: float, net_sek_per_month: float) -> float:
    """Simple payback of an outlay from a monthly net (infinite if the net is not positive)."""
    return outlay_sek / (12.0 * net_sek_per_month) if net_sek_per_month > 0 else float("inf")
