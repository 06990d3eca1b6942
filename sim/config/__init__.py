"""Scenario configuration: pydantic v2 models, YAML loading, dotted overrides, clear errors.

Every value has a unit, a default and a source in its field description. Bad input becomes a
:class:`ConfigError` listing every problem with its field, value and what is allowed; the
command line turns that into a message and exit code 2, never a traceback.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, create_model

from sim import limits
from sim.core.params import Strict, param
from sim.core.resources import RESOURCE_NAMES
from sim.mechanisms import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
EXAMPLE = CONFIGS / "example.yaml"

ResourceName = Literal[RESOURCE_NAMES]  # type: ignore[valid-type]
RoleName = Literal["anchor", "sme", "startup", "utility"]


class ConfigError(Exception):
    """One or more problems in a configuration, each naming field, value and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Policy(Strict):
    """The policy levers an authority can pull."""

    funding_gap_months: int = param(
        6,
        "months",
        "§3.3, A20 Sävsjö: funding did not follow the pre-study directly",
        "Months between the end of one facilitation project and the start of the next.",
        ge=0,
        le=600,
    )
    funding_anchor_eligible: bool = param(
        False,
        "switch",
        "§3.4.2, A25 MOLEKYL: ERDF targets SMEs while symbioses need a large anchor",
        "Whether project money may pay for facilitation work with large anchors.",
    )
    facilitator_base_funding_sek_per_year: float = param(
        0.0, "SEK/year", "§3.3: continuity needs funding beyond projects", "Permanent public base funding of each facilitator.", ge=0
    )
    startup_guarantee_share: float = param(
        0.0,
        "share of a start-up's investment (0-1)",
        "§3.2: start-ups finance step by step",
        "Share of a start-up's investment a public guarantee covers.",
        ge=0,
        le=1,
    )
    permit_time_factor: float = param(
        1.0,
        "multiple of normal durations",
        "§4.4 regulatory sandboxes; A4, A5 permits",
        "Scale of permit and plan durations (below 1 is a sandbox).",
        gt=0,
        le=10,
    )
    land_reservation: bool = param(
        False,
        "switch",
        "§2.5.1: reserve industrial land in a circular structure (Umeå, Finnslätten, Sävsjö)",
        "Whether free industrial land beside hubs is reserved and cannot be re-planned.",
    )
    eed_heat_mandate: bool = param(
        False,
        "switch",
        "§4.4: Energy Efficiency Directive (EU) 2023/1791",
        "Whether installations above params.eed_mandate.threshold_mw and data centres must assess their residual heat.",
    )


Switches = create_model(
    "Switches",
    __base__=Strict,
    __doc__="Each mechanism that others do not build on can be switched off alone (see sim.mechanisms.REGISTRY).",
    **{m.name: (bool, param(True, "switch", m.switch.source, m.switch.description)) for m in REGISTRY if m.switch is not None},
)


class Observation(Strict):
    """How the collector judges a cluster (Chertow 2007's 3-2 heuristic)."""

    cluster_min_firms: int = param(
        3, "firms", "Chertow (2007): at least three entities", "Firms that must take part for a cluster to count as active.", ge=1
    )
    cluster_min_resources: int = param(
        2,
        "resource types",
        "Chertow (2007): exchanging at least two resources",
        "Resource types that must flow for a cluster to count as active.",
        ge=1,
    )
    collapse_window_months: int = param(
        24,
        "months",
        "assumption: two quiet years after activity is a collapse",
        "A run has collapsed if the cluster was once active and has been inactive this long at the end.",
        ge=1,
    )


MechanismParams = create_model(
    "MechanismParams",
    __base__=Strict,
    __doc__="Parameters of each mechanism, grouped by the module that holds its rules.",
    **{m.name: (m.params, Field(default_factory=m.params)) for m in REGISTRY},
)


class OfferConfig(Strict):
    resource: ResourceName = param(..., "resource type", "resource catalogue (sim/core/resources.py)", "What the stream is.")
    quantity: float = param(..., "resource unit per month", "case data or assumption", "How much is available each month.", gt=0)
    quality: float = param(
        1.0,
        "the resource's quality dimension",
        "case data or assumption",
        "Quality: temperature in °C for heat, purity 0-1 for most others.",
        ge=0,
    )
    phase_out_year: int | None = param(None, "year", "§5 lock-in", "Year the stream ends (fossil feedstock), or none.", ge=1900, le=2200)
    same_discharge_point: bool = param(False, "switch", "A16, A18", "For water: the receiver discharges where the supplier did.")
    fed_by: ResourceName | None = param(
        None,
        "resource type",
        "A13 Bjuv (treatment and biogas from Findus's streams), A4 Sotenäs; see sim/mechanisms/feed.py",
        "The input this stream is made from: it then follows the share of the firm's need for that input met by "
        "operating exchanges; none for a stream of the firm's own process.",
    )
    fed_from: str | None = param(
        None,
        "firm name",
        "A13 Bjuv: the hub's plants worked on Findus's own process water and waste",
        "With fed_by: only deliveries from this firm feed the stream (none: any supplier's).",
    )


class DemandConfig(Strict):
    resource: ResourceName = param(..., "resource type", "resource catalogue (sim/core/resources.py)", "What is needed.")
    quantity: float = param(..., "resource unit per month", "case data or assumption", "How much is needed each month.", gt=0)
    min_quality: float = param(0.0, "the resource's quality dimension", "case data or assumption", "Lowest acceptable quality.", ge=0)
    virgin_price: float | None = param(
        None, "SEK per resource unit", "resource catalogue unless given", "Price of the virgin alternative.", ge=0
    )
    needs_new_land: bool = param(False, "switch", "§2.4.1", "The receiver must build on new land, which needs a detailed plan.")
    only_from: str | None = param(
        None,
        "firm name",
        "A13 Bjuv: the hub's treatment plant was built for Findus's process water",
        "The one firm that can meet this need (none: any supplier).",
    )


class FirmConfig(Strict):
    name: str = param(..., "text", "case data", "Unique name.", min_length=1)
    role: RoleName = param(..., "role", "§2.5", "anchor, sme, startup or utility (municipally owned).")
    sector: str = param(
        "other", "text", "case data", "Sector, e.g. pulp_paper, food, greenhouse, fish_farm, efuel, district_heating, wastewater."
    )
    location_km: tuple[float, float] = param(..., "km (x, y)", "case geography, approximate", "Position in the region's km grid.")
    municipality: str = param(..., "name", "case data", "Municipality the firm is in.")
    turnover_msek_per_year: float = param(50.0, "MSEK/year", "case data or assumption", "Turnover.", ge=0)
    cash_msek: float = param(10.0, "MSEK", "assumption", "Cash at start.", ge=0)
    attention: int | None = param(
        None,
        "exchanges in preparation at once",
        "§2.5.5: firms lack room for complex collaboration; default by role: anchor 2, utility 3, sme 1, startup 2",
        "How many exchanges the firm can prepare at once.",
        ge=0,
        le=100,
    )
    energy_input_mw: float = param(0.0, "MW average", "case data", "Average energy input (EED mandate threshold 8 MW).", ge=0)
    data_centre: bool = param(False, "switch", "§4.4", "Whether the firm is a data centre (covered by the EED mandate).")
    offers: list[OfferConfig] = param([], "list", "case data", "Residual streams the firm can give away.")
    demands: list[DemandConfig] = param([], "list", "case data", "Needs the firm meets with virgin resources.")


class PlotsConfig(Strict):
    near: str = param(..., "firm name", "§2.4.1: land beside the anchor", "Firm (the hub) the plots lie beside.")
    count: int = param(..., "plots", "case data or assumption", "Number of free plots.", ge=0, le=1000)
    radius_km: float = param(1.0, "km", "assumption", "Plots lie within this distance of the hub.", gt=0)
    zoning: Literal["industrial", "housing", "reserved"] = param("industrial", "zoning", "§2.5.1", "Zoning at start.")


class MunicipalityConfig(Strict):
    name: str = param(..., "text", "case data", "Unique name.", min_length=1)
    region: str = param(..., "name", "case data", "Region the municipality belongs to.")
    centre_km: tuple[float, float] = param(..., "km (x, y)", "case geography, approximate", "Position of the centre.")
    housing_pressure: float = param(
        0.3, "0-1", "A13 Bjuv re-planned for housing; value: assumption", "Pressure to turn idle industrial land into housing.", ge=0, le=1
    )
    freshwater_scarcity: float = param(
        0.0, "0-1", "A1, A4, A18: withdrawal or discharge caps", "How binding fresh-water or discharge limits are.", ge=0, le=1
    )
    planning_stance: float = param(
        0.5, "0-1 (1 = proactive)", "§2.5.1: municipalities can plan early", "A proactive stance shortens detailed planning.", ge=0, le=1
    )
    plots: list[PlotsConfig] = param([], "list", "case data", "Free land beside hubs.")
    hub: str | None = param(None, "firm name", "A13: the hub of Food Valley", "The firm whose surroundings the municipality plans.")


class ProgrammeConfig(Strict):
    name: str = param(..., "text", "case data", "Name of the programme.")
    budget_sek: float = param(..., "SEK", "case data (e.g. A22 ERDF SEK 28.8 M)", "Total budget available to facilitation projects.", ge=0)
    funding_rate: float = param(
        0.5,
        "share of project cost (0-1)",
        "§3.4.2: Tillväxtverket money has a low funding rate; value: assumption",
        "Share of the facilitator's cost the programme pays.",
        ge=0,
        le=1,
    )
    project_length_months: int = param(36, "months", "A25 MOLEKYL: 3 years", "Length of one project.", ge=1, le=240)
    call_interval_months: int = param(
        12, "months", "assumption: yearly calls", "Time to the next call after a rejected application.", ge=1, le=120
    )
    anchor_eligible: bool = param(
        False, "switch", "§3.4.2: ERDF targets SMEs", "Whether this programme may fund work with anchors regardless of the policy lever."
    )


class RegionConfig(Strict):
    name: str = param(..., "text", "case data", "Unique name.", min_length=1)
    programmes: list[ProgrammeConfig] = param([], "list", "case data", "Funding programmes open to the region's facilitators.")


class FacilitatorConfig(Strict):
    name: str = param(..., "text", "case data", "Unique name.", min_length=1)
    region: str = param(..., "name", "case data", "Region whose programmes fund it.")
    municipalities: list[str] = param(..., "names", "case data", "Municipalities it covers.", min_length=1)
    cost_sek_per_month: float = param(150000.0, "SEK/month", "assumption: one to two staff", "Cost of full facilitation capacity.", gt=0)
    initial_engagement: float = param(0.3, "0-1", "assumption", "Engagement at the start.", ge=0, le=1)
    initial_project_months: int = param(0, "months", "case data", "Months left of a project running at the start (0 = none).", ge=0, le=240)
    initial_project_anchor_eligible: bool = param(
        False,
        "switch",
        "A13: Bjuv's own municipal money could fund work with its anchor",
        "Whether the project running at the start may fund work with anchors.",
    )
    membership_fee_share: float = param(
        0.0,
        "share of members' turnover per month",
        "A2 High Coast: membership fees by size",
        "Fee members pay towards facilitation.",
        ge=0,
        le=0.01,
    )


class EventConfig(Strict):
    kind: Literal["firm_exit", "set_policy"] = param(
        ..., "event kind", "scenario data", "firm_exit (a firm leaves) or set_policy (a lever changes)."
    )
    year: int = param(..., "year", "case data", "Year of the event.", ge=1900, le=2200)
    month: int = param(1, "month (1-12)", "case data", "Month of the event.", ge=1, le=12)
    firm: str | None = param(None, "firm name", "case data", "The firm, for firm_exit.")
    key: str | None = param(None, "policy lever", "scenario data", "The lever, for set_policy (e.g. land_reservation).")
    value: Any = param(None, "the lever's unit", "scenario data", "The new value, for set_policy.")


class ScenarioConfig(Strict):
    """A whole scenario: region, actors, streams, policy, mechanisms and their parameters."""

    name: str = param("scenario", "text", "user", "Name of the scenario.")
    description: str = param("", "text", "user", "What the scenario is for.")
    case: str | None = param(None, "case id", "report appendix (docs/sources.md)", "Case of the report this scenario models (A1-A29).")
    start_year: int = param(2010, "year", "case data", "Calendar year of the first step.", ge=1900, le=2200)
    years: int = param(20, "years", "user", "Horizon; one step is one month.", ge=1, le=200)
    seed: int = param(1, "integer", "user", "Default seed; the command line's --seed wins.", ge=0)
    area_km: tuple[float, float] = param(
        (100.0, 100.0), "km (width, height)", "case geography", "Size of the region; every position must lie inside."
    )
    regions: list[RegionConfig] = param([], "list", "case data", "Regions and their programmes.")
    municipalities: list[MunicipalityConfig] = param([], "list", "case data", "Municipalities.")
    facilitators: list[FacilitatorConfig] = param([], "list", "case data", "Facilitators.")
    firms: list[FirmConfig] = param([], "list", "case data", "Firms and utilities.")
    events: list[EventConfig] = param([], "list", "case data", "Scheduled events.")
    policy: Policy = Field(default_factory=Policy)
    mechanisms: Switches = Field(default_factory=Switches)
    params: MechanismParams = Field(default_factory=MechanismParams)  # type: ignore[valid-type]
    observation: Observation = Field(default_factory=Observation)

    @property
    def steps(self) -> int:
        return self.years * 12


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
        if err["type"] == "extra_forbidden":
            msg = f"{loc}: unknown key"
        elif err["type"] == "missing":
            msg = f"{loc}: missing"
        elif err["type"] == "literal_error":
            msg = f"{loc}: value {limits.short(err.get('input'))} is not allowed"
        else:
            msg = f"{loc}: value {limits.short(err.get('input'))} is invalid: {err['msg']}"
        out.append(f"{msg} ({allowed})" if allowed else msg)
    return out


def check_references(cfg: ScenarioConfig) -> list[str]:
    """Cross-checks pydantic cannot do field by field: names, places, events."""
    problems: list[str] = []
    regions = {r.name for r in cfg.regions}
    munis = {m.name for m in cfg.municipalities}
    firms = {f.name for f in cfg.firms}
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
    for i, f in enumerate(cfg.firms):
        if f.municipality not in munis:
            problems.append(f"firms.{i}.municipality: value {f.municipality!r} is not a municipality (allowed: {sorted(munis)})")
        x, y = f.location_km
        if not (0 <= x <= w and 0 <= y <= h) or not (math.isfinite(x) and math.isfinite(y)):
            problems.append(f"firms.{i}.location_km: value {[x, y]} is outside the region (allowed: 0 <= x <= {w}, 0 <= y <= {h})")
        needs = sorted({d.resource for d in f.demands})
        for j, o in enumerate(f.offers):
            if o.fed_by is not None and o.fed_by not in needs:
                problems.append(f"firms.{i}.offers.{j}.fed_by: value {o.fed_by!r} is not a need of this firm (allowed: {needs})")
            if o.fed_from is not None and (o.fed_by is None or o.fed_from not in firms or o.fed_from == f.name):
                problems.append(
                    f"firms.{i}.offers.{j}.fed_from: value {o.fed_from!r} is invalid (allowed: another firm's name, with fed_by set)"
                )
        for j, d in enumerate(f.demands):
            if d.only_from is not None and (d.only_from not in firms or d.only_from == f.name):
                problems.append(f"firms.{i}.demands.{j}.only_from: value {d.only_from!r} is invalid (allowed: another firm's name)")
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
        if ev.year >= end_year:
            problems.append(f"events.{i}.year: value {ev.year} is after the horizon (allowed: before {end_year})")
    return problems


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
