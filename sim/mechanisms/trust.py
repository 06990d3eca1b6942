"""Trust between pairs of actors (pattern P3).

Trust starts from what the parties are and whom they know: a base for strangers (lower for a
start-up, which has no track record) plus their acquaintance ties (:mod:`sim.mechanisms.acquaintance`:
same site, town, owner, sector, municipal contact, earlier deals), so close neighbours can open a
deal by themselves and strangers need a broker. It rises with delivered months and brokered meetings and falls
with failures, so a first deal is the hardest (report §3.4.2, A2 High Coast). The increments
follow the running-mean idea of Ghali et al. (2017) scaled to a monthly step, without their
noise term (run as in NREL's ABSiCE, a U(-1,1) event per step makes trust a random walk).
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

import numpy as np

from agents.firm import Role
from sim.core.exchange import EndReason
from sim.core.params import Strict, Switch, param
from sim.mechanisms import acquaintance

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-trust"  # its section in docs/odd.md
SWITCH = Switch(
    "Pairwise trust gates negotiations: without it every viable pair may negotiate.",
    "report §3.2 and §3.4.1 (trust and relations as barrier), P3; Ghali, Frayret & Ahabchane (2017)",
)


class Params(Strict):
    established: float = param(
        0.25,
        "trust (0-1)",
        "§2.3.1: attitude to a collaboration one controls less, not technology, is the main obstacle; value: assumption, strangers start well below the threshold and only their acquaintance ties (acquaintance) can carry close neighbours over it",
        "Initial trust between two established actors who have no acquaintance tie (strangers), before the ties are added.",
        ge=0,
        le=1,
    )
    other_municipality_penalty: float = param(
        0.1,
        "trust (0-1)",
        "assumption: proximity builds acquaintance (Chertow 2000, §1.1)",
        "Trust subtracted when the two actors are in different municipalities.",
        ge=0,
        le=1,
    )
    startup_initial: float = param(
        0.1,
        "trust (0-1)",
        "§3.4.2, A2: start-ups find it hard to gain trust",
        "Initial trust towards a start-up with no track record.",
        ge=0,
        le=1,
    )
    threshold: float = param(
        0.4,
        "trust (0-1)",
        "assumption: Ghali et al. (2017) use 0.5 on a [-1,1] scale; 0.4 on [0,1] keeps incumbents just above it",
        "Trust both sides need before they negotiate.",
        ge=0,
        le=1,
    )
    reputation_per_year: float = param(
        0.12,
        "trust per delivered year",
        "assumption: a year of reliable delivery is a visible track record",
        "Reputation a firm gains with everybody per year of delivery in any exchange.",
        ge=0,
        le=1,
    )
    reputation_cap: float = param(0.35, "trust (0-1)", "assumption", "Upper bound of reputation from track record.", ge=0, le=1)
    delivery_gain: float = param(
        0.01, "trust per month", "assumption: ~0.1 per year of delivery", "Pairwise trust gained per delivered month.", ge=0, le=1
    )
    meeting_gain: float = param(
        0.12,
        "trust per meeting at full engagement",
        "§2.5.5: the facilitator's role is important and sometimes decisive",
        "Pairwise trust gained in one brokered meeting, times the facilitator's engagement.",
        ge=0,
        le=1,
    )
    failure_loss: float = param(
        0.15,
        "trust",
        "assumption: failures are remembered",
        "Pairwise trust lost when a deal between the two fails or ends badly.",
        ge=0,
        le=1,
    )


class PairMemory:
    """Each pair's trust increment: a dict from the unordered pair to a slot in a flat array of floats.
    The flat array lets the collector read the pairs of all live exchanges at once (each exchange
    keeps its slot); ``array('d')`` takes the hundreds of thousands of monthly increments at the
    cost of a list, and numpy reads it without a copy."""

    def __init__(self) -> None:
        self.slots: dict[tuple[int, int], int] = {}
        self.values = array("d")

    def slot(self, i: int, j: int) -> int:
        """The pair's slot, made (with increment 0) on first use."""
        key = (i, j) if i < j else (j, i)
        s = self.slots.get(key)
        if s is None:
            s = self.slots[key] = len(self.values)
            self.values.append(0.0)
        return s

    def get(self, i: int, j: int) -> float:
        s = self.slots.get((i, j) if i < j else (j, i))
        return 0.0 if s is None else self.values[s]

    def gather(self, slots: np.ndarray) -> np.ndarray:
        """The increments at these slots (a copy, so the array stays free to grow)."""
        return np.frombuffer(self.values, dtype=float)[slots]


class LiveRow:
    """One live exchange's pair as :func:`live_levels_few` keeps it from month to month.

    ``start`` is :func:`_start` of the two firms (role and town never change). ``base`` is
    :func:`_base` of the tie and the two firms' delivered months it was taken with (``tie`` NaN:
    none kept yet); it is used again while they are the same. Once both reputations are at the cap
    (``capped``) the delivered months are not read again: they only grow, so the reputations stay
    capped and the base holds until the pair's tie changes (acquaintance then forgets the tie kept
    per slot, and the new one differs). Neither are they read while ``quiet`` is the ledger's
    operating version: it was when neither firm had an operating exchange, and only deliveries
    move delivered months.
    """

    __slots__ = ("base", "capped", "delivered_a", "delivered_b", "quiet", "receiver", "slot", "start", "supplier", "tie")

    def __init__(self, supplier: int, receiver: int, slot: int, start: float) -> None:
        self.supplier, self.receiver, self.slot, self.start = supplier, receiver, slot, start
        self.base, self.tie, self.delivered_a, self.delivered_b, self.capped, self.quiet = 0.0, NAN, -1, -1, False, -1


class State:
    """Each pair's increment from meetings, deliveries and failures; the rows of the live exchanges
    (:class:`LiveRow`) with the ledger's live version and the parameters they were made with."""

    def __init__(self) -> None:
        self.pairs = PairMemory()
        self.live: tuple[int, Params, list[LiveRow], dict[int, LiveRow]] | None = None  # rows also by exchange id


NAN = float("nan")
SMALL = 10  # live exchanges up to which :func:`levels` works in plain Python
FAILURES = (EndReason.NEGOTIATION_FAILED, EndReason.FINANCING_FAILED, EndReason.DISRUPTED)


def on_open(model: SymbiosisModel, ex: Exchange) -> None:
    """The exchange keeps its pair's slot, so deliveries and the collector reach it directly."""
    ex.trust_slot = model.state.trust.pairs.slot(ex.supplier, ex.receiver)


def on_end(model: SymbiosisModel, ex: Exchange, was_operating: bool) -> None:
    """A deal that fails in talks, in financing or by disruption costs the pair trust."""
    if ex.end_reason in FAILURES:
        on_failure(model, ex.supplier, ex.receiver)


def reputation(model: SymbiosisModel, firm: Firm) -> float:
    """Track record: delivered months in any exchange, visible to all."""
    p = model.params.trust
    return min(p.reputation_cap, p.reputation_per_year * firm.delivered_months / 12.0)


def level(model: SymbiosisModel, a: Firm, b: Firm) -> float:
    """Current trust between two firms, in [0, 1]. With the mechanism off trust never binds."""
    if not model.switches.trust:
        return 1.0
    return _combine(
        model.params.trust,
        a.role is Role.STARTUP or b.role is Role.STARTUP,
        a.municipality != b.municipality,
        acquaintance.tie(model, a, b),
        a.delivered_months,
        b.delivered_months,
        model.state.trust.pairs.get(a.idx, b.idx),
    )


def _combine(p: Params, startup: bool, other_town: bool, tie: float, delivered_a: float, delivered_b: float, extra: float) -> float:
    """The trust rule for one pair, from its parts: :func:`_start`, then :func:`_base`, then the
    pair's own increment, clamped to [0, 1] (:func:`_clamp`). The vectorised :func:`levels` does
    the same operations in the same order."""
    start = _start(p, startup, other_town)
    return _clamp(_base(start, tie, delivered_a, delivered_b, p.reputation_cap, p.reputation_per_year) + extra)


def _start(p: Params, startup: bool, other_town: bool) -> float:
    """The base of strangers (or of a start-up), less the other-municipality penalty."""
    base = p.startup_initial if startup else p.established
    if other_town:
        base -= p.other_municipality_penalty
    return base


def _base(start: float, tie: float, delivered_a: float, delivered_b: float, cap: float, per_year: float) -> float:
    """``start`` plus the tie and half both sides' reputation (:func:`reputation`, inlined: this runs
    for every live exchange every month, so the two parameters come as arguments; ``min`` written
    as a comparison, which picks the same value)."""
    a, b = per_year * delivered_a / 12.0, per_year * delivered_b / 12.0
    return start + tie + 0.5 * ((a if a < cap else cap) + (b if b < cap else cap))


def _capped(delivered: float, cap: float, per_year: float) -> bool:
    """The reputation of this many delivered months is the cap, as :func:`_base` takes it."""
    return not per_year * delivered / 12.0 < cap


def _clamp(x: float) -> float:
    """``min(1.0, max(0.0, x))`` as comparisons: the same value without two calls."""
    return (x if x < 1.0 else 1.0) if x > 0.0 else 0.0


def levels(model: SymbiosisModel, suppliers: np.ndarray, receivers: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """:func:`level` for many pairs at once (``slots``: their :class:`PairMemory` slots), element by
    element the same arithmetic, so the same floats: one call per pair would cost more than the
    rest of the collection, which needs the trust of every live exchange every month."""
    if not model.switches.trust:
        return np.ones(len(suppliers))
    if len(suppliers) <= SMALL:
        return np.array(_levels_few(model, suppliers, receivers, slots), dtype=float)
    p = model.params.trust
    extra = model.state.trust.pairs.gather(slots)
    startup = model.firm_arrays.startup[suppliers] | model.firm_arrays.startup[receivers]
    base = np.where(startup, p.startup_initial, p.established)
    muni = model.firm_arrays.municipality
    base = np.where(muni[suppliers] != muni[receivers], base - p.other_municipality_penalty, base)
    base = base + _ties(model, suppliers, receivers, slots)
    delivered = model.firm_arrays.delivered
    rep_s = np.minimum(p.reputation_cap, p.reputation_per_year * delivered[suppliers] / 12.0)
    rep_r = np.minimum(p.reputation_cap, p.reputation_per_year * delivered[receivers] / 12.0)
    base = base + 0.5 * (rep_s + rep_r)
    return np.minimum(1.0, np.maximum(0.0, base + extra))


def _levels_few(model: SymbiosisModel, suppliers: np.ndarray, receivers: np.ndarray, slots: np.ndarray) -> list[float]:
    """:func:`levels` of a few pairs through the scalar rule, where numpy's per-call cost is most of
    the work."""
    p = model.params.trust
    arrays = model.firm_arrays
    startup, muni, delivered = arrays.startup, arrays.municipality, arrays.delivered
    values = model.state.trust.pairs.values
    pairs = list(zip(suppliers.tolist(), receivers.tolist(), slots.tolist(), strict=True))
    ties = _ties_few(model, pairs)
    return [
        _combine(
            p, startup.item(s) or startup.item(r), muni.item(s) != muni.item(r), tie, delivered.item(s), delivered.item(r), values[slot]
        )
        for (s, r, slot), tie in zip(pairs, ties, strict=True)
    ]


def live_levels_few(model: SymbiosisModel) -> list[float]:
    """:func:`level` of every live exchange's pair, in the ledger's order, in plain Python: the
    collector's mean trust of a case's few live exchanges, every month.

    The rows (:class:`LiveRow`) are kept until the live set changes. A row whose tie and firms'
    delivered months are those its base was taken with (with capped reputations: whose tie is)
    costs a few look-ups and one addition; the others go through :func:`_base` again.
    """
    if not model.switches.trust:
        return [1.0] * len(model.ledger.live)
    p, st = model.params.trust, model.state.trust
    kept = st.live
    rows = kept[2] if kept is not None and kept[0] == model.ledger.arrays.live_version and kept[1] is p else _live_rows(model, p)
    values = st.pairs.values
    cache = model.state.acquaintance.by_slot if model.switches.acquaintance else None
    item, operating = model.firm_arrays.delivered.item, model.firm_arrays.operating.item
    version = model.ledger.arrays.operating_version
    cap, per_year = p.reputation_cap, p.reputation_per_year
    out = []
    append = out.append
    for row in rows:  # _kept_tie's look-up written out: this runs for every live row every month
        slot = row.slot
        tie = 0.0 if cache is None else cache[slot]
        if tie != tie:
            tie = _kept_tie(model, cache, row.supplier, row.receiver, slot)
        if tie != row.tie or not (row.capped or row.quiet == version):
            s, r = row.supplier, row.receiver
            da, db = item(s), item(r)
            if not (tie == row.tie and da == row.delivered_a and db == row.delivered_b):
                row.base, row.tie, row.delivered_a, row.delivered_b = _base(row.start, tie, da, db, cap, per_year), tie, da, db
                row.capped = _capped(da, cap, per_year) and _capped(db, cap, per_year)
            elif not (operating(s) or operating(r)):
                row.quiet = version
        append(_clamp(row.base + values[slot]))
    return out


def _live_rows(model: SymbiosisModel, p: Params) -> list[LiveRow]:
    """The :class:`LiveRow` of each live exchange, listed again (the live set or the parameters
    changed); an exchange that stays live keeps its row (and what the row keeps) while the parameters stand."""
    st = model.state.trust
    version = model.ledger.arrays.live_version
    kept = st.live
    old = kept[3] if kept is not None and kept[1] is p else {}
    arrays = model.firm_arrays
    startup, muni = arrays.startup, arrays.municipality
    by_id: dict[int, LiveRow] = {}
    for i, ex in model.ledger.live.items():
        row = old.get(i)
        if row is None:
            s, r = ex.supplier, ex.receiver
            row = LiveRow(s, r, ex.trust_slot, _start(p, startup.item(s) or startup.item(r), muni.item(s) != muni.item(r)))
        by_id[i] = row
    if model.switches.acquaintance:
        _slot_cache(model)  # long enough for every live slot
    rows = list(by_id.values())
    st.live = (version, p, rows, by_id)
    return rows


def _ties(model: SymbiosisModel, suppliers: np.ndarray, receivers: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """:func:`acquaintance.tie` of many pairs (``slots``: their trust slots), each computed once and kept per slot.

    The collector asks for the trust of every live exchange every month; a pair's tie changes only
    through :func:`acquaintance._changed`, which forgets the kept value.
    """
    if not model.switches.acquaintance:
        return np.zeros(len(slots))
    cache = _slot_cache(model)
    out = np.frombuffer(cache, dtype=float)[slots]
    missing = np.flatnonzero(np.isnan(out))
    for k in missing.tolist():
        out[k] = _kept_tie(model, cache, int(suppliers[k]), int(receivers[k]), int(slots[k]))
    return out


def _ties_few(model: SymbiosisModel, pairs: list[tuple[int, int, int]]) -> list[float]:
    """:func:`_ties` of a few (supplier, receiver, slot) in plain Python: a case's live exchanges."""
    if not model.switches.acquaintance:
        return [0.0] * len(pairs)
    cache = _slot_cache(model)
    return [_kept_tie(model, cache, s, r, slot) for s, r, slot in pairs]


def _kept_tie(model: SymbiosisModel, cache: array, supplier: int, receiver: int, slot: int) -> float:
    """The pair's tie kept in its trust slot, computed by :func:`acquaintance.tie` and kept if not yet (NaN)."""
    tie = cache[slot]
    if tie != tie:
        tie = cache[slot] = acquaintance.tie(model, model.firms[supplier], model.firms[receiver])
    return tie


def _slot_cache(model: SymbiosisModel) -> array:
    """The kept tie per trust slot, grown to the slots there are (NaN: not computed yet)."""
    cache = model.state.acquaintance.by_slot
    n = len(model.state.trust.pairs.values)
    if len(cache) < n:
        cache.extend([NAN] * (n - len(cache)))
    return cache


def sufficient(model: SymbiosisModel, a: Firm, b: Firm) -> bool:
    """Both sides trust each other enough to sit down and negotiate."""
    return level(model, a, b) >= model.params.trust.threshold


def adjust(model: SymbiosisModel, i: int, j: int, delta: float) -> None:
    """Add ``delta`` to the pair's trust increment."""
    memory = model.state.trust.pairs
    memory.values[memory.slot(i, j)] += delta


def on_delivery(model: SymbiosisModel, ex: Exchange) -> None:
    """:func:`adjust` by the delivery gain, through the slot the exchange keeps."""
    on_deliveries(model, (ex,))


def on_deliveries(model: SymbiosisModel, exchanges: tuple[Exchange, ...]) -> None:
    """:func:`on_delivery` of these in order in one call: its ``many``, for the ledger's every month."""
    values, gain = model.state.trust.pairs.values, model.params.trust.delivery_gain
    for ex in exchanges:
        values[ex.trust_slot] += gain


on_delivery.many = on_deliveries  # type: ignore[attr-defined]


def on_meeting(model: SymbiosisModel, i: int, j: int, engagement: float) -> None:
    adjust(model, i, j, model.params.trust.meeting_gain * engagement)


def on_failure(model: SymbiosisModel, i: int, j: int) -> None:
    adjust(model, i, j, -model.params.trust.failure_loss)
