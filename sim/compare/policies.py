"""Policy packages: small YAML files of policy levers, each with a description and its source.

A package names only the levers it changes; every other lever keeps the value the case's own
scenario file gives it, so the baseline package (no levers) is each case exactly as it is.
Unknown names, unknown levers and bad values are all reported at once, with what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim import config as cfgmod
from sim.config import ConfigError

POLICIES_DIR = cfgmod.CONFIGS / "policies"
LEVERS: tuple[str, ...] = tuple(cfgmod.Policy.model_fields)


class _PolicyFile(BaseModel):
    """The schema of a package file; extra keys are mistakes, not comments."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    title: str = ""
    description: str = Field(min_length=1)
    source: str = Field(min_length=1)
    levers: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class PolicyPackage:
    """A validated package: its levers are typed values of :class:`sim.config.Policy`."""

    name: str
    title: str
    description: str
    source: str
    levers: dict[str, Any]
    path: str
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def sha256(self) -> str:
        """Hash of what changes results (the levers), so a report can be matched to its inputs."""
        return hashlib.sha256(json.dumps(self.levers, sort_keys=True).encode()).hexdigest()


def known_policies(directory: Path = POLICIES_DIR) -> list[str]:
    """Names of the packages in the library, baseline first."""
    names = sorted(p.stem for p in directory.glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "baseline", n))


def _path_for(name: str, directory: Path) -> Path | None:
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    path = directory / f"{name}.yaml"
    return path if path.is_file() else None


def check_levers(levers: dict[str, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    """Typed lever values and problems; ``policy.`` prefixes are accepted and dropped."""
    problems: list[str] = []
    clean: dict[str, Any] = {}
    for key, value in levers.items():
        lever = str(key).removeprefix("policy.")
        if lever not in LEVERS:
            problems.append(f"{where}levers.{key}: unknown policy lever (allowed: {', '.join(LEVERS)})")
            continue
        clean[lever] = value
    if clean:
        try:
            typed = cfgmod.Policy.model_validate(clean)
        except ValidationError as exc:
            problems += [f"{where}levers.{line.removeprefix('(top level)')}" for line in cfgmod.format_validation_error(exc, clean)]
        else:
            clean = {k: getattr(typed, k) for k in clean}
    return clean, problems


def load_policy(name: str, directory: Path = POLICIES_DIR) -> PolicyPackage:
    """One package by library name (``continuous_funding``) or by path to a YAML file."""
    path = _path_for(name, directory)
    if path is None:
        raise ConfigError([f"policy {name!r}: unknown (allowed: {', '.join(known_policies(directory))}, or a path to a policy YAML file)"])
    try:
        raw = cfgmod.read_yaml(path)
    except ConfigError as exc:
        raise ConfigError([f"policy {name!r}: {p}" for p in exc.problems]) from None
    where = f"{path.name}: "
    try:
        spec = _PolicyFile.model_validate(raw)
    except ValidationError as exc:
        lines = cfgmod.format_validation_error(exc, raw)
        raise ConfigError(
            [where + line + ("" if "allowed" in line else " (allowed: name, title, description, source, levers)") for line in lines]
        ) from None
    levers, problems = check_levers(spec.levers, where)
    if problems:
        raise ConfigError(problems)
    return PolicyPackage(
        spec.name, spec.title or spec.name, " ".join(spec.description.split()), " ".join(spec.source.split()), levers, str(path), raw
    )


def load_policies(names: list[str], directory: Path = POLICIES_DIR) -> list[PolicyPackage]:
    """Several packages; every problem of every package is reported together."""
    out: list[PolicyPackage] = []
    problems: list[str] = []
    for name in names:
        try:
            out.append(load_policy(name, directory))
        except ConfigError as exc:
            problems += exc.problems
    seen: set[str] = set()
    for p in out:
        if p.name in seen:
            problems.append(f"policy {p.name!r}: given twice (allowed: each package once)")
        seen.add(p.name)
    if problems:
        raise ConfigError(problems)
    return out


def arm_policy(case_policy: cfgmod.Policy, package: PolicyPackage) -> dict[str, Any]:
    """Every lever's value in one arm: the case's own, overridden by the package's."""
    return {**case_policy.model_dump(), **package.levers}
