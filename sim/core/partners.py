"""A facilitator's partners: the firms alive in its area, as a table kept from month to month, and
what they pay of a month's bill.

Co-financing asks for it every month a project runs. At national scale an area holds hundreds of
firms, so the table is brought up to date from the last one instead of gathered again.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from agents.firm import Role

if TYPE_CHECKING:
    from agents.facilitator import Facilitator
    from agents.firm import Firm
    from sim.core.model import SymbiosisModel


@dataclass(slots=True)
class Partners:
    """A facilitator's partners as of the register's size and count alive, in index order: indices
    (a list and an array), the firms and which are utilities (an array), and for the loop of a few
    partners the indices and firms of the others and of the utilities apart (whose money is public),
    gathered once, not every month."""

    n: int
    n_alive: int
    idx: list[int]
    at: np.ndarray
    firms: list[Firm]
    utility: np.ndarray
    private: tuple[list[int], list[Firm]]
    public: tuple[list[int], list[Firm]]


def partners(model: SymbiosisModel, fac: Facilitator, cache: dict[Facilitator, Partners]) -> Partners:
    """The firms alive in the facilitator's area: the network's partners.

    Kept per facilitator and brought up to date from the last call: firms are only appended and
    removed, never revived, so the kept table loses its dead and gains the area's new firms (no
    pass over the whole register each month); unchanged when no firm arrived or left. The kept
    partners are looked at only when some firm left since (the register gained fewer alive than
    it gained rows), the arrivals one by one when they are a few (one birth most months).
    """
    arrays = model.firm_arrays
    n, n_alive = arrays.n, arrays.n_alive
    kept = cache.get(fac)
    if kept is not None and kept.n == n and kept.n_alive == n_alive:
        return kept
    if kept is None or kept.n > n:
        kept = Partners(0, 0, [], np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=bool), ([], []), ([], []))
    n0, idx, firms = kept.n, kept.idx, kept.firms
    left = n - n0 > n_alive - kept.n_alive
    if left and not (live := arrays.alive[kept.at]).all():
        keep = live.tolist()
        idx, firms = list(compress(idx, keep)), list(compress(firms, keep))
    new = _arrivals(model, fac, n0, n) if n > n0 else []
    if new:
        idx = idx + new
        firms = firms + list(map(model.firms.__getitem__, new))
    if firms is kept.firms:  # no partner left or arrived
        kept = cache[fac] = Partners(n, n_alive, idx, kept.at, firms, kept.utility, kept.private, kept.public)
        return kept
    flags = [f.role == Role.UTILITY for f in firms]  # whose money is public
    private = [not u for u in flags]
    split = [(list(compress(idx, pick)), list(compress(firms, pick))) for pick in (private, flags)]
    at, utility = np.array(idx, dtype=np.int64), np.array(flags, dtype=bool)
    kept = cache[fac] = Partners(n, n_alive, idx, at, firms, utility, split[0], split[1])
    return kept


FEW_NEW = 16  # arrivals up to which :func:`_arrivals` looks at them one by one


def _arrivals(model: SymbiosisModel, fac: Facilitator, n0: int, n: int) -> list[int]:
    """The firms of rows ``n0`` to ``n`` alive in the facilitator's area, in index order."""
    arrays = model.firm_arrays
    if n - n0 <= FEW_NEW:
        alive, municipality, area = arrays.alive, arrays.municipality, fac.municipalities
        return [i for i in range(n0, n) if alive.item(i) and municipality.item(i) in area]
    area = np.zeros(len(model.municipalities), dtype=bool)
    area[fac.municipalities] = True
    return (n0 + np.flatnonzero(arrays.alive[n0:n] & area[arrays.municipality[n0:n]])).tolist()


# A month's bill as :func:`project_funding.cofinance` reads it once: (base willingness, 1 - base,
# the benefit at half-way, the free-riding factor, each partner's equal part, what a partner without
# value from exchanges wants to pay of it, the share of its cash a partner can pay in a month).
Bill = tuple[float, float, float, float, float, float, float]
VECTOR_MIN = 32  # partners from which numpy beats the loop
CASH = attrgetter("cash_sek")


def pay(benefit: dict[int, float], idx: list[int], firms: list[Firm], bill: Bill) -> float:
    """These partners pay as far as they are willing and able; the total, summed in partner order.

    Willingness rises from the base towards 1 with the value a partner got from exchanges so far
    (``benefit``; a partner with none yet, most of a case's, wants the bill's fixed amount), times
    the free-riding factor; min and max as comparisons, which pick the same values."""
    base, rest, half, scale, part, nothing, cash_share = bill
    total, get = 0.0, benefit.get
    for i, firm in zip(idx, firms, strict=False):  # of one length (see partners); strict costs a tenth of the loop
        b = get(i, 0.0)
        want = (base + rest * b / (b + half)) * scale * part if b > 0.0 else nothing
        cash = firm.cash_sek
        able = cash_share * (0.0 if cash < 0.0 else cash)
        paid = able if able < want else want
        firm.cash_sek = cash - paid
        total += paid
    return total


def pay_many(benefit: dict[int, float], table: Partners, bill: Bill) -> tuple[float, float]:
    """:func:`pay` in numpy for all the partners, bit-identical: each elementwise operation is the
    loop's (``np.where`` as Python's ``min``/``max``), the totals of the firms and of the utilities
    running sums from 0.0 in partner order."""
    base, rest, half, scale, part, nothing, cash_share = bill
    idx, fs, utility = table.idx, table.firms, table.utility
    n = len(idx)
    # the columns are read through map: C loops, not bytecode
    b = np.fromiter(map(benefit.get, idx, repeat(0.0, n)), dtype=float, count=n)
    cash = np.fromiter(map(CASH, fs), dtype=float, count=n)
    gains = ~(b <= 0.0)
    want = np.full(n, nothing)
    bg = b[gains]
    want[gains] = (base + rest * bg / (bg + half)) * scale * part
    able = cash_share * np.where(cash < 0.0, 0.0, cash)
    paid = np.where(able < want, able, want)
    for f, left in zip(fs, (cash - paid).tolist(), strict=True):
        f.cash_sek = left
    zero = np.zeros(1)
    private = np.add.accumulate(np.concatenate((zero, paid[~utility])))[-1]
    public = np.add.accumulate(np.concatenate((zero, paid[utility])))[-1]
    return float(private), float(public)
