"""Calibration specs: which parameters are uncertain, how to sample them, what to accept.

A spec is YAML (configs/calibration/README.md). :func:`load_spec` checks all of it before any run
and raises one :class:`~sim.config.ConfigError` naming every problem (field, value, what is
allowed). Parameters left out default to :func:`assumption_parameters`: every numeric mechanism
parameter whose source in the schema is an assumption, over [default/2, 2 x default] clipped to
its bounds, because those are the values no source pins down.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim import config as cfgmod
from sim import limits
from sim.config import ConfigError, ScenarioConfig
from sim.sweep.spec import parse_model

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
FIELDS = "name, description, cases, parameters, design, waves, seeds, seed, acceptance"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RangeSpec(_Strict):
    """One uncertain parameter: a dotted numeric config key and its plausible range."""

    key: str = Field(description="Dotted config key, e.g. params.trust.established.")
    range: list[float] = Field(description="[low, high], the prior range (sampled uniformly).")


class DesignSpec(_Strict):
    """How each wave's points are drawn: scipy.stats.qmc, scrambled, seeded from the spec's seed."""

    kind: Literal["lhs", "sobol"] = Field("lhs", description="lhs (Latin hypercube) or sobol (Sobol' sequence).")
    samples: int = Field(48, ge=2, le=100_000, description="Points simulated per wave (wave 1 adds the default point).")


class AcceptanceSpec(_Strict):
    """The rule a point must pass: every fact's implausibility below the cutoff."""

    cutoff: float = Field(3.0, gt=0, le=100, description="Implausibility cutoff (Pukelsheim's 3-sigma rule: 3).")
    discrepancy_share: float = Field(0.1, ge=0, le=0.5, description="Model discrepancy sd of a yes/no fact's share.")
    discrepancy_relative: float = Field(0.1, ge=0, le=10, description="Model discrepancy sd of a count fact, times the range's scale.")
    candidates: int = Field(20_000, ge=100, le=2_000_000, description="Candidate points the emulators screen per wave.")
    misses: int = Field(
        0,
        ge=0,
        le=1000,
        description="Facts of the rule a point may miss and still be accepted (0: every fact; Vernon et al. 2010's second and third "
        "largest implausibility are misses 1 and 2).",
    )


class CalibrationSpec(_Strict):
    """The whole spec file."""

    name: str = Field("calibration", min_length=1, max_length=80, description="Names the output directory.")
    description: str = ""
    cases: list[str] | None = Field(None, min_length=1, description="Case ids (default: every case of the library).")
    parameters: list[RangeSpec] | None = Field(None, min_length=1, description="Default: every assumption parameter.")
    design: DesignSpec = Field(default_factory=DesignSpec)
    waves: int = Field(2, ge=1, le=20, description="Waves of history matching.")
    seeds: int = Field(4, ge=1, le=1000, description="Seeds 1..n at every point (common random numbers).")
    seed: int = Field(0, ge=0, le=limits.MAX_SEED, description="Root of the designs' and the screens' random streams.")
    acceptance: AcceptanceSpec = Field(default_factory=AcceptanceSpec)


@dataclass(frozen=True)
class Parameter:
    """A checked parameter: key, prior range, integer or not, and its value at the model's defaults."""

    key: str
    low: float
    high: float
    integer: bool
    default: float

    def value(self, u: float) -> float | int:
        """The parameter's value at unit-cube coordinate ``u``."""
        x = self.low + u * (self.high - self.low)
        return round(x) if self.integer else float(x)

    def unit(self, x: float) -> float:
        return (x - self.low) / (self.high - self.low)


@dataclass(frozen=True)
class Loaded:
    """A validated spec with its parameters and the cases it runs."""

    spec: CalibrationSpec
    parameters: list[Parameter]
    cases: list[Any]  # sim.run.docking.Case
    source: str

    def sha256(self) -> str:
        """Identity of the calibration: the spec, its resolved parameters and the case files' contents."""
        blob = json.dumps(
            {
                "spec": self.spec.model_dump(mode="json"),
                "parameters": [p.__dict__ for p in self.parameters],
                "cases": {c.id: c.raw for c in self.cases},
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def _bounds(field: Any) -> tuple[float, float, bool, bool]:
    """(lower, upper, lower strict, upper strict) of a pydantic field's ge/gt/le/lt constraints."""
    lo, hi, lo_strict, hi_strict = -math.inf, math.inf, False, False
    for m in field.metadata:
        for name, strict, is_low in (("ge", False, True), ("gt", True, True), ("le", False, False), ("lt", True, False)):
            v = getattr(m, name, None)
            if v is None:
                continue
            if is_low:
                lo, lo_strict = float(v), strict
            else:
                hi, hi_strict = float(v), strict
    return lo, hi, lo_strict, hi_strict


def assumption_parameters() -> list[tuple[str, float, float]]:
    """Every numeric ``params.*`` field whose source starts with "assumption", with its default range.

    The range is [default/2, 2 x default], clipped to the field's bounds (a strict bound ``lt``/``gt``
    is kept a hundredth of the range inside); integer fields get whole ends. Fields whose default is
    0 are left out (a multiple of zero is no range), and so are fields that may be none, booleans, text and tables.
    """
    out: list[tuple[str, float, float]] = []

    def walk(model: type[BaseModel], prefix: str, inst: BaseModel) -> None:
        for name, field in model.model_fields.items():
            ann, value = field.annotation, getattr(inst, name)
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, f"{prefix}{name}.", value)
                continue
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            source = str(extra.get("source", ""))
            if ann not in (int, float) or isinstance(value, bool) or not value or not source.startswith("assumption"):
                continue
            lo, hi = value / 2.0, value * 2.0
            blo, bhi, lo_strict, hi_strict = _bounds(field)
            lo, hi = max(lo, blo), min(hi, bhi)
            if hi_strict and hi >= bhi:
                hi = bhi - (hi - lo) / 100.0
            if lo_strict and lo <= blo:
                lo = blo + (hi - lo) / 100.0
            if ann is int:
                lo, hi = float(math.ceil(lo)), float(math.floor(hi))
            if lo < hi:
                out.append((f"{prefix}{name}", float(lo), float(hi)))

    walk(ScenarioConfig.model_fields["params"].annotation, "params.", ScenarioConfig.model_fields["params"].annotation())  # type: ignore[union-attr,misc]
    return out


def _default_value(key: str) -> float:
    node: Any = ScenarioConfig.model_fields["params"].annotation()  # type: ignore[misc]
    try:
        for part in key.split(".")[1:]:
            node = node[part] if isinstance(node, dict) else getattr(node, part)
        return float(node)
    except (KeyError, AttributeError, TypeError, ValueError):  # a table entry the defaults do not list
        return math.nan


def parse(data: Any, where: str = "calibration spec") -> CalibrationSpec:
    return parse_model(CalibrationSpec, data, where, f"the calibration spec's keys ({FIELDS})")


def validate(spec: CalibrationSpec, source: str, directory: Path | None = None) -> Loaded:
    """Check a parsed spec against the schema and the case library; raise ConfigError with every problem."""
    from sim.run.docking import load_cases
    from sim.scenarios.cases import CASES_DIR
    from sim.sweep.spec import DesignSpec as SweepDesign
    from sim.sweep.spec import ParameterSpec, _check_parameter

    problems: list[str] = []
    if not NAME.match(spec.name):
        problems.append(
            f"name: value {spec.name!r} is not a directory name (allowed: letters, digits, _ . -, starting with a letter or digit)"
        )
    if spec.cases is not None and len(set(spec.cases)) != len(spec.cases):
        problems.append(f"cases: value {spec.cases} has duplicates (allowed: each case once)")
    try:
        cases = load_cases(spec.cases, directory or CASES_DIR)
    except ConfigError as exc:
        raise ConfigError([*problems, *(p.replace("--cases", "cases:") for p in exc.problems)]) from None
    cases = [c for c in cases if c.cfg.facts]
    if not cases:
        problems.append(f"cases: value {spec.cases} has no case with facts (allowed: cases whose files carry a facts: block)")
    if spec.design.kind == "sobol" and spec.design.samples & (spec.design.samples - 1):
        problems.append(f"design.samples: value {spec.design.samples} is not a power of 2 (allowed: 2, 4, 8, ... for a Sobol' sequence)")
    given = spec.parameters or [RangeSpec(key=k, range=[lo, hi]) for k, lo, hi in assumption_parameters()]
    params: list[Parameter] = []
    seen: set[str] = set()
    base = cases[0].raw if cases else cfgmod.read_yaml(cfgmod.EXAMPLE)
    for i, p in enumerate(given):
        if not p.key.startswith("params."):
            problems.append(f"parameters.{i} ({p.key}).key: not a mechanism parameter (allowed: a params.* key of docs/parameters.md)")
            continue
        if p.key in seen:
            problems.append(f"parameters.{i}.key: value {p.key!r} is given twice (allowed: each key once)")
        seen.add(p.key)
        checked, probs = _check_parameter(i, ParameterSpec(key=p.key, range=p.range), SweepDesign(kind="lhs", samples=2), base, {})
        problems += probs
        if checked is not None and not probs:
            params.append(Parameter(p.key, float(checked.low), float(checked.high), checked.kind == "int", _default_value(p.key)))  # type: ignore[arg-type]
    if problems:
        raise ConfigError(problems)
    return Loaded(spec, params, cases, source)


def load_spec(path: str | Path, directory: Path | None = None, overrides: dict[str, int] | None = None) -> Loaded:
    """Read, parse and validate a calibration spec; raise ConfigError listing every problem.

    ``overrides`` (``waves``, ``seeds``, ``samples``) replace the file's values before validation,
    so a quick trial of a spec needs no copy of it; they are part of the spec the outputs record.
    """
    path = Path(path)
    try:
        data = cfgmod.read_yaml(path)
    except ConfigError as exc:
        raise ConfigError([p.replace("YAML scenario file", "YAML calibration spec") for p in exc.problems]) from None
    for key, value in (overrides or {}).items():
        if value is None or not isinstance(data, dict):
            continue
        if key == "samples":
            design = data.get("design")
            data["design"] = {**(design if isinstance(design, dict) else {}), "samples": value}
        else:
            data[key] = value
    return validate(parse(data), str(path), directory)
