"""The actor panel: what a clicked firm, town, facilitator or exchange is and does at this step.

Read from the model under its lock (see :func:`sim.dashboard.view.snapshot`), in words a student
knows: streams and needs with units, exchanges with their stage, trust in each partner, permits
and public money from the event log.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from sim.core.exchange import Stage
from sim.core.resources import CATALOGUE
from sim.dashboard import labels
from sim.dashboard.feed import EXIT_REASONS
from sim.dashboard.mapsvg import ROLE_NAMES, family

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel

PROMPT = "Click a firm, a town, a facilitator (★) or an exchange line on the map to see its state here."


def _res(name: str) -> tuple[str, str]:
    r = CATALOGUE.get(name)
    return (r.label, r.unit) if r else (name.replace("_", " "), "units")


def _when(model: SymbiosisModel, step: int | None) -> str:
    if not step:
        return "before the start"
    return labels.month_label(*model.date_of(step))


def _msek(sek: float) -> str:
    return f"{sek / 1e6:,.2f} MSEK"


def _table(head: list[str], rows: list[list[str]], testid: str) -> str:
    if not rows:
        return "<div style='color: #666'>none</div>"
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table class='actor-table' data-testid='{testid}'><tr>{th}</tr>{body}</table>"


def _section(title: str, inner: str) -> str:
    return f"<div style='margin-top: 6px'><b>{escape(title)}</b>{inner}</div>"


def _trust(model: SymbiosisModel, a: Firm, b: Firm) -> float:
    from sim.mechanisms import trust

    return trust.level(model, a, b)


def _stage(model: SymbiosisModel, ex: Exchange) -> str:
    if ex.stage is Stage.OPERATING:
        return f"flowing since {_when(model, ex.operating_since)}"
    if ex.stage is Stage.ENDED:
        why = str(ex.end_reason.value if ex.end_reason else "").replace("_", " ")
        return f"ended {_when(model, ex.ended_step)} ({escape(why)})"
    return f"{labels.STAGE_WORDS[ex.stage.value]} (talks began {_when(model, ex.discovered_step)})"


def firm_html(model: SymbiosisModel, f: Firm) -> str:
    """Role, sector, streams and needs, exchanges, trust in partners, permits, public money."""
    state = "in the region" if f.alive else "has left the region"
    for ev in model.events:
        if ev["kind"] == "firm_exited" and ev["firm"] == f.name:
            why = EXIT_REASONS.get(ev["reason"], ev["reason"].replace("_", " "))
            state = f"left in {labels.month_label(ev['year'], ev['month'])} ({escape(why)})"
    mun = model.municipalities[f.municipality].name if 0 <= f.municipality < len(model.municipalities) else "?"
    head = (
        f"<div style='font-size: 16px'><b>{escape(f.name)}</b></div>"
        f"<div data-testid='actor-role'>{escape(ROLE_NAMES.get(f.role.value, f.role.value))} · sector {escape(f.sector.replace('_', ' '))} "
        f"({escape(family(f.sector))}) · {escape(mun)} · turnover {f.turnover_sek_per_year / 1e6:,.0f} MSEK/year · {state}</div>"
    )
    streams = []
    for o in f.offers:
        label, unit = _res(o.resource)
        tail = f"; phased out {_when(model, o.phase_out_step)}" if o.phase_out_step else ""
        streams.append([escape(label), f"{o.quantity:,.0f} {escape(unit)}/month", f"{o.committed:,.0f} given away{tail}"])
    needs = []
    for d in f.demands:
        label, unit = _res(d.resource)
        needs.append(
            [
                escape(label),
                f"{d.quantity:,.0f} {escape(unit)}/month",
                f"{d.met:,.0f} from partners, {d.internal:,.0f} own, {max(d.unmet, 0):,.0f} bought new",
            ]
        )
    exchanges, partners = [], {}
    for ex_id in sorted(f.exchanges):
        ex = model.exchanges[ex_id]
        other = model.firms[ex.receiver if ex.supplier == f.idx else ex.supplier]
        partners[other.idx] = other
        label, unit = _res(ex.resource)
        verb = "gives to" if ex.supplier == f.idx else "gets from"
        exchanges.append([escape(label), f"{verb} {escape(other.name)}", f"{ex.quantity:,.0f} {escape(unit)}/month", _stage(model, ex)])
    ended = [ex for ex in model.exchanges.values() if ex.stage is Stage.ENDED and f.idx in (ex.supplier, ex.receiver)]
    for ex in ended:
        other = model.firms[ex.receiver if ex.supplier == f.idx else ex.supplier]
        partners.setdefault(other.idx, other)
    trust_rows = [[escape(p.name), f"{_trust(model, f, p):.2f}"] for p in sorted(partners.values(), key=lambda p: p.name)]
    permits, money = [], []
    total = 0.0
    for ev in model.events:
        k = ev["kind"]
        if k in ("permit_granted", "permit_denied", "permit_site_barred") and ev["receiver"] == f.name:
            what = {"permit_granted": "granted", "permit_denied": "denied", "permit_site_barred": "refused: denied here before"}[k]
            permits.append([labels.month_label(ev["year"], ev["month"]), escape(_res(ev["resource"])[0]), what])
        elif (k == "investment_grant" and ev["receiver"] == f.name) or (k == "guarantee_paid" and ev["firm"] == f.name):
            total += ev["amount_sek"]
            what = f"{escape(ev['programme'])} grant" if k == "investment_grant" else "start-up guarantee paid out"
            money.append([labels.month_label(ev["year"], ev["month"]), what, _msek(ev["amount_sek"])])
    if f.guaranteed_investment_sek > 0:
        money.append(["now", "investment under a public guarantee", _msek(f.guaranteed_investment_sek)])
    ended_note = f"<div style='color: #555'>{len(ended)} earlier exchange{'' if len(ended) == 1 else 's'} ended.</div>" if ended else ""
    return "".join(
        [
            head,
            _section("Streams it can give away", _table(["resource", "amount", "used"], streams, "actor-streams")),
            _section("Needs", _table(["resource", "amount", "met by"], needs, "actor-needs")),
            _section(
                "Exchanges and negotiations", _table(["resource", "partner", "flow", "stage"], exchanges, "actor-exchanges") + ended_note
            ),
            _section("Trust in its partners (0 = none, 1 = full)", _table(["partner", "trust"], trust_rows, "actor-trust")),
            _section("Permits", _table(["month", "for", "decision"], permits, "actor-permits")),
            _section(f"Public money: {_msek(total)} so far", _table(["month", "what", "amount"], money, "actor-money")),
        ]
    )


def exchange_html(model: SymbiosisModel, ex: Exchange) -> str:
    a, b = model.firms[ex.supplier], model.firms[ex.receiver]
    label, unit = _res(ex.resource)
    rows = [
        ["flow", f"{ex.quantity:,.0f} {escape(unit)}/month"],
        ["stage", _stage(model, ex)],
        ["distance", f"{ex.distance_km:,.1f} km"],
        ["price", f"{ex.price_sek_per_unit:,.2f} SEK per {escape(unit)}"],
        ["investment", _msek(ex.investment_sek)],
        [f"gain for {escape(a.name)}", f"{ex.supplier_net_sek_per_month / 1e3:,.1f} kSEK/month"],
        [f"gain for {escape(b.name)}", f"{ex.receiver_net_sek_per_month / 1e3:,.1f} kSEK/month"],
        ["brokered by a facilitator", "yes" if ex.facilitated else "no"],
        ["trust between them", f"{_trust(model, a, b):.2f}"],
        ["contract ends", _when(model, ex.contract_end) if ex.contract_end else "not yet set"],
    ]
    story = [
        [labels.month_label(ev["year"], ev["month"]), escape(ev["kind"].replace("_", " "))]
        for ev in model.events
        if ev["exchange"] == ex.id
    ]
    return (
        f"<div style='font-size: 16px'><b>{escape(label)}: {escape(a.name)} → {escape(b.name)}</b></div>"
        + _table(["", ""], rows, "actor-exchange")
        + _section("Its story", _table(["month", "what happened"], story, "actor-story"))
    )


def municipality_html(model: SymbiosisModel, idx: int) -> str:
    m = model.municipalities[idx]
    zoning: dict[str, list[int]] = {}
    for p in m.plots:
        zoning.setdefault(p.zoning.value, [0, 0])[p.occupant is not None] += 1
    plots = [[escape(z), str(free), str(used)] for z, (free, used) in sorted(zoning.items())]
    firms = [f for f in model.firms if f.municipality == idx]
    rows = [
        ["firms in the region", f"{sum(f.alive for f in firms)} (of {len(firms)} ever)"],
        ["housing pressure (0-1)", f"{m.housing_pressure:.2f}"],
        ["fresh-water scarcity (0-1)", f"{m.freshwater_scarcity:.2f}"],
        ["planning stance (0 slow - 1 helpful)", f"{m.planning_stance:.2f}"],
        ["symbiosis ever active here", "yes" if m.ever_active else "no"],
        ["months without an active symbiosis", str(m.months_inactive)],
    ]
    facs = [escape(f.name) for f in model.facilitators if idx in f.municipalities]
    events = [
        [labels.month_label(ev["year"], ev["month"]), escape(ev["detail"] or ev["kind"].replace("_", " "))]
        for ev in model.events
        if ev["municipality"] == m.name and ev["kind"] in ("land_replanned", "facilitation_started", "firm_birth")
    ][-8:]
    return (
        f"<div style='font-size: 16px'><b>{escape(m.name)}</b> (municipality)</div>"
        + _table(["", ""], rows, "actor-municipality")
        + _section("Industrial land beside the hub", _table(["zoning", "free plots", "taken"], plots, "actor-plots"))
        + _section("Facilitators working here", "<div>" + (", ".join(facs) or "none") + "</div>")
        + _section("Land and facilitation", _table(["month", "what"], events, "actor-events"))
    )


def facilitator_html(model: SymbiosisModel, idx: int) -> str:
    fac = model.facilitators[idx]
    towns = ", ".join(escape(model.municipalities[i].name) for i in fac.municipalities)
    project = (
        "none now (a funding gap)"
        if fac.project is None
        else f"until {_when(model, fac.project.end_step)}, {_msek(fac.project.public_sek_per_month)}/month"
    )
    public = sum(ev["amount_sek"] for ev in model.events if ev["kind"] == "project_started" and ev["facilitator"] == fac.name)
    rows = [
        ["works in", towns],
        ["engagement (0-1)", f"{fac.engagement:.2f}"],
        ["members still taking part (0-1)", f"{fac.retention:.2f}"],
        ["funded project", project],
        ["public project money granted so far", _msek(public)],
    ]
    history = [
        [labels.month_label(ev["year"], ev["month"]), escape(ev["kind"].replace("_", " ")), escape(ev["programme"])]
        for ev in model.events
        if ev["facilitator"] == fac.name
    ][-10:]
    return (
        f"<div style='font-size: 16px'><b>{escape(fac.name)}</b> (facilitator)</div>"
        + _table(["", ""], rows, "actor-facilitator")
        + _section("Projects and applications", _table(["month", "what", "programme"], history, "actor-projects"))
    )


def panel_html(model: SymbiosisModel, selected: str | None) -> str:
    """The panel for "firm:3", "municipality:0", "facilitator:1" or "exchange:12"; the prompt otherwise."""
    if not selected:
        return f"<div style='color: #555'>{PROMPT}</div>"
    kind, _, raw = selected.partition(":")
    try:
        idx = int(raw)
        builders: dict[str, Any] = {
            "firm": lambda: firm_html(model, model.firms[idx]),
            "municipality": lambda: municipality_html(model, idx),
            "facilitator": lambda: facilitator_html(model, idx),
            "exchange": lambda: exchange_html(model, model.exchanges[idx]),
        }
        return builders[kind]()
    except (KeyError, IndexError, ValueError):
        return f"<div style='color: #555'>That actor is not in this run. {PROMPT}</div>"
