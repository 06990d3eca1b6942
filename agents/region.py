"""Regions and the funding programmes they (or national agencies) run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import mesa


@dataclass(slots=True)
class Programme:
    """A funding programme for development projects (§3.3): a yearly appropriation and/or a total
    cap, calls open in some years. A grant commits the project's public share year by year; the
    money is paid month by month as the project runs."""

    name: str
    budget_sek: float | None  # total cap over the run (None: none)
    funding_rate: float
    project_length_months: int
    call_interval_months: int
    anchor_eligible: bool
    budget_sek_per_year: float | None = None  # yearly appropriation (None: only the cap binds)
    carry_over: bool = False
    open_from_year: int | None = None
    open_until_year: int | None = None
    public: bool = True  # False: the firms' own money (counted as private)
    committed_sek: float = 0.0
    spent_sek: float = 0.0
    committed_by_year: dict[int, float] = field(default_factory=dict)
    paid_by_year: dict[int, float] = field(default_factory=dict)

    @property
    def remaining_sek(self) -> float:
        """What the total cap still allows to be granted (infinite without a cap)."""
        return math.inf if self.budget_sek is None else self.budget_sek - self.committed_sek

    def is_open(self, year: int) -> bool:
        """Whether a call is open in this calendar year."""
        return (self.open_from_year is None or year >= self.open_from_year) and (
            self.open_until_year is None or year <= self.open_until_year
        )

    def appropriation(self, year: int) -> float:
        """What the programme may pay in a year: from the first open year on, running projects are
        paid to their end after the calls close."""
        if self.budget_sek_per_year is None:
            return math.inf
        return self.budget_sek_per_year if self.open_from_year is None or year >= self.open_from_year else 0.0

    def can_fund(self, needs: dict[int, float], first_year: int) -> bool:
        """Whether the programme can pay a project's public share ``needs`` (SEK per calendar year).

        Without carry-over each year's appropriation must hold that year's commitments; with it, the
        appropriations of all years so far must hold the commitments so far."""
        if sum(needs.values()) > self.remaining_sek + 1e-6:
            return False
        if self.budget_sek_per_year is None:
            return True
        if not self.carry_over:
            return all(self.committed_by_year.get(y, 0.0) + sek <= self.appropriation(y) + 1e-6 for y, sek in needs.items())
        room = 0.0
        for y in range(first_year, max(*needs, *self.committed_by_year, first_year) + 1):
            room += self.appropriation(y) - self.committed_by_year.get(y, 0.0) - needs.get(y, 0.0)
            if room < -1e-6:  # this year's payments, or a later year's commitments, would lack money
                return False
        return True

    def commit(self, needs: dict[int, float]) -> None:
        for y, sek in needs.items():
            self.committed_by_year[y] = self.committed_by_year.get(y, 0.0) + sek
        self.committed_sek += sum(needs.values())

    def pay(self, year: int, sek: float) -> None:
        self.paid_by_year[year] = self.paid_by_year.get(year, 0.0) + sek
        self.spent_sek += sek


def project_needs(start_year: int, start_step: int, months: int, monthly_sek: float) -> dict[int, float]:
    """A project's payments per calendar year (it is paid in steps start .. start + months - 1; step
    1 is January of ``start_year``).

    One date look-up per calendar year, not per month (an unfunded facilitator asks every month);
    each year's sum is still built month by month, so the floats are the same.
    """
    needs: dict[int, float] = {}
    t, end = start_step, start_step + months
    while t < end:
        year = start_year + (t - 1) // 12
        last = min(end, 12 * ((t - 1) // 12 + 1) + 1)  # first step of the next calendar year
        needs[year] = _months_sum(needs.get(year, 0.0), monthly_sek, last - t)
        t = last
    return needs


@lru_cache(maxsize=4096)
def _months_sum(start: float, monthly_sek: float, months: int) -> float:
    """``start`` plus ``months`` payments of ``monthly_sek``, added one by one. Kept: facilitators
    without a project ask every month for the same few project sizes."""
    v = start
    for _ in range(months):
        v += monthly_sek
    return v


class Region(mesa.Agent):
    """A region funds facilitators' projects through its programmes."""

    def __init__(self, model: mesa.Model, *, idx: int, name: str, programmes: list[Programme]) -> None:
        super().__init__(model)
        self.idx = idx
        self.name = name
        self.programmes = programmes
