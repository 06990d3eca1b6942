"""The resource catalogue: what can be exchanged, how far it travels and what it replaces.

Each number is sourced. Where the report gives none, it is an assumption stated with a reason;
all such assumptions sit here, in one place, so a calibration touches one table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    """One resource type. Quantities are per month in ``unit``."""

    name: str
    label: str
    unit: str
    quality_dimension: str
    transport_sek_per_unit_km: float
    max_distance_km: float
    connection_sek_per_km: float
    fixed_investment_sek: float
    virgin_price_sek_per_unit: float
    disposal_sek_per_unit: float
    co2_t_per_unit: float
    water_m3_per_unit: float
    heat_mwh_per_unit: float
    source: str


# fmt: off
CATALOGUE: dict[str, Resource] = {r.name: r for r in [
    Resource("heat", "low-grade residual heat", "MWh", "temperature (°C)",
             0.0, 25.0, 3.0e6, 1.0e6, 250.0, 20.0, 0.06, 0.0, 1.0,
             "§2.3 Table 2, §2.4.1 (heat is local; greenhouses beside the anchor); reach 25 km: "
             "A7 Köping–Arboga district-heating link (2017, ~17 km), pipe cost makes most shorter; price and "
             "pipe cost: assumption, typical Swedish district-heating production cost ~250 SEK/MWh "
             "and 3 MSEK/km of pipe; CO2 0.06 t/MWh: assumption, average Swedish DH mix"),
    Resource("steam", "process steam", "MWh", "pressure level (bar)",
             0.0, 3.0, 8.0e6, 2.0e6, 400.0, 0.0, 0.20, 0.0, 1.0,
             "§2.3 Table 2 (Stenungsund, Händelö, High Coast, Ash2Salt 7 MW); 3 km limit and "
             "costs: assumption, steam lines lose pressure fast; CO2 0.20 t/MWh: assumption, "
             "gas-fired boiler replaced"),
    Resource("technical_water", "treated wastewater (technical water)", "m3",
             "purity (0-1)", 0.0, 15.0, 2.5e6, 2.0e6, 12.0, 2.0, 0.0003, 1.0, 0.0,
             "§2.3 Table 2, A16, A18 (1.1 Mm3/yr saved), A28 (water symbioses stay compact); "
             "prices: assumption, Swedish raw-water + treatment ~12 SEK/m3"),
    Resource("co2", "biogenic CO2", "t", "purity (0-1)",
             0.8, 150.0, 0.0, 3.0e6, 900.0, 0.0, 1.0, 0.0, 0.0,
             "§4.1.1, A2 FlagshipONE, A6 Liquid Wind (biogenic CO2 for e-fuels), A3 carbonic acid; "
             "price: assumption, merchant CO2 ~900 SEK/t; trucked at ~0.8 SEK/t/km"),
    Resource("oxygen", "oxygen from electrolysis", "t", "purity (0-1)",
             1.5, 5.0, 1.0e6, 1.0e6, 700.0, 0.0, 0.35, 0.0, 0.0,
             "§4.1.1 (O2 not worth transporting far; 8 kg O2 per kg H2); price and CO2 of "
             "air separation: assumption"),
    Resource("biogas", "biogas / organic waste to biogas", "MWh", "methane share (0-1)",
             0.3, 80.0, 0.0, 1.5e6, 600.0, 150.0, 0.20, 0.0, 0.0,
             "§2.3 Table 2, A4 Sotenäs, A13 Bjuv, A27 MESAM (biogas symbioses are not only "
             "local); prices: assumption"),
    Resource("digestate", "digestate / nutrients", "t", "certification (0-1)",
             0.5, 60.0, 0.0, 2.0e5, 150.0, 80.0, 0.05, 0.0, 0.0,
             "A4 Sotenäs (certified fertiliser for farms); prices: assumption, mineral "
             "fertiliser equivalent"),
    Resource("materials", "materials, ash and by-products", "t", "purity (0-1)",
             0.4, 200.0, 0.0, 1.0e6, 500.0, 300.0, 0.10, 0.0, 0.0,
             "§2.3 Table 2, A15 Ash2Salt (150,000 t fly ash/yr), A1 Stenungsund; disposal cost: "
             "assumption, Swedish landfill fee + tax ~300 SEK/t"),
    Resource("infrastructure", "shared infrastructure and logistics", "share-month",
             "fit (0-1)", 0.0, 8.0, 0.0, 5.0e5, 60000.0, 0.0, 2.0, 0.0, 0.0,
             "§2.3 Table 2 (Umeå rail, IPOS utilities, Sävsjö); one unit = one firm's use of a "
             "shared facility for a month; value: assumption"),
    Resource("competence", "competence and shared staff", "person-month", "fit (0-1)",
             0.0, 60.0, 0.0, 5.0e4, 60000.0, 0.0, 0.0, 0.0, 0.0,
             "§2.3 Table 2 (High Coast joint recruiting, Sävsjö students); value: assumption, "
             "one person-month of a technician"),
]}
# fmt: on

RESOURCE_NAMES: tuple[str, ...] = tuple(CATALOGUE)
