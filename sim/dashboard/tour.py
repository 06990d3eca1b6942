"""A short guided tour for a case whose history schedules a firm's exit (Findus leaves Bjuv in June 2017).

The month to watch comes from the case file's scheduled ``firm_exit`` event, so the tour says
what happens on every seed: a scheduled exit is not left to chance.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim import config
from sim.dashboard.feed import month_label

# case file stem → what to tell around the exit (the month and firm come from the file)
STORIES = {
    "A13_bjuv": (
        "{firm} is the anchor and hub of the food cluster: its process water, food waste and heat feed the treatment "
        "plant, the biogas plant and the growers around it (the lines around the big square on the map).",
        "Afterwards, watch the plants it fed lose their input, start-ups beside the hub without supply give up, and "
        "whether the town re-plans the empty industrial land for housing. Click a firm to see its exchanges.",
    ),
}
GENERIC = (
    "{firm} is one of the region's firms; the case history says when it leaves.",
    "Afterwards, watch which exchanges end with it and whether its partners find others. Click a firm to see its exchanges.",
)


@dataclass(frozen=True)
class Tour:
    firm: str
    year: int
    month: int
    step: int  # the step the exit happens in
    intro: str
    watch: str
    after: str

    @property
    def when(self) -> str:
        return month_label(self.year, self.month)

    @property
    def before(self) -> str:
        """The month before, where "jump" stops so the student sees the exit happen."""
        return month_label(self.year, self.month - 1) if self.month > 1 else month_label(self.year - 1, 12)


def tour_for(case_key: str, cfg: config.ScenarioConfig) -> Tour | None:
    """The tour of the case's first scheduled firm exit, or None if its history schedules none."""
    exits = sorted((e for e in cfg.events if e.kind == "firm_exit" and e.firm), key=lambda e: (e.year, e.month))
    if not exits:
        return None
    ev = exits[0]
    intro, after = STORIES.get(case_key, GENERIC)
    step = (ev.year - cfg.start_year) * 12 + ev.month
    watch = (
        f"Watch what happens in {month_label(ev.year, ev.month)}: {ev.firm} leaves, as it did in reality. Its exchange lines "
        "vanish from the map and the feed says how many exchanges end. The date is in the case history, so it happens on every seed."
    )
    return Tour(ev.firm, ev.year, ev.month, step, intro.format(firm=ev.firm), watch, after)
