"""Money and who spends it: project (facilitation) programmes, investment-support programmes, the
regions that hold them and the facilitators they fund. Part of the scenario schema
(:mod:`sim.config.schema`), kept apart so each module stays readable."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from sim.core.params import Strict, param
from sim.core.resources import ResourceName


class InvestmentProgrammeConfig(Strict):
    """An investment-support programme (Klimatklivet, Industriklivet, the Innovation Fund): it pays a share of an
    exchange's investment if the exchange passes its rules (see sim/mechanisms/investment_support.py)."""

    name: str = param(..., "text", "case data", "Name of the programme.", min_length=1)
    budget_sek_per_year: float = param(
        ..., "SEK/year", "case data or assumption", "Grants the programme can award in one calendar year.", ge=0
    )
    share: float = param(
        0.45,
        "share of the investment (0-1)",
        "assumption: Klimatklivet grants average about 40 % and an applicant pays at least as much as it gets",
        "Share of the exchange's investment the grant pays.",
        ge=0,
        le=1,
    )
    sme_only: bool = param(False, "switch", "§3.4.2: some public money targets SMEs", "Whether only SMEs and start-ups may apply.")
    emission_basis: Literal["existing_only", "symbiosis"] = param(
        "existing_only",
        "rule",
        "§5: the emission cut of a new establishment is not judged large enough",
        "existing_only: the cut counts only against the applicant's existing emissions, so a new establishment has "
        "none; symbiosis: the exchange's whole avoided emissions count.",
    )
    min_cut_t_per_msek: float = param(
        0.0,
        "t CO2/year per MSEK of grant",
        "assumption: programmes rank by climate benefit per krona of support",
        "Smallest counted emission cut per MSEK of grant the programme accepts.",
        ge=0,
    )
    min_investment_sek: float = param(
        0.0,
        "SEK",
        "assumption: some programmes fund only large projects (the EU Innovation Fund's smallest is EUR 2.5 M)",
        "Smallest investment the programme considers.",
        ge=0,
    )
    applies_to: list[ResourceName] = param([], "resource types", "case data", "Resources the programme covers (empty: all).")
    open_from_year: int | None = param(
        None, "year", "case data", "First year applications are decided (none: from the start).", ge=1900, le=2200
    )
    open_until_year: int | None = param(None, "year", "case data", "Last year applications are decided (none: no end).", ge=1900, le=2200)


class ProgrammeConfig(Strict):
    """A funding programme: a yearly appropriation (and/or a total cap), calls open in some years.

    A project is granted only if the programme can pay its public share in every year the project
    runs (without carry-over each year's appropriation on its own, with carry-over the sum of the
    appropriations so far) and within the total cap; the money is paid month by month.
    """

    name: str = param(..., "text", "case data", "Name of the programme.")
    budget_sek: float | None = param(
        None,
        "SEK",
        "case data (e.g. A22 ERDF SEK 28.8 M)",
        "Total cap on what the programme pays facilitation projects over the run (none: no total cap; "
        "then budget_sek_per_year is required).",
        ge=0,
    )
    budget_sek_per_year: float | None = param(
        None,
        "SEK/year",
        "§3.3: programmes are yearly appropriations with calls; value per case",
        "Yearly appropriation: what the programme may pay facilitation projects in one calendar year "
        "(none: only the total cap budget_sek binds).",
        ge=0,
    )
    carry_over: bool = param(
        False,
        "switch",
        "assumption: a state appropriation lapses at the year's end unless the funder carries it over",
        "Whether a year's unspent appropriation may be spent in later years.",
    )
    open_from_year: int | None = param(
        None, "year", "case data (programme period)", "First year the programme's calls are open (none: from the start).", ge=1900, le=2200
    )
    open_until_year: int | None = param(
        None, "year", "case data (programme period)", "Last year the programme's calls are open (none: never closes).", ge=1900, le=2200
    )
    funder: Literal["public", "private"] = param(
        "public",
        "public or private",
        "§3.3: a few networks are financed by a constellation of large firms (A1, A3 own money)",
        "Whose money it is: public money (state, region, municipality and their companies) counts in "
        "public_funding_*, the firms' or private funds' own money in private_funding_*.",
    )
    funding_rate: float = param(
        0.5,
        "share of project cost (0-1)",
        "§3.4.2: Tillväxtverket money has a low funding rate; value: assumption",
        "Share of the facilitator's cost the programme pays; the partners are asked for the rest.",
        ge=0,
        le=1,
    )
    project_length_months: int = param(36, "months", "A25 MOLEKYL: 3 years", "Length of one project.", ge=1, le=240)
    call_interval_months: int = param(
        12, "months", "assumption: yearly calls", "Time to the next call after a rejected application.", ge=1, le=120
    )
    anchor_eligible: bool = param(
        False, "switch", "§3.4.2: ERDF targets SMEs", "Whether this programme may fund work with anchors regardless of the policy lever."
    )

    @model_validator(mode="after")
    def _budget_and_period(self) -> ProgrammeConfig:
        if self.budget_sek is None and self.budget_sek_per_year is None:
            raise ValueError(
                f"programme {self.name!r} has no budget (allowed: budget_sek_per_year, the yearly appropriation, "
                "and/or budget_sek, a total cap over the run)"
            )
        if self.open_from_year is not None and self.open_until_year is not None and self.open_until_year < self.open_from_year:
            raise ValueError(
                f"programme {self.name!r}: open_until_year {self.open_until_year} is before open_from_year "
                f"{self.open_from_year} (allowed: open_until_year >= open_from_year)"
            )
        return self


class RegionConfig(Strict):
    name: str = param(..., "text", "case data", "Unique name.", min_length=1)
    programmes: list[ProgrammeConfig] = param([], "list", "case data", "Funding programmes open to the region's facilitators.")
    investment_programmes: list[InvestmentProgrammeConfig] = param(
        [], "list", "§2.5.3, A1, A15", "Investment-support programmes open to the exchanges whose receiver is in the region."
    )


class FacilitatorConfig(Strict):
    name: str = param(..., "text", "case data", "Unique name.", min_length=1)
    region: str = param(..., "name", "case data", "Region whose programmes fund it.")
    municipalities: list[str] = param(..., "names", "case data", "Municipalities it covers.", min_length=1)
    cost_sek_per_month: float = param(150000.0, "SEK/month", "assumption: one to two staff", "Cost of full facilitation capacity.", gt=0)
    initial_engagement: float = param(0.3, "0-1", "assumption", "Engagement at the start.", ge=0, le=1)
    initial_project_months: int = param(0, "months", "case data", "Months left of a project running at the start (0 = none).", ge=0, le=240)
    initial_project_anchor_eligible: bool = param(
        False,
        "switch",
        "A13: Bjuv's own municipal money could fund work with its anchor",
        "Whether the project running at the start may fund work with anchors.",
    )
    initial_project_funder: Literal["public", "private"] = param(
        "public",
        "public or private",
        "§3.3: a few networks are financed by their large firms (A1 Hållbar Kemi)",
        "Whose money pays the project running at the start: public money, or the firms' own (counted as private).",
    )
    membership_fee_share: float = param(
        0.0,
        "share of members' turnover per month",
        "A2 High Coast: membership fees by size",
        "Fee members pay towards facilitation.",
        ge=0,
        le=0.01,
    )
    start_year: int | None = param(
        None, "year", "case history", "Year the facilitator starts work (none: from the start).", ge=1900, le=2200
    )
    start_month: int = param(1, "month (1-12)", "case history", "Month it starts, with start_year.", ge=1, le=12)
    end_year: int | None = param(None, "year", "case history", "Year the facilitator closes (none: never by date).", ge=1900, le=2200)
    end_month: int = param(1, "month (1-12)", "case history", "Month it closes, with end_year.", ge=1, le=12)
