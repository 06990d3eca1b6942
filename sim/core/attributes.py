"""The firm attributes acquaintance ties compare, as columns, so a town's ties are computed together."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.firm import Role

if TYPE_CHECKING:
    from agents.firm import Firm


class AttributeIndex:
    """Per firm: whether it is a utility, a code of its sector (-1 for "other") and of its group (-1
    for none); per municipality, its firms (alive or not) in index order.

    Firms never change role, sector, group or town and arrive at the end of the register, so the
    columns only grow: :meth:`update` adds the firms that arrived since its last call.
    """

    def __init__(self) -> None:
        self.indexed = 0  # firms indexed so far
        self.utility = np.zeros(0, dtype=bool)  # rows past ``indexed`` are spare capacity
        self.sector = np.zeros(0, dtype=np.int64)  # -1 in spare rows too
        self.group_code = np.zeros(0, dtype=np.int64)  # -1 in spare rows too
        self.codes: dict[tuple[str, object], int] = {}
        self.towns: dict[int, np.ndarray] = {}

    def _code(self, kind: str, value: object) -> int:
        return self.codes.setdefault((kind, value), len(self.codes))

    def update(self, firms: list[Firm], group: dict[int, str]) -> None:
        """Index the firms added since the last call (``group``: firm -> owner or group)."""
        new = firms[self.indexed :]
        if not new:
            return
        utility = [f.role is Role.UTILITY for f in new]
        sector = [-1 if f.sector == "other" else self._code("sector", f.sector) for f in new]
        codes = [self._code("group", group[f.idx]) if f.idx in group else -1 for f in new]
        end = len(firms)
        if end > len(self.utility):  # grown by doubling, as the firm register: firms arrive every month
            cap = max(16, 2 * end)
            self.utility = np.concatenate([self.utility, np.zeros(cap - len(self.utility), dtype=bool)])
            self.sector = np.concatenate([self.sector, np.full(cap - len(self.sector), -1, dtype=np.int64)])
            self.group_code = np.concatenate([self.group_code, np.full(cap - len(self.group_code), -1, dtype=np.int64)])
        self.utility[self.indexed : end] = utility
        self.sector[self.indexed : end] = sector
        self.group_code[self.indexed : end] = codes
        arrivals: dict[int, list[int]] = {}
        for f in new:
            arrivals.setdefault(f.municipality, []).append(f.idx)
        empty = np.zeros(0, dtype=np.int64)
        for m, idx in arrivals.items():
            self.towns[m] = np.concatenate([self.towns.get(m, empty), np.array(idx, dtype=np.int64)])
        self.indexed = end
