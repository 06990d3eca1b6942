"""The model's event log in plain language: "Mar 2017: Findus Bjuv exits (scheduled); 4 exchanges end"."""

from __future__ import annotations

import calendar
from typing import TYPE_CHECKING, Any

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
}

EXIT_REASONS = {
    "scheduled": "as in the case history",
    "hazard": "it closes or moves for its own business reasons",
    "no_supply": "a start-up that found no supply in time",
}

# Steps of deal-making: many per run, shown only when the student asks for detail.
DETAIL_KINDS = frozenset({"exchange_proposed", "permit_granted", "financing_secured", "contract_renewed"})


def month_label(year: int, month: int) -> str:
    return f"{calendar.month_abbr[month]} {year}"


def _exchange(model: SymbiosisModel, ev: dict[str, Any]) -> str:
    ex = model.exchanges.get(ev.get("exchange", -1))
    return model.describe(ex) if ex is not None else "an exchange"


def sentence(model: SymbiosisModel, ev: dict[str, Any]) -> str | None:
    """One event in words, or None for events already told by another line."""
    kind, firm, detail = ev["kind"], ev.get("firm", ""), ev.get("detail", "")
    fac, mun = ev.get("facilitator", ""), ev.get("municipality", "")
    if kind == "firm_exited":
        why, _, ended = detail.partition("; ")
        n = int(ended.split()[0]) if ended[:1].isdigit() else 0
        because = EXIT_REASONS.get(why, why.replace("_", " "))
        tail = "" if n == 0 else "; 1 exchange ends" if n == 1 else f"; {n} exchanges end"
        return f"{firm} exits ({because}){tail}"
    if kind == "exchange_ended":
        if ev.get("reason") == "partner_exit":
            return None  # the firm's exit line says how many exchanges ended
        what = _exchange(model, ev)
        reason = REASONS.get(ev.get("reason", ""), ev.get("reason", "").replace("_", " "))
        return f"{what} {'stops' if ev.get('was_operating') else 'is dropped'}: {reason}"
    if kind == "exchange_started":
        return f"{_exchange(model, ev)} starts to flow"
    if kind == "exchange_proposed":
        return f"talks begin: {_exchange(model, ev)}"
    if kind == "firm_entered":
        sector, _, rest = detail.partition(" beside ")
        anchor, _, resource = rest.partition(" for its ")
        res = CATALOGUE[resource].label if resource in CATALOGUE else resource
        return f"a {sector.replace('_', ' ')} start-up, {firm}, sets up beside {anchor} to use its {res}"
    if kind == "permit_granted":
        return f"permit granted for {_exchange(model, ev)}"
    if kind == "permit_denied":
        return f"permit denied for {_exchange(model, ev)}"
    if kind == "financing_secured":
        return f"money raised for {_exchange(model, ev)}"
    if kind == "financing_failed":
        return f"money could not be raised for {_exchange(model, ev)}"
    if kind == "contract_renewed":
        return f"contract renewed: {_exchange(model, ev)}"
    if kind == "project_started":
        return f"{fac} starts a funded facilitation project ({detail})"
    if kind == "project_ended":
        return f"{fac}'s facilitation project ends"
    if kind == "funding_denied":
        return f"{fac}'s application to {detail} is turned down"
    if kind == "land_replanned":
        return f"{mun}: {detail}"
    if kind == "facilitation_started":
        return f"{mun} starts its own symbiosis facilitation" + (f" ({detail})" if detail else "")
    if kind == "guarantee_paid":
        return f"the public start-up guarantee pays out {detail} for {firm}"
    if kind == "heat_assessment":
        return f"{firm} assesses its residual heat under the EED mandate; {detail}"
    if kind == "stream_phased_out":
        return f"{firm} phases out its {CATALOGUE[detail].label if detail in CATALOGUE else detail}"
    if kind == "policy_changed":
        return f"policy changes: {detail.replace('_', ' ')}"
    return f"{kind.replace('_', ' ')}: {', '.join(x for x in (firm, fac, mun, detail) if x)}"


def lines(model: SymbiosisModel, *, detail: bool = False, limit: int = 60) -> list[tuple[int, str]]:
    """Newest first: (step, "Mar 2017: ...") for up to ``limit`` events."""
    out: list[tuple[int, str]] = []
    for ev in reversed(model.events):
        if not detail and ev["kind"] in DETAIL_KINDS:
            continue
        text = sentence(model, ev)
        if text is None:
            continue
        out.append((ev["step"], f"{month_label(ev['year'], ev['month'])}: {text[0].upper()}{text[1:]}"))
        if len(out) >= limit:
            break
    return out
