"""Permits and detailed plans (pattern P6).

The municipality's permit office handles each new exchange as an activity with a duration and a
denial risk: aquaculture near sensitive water is risky (Frövi shrimp denied, A5; Sotenäs salmon,
A4); reusing the same discharge point is light (Perstorp A18, Gryaab–Novo A16). A receiver that
needs new land needs a detailed development plan first, and none is possible on land re-planned
for housing (A13). ``policy.permit_time_factor`` scales every duration (a sandbox is below 1);
the authority's extra work for a sandbox is counted as public money.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.params import Strict, Switch, param
from sim.mechanisms import land_planning

if TYPE_CHECKING:
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


class Activity(Strict):
    months: float = param(6.0, "months", "assumption", "Mean processing time.", ge=0)
    denial: float = param(0.05, "probability", "assumption", "Chance of denial.", ge=0, le=1)


def _act(months: float, denial: float) -> Activity:
    return Activity(months=months, denial=denial)


ODD = "submodel-permits"  # its section in docs/odd.md
SWITCH = Switch("Permits and detailed plans take time and may be denied.", "report §3.4.3 (permits) and §2.4.1 (detailed plans), P6")
LEVERS = ("permit_time_factor",)


class Params(Strict):
    heat_connection: Activity = param(
        _act(3, 0.01),
        "months, probability",
        "assumption: heat across a heat exchanger needs little permitting (§2.3.1)",
        "Heat or steam delivered over a heat exchanger.",
    )
    same_discharge_point: Activity = param(
        _act(3, 0.02),
        "months, probability",
        "A16, A18: same discharge point, no new discharge permit; values: assumption",
        "Water reuse where the receiver discharges where the supplier did.",
    )
    water_reuse: Activity = param(
        _act(9, 0.1),
        "months, probability",
        "assumption: a new discharge needs an environmental permit",
        "Water reuse with a new discharge.",
    )
    aquaculture: Activity = param(
        _act(18, 0.35),
        "months, probability",
        "A5 shrimp farm denied (salt water near a stream); A4 salmon permit hard; values: assumption",
        "A fish, shrimp or algae farm receiving a stream.",
    )
    greenhouse: Activity = param(
        _act(8, 0.05), "months, probability", "A5 Regenergy Frövi; A12 Agtira; values: assumption", "A greenhouse receiving a stream."
    )
    process_plant: Activity = param(
        _act(14, 0.15),
        "months, probability",
        "A8, A10: hydrogen and e-fuel permits pending for long; values: assumption",
        "An e-fuel, hydrogen or chemical plant receiving a stream.",
    )
    other: Activity = param(_act(4, 0.03), "months, probability", "assumption", "Any other exchange.")
    detailed_plan_months: float = param(
        18.0,
        "months",
        "§2.5.1, A6 Umeå: detailed planning of 550 ha ongoing; value: assumption",
        "Mean time to adopt a detailed plan for a new establishment.",
        ge=0,
    )
    sandbox_cost_sek_per_case: float = param(
        40000.0,
        "SEK per procedure at half the usual time",
        "assumption: about 50 extra hours of authority case handling at 800 SEK/hour to run one procedure twice as fast",
        "Public cost of speeding up one permit procedure with a sandbox; it scales with the speed-up, "
        "as 1/permit_time_factor - 1 (one at half the time, three at a quarter), and is 0 without a sandbox.",
        ge=0,
    )


AQUACULTURE = {"fish_farm", "aquaculture", "algae_farm", "shrimp_farm"}
PROCESS = {"efuel", "hydrogen", "chemicals", "biorefinery"}


def activity(model: SymbiosisModel, ex: Exchange) -> Activity:
    """Classify the exchange into a permit activity."""
    p = model.params.permits
    sector = model.firms[ex.receiver].sector
    if sector in AQUACULTURE:
        return p.aquaculture
    if ex.resource == "technical_water":
        return p.same_discharge_point if ex.offer.same_discharge_point else p.water_reuse
    if sector in PROCESS:
        return p.process_plant
    if sector == "greenhouse":
        return p.greenhouse
    if ex.resource in ("heat", "steam"):
        return p.heat_connection
    return p.other


def activity_name(model: SymbiosisModel, ex: Exchange) -> str:
    """The name of the activity, for the event log."""
    act = activity(model, ex)
    p = model.params.permits
    return next(name for name in type(p).model_fields if getattr(p, name) is act)


def start(model: SymbiosisModel, ex: Exchange) -> int:
    """Open the procedure: the authority's extra work under a sandbox is public money; return :func:`months`."""
    factor = model.config.policy.permit_time_factor
    if model.switches.permits and factor < 1.0:
        model.add_public_spending(model.params.permits.sandbox_cost_sek_per_case * (1.0 / factor - 1.0))
    return months(model, ex)


def months(model: SymbiosisModel, ex: Exchange) -> int:
    """Processing time, with a detailed plan first where the receiver needs new land."""
    if not model.switches.permits:
        return 0
    factor = model.config.policy.permit_time_factor
    mean = activity(model, ex).months
    if ex.demand.needs_new_land and not land_planning.plot_planned(model, ex.receiver):
        mun = model.municipalities[model.firms[ex.receiver].municipality]
        mean += model.params.permits.detailed_plan_months * (1.5 - mun.planning_stance)
    return int(model.rng.poisson(mean * factor))


def granted(model: SymbiosisModel, ex: Exchange) -> bool:
    """The decision; a plan is impossible on land re-planned for housing."""
    if ex.demand.needs_new_land and not land_planning.plot_buildable(model, ex.receiver):
        return False
    if not model.switches.permits:
        return True
    ok = bool(model.rng.random() >= activity(model, ex).denial)
    if ok and ex.demand.needs_new_land:
        land_planning.mark_plot_planned(model, ex.receiver)
    return ok
