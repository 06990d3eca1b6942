"""The docking evaluator on synthetic run tables: each observable kind, and the criterion over seeds."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import config
from sim.config.facts import FactConfig
from sim.core.events import COLUMNS
from sim.run.facts import judge, observe, window_steps

CFG = config.load(Path(__file__).resolve().parent.parent / "configs" / "cases" / "A16_novo_gryaab.yaml")  # 2022-2030


def _ts(**cols: list) -> pd.DataFrame:
    steps = np.arange(1, CFG.steps + 1)
    base = {"step": steps, "year": CFG.start_year + (steps - 1) // 12, "cluster_active": np.zeros(CFG.steps, dtype=bool)}
    base["active_exchanges"] = np.zeros(CFG.steps)
    for k, v in cols.items():
        base[k] = v
    return pd.DataFrame(base)


def _events(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [{c: r.get(c, "" if c not in ("step", "exchange", "count") else -1) for c in COLUMNS} for r in rows], columns=list(COLUMNS)
    )


def _exchanges(*rows: dict) -> pd.DataFrame:
    base = {"resource": "heat", "supplier": "Novo battery plant", "receiver": "Göteborg Energi", "quantity_per_month": 100.0}
    return pd.DataFrame([{**base, **r} for r in rows], columns=[*base, "operating_since", "ended_step"])


def _fact(observe: str, expect, window=(2023, 2024), **kw) -> FactConfig:
    return FactConfig(id="f", says="s", source="A16", observe=observe, window=window, expect=expect, **kw)


NONE = _exchanges()
STEP_2023 = 13  # January 2023


def test_window_is_the_months_of_its_years_inside_the_run() -> None:
    assert window_steps(CFG, _fact("cluster_active", True, (2023, 2024))) == (13, 36)
    assert window_steps(CFG, _fact("cluster_active", True, (2022, 2030))) == (1, CFG.steps)


def test_a_fact_the_run_does_not_cover_is_left_out_not_failed() -> None:
    for window in ((2018, 2023), (2029, 2031)):
        assert math.isnan(observe(CFG, _fact("cluster_active", True, window), _ts(), _events(), NONE))
    verdict = judge(_fact("cluster_active", True), [math.nan, 1.0, 1.0])
    assert verdict.seeds == 2 and verdict.measured == 1.0


@pytest.mark.parametrize(
    ("since", "ended", "seen"),
    [(14, -1, 1.0), (2, 13, 0.0), (2, 14, 1.0), (37, -1, 0.0), (0, -1, 1.0), (-1, -1, 0.0)],
)
def test_exchange_operates_in_some_month_of_the_window(since: int, ended: int, seen: float) -> None:
    ex = _exchanges({"operating_since": since, "ended_step": ended})
    assert observe(CFG, _fact("exchange", True, resource="heat", supplier="Novo battery plant"), _ts(), _events(), ex) == seen


def test_exchange_matches_resource_and_partners() -> None:
    ex = _exchanges({"operating_since": 14, "ended_step": -1})
    assert observe(CFG, _fact("exchange", True, resource="technical_water"), _ts(), _events(), ex) == 0.0
    assert observe(CFG, _fact("exchange", True, resource="heat", receiver="Gryaab"), _ts(), _events(), ex) == 0.0
    assert observe(CFG, _fact("exchange_started", True, resource="heat"), _ts(), _events(), ex) == 1.0
    initial = _exchanges({"operating_since": 0, "ended_step": -1})  # operating before the run: never started in it
    assert observe(CFG, _fact("exchange_started", True, (2022, 2030), resource="heat"), _ts(), _events(), initial) == 0.0


def test_cluster_active_in_some_month() -> None:
    on = np.zeros(CFG.steps, dtype=bool)
    on[40] = True  # May 2025
    assert observe(CFG, _fact("cluster_active", True, (2025, 2025)), _ts(cluster_active=on), _events(), NONE) == 1.0
    assert observe(CFG, _fact("cluster_active", True, (2023, 2024)), _ts(cluster_active=on), _events(), NONE) == 0.0


def test_firm_present_until_it_exits() -> None:
    ev = _events({"step": 30, "kind": "firm_exited", "firm": "Gryaab"})
    assert observe(CFG, _fact("firm_present", True, (2023, 2023), firm="Gryaab"), _ts(), ev, NONE) == 1.0
    assert observe(CFG, _fact("firm_present", True, (2024, 2024), firm="Gryaab"), _ts(), ev, NONE) == 0.0
    assert observe(CFG, _fact("firm_present", True, (2024, 2024), firm="Nobody"), _ts(), ev, NONE) == 0.0


def test_entries_permits_and_land() -> None:
    ev = _events(
        {"step": 20, "kind": "firm_entered", "firm": "Greenhouse 1", "sector": "greenhouse"},
        {"step": 21, "kind": "firm_birth", "firm": "New food firm 1", "sector": "food"},
        {"step": 22, "kind": "permit_denied", "resource": "technical_water", "supplier": "Gryaab", "receiver": "Novo battery plant"},
        {"step": 23, "kind": "land_replanned", "municipality": "Göteborg"},
    )
    assert observe(CFG, _fact("firm_entered", True, sector="greenhouse"), _ts(), ev, NONE) == 1.0
    assert observe(CFG, _fact("firm_entered", True, sector="food"), _ts(), ev, NONE) == 1.0  # a birth of the named sector
    assert observe(CFG, _fact("firm_entered", True, (2025, 2026)), _ts(), ev, NONE) == 0.0
    assert observe(CFG, _fact("permit_denied", True, resource="technical_water", firm="Novo battery plant"), _ts(), ev, NONE) == 1.0
    assert observe(CFG, _fact("permit_denied", True, resource="heat"), _ts(), ev, NONE) == 0.0
    assert observe(CFG, _fact("land_replanned", True, municipality="Göteborg"), _ts(), ev, NONE) == 1.0
    assert observe(CFG, _fact("land_replanned", True, (2022, 2022)), _ts(), ev, NONE) == 0.0


def test_count_falls_and_quantity() -> None:
    active = np.arange(CFG.steps, dtype=float)  # 0, 1, ... a month
    ts = _ts(active_exchanges=active)
    assert observe(CFG, _fact("count", [0, 1], (2023, 2024), metric="active_exchanges", stat="max"), ts, _events(), NONE) == 35.0
    assert observe(CFG, _fact("count", [0, 1], (2023, 2024), metric="active_exchanges", stat="last"), ts, _events(), NONE) == 35.0
    assert observe(CFG, _fact("count", [0, 1], (2023, 2023), metric="active_exchanges", stat="mean"), ts, _events(), NONE) == 17.5
    assert observe(CFG, _fact("falls", True, metric="active_exchanges"), ts, _events(), NONE) == 0.0
    assert observe(CFG, _fact("falls", True, metric="active_exchanges"), _ts(active_exchanges=active[::-1]), _events(), NONE) == 1.0
    ex = _exchanges({"operating_since": 2, "ended_step": -1}, {"operating_since": 3, "ended_step": 20})
    assert observe(CFG, _fact("quantity", [0, 1], (2023, 2024), resource="heat"), _ts(), _events(), ex) == 100.0


def test_criterion() -> None:
    yes = _fact("exchange", True, resource="heat")
    no = _fact("exchange", False, resource="heat")
    assert judge(yes, [1] * 16 + [0] * 14).holds and not judge(yes, [1] * 15 + [0] * 15).holds  # more than half
    assert judge(no, [0] * 16 + [1] * 14).holds and not judge(no, [0] * 15 + [1] * 15).holds
    assert judge(yes, [1]).holds and judge(yes, [1]).low > 0 and not judge(no, [1]).holds  # one seed: Wilson excludes 0
    v = judge(yes, [1] * 20 + [0] * 10)
    assert v.measured == pytest.approx(2 / 3) and 0.47 < v.low < 0.5 and 0.8 < v.high < 0.82  # Wilson 95 %
    count = _fact("count", [2, 4], metric="active_exchanges")
    assert judge(count, [1, 3, 5]).holds and not judge(count, [5, 5, 6]).holds
    c = judge(count, [1.0, 3.0, 5.0])
    assert c.low < 3 < c.high and c.seeds == 3
    assert not judge(yes, [math.nan]).holds and judge(yes, []).seeds == 0
