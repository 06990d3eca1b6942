"""Synthetic regions: reproducible scenario configs beyond the named cases, for studies and benchmarks.

A generated region has what the report says a Swedish symbiosis landscape has (§2.5): process
plants that can be anchors (pulp and paper, chemicals, steel, food processing, data centres), a
district-heating utility and a wastewater utility in every municipality, many SMEs whose streams are
small, a few establishment companies, free plots beside anchors (§2.4.1), regions with project
programmes (§3.3) and facilitators in some municipalities (§2.5.5). Stream sizes are assumptions of
the same order as the case library's (``configs/cases/``); they are chosen so that exchanges can pay
(heat and water only near large sources, materials and biogas further), never so that they must.

The sector profiles (kinds of firm and their streams) live in :mod:`sim.scenarios.sectors`, which
firm births (:mod:`sim.mechanisms.births`) share. The same arguments and seed give the same dict, positions included; :func:`generate` touches no
global random state. The national preset mirrors Sweden's 290 municipalities in 21 regions with
about 20,000 firms, the scale the benchmarks need.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.config import ScenarioConfig, build
from sim.scenarios.sectors import SECTORS, UTILITY_STREAMS
from sim.scenarios.sectors import draw_stream as _stream
from sim.scenarios.sectors import loguniform as _loguniform

PRESETS: dict[str, dict[str, Any]] = {
    # Sweden: 290 municipalities in 21 regions (SCB); ~20,000 firms is the national benchmark size (benchmarks/run.py)
    "national": {"municipalities": 290, "regions": 21, "firms": 20000},
    # one county of the size of Jönköping or Kalmar (12-13 municipalities); size assumption
    "county": {"municipalities": 12, "regions": 1, "firms": 800},
    # a few neighbouring municipalities: quick tests and demonstrations
    "small": {"municipalities": 4, "regions": 1, "firms": 150},
}

MUNICIPALITY_SPACING_KM = 40.0  # assumption: Sweden's 450,000 km2 over 290 municipalities ≈ 40 km apart
FACILITATED_SHARE = 0.15  # assumption: a minority of municipalities has a symbiosis facilitator (appendix cases A1-A29)
PROGRAMME_BUDGET_SEK = (10e6, 40e6)  # A22: ERDF SEK 28.8 M for two regions; range assumed
PROGRAMME_PERIOD_YEARS = 7  # an ERDF programme period (2014-2020, 2021-2027)


def _name_municipality(i: int) -> str:
    return f"Municipality {i + 1:03d}"


def _name_region(j: int) -> str:
    return f"Region {j + 1:02d}"


def _sector_counts(total: int, rng: np.random.Generator) -> dict[str, int]:
    """Split ``total`` firms over the sectors by their shares, at least one anchor of each kind."""
    shares = np.array([s.share for s in SECTORS.values()])
    shares = shares / shares.sum()
    raw = shares * total
    counts = np.floor(raw).astype(int)
    rest = total - counts.sum()
    if rest > 0:
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[:rest]] += 1
    out = dict(zip(SECTORS, (int(c) for c in counts), strict=True))
    if total >= 50:  # every kind of anchor at least once, taken from the largest sector
        for name, sec in SECTORS.items():
            if sec.role == "anchor" and out[name] == 0:
                out[name] = 1
                out[max(out, key=out.__getitem__)] -= 1
    return out


def generate(
    municipalities: int = 10,
    regions: int | None = None,
    firms: int | None = None,
    firms_per_sector: dict[str, int] | None = None,
    seed: int = 1,
    start_year: int = 2020,
    years: int = 30,
    name: str | None = None,
) -> dict[str, Any]:
    """A raw scenario dict (as read from YAML) for a synthetic region.

    ``firms`` is the total including the two utilities per municipality; ``firms_per_sector``
    (sector name → count) replaces the default split of the non-utility firms.
    """
    if municipalities < 1:
        raise ValueError("municipalities must be at least 1")
    if regions is not None and not 1 <= regions <= municipalities:
        raise ValueError(f"regions must be 1 to {municipalities} (one municipality at least per region), not {regions}")
    regions = regions or max(1, round(municipalities / 14))  # Sweden: ~14 municipalities per region
    regions = min(regions, municipalities)
    rng = np.random.default_rng(seed)
    n_util = 2 * municipalities
    if firms is not None and firms_per_sector is None and firms < n_util:
        raise ValueError(f"firms must be at least {n_util}, the two utilities of each of {municipalities} municipalities, not {firms}")
    if firms_per_sector is not None:
        unknown = sorted(set(firms_per_sector) - set(SECTORS))
        if unknown:
            raise ValueError(f"unknown sectors {unknown} (allowed: {sorted(SECTORS)})")
        counts = {k: int(v) for k, v in firms_per_sector.items() if v > 0}
    else:
        total = 10 * municipalities + n_util if firms is None else firms
        counts = _sector_counts(max(total - n_util, 0), rng)

    # municipalities on a jittered grid; regions are contiguous bands of the grid
    cols = math.ceil(math.sqrt(municipalities))
    rows = math.ceil(municipalities / cols)
    width, height = cols * MUNICIPALITY_SPACING_KM, rows * MUNICIPALITY_SPACING_KM
    jitter = 0.25 * MUNICIPALITY_SPACING_KM
    centres = []
    for i in range(municipalities):
        r, c = divmod(i, cols)
        x = (c + 0.5) * MUNICIPALITY_SPACING_KM + rng.uniform(-jitter, jitter)
        y = (r + 0.5) * MUNICIPALITY_SPACING_KM + rng.uniform(-jitter, jitter)
        centres.append((round(float(x), 2), round(float(y), 2)))
    region_of = [min(regions - 1, i * regions // municipalities) for i in range(municipalities)]
    # municipal size: a few large towns, many small ones (lognormal weights; assumption)
    weight = rng.lognormal(0.0, 1.0, municipalities)
    weight = weight / weight.sum()
    size_rank = weight / weight.max()

    muni_names = [_name_municipality(i) for i in range(municipalities)]
    out_munis: list[dict[str, Any]] = []
    for i, (x, y) in enumerate(centres):
        out_munis.append(
            {
                "name": muni_names[i],
                "region": _name_region(region_of[i]),
                "centre_km": [x, y],
                "housing_pressure": round(float(min(1.0, 0.15 + 0.7 * size_rank[i] + rng.uniform(0, 0.15))), 2),
                "freshwater_scarcity": round(float(rng.beta(1.0, 6.0)), 2),
                "planning_stance": round(float(rng.uniform(0.3, 0.8)), 2),
                "plots": [],
            }
        )

    def place(muni: int, spread: float) -> list[float]:
        cx, cy = centres[muni]
        dx, dy = rng.normal(0.0, spread, 2)
        r = math.hypot(dx, dy)
        if r > 4 * spread:
            dx, dy = dx * 4 * spread / r, dy * 4 * spread / r
        return [round(float(min(max(cx + dx, 0.0), width)), 3), round(float(min(max(cy + dy, 0.0), height)), 3)]

    out_firms: list[dict[str, Any]] = []
    # utilities: one district-heating and one wastewater utility per municipality, sized by town
    for i in range(municipalities):
        scale = 0.3 + 2.7 * float(size_rank[i])
        for sector, streams in UTILITY_STREAMS.items():
            offers, demands = [], []
            for s in streams:
                st = _stream(rng, s, scale)
                if st is not None:
                    (offers if s.offer else demands).append(st)
            if sector == "wastewater" and offers and rng.random() < 0.3:
                offers[0]["same_discharge_point"] = True  # A16, A18: some can reuse the discharge point
            out_firms.append(
                {
                    "name": f"{muni_names[i]} {'Energi' if sector == 'district_heating' else 'Vatten'}",
                    "role": "utility",
                    "sector": sector,
                    "location_km": place(i, 1.0),
                    "municipality": muni_names[i],
                    "turnover_msek_per_year": round(20 + 300 * scale),
                    "cash_msek": round(5 + 50 * scale),
                    "offers": offers,
                    "demands": demands,
                }
            )

    # other firms: municipality drawn by weight; anchors favour larger towns more strongly
    anchor_w = weight**1.5 / (weight**1.5).sum()
    serial: dict[str, int] = {}
    anchors_by_muni: dict[int, list[str]] = {}
    for sector, n in counts.items():
        sec = SECTORS[sector]
        where = rng.choice(municipalities, size=n, p=anchor_w if sec.role == "anchor" else weight)
        for muni in where:
            muni = int(muni)
            serial[sector] = serial.get(sector, 0) + 1
            fname = f"{sector.replace('_', ' ').title()} {serial[sector]}"
            offers, demands = [], []
            for s in sec.streams:
                st = _stream(rng, s)
                if st is not None:
                    (offers if s.offer else demands).append(st)
            if sec.role == "startup":
                for d in demands:
                    d["needs_new_land"] = bool(rng.random() < 0.5)
            firm: dict[str, Any] = {
                "name": fname,
                "role": sec.role,
                "sector": sector,
                "location_km": place(muni, sec.spread_km),
                "municipality": muni_names[muni],
                "turnover_msek_per_year": round(_loguniform(rng, *sec.turnover), 1),
                "cash_msek": round(_loguniform(rng, *sec.turnover) * (0.1 if sec.role != "startup" else 1.0), 1),
                "offers": offers,
                "demands": demands,
            }
            if sec.energy_mw[1] > 0:
                firm["energy_input_mw"] = round(_loguniform(rng, *sec.energy_mw), 1)
            if sec.data_centre:
                firm["data_centre"] = True
            out_firms.append(firm)
            if sec.role == "anchor":
                anchors_by_muni.setdefault(muni, []).append(fname)

    # plots beside anchors (§2.4.1) and the hub of each municipality with an anchor
    for muni, names in anchors_by_muni.items():
        m = out_munis[muni]
        m["hub"] = names[0]
        for a in names:
            m["plots"].append({"near": a, "count": int(rng.integers(2, 5)), "radius_km": 1.0})

    # regions and programmes (§3.3, §3.4.2): SME-only regional fund with its total over a seven-year
    # programme period paid as a yearly appropriation, and small anchor-eligible municipal money
    # (one 24-month project's worth a year)
    out_regions = []
    for j in range(regions):
        fund_total = round(_loguniform(rng, *PROGRAMME_BUDGET_SEK), -3)
        municipal = round(_loguniform(rng, 2e6, 8e6), -3)
        out_regions.append(
            {
                "name": _name_region(j),
                "programmes": [
                    {
                        "name": f"{_name_region(j)} regional development fund (SMEs only)",
                        "budget_sek": fund_total,
                        "budget_sek_per_year": round(fund_total / PROGRAMME_PERIOD_YEARS, -3),
                        "funding_rate": 0.5,
                        "project_length_months": 36,
                        "call_interval_months": 12,
                    },
                    {
                        "name": f"{_name_region(j)} municipal money",
                        "budget_sek_per_year": round(municipal / 2.0, -3),
                        "funding_rate": 0.4,
                        "project_length_months": 24,
                        "call_interval_months": 12,
                        "anchor_eligible": True,
                    },
                ],
            }
        )

    # facilitators in some municipalities, mostly where anchors are (appendix cases: most have one)
    n_fac = max(1, round(FACILITATED_SHARE * municipalities))
    fac_w = weight + np.array([0.02 * len(anchors_by_muni.get(i, [])) for i in range(municipalities)])
    fac_w = fac_w / fac_w.sum()
    chosen = sorted(int(i) for i in rng.choice(municipalities, size=min(n_fac, municipalities), replace=False, p=fac_w))
    out_facs = []
    for i in chosen:
        running = bool(rng.random() < 0.5)
        out_facs.append(
            {
                "name": f"{muni_names[i]} symbiosis centre",
                "region": _name_region(region_of[i]),
                "municipalities": [muni_names[i]],
                "cost_sek_per_month": 150000.0,
                "initial_engagement": round(float(rng.uniform(0.1, 0.5)), 2),
                "initial_project_months": int(rng.integers(12, 37)) if running else 0,
            }
        )

    return {
        "name": name or f"synthetic-{municipalities}m-{len(out_firms)}f-seed{seed}",
        "description": (
            f"Synthetic region: {municipalities} municipalities in {regions} regions, {len(out_firms)} firms, seed {seed} "
            "(sim.scenarios.synthetic). Tests: scale and benchmarks; P8, P10, P11 across many municipalities."
        ),
        "start_year": start_year,
        "years": years,
        "seed": seed,
        "area_km": [round(width, 1), round(height, 1)],
        "regions": out_regions,
        "municipalities": out_munis,
        "facilitators": out_facs,
        "firms": out_firms,
    }


def preset(which: str, seed: int = 1, **overrides: Any) -> dict[str, Any]:
    """A raw dict from a named preset (``national``, ``county``, ``small``)."""
    if which not in PRESETS:
        raise ValueError(f"unknown preset {which!r} (allowed: {sorted(PRESETS)})")
    args = {**PRESETS[which], **overrides}
    return generate(
        seed=seed, name=overrides.get("name") or f"synthetic-{which}-seed{seed}", **{k: v for k, v in args.items() if k != "name"}
    )


def config(**kwargs: Any) -> ScenarioConfig:
    """A validated :class:`ScenarioConfig` for :func:`generate`'s arguments."""
    return build(generate(**kwargs))
