"""Acquaintance ties of one firm with many, as arrays: the same floats as
:func:`sim.mechanisms.acquaintance.tie` pair by pair, for a town of hundreds of firms.

The acquaintance mechanism keeps its rule and state; this is its arithmetic over columns (the
firm register's and its :class:`sim.core.attributes.AttributeIndex`), kept apart so the
mechanism's module stays readable.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from agents.firm import Role

if TYPE_CHECKING:
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel


def attribute_ties(model: SymbiosisModel, a: Firm, cands: np.ndarray) -> np.ndarray:
    """The part of ``tie`` of ``a`` with each firm of ``cands`` that follows from the two firms'
    attributes (town, municipal contact, site, group, sector), which never change, vectorised. The
    terms are added in tie()'s order (adding 0.0 where a term is absent), so every value is
    bit-identical to tie()'s sum so far."""
    p = model.params.acquaintance
    st = model.state.acquaintance
    arrays = model.firm_arrays
    same = arrays.municipality[cands] == a.municipality
    t = np.where(same, p.same_municipality, 0.0)
    t += np.where(same if a.role is Role.UTILITY else same & st.attrs.utility[cands], p.municipal_contact, 0.0)
    d = np.hypot(arrays.xy[cands, 0] - a.x, arrays.xy[cands, 1] - a.y)
    site = d <= p.site_km
    for k in np.flatnonzero(np.abs(d - p.site_km) <= 1e-9 * (1.0 + p.site_km)).tolist():
        b = model.firms[int(cands[k])]  # at the edge of the site: math.hypot decides, as in tie()
        site[k] = math.hypot(a.x - b.x, a.y - b.y) <= p.site_km
    t += np.where(site, p.same_site, 0.0)
    group = st.attrs.group_code[a.idx]
    if group >= 0:
        t += np.where(st.attrs.group_code[cands] == group, p.same_group, 0.0)
    sector = st.attrs.sector[a.idx]
    if sector >= 0:
        t += np.where(st.attrs.sector[cands] == sector, p.same_sector, 0.0)
    return t


def add_known(model: SymbiosisModel, a: Firm, cands: np.ndarray, t: np.ndarray) -> None:
    """Add, in place and in tie()'s order, the listed, earlier-deal and introduced ties of ``a``
    with those of ``cands`` (sorted) it knows to their attribute ties ``t``.

    A partner's firm can know thousands: their introduced ties are read from the dict in C (keys
    and values in one order), and its deals are its few partners, not a look-up per known firm."""
    st = model.state.acquaintance
    known = st.known.get(a.idx)
    if not (known and len(cands)):
        return
    mine = np.fromiter(known, dtype=np.int64, count=len(known))
    pos = np.minimum(np.searchsorted(cands, mine), len(cands) - 1)
    hit = cands[pos] == mine
    pos, i = pos[hit], a.idx
    others = mine[hit]
    if len(others):
        listed = st.listed
        if listed:
            keys = [(i, c) if i < c else (c, i) for c in others.tolist()]
            v = t[pos] + np.array([listed.get(k, 0.0) for k in keys])
        else:
            v = t[pos] + 0.0  # most scenarios list none
        dealt = st.partners.get(i)
        deal = np.isin(others, dealt) if dealt else np.zeros(len(others), dtype=bool)
        v = np.where(deal, v + model.params.acquaintance.earlier_deal, v)
        t[pos] = v + np.fromiter(known.values(), dtype=float, count=len(known))[hit]


def ties_to(model: SymbiosisModel, a: Firm, cands: np.ndarray) -> np.ndarray:
    """``tie`` of ``a`` with each firm of ``cands`` (sorted), vectorised: the same floats."""
    t = attribute_ties(model, a, cands)
    add_known(model, a, cands, t)
    return np.minimum(t, model.params.acquaintance.max_tie)
