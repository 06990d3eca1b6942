"""The scenario schema: pydantic v2 models whose every field carries a unit, a default and a source.

Switches and mechanism parameters are generated from the mechanism registry, so the schema holds
exactly the mechanisms the model runs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, create_model

from sim.config.facts import FactConfig
from sim.config.funding import FacilitatorConfig, InvestmentProgrammeConfig, ProgrammeConfig, RegionConfig  # noqa: F401 (re-exported)
from sim.config.relations import AcquaintanceConfig, InitialExchangeConfig
from sim.core.params import Strict, param
from sim.core.resources import ResourceName, ResourcesConfig
from sim.mechanisms import REGISTRY

RoleName = Literal["anchor", "sme", "startup", "utility"]


class Policy(Strict):
    """The policy levers an authority can pull."""

    funding_gap_months: int = param(
        6,
        "months",
        "§3.3, A20 Sävsjö: funding did not follow the pre-study directly",
        "Months between the end of one facilitation project and the start of the next.",
        ge=0,
        le=600,
    )
    funding_anchor_eligible: bool = param(
        False,
        "switch",
        "§3.4.2, A25 MOLEKYL: ERDF targets SMEs while symbioses need a large anchor",
        "Whether project money may pay for facilitation work with large anchors.",
    )
    facilitator_base_funding_sek_per_year: float = param(
        0.0, "SEK/year", "§3.3: continuity needs funding beyond projects", "Permanent public base funding of each facilitator.", ge=0
    )
    startup_guarantee_share: float = param(
        0.0,
        "share of a start-up's investment (0-1)",
        "§3.2: start-ups finance step by step",
        "Share of a start-up's investment a public guarantee covers.",
        ge=0,
        le=1,
    )
    permit_time_factor: float = param(
        1.0,
        "multiple of normal durations",
        "§4.4 regulatory sandboxes; A4, A5 permits",
        "Scale of permit and plan durations (below 1 is a sandbox).",
        gt=0,
        le=10,
    )
    land_reservation: bool = param(
        False,
        "switch",
        "§2.5.1: reserve industrial land in a circular structure (Umeå, Finnslätten, Sävsjö)",
        "Whether free industrial land beside hubs is reserved and cannot be re-planned.",
    )
    eed_heat_mandate: bool = param(
        False,
        "switch",
        "§4.4: Energy Efficiency Directive (EU) 2023/1791",
        "Whether installations above params.eed_mandate.threshold_mw and data centres must assess their residual heat.",
    )
    investment_support_symbiosis_eligible: bool = param(
        False,
        "switch",
        "§5: investment support may reject a symbiosis because the emission cut of a new establishment does not count",
        "Whether every investment-support programme counts the whole emission cut of an exchange, a new establishment's "
        "included (as if its emission_basis were symbiosis).",
    )
    investment_support_budget_factor: float = param(
        1.0,
        "multiple of the programmes' budgets",
        "§2.5.3: the financial programmes for investment support need to be developed",
        "Scale of every investment-support programme's yearly budget (0 = no investment support).",
        ge=0,
        le=100,
    )
    landfill_tax_sek_per_t: float = param(
        725.0,
        "SEK/t",
        "Lag (1999:673) om skatt på avfall, 4 §: 725 SEK/t in 2024 (Skatteverket); Fraccascia et al. (2017)",
        "Tax per tonne landfilled; a supplier of a by-product in t avoids it on the catalogue's landfill share.",
        ge=0,
        le=100000,
    )
    co2_price_sek_per_t: float = param(
        0.0,
        "SEK/t CO2",
        "§3.4.1: business models should value effects beyond the financial; §3.4.3: weak economic incentives; "
        "none beyond the taxes already in the virgin prices",
        "Carbon price on the emissions an exchange avoids (the catalogue's CO2 factor), on top of the virgin prices.",
        ge=0,
        le=100000,
    )


Switches = create_model(
    "Switches",
    __base__=Strict,
    __doc__="Each mechanism that others do not build on can be switched off alone (see sim.mechanisms.REGISTRY).",
    **{m.name: (bool, param(True, "switch", m.switch.source, m.switch.description)) for m in REGISTRY if m.switch is not None},
)


class Observation(Strict):
    """How the collector judges a cluster (Chertow 2007's 3-2 heuristic)."""

    cluster_min_firms: int = param(
        3, "firms", "Chertow (2007): at least three entities", "Firms that must take part for a cluster to count as active.", ge=1
    )
    cluster_min_resources: int = param(
        2,
        "resource types",
        "Chertow (2007): exchanging at least two resources",
        "Resource types that must flow for a cluster to count as active.",
        ge=1,
    )
    collapse_window_months: int = param(
        24,
        "months",
        "assumption: two quiet years after activity is a collapse",
        "A run has collapsed if the cluster was once active and has been inactive this long at the end.",
        ge=1,
    )


MechanismParams = create_model(
    "MechanismParams",
    __base__=Strict,
    __doc__="Parameters of each mechanism, grouped by the module that holds its rules.",
    **{m.name: (m.params, Field(default_factory=m.params)) for m in REGISTRY},
)


class OfferConfig(Strict):
    resource: ResourceName = param(..., "resource type", "resource catalogue (sim/core/resources.py)", "What the stream is.")
    quantity: float = param(..., "resource unit per month", "case data or assumption", "How much is available each month.", gt=0)
    quality: float = param(
        1.0,
        "the resource's quality dimension",
        "case data or assumption",
        "Quality: temperature in °C for heat, purity 0-1 for most others.",
        ge=0,
    )
    phase_out_year: int | None = param(None, "year", "§5 lock-in", "Year the stream ends (fossil feedstock), or none.", ge=1900, le=2200)
    same_discharge_point: bool = param(False, "switch", "A16, A18", "For water: the receiver discharges where the supplier did.")
    fed_by: ResourceName | None = param(
        None,
        "resource type",
        "A13 Bjuv (treatment and biogas from Findus's streams), A4 Sotenäs; see sim/mechanisms/feed.py",
        "The input this stream is made from: it then follows the share of the firm's need for that input met by "
        "operating exchanges; none for a stream of the firm's own process.",
    )
    fed_from: str | None = param(
        None,
        "firm name",
        "A13 Bjuv: the hub's plants worked on Findus's own process water and waste",
        "With fed_by: only deliveries from this firm feed the stream (none: any supplier's).",
    )
    start_year: int | None = param(None, "year", "case history", "Year the stream starts (none: with its firm).", ge=1900, le=2200)
    start_month: int = param(1, "month (1-12)", "case history", "Month the stream starts, with start_year.", ge=1, le=12)
    end_year: int | None = param(
        None, "year", "case history", "Year the stream ends and its exchanges with it (none: never).", ge=1900, le=2200
    )
    end_month: int = param(1, "month (1-12)", "case history", "Month the stream ends, with end_year.", ge=1, le=12)


class DemandConfig(Strict):
    resource: ResourceName = param(..., "resource type", "resource catalogue (sim/core/resources.py)", "What is needed.")
    quantity: float = param(..., "resource unit per month", "case data or assumption", "How much is needed each month.", gt=0)
    min_quality: float = param(0.0, "the resource's quality dimension", "case data or assumption", "Lowest acceptable quality.", ge=0)
    virgin_price: float | None = param(
        None, "SEK per resource unit", "resource catalogue unless given", "Price of the virgin alternative.", ge=0
    )
    needs_new_land: bool = param(False, "switch", "§2.4.1", "The receiver must build on new land, which needs a detailed plan.")
    only_from: str | None = param(
        None,
        "firm name",
        "A13 Bjuv: the hub's treatment plant was built for Findus's process water",
        "The one firm that can meet this need (none: any supplier).",
    )
    start_year: int | None = param(None, "year", "case history", "Year the need starts (none: with its firm).", ge=1900, le=2200)
    start_month: int = param(1, "month (1-12)", "case history", "Month the need starts, with start_year.", ge=1, le=12)
    end_year: int | None = param(
        None, "year", "case history", "Year the need ends and its exchanges with it (none: never).", ge=1900, le=2200
    )
    end_month: int = param(1, "month (1-12)", "case history", "Month the need ends, with end_year.", ge=1, le=12)
    internal_share: float | None = param(
        None,
        "share of the need",
        "§2.5.4, A28: firms work on internal efficiency first (water recirculation, heat recovery on site)",
        "Share of the need the firm can cover itself (none: params.internal_supply.default_share for the resource).",
        ge=0,
        le=1,
    )
    internal_cost_per_unit: float | None = param(
        None,
        "SEK per resource unit",
        "case data or assumption",
        "Cost of covering a unit itself (none: params.internal_supply.cost_sek_per_unit for the resource).",
        ge=0,
    )


class FirmConfig(Strict):
    name: str = param(..., "text", "case data", "Unique name.", min_length=1)
    role: RoleName = param(..., "role", "§2.5", "anchor, sme, startup or utility (municipally owned).")
    sector: str = param(
        "other", "text", "case data", "Sector, e.g. pulp_paper, food, greenhouse, fish_farm, efuel, district_heating, wastewater."
    )
    location_km: tuple[float, float] = param(..., "km (x, y)", "case geography, approximate", "Position in the region's km grid.")
    municipality: str = param(..., "name", "case data", "Municipality the firm is in.")
    turnover_msek_per_year: float = param(50.0, "MSEK/year", "case data or assumption", "Turnover.", ge=0)
    cash_msek: float = param(10.0, "MSEK", "assumption", "Cash at start.", ge=0)
    attention: int | None = param(
        None,
        "exchanges in preparation at once",
        "§2.5.5: firms lack room for complex collaboration; default by role: anchor 2, utility 3, sme 1, startup 2",
        "How many exchanges the firm can prepare at once.",
        ge=0,
        le=100,
    )
    energy_input_mw: float = param(0.0, "MW average", "case data", "Average energy input (EED mandate threshold 8 MW).", ge=0)
    data_centre: bool = param(False, "switch", "§4.4", "Whether the firm is a data centre (covered by the EED mandate).")
    group: str | None = param(
        None,
        "text",
        "case data (A16: the city's companies; A1: one owner's plants)",
        "Owner or group; firms of one group know each other (acquaintance).",
    )
    offers: list[OfferConfig] = param([], "list", "case data", "Residual streams the firm can give away.")
    demands: list[DemandConfig] = param([], "list", "case data", "Needs the firm meets with virgin resources.")
    entry_year: int | None = param(
        None, "year", "case history", "Year the firm arrives (none or before the start: it is there from the start).", ge=1900, le=2200
    )
    entry_month: int = param(1, "month (1-12)", "case history", "Month the firm arrives, with entry_year.", ge=1, le=12)
    exit_year: int | None = param(
        None, "year", "case history (A13: Findus left Bjuv in 2017)", "Year the firm leaves (none: never by date).", ge=1900, le=2200
    )
    exit_month: int = param(1, "month (1-12)", "case history", "Month the firm leaves, with exit_year.", ge=1, le=12)
    exit: Literal["hazard", "scheduled"] = param(
        "hazard",
        "exit rule",
        "A13: a known history must not be overridden by chance",
        "hazard: the firm may leave by the exit hazard; scheduled: it leaves only by its exit date or a firm_exit event.",
    )
    exit_hazard_per_year: float | None = param(
        None, "1/year", "case data or assumption", "The firm's own annual exit hazard (none: its role's default).", ge=0, le=1
    )
    founded_year: int | None = param(
        None,
        "year",
        "case data; see params.firm_exit.newness_years",
        "Year the firm was founded, at or before start_year; none: long established (past the liability of newness).",
        ge=1000,
        le=2200,
    )


class PlotsConfig(Strict):
    near: str = param(..., "firm name", "§2.4.1: land beside the anchor", "Firm (the hub) the plots lie beside.")
    count: int = param(..., "plots", "case data or assumption", "Number of free plots.", ge=0, le=1000)
    radius_km: float = param(1.0, "km", "assumption", "Plots lie within this distance of the hub.", gt=0)
    zoning: Literal["industrial", "housing", "reserved"] = param("industrial", "zoning", "§2.5.1", "Zoning at start.")


class MunicipalityConfig(Strict):
    name: str = param(..., "text", "case data", "Unique name.", min_length=1)
    region: str = param(..., "name", "case data", "Region the municipality belongs to.")
    centre_km: tuple[float, float] = param(..., "km (x, y)", "case geography, approximate", "Position of the centre.")
    housing_pressure: float = param(
        0.3, "0-1", "A13 Bjuv re-planned for housing; value: assumption", "Pressure to turn idle industrial land into housing.", ge=0, le=1
    )
    freshwater_scarcity: float = param(
        0.0, "0-1", "A1, A4, A18: withdrawal or discharge caps", "How binding fresh-water or discharge limits are.", ge=0, le=1
    )
    planning_stance: float = param(
        0.5, "0-1 (1 = proactive)", "§2.5.1: municipalities can plan early", "A proactive stance shortens detailed planning.", ge=0, le=1
    )
    plots: list[PlotsConfig] = param([], "list", "case data", "Free land beside hubs.")
    hub: str | None = param(None, "firm name", "A13: the hub of Food Valley", "The firm whose surroundings the municipality plans.")
    firm_births_per_year: float | None = param(
        None,
        "firms/year",
        "case data or assumption; see params.births.rate_per_firm_year",
        "Expected ordinary firms (SMEs) born in the municipality a year; none: params.births.rate_per_firm_year "
        "times its firms at the start (utilities not counted).",
        ge=0,
        le=10000,
    )
    information_platform_from_year: int | None = param(
        None,
        "year",
        "A29 Helsingborg: the firms' environmental reports made searchable; see params.platform",
        "Year the municipality's searchable register of residual streams opens (none: it has none).",
        ge=1900,
        le=2200,
    )


class EventConfig(Strict):
    kind: Literal["firm_exit", "set_policy", "firm_entry", "offer_start", "offer_end", "set_price"] = param(
        ...,
        "event kind",
        "scenario data",
        "firm_exit (a firm leaves), set_policy (a lever changes), firm_entry (new_firm arrives), "
        "offer_start (firm's new stream offer starts), offer_end (firm's streams of resource end) or "
        "set_price (a catalogue value of resource changes).",
    )
    year: int = param(..., "year", "case data", "Year of the event.", ge=1900, le=2200)
    month: int = param(1, "month (1-12)", "case data", "Month of the event.", ge=1, le=12)
    firm: str | None = param(None, "firm name", "case data", "The firm, for firm_exit.")
    key: str | None = param(None, "policy lever", "scenario data", "The lever, for set_policy (e.g. land_reservation).")
    value: Any = param(None, "the lever's or property's unit", "scenario data", "The new value, for set_policy and set_price.")
    resource: ResourceName | None = param(
        None, "resource type", "scenario data", "The resource, for set_price (whose value changes) and offer_end (whose streams end)."
    )
    property: str = param(
        "virgin_price_sek_per_unit",
        "catalogue property",
        "resource catalogue (sim/core/resources.py)",
        "For set_price (a catalogue value changes from that month on): the value it changes, e.g. an oil-price "
        "shock on virgin_price_sek_per_unit.",
    )
    new_firm: FirmConfig | None = param(None, "a firm", "case history", "The arriving firm, described as in firms, for firm_entry.")
    offer: OfferConfig | None = param(None, "a stream", "case history", "The stream that starts, for offer_start.")


class ScenarioConfig(Strict):
    """A whole scenario: region, actors, streams, policy, mechanisms and their parameters."""

    name: str = param("scenario", "text", "user", "Name of the scenario.")
    description: str = param("", "text", "user", "What the scenario is for.")
    case: str | None = param(None, "case id", "report appendix (docs/sources.md)", "Case of the report this scenario models (A1-A29).")
    start_year: int = param(2010, "year", "case data", "Calendar year of the first step.", ge=1900, le=2200)
    years: int = param(20, "years", "user", "Horizon; one step is one month.", ge=1, le=200)
    seed: int = param(1, "integer", "user", "Default seed; the command line's --seed wins.", ge=0)
    area_km: tuple[float, float] = param(
        (100.0, 100.0), "km (width, height)", "case geography", "Size of the region; every position must lie inside."
    )
    regions: list[RegionConfig] = param([], "list", "case data", "Regions and their programmes.")
    municipalities: list[MunicipalityConfig] = param([], "list", "case data", "Municipalities.")
    facilitators: list[FacilitatorConfig] = param([], "list", "case data", "Facilitators.")
    firms: list[FirmConfig] = param([], "list", "case data", "Firms and utilities.")
    acquaintances: list[AcquaintanceConfig] = param(
        [], "list", "case data", "Ties the scenario knows of between pairs of firms, beyond those the model derives (see acquaintance)."
    )
    events: list[EventConfig] = param([], "list", "case data", "Scheduled events.")
    initial_exchanges: list[InitialExchangeConfig] = param(
        [], "list", "case history", "Exchanges that already operate at the start, with the year each began."
    )
    facts: list[FactConfig] = param(
        [], "list", "the report (configs/cases/README.md)", "What the report says happened, for checking the case (symbiosis check-cases)."
    )
    policy: Policy = Field(default_factory=Policy)
    mechanisms: Switches = Field(default_factory=Switches)
    params: MechanismParams = Field(default_factory=MechanismParams)  # type: ignore[valid-type]
    observation: Observation = Field(default_factory=Observation)
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig)  # type: ignore[valid-type]

    @property
    def steps(self) -> int:
        return self.years * 12
