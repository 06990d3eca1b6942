"""A validated base scenario plus a few overrides, without copying and validating it all again.

A sweep runs one base scenario many times with a few dotted keys changed. Deep-copying the raw
base and validating every firm and municipality again for each run costs milliseconds, as much as
a tenth of a short case run. The functions here give the same config as
``build(apply_overrides(raw, overrides))``: they copy only the mappings and lists on the overridden
paths, and when every override lies in a section that no cross-check reads (policy, switches,
mechanism parameters, observation, resources) they validate just those sections and put them into
the validated base. Anything else, and any problem at all, goes the full way, so errors are
worded exactly as :func:`sim.config.build` words them.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sim import limits
from sim.config import ScenarioConfig, _walk_schema, apply_overrides, build

# Top-level sections validated on their own: check_references and check_history never read them.
SECTIONS = frozenset({"policy", "mechanisms", "params", "observation", "resources"})


def with_overrides(raw: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """:func:`~sim.config.apply_overrides`, copying only the containers on the overridden paths.

    The result shares every other part with ``raw``; neither is changed by the call, and a caller
    must not change them afterwards (validation only reads them). A bad key or index takes the
    full way, which raises the usual :class:`~sim.config.ConfigError`.
    """
    out = dict(raw)
    for key, value in overrides.items():
        parts = key.split(".")
        if _walk_schema(ScenarioConfig, parts) is not None:
            return apply_overrides(raw, overrides)
        node: Any = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                idx = int(part)
                if idx >= len(node):
                    return apply_overrides(raw, overrides)
                if last:
                    node[idx] = value
                else:
                    node[idx] = node = _copied(node[idx])
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    child = node.get(part)
                    node[part] = node = ({} if not parts[i + 1].isdigit() else []) if child is None else _copied(child)
            else:
                return apply_overrides(raw, overrides)
    return out


def _copied(node: Any) -> Any:
    return dict(node) if isinstance(node, dict) else list(node) if isinstance(node, list) else node


def rebuild(base: ScenarioConfig, raw: dict[str, Any], overrides: dict[str, Any]) -> ScenarioConfig:
    """``build(raw)`` where ``raw`` is the base's raw data with ``overrides`` applied.

    Overrides confined to :data:`SECTIONS` re-validate those sections only and copy them into
    ``base``; the result equals the full build's (tested). Others, or a section that does not
    validate, take :func:`~sim.config.build`, so a problem is reported exactly as it would be.
    """
    changed = {key.split(".", 1)[0] for key in overrides}
    if not changed <= SECTIONS:
        return build(raw)
    update = {}
    for name in changed:
        section = raw.get(name)
        annotation = ScenarioConfig.model_fields[name].annotation
        try:
            value = annotation.model_validate(section)  # type: ignore[union-attr]
        except (ValidationError, RecursionError):
            return build(raw)
        if limits.check_values(value.model_dump()):
            return build(raw)
        update[name] = value
    return base.model_copy(update=update)


def build_overridden(base: ScenarioConfig, base_raw: dict[str, Any], overrides: dict[str, Any]) -> ScenarioConfig:
    """The config of ``base_raw`` (from which ``base`` was built) with ``overrides``; see :func:`rebuild`."""
    if not overrides:
        return base
    return rebuild(base, with_overrides(base_raw, overrides), overrides)
