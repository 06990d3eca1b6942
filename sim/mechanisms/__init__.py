"""The mechanisms, one module each, and the registry: the one list of them.

A mechanism module holds everything about its rule: its ``Params`` (every value with unit, default
and source), its switch (``SWITCH``, or none when the others build on it), the policy levers it
reads (``LEVERS``), its own per-model state (``State``), the functions the month calls, the hooks
the exchange ledger and the firm register call (``on_open``, ``on_operating``, ``on_delivery``,
``on_end``, ``on_firm_added``, ``on_firm_removed``) and its section of the ODD description (``ODD``).

The registry below is the month: the scheduled phases run in the order listed, and the
mechanisms that act only when another calls them sit beside the one that calls them. The config
schema (switches and parameters), the model's step, ``docs/parameters.md`` and the dashboard's
"How the model works" all read it, so a new mechanism is one new file and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sim.core.params import Switch
from sim.mechanisms import (
    acquaintance,
    anchor_revenue,
    benefit,
    births,
    diffusion,
    eed_mandate,
    engagement,
    entry,
    feed,
    financing,
    firm_exit,
    internal_supply,
    investment_support,
    land_planning,
    lifecycle,
    lock_in,
    matching,
    negotiation,
    permits,
    platform,
    project_funding,
    scarcity,
    snowball,
    trust,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

HOOKS = (
    "on_open",
    "on_operating",
    "on_delivery",
    "on_end",
    "on_firm_added",
    "on_firm_removed",
    "on_offer_added",
    "on_built",
    "on_policy_changed",
)


@dataclass(frozen=True)
class Mechanism:
    """One registry entry, read from its module."""

    name: str
    module: ModuleType
    phases: tuple[Callable[..., None], ...]  # called each month, in this order, at this entry's place
    switch: Switch | None
    levers: tuple[str, ...]
    params: type[BaseModel]
    state: Callable[[], Any] | None
    odd: str
    hooks: dict[str, Callable[..., Any]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The first line of the module's docstring."""
        return (self.module.__doc__ or self.name).strip().splitlines()[0]


def register(module: ModuleType, *phases: Callable[..., None]) -> Mechanism:
    """The registry entry of a mechanism module; ``phases`` are the functions the month calls."""
    name = module.__name__.rsplit(".", 1)[1]
    hooks = {h: getattr(module, h) for h in HOOKS if callable(getattr(module, h, None))}
    return Mechanism(
        name=name,
        module=module,
        phases=phases,
        switch=getattr(module, "SWITCH", None),
        levers=tuple(getattr(module, "LEVERS", ())),
        params=module.Params,
        state=getattr(module, "State", None),
        odd=getattr(module, "ODD", name),
        hooks=hooks,
    )


REGISTRY: tuple[Mechanism, ...] = (
    register(lock_in, lock_in.step),
    register(project_funding, project_funding.step),
    register(engagement, engagement.step),
    register(firm_exit, firm_exit.step),
    register(entry, entry.step),
    register(births, births.step),
    register(eed_mandate, eed_mandate.step),
    register(platform, platform.step),
    register(matching, matching.discover),
    register(acquaintance),
    register(trust),
    register(benefit),
    register(internal_supply),
    register(anchor_revenue),
    register(scarcity),
    register(snowball, snowball.step),
    register(lifecycle, lifecycle.advance, lifecycle.operate),
    register(negotiation),
    register(permits),
    register(financing),
    register(investment_support),
    register(feed, feed.step),
    register(land_planning, land_planning.step),
    register(diffusion, diffusion.step),
)

BY_NAME: dict[str, Mechanism] = {m.name: m for m in REGISTRY}


def schedule(registry: tuple[Mechanism, ...] = REGISTRY) -> list[tuple[str, Callable[..., None]]]:
    """The month's phases in order, each with the name of its mechanism."""
    return [(m.name, phase) for m in registry for phase in m.phases]


def hooks(kind: str, registry: tuple[Mechanism, ...] = REGISTRY) -> tuple[Callable[..., Any], ...]:
    """Every mechanism's hook of one kind, in registry order."""
    return tuple(m.hooks[kind] for m in registry if kind in m.hooks)


Plan = tuple[list[tuple[str, Callable[..., None]]], dict[str, tuple[Callable[..., Any], ...]]]
_planned: list[tuple[tuple[Mechanism, ...], Plan]] = []  # the last registry planned and its plan


def plan(registry: tuple[Mechanism, ...] = REGISTRY) -> Plan:
    """A registry's month (:func:`schedule`) and its hooks by kind (:func:`hooks`), worked out once
    for the last registry asked about: a model of a case is built in less time than working them out
    takes. The same tuple of frozen entries has the same plan; it is kept with the plan, so its
    identity is not reused while kept. Callers copy the list and the dict they may change."""
    if not _planned or _planned[0][0] is not registry:
        _planned[:] = [(registry, (schedule(registry), {kind: hooks(kind, registry) for kind in HOOKS}))]
    return _planned[0][1]
