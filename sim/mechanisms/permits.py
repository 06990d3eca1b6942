"""Permits and detailed plans, per establishment and with memory (pattern P6).

A permit is for an activity at a site. Each new exchange is a permit activity at the receiver's
site, handled by the authority of its permit class: the municipality for detailed plans and minor
notifications, the county administrative board (länsstyrelsen) for class B environmental permits,
the land and environment court (mark- och miljödomstolen) for class A. Processing times are
heavy-tailed (lognormal): most procedures take about the median, some take years (A8, A10 pending
for long). Aquaculture near sensitive water is risky (Frövi shrimp denied, A5; Sotenäs salmon,
A4); reusing the same discharge point is light (Perstorp A18, Gryaab–Novo A16). A denial is
remembered: the same activity at the same site is denied again, whoever applies (the authority's
grounds, the recipient or the site, have not changed). A receiver that needs new land needs a
detailed development plan first, and none is possible on land re-planned for housing (A13).
``policy.permit_time_factor`` scales every duration (a sandbox is below 1); the authority's extra
work for a sandbox is counted as public money.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from sim.core.events import EventKind
from sim.core.params import Strict, Switch, param
from sim.mechanisms import land_planning

if TYPE_CHECKING:
    from sim.core.exchange import Demand, Exchange, Offer
    from sim.core.model import SymbiosisModel

ClassName = Literal["minor", "class_b", "class_a"]
Z90 = 1.2815515655446004  # standard normal 90th percentile: p90 = median × exp(Z90 σ)


class PermitClass(Strict):
    median_months: float = param(6.0, "months", "assumption", "Median processing time.", ge=0)
    sigma: float = param(0.6, "log-months", "assumption", "Spread of the lognormal processing time (σ of its log).", ge=0, le=3)
    authority: str = param("municipality", "text", "assumption", "Who decides.")


def _cls(median: float, sigma: float, authority: str) -> PermitClass:
    return PermitClass(median_months=median, sigma=sigma, authority=authority)


class Activity(Strict):
    permit_class: ClassName | None = param(
        None, "permit class", "see the ODD's permit table", "The class that handles it; none: the activity's usual class."
    )
    months: float | None = param(None, "months", "assumption", "Median processing time of this activity; none: its class's median.", ge=0)
    denial: float = param(0.05, "probability", "assumption", "Chance of denial.", ge=0, le=1)


def _act(denial: float) -> Activity:
    return Activity(denial=denial)


ODD = "submodel-permits"  # its section in docs/odd.md
SWITCH = Switch("Permits and detailed plans take time and may be denied.", "report §3.4.3 (permits) and §2.4.1 (detailed plans), P6")
LEVERS = ("permit_time_factor",)

# each activity's usual permit class (Activity.permit_class overrides it)
USUAL_CLASS: dict[str, ClassName] = {
    "heat_connection": "minor",
    "same_discharge_point": "minor",
    "water_reuse": "class_b",
    "aquaculture": "class_b",
    "greenhouse": "minor",
    "process_plant": "class_a",
    "other": "minor",
}


class Params(Strict):
    minor: PermitClass = param(
        _cls(2.0, 0.5, "municipality"),
        "months (median), log-months, authority",
        "§2.5.1: the municipality handles permits for establishments; value: assumption: a notification may start six "
        "weeks after filing and a building permit is due within ten weeks, some take longer",
        "Minor notifications and building permits, decided by the municipality.",
    )
    class_b: PermitClass = param(
        _cls(12.0, 0.6, "county administrative board (länsstyrelsen)"),
        "months (median), log-months, authority",
        "§3.4.3: environmental permits are a hurdle (A4, A5); value: assumption: the report gives no duration; about a "
        "year at the county board, with a long tail when the application must be completed",
        "Class B environmental permits (a new discharge, a fish farm), decided by the county administrative board.",
    )
    class_a: PermitClass = param(
        _cls(24.0, 0.7, "land and environment court (mark- och miljödomstolen)"),
        "months (median), log-months, authority",
        "§3.4.3, A8, A10: hydrogen and e-fuel permits pending for long, the Alby hydrogen plant applied to the court; "
        "value: assumption: the report gives no duration; about two years, longer after appeals",
        "Class A environmental permits (large process plants), decided by the land and environment court.",
    )
    heat_connection: Activity = param(
        _act(0.01),
        "class, months, probability",
        "assumption: heat across a heat exchanger needs little permitting (§2.3.1)",
        "Heat or steam delivered over a heat exchanger (minor).",
    )
    same_discharge_point: Activity = param(
        _act(0.02),
        "class, months, probability",
        "A16, A18: same discharge point, no new discharge permit; values: assumption",
        "Water reuse where the receiver discharges where the supplier did (minor).",
    )
    water_reuse: Activity = param(
        _act(0.1),
        "class, months, probability",
        "assumption: a new discharge needs an environmental permit",
        "Water reuse with a new discharge (class B).",
    )
    aquaculture: Activity = param(
        Activity(months=18.0, denial=0.35),
        "class, months, probability",
        "A5 shrimp farm denied (salt water near a stream); A4 salmon permit hard: slower than a typical class B permit; values: assumption",
        "A fish, shrimp or algae farm receiving a stream (class B, median 18 months).",
    )
    greenhouse: Activity = param(
        Activity(months=8.0, denial=0.05),
        "class, months, probability",
        "A5 Regenergy Frövi; A12 Agtira: a large greenhouse needs a building permit and its environmental questions "
        "settled; values: assumption",
        "A greenhouse receiving a stream (minor, median 8 months).",
    )
    process_plant: Activity = param(
        _act(0.15),
        "class, months, probability",
        "A8, A10: hydrogen and e-fuel permits pending for long; values: assumption",
        "An e-fuel, hydrogen or chemical plant receiving a stream (class A).",
    )
    other: Activity = param(_act(0.03), "class, months, probability", "assumption", "Any other exchange (minor).")
    detailed_plan_months: float = param(
        18.0,
        "months (median)",
        "§2.5.1, A6 Umeå: detailed planning of 550 ha ongoing; value: assumption",
        "Median time for the municipality to adopt a detailed plan for a new establishment, at a neutral planning stance.",
        ge=0,
    )
    detailed_plan_sigma: float = param(
        0.5,
        "log-months",
        "assumption: plans are appealed or reworked now and then",
        "Spread of the lognormal time to adopt a detailed plan.",
        ge=0,
        le=3,
    )
    remember_denials: bool = param(
        True,
        "switch",
        "§3.4.3, A5: the shrimp farm at Frövi was denied for its site (salt water near a stream); assumption: the grounds stay",
        "A denied activity stays denied at its site for any later application.",
    )
    sandbox_cost_sek_per_case: float = param(
        40000.0,
        "SEK per procedure at half the usual time",
        "assumption: about 50 extra hours of authority case handling at 800 SEK/hour to run one procedure twice as fast",
        "Public cost of speeding up one permit procedure with a sandbox; it scales with the speed-up, "
        "as 1/permit_time_factor - 1 (one at half the time, three at a quarter), and is 0 without a sandbox.",
        ge=0,
    )


class State:
    """Sites where an activity was denied: (municipality, x, y) of the receiver → activity names."""

    def __init__(self) -> None:
        self.denied: dict[tuple[int, float, float], set[str]] = {}
        self.towns: set[int] = set()  # municipalities of those sites: most proposals need no site
        self.sites: dict[int, tuple[int, float, float]] = {}  # per receiver asked about, its site (firms never move)


AQUACULTURE = {"fish_farm", "aquaculture", "algae_farm", "shrimp_farm"}
PROCESS = {"efuel", "hydrogen", "chemicals", "biorefinery"}


def _activity_key(model: SymbiosisModel, ex: Exchange) -> str:
    """The name of the exchange's permit activity (a field of Params)."""
    return _classify(model.firms[ex.receiver].sector, ex.resource, ex.offer.same_discharge_point)


def _classify(sector: str, resource: str, same_discharge_point: bool) -> str:
    if sector in AQUACULTURE:
        return "aquaculture"
    if resource == "technical_water":
        return "same_discharge_point" if same_discharge_point else "water_reuse"
    if sector in PROCESS:
        return "process_plant"
    if sector == "greenhouse":
        return "greenhouse"
    if resource in ("heat", "steam"):
        return "heat_connection"
    return "other"


def activity(model: SymbiosisModel, ex: Exchange) -> Activity:
    """Classify the exchange into a permit activity."""
    return getattr(model.params.permits, _activity_key(model, ex))


def activity_name(model: SymbiosisModel, ex: Exchange) -> str:
    """The name of the activity, for the event log."""
    return _activity_key(model, ex)


def permit_class(model: SymbiosisModel, ex: Exchange) -> PermitClass:
    """The permit class (and so the authority) that handles the exchange's activity."""
    name = activity_name(model, ex)
    act = getattr(model.params.permits, name)
    return getattr(model.params.permits, act.permit_class or USUAL_CLASS[name])


def site(model: SymbiosisModel, firm_idx: int) -> tuple[int, float, float]:
    """Where the activity is: the receiver's establishment (a start-up sits on its plot's point)."""
    f = model.firms[firm_idx]
    return (f.municipality, round(f.x, 3), round(f.y, 3))


def denied_before(model: SymbiosisModel, ex: Exchange) -> bool:
    """Whether this activity was denied at the receiver's site before."""
    return activity_name(model, ex) in model.state.permits.denied.get(site(model, ex.receiver), ())


def barred(model: SymbiosisModel, offer: Offer, demand: Demand) -> bool:
    """Whether a proposal would be for an activity already denied at the receiver's site: the
    receiver knows the decision and does not apply again (matching then proposes nothing)."""
    if not (model.switches.permits and model.params.permits.remember_denials):
        return False
    st, receiver = model.state.permits, model.firms[demand.firm]
    if receiver.municipality not in st.towns:
        return False
    where = st.sites.get(demand.firm)
    if where is None:  # a receiver is asked about again and again, its site's rounding done once
        where = st.sites[demand.firm] = site(model, demand.firm)
    denied = st.denied.get(where)
    return bool(denied) and _classify(receiver.sector, offer.resource, offer.same_discharge_point) in denied


def draw_months(model: SymbiosisModel, median: float, sigma: float) -> float:
    """One lognormal processing time with this median (0 stays 0)."""
    if median <= 0:
        return 0.0
    return float(model.rng.lognormal(math.log(median), sigma)) if sigma > 0 else median


def start(model: SymbiosisModel, ex: Exchange) -> int:
    """Open the procedure: the authority's extra work under a sandbox is public money; return :func:`months`."""
    factor = model.config.policy.permit_time_factor
    if model.switches.permits and factor < 1.0:
        model.add_public_spending(model.params.permits.sandbox_cost_sek_per_case * (1.0 / factor - 1.0))
    return months(model, ex)


def months(model: SymbiosisModel, ex: Exchange) -> int:
    """Processing time, with a detailed plan first where the receiver needs new land.

    An activity already denied at the site is refused at once, on the earlier decision.
    """
    if not model.switches.permits:
        return 0
    p = model.params.permits
    if p.remember_denials and denied_before(model, ex):
        return 0
    act, cls = activity(model, ex), permit_class(model, ex)
    total = draw_months(model, cls.median_months if act.months is None else act.months, cls.sigma)
    if ex.demand.needs_new_land and not land_planning.plot_planned(model, ex.receiver):
        mun = model.municipalities[model.firms[ex.receiver].municipality]
        total += draw_months(model, p.detailed_plan_months, p.detailed_plan_sigma) * (1.5 - mun.planning_stance)
    return round(total * model.config.policy.permit_time_factor)


def granted(model: SymbiosisModel, ex: Exchange) -> bool:
    """The decision; a plan is impossible on land re-planned for housing; a site denied stays denied."""
    if ex.demand.needs_new_land and not land_planning.plot_buildable(model, ex.receiver):
        return False
    if not model.switches.permits:
        return True
    p = model.params.permits
    if p.remember_denials and denied_before(model, ex):
        model.ledger.log(EventKind.PERMIT_SITE_BARRED, ex, detail=activity_name(model, ex))
        return False
    ok = bool(model.rng.random() >= activity(model, ex).denial)
    if not ok and p.remember_denials:
        where = site(model, ex.receiver)
        model.state.permits.denied.setdefault(where, set()).add(activity_name(model, ex))
        model.state.permits.towns.add(where[0])
    if ok and ex.demand.needs_new_land:
        land_planning.mark_plot_planned(model, ex.receiver)
    return ok
