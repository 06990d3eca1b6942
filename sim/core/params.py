"""Helpers for parameters that carry a unit, a default and a source.

Every parameter of the model is declared with :func:`param`, so the unit and the source travel
with the schema and ``docs/parameters.md`` can be generated from it rather than written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Base for every config model: unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def param(default: Any, unit: str, source: str, description: str, **constraints: Any) -> Any:
    """A pydantic field whose description, unit and source are machine-readable."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **constraints,
    )


@dataclass(frozen=True)
class Switch:
    """A mechanism's on/off switch: what turning it off removes, and where the rule comes from."""

    description: str
    source: str
