"""Measures taken on a run's tables that studies, the validation and the tests share.

Each takes what :func:`sim.run.runner.run` returns (the ``timeseries`` or ``exchanges`` table) and
gives one number or flag per run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def water_first_month(exchanges: pd.DataFrame, horizon: int, supplier: str = "Millby Wastewater") -> float:
    """Month the supplier's water first reaches a receiver; ``horizon + 1`` if never (censored).

    Permitting sits between discovery and operation, so a harder permit delays it (P6)."""
    w = exchanges[(exchanges["supplier"] == supplier) & (exchanges["operating_since"] > 0)]
    return float(w["operating_since"].min()) if len(w) else float(horizon + 1)


def water_permits_denied(exchanges: pd.DataFrame, supplier: str = "Millby Wastewater") -> float:
    """The supplier's water exchanges that ended with a denied permit (P6)."""
    return float(((exchanges["supplier"] == supplier) & (exchanges["end_reason"] == "permit_denied")).sum())


def active_before(timeseries: pd.DataFrame, step: int, months: int = 12) -> bool:
    """Whether the cluster passed the 3-2 test in any of the ``months`` months before ``step``."""
    cluster = timeseries["cluster_active"].to_numpy(dtype=bool)
    return bool(cluster[max(0, step - 1 - months) : step - 1].any())


def inactive_at_end(timeseries: pd.DataFrame, window: int) -> bool:
    """Whether the cluster failed the 3-2 test in each of the last ``window`` months."""
    return bool(not timeseries["cluster_active"].to_numpy(dtype=bool)[-window:].any())


def collapsed_after(timeseries: pd.DataFrame, step: int, window: int) -> bool:
    """Collapse after an event at ``step``: active in the year before it, inactive at the end."""
    return active_before(timeseries, step) and inactive_at_end(timeseries, window)


def longest_active_years(timeseries: pd.DataFrame, step: int) -> float:
    """Years from ``step`` to the last month the cluster was active (0 if never again)."""
    after = np.flatnonzero(timeseries["cluster_active"].to_numpy(dtype=bool)[step - 1 :])
    return (after[-1] + 1) / 12.0 if len(after) else 0.0
