"""The resource catalogue: what can be exchanged, what it costs to move and what it replaces.

The catalogue is input data. Every value has a unit and a source here; a scenario overrides any of
them under a top-level ``resources:`` mapping (``resources: {oxygen: {transport_sek_per_unit_km:
3.0}}``) or with ``--set resources.oxygen.transport_sek_per_unit_km=3``, and the model holds its own
resolved table (``model.resources``), which a ``set_price`` event changes during a run.

Locality is economics: transport per unit and km, pipe per km and the fixed investment make a far
deal unprofitable in the benefit rule. A physical cap (``max_distance_km``) stays only where
physics sets one (steam loses pressure within a few km) or the resource cannot travel at all (a
shared site, a commute). ``search_reach_km`` is only how far matching looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from sim.core.params import Strict, param


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource type, resolved for one scenario. Quantities are per month in ``unit``."""

    name: str
    label: str
    unit: str
    quality_dimension: str
    virgin_price_sek_per_unit: float
    disposal_fee_sek_per_unit: float
    upgrade_sek_per_unit: float
    transport_sek_per_unit_km: float
    connection_sek_per_km: float
    fixed_investment_sek: float
    max_distance_km: float | None
    search_reach_km: float
    co2_t_per_unit: float
    water_m3_per_unit: float
    heat_mwh_per_unit: float
    landfill_share: float = 0.0
    sources: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def reach_km(self) -> float:
        """How far matching looks: the search reach, or the physical cap where it is shorter."""
        return self.search_reach_km if self.max_distance_km is None else min(self.search_reach_km, self.max_distance_km)

    def disposal_sek_per_unit(self, landfill_tax_sek_per_t: float) -> float:
        """What the supplier pays to be rid of one unit: the fee plus the landfill tax on its landfilled share."""
        return self.disposal_fee_sek_per_unit + self.landfill_share * landfill_tax_sek_per_t


# property -> (unit, with {u} for the resource's unit; description; pydantic bounds)
PROPERTIES: dict[str, tuple[str, str, dict[str, float]]] = {
    "virgin_price_sek_per_unit": ("SEK per {u}", "Price of the virgin alternative a receiver buys today.", {"ge": 0}),
    "disposal_fee_sek_per_unit": (
        "SEK per {u}",
        "What the supplier pays to be rid of a unit without the exchange (gate fee, cooling, treatment), without landfill tax.",
        {"ge": 0},
    ),
    "landfill_share": (
        "share (0-1)",
        "Share of the stream that would otherwise be landfilled and pay policy.landfill_tax_sek_per_t (resources in t only).",
        {"ge": 0, "le": 1},
    ),
    "upgrade_sek_per_unit": (
        "SEK per {u}",
        "Cost of making a unit fit to send and use (compression, purification, liquefaction).",
        {"ge": 0},
    ),
    "transport_sek_per_unit_km": ("SEK per {u} and km", "Running cost of moving one unit one km (truck or pumping).", {"ge": 0}),
    "connection_sek_per_km": ("SEK per km", "Investment in a pipe or line per km of distance.", {"ge": 0}),
    "fixed_investment_sek": ("SEK", "Investment of a connection regardless of its length (exchangers, tanks, stations).", {"ge": 0}),
    "max_distance_km": (
        "km, none for no cap",
        "Physical limit of an exchange; none where economics alone decides how far a deal reaches.",
        {"gt": 0},
    ),
    "search_reach_km": (
        "km",
        "How far matching looks for a partner; not a limit on deals: the benefit rule prices the distance.",
        {"gt": 0},
    ),
    "co2_t_per_unit": (
        "t CO2 per {u}",
        "Emissions one delivered unit avoids (the outcome series; priced by policy.co2_price_sek_per_t).",
        {"ge": 0},
    ),
    "water_m3_per_unit": ("m3 per {u}", "Fresh water one delivered unit saves.", {"ge": 0}),
    "heat_mwh_per_unit": ("MWh per {u}", "Heat one delivered unit recovers.", {"ge": 0}),
}
TAXED_UNIT = "t"  # the landfill tax is levied per tonne (Lag (1999:673) om skatt på avfall, 4 §)

_DH = "assumption: typical Swedish district-heating production cost"
_TRUCK = "assumption: a heavy truck costs ~25 SEK per km and drives back empty"


def _r(name: str, label: str, unit: str, quality: str, **values: tuple[Any, str]) -> Resource:
    """A catalogue row from ``property=(value, source)`` pairs."""
    return Resource(name, label, unit, quality, **{k: v for k, (v, _) in values.items()}, sources={k: s for k, (_, s) in values.items()})


# fmt: off
CATALOGUE: dict[str, Resource] = {r.name: r for r in [
    _r("heat", "low-grade residual heat", "MWh", "temperature (°C)",
       virgin_price_sek_per_unit=(250.0, _DH + " ~250 SEK/MWh"),
       disposal_fee_sek_per_unit=(20.0, "assumption: cooling towers or cooling water"),
       upgrade_sek_per_unit=(0.0, "§2.3 Table 2: used at its temperature"),
       transport_sek_per_unit_km=(0.0, "assumption: pumping is negligible beside the pipe"),
       connection_sek_per_km=(3.0e6, "assumption: a district-heating pipe ~3 MSEK/km; A7 Köping–Arboga link (~17 km)"),
       fixed_investment_sek=(1.0e6, "assumption: heat exchanger and substation"),
       max_distance_km=(None, "§2.4.1: heat is local because the pipe is costly, not by physics: no cap"),
       search_reach_km=(50.0, "assumption: twice the longest Swedish case link (A7, ~17 km)"),
       co2_t_per_unit=(0.06, "assumption: average Swedish district-heating mix"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(1.0, "one MWh of heat")),
    _r("steam", "process steam", "MWh", "pressure level (bar)",
       virgin_price_sek_per_unit=(400.0, "assumption: gas- or oil-fired boiler steam"),
       disposal_fee_sek_per_unit=(0.0, "assumption: surplus steam is condensed at no cost"),
       upgrade_sek_per_unit=(0.0, "§2.3 Table 2: used at its pressure"),
       transport_sek_per_unit_km=(0.0, "assumption: the line is the cost"),
       connection_sek_per_km=(8.0e6, "assumption: insulated steam line with condensate return"),
       fixed_investment_sek=(2.0e6, "assumption: reducing station and metering"),
       max_distance_km=(3.0, "physics: a steam line loses pressure and temperature within a few km "
                             "(§2.3 Table 2: Stenungsund, Händelö, Ash2Salt are site-adjacent)"),
       search_reach_km=(3.0, "the physical cap"),
       co2_t_per_unit=(0.20, "assumption: gas-fired boiler replaced"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(1.0, "one MWh of steam")),
    _r("technical_water", "treated wastewater (technical water)", "m3", "purity (0-1)",
       virgin_price_sek_per_unit=(12.0, "assumption: Swedish raw water and treatment ~12 SEK/m3"),
       disposal_fee_sek_per_unit=(2.0, "assumption: discharge charge"),
       upgrade_sek_per_unit=(0.0, "§4.1.1: polishing is the receiver's plant (A18)"),
       transport_sek_per_unit_km=(0.0, "assumption: pumping is negligible beside the pipe"),
       connection_sek_per_km=(2.5e6, "assumption: a water main ~2.5 MSEK/km"),
       fixed_investment_sek=(2.0e6, "assumption: pumping station and intake"),
       max_distance_km=(None, "A28: water symbioses stay compact because pipes are costly: no cap"),
       search_reach_km=(50.0, "assumption: beyond the longest case link (A16, A18)"),
       co2_t_per_unit=(0.0003, "assumption: treatment energy of fresh water"),
       water_m3_per_unit=(1.0, "one m3 of fresh water (A18: 1.1 Mm3/yr saved)"),
       heat_mwh_per_unit=(0.0, "not a heat stream")),
    _r("co2", "biogenic CO2", "t", "purity (0-1)",
       virgin_price_sek_per_unit=(1200.0, "assumption: merchant liquid CO2 in bulk ~1,000-1,500 SEK/t (§4.1.1, A2, A6, A3)"),
       disposal_fee_sek_per_unit=(0.0, "vented at no cost"),
       upgrade_sek_per_unit=(0.0, "purification, liquefaction and capture are priced by the decision rule "
                                  "(params.benefit.co2_purification_sek_per_t, co2_capture_sek_per_t; Naims 2016)"),
       transport_sek_per_unit_km=(1.8, _TRUCK + " with ~27 t of liquid CO2"),
       connection_sek_per_km=(0.0, "trucked"),
       fixed_investment_sek=(3.0e6, "assumption: storage tank and loading"),
       landfill_share=(0.0, "not landfilled"),
       max_distance_km=(None, "trucked: economics alone decides"),
       search_reach_km=(300.0, "assumption: a day's return trip"),
       co2_t_per_unit=(1.0, "A2, A6: replaces fossil CO2"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(0.0, "not a heat stream")),
    _r("oxygen", "oxygen from electrolysis", "t", "purity (0-1)",
       virgin_price_sek_per_unit=(700.0, "assumption: oxygen from the receiver's own air separation"),
       disposal_fee_sek_per_unit=(0.0, "vented at no cost"),
       upgrade_sek_per_unit=(150.0, "assumption: compressing to ~200 bar takes ~0.2 MWh/t of electricity"),
       transport_sek_per_unit_km=(12.0, _TRUCK + " with ~4 t of compressed oxygen in a tube trailer; "
                                        "§4.1.1: oxygen is not worth transporting far"),
       connection_sek_per_km=(0.0, "trucked"),
       fixed_investment_sek=(1.0e6, "assumption: compressor and buffer storage"),
       landfill_share=(0.0, "not landfilled"),
       max_distance_km=(None, "§4.1.1: transport cost keeps oxygen local, not physics: no cap"),
       search_reach_km=(100.0, "assumption: well beyond where transport eats the value"),
       co2_t_per_unit=(0.35, "assumption: electricity of air separation"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(0.0, "not a heat stream")),
    _r("biogas", "biogas / organic waste to biogas", "MWh", "methane share (0-1)",
       virgin_price_sek_per_unit=(600.0, "assumption: natural gas or vehicle gas"),
       disposal_fee_sek_per_unit=(150.0, "assumption: treatment fee of organic waste"),
       upgrade_sek_per_unit=(0.0, "assumption: upgrading is in the producer's plant"),
       transport_sek_per_unit_km=(0.8, _TRUCK + " with ~60 MWh of compressed gas"),
       connection_sek_per_km=(0.0, "trucked"),
       fixed_investment_sek=(1.5e6, "assumption: filling and receiving stations"),
       max_distance_km=(None, "A27 MESAM: biogas symbioses are not only local: no cap"),
       search_reach_km=(150.0, "assumption: regional gas logistics (A4, A13)"),
       co2_t_per_unit=(0.20, "assumption: natural gas replaced"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(0.0, "not a heat stream")),
    _r("digestate", "digestate / nutrients", "t", "certification (0-1)",
       virgin_price_sek_per_unit=(150.0, "assumption: mineral fertiliser equivalent (A4)"),
       disposal_fee_sek_per_unit=(80.0, "assumption: spreading or treatment fee"),
       upgrade_sek_per_unit=(0.0, "A4: certified at the plant"),
       transport_sek_per_unit_km=(1.4, _TRUCK + " with ~35 t"),
       connection_sek_per_km=(0.0, "trucked"),
       fixed_investment_sek=(2.0e5, "assumption: storage at the farm"),
       landfill_share=(0.0, "spread on land, not landfilled"),
       max_distance_km=(None, "trucked: economics alone decides"),
       search_reach_km=(100.0, "assumption: beyond where transport eats the value"),
       co2_t_per_unit=(0.05, "assumption: mineral fertiliser production"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(0.0, "not a heat stream")),
    _r("materials", "materials, ash and by-products", "t", "purity (0-1)",
       virgin_price_sek_per_unit=(500.0, "assumption: virgin raw material replaced (A15, A1)"),
       disposal_fee_sek_per_unit=(300.0, "assumption: landfill gate fee without tax"),
       upgrade_sek_per_unit=(0.0, "A15: treatment is the receiver's process"),
       transport_sek_per_unit_km=(1.2, _TRUCK + " with ~40 t in bulk"),
       connection_sek_per_km=(0.0, "trucked"),
       fixed_investment_sek=(1.0e6, "assumption: handling and storage"),
       landfill_share=(1.0, "assumption: without the exchange the by-product is landfilled (A15: fly ash)"),
       max_distance_km=(None, "trucked: economics alone decides (A15 collects ash from afar)"),
       search_reach_km=(200.0, "assumption: regional bulk logistics"),
       co2_t_per_unit=(0.10, "assumption: virgin material production"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(0.0, "not a heat stream")),
    _r("infrastructure", "shared infrastructure and logistics", "share-month", "fit (0-1)",
       virgin_price_sek_per_unit=(60000.0, "assumption: a month of a firm's own facility"),
       disposal_fee_sek_per_unit=(0.0, "nothing to dispose of"),
       upgrade_sek_per_unit=(0.0, "nothing to upgrade"),
       transport_sek_per_unit_km=(0.0, "not transported"),
       connection_sek_per_km=(0.0, "not connected"),
       fixed_investment_sek=(5.0e5, "assumption: adapting the shared facility"),
       max_distance_km=(8.0, "§2.3 Table 2 (Umeå rail, IPOS utilities, Sävsjö): a shared facility serves the "
                             "firms on or beside its site, which no transport cost can stand for"),
       search_reach_km=(8.0, "the cap"),
       co2_t_per_unit=(2.0, "assumption: duplicate facility avoided"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(0.0, "not a heat stream")),
    _r("competence", "competence and shared staff", "person-month", "fit (0-1)",
       virgin_price_sek_per_unit=(60000.0, "assumption: one person-month of a technician (§2.3 Table 2)"),
       disposal_fee_sek_per_unit=(0.0, "nothing to dispose of"),
       upgrade_sek_per_unit=(0.0, "nothing to upgrade"),
       transport_sek_per_unit_km=(0.0, "not transported"),
       connection_sek_per_km=(0.0, "not connected"),
       fixed_investment_sek=(5.0e4, "assumption: joint recruiting (A2) and training"),
       max_distance_km=(60.0, "assumption: shared staff commute daily, ~60 km at most"),
       search_reach_km=(60.0, "the cap"),
       co2_t_per_unit=(0.0, "no emissions counted"),
       water_m3_per_unit=(0.0, "not a water stream"),
       heat_mwh_per_unit=(0.0, "not a heat stream")),
]}
# fmt: on

RESOURCE_NAMES: tuple[str, ...] = tuple(CATALOGUE)
ResourceName = Literal[RESOURCE_NAMES]  # type: ignore[valid-type]  # a resource's name, for the config schema
NUMERIC = tuple(PROPERTIES)
# what a ``set_price`` event may change during a run (reaches stay put: matching's spatial indexes use them)
PRICE_PROPERTIES: tuple[str, ...] = (
    "virgin_price_sek_per_unit",
    "disposal_fee_sek_per_unit",
    "upgrade_sek_per_unit",
    "transport_sek_per_unit_km",
    "connection_sek_per_km",
    "fixed_investment_sek",
)


def properties_of(resource: Resource) -> tuple[str, ...]:
    """The overridable properties of a resource (the landfill share only where the tax applies)."""
    return tuple(p for p in NUMERIC if p != "landfill_share" or resource.unit == TAXED_UNIT)


def _schema(resource: Resource) -> type[BaseModel]:
    """The pydantic model of one resource's overridable values, defaulting to the catalogue."""
    fields: dict[str, Any] = {}
    for prop in properties_of(resource):
        unit, description, bounds = PROPERTIES[prop]
        value = getattr(resource, prop)
        kind = float | None if prop == "max_distance_km" else float
        src = resource.sources.get(prop, "")
        fields[prop] = (kind, param(value, unit.format(u=resource.unit), src, description, **bounds))
    return create_model(f"Resource_{resource.name}", __base__=Strict, __doc__=resource.label, **fields)


RESOURCE_SCHEMAS: dict[str, type[BaseModel]] = {name: _schema(r) for name, r in CATALOGUE.items()}

ResourcesConfig = create_model(
    "ResourcesConfig",
    __base__=Strict,
    __doc__="Per-scenario values of the resource catalogue; anything not given keeps the catalogue's default.",
    **{name: (schema, Field(default_factory=schema)) for name, schema in RESOURCE_SCHEMAS.items()},
)


def resolve(config: BaseModel | None) -> dict[str, Resource]:
    """The catalogue with a scenario's ``resources:`` values applied: the model's own table."""
    if config is None:
        return dict(CATALOGUE)
    # a resource whose values the scenario leaves alone is the catalogue's row itself (rows are frozen,
    # and resolve(None) shares them too): a row made again costs more than the rest of a model's build
    return {name: replace(r, **sub.model_dump()) if (sub := getattr(config, name)).model_fields_set else r for name, r in CATALOGUE.items()}


def change(model: Any, resource: str, prop: str, value: float) -> float:
    """Set one value of the model's table from this month on; return the old value.

    A new virgin price reaches the needs already in the model: a need at the catalogue price takes
    the new price, a need with its own price moves in proportion (a market shock moves every buyer).
    """
    old = getattr(model.resources[resource], prop)
    model.resources[resource] = replace(model.resources[resource], **{prop: value})
    if prop == "virgin_price_sek_per_unit":
        for firm in model.firms:
            for demand in firm.demands:
                if demand.resource == resource:
                    demand.virgin_price = value if old == 0 else demand.virgin_price * (value / old)
    return old
