"""Sector profiles: the kinds of firm a Swedish region has, with their typical residual streams and needs.

Shared by the synthetic regions (:mod:`sim.scenarios.synthetic`), which draw whole regions from
them, and by firm births (:mod:`sim.mechanisms.births`), which draw the streams of a newly born
SME from its sector's profile. Shares, turnovers and stream sizes are assumptions of the same order
as the case library's (``configs/cases/``, A1-A25); the report gives no sector statistics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Stream:
    """One offer or demand template: quantity drawn log-uniformly in [low, high] per month."""

    resource: str
    low: float
    high: float
    quality: tuple[float, float]
    offer: bool
    chance: float = 1.0  # share of firms of the sector that have this stream


@dataclass(frozen=True)
class Sector:
    """A kind of firm: role, share of firms, turnover range (MSEK/yr), energy input (MW), streams."""

    role: str
    share: float
    turnover: tuple[float, float]
    streams: tuple[Stream, ...]
    energy_mw: tuple[float, float] = (0.0, 0.0)
    spread_km: float = 3.0
    data_centre: bool = False


def _o(resource: str, low: float, high: float, quality: tuple[float, float], chance: float = 1.0) -> Stream:
    return Stream(resource, low, high, quality, True, chance)


def _d(resource: str, low: float, high: float, quality: tuple[float, float], chance: float = 1.0) -> Stream:
    return Stream(resource, low, high, quality, False, chance)


# Shares are of non-utility firms (assumption: Swedish industry is mostly SMEs, with a few large
# process plants per region); stream sizes follow the case library (A1-A25) in order of magnitude.
# fmt: off
SECTORS: dict[str, Sector] = {
    # anchors: large process plants (§2.5.4: low-grade heat and cooling water)
    "pulp_paper": Sector("anchor", 0.004, (2000, 6000), (
        _o("heat", 5000, 20000, (35, 60)), _o("co2", 3000, 15000, (0.95, 0.99)),
        _o("materials", 500, 3000, (0.4, 0.7)), _d("technical_water", 20000, 80000, (0.5, 0.6))),
        energy_mw=(100, 300), spread_km=1.5),
    "chemicals": Sector("anchor", 0.004, (1500, 8000), (
        _o("heat", 2000, 8000, (50, 80)), _o("steam", 500, 2500, (8, 15)),
        _o("materials", 1000, 5000, (0.8, 0.95)), _d("technical_water", 20000, 100000, (0.5, 0.6))),
        energy_mw=(40, 200), spread_km=1.5),
    "steel": Sector("anchor", 0.002, (3000, 10000), (
        _o("heat", 5000, 15000, (60, 90)), _o("materials", 1000, 4000, (0.4, 0.6)),
        _d("oxygen", 100, 500, (0.9, 0.95)), _d("technical_water", 20000, 60000, (0.5, 0.6))),
        energy_mw=(100, 400), spread_km=1.5),
    "food_processing": Sector("anchor", 0.005, (800, 3000), (
        _o("heat", 800, 2500, (30, 40)), _o("biogas", 300, 1200, (0.5, 0.65)),
        _o("infrastructure", 4, 10, (0.7, 0.9)), _d("technical_water", 5000, 20000, (0.5, 0.6))),
        energy_mw=(8, 25), spread_km=1.5),
    "data_centre": Sector("anchor", 0.002, (300, 2000), (
        _o("heat", 2000, 10000, (25, 35)),), energy_mw=(20, 100), spread_km=2.0, data_centre=True),
    # SMEs: small streams, local needs
    "food": Sector("sme", 0.14, (10, 300), (
        _o("biogas", 20, 120, (0.45, 0.6)), _d("heat", 50, 300, (30, 40)),
        _d("infrastructure", 1, 1, (0.5, 0.5), 0.5), _d("technical_water", 500, 3000, (0.6, 0.6), 0.5))),
    "wood": Sector("sme", 0.12, (10, 400), (
        _o("materials", 50, 400, (0.5, 0.7)), _d("heat", 50, 200, (35, 45), 0.5),
        _d("steam", 100, 400, (5, 8), 0.3))),
    "metal": Sector("sme", 0.15, (10, 500), (
        _o("materials", 30, 200, (0.6, 0.8)), _o("heat", 100, 500, (35, 50), 0.3),
        _d("competence", 1, 1, (0.5, 0.5), 0.5))),
    "plastics": Sector("sme", 0.08, (10, 200), (
        _o("materials", 20, 100, (0.4, 0.6)), _d("materials", 30, 150, (0.4, 0.6)))),
    "agriculture": Sector("sme", 0.18, (3, 40), (
        _d("digestate", 100, 500, (0.5, 0.6)), _d("materials", 50, 200, (0.4, 0.6), 0.4)), spread_km=6.0),
    "biogas": Sector("sme", 0.02, (20, 80), (
        _o("biogas", 300, 1500, (0.6, 0.7)), _o("digestate", 300, 1500, (0.7, 0.9)),
        _d("biogas", 200, 800, (0.2, 0.4)), _d("steam", 100, 300, (5, 8), 0.5))),
    "logistics": Sector("sme", 0.12, (20, 300), (
        _o("infrastructure", 2, 6, (0.6, 0.9), 0.4), _d("biogas", 50, 200, (0.6, 0.6), 0.5),
        _d("competence", 1, 1, (0.5, 0.5), 0.3))),
    "building_materials": Sector("sme", 0.06, (50, 600), (
        _d("materials", 200, 800, (0.4, 0.6)), _d("steam", 200, 500, (5, 8), 0.5))),
    "chemicals_sme": Sector("sme", 0.05, (50, 500), (
        _d("co2", 50, 300, (0.9, 0.9), 0.5), _d("technical_water", 5000, 20000, (0.6, 0.6)),
        _d("materials", 100, 500, (0.7, 0.9), 0.5))),
    "research": Sector("sme", 0.03, (10, 300), (_o("competence", 2, 4, (0.7, 0.9)),)),
    # establishment companies (§2.5.5: their business is an anchor's residual stream)
    "greenhouse": Sector("startup", 0.005, (1, 10), (
        _d("heat", 500, 2000, (25, 35)), _d("co2", 20, 100, (0.9, 0.9), 0.5)), spread_km=2.0),
    "fish_farm": Sector("startup", 0.003, (1, 10), (
        _d("heat", 200, 800, (20, 30)), _d("oxygen", 10, 50, (0.9, 0.9), 0.5)), spread_km=2.0),
}
# fmt: on

UTILITY_STREAMS = {
    # per 10,000 inhabitants-equivalent of municipal weight; scaled by the municipality's size
    "district_heating": (_d("heat", 1500, 6000, (35, 55)), _d("biogas", 200, 800, (0.5, 0.6))),
    "wastewater": (_o("technical_water", 10000, 60000, (0.6, 0.7)), _d("oxygen", 10, 50, (0.9, 0.9))),
}


def loguniform(rng: np.random.Generator, low: float, high: float) -> float:
    """A draw spread evenly in log scale between low and high (low when they are equal)."""
    return float(math.exp(rng.uniform(math.log(low), math.log(high)))) if high > low else float(low)


def draw_stream(rng: np.random.Generator, s: Stream, scale: float = 1.0) -> dict[str, Any] | None:
    """One offer or demand of a firm as a config dict, or None when the firm lacks this stream (its chance)."""
    if s.chance < 1.0 and rng.random() >= s.chance:
        return None
    qty = loguniform(rng, s.low, s.high) * scale
    qty = round(qty) if qty >= 10 else round(qty, 2)
    qual = round(float(rng.uniform(*s.quality)), 2)
    if s.offer:
        return {"resource": s.resource, "quantity": max(qty, 0.01), "quality": qual}
    return {"resource": s.resource, "quantity": max(qty, 0.01), "min_quality": qual}
