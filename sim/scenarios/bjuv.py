"""The Bjuv case's set-up that the Bjuv study, the pattern validation and the tests share.

``configs/cases/A13_bjuv.yaml`` schedules Findus's exit in June 2017 and nothing else about the
collapse. The study's second-anchor arm (an assumption, not in the report) treats Saint-Gobain
Isover's glass-wool plant in Billesholm, about 5.6 km from the Findus hub and already in the case
as an SME network member, as an anchor with furnace and curing-oven residual heat to offer; its
energy input and heat offer are orders of magnitude only.
"""

from __future__ import annotations

import copy
from typing import Any

from sim import config

CASE = config.CONFIGS / "cases" / "A13_bjuv.yaml"
START_YEAR = 2008
EXIT_YEAR, EXIT_MONTH = 2017, 6  # the case's firm_exit event
EXIT_STEP = (EXIT_YEAR - START_YEAR) * 12 + EXIT_MONTH  # step of June 2017 (steps count from 1)

SECOND_ANCHOR_NAME = "Isover"
SECOND_ANCHOR: dict[str, Any] = {
    "role": "anchor",
    "cash_msek": 100,
    "energy_input_mw": 30,
    "offers": [{"resource": "heat", "quantity": 1500, "quality": 50}],
}


def case_raw(second_anchor: bool = False) -> dict[str, Any]:
    """The case file as a raw dict, with Isover made a second heat anchor if asked; the file itself is never edited."""
    raw = config.read_yaml(CASE)
    if second_anchor:
        raw = copy.deepcopy(raw)
        firm = next(f for f in raw["firms"] if f["name"] == SECOND_ANCHOR_NAME)
        firm.update(copy.deepcopy(SECOND_ANCHOR))
    return raw


def case_config(second_anchor: bool = False, overrides: dict[str, Any] | None = None) -> config.ScenarioConfig:
    raw = case_raw(second_anchor)
    return config.build(config.apply_overrides(raw, overrides) if overrides else raw)
