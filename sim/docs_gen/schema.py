"""Rows of the parameter reference, read from the pydantic schema: key, unit, default, range, source."""

from __future__ import annotations

import json
import math
import types
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


@dataclass(frozen=True)
class Row:
    """One parameter: a leaf of the schema with everything the table shows."""

    key: str
    unit: str
    default: str
    range: str
    source: str
    description: str


def extra_of(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _model_type(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds directly (not in a list), if any."""
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def list_item_model(annotation: Any) -> bool:
    """Whether the field is a list of models (an entity list documented in its own table)."""
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation) or (None,)
        return _model_type(item) is not None
    return False


def fmt_value(value: Any) -> str:
    """A default as a reader would type it in YAML."""
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return format(value, ".12g")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return f'"{value}"' if value == "" else value
    if isinstance(value, tuple | list):
        if not value:
            return "[]"
        return "[" + ", ".join(fmt_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if isinstance(value, BaseModel):
        return ", ".join(f"{k}: {fmt_value(v)}" for k, v in value.model_dump().items())
    return str(value)


def _bound(value: Any) -> str:
    return fmt_value(float(value)) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def fmt_range(info: FieldInfo) -> str:
    """Allowed values: an interval from ge/gt/le/lt, a list of literals, or the type's domain."""
    lo = hi = None
    lo_open = hi_open = False
    extra: list[str] = []
    for m in info.metadata:
        if isinstance(m, at.Ge):
            lo = m.ge
        elif isinstance(m, at.Gt):
            lo, lo_open = m.gt, True
        elif isinstance(m, at.Le):
            hi = m.le
        elif isinstance(m, at.Lt):
            hi, hi_open = m.lt, True
        elif isinstance(m, at.MinLen):
            extra.append(f"length ≥ {m.min_length}")
        elif isinstance(m, at.MaxLen):
            extra.append(f"length ≤ {m.max_length}")
    parts: list[str] = []
    if lo is not None or hi is not None:
        left = "(" if lo_open or lo is None else "["
        right = ")" if hi_open or hi is None else "]"
        interval = f"{left}{_bound(lo) if lo is not None else '-∞'}, {_bound(hi) if hi is not None else '∞'}{right}"
        parts.append(f"{interval} or none" if _optional(info.annotation) else interval)
    else:
        domain = _domain(info.annotation)
        if domain:
            parts.append(domain)
    parts += extra
    return "; ".join(parts) if parts else "any"


def _optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


def _domain(annotation: Any) -> str:
    """Describe an unconstrained type: literals are listed, booleans and text named."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(str(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        inner = [_domain(a) for a in args if a is not type(None)]
        return " or ".join(d for d in inner if d) + " or none"
    if annotation is Any:
        return "any"
    if annotation is bool:
        return "true | false"
    if annotation is str:
        return "text"
    if annotation in (int, float):
        return "any"
    if origin is tuple:
        return f"{len(args)} numbers"
    if origin is list:
        return "list"
    if origin is dict:
        return "mapping"
    return getattr(annotation, "__name__", "")


def walk(
    model: type[BaseModel],
    prefix: str,
    defaults: BaseModel | None,
    inherited: dict[str, str] | None = None,
) -> list[Row]:
    """Rows for every leaf of ``model``; nested models are descended, entity lists skipped.

    ``defaults`` is the instance whose values are the defaults (a nested model's defaults come
    from its parent, e.g. each permit activity's months and denial); ``inherited`` carries the
    parent field's source and description into those nested rows, since the parent sets them.
    """
    rows: list[Row] = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        extra = extra_of(info)
        value = getattr(defaults, name) if defaults is not None else info.default
        sub = _model_type(info.annotation)
        if sub is not None:
            carry = None
            if extra:
                carry = {"source": str(extra.get("source", "")), "description": info.description or ""}
            rows += walk(sub, f"{key}.", value if isinstance(value, BaseModel) else None, carry)
            continue
        if list_item_model(info.annotation):
            continue  # documented in the entity tables
        if value is PydanticUndefined and info.default_factory is not None:
            value = info.default_factory()  # type: ignore[call-arg]
        source = str(extra.get("source", ""))
        description = info.description or ""
        if inherited:
            source = inherited["source"] or source
            description = f"{inherited['description'].rstrip('.')}: {description[:1].lower()}{description[1:]}"
        rows.append(Row(key, str(extra.get("unit", "")), fmt_value(value), fmt_range(info), source, description))
    return rows
