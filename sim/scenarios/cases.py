"""The case library (``configs/cases/``) and synthetic regions on the command line.

``symbiosis cases`` lists every scenario of the library with its case id, place, start year,
number of actors and what it tests; ``symbiosis synth`` writes a synthetic region's scenario YAML
(:mod:`sim.scenarios.synthetic`). The schema has no ``place`` or ``tests`` field, so the place is read from
the config (the hub's municipality and its region) and the tests from the ``Tests:`` part of the
description, which every library file has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
import yaml

from sim import config as cfgmod
from sim.config import ConfigError, ScenarioConfig
from sim.limits import MAX_FIRMS

CASES_DIR = cfgmod.CONFIGS / "cases"
_TESTS = re.compile(r"Tests:\s*(.*)$", re.S)
_PATTERN = re.compile(r"\bP(\d{1,2})\b")


@dataclass(frozen=True)
class CaseEntry:
    """One row of the library table."""

    id: str
    name: str
    place: str
    start_year: int
    years: int
    actors: int
    tests: str
    patterns: tuple[str, ...]
    path: Path


def _case_key(path: Path) -> tuple[int, str]:
    m = re.match(r"A(\d+)", path.stem)
    return (int(m.group(1)) if m else 10_000, path.stem)


def case_files(directory: Path = CASES_DIR) -> list[Path]:
    """The library's YAML files in case order (A1, A2, ..., A29)."""
    return sorted(directory.glob("*.yaml"), key=_case_key)


def tests_of(description: str) -> str:
    """The text after ``Tests:`` in a description, on one line."""
    m = _TESTS.search(description)
    return " ".join(m.group(1).split()) if m else ""


def place_of(cfg: ScenarioConfig) -> str:
    """The hub's municipality and its region; the first municipality if none has a hub."""
    if not cfg.municipalities:
        return ""
    main = next((m for m in cfg.municipalities if m.hub), cfg.municipalities[0])
    more = len(cfg.municipalities) - 1
    return f"{main.name}, {main.region}" + (f" (+{more})" if more else "")


def entry(path: Path, cfg: ScenarioConfig) -> CaseEntry:
    tests = tests_of(cfg.description)
    patterns = tuple(dict.fromkeys(f"P{n}" for n in _PATTERN.findall(tests)))
    return CaseEntry(
        id=cfg.case or path.stem,
        name=cfg.name,
        place=place_of(cfg),
        start_year=cfg.start_year,
        years=cfg.years,
        actors=len(cfg.firms) + len(cfg.facilitators),
        tests=tests,
        patterns=patterns,
        path=path,
    )


def library(directory: Path = CASES_DIR) -> tuple[list[CaseEntry], list[str]]:
    """Every case that validates, and a problem line for every file that does not."""
    entries, problems = [], []
    for path in case_files(directory):
        try:
            entries.append(entry(path, cfgmod.load(path)))
        except ConfigError as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems]
    return entries, problems


def table(entries: list[CaseEntry], long: bool = False) -> str:
    """A plain-text table; ``long`` prints the full 'what it tests' text instead of pattern ids."""
    head = ("id", "name", "place", "start", "actors", "tests")
    rows = [
        (
            e.id,
            e.name.removeprefix(f"{e.id} "),
            e.place,
            str(e.start_year),
            str(e.actors),
            e.tests if long else (", ".join(e.patterns) or e.tests[:40]),
        )
        for e in entries
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    widths[-1] = len(head[-1])  # the last column is not padded
    fmt = "  ".join(f"{{:<{w}}}" for w in widths[:-1]) + "  {}"
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths[:-1]), "-----")]
    lines += [fmt.format(*r) for r in rows]
    return "\n".join(lines)


def synth_problems(args: dict[str, int], per_sector: dict[str, int] | None, firms: int | None) -> list[str]:
    """What ``symbiosis synth`` cannot honour as asked, each naming its option (nothing is silently changed)."""
    problems = []
    munis = args["municipalities"]
    utilities = 2 * munis
    if args.get("regions") is not None and args["regions"] > munis:
        problems.append(
            f"--regions {args['regions']}: more regions than the {munis} municipalities (allowed: 1 to {munis}, each region holds a municipality)"
        )
    if per_sector is not None:
        if firms is not None:
            problems.append(f"--firms {firms}: --sector gives the firms per sector instead (allowed: --firms or --sector, not both)")
        total = sum(per_sector.values()) + utilities
        if total > MAX_FIRMS:
            problems.append(f"--sector: {total:,} firms with the utilities (allowed: at most {MAX_FIRMS:,} firms)")
    elif args.get("firms") is not None:
        if args["firms"] < utilities:
            problems.append(
                f"--firms {args['firms']}: fewer than the {utilities} utilities (two per municipality) every region has (allowed: at least {utilities})"
            )
        elif args["firms"] > MAX_FIRMS:
            problems.append(f"--firms {args['firms']}: too many (allowed: at most {MAX_FIRMS:,})")
    elif 12 * munis > MAX_FIRMS:
        problems.append(f"--municipalities {munis}: the default {12 * munis:,} firms are too many (allowed: at most {MAX_FIRMS:,} firms)")
    return problems


def register(app: typer.Typer) -> None:
    """Add ``cases`` and ``synth`` to the command line."""
    from sim.cli.errors import fail

    @app.command()
    def cases(
        long: Annotated[bool, typer.Option("--long", help="Print what each case tests in full.")] = False,
        directory: Annotated[Path, typer.Option(help="Library directory.")] = CASES_DIR,
    ) -> None:
        """List the case library: id, name, place, start year, actors and what each case tests."""
        if not directory.is_dir():
            fail([f"--directory {directory}: not a directory (allowed: a directory of scenario YAML files)"], "case library")
        entries, problems = library(directory)
        if problems:
            fail(problems, "case library")
        typer.echo(table(entries, long))
        typer.echo(f"\n{len(entries)} cases in {directory}; run one with: symbiosis run {directory}/<file>.yaml")

    @app.command()
    def synth(
        out: Annotated[Path, typer.Option(help="YAML file to write.")],
        municipalities: Annotated[int | None, typer.Option(help="Number of municipalities.", min=1, max=5000)] = None,
        regions: Annotated[
            int | None, typer.Option(help="Number of regions, at most one per municipality (default: one per ~14).", min=1)
        ] = None,
        firms: Annotated[
            int | None, typer.Option(help="Total firms, two utilities per municipality included.", min=1, max=MAX_FIRMS)
        ] = None,
        sector: Annotated[
            list[str] | None, typer.Option("--sector", help="SECTOR=COUNT, repeatable; replaces the default split of firms.")
        ] = None,
        preset: Annotated[
            str | None, typer.Option(help="national (290 municipalities, 21 regions, 20,000 firms), county or small.")
        ] = None,
        seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same region.", min=0)] = 1,
        start_year: Annotated[int, typer.Option(help="First year.", min=1900, max=2200)] = 2020,
        years: Annotated[int, typer.Option(help="Horizon in years.", min=1, max=200)] = 30,
    ) -> None:
        """Write a synthetic region's scenario (reproducible for a seed) that `symbiosis run` accepts."""
        from sim.scenarios import synthetic

        problems = []
        if preset is not None and preset not in synthetic.PRESETS:
            problems.append(f"--preset {preset}: unknown (allowed: {', '.join(sorted(synthetic.PRESETS))})")
        if preset is None and municipalities is None:
            problems.append("--municipalities: missing (allowed: a number of municipalities, or --preset)")
        per_sector: dict[str, int] | None = None
        if sector:
            per_sector = {}
            for item in sector:
                key, _, value = item.partition("=")
                if key not in synthetic.SECTORS or not value.isdigit():
                    problems.append(f"--sector {item}: expected SECTOR=COUNT (allowed sectors: {', '.join(synthetic.SECTORS)})")
                else:
                    per_sector[key] = int(value)
        if problems:
            fail(problems, "synthetic region")
        args = dict(synthetic.PRESETS[preset]) if preset else {}
        for key, value in (("municipalities", municipalities), ("regions", regions), ("firms", firms)):
            if value is not None:
                args[key] = value
        problems += synth_problems(args, per_sector, firms)
        if problems:
            fail(problems, "synthetic region")
        name = f"synthetic-{preset}-seed{seed}" if preset else None
        raw = synthetic.generate(**args, firms_per_sector=per_sector, seed=seed, start_year=start_year, years=years, name=name)
        try:
            cfg = cfgmod.build(raw)
        except ConfigError as exc:  # a generator bug, reported like bad input rather than a traceback
            fail(exc.problems, "generated region")
            return
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
            with out.open("w", encoding="utf-8") as fh:
                yaml.dump(raw, fh, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=200)
        except OSError as exc:
            fail([f"--out {out}: cannot write: {exc.strerror} (allowed: a writable file path)"], "output")
            return
        typer.echo(
            f"wrote {out}: {len(cfg.municipalities)} municipalities in {len(cfg.regions)} regions, "
            f"{len(cfg.firms)} firms, {len(cfg.facilitators)} facilitators, seed {seed}"
        )
