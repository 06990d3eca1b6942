"""Scenario configuration: pydantic v2 models, YAML loading, dotted overrides, clear errors.

Every value has a unit, a default and a source in its field description. Bad input becomes a
:class:`ConfigError` listing every problem with its field, value and what is allowed; the
command line turns that into a message and exit code 2, never a traceback.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim import limits
from sim.config import history
from sim.config.facts import check_facts
from sim.config.schema import (  # noqa: F401  (the schema, re-exported: sim.config.ScenarioConfig)
    DemandConfig,
    EventConfig,
    FacilitatorConfig,
    FirmConfig,
    InvestmentProgrammeConfig,
    MechanismParams,
    MunicipalityConfig,
    Observation,
    OfferConfig,
    PlotsConfig,
    Policy,
    ProgrammeConfig,
    RegionConfig,
    ResourceName,
    RoleName,
    ScenarioConfig,
    Switches,
)
from sim.core import resources as catalogue

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
EXAMPLE = CONFIGS / "example.yaml"


class ConfigError(Exception):
    """One or more problems in a configuration, each naming field, value and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _fmt_loc(loc: tuple[Any, ...], raw: Any = None) -> str:
    """Dotted path, with the entity's name after a list index where the raw data has one."""
    parts, node = [], raw
    for p in loc:
        node = (
            node[p]
            if isinstance(node, dict) and p in node
            else node[p]
            if isinstance(node, list) and isinstance(p, int) and p < len(node)
            else None
        )
        name = node.get("name") if isinstance(p, int) and isinstance(node, dict) else None
        parts.append(f"{p} ({name})" if isinstance(name, str) else str(p))
    return ".".join(parts) or "(top level)"


_BOUND_WORDS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "min_length": "at least this many items:"}


def _allowed(err: dict[str, Any]) -> str:
    ctx = err.get("ctx") or {}
    t = err["type"]
    if t == "literal_error":
        return f"allowed: {ctx.get('expected')}"
    if t == "extra_forbidden":
        return "allowed: the keys listed in docs/parameters.md"
    if t == "missing":
        return "this field is required"
    bounds = [f"{_BOUND_WORDS[k]} {v}" for k, v in ctx.items() if k in _BOUND_WORDS]
    return ("allowed: " + ", ".join(bounds)) if bounds else ""


def format_validation_error(exc: ValidationError, raw: Any) -> list[str]:
    """One readable line per problem: field, value, message, what is allowed."""
    out = []
    for err in exc.errors():
        loc = _fmt_loc(err["loc"], raw)
        allowed = _allowed(err)
        if err["type"] == "extra_forbidden" and err["loc"][0] == "resources":
            msg, allowed = f"{loc}: unknown key", _allowed_resource_keys(err["loc"])
        elif err["type"] == "extra_forbidden":
            msg = f"{loc}: unknown key"
        elif err["type"] == "missing":
            msg = f"{loc}: missing"
        elif err["type"] == "literal_error":
            msg = f"{loc}: value {limits.short(err.get('input'))} is not allowed"
        else:
            msg = f"{loc}: value {limits.short(err.get('input'))} is invalid: {err['msg']}"
        out.append(f"{msg} ({allowed})" if allowed else msg)
    return out


def _allowed_resource_keys(loc: tuple[Any, ...]) -> str:
    """What may stand where an unknown key of ``resources:`` does: a resource, or one of its properties."""
    if len(loc) == 2:
        return "allowed: " + ", ".join(catalogue.RESOURCE_NAMES)
    if len(loc) == 3 and loc[1] in catalogue.CATALOGUE:
        return "allowed: " + ", ".join(catalogue.properties_of(catalogue.CATALOGUE[loc[1]]))
    return "allowed: the keys listed in docs/parameters.md"


def _check_set_price(i: int, ev: EventConfig) -> list[str]:
    """A set_price event names a resource, one of its prices and a value that resource accepts."""
    if ev.resource is None:
        return [f"events.{i}.resource: missing for set_price (allowed: {', '.join(catalogue.RESOURCE_NAMES)})"]
    allowed = [p for p in catalogue.PRICE_PROPERTIES if p in catalogue.properties_of(catalogue.CATALOGUE[ev.resource])]
    if ev.property not in allowed:
        return [f"events.{i}.property: value {limits.short(ev.property)} is not a price of {ev.resource} (allowed: {', '.join(allowed)})"]
    if ev.value is None or isinstance(ev.value, bool):
        return [f"events.{i}.value: value {limits.short(ev.value)} is not a number (allowed: a number >= 0)"]
    try:
        catalogue.RESOURCE_SCHEMAS[ev.resource].model_validate({ev.property: ev.value})
    except ValidationError as exc:
        return [f"events.{i}.value: " + line for line in format_validation_error(exc, None)]
    return []


def check_references(cfg: ScenarioConfig) -> list[str]:
    """Cross-checks pydantic cannot do field by field: names, places, events."""
    problems: list[str] = []
    regions = {r.name for r in cfg.regions}
    munis = {m.name for m in cfg.municipalities}
    listed = history.all_firms(cfg)  # the listed firms and those a firm_entry event brings
    firms = {fc.name for _, fc, _ in listed}
    for kind, names in (
        ("regions", [r.name for r in cfg.regions]),
        ("municipalities", [m.name for m in cfg.municipalities]),
        ("firms", [f.name for f in cfg.firms]),
        ("facilitators", [f.name for f in cfg.facilitators]),
    ):
        seen: set[str] = set()
        for i, n in enumerate(names):
            if n in seen:
                problems.append(f"{kind}.{i}.name: value {n!r} is a duplicate (allowed: unique names)")
            seen.add(n)
    w, h = cfg.area_km
    for i, m in enumerate(cfg.municipalities):
        if m.region not in regions:
            problems.append(f"municipalities.{i}.region: value {m.region!r} is not a region (allowed: {sorted(regions)})")
        for j, p in enumerate(m.plots):
            if p.near not in firms:
                problems.append(f"municipalities.{i}.plots.{j}.near: value {p.near!r} is not a firm (allowed: a firm's name)")
        if m.hub is not None and m.hub not in firms:
            problems.append(f"municipalities.{i}.hub: value {m.hub!r} is not a firm (allowed: a firm's name)")
    for loc, f, _ in listed:
        loc = loc.split(" (")[0]
        if f.municipality not in munis:
            problems.append(f"{loc}.municipality: value {f.municipality!r} is not a municipality (allowed: {sorted(munis)})")
        x, y = f.location_km
        if not (0 <= x <= w and 0 <= y <= h) or not (math.isfinite(x) and math.isfinite(y)):
            problems.append(f"{loc}.location_km: value {[x, y]} is outside the region (allowed: 0 <= x <= {w}, 0 <= y <= {h})")
        if f.founded_year is not None and f.founded_year > cfg.start_year:
            problems.append(
                f"{loc}.founded_year: value {f.founded_year} is after start_year (allowed: at most {cfg.start_year}, "
                "or none for a long-established firm)"
            )
        needs = sorted({d.resource for d in f.demands})
        for j, o in enumerate(f.offers):
            if o.fed_by is not None and o.fed_by not in needs:
                problems.append(f"{loc}.offers.{j}.fed_by: value {o.fed_by!r} is not a need of this firm (allowed: {needs})")
            if o.fed_from is not None and (o.fed_by is None or o.fed_from not in firms or o.fed_from == f.name):
                problems.append(
                    f"{loc}.offers.{j}.fed_from: value {o.fed_from!r} is invalid (allowed: another firm's name, with fed_by set)"
                )
        for j, d in enumerate(f.demands):
            if d.only_from is not None and (d.only_from not in firms or d.only_from == f.name):
                problems.append(f"{loc}.demands.{j}.only_from: value {d.only_from!r} is invalid (allowed: another firm's name)")
    for i, r in enumerate(cfg.regions):
        for j, ip in enumerate(r.investment_programmes):
            if ip.open_from_year is not None and ip.open_until_year is not None and ip.open_until_year < ip.open_from_year:
                problems.append(
                    f"regions.{i}.investment_programmes.{j}.open_until_year: value {ip.open_until_year} is before open_from_year "
                    f"{ip.open_from_year} (allowed: >= {ip.open_from_year})"
                )
    for i, tie in enumerate(cfg.acquaintances):
        for side in ("a", "b"):
            name = getattr(tie, side)
            if name not in firms:
                problems.append(f"acquaintances.{i}.{side}: value {name!r} is not a firm (allowed: a firm's name)")
        if tie.a == tie.b:
            problems.append(f"acquaintances.{i}.b: value {tie.b!r} is the same firm as a (allowed: another firm's name)")
    for i, fac in enumerate(cfg.facilitators):
        if fac.region not in regions:
            problems.append(f"facilitators.{i}.region: value {fac.region!r} is not a region (allowed: {sorted(regions)})")
        for j, m in enumerate(fac.municipalities):
            if m not in munis:
                problems.append(f"facilitators.{i}.municipalities.{j}: value {m!r} is not a municipality (allowed: {sorted(munis)})")
    end_year = cfg.start_year + cfg.years
    for i, ev in enumerate(cfg.events):
        if ev.kind == "firm_exit" and ev.firm not in firms:
            problems.append(f"events.{i}.firm: value {ev.firm!r} is not a firm (allowed: a firm's name)")
        if ev.kind == "set_policy":
            if ev.key not in Policy.model_fields:
                problems.append(f"events.{i}.key: value {ev.key!r} is not a policy lever (allowed: {sorted(Policy.model_fields)})")
            else:
                try:
                    Policy.model_validate({ev.key: ev.value})
                except ValidationError as exc:
                    problems += [f"events.{i}.value: " + line for line in format_validation_error(exc, None)]
        if ev.kind == "set_price":
            problems += _check_set_price(i, ev)
        if ev.year >= end_year:
            problems.append(f"events.{i}.year: value {ev.year} is after the horizon (allowed: before {end_year})")
    return problems + history.check_history(cfg) + check_facts(cfg)


def _walk_schema(model: type[BaseModel], parts: list[str]) -> str | None:
    """Return None if the dotted path names a field of the schema, else the bad part."""
    current: Any = model
    for part in parts:
        if isinstance(current, type) and issubclass(current, BaseModel):
            if part not in current.model_fields:
                return part
            current = current.model_fields[part].annotation
        else:
            origin = getattr(current, "__origin__", None)
            if origin is list and part.isdigit():
                current = current.__args__[0]
            elif origin is dict:
                current = current.__args__[1]
            else:
                return part
    return None


def _allowed_keys(parts: list[str], bad: str) -> str:
    """The valid keys where ``bad`` stands in ``parts`` (e.g. every ``params.trust.*``), for messages."""
    prefix = parts[: next(i for i in range(len(parts)) if _walk_schema(ScenarioConfig, parts[: i + 1]) is not None)]
    current: Any = ScenarioConfig
    for part in prefix:
        if isinstance(current, type) and issubclass(current, BaseModel):
            current = current.model_fields[part].annotation
        else:
            current = current.__args__[0] if getattr(current, "__origin__", None) is list else current.__args__[-1]
    if isinstance(current, type) and issubclass(current, BaseModel):
        head = ".".join(prefix) + "." if prefix else ""
        return ", ".join(head + f for f in current.model_fields)
    return "a list index" if getattr(current, "__origin__", None) is list else "a dotted path of the config schema"


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Apply ``{"policy.funding_gap_months": 12, ...}`` to a raw config dict."""
    out = copy.deepcopy(raw)
    problems = []
    for key, value in overrides.items():
        parts = key.split(".")
        bad = _walk_schema(ScenarioConfig, parts)
        if bad is not None:
            problems.append(f"--set {key}: unknown key {bad!r} (allowed: {_allowed_keys(parts, bad)}; see docs/parameters.md)")
            continue
        node: Any = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            where = ".".join(parts[:i]) or "the config"
            if isinstance(node, list):
                idx = int(part)
                if idx >= len(node):
                    problems.append(f"--set {key}: index {idx} out of range: {where} has {len(node)} items (allowed: below {len(node)})")
                    break
                if last:
                    node[idx] = value
                else:
                    node = node[idx]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    if node.get(part) is None:
                        node[part] = {} if not parts[i + 1].isdigit() else []
                    node = node[part]
            else:
                problems.append(
                    f"--set {key}: {where} is {limits.short(node)}, not a mapping or list (allowed: a key inside a mapping or list)"
                )
                break
    if problems:
        raise ConfigError(problems)
    return out


def parse_set(items: list[str]) -> dict[str, Any]:
    """Parse ``KEY=VALUE`` strings; values are read as YAML scalars (12, true, 0.5, text)."""
    out: dict[str, Any] = {}
    problems = []
    for item in items:
        if "=" not in item:
            problems.append(f"--set {item}: expected KEY=VALUE (allowed: e.g. policy.funding_gap_months=12)")
            continue
        key, text = item.split("=", 1)
        try:
            out[key.strip()] = limits.load_yaml(text) if text.strip() else ""
        except limits.LimitError as exc:
            problems.append(f"--set {limits.short(item)}: {exc}")
        except yaml.YAMLError:
            out[key.strip()] = text
    if problems:
        raise ConfigError(problems)
    return out


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML scenario file into a dict, with clear errors for the usual mistakes."""
    if not path.exists():
        raise ConfigError([f"{path}: file not found (allowed: a path to a YAML scenario file)"])
    if path.is_dir():
        raise ConfigError([f"{path}: is a directory (allowed: a path to a YAML scenario file)"])
    try:
        size = path.stat().st_size
        if size > limits.MAX_YAML_BYTES:
            raise limits.LimitError(f"{size:,} bytes is larger than the limit (allowed: at most {limits.MAX_YAML_BYTES:,} bytes)")
        data = limits.load_yaml(path.read_text(encoding="utf-8"))
    except limits.LimitError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    except RecursionError:
        raise ConfigError([f"{path}: nested too deeply (allowed: at most {limits.MAX_YAML_DEPTH} levels)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror} (allowed: a readable YAML scenario file)"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError([f"{path}: malformed YAML{where}: {getattr(exc, 'problem', exc)}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not a text file (allowed: UTF-8 YAML)"]) from None
    if data is None:
        raise ConfigError([f"{path}: the file is empty (allowed: a YAML mapping with at least firms and municipalities)"])
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: top level is a {type(data).__name__} (allowed: a YAML mapping of keys to values)"])
    return data


def build(raw: dict[str, Any]) -> ScenarioConfig:
    """Validate a raw dict; raise ConfigError listing every problem at once."""
    if not raw.get("firms"):
        raise ConfigError(["firms: the scenario has no firms (allowed: a list of at least one firm)"])
    if isinstance(raw["firms"], list) and len(raw["firms"]) > limits.MAX_FIRMS:
        raise ConfigError([f"firms: {len(raw['firms']):,} firms (allowed: at most {limits.MAX_FIRMS:,})"])
    try:
        cfg = ScenarioConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, raw)) from None
    except RecursionError:
        raise ConfigError([f"(top level): nested too deeply (allowed: at most {limits.MAX_YAML_DEPTH} levels)"]) from None
    problems = [f"{_fmt_loc(loc, raw)}: {text}" for loc, text in limits.check_values(cfg.model_dump())]
    if problems:
        raise ConfigError(problems)
    problems = check_references(cfg)
    if problems:
        raise ConfigError(problems)
    return cfg


def load(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> ScenarioConfig:
    """Load a scenario (the built-in example if no path), apply overrides, validate."""
    raw = read_yaml(Path(path) if path is not None else EXAMPLE)
    if overrides:
        raw = apply_overrides(raw, overrides)
    return build(raw)


def resolved(cfg: ScenarioConfig) -> dict[str, Any]:
    """Every value after defaults and overrides, as plain data."""
    return cfg.model_dump(mode="json")
