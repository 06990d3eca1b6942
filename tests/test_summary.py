"""A run's summary counts what its events and tables say (sim.run.runner.summarise, sim.run.measures.Tally)."""

from __future__ import annotations

import math

import pandas as pd

from sim import config
from sim.config import ROOT
from sim.core.events import COLUMNS
from sim.run import runner
from sim.run.measures import Tally


def _events(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))


def test_the_tally_counts_kinds_refusals_replanned_plots_and_partner_exits() -> None:
    ev = _events(
        [
            {"kind": "investment_grant_denied", "reason": "budget_exhausted"},
            {"kind": "investment_grant_denied", "reason": "budget_exhausted"},
            {"kind": "investment_grant_denied", "reason": "no_existing_emissions"},
            {"kind": "land_replanned", "count": 3},
            {"kind": "land_replanned", "count": -1},  # a plot given back counts as none
            {"kind": "land_replanned", "count": math.nan},
            {"kind": "exchange_ended", "reason": "partner_exit", "was_operating": True},
            {"kind": "exchange_ended", "reason": "partner_exit", "was_operating": False},
            {"kind": "exchange_ended", "reason": "contract_end", "was_operating": True},
            {"kind": "permit_granted", "reason": "partner_exit", "was_operating": True},
        ]
    )
    t = Tally(ev)
    assert t.kinds["investment_grant_denied"] == 3 and t.kinds["exchange_ended"] == 3
    assert (t.refused["budget_exhausted"], t.refused["no_existing_emissions"]) == (2, 1)
    assert t.replanned == 3
    assert t.partner_exit_ended == 1


def test_no_events_count_nothing() -> None:
    t = Tally(_events([]))
    assert (sum(t.kinds.values()), sum(t.refused.values()), t.replanned, t.partner_exit_ended) == (0, 0, 0, 0)


def test_a_runs_summary_agrees_with_its_tables_counted_by_pandas() -> None:
    """The summary's counts, against the same questions asked of the run's tables with pandas."""
    res = runner.run(config.load(ROOT / "configs" / "scenarios" / "anchor_exit.yaml"), 3)
    ev, ts, ex, s = res.events, res.timeseries, res.exchanges, res.summary
    kinds = ev["kind"]
    assert s["startups_entered"] == int((kinds == "firm_entered").sum())
    assert s["permits_granted"] == int((kinds == "permit_granted").sum()) > 0
    ended = (kinds == "exchange_ended") & (ev["reason"] == "partner_exit") & ev["was_operating"].fillna(False).astype(bool)
    assert s["exchanges_ended_partner_exit"] == int(ended.sum()) > 0
    assert s["exchanges_started"] == int((ex["operating_since"] > 0).sum())
    assert s["co2_avoided_total_t"] == float(ts["co2_avoided_t"].sum())
    assert s["co2_avoided_t_per_year_10y"] == float(ts["co2_avoided_t"].iloc[108:120].sum())
    assert s["final_active_exchanges"] == int(ts["active_exchanges"].iloc[-1])
    assert s["first_exchange_step"] == int(ts.loc[ts["active_exchanges"] > 0, "step"].iloc[0])
