"""How every command reports bad input: each problem on its own line and exit code 2, never a
traceback. Command modules import this, not the command line itself, so nothing imports in a circle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from sim import config as cfgmod
from sim.config import ConfigError


def fail(problems: list[str], what: str = "configuration") -> None:
    """Print every problem and exit with code 2 (bad input), never a traceback."""
    from sim.limits import clip

    typer.echo(f"error: the {what} has {len(problems)} problem(s):", err=True)
    for p in problems:
        typer.echo(clip(f"  - {p}").encode("utf-8", "backslashreplace").decode("utf-8"), err=True)
    raise typer.Exit(2)


def load_or_fail(path: Path | None, sets: list[str] | None, overrides: dict[str, Any] | None = None) -> cfgmod.ScenarioConfig:
    try:
        ov = cfgmod.parse_set(sets or [])
        ov.update(overrides or {})
        return cfgmod.load(path, ov)
    except ConfigError as exc:
        fail(exc.problems)
        raise  # unreachable
