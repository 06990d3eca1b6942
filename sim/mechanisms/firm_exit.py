"""Exit of firms and the fate of their dependants (pattern P1).

Firms leave by a hazard or a scheduled event (Findus 2017, A13). The hazard depends on the role
and, for SMEs, on age: young firms fail more often (liability of newness), large process plants
rarely, municipal utilities practically never. Exchanges with a leaving firm end; receivers that built their business on the stream lose their savings (the stranded
part of the connection investment) and, without a supply, a start-up leaves once its patience or
cash runs out. Nothing here knows about clusters: collapse follows from these rules.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.firm import Role
from sim.core.exchange import EndReason
from sim.core.numpy_order import draws_below
from sim.core.params import Strict, Switch, param
from sim.mechanisms import entry

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-firm_exit"  # its section in docs/odd.md
SWITCH = Switch("Firms exit by hazard; start-ups without supply leave.", "report A13 (Findus's exit), P1")


class Params(Strict):
    hazard_anchor: float = param(
        0.003,
        "1/year",
        "assumption: large process plants close rarely (below 0.5 %/year), yet Findus left Bjuv after decades (A13)",
        "Annual exit hazard of an anchor.",
        ge=0,
        le=1,
    )
    hazard_sme: float = param(
        0.03,
        "1/year",
        "assumption: established employer firms close at a few per cent a year; Swedish business demography "
        "(Tillväxtanalys, SCB) counts closures near the 6-9 % birth rate of all firms, most of them young",
        "Annual exit hazard of an established SME (older than newness_years).",
        ge=0,
        le=1,
    )
    hazard_startup: float = param(
        0.05,
        "1/year",
        "assumption: start-ups fail more often",
        "Annual exit hazard of a start-up (besides leaving for want of supply or cash).",
        ge=0,
        le=1,
    )
    hazard_utility: float = param(
        0.0,
        "1/year",
        "assumption: municipally owned utilities are not closed (a scheduled firm_exit event can still remove one)",
        "Annual exit hazard of a utility; above 0 utilities may exit by hazard too.",
        ge=0,
        le=1,
    )
    newness_factor: float = param(
        3.0,
        "multiple of the SME hazard",
        "Stinchcombe (1965) liability of newness; Tillväxtanalys: 76 % of the firms started in 2014 were active three "
        "years later (about 9 %/year, three times hazard_sme), industry 77 % for those of 2012",
        "An SME younger than newness_years exits this many times as often as an established one.",
        ge=0,
        le=100,
    )
    newness_years: float = param(
        5.0,
        "years",
        "Tillväxtanalys and Eurostat follow new firms' survival over their first three to five years; value: assumption",
        "Age below which an SME carries the liability of newness (firms present at the start are established unless "
        "firms.*.founded_year says otherwise).",
        ge=0,
        le=100,
    )
    startup_patience_months: int = param(
        24,
        "months",
        "§3.2: start-ups' timelines are uncertain; value: assumption",
        "Months a start-up stays with neither an operating supply nor a deal in preparation before it leaves.",
        ge=1,
    )
    startup_burn_sek_per_month: float = param(
        120000.0,
        "SEK/month",
        "assumption: a small team before revenue",
        "What a start-up spends each month while it has no operating supply.",
        ge=0,
    )
    dependant_hazard: float = param(
        0.3,
        "1/year",
        "A13: after Findus left, the cluster's firms went quiet; value: assumption",
        "Extra annual exit hazard of a small firm or start-up whose supplier left (its business basis is gone).",
        ge=0,
        le=1,
    )
    stranded_share: float = param(
        0.7,
        "share of the investment",
        "assumption: a pipe to a closed plant is worth little",
        "Share of the receiver's connection investment lost when its supplier leaves.",
        ge=0,
        le=1,
    )


SMALL = 64  # firms in the register up to which the exit table is computed in plain Python


class State:
    """The month's exit table (candidates and their monthly hazards), kept while its inputs stand.

    A firm's hazard changes only when a firm arrives or leaves, a receiver is stranded or supplied
    again, or a young SME comes of age: the hooks below bump ``version`` and ``expires`` is the
    first step at which a young SME's newness ends. Recomputing the same numpy expression every
    month cost more than the draws. A writer of the register's hazard columns outside these hooks
    (a test setting a firm's hazard mid-run) calls :func:`invalidate`.

    The hooks that concern one firm (it arrives or leaves, is stranded or supplied again) only add
    it to ``touched``: a table of a few firms then gets just those rows again (:func:`_patched`),
    not a pass over the register each time a firm is born or leaves. A table of a few firms is
    kept as lists, which the month's draws read; its arrays are made only when
    :func:`exit_table` is asked for them.

    ``monthly`` maps a yearly chance to survive to its monthly hazard as numpy's power gives it:
    a few firms' rows share a handful of such chances, and the power of a one-element array costs
    more than the rest of a row.
    """

    def __init__(self) -> None:
        self.version = 0
        self.touched: set[int] = set()
        # version, n, expires, candidates, monthly (None for a few firms until asked for), and for
        # a few firms the last two as lists and the highest hazard
        self.table: (
            tuple[int, int, float, np.ndarray | None, np.ndarray | None, list[int] | None, list[float] | None, float | None] | None
        ) = None
        self.monthly: dict[float, float] = {}


def invalidate(model: SymbiosisModel) -> None:
    """The register's hazard columns changed: recompute the exit table next month."""
    model.state.firm_exit.version += 1


def _touch(model: SymbiosisModel, idx: int) -> None:
    """One firm's hazard row changed (see :class:`State`)."""
    model.state.firm_exit.touched.add(idx)


def step(model: SymbiosisModel) -> None:
    """Draw hazard exits, then let start-ups without supply burn cash or run out of patience."""
    if not model.switches.firm_exit:
        return
    table = _current(model)
    firms, hazards, top = table[5:]
    if firms is not None:  # a few firms: the draws compared in Python (all drawn before any leaves)
        # None: no draw is below any hazard, nobody leaves (most months)
        if firms and (draws := draws_below(model.rng, len(firms), top)) is not None:
            for k in [k for k, u, h in zip(firms, draws, hazards, strict=True) if u < h]:
                model.remove_firm(model.firms[k], "hazard")
    elif len(candidates := table[3]):
        draws_ = model.rng.random(len(candidates))
        for k in candidates[draws_ < table[4]]:
            model.remove_firm(model.firms[int(k)], "hazard")
    if not model.state.entry.startups:
        return
    # the register's columns, read in place: a leaving firm changes their values, never the arrays
    fa, p = model.firm_arrays, model.params.firm_exit
    exitable, own_hazard, operating = fa.exitable, fa.own_hazard, fa.operating
    burn, patience = p.startup_burn_sek_per_month, p.startup_patience_months
    for f in entry.startups(model):
        i = f.idx
        if not exitable.item(i) and own_hazard.item(i):
            continue  # a start-up whose fate the case tells (exit: scheduled)
        if operating.item(i) > 0:  # Firm.operating, without its int() of a numpy scalar
            f.months_without_supply = 0
            continue
        f.cash_sek -= burn
        f.months_without_supply = 0 if f.exchanges else f.months_without_supply + 1
        if f.months_without_supply > patience or f.cash_sek < 0:
            model.remove_firm(f, "no_supply")


def exit_table(model: SymbiosisModel) -> tuple[np.ndarray, np.ndarray]:
    """The firms that may exit by hazard this month and their monthly hazards (kept; see :class:`State`)."""
    st = model.state.firm_exit
    table = _current(model)
    if table[3] is None:  # a few firms' lists, as arrays
        arrays = _frozen(np.array(table[5], dtype=np.int64)), _frozen(np.array(table[6], dtype=float))
        table = st.table = (*table[:3], *arrays, *table[5:])
    return table[3], table[4]


def _current(model: SymbiosisModel) -> tuple:
    """The kept exit table, patched or made again where its inputs changed (see :class:`State`)."""
    st, fa, now = model.state.firm_exit, model.firm_arrays, model.steps
    table = st.table
    if table is not None and table[0] == st.version and now < table[2]:
        if not st.touched:
            if table[1] == fa.n:
                return table
        elif table[5] is not None and fa.n <= SMALL:
            table = st.table = _patched(model, table, now)
            return table
    st.touched.clear()
    p, n = model.params.firm_exit, fa.n
    if n <= SMALL:
        expires, candidates, hazards = _table_few(model, p, fa, n, now)
        table = st.table = (st.version, n, expires, None, None, candidates, hazards, max(hazards, default=0.0))
        return table
    candidates = np.flatnonzero(fa.alive[:n] & fa.exitable[:n])
    founded = fa.founded[candidates]
    sme = fa.sme[candidates] & ~fa.own_hazard[candidates]
    age_years = (now - founded) / 12.0
    annual = annual_hazard(p, fa.base_hazard[candidates], sme, age_years, fa.extra_hazard[candidates])
    monthly = 1.0 - np.power(1.0 - annual, 1.0 / 12.0)
    young = founded[sme & np.less(age_years, p.newness_years)]
    # newness ends first for the oldest young SME (the test is monotone in the founding step)
    expires = _comes_of_age(p, now, float(young.min())) if len(young) else math.inf
    table = st.table = (st.version, n, expires, _frozen(candidates), _frozen(monthly), None, None, None)
    return table


def _table_few(model: SymbiosisModel, p: Params, fa: Any, n: int, now: int) -> tuple[float, list[int], list[float]]:
    """:func:`exit_table`'s expiry, candidates and monthly hazards for a register of a few firms:
    the same arithmetic element by element in plain Python (numpy's per-call cost is most of the
    work at this size), each monthly power numpy's (:func:`_monthly`)."""
    alive, exitable, founded = fa.alive[:n].tolist(), fa.exitable[:n].tolist(), fa.founded[:n].tolist()
    sme, own, base, extra = fa.sme[:n].tolist(), fa.own_hazard[:n].tolist(), fa.base_hazard[:n].tolist(), fa.extra_hazard[:n].tolist()
    candidates, hazards, youngest = [], [], math.inf
    for i in range(n):
        if not (alive[i] and exitable[i]):
            continue
        candidates.append(i)
        young, chance = _survival(p, now, sme[i], own[i], founded[i], base[i], extra[i])
        hazards.append(_monthly(model, chance))
        if young:
            youngest = min(youngest, founded[i])
    expires = _comes_of_age(p, now, youngest) if youngest < math.inf else math.inf
    return expires, candidates, hazards


def _monthly(model: SymbiosisModel, survive: float) -> float:
    """The monthly hazard of a yearly chance to survive, ``1 - survive ** (1/12)`` with numpy's
    power (an element's power does not depend on the array around it), kept by chance."""
    kept = model.state.firm_exit.monthly
    hazard = kept.get(survive)
    if hazard is None:
        hazard = kept[survive] = (1.0 - np.power(np.array([survive], dtype=float), 1.0 / 12.0)).tolist()[0]
    return hazard


def _survival(p: Params, now: int, sme: bool, own: bool, founded: float, base: float, extra: float) -> tuple[bool, float]:
    """One firm's row of a few firms' table: whether it is a young SME, and its yearly chance to
    survive (the scalar form of :func:`exit_table`'s column expression)."""
    young = sme and not own and (now - founded) / 12.0 < p.newness_years
    return young, 1.0 - min(1.0, base * (p.newness_factor if young else 1.0) + extra)


def _patched(model: SymbiosisModel, table: tuple, now: int) -> tuple:
    """The kept table of a few firms with the rows of the touched firms made again as
    :func:`_table_few` makes them, in index order; the expiry can only come sooner (a firm
    arriving young)."""
    st, fa, p = model.state.firm_exit, model.firm_arrays, model.params.firm_exit
    candidates, hazards, expires = list(table[5]), list(table[6]), table[2]
    for i in sorted(st.touched):
        at = bisect_left(candidates, i)
        if at < len(candidates) and candidates[at] == i:
            del candidates[at], hazards[at]
        if not (fa.alive.item(i) and fa.exitable.item(i)):
            continue
        founded = fa.founded.item(i)
        young, survive = _survival(p, now, fa.sme.item(i), fa.own_hazard.item(i), founded, fa.base_hazard.item(i), fa.extra_hazard.item(i))
        candidates.insert(at, i)
        hazards.insert(at, _monthly(model, survive))
        if young:
            expires = min(expires, _comes_of_age(p, now, founded))
    st.touched.clear()
    return (table[0], fa.n, expires, None, None, candidates, hazards, max(hazards, default=0.0))


def _comes_of_age(p: Params, now: int, founded: float) -> float:
    """The first step from ``now`` at which an SME founded at ``founded`` is no longer young, by the
    very test :func:`annual_hazard` makes (inf if it is not young now)."""
    if not (now - founded) / 12.0 < p.newness_years:
        return math.inf
    s = max(now + 1, math.floor(founded + 12.0 * p.newness_years) - 1)
    while (s - founded) / 12.0 < p.newness_years:
        s += 1
    return s


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def on_firm_removed(model: SymbiosisModel, firm: Firm) -> None:
    _touch(model, firm.idx)


def on_firm_added(model: SymbiosisModel, firm: Firm) -> None:
    """Every firm carries its role's hazard; utilities are municipal and, at the default hazard of 0,
    are not even drawn for. A scenario may then set a firm's own hazard or exclude it (``exitable``)."""
    p = model.params.firm_exit
    model.firm_arrays.base_hazard[firm.idx] = base_hazard(p, firm.role)
    model.firm_arrays.exitable[firm.idx] = firm.role != Role.UTILITY or p.hazard_utility > 0
    _touch(model, firm.idx)


def on_built(model: SymbiosisModel) -> None:
    """Firms present at the start are established unless the scenario gives their founding year."""
    for fc in model.config.firms:
        firm = model.by_name.get(fc.name)
        if fc.founded_year is not None and firm is not None:
            model.firm_arrays.founded[firm.idx] = model.step_of(fc.founded_year, 1)
    invalidate(model)


def on_operating(model: SymbiosisModel, ex: Exchange) -> None:
    """Supplied again: the receiver's business basis is back."""
    if model.firm_arrays.extra_hazard[ex.receiver] != 0.0:
        model.firm_arrays.extra_hazard[ex.receiver] = 0.0
        _touch(model, ex.receiver)


def on_end(model: SymbiosisModel, ex: Exchange, was_operating: bool) -> None:
    """An operating supply lost because its supplier left strands the receiver's investment."""
    if ex.end_reason is EndReason.PARTNER_EXIT and was_operating and not model.firm_arrays.alive[ex.supplier]:
        strand(model, ex.receiver, ex.investment_sek)


def base_hazard(p: Params, role: Role) -> float:
    """Annual exit hazard of an established firm of this role."""
    return {Role.ANCHOR: p.hazard_anchor, Role.STARTUP: p.hazard_startup, Role.UTILITY: p.hazard_utility}.get(role, p.hazard_sme)


def annual_hazard(p: Params, base: Any, sme: Any, age_years: Any, extra: Any = 0.0) -> Any:
    """Annual exit hazard (at most 1): the firm's base hazard (its role's, or its own from the scenario),
    times ``newness_factor`` for an SME younger than ``newness_years``, plus a dependant's extra hazard.

    Works element-wise on arrays, so the month draws every firm at once."""
    young = np.logical_and(sme, np.less(age_years, p.newness_years))
    return np.minimum(1.0, np.asarray(base) * np.where(young, p.newness_factor, 1.0) + extra)


def strand(model: SymbiosisModel, receiver_idx: int, investment_sek: float) -> None:
    """A receiver whose supplier leaves loses the stranded part of its half of the connection,
    and a small one may leave in turn."""
    firm = model.firms[receiver_idx]
    firm.cash_sek -= model.params.firm_exit.stranded_share * investment_sek * 0.5
    if model.switches.firm_exit and not firm.is_large:
        model.firm_arrays.extra_hazard[firm.idx] = model.params.firm_exit.dependant_hazard
        _touch(model, firm.idx)
