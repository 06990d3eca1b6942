"""A facilitator's partners: the firms alive in its area, as a table kept from month to month.

Co-financing asks for it every month a project runs. At national scale an area holds hundreds of
firms, so the table is brought up to date from the last one instead of gathered again.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agents.facilitator import Facilitator
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel


@dataclass(slots=True)
class Partners:
    """A facilitator's partners as of the register's size and count alive, in index order: indices
    (a list and an array), the firms and which are utilities (an array, and a list for the loop of a
    few partners), gathered once, not every month."""

    n: int
    n_alive: int
    idx: list[int]
    at: np.ndarray
    firms: list[Firm]
    utility: np.ndarray
    utility_flags: list[bool]


def partners(model: SymbiosisModel, fac: Facilitator, cache: dict[Facilitator, Partners]) -> Partners:
    """The firms alive in the facilitator's area: the network's partners.

    Kept per facilitator and brought up to date from the last call: firms are only appended and
    removed, never revived, so the kept table loses its dead and gains the area's new firms (no
    pass over the whole register each month); unchanged when no firm arrived or left.
    """
    arrays = model.firm_arrays
    n, n_alive = arrays.n, arrays.n_alive
    kept = cache.get(fac)
    if kept is not None and kept.n == n and kept.n_alive == n_alive:
        return kept
    if kept is None or kept.n > n:
        kept = Partners(0, 0, [], np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=bool), [])
    at, n0, idx, firms, utility = kept.at, kept.n, kept.idx, kept.firms, kept.utility
    live = arrays.alive[at]
    if not live.all():
        keep = live.tolist()
        at, utility = at[live], utility[live]
        idx, firms = list(compress(idx, keep)), list(compress(firms, keep))
    if n > n0:
        area = np.zeros(len(model.municipalities), dtype=bool)
        area[fac.municipalities] = True
        new = n0 + np.flatnonzero(arrays.alive[n0:n] & area[arrays.municipality[n0:n]])
        if len(new):
            at = np.concatenate((at, new))
            utility = np.concatenate((utility, ~(arrays.anchor[new] | arrays.sme[new] | arrays.startup[new])))  # the fourth role
            added = new.tolist()
            idx = idx + added
            firms = firms + list(map(model.firms.__getitem__, added))
    kept = cache[fac] = Partners(n, n_alive, idx, at, firms, utility, utility.tolist())
    return kept
