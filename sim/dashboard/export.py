"""The current run as CSV files a student can open in a spreadsheet: the monthly series and the events."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from sim.core.events import COLUMNS
from sim.dashboard import feed

if TYPE_CHECKING:
    from sim.dashboard.scenario import DashboardModel


def timeseries_csv(m: DashboardModel) -> bytes:
    """One row per simulated month, every collected column, as the model holds them now."""
    with m.state_lock:
        data = {k: list(v) for k, v in m.collector.data.items()}
    n = min((len(v) for v in data.values()), default=0)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(list(data))
    for i in range(n):
        w.writerow([data[k][i] for k in data])
    return out.getvalue().encode("utf-8")


def events_csv(m: DashboardModel) -> bytes:
    """Every event so far with its typed fields, and the feed's sentence for it."""
    with m.state_lock:
        events = list(m.events)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([*COLUMNS, "in_words"])
    for ev in events:
        w.writerow([*(ev[c] for c in COLUMNS), feed.sentence(ev) or ""])
    return out.getvalue().encode("utf-8")


def filename(m: DashboardModel, what: str) -> str:
    return f"symbiosis-{m.settings.case}-seed{m.settings.seed}-month{m.steps}-{what}.csv"
