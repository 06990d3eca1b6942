"""The model's event log in plain language, from its typed fields: "Mar 2017: Findus Bjuv exits (as in the case
history); 4 exchanges end"."""

from __future__ import annotations

import calendar
from typing import TYPE_CHECKING, Any

from sim.core.events import EventKind
from sim.core.resources import CATALOGUE

if TYPE_CHECKING:
    from sim.core.model import SymbiosisModel

REASONS = {
    "negotiation_failed": "the talks failed",
    "permit_denied": "the permit was denied",
    "financing_failed": "the money could not be raised",
    "partner_exit": "a partner left",
    "phase_out": "the stream was phased out",
    "feed_lost": "the stream's own input stopped",
    "not_renewed": "the contract was not renewed",
    "disrupted": "supply was disrupted",
    "stream_ended": "the stream or need ended as in the case history",
}

EXIT_REASONS = {
    "scheduled": "as in the case history",
    "hazard": "it closes or moves for its own business reasons",
    "no_supply": "a start-up that found no supply in time",
}

GRANT_DENIALS = {
    "resource_not_covered": "the programme does not cover this resource",
    "not_sme": "the programme is for small firms only",
    "no_investment": "there is no investment to support",
    "investment_too_small": "the investment is below the programme's smallest project",
    "no_existing_emissions": "a new establishment has no existing emissions to cut",
    "cut_too_small": "the emission cut per krona is too small",
    "budget_exhausted": "this year's budget is spent",
}

EXCHANGE_SENTENCES = {
    EventKind.EXCHANGE_STARTED: "{} starts to flow",
    EventKind.EXCHANGE_PROPOSED: "talks begin: {}",
    EventKind.PERMIT_GRANTED: "permit granted for {}",
    EventKind.PERMIT_DENIED: "permit denied for {}",
    EventKind.FINANCING_SECURED: "money raised for {}",
    EventKind.FINANCING_FAILED: "money could not be raised for {}",
    EventKind.CONTRACT_RENEWED: "contract renewed: {}",
}

# Steps of deal-making: many per run, shown only when the student asks for detail.
DETAIL_KINDS = frozenset({"exchange_proposed", "permit_granted", "financing_secured", "contract_renewed"})


def month_label(year: int, month: int) -> str:
    return f"{calendar.month_abbr[month]} {year}"


def _exchange(ev: dict[str, Any]) -> str:
    resource = ev.get("resource", "")
    label = CATALOGUE[resource].label if resource in CATALOGUE else "an exchange"
    return f"{label} from {ev['supplier']} to {ev['receiver']}" if ev.get("supplier") else label


def _resource(name: str) -> str:
    return CATALOGUE[name].label if name in CATALOGUE else name


def _msek(sek: float) -> str:
    return f"{sek / 1e6:.1f} MSEK"


def sentence(ev: dict[str, Any]) -> str | None:
    """One event in words, from its typed fields; None for events already told by another line."""
    kind, firm = ev["kind"], ev.get("firm", "")
    fac, mun = ev.get("facilitator", ""), ev.get("municipality", "")
    if kind == EventKind.FIRM_EXITED:
        why = ev.get("reason", "")
        n = max(int(ev.get("count", 0)), 0)
        because = EXIT_REASONS.get(why, why.replace("_", " "))
        tail = "" if n == 0 else "; 1 exchange ends" if n == 1 else f"; {n} exchanges end"
        return f"{firm} exits ({because}){tail}"
    if kind == EventKind.EXCHANGE_ENDED:
        if ev.get("reason") == "partner_exit":
            return None  # the firm's exit line says how many exchanges ended
        reason = REASONS.get(ev.get("reason", ""), ev.get("reason", "").replace("_", " "))
        return f"{_exchange(ev)} {'stops' if ev.get('was_operating') else 'is dropped'}: {reason}"
    if kind == EventKind.FIRM_ENTERED:
        sector = ev.get("sector", "").replace("_", " ")
        return f"a {sector} start-up, {firm}, sets up beside {ev.get('partner', '')} to use its {_resource(ev.get('resource', ''))}"
    if kind == EventKind.FIRM_ENTRY:
        return f"{firm} ({ev.get('sector', '').replace('_', ' ')}) arrives (as in the case history)"
    if kind == EventKind.OFFER_START:
        return f"{firm} starts to offer its {_resource(ev.get('resource', ''))}"
    if kind == EventKind.OFFER_END:
        return f"{firm}'s {_resource(ev.get('resource', ''))} stream ends (as in the case history)"
    if kind == EventKind.FIRM_BIRTH:
        return f"a new {ev.get('sector', '').replace('_', ' ')} firm, {firm}, starts up in {mun}"
    if kind in EXCHANGE_SENTENCES:
        return EXCHANGE_SENTENCES[kind].format(_exchange(ev))
    if kind == EventKind.PROJECT_STARTED:
        return f"{fac} starts a funded facilitation project ({ev.get('programme', '')}: {_msek(ev.get('amount_sek', 0.0))})"
    if kind == EventKind.PROJECT_ENDED:
        return f"{fac}'s facilitation project ends"
    if kind == EventKind.FUNDING_DENIED:
        return f"{fac}'s application to {ev.get('programme', '')} is turned down"
    if kind == EventKind.LAND_REPLANNED:
        return f"{mun}: {max(int(ev.get('count', 0)), 0)} industrial plots beside the hub re-planned for housing"
    if kind == EventKind.FACILITATION_STARTED:
        return f"{mun} starts its own symbiosis facilitation" + (f" ({ev['detail']})" if ev.get("detail") else "")
    if kind == EventKind.GUARANTEE_PAID:
        return f"the public start-up guarantee pays out {_msek(ev.get('amount_sek', 0.0))} for {firm}"
    if kind == EventKind.INVESTMENT_GRANT:
        return f"{ev.get('programme', '')} grants {_msek(ev.get('amount_sek', 0.0))} towards {_exchange(ev)}"
    if kind == EventKind.INVESTMENT_GRANT_DENIED:
        why = GRANT_DENIALS.get(ev.get("reason", ""), ev.get("reason", "").replace("_", " "))
        return f"{ev.get('programme', '')} turns down {_exchange(ev)}: {why}"
    if kind == EventKind.HEAT_ASSESSMENT:
        n = max(int(ev.get("count", 0)), 0)
        return f"{firm} assesses its residual heat under the EED mandate; {n} exchange{'' if n == 1 else 's'} proposed"
    if kind == EventKind.STREAM_PHASED_OUT:
        return f"{firm} phases out its {_resource(ev.get('resource', ''))}"
    if kind == EventKind.POLICY_CHANGED:
        return f"policy changes: {ev.get('lever', '').replace('_', ' ')} = {ev.get('value', '')}"
    return f"{str(kind).replace('_', ' ')}: {', '.join(x for x in (firm, fac, mun, ev.get('detail', '')) if x)}"


def lines(model: SymbiosisModel, *, detail: bool = False, limit: int = 60) -> list[tuple[int, str]]:
    """Newest first: (step, "Mar 2017: ...") for up to ``limit`` events.

    The same sentence twice in one month (two failed talks between the same pair for the same
    resource) is one line with its count, not a repeated line.
    """
    out: list[tuple[int, str]] = []
    counts: dict[tuple[int, str], int] = {}
    for ev in reversed(model.events):
        if not detail and ev["kind"] in DETAIL_KINDS:
            continue
        text = sentence(ev)
        if text is None:
            continue
        key = (ev["step"], f"{month_label(ev['year'], ev['month'])}: {text[0].upper()}{text[1:]}")
        if key in counts:
            counts[key] += 1
            continue
        if len(out) >= limit:
            break
        counts[key] = 1
        out.append(key)
    return [(step, text if counts[(step, text)] == 1 else f"{text} ({_times(counts[(step, text)])})") for step, text in out]


def _times(n: int) -> str:
    return "twice" if n == 2 else f"{n} times"
