"""Acquaintance: who already knows whom, the starting point of pairwise trust.

Actors who share a site, an owner, a town or a trade know each other before any deal; a municipal
utility knows the firms of its municipality; partners of an earlier deal know each other; and a
partner introduces its own acquaintances (§2.5.5: initiatives are often actor-driven; A7 Köping
1982, A11 Helsingborg 1974 began bilaterally between neighbours). The tie strengths add to the
strangers' base trust (:mod:`sim.mechanisms.trust`), so close neighbours can reach the trust
threshold by themselves while strangers in other towns need a broker. Knowledge of potential
partners spreading along firms' social ties is the self-organising mechanism of Ghali, Frayret &
Ahabchane (2017).

Ties are never built for all pairs: the attribute ties (site, town, owner, sector, municipal
contact) are a function of the two firms, computed when a pair is looked at; the ties a scenario
lists, earlier deals and introductions sit in dicts keyed by the pair.
"""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING

import numpy as np

from agents.firm import Role
from sim.core.attributes import AttributeIndex
from sim.core.params import Strict, Switch, param
from sim.core.ties import add_known, attribute_ties

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.exchange import Exchange
    from sim.core.model import SymbiosisModel


ODD = "submodel-acquaintance"  # its section in docs/odd.md
SWITCH = Switch(
    "Acquaintance ties (same site, town, owner, sector, municipal contact, earlier deals, listed ties) raise pairs' starting trust.",
    "report §2.5.5 (initiatives are often actor-driven), A7, A11 (first deals were bilateral); Ghali, Frayret & Ahabchane (2017)",
)

NAN = float("nan")


class Params(Strict):
    site_km: float = param(
        0.5,
        "km",
        "assumption: one industrial site or park is a few hundred metres across (A1 Stenungsund, A11 IPOS)",
        "Two firms at most this far apart share a site.",
        gt=0,
    )
    same_site: float = param(
        0.12,
        "trust (0-1)",
        "A11: some twenty firms on one park share infrastructure; A1: the cluster's firms refine each other's products; value: assumption",
        "Tie between two firms on the same site.",
        ge=0,
        le=1,
    )
    same_municipality: float = param(
        0.06,
        "trust (0-1)",
        "Chertow (2000): proximity builds acquaintance; value: assumption, weaker than a shared site",
        "Tie between two firms of the same municipality.",
        ge=0,
        le=1,
    )
    municipal_contact: float = param(
        0.12,
        "trust (0-1)",
        "§2.5.1: municipalities and their companies know the local business; A7, A11: the first heat deals were with municipal district heating; value: assumption",
        "Extra tie between a utility (municipally owned) and a firm of its own municipality.",
        ge=0,
        le=1,
    )
    same_group: float = param(
        0.3,
        "trust (0-1)",
        "A16: Gryaab, Göteborg Energi and Kretslopp och vatten, all the city's, agreed among themselves; value: assumption",
        "Tie between two firms of the same owner or group (firms.*.group).",
        ge=0,
        le=1,
    )
    same_sector: float = param(
        0.04,
        "trust (0-1)",
        "assumption: firms of one trade meet in trade bodies and networks (A1: Hållbar Kemi)",
        "Tie between two firms of the same sector (not 'other').",
        ge=0,
        le=1,
    )
    earlier_deal: float = param(
        0.15,
        "trust (0-1)",
        "A15: Ragnsells already delivered fuel to E.ON's plant before Ash2Salt; value: assumption",
        "Tie between two firms once an exchange between them has operated.",
        ge=0,
        le=1,
    )
    introduction_share: float = param(
        0.6,
        "share of the introducer's tie",
        "Ghali et al. (2017): knowledge of partners spreads through firms' social network; value: assumption",
        "A partner's acquaintance becomes one's own at this share of the partner's tie to it (see snowball).",
        ge=0,
        le=1,
    )
    introduction_min_tie: float = param(
        0.1,
        "trust (0-1)",
        "assumption: only real acquaintances are passed on, not everybody in town",
        "Weakest tie a partner passes on as an introduction.",
        ge=0,
        le=1,
    )
    max_tie: float = param(
        0.6, "trust (0-1)", "assumption: acquaintance is not a track record", "Cap on the sum of a pair's ties.", ge=0, le=1
    )


class State:
    """The ties that are not a function of the two firms, and each trust slot's tie once computed."""

    def __init__(self) -> None:
        self.group: dict[int, str] = {}  # firm -> owner or group
        self.listed: dict[tuple[int, int], float] = {}  # the scenario's acquaintances
        self.deals: set[tuple[int, int]] = set()  # pairs that had an operating exchange
        self.partners: dict[int, list[int]] = {}  # the same by firm: the firms it had a deal with
        # per firm, the firms of its listed, deal and introduced ties, each with the tie passed on by a
        # partner (0.0 if none), both ways. Per firm, not one dict keyed by the pair: a national run
        # makes hundreds of thousands of introductions, and a look-up in a dict that size costs a
        # cache miss, in a firm's own (a few dozen firms) hardly anything
        self.known: dict[int, dict[int, float]] = {}
        self.by_slot = array("d")  # tie per trust slot (NaN: not yet computed), for trust.levels
        self.attrs = AttributeIndex()  # the attributes tie() compares, as columns for acquaintances()
        self.static: dict[int, tuple[int, np.ndarray, np.ndarray]] = {}  # see _static()


def _key(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)


def _link(state: State, i: int, j: int) -> None:
    state.known.setdefault(i, {}).setdefault(j, 0.0)
    state.known.setdefault(j, {}).setdefault(i, 0.0)


def on_built(model: SymbiosisModel) -> None:
    """Owners and listed ties from the scenario."""
    st = model.state.acquaintance
    cfg = model.config
    for fc in cfg.firms:
        if fc.group:
            st.group[model.by_name[fc.name].idx] = fc.group
    for tc in cfg.acquaintances:
        i, j = model.by_name[tc.a].idx, model.by_name[tc.b].idx
        k = _key(i, j)
        st.listed[k] = st.listed.get(k, 0.0) + tc.strength
        _link(st, i, j)


def tie(model: SymbiosisModel, a: Firm, b: Firm) -> float:
    """Sum of the pair's ties, capped; 0 with the mechanism off. Symmetric in ``a`` and ``b``."""
    if not model.switches.acquaintance:
        return 0.0
    p = model.params.acquaintance
    st = model.state.acquaintance
    t = _attribute_tie(p, st, a, b)
    k = _key(a.idx, b.idx)
    t += st.listed.get(k, 0.0)
    if k in st.deals:
        t += p.earlier_deal
    mine = st.known.get(a.idx)
    t += mine.get(b.idx, 0.0) if mine else 0.0  # the introduced tie
    top = p.max_tie
    return t if t < top else top  # min(p.max_tie, t), without the call


def _attribute_tie(p: Params, st: State, a: Firm, b: Firm) -> float:
    """:func:`tie`'s part from the two firms' attributes, in its order (:func:`sim.core.ties.attribute_ties`: many)."""
    t = 0.0
    if a.municipality == b.municipality:
        t += p.same_municipality
        if a.role is Role.UTILITY or b.role is Role.UTILITY:
            t += p.municipal_contact
    if math.hypot(a.x - b.x, a.y - b.y) <= p.site_km:
        t += p.same_site
    group = st.group.get(a.idx)
    if group is not None and group == st.group.get(b.idx):
        t += p.same_group
    if a.sector == b.sector and a.sector != "other":
        t += p.same_sector
    return t


def _changed(model: SymbiosisModel, keys: list[tuple[int, int]]) -> None:
    """These pairs' ties changed: forget their kept values. The pairs with a trust slot are found by
    one set intersection, not a look-up each: an introduction changes dozens of pairs at once, and
    most never had a deal or a meeting."""
    slots = model.state.trust.pairs.slots
    cache = model.state.acquaintance.by_slot
    for k in slots.keys() & keys:
        if (s := slots[k]) < len(cache):
            cache[s] = NAN


def on_operating(model: SymbiosisModel, ex: Exchange) -> None:
    """Partners of an operating exchange know each other from then on (an earlier deal)."""
    if not model.switches.acquaintance:
        return
    st = model.state.acquaintance
    k = _key(ex.supplier, ex.receiver)
    if k not in st.deals:
        st.deals.add(k)
        st.partners.setdefault(ex.supplier, []).append(ex.receiver)
        st.partners.setdefault(ex.receiver, []).append(ex.supplier)
        _link(st, ex.supplier, ex.receiver)
        _changed(model, [k])


def acquaintances(model: SymbiosisModel, firm: Firm) -> list[tuple[int, float]]:
    """The firms ``firm`` knows with a tie of at least ``introduction_min_tie``, with that tie, in
    index order: its listed, deal and introduced ties, its group, and of its municipality the firms
    on its site and the utilities (all of them if it is a utility itself, or if town and sector
    together reach ``introduction_min_tie``). The candidates' ties are computed together, not one
    :func:`tie` call each: a town can have hundreds of firms."""
    few = _acquainted_few(model, firm)
    if few is not None:
        return few
    cands, t = _acquainted(model, firm)
    return list(zip(cands.tolist(), t.tolist(), strict=True))


FEW = 48  # candidates up to which :func:`_acquainted_few` works in plain Python


def _acquainted_few(model: SymbiosisModel, firm: Firm) -> list[tuple[int, float]] | None:
    """:func:`acquaintances` of at most ``FEW`` candidates (else None) in plain Python: numpy's calls
    on a case town's arrays were most of an introduction. :func:`_acquainted`'s candidates; a known
    firm's tie is :func:`tie`'s, another's its kept attribute tie, capped: the same floats."""
    st = model.state.acquaintance
    st.attrs.update(model.firms, st.group)
    cands, ties = _static(model, firm)
    known = st.known.get(firm.idx) or {}
    if len(cands) + len(known) > FEW:
        return None
    p, alive, firms, i = model.params.acquaintance, model.firm_arrays.alive, model.firms, firm.idx
    top = p.max_tie
    got = {c: t if t < top else top for c, t in zip(cands.tolist(), ties.tolist(), strict=True) if c not in known}
    for c in known:
        got[c] = tie(model, firm, firms[c])
    return [(c, t) for c, t in sorted(got.items()) if c != i and t >= p.introduction_min_tie and alive.item(c)]


def _static(model: SymbiosisModel, firm: Firm) -> tuple[np.ndarray, np.ndarray]:
    """The candidates of :func:`acquaintances` that follow from attributes alone (the town's firms
    it looks at, and its group), alive or not, in index order, with their attribute ties.

    Kept per firm: firms never change town, site, role, sector or group, and the firms that arrive
    in a town later come last in index order, so the kept arrays only grow at their end. An
    introducer's town is not walked again on each exchange it starts.
    """
    st = model.state.acquaintance
    p = model.params.acquaintance
    town = st.attrs.towns[firm.municipality]
    kept = st.static.get(firm.idx)
    if kept is not None and kept[0] == len(town):
        return kept[1], kept[2]
    new = town[0 if kept is None else kept[0] :]
    if not (firm.role is Role.UTILITY or p.same_municipality + p.same_sector >= p.introduction_min_tie):
        xy = model.firm_arrays.xy
        d = np.hypot(xy[new, 0] - firm.x, xy[new, 1] - firm.y)
        new = new[(d <= p.site_km) | st.attrs.utility[new]]
    if kept is None and firm.idx in st.group:
        new = np.union1d(new, np.flatnonzero(st.attrs.group_code == st.attrs.group_code[firm.idx]))
    new = new[new != firm.idx]
    if len(new) <= FEW:  # one by one: numpy's calls on a few firms cost more than the arithmetic
        ties = np.array([_attribute_tie(p, st, firm, model.firms[c]) for c in new.tolist()], dtype=float)
    else:
        ties = attribute_ties(model, firm, new)
    if kept is not None:
        new, ties = np.concatenate([kept[1], new]), np.concatenate([kept[2], ties])
    st.static[firm.idx] = (len(town), new, ties)
    return new, ties


def _acquainted(model: SymbiosisModel, firm: Firm) -> tuple[np.ndarray, np.ndarray]:
    """:func:`acquaintances` as two arrays: the firms and their ties."""
    st = model.state.acquaintance
    p = model.params.acquaintance
    st.attrs.update(model.firms, st.group)
    cands, t = _static(model, firm)
    known = st.known.get(firm.idx)
    if known:  # the known firms outside the town and group join the candidates
        mine = np.fromiter(known, dtype=np.int64, count=len(known))
        pos = np.minimum(np.searchsorted(cands, mine), max(len(cands) - 1, 0))
        outside = mine[cands[pos] != mine] if len(cands) else mine
        if len(outside):
            cands = np.concatenate([cands, outside])
            t = np.concatenate([t, attribute_ties(model, firm, outside)])
            order = np.argsort(cands, kind="stable")
            cands, t = cands[order], t[order]
        else:
            t = t.copy()
        add_known(model, firm, cands, t)
    t = np.minimum(t, p.max_tie)
    keep = model.firm_arrays.alive[cands] & (t >= p.introduction_min_tie) & (cands != firm.idx)
    return cands[keep], t[keep]


def introduce(model: SymbiosisModel, a: Firm, b: Firm) -> list[int]:
    """``b`` introduces ``a`` to its acquaintances, at ``introduction_share`` of its tie to each
    (kept if stronger than an earlier introduction); the firms whose tie to ``a`` got stronger."""
    if not model.switches.acquaintance:
        return []
    st = model.state.acquaintance
    share = model.params.acquaintance.introduction_share
    i = a.idx
    few = _acquainted_few(model, b)
    if few is not None:  # as below, one candidate at a time
        earlier = st.known.get(i) or {}
        stronger = [(c, v) for c, t in few if c != i and (v := share * t) > earlier.get(c, 0.0)]
        if stronger:
            _record(model, i, [c for c, _ in stronger], [v for _, v in stronger])
        return [c for c, _ in stronger]
    cands, known = _acquainted(model, b)
    other = cands != i
    strength = share * known[other]  # elementwise, as share * tie one by one
    cands = cands[other]
    earlier = np.zeros(len(cands))
    mine = st.known.get(i)
    if mine and len(cands):  # a's earlier introductions are to firms it knows; the rest are new
        m = np.fromiter(mine, dtype=np.int64, count=len(mine))
        pos = np.minimum(np.searchsorted(cands, m), len(cands) - 1)
        hit = cands[pos] == m
        earlier[pos[hit]] = np.fromiter(mine.values(), dtype=float, count=len(mine))[hit]
    stronger = strength > earlier
    new = cands[stronger].tolist()  # in index order
    if new:
        _record(model, i, new, strength[stronger].tolist())
    return new


def _record(model: SymbiosisModel, i: int, new: list[int], values: list[float]) -> None:
    """Introductions of ``i`` to each firm of ``new`` at ``values``, in both firms' known dicts."""
    known = model.state.acquaintance.known
    known.setdefault(i, {}).update(zip(new, values, strict=True))
    for c, v in zip(new, values, strict=True):
        theirs = known.get(c)
        if theirs is None:
            known[c] = {i: v}
        else:
            theirs[i] = v
    _changed(model, [(i, c) if i < c else (c, i) for c in new])
