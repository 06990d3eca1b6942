"""Sweep files: what to vary, how to sample it, what to keep; every problem found before any run.

A sweep file is YAML. It names a base scenario, fixed overrides, the parameters to vary (any
dotted config key, with a ``range`` or a list of ``values``), a design, replications, a seed and
the outcomes to keep. :func:`load_spec` checks all of it (including that each parameter's
extremes give a valid scenario) and raises one :class:`~sim.config.ConfigError` listing every
problem, so a sweep of a million runs never dies at run 900 000 on a typo.
"""

from __future__ import annotations

import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim import config as cfgmod
from sim import limits
from sim.config import ConfigError, ScenarioConfig
from sim.core.collector import COLUMNS
from sim.core.resources import RESOURCE_NAMES
from sim.run.runner import SUMMARY_KEYS

DESIGNS = ("grid", "lhs", "sobol", "morris")
TIMESERIES_COLUMNS: tuple[str, ...] = (*COLUMNS, *(f"{p}_{r}" for r in RESOURCE_NAMES for p in ("exchanges", "flow")))
RESERVED_COLUMNS = frozenset({"run_id", "point", "replication", "seed", "error", "step", "year", *SUMMARY_KEYS})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParameterSpec(_Strict):
    """One varied config key: a numeric ``range`` [low, high] or a list of ``values``."""

    key: str = Field(description="Dotted config key, e.g. policy.funding_gap_months.")
    name: str | None = Field(None, description="Column name in the results (default: the key's last part).")
    range: list[float] | None = Field(None, description="[low, high] for a numeric key.")
    values: list[Any] | None = Field(None, description="Explicit values (any type the key accepts).")
    levels: int | None = Field(None, description="Grid designs: evenly spaced levels across the range.")

    @property
    def column(self) -> str:
        return self.name or self.key.rsplit(".", 1)[-1]


class DesignSpec(_Strict):
    """How design points are drawn (SALib does the sampling)."""

    kind: Literal["grid", "lhs", "sobol", "morris"] = Field(description="grid, lhs (Latin hypercube), sobol (Saltelli), morris.")
    samples: int | None = Field(None, description="lhs: points; sobol: base samples N (a power of 2); morris: trajectories.")
    levels: int | None = Field(None, description="morris: grid levels (even, default 4).")
    second_order: bool = Field(False, description="sobol: also sample for second-order indices.")


class TimeseriesSpec(_Strict):
    every: int = Field(12, ge=1, description="Keep every n-th month (12 = one row per year).")
    columns: list[str] | None = Field(None, description="Collector columns to keep (default: all).")


class OutcomesSpec(_Strict):
    """Summary scalars are always kept; a thinned time series is optional."""

    timeseries: TimeseriesSpec | None = None


class SweepSpec(_Strict):
    """The whole sweep file."""

    name: str = Field("sweep", min_length=1)
    description: str = ""
    base: str = Field("example", description="'example' (built-in) or a scenario YAML path, relative to the sweep file.")
    set: dict[str, Any] = Field(default_factory=dict, description="Fixed overrides for every run (dotted keys).")
    steps: int | None = Field(None, ge=1, le=limits.MAX_STEPS, description="Months per run (default: the scenario's horizon).")
    parameters: list[ParameterSpec] = Field(min_length=1)
    design: DesignSpec
    replications: int = Field(1, ge=1, le=1_000_000)
    seed: int = Field(ge=0, description="Root of numpy.random.SeedSequence; each run id gets its own child seed.")
    common_random_numbers: bool = Field(False, description="Give replication r the same seed at every design point.")
    outcomes: OutcomesSpec = Field(default_factory=OutcomesSpec)
    batch_size: int | None = Field(None, ge=1, le=100_000, description="Runs per result file (default: from the sweep size).")


class Parameter(typing.NamedTuple):
    """A checked parameter: column name, config key, kind and domain."""

    name: str
    key: str
    kind: Literal["int", "float", "bool", "str", "categorical"]
    low: float | None
    high: float | None
    values: list[Any] | None
    levels: int | None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self._asdict().items() if v is not None}


class LoadedSweep(typing.NamedTuple):
    """A validated sweep: the spec, its parameters, the base scenario (raw, with ``set`` applied)."""

    spec: SweepSpec
    parameters: list[Parameter]
    base_raw: dict[str, Any]
    steps: int
    source: str

    @property
    def points(self) -> int:
        from sim.sweep.design import n_points

        return n_points(self)

    @property
    def runs(self) -> int:
        return self.points * self.spec.replications

    def sha256(self) -> str:
        """Identity of the sweep: spec plus the resolved base scenario (so an edited base is caught)."""
        blob = json.dumps({"spec": self.spec.model_dump(mode="json"), "base": self.base_raw}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def _leaf_annotation(parts: list[str]) -> Any:
    """The type annotation of a dotted key's field (the key is known to exist)."""
    current: Any = ScenarioConfig
    for part in parts:
        if isinstance(current, type) and issubclass(current, BaseModel):
            current = current.model_fields[part].annotation
        else:
            current = current.__args__[0] if getattr(current, "__origin__", None) is list else current.__args__[-1]
    return current


def _scalar_kind(annotation: Any) -> str | None:
    """int, float, bool or str for simple (optionally nullable) fields; None for anything else."""
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = tuple(a for a in args if a is not type(None))
        if len(args) == 1:
            annotation = args[0]
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    if annotation is str or typing.get_origin(annotation) is Literal:
        return "str"
    return None


def _value_kind(values: list[Any]) -> str | None:
    """One Parquet type for a list of values, or None if they are mixed."""
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float"
    if all(isinstance(v, str) for v in values):
        return "str"
    return None


def _read_sweep_yaml(path: Path) -> dict[str, Any]:
    try:
        return cfgmod.read_yaml(path)
    except ConfigError as exc:
        raise ConfigError([p.replace("YAML scenario file", "YAML sweep file") for p in exc.problems]) from None


def _check_parameter(
    i: int, p: ParameterSpec, design: DesignSpec, base_raw: dict[str, Any], fixed: dict[str, Any]
) -> tuple[Parameter | None, list[str]]:
    where = f"parameters.{i} ({p.key})"
    problems: list[str] = []
    parts = p.key.split(".")
    bad = cfgmod._walk_schema(ScenarioConfig, parts)
    if bad is not None:
        return None, [f"{where}.key: unknown key {bad!r} (allowed: {cfgmod._allowed_keys(parts, bad)}; see docs/parameters.md)"]
    if p.key == "seed":
        return None, [f"{where}.key: the seed is not a parameter (allowed: set replications and seed in the sweep file)"]
    if p.key in fixed:
        problems.append(f"{where}.key: also fixed under set: (allowed: vary a key or fix it, not both)")
    field_kind = _scalar_kind(_leaf_annotation(parts))
    if (p.range is None) == (p.values is None):
        return None, [*problems, f"{where}: give exactly one of range: [low, high] or values: [...] (allowed: one of them)"]
    if p.range is not None:
        if field_kind not in ("int", "float"):
            return None, [
                *problems,
                f"{where}.range: the key is not numeric (allowed: values: [...] for a {field_kind or 'structured'} key)",
            ]
        if len(p.range) != 2:
            return None, [*problems, f"{where}.range: value {p.range} has {len(p.range)} numbers (allowed: [low, high])"]
        low, high = p.range
        if not low < high:
            return None, [*problems, f"{where}.range: value {p.range} is empty (allowed: low < high)"]
        if field_kind == "int" and (low != int(low) or high != int(high)):
            problems.append(f"{where}.range: value {p.range} is not whole for an integer key (allowed: whole numbers)")
        if design.kind == "grid":
            if p.levels is not None and p.levels > limits.MAX_LEVELS:
                problems.append(f"{where}.levels: value {p.levels} is too many (allowed: 2 to {limits.MAX_LEVELS} levels)")
            elif p.levels is None or p.levels < 2:
                problems.append(f"{where}.levels: value {p.levels} does not fit a grid over a range (allowed: levels >= 2)")
            elif field_kind == "int" and p.levels > high - low + 1:
                problems.append(
                    f"{where}.levels: value {p.levels} exceeds the {int(high - low + 1)} integers in {p.range} (allowed: <= {int(high - low + 1)})"
                )
        elif p.levels is not None:
            problems.append(
                f"{where}.levels: only grid designs take per-parameter levels (allowed: remove it, or design.levels for morris)"
            )
        param = Parameter(p.column, p.key, field_kind, float(low), float(high), None, p.levels)  # type: ignore[arg-type]
        extremes: list[Any] = [int(low), int(high)] if field_kind == "int" else [low, high]
    else:
        values = p.values or []
        if not values:
            return None, [*problems, f"{where}.values: the list is empty (allowed: at least one value)"]
        if len({json.dumps(v, sort_keys=True, default=str) for v in values}) != len(values):
            problems.append(f"{where}.values: value {values} has duplicates (allowed: distinct values)")
        kind = _value_kind(values)
        if kind is None:
            return None, [*problems, f"{where}.values: value {values} mixes types (allowed: values of one type)"]
        if p.levels is not None:
            problems.append(f"{where}.levels: levels only apply to a range (allowed: remove it)")
        param = Parameter(p.column, p.key, "categorical", None, None, list(values), None)
        extremes = list(values)
    for v in extremes:
        try:
            cfgmod.build(cfgmod.apply_overrides(base_raw, {p.key: v}))
        except ConfigError as exc:
            problems += [f"{where}: value {v!r} gives an invalid scenario: {line.removeprefix('--set ')}" for line in exc.problems]
    return param, problems


def _check_design(spec: SweepSpec, params: list[Parameter]) -> list[str]:
    d = spec.design
    problems: list[str] = []
    k = len(params)
    if d.kind == "grid":
        if d.samples is not None:
            problems.append(
                f"design.samples: value {d.samples} does not fit a grid (allowed: remove it; a grid takes each parameter's levels or values)"
            )
        if d.levels is not None:
            problems.append("design.levels: a grid takes levels per parameter (allowed: parameters.N.levels)")
    else:
        if d.samples is None or d.samples < 2:
            problems.append(f"design.samples: value {d.samples} does not fit a {d.kind} design (allowed: an integer >= 2)")
        elif d.samples > limits.MAX_SAMPLES:
            problems.append(f"design.samples: value {d.samples} is too many (allowed: 2 to {limits.MAX_SAMPLES:,})")
        elif d.kind == "sobol" and d.samples & (d.samples - 1):
            problems.append(
                f"design.samples: value {d.samples} is not a power of 2 (allowed: 2, 4, 8, ..., as Saltelli/Sobol' sampling needs)"
            )
        if d.kind == "morris":
            levels = 4 if d.levels is None else d.levels
            if levels < 2 or levels % 2 or levels > limits.MAX_LEVELS:
                problems.append(
                    f"design.levels: value {levels} does not fit a Morris design (allowed: an even number from 2 to {limits.MAX_LEVELS})"
                )
        elif d.levels is not None:
            problems.append(f"design.levels: only Morris designs take levels (allowed: remove it for {d.kind})")
        if d.kind == "sobol" and d.second_order and k < 2:
            problems.append(f"design.second_order: needs at least 2 parameters (the sweep has {k})")
    if d.second_order and d.kind != "sobol":
        problems.append(f"design.second_order: only Sobol designs take it (allowed: remove it for {d.kind})")
    return problems


def validate(spec: SweepSpec, base_raw: dict[str, Any], source: str) -> LoadedSweep:
    """Check a parsed spec against its base scenario; raise ConfigError with every problem."""
    problems: list[str] = []
    try:
        base_cfg = cfgmod.build(cfgmod.apply_overrides(base_raw, spec.set))
        base_raw = cfgmod.resolved(base_cfg)
    except ConfigError as exc:
        raise ConfigError([f"set: {p.removeprefix('--set ')}" for p in exc.problems]) from None
    params: list[Parameter] = []
    seen_keys: set[str] = set()
    seen_names: set[str] = set()
    for i, p in enumerate(spec.parameters):
        param, probs = _check_parameter(i, p, spec.design, base_raw, spec.set)
        problems += probs
        if p.key in seen_keys:
            problems.append(f"parameters.{i}.key: value {p.key!r} is varied twice (allowed: each key once)")
        if p.column in seen_names or p.column in RESERVED_COLUMNS:
            problems.append(
                f"parameters.{i}.name: column {p.column!r} is already used (allowed: a unique name not in {sorted(RESERVED_COLUMNS)[:4]}...; set name:)"
            )
        seen_keys.add(p.key)
        seen_names.add(p.column)
        if param is not None:
            params.append(param)
    if not problems:
        problems += _check_design(spec, params)
    if not problems:
        from sim.sweep.design import n_points

        points = n_points(LoadedSweep(spec, params, base_raw, 0, source))
        if points > limits.MAX_POINTS:
            problems.append(f"design: {points:,} design points (allowed: at most {limits.MAX_POINTS:,}; fewer levels, values or samples)")
        elif points * spec.replications > limits.MAX_RUNS:
            problems.append(
                f"replications: {points * spec.replications:,} runs in all (allowed: at most {limits.MAX_RUNS:,} runs; fewer replications or points)"
            )
    ts = spec.outcomes.timeseries
    if ts is not None and ts.columns is not None:
        for j, c in enumerate(ts.columns):
            if c not in TIMESERIES_COLUMNS or c in ("step", "year"):
                problems.append(
                    f"outcomes.timeseries.columns.{j}: unknown column {c!r} (allowed: {', '.join(c for c in TIMESERIES_COLUMNS if c not in ('step', 'year'))})"
                )
    if problems:
        raise ConfigError(problems)
    steps = spec.steps or base_cfg.steps
    return LoadedSweep(spec, params, base_raw, steps, source)


def parse_model(model: type[BaseModel], data: Any, where: str, keys: str) -> Any:
    """Validate a spec file's mapping against its pydantic model; ConfigError names every problem,
    with ``keys`` (the file's top-level keys) where a message would point to docs/parameters.md."""
    if not isinstance(data, dict):
        raise ConfigError([f"{where}: the spec is a {type(data).__name__} (allowed: a mapping of keys to values)"])
    bad = [f"{'.'.join(map(str, loc))}: {text}" for loc, text in limits.check_values(data)]
    if bad:
        raise ConfigError(bad)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = cfgmod.format_validation_error(exc, data)
        raise ConfigError([line.replace("docs/parameters.md", keys) for line in lines]) from None


def parse(data: dict[str, Any], where: str = "sweep") -> SweepSpec:
    return parse_model(
        SweepSpec,
        data,
        where,
        "docs/sweeps (name, description, base, set, steps, parameters, design, replications, seed, common_random_numbers, outcomes, batch_size)",
    )


def load_spec(path: str | Path) -> LoadedSweep:
    """Read, parse and validate a sweep file; raise ConfigError listing every problem."""
    path = Path(path)
    data = _read_sweep_yaml(path)
    spec = parse(data)
    base_path = cfgmod.EXAMPLE if spec.base == "example" else Path(spec.base) if Path(spec.base).is_absolute() else path.parent / spec.base
    try:
        base_raw = cfgmod.read_yaml(base_path)
    except ConfigError as exc:
        raise ConfigError([f"base: {p}" for p in exc.problems]) from None
    return validate(spec, base_raw, str(path))
