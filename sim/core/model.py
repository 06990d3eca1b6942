"""The symbiosis model: one step is one month.

The model is thin on purpose: it builds the agents from a config (:mod:`sim.core.build`), keeps
the exchange ledger (:mod:`sim.core.ledger`), the firm register (:mod:`sim.core.firms`) and the
event log, and runs the month as the mechanism registry (:mod:`sim.mechanisms`) lists it. Every
rule and the state it needs live in the mechanism's own module.
"""

from __future__ import annotations

import heapq
import logging
import math
from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
from mesa.experimental.mesa_signals import core as _signals
from mesa.experimental.mesa_signals.signal_types import ObservableSignals

from agents.facilitator import Facilitator
from agents.firm import Firm
from agents.municipality import Municipality
from agents.region import Region
from sim.core import build, events, firms, history, resources
from sim.core.collector import Collector
from sim.core.events import EventKind
from sim.core.exchange import Exchange
from sim.core.ledger import Ledger
from sim.mechanisms import REGISTRY, Mechanism, plan

_MESA_LOG = mesa.model._mesa_logger  # the logger of Mesa's own step
_TIME_CHANGED = ("time", ObservableSignals.CHANGED)  # what Mesa's Observable ``time`` tells its subscribers


def _plain(gen: Any) -> bool:
    """Whether Mesa's default schedule runs every 1.0 without end (so the next month is at time + 1)."""
    sch = gen.schedule
    return gen._active and not gen._paused and sch.interval == 1.0 and sch.end is None and sch.count is None


def _unobserved(model: mesa.Model) -> bool:
    """Whether reading and writing ``model.time`` is reading and writing its value ``_time``, as Mesa's
    Observable does when nobody subscribes to it and no computed property is being evaluated."""
    return _signals.CURRENT_COMPUTED is None and not model.subscribers.get(_TIME_CHANGED)


class SymbiosisModel(mesa.Model):
    """Industrial and urban symbiosis in a region, month by month."""

    def __init__(
        self,
        config: Any = None,
        *,
        rng: int | None = None,
        registry: tuple[Mechanism, ...] = REGISTRY,
        **levers: Any,
    ) -> None:
        """Build the model from a config and a seed (``rng``, required: a run without one cannot be replayed).

        Extra keyword arguments are policy levers or ``mechanism_<name>`` switches, so that
        ``mesa.batch_run`` can drive the model with flat parameters; ``registry`` lets a study
        run the month with a mechanism added or left out.
        """
        from sim import config as cfgmod

        config = config or cfgmod.load()
        if levers:
            overrides = {}
            for key, value in levers.items():
                if key.startswith("mechanism_"):
                    overrides[f"mechanisms.{key.removeprefix('mechanism_')}"] = value
                else:
                    overrides[f"policy.{key}"] = value
            config = cfgmod.build(cfgmod.apply_overrides(cfgmod.resolved(config), overrides))
        if rng is None:  # mesa.batch_run overwrites an ``rng`` in ``parameters`` with its own rng argument
            raise ValueError(
                "SymbiosisModel needs an explicit seed, got rng=None (allowed: a whole number; "
                "with mesa.batch_run pass the seeds as batch_run(..., rng=[1, 2, 3]), not in parameters)"
            )
        seed = int(rng)
        super().__init__(rng=seed)
        self.seed = seed
        # the policy is the model's own: a scheduled change must not reach the caller's config
        self.config = config.model_copy(update={"policy": config.policy.model_copy()})
        self.params = config.params
        self.switches = config.mechanisms
        self.policy = self.config.policy
        self.horizon = config.steps
        self.resources = resources.resolve(config.resources)  # the scenario's catalogue; set_price events change it
        self.registry = registry
        phases, hooks = plan(registry)
        self.phases = list(phases)  # the model's own: a study or a profiler may change them
        self.hooks = dict(hooks)
        self.state = SimpleNamespace(**{m.name: m.state() for m in registry if m.state is not None})
        self.firms: list[Firm] = []
        self.by_name: dict[str, Firm] = {}
        self.firm_arrays = firms.FirmArrays()
        self.municipalities: list[Municipality] = []
        self.regions: list[Region] = []
        self.facilitators: list[Facilitator] = []
        self.ledger = Ledger(self)
        self.events: list[dict[str, Any]] = []
        self.scheduled: dict[int, list[Any]] = {}
        self.public_sek_total = 0.0
        self.public_sek_step = 0.0
        self.private_sek_total = 0.0  # the firms' own money for facilitation: never public
        self.private_sek_step = 0.0
        self.collector = Collector(self)
        self.datacollector = self.collector  # what mesa.batch_run reads
        build.build(self)
        self.running = True
        self._phase_calls: tuple[list[Any], list[Any]] = ([], [])  # (self.phases as last read, its functions)
        self.step = self._month  # Mesa's wrapper of step, without its per-month event objects (see _month)

    # ----- time ------------------------------------------------------------------------------
    def step_of(self, year: int, month: int) -> int:
        """The step at which a calendar month is simulated (step 1 is January of the start year)."""
        return (year - self.config.start_year) * 12 + month

    def date_of(self, step: int) -> tuple[int, int]:
        return self.config.start_year + (step - 1) // 12, (step - 1) % 12 + 1

    def step(self) -> None:
        """One month: scheduled events, then every mechanism's phases in registry order."""
        self.public_sek_step = 0.0
        self.private_sek_step = 0.0
        if self.steps in self.scheduled:
            self._run_scheduled()
        source, calls = self._phase_calls
        if source is not self.phases:  # read once; a study or a profiler may replace the phases
            calls = [phase for _, phase in self.phases]
            self._phase_calls = (self.phases, calls)
        for phase in calls:
            phase(self)
        self.collector.collect()
        if self.steps >= self.horizon:
            self.running = False

    def _month(self) -> None:
        """What Mesa's wrapped ``step`` does (advance time by one and run the events due: here only
        the month), at a fraction of its cost when the month is the only event on Mesa's list: Mesa
        would pop that event, run it and push a new one for the next month, a few object creations a
        month that cost as much as a small case's month. Anything else on the list takes Mesa's way.
        """
        gen = self._default_schedule
        event, events = gen._current_event, self._event_list._events
        if not (len(events) == 1 and events[0] is event and _unobserved(self) and event.time == self._time + 1 and _plain(gen)):
            self._wrapped_step()
            return
        self._time = event.time  # Observable's write without its checks (see _unobserved)
        self.steps += 1
        if _MESA_LOG.isEnabledFor(logging.INFO):
            _MESA_LOG.info(f"Step {self.steps} at time {self.time}")
        self._user_step()
        gen._execution_count += 1
        if len(events) == 1 and events[0] is event and not event.CANCELED and _plain(gen):
            event.time = self._time + 1  # the only event on the heap: moving it keeps the heap's order
        else:  # the month scheduled something of Mesa's: leave the list as Mesa would have
            if event in events:
                events.remove(event)
                heapq.heapify(events)
            if gen._active and not gen._paused:
                gen._schedule_next(self.time + 1)

    def _run_scheduled(self) -> None:
        for ev in self.scheduled.pop(self.steps, []):
            if ev.kind == "firm_exit":
                firm = self.by_name[ev.firm]
                if firm.alive:
                    self.remove_firm(firm, "scheduled")
            elif ev.kind == "set_policy":
                setattr(self.policy, ev.key, ev.value)
                self.log(EventKind.POLICY_CHANGED, detail=f"{ev.key} = {ev.value}", lever=ev.key, value=str(ev.value))
                for hook in self.hooks["on_policy_changed"]:
                    hook(self, ev.key, ev.value)
            elif ev.kind == "set_price":
                old = resources.change(self, ev.resource, ev.property, float(ev.value))
                where = f"resources.{ev.resource}.{ev.property}"
                self.log(
                    EventKind.PRICE_CHANGE,
                    detail=f"{where} = {ev.value} (was {old})",
                    resource=ev.resource,
                    lever=where,
                    value=str(ev.value),
                )
            else:  # arrivals, streams and facilitators on their dates (sim.core.history)
                history.run(self, ev)

    # ----- firms, exchanges, money -----------------------------------------------------------
    def firm_by_name(self, name: str) -> Firm:
        return self.by_name[name]

    def remove_firm(self, firm: Firm, why: str) -> None:
        firms.remove_firm(self, firm, why)

    @property
    def n_alive(self) -> int:
        return self.firm_arrays.n_alive

    @property
    def exchanges(self) -> dict[int, Exchange]:
        """Every exchange ever opened, by id (the ledger's)."""
        return self.ledger.all

    @property
    def live(self) -> dict[int, Exchange]:
        """Exchanges not yet ended, in id order (the ledger's)."""
        return self.ledger.live

    def positions(self, idx: Any) -> np.ndarray:
        return self.firm_arrays.xy[np.asarray(idx, dtype=np.int64)]

    def distance(self, i: int, j: int) -> float:
        a, b = self.firms[i], self.firms[j]
        return math.hypot(a.x - b.x, a.y - b.y)

    def add_public_spending(self, sek: float) -> None:
        self.public_sek_step += sek
        self.public_sek_total += sek

    def add_private_spending(self, sek: float) -> None:
        """The firms' own money for the common work (co-financing, fees, own programmes)."""
        self.private_sek_step += sek
        self.private_sek_total += sek

    # ----- log -------------------------------------------------------------------------------
    def log(self, kind: EventKind, **fields: Any) -> None:
        """Record an event with typed fields (see :data:`sim.core.events.FIELDS`)."""
        year, month = self.date_of(max(self.steps, 1))
        self.events.append(events.record(self.steps, year, month, kind, fields))
