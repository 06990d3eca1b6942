"""What a student can choose: a case, a seed, the policy levers and the mechanism switches.

Choices are held in a frozen :class:`Settings`; picking a case loads that case's own lever values
and switches, so "Bjuv as it was" is one click and every lever the student moves is an explicit
change on top of it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sim import config
from sim.core.model import SymbiosisModel
from sim.scenarios import synthetic

CASES_DIR = config.CONFIGS / "cases"
EXAMPLE_KEY = "example"
SYNTHETIC_PRESET = "small"  # sim.scenarios.synthetic preset offered in the picker
SYNTHETIC_KEY = f"synthetic-{SYNTHETIC_PRESET}"


@dataclass(frozen=True)
class Case:
    """One entry of the case picker: a YAML file, or (path None) a generated region."""

    key: str
    label: str
    path: Path | None


@lru_cache(maxsize=256)
def _case_label(path: Path, mtime: float) -> str:
    """The picker label of a case file; cached by modification time, since pages re-render often."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return f"{path.stem} (unreadable)"
    name = str(raw.get("name") or path.stem) if isinstance(raw, dict) else path.stem
    case = raw.get("case") if isinstance(raw, dict) else None
    return f"{case}: {name}" if case and not name.startswith(str(case)) else name


def _natural(path: Path) -> tuple[Any, ...]:
    """A2 before A13: case ids sort by number."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.stem))


def list_cases(cases_dir: Path = CASES_DIR) -> list[Case]:
    """The built-in example and a generated synthetic region first, then the case library in file order."""
    out = [
        Case(EXAMPLE_KEY, "Example region (built-in, a mill town)", config.EXAMPLE),
        Case(SYNTHETIC_KEY, "Synthetic region (generated: 4 municipalities, 150 firms)", None),
    ]
    if cases_dir.is_dir():
        out += [Case(p.stem, _case_label(p, p.stat().st_mtime), p) for p in sorted(cases_dir.glob("*.yaml"), key=_natural)]
    return out


def find_case(key: str) -> Case:
    for c in list_cases():
        if c.key == key:
            return c
    raise config.ConfigError([f"case {key!r} not found (allowed: {[c.key for c in list_cases()]})"])


@dataclass(frozen=True)
class Lever:
    """How a policy lever appears on screen; label and unit shown, value scaled for display."""

    name: str
    label: str
    unit: str
    kind: str  # "int", "float" or "switch"
    lo: float = 0.0
    hi: float = 1.0
    step: float = 1.0
    scale: float = 1.0  # model value = shown value * scale

    @property
    def description(self) -> str:
        return config.Policy.model_fields[self.name].description or ""

    @property
    def source(self) -> str:
        extra = config.Policy.model_fields[self.name].json_schema_extra or {}
        return str(extra.get("source", "")) if isinstance(extra, dict) else ""


LEVERS: tuple[Lever, ...] = (
    Lever("funding_gap_months", "Gap between funded projects", "months", "int", 0, 60, 1),
    Lever("funding_anchor_eligible", "Project money may fund work with anchors", "", "switch"),
    Lever("facilitator_base_funding_sek_per_year", "Permanent base funding per facilitator", "MSEK/year", "float", 0, 5, 0.1, 1e6),
    Lever("startup_guarantee_share", "Public guarantee on start-up investment", "%", "float", 0, 100, 5, 0.01),
    Lever("permit_time_factor", "Permit and plan durations", "× normal", "float", 0.25, 4, 0.05),
    Lever("land_reservation", "Reserve industrial land beside hubs", "", "switch"),
    Lever("eed_heat_mandate", "EED residual-heat mandate (>8 MW, data centres)", "", "switch"),
    Lever("investment_support_symbiosis_eligible", "Investment support counts a new establishment's emission cut", "", "switch"),
    Lever("investment_support_budget_factor", "Investment-support budgets", "× case budgets", "float", 0, 5, 0.1),
    Lever("landfill_tax_sek_per_t", "Landfill tax", "SEK/t", "float", 0, 3000, 25),
    Lever("co2_price_sek_per_t", "Carbon price on avoided emissions", "SEK/t CO2", "float", 0, 3000, 25),
)
assert {lv.name for lv in LEVERS} == set(config.Policy.model_fields), "every policy lever needs a control"


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run shown on the dashboard."""

    case: str = EXAMPLE_KEY
    seed: int = 1
    policy: dict[str, Any] = field(default_factory=dict)
    mechanisms: dict[str, bool] = field(default_factory=dict)

    def with_policy(self, name: str, value: Any) -> Settings:
        return replace(self, policy={**self.policy, name: value})

    def with_mechanism(self, name: str, on: bool) -> Settings:
        return replace(self, mechanisms={**self.mechanisms, name: bool(on)})


def _raw(case: Case) -> dict[str, Any]:
    """The case as a raw dict: its YAML file, or the generated region (fixed seed, same map every time)."""
    if case.path is not None:
        return config.read_yaml(case.path)
    return synthetic.preset(SYNTHETIC_PRESET, seed=1)


@lru_cache(maxsize=64)
def _case_config(key: str, mtime: float) -> config.ScenarioConfig:
    return config.build(_raw(find_case(key)))


def case_config(key: str) -> config.ScenarioConfig:
    """The case as its file describes it (cached until the file changes)."""
    path = find_case(key).path
    return _case_config(key, path.stat().st_mtime if path else 0.0)


def settings_for_case(key: str) -> Settings:
    """The case's own seed, lever values and switches."""
    cfg = case_config(key)
    return Settings(case=key, seed=cfg.seed, policy=cfg.policy.model_dump(), mechanisms=cfg.mechanisms.model_dump())


def build_config(s: Settings) -> config.ScenarioConfig:
    """The case with the student's lever values and switches applied; ConfigError if invalid."""
    overrides = {f"policy.{k}": v for k, v in s.policy.items()}
    overrides |= {f"mechanisms.{k}": v for k, v in s.mechanisms.items()}
    return config.build(config.apply_overrides(_raw(find_case(s.case)), overrides))


def changes(s: Settings) -> list[str]:
    """The student's changes against the case, in words (used to label a pinned run)."""
    base = settings_for_case(s.case)
    out = []
    for lv in LEVERS:
        v = s.policy.get(lv.name, base.policy[lv.name])
        if v != base.policy[lv.name]:
            if lv.kind == "switch":
                out.append(f"{lv.label.lower()} {'on' if v else 'off'}")
            else:
                out.append(f"{lv.label.lower()} {v / lv.scale:g} {lv.unit}")
    out += [f"{k.replace('_', ' ')} off" for k, on in s.mechanisms.items() if not on and base.mechanisms.get(k, True)]
    out += [f"{k.replace('_', ' ')} on" for k, on in s.mechanisms.items() if on and not base.mechanisms.get(k, True)]
    if s.seed != base.seed:
        out.append(f"seed {s.seed}")
    return out


class DashboardModel(SymbiosisModel):
    """The symbiosis model built from dashboard :class:`Settings`.

    Mesa's Reset button re-creates the model with no arguments; ``settings_source`` then supplies
    the settings of the browser session that pressed it, so each session resets its own run.
    """

    settings_source: Any = None  # a callable returning the current session's Settings

    def __init__(self, settings: Settings | None = None, **_mesa_params: Any) -> None:
        if settings is None:
            settings = type(self).settings_source() if type(self).settings_source else settings_for_case(EXAMPLE_KEY)
        super().__init__(build_config(settings), rng=settings.seed)
        self.settings = settings
        # Mesa plays in a worker thread; views copy the model's state under this lock so a
        # render never sees a half-finished month.
        self.state_lock = threading.RLock()

    def step(self) -> None:
        with self.state_lock:
            super().step()
