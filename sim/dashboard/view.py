"""What the dashboard's tiles show: a consistent copy of the model at one step, and a pinned run.

Kept apart from the components and free of solara, so the copy can be made and tested without a
browser session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.dashboard import actor, feed, mapsvg
from sim.dashboard.scenario import DashboardModel, Settings, changes, find_case


@dataclass(frozen=True)
class Pinned:
    """A run's curves kept as a faint reference."""

    label: str
    t: list[float]
    columns: dict[str, list[float]]

    def at(self, step: int, column: str) -> float | None:
        """The pinned value at this step; past the pinned run's end its last value, before step 1 none."""
        vals = self.columns[column]
        return vals[min(step, len(vals)) - 1] if vals and step > 0 else None


def _cumsum(vals: list[float]) -> list[float]:
    """Running total, for the cumulative CO2 curve."""
    out, acc = [], 0.0
    for v in vals:
        acc += v
        out.append(acc)
    return out


@dataclass(frozen=True)
class View:
    """A consistent copy of what the tiles show at one step.

    Mesa plays the model in a worker thread while a click may render from another, so the tiles
    never read the live model: this copy is taken under the model's lock, all columns the same
    length.
    """

    step: int
    horizon: int
    year: int
    month: int
    t_range: tuple[float, float]
    t: list[float]
    data: dict[str, list[Any]]
    columns: dict[str, list[float]]
    public_msek: float
    firms_alive: int
    settings: Settings
    case_label: str
    changes: list[str]
    cluster_rule: str
    map_svg: str
    map_legend: str
    feed_main: list[tuple[int, str]]
    feed_detail: list[tuple[int, str]]
    panel: str  # the clicked actor's panel
    finished: bool


def snapshot(m: DashboardModel, frame: mapsvg.MapFrame, sectors: list[str], selected: str | None = None) -> View:
    """Copy what the tiles need from the model, under its lock.

    ``sectors`` are all the sectors the run may show (start-ups' too), so the legend never changes
    its colours mid-run.
    """
    with m.state_lock:
        d = m.collector.data
        n = min(len(v) for v in d.values())
        data = {k: list(v[:n]) for k, v in d.items()}
        map_svg = mapsvg.map_svg(m, frame)
        legend = mapsvg.map_legend(m, sectors)
        feed_main = feed.lines(m, detail=False)
        feed_detail = feed.lines(m, detail=True)
        panel = actor.panel_html(m, selected)
        # one collected row per finished month (Mesa counts a step before it runs, outside the lock)
        step, public, alive, finished = n, m.public_sek_total / 1e6, m.n_alive, not m.running
    start = m.config.start_year
    obs = m.config.observation
    columns = {
        "active_exchanges": data["active_exchanges"],
        "co2_avoided_kt": [v / 1000 for v in _cumsum(data["co2_avoided_t"])],
        "public_msek": [v / 1e6 for v in data["public_funding_sek"]],
        "facilitator_engagement": data["facilitator_engagement"],
        "mean_trust": data["mean_trust"],
        "firms_alive": data["firms_alive"],
    }
    year, month = m.date_of(step) if step > 0 else (start, 1)
    return View(
        step=step,
        horizon=m.horizon,
        year=year,
        month=month,
        t_range=(float(start), float(start + m.config.years)),
        t=[y + (mo - 1) / 12 for y, mo in zip(data["year"], data["month"], strict=True)],
        data=data,
        columns=columns,
        public_msek=public,
        firms_alive=alive,
        settings=m.settings,
        case_label=find_case(m.settings.case).label,
        changes=changes(m.settings),
        cluster_rule=f"at least {obs.cluster_min_firms} firms exchanging at least {obs.cluster_min_resources} resource types",
        map_svg=map_svg,
        map_legend=legend,
        feed_main=feed_main,
        feed_detail=feed_detail,
        panel=panel,
        finished=finished,
    )
