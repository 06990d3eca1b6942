"""Cross-checks of a case's history: dates of firms, streams, needs and facilitators, the events
that change them, and the exchanges already operating at the start.

A date is a (year, month) pair turned into the model's step (step 1 is January of the start
year). Everything a history names must exist when it happens, and end after it starts, so that
a wrong date is a clear message rather than a firm that silently never arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.config.schema import FirmConfig, ScenarioConfig


def step(cfg: ScenarioConfig, year: int, month: int = 1) -> int:
    """The step of a calendar month (step 1 is January of the start year; before it: <= 0)."""
    return (year - cfg.start_year) * 12 + month


def entry_step(cfg: ScenarioConfig, fc: FirmConfig) -> int:
    """The step a configured firm arrives; 1 (there from the start) without a later entry date."""
    if fc.entry_year is None:
        return 1
    return max(1, step(cfg, fc.entry_year, fc.entry_month))


def all_firms(cfg: ScenarioConfig) -> list[tuple[str, FirmConfig, int]]:
    """Every firm of the scenario with its config path and arrival step: the listed firms, then
    those a firm_entry event brings."""
    out = [(f"firms.{i} ({f.name})", f, entry_step(cfg, f)) for i, f in enumerate(cfg.firms)]
    for i, ev in enumerate(cfg.events):
        if ev.kind == "firm_entry" and ev.new_firm is not None:
            out.append((f"events.{i}.new_firm ({ev.new_firm.name})", ev.new_firm, max(1, step(cfg, ev.year, ev.month))))
    return out


def _date(cfg: ScenarioConfig, loc: str, field: str, year: int, month: int, after: int | None = None, what: str = "") -> list[str]:
    """A date within the horizon (and after step ``after``, the date of ``what``, when given)."""
    end_year = cfg.start_year + cfg.years
    if year >= end_year:
        return [f"{loc}.{field}: value {year} is after the horizon (allowed: before {end_year})"]
    if after is not None and step(cfg, year, month) <= after:
        label = _label(cfg, after)
        return [f"{loc}.{field}: value {year} (month {month}) is not after {what} in {label} (allowed: a date after {label})"]
    return []


def _label(cfg: ScenarioConfig, s: int) -> str:
    year, month = cfg.start_year + (s - 1) // 12, (s - 1) % 12 + 1
    return f"{year}-{month:02d}"


def _stream_dates(cfg: ScenarioConfig, loc: str, item, born: int) -> list[str]:
    problems: list[str] = []
    start = born
    if item.start_year is not None:
        problems += _date(cfg, loc, "start_year", item.start_year, item.start_month)
        start = max(born, step(cfg, item.start_year, item.start_month))
    if item.end_year is not None:
        problems += _date(cfg, loc, "end_year", item.end_year, item.end_month, after=max(start, 0), what="its start")
    return problems


def check_history(cfg: ScenarioConfig) -> list[str]:
    """Problems with the scenario's dates, history events and initial exchanges."""
    problems: list[str] = []
    firms = all_firms(cfg)
    born = {fc.name: s for _, fc, s in firms}
    by_name = {fc.name: fc for _, fc, _ in firms}
    seen = {f.name for f in cfg.firms}
    for i, ev in enumerate(cfg.events):
        if ev.kind == "firm_entry":
            if ev.new_firm is None:
                problems.append(f"events.{i}.new_firm: missing (allowed: a firm described as in firms, for firm_entry)")
            elif ev.new_firm.name in seen:
                problems.append(f"events.{i}.new_firm.name: value {ev.new_firm.name!r} is a duplicate (allowed: unique names)")
            elif ev.new_firm.entry_year is not None:
                problems.append(
                    f"events.{i}.new_firm.entry_year: value {ev.new_firm.entry_year} is set twice (allowed: none: the event's date is the entry)"
                )
            if ev.new_firm is not None:
                seen.add(ev.new_firm.name)
    for loc, fc, s in firms:
        if fc.entry_year is not None:
            problems += _date(cfg, loc, "entry_year", fc.entry_year, fc.entry_month)
        if fc.exit_year is not None:
            problems += _date(cfg, loc, "exit_year", fc.exit_year, fc.exit_month, after=s, what="its entry")
        if fc.exit == "scheduled" and fc.exit_hazard_per_year is not None:
            problems.append(
                f"{loc}.exit_hazard_per_year: value {fc.exit_hazard_per_year} with exit: scheduled "
                "(allowed: none, since a scheduled firm leaves only by its date)"
            )
        for j, o in enumerate(fc.offers):
            problems += _stream_dates(cfg, f"{loc}.offers.{j}", o, s)
        for j, d in enumerate(fc.demands):
            problems += _stream_dates(cfg, f"{loc}.demands.{j}", d, s)
        for j, o in enumerate(fc.offers):
            for field in ("fed_from",):
                ref = getattr(o, field)
                if ref in born and born[ref] > s:
                    problems.append(
                        f"{loc}.offers.{j}.{field}: value {ref!r} arrives after this firm (allowed: a firm there by {_label(cfg, s)})"
                    )
        for j, d in enumerate(fc.demands):
            if d.only_from in born and born[d.only_from] > s:
                problems.append(
                    f"{loc}.demands.{j}.only_from: value {d.only_from!r} arrives after this firm (allowed: a firm there by {_label(cfg, s)})"
                )
    for i, m in enumerate(cfg.municipalities):
        for name, where in [(m.hub, f"municipalities.{i}.hub")] + [
            (p.near, f"municipalities.{i}.plots.{j}.near") for j, p in enumerate(m.plots)
        ]:
            if name in born and born[name] > 1:
                problems.append(f"{where}: value {name!r} arrives later (allowed: a firm there from the start)")
    for i, fac in enumerate(cfg.facilitators):
        start = 1
        if fac.start_year is not None:
            problems += _date(cfg, f"facilitators.{i}", "start_year", fac.start_year, fac.start_month)
            start = max(1, step(cfg, fac.start_year, fac.start_month))
        if fac.end_year is not None:
            problems += _date(cfg, f"facilitators.{i}", "end_year", fac.end_year, fac.end_month, after=start, what="its start")
    for i, ev in enumerate(cfg.events):
        at = step(cfg, ev.year, ev.month)
        if ev.kind in ("firm_exit", "offer_start", "offer_end") and ev.firm in born and at <= born[ev.firm] and at >= 1:
            problems.append(f"events.{i}.year: value {ev.year} is before {ev.firm!r} arrives (allowed: after {_label(cfg, born[ev.firm])})")
        if ev.kind in ("offer_start", "offer_end") and ev.firm not in born:
            problems.append(f"events.{i}.firm: value {ev.firm!r} is not a firm (allowed: a firm's name)")
        if ev.kind == "offer_start":
            if ev.offer is None:
                problems.append(f"events.{i}.offer: missing (allowed: a stream described as in a firm's offers, for offer_start)")
            elif (
                ev.firm in by_name and ev.offer.fed_by is not None and ev.offer.fed_by not in {d.resource for d in by_name[ev.firm].demands}
            ):
                problems.append(f"events.{i}.offer.fed_by: value {ev.offer.fed_by!r} is not a need of {ev.firm!r}")
        if ev.kind == "offer_end" and ev.firm in by_name:
            offered = {o.resource for o in by_name[ev.firm].offers} | {
                e.offer.resource for e in cfg.events if e.kind == "offer_start" and e.firm == ev.firm and e.offer is not None
            }
            if ev.resource not in offered:
                problems.append(f"events.{i}.resource: value {ev.resource!r} is not a stream of {ev.firm!r} (allowed: {sorted(offered)})")
    for i, tie in enumerate(cfg.acquaintances):
        for side in ("a", "b"):
            name = getattr(tie, side)
            if name in born and born[name] > 1:  # ties are set when the model is built
                problems.append(f"acquaintances.{i}.{side}: value {name!r} arrives later (allowed: a firm there from the start)")
    problems += _check_initial(cfg, born, by_name)
    return problems


def _present_at_start(cfg: ScenarioConfig, item) -> bool:
    return item.start_year is None or step(cfg, item.start_year, item.start_month) <= 1


def _check_initial(cfg: ScenarioConfig, born: dict[str, int], by_name: dict[str, FirmConfig]) -> list[str]:
    problems: list[str] = []
    used: dict[tuple[str, str, str], float] = {}
    for i, ie in enumerate(cfg.initial_exchanges):
        loc = f"initial_exchanges.{i}"
        if ie.start_year > cfg.start_year:
            problems.append(f"{loc}.start_year: value {ie.start_year} is after the start (allowed: at most {cfg.start_year})")
        sides = []
        for role, name, kind in (("supplier", ie.supplier, "offers"), ("receiver", ie.receiver, "demands")):
            if name not in by_name or born[name] > 1:
                problems.append(
                    f"{loc}.{role}: value {name!r} is not a firm there at the start (allowed: a name from firms without a later entry)"
                )
                continue
            items = [x for x in getattr(by_name[name], kind) if x.resource == ie.resource and _present_at_start(cfg, x)]
            if kind == "offers" and ie.offer_index is not None:
                if ie.offer_index >= len(items):
                    problems.append(
                        f"{loc}.offer_index: value {ie.offer_index} is out of range: {name!r} has {len(items)} offers of "
                        f"{ie.resource!r} at the start (allowed: below {len(items)})"
                    )
                    continue
                items = [items[ie.offer_index]]
            if not items:
                what = "offer" if kind == "offers" else "need"
                problems.append(
                    f"{loc}.resource: {name!r} has no {what} of {ie.resource!r} at the start (allowed: a resource in its {kind})"
                )
                continue
            sides.append((name, kind, sum(x.quantity for x in items)))
        if ie.supplier == ie.receiver:
            problems.append(f"{loc}.receiver: value {ie.receiver!r} is the supplier (allowed: another firm)")
        if len(sides) == 2 and ie.quantity is not None:
            for name, kind, total in sides:
                key = (name, kind, ie.resource)
                used[key] = used.get(key, 0.0) + ie.quantity
                if used[key] > total * (1 + 1e-9):
                    problems.append(
                        f"{loc}.quantity: value {ie.quantity} brings {name!r}'s {kind} of {ie.resource!r} to {used[key]:g} "
                        f"(allowed: at most {total:g} in all initial exchanges)"
                    )
    return problems
