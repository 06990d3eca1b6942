"""The set-ups behind the pattern table: which arms show each pattern P1–P12 (docs/odd.md, 1.2).

Kept apart from the measuring script so the table's rows can be read, and changed, in one place:
each contrast names its arms, the outcome that shows the pattern and the tests that guard it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from experiments.common import ROOT

EXAMPLE = None  # the built-in example (configs/example.yaml)
ANCHOR_EXIT = str(ROOT / "configs" / "scenarios" / "anchor_exit.yaml")
TEN_YEARS = 120
CAPPED = {"municipalities.0.freshwater_scarcity": 1.0, "firms.0.demands.0.virgin_price": 2.0}
# P8 in a generated region: written on first use (sim.scenarios.synthetic, the same region as the tests)
P8_REGION = ROOT / "results" / "validation" / "p8_region.yaml"
P8_FACILITATOR = {
    "name": "Region symbiosis centre",
    "region": "Region 01",
    "municipalities": [f"Municipality {i:03d}" for i in range(1, 5)],
    "cost_sek_per_month": 150000.0,
    "initial_engagement": 0.5,
    "initial_project_months": 120,
}


def write_p8_region() -> Path:
    """The generated region of the P8 contrast, without its facilitators (each arm sets its own)."""
    from sim.scenarios import synthetic

    raw = synthetic.generate(municipalities=4, firms=150, seed=3, years=10)
    raw["facilitators"] = []
    names = [m["name"] for m in raw["municipalities"]]
    assert names == P8_FACILITATOR["municipalities"] and raw["municipalities"][0]["region"] == P8_FACILITATOR["region"], names
    P8_REGION.parent.mkdir(parents=True, exist_ok=True)
    P8_REGION.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return P8_REGION


@dataclass(frozen=True)
class Contrast:
    """Outcome ``key`` in arm A against arm B on seeds 0..n-1; the pattern predicts A > B."""

    pattern: str
    setup: str
    key: str
    a_label: str
    b_label: str
    a: dict[str, Any] = field(default_factory=dict)
    b: dict[str, Any] = field(default_factory=dict)
    path: str | None = EXAMPLE
    steps: int | None = TEN_YEARS
    n_factor: float = 1.0
    tests: str = ""
    effect: str = "welch"  # or "hodges_lehmann": median of all pairwise differences with a bootstrap 95 % interval


CONTRASTS: list[Contrast] = [
    Contrast(
        "P1",
        "anchor-exit set-up (`configs/scenarios/anchor_exit.yaml`), 16 years",
        "collapsed",
        "reserved land + base funding",
        "baseline",
        a={"policy.land_reservation": True, "policy.facilitator_base_funding_sek_per_year": 1.8e6},
        path=ANCHOR_EXIT,
        steps=None,
        tests="`mechanisms/test_firm_exit.py::test_anchor_exit_collapses_the_cluster_and_policy_helps_recovery`, "
        "`mechanisms/test_land_planning.py::test_replanned_land_blocks_new_establishments`, `mechanisms/test_firm_exit.py::test_firm_exit_removes_firms_and_their_exchanges`",
    ),
    Contrast(
        "P2",
        "example, 10 years",
        "active_exchanges_10y",
        "no gap between projects",
        "24-month gap",
        a={"policy.funding_gap_months": 0},
        b={"policy.funding_gap_months": 24},
        n_factor=1.5,
        tests="`mechanisms/test_project_funding.py::test_project_funding_gap_loses_exchanges`, `mechanisms/test_engagement.py::test_engagement_rebuilds_slowly_after_a_gap`",
    ),
    Contrast(
        "P2",
        "example, 24-month gap, 10 years",
        "mean_engagement",
        "engagement switched off, funding acts at once",
        "engagement builds and decays",
        a={"policy.funding_gap_months": 24, "mechanisms.engagement": False},
        b={"policy.funding_gap_months": 24},
        tests="`mechanisms/test_engagement.py::test_engagement_rebuilds_slowly_after_a_gap`",
    ),
    Contrast(
        "P3",
        "example, 20 years",
        "startup_exchanges_started",
        "stepwise financing off",
        "stepwise financing on",
        a={"mechanisms.financing": False},
        steps=None,
        tests="`mechanisms/test_financing.py::test_stepwise_financing_holds_startups_back`",
    ),
    Contrast(
        "P3",
        "example, 10 years",
        "exchanges_started",
        "trust switched off",
        "trust gates negotiations",
        a={"mechanisms.trust": False},
        tests="`mechanisms/test_trust.py::test_trust_barrier_slows_deals`",
    ),
    Contrast(
        "P4",
        "example, 10 years",
        "anchor_exchanges_started",
        "anchor revenue switched off",
        "anchors weigh attention and risk",
        a={"mechanisms.anchor_revenue": False},
        n_factor=1.5,
        tests="`mechanisms/test_anchor_revenue.py::test_delivery_risk_and_review_keep_large_suppliers_out_of_marginal_deals`",
    ),
    Contrast(
        "P5",
        "example without a facilitator's projects, 10 years",
        "exchanges_started",
        "snowball on",
        "snowball off",
        a={"policy.funding_gap_months": 600},
        b={"policy.funding_gap_months": 600, "mechanisms.snowball": False},
        n_factor=1.5,
        tests="`mechanisms/test_snowball.py::test_snowball_finds_more_streams`",
    ),
    Contrast(
        "P6",
        "example, 20 years",
        "startup_exchanges_started",
        "permits switched off",
        "permits on",
        a={"mechanisms.permits": False},
        steps=None,
        tests="`mechanisms/test_permits.py::test_permits_gate_and_delay_receivers`",
    ),
    Contrast(
        "P6",
        "example, 10 years: the treatment plant's water with a new discharge or the same discharge point",
        "water_first_month",
        "new discharge",
        "same discharge point",
        a={"firms.2.offers.0.same_discharge_point": False},
        tests="`mechanisms/test_permits.py::test_same_discharge_point_eases_water_reuse`",
    ),
    Contrast(
        "P6",
        "example, 10 years: the treatment plant's water with a new discharge or the same discharge point",
        "water_permits_denied",
        "new discharge",
        "same discharge point",
        a={"firms.2.offers.0.same_discharge_point": False},
        tests="`mechanisms/test_permits.py::test_same_discharge_point_eases_water_reuse`",
    ),
    Contrast(
        "P7",
        "example with a binding water cap, 10 years",
        "virgin_water_saved_total_m3",
        "scarcity on",
        "scarcity off",
        a=CAPPED,
        b={**CAPPED, "mechanisms.scarcity": False},
        n_factor=1.5,
        tests="`mechanisms/test_scarcity.py::test_scarcity_drives_water_reuse`",
    ),
    Contrast(
        "P8",
        "example, 10 years: the symbiosis centre or none (the firms search and deal on their own)",
        "exchanges_started",
        "with the symbiosis centre",
        "no facilitator",
        b={"facilitators": []},
        effect="hodges_lehmann",
        tests="`mechanisms/test_matching.py::test_facilitators_matter`, `mechanisms/test_project_funding.py::test_project_funding_gap_loses_exchanges`, "
        "`mechanisms/test_project_funding.py::test_permanent_base_funding_bridges_gaps`",
    ),
    Contrast(
        "P8",
        "generated region (4 municipalities, 150 firms, region seed 3), 10 years: a funded facilitator for all four or none",
        "exchanges_started",
        "funded facilitator",
        "no facilitator",
        a={"facilitators": [P8_FACILITATOR]},
        b={"facilitators": []},
        path=str(P8_REGION),
        steps=None,
        effect="hodges_lehmann",
        tests="`mechanisms/test_acquaintance.py::test_a_region_without_facilitator_forms_exchanges_by_itself`, "
        "`mechanisms/test_acquaintance.py::test_a_funded_facilitator_forms_more_and_sooner`",
    ),
    Contrast(
        "P9",
        "example, 10 years: the district-heating utility at its site (1.8 km from the mill) or 20 km away",
        "heat_delivered_total_mwh",
        "utility beside the mill",
        "utility 20 km away",
        b={"firms.1.location_km": [40.0, 20.0]},
        tests="`mechanisms/test_benefit.py::test_heat_is_local`",
    ),
    Contrast(
        "P9",
        "example, 20 years: free plots beside the mill or none",
        "startups_entered",
        "4 free plots beside the mill",
        "no free land",
        b={"municipalities.0.plots": []},
        steps=None,
        tests="`mechanisms/test_entry.py::test_entrants_need_land_beside_the_anchor`",
    ),
    Contrast(
        "P10",
        "example, 10 years",
        "anchor_exchanges_started",
        "anchor-eligible money",
        "SME-only money",
        a={"policy.funding_anchor_eligible": True},
        b={"policy.funding_anchor_eligible": False},
        n_factor=1.5,
        tests="`mechanisms/test_project_funding.py::test_anchor_eligible_funding_reaches_the_anchor`",
    ),
    Contrast(
        "P11",
        "example, 20 years (Brookside has no facilitator at the start)",
        "facilitators_started",
        "diffusion on",
        "diffusion off",
        b={"mechanisms.diffusion": False},
        steps=None,
        tests="`mechanisms/test_diffusion.py::test_diffusion_spreads_facilitation`",
    ),
]


# P12: plant-to-utility heat exchanges, (scenario, overrides, supplier, receiver) and the row's set-up.
HEAT_PAIRS = {
    "example": (EXAMPLE, {"years": 40}, "Millby Pulp", "Millby Energi"),
    "A7": (str(ROOT / "configs" / "cases" / "A7_vastra_malardalen.yaml"), {}, "Yara Köping", "VME Köping district heating"),
    "A11": (str(ROOT / "configs" / "cases" / "A11_ipos.yaml"), {}, "Kemira Helsingborg", "Öresundskraft"),
}
HEAT_SETUPS = {
    "example": "example over 40 years: the mill's heat to Millby Energi",
    "A7": "A7 Västra Mälardalen, 1982–2030: Yara's heat to Köping's district heating",
    "A11": "A11 Industry Park of Sweden, 1974–2030: Kemira's heat to Öresundskraft",
}
