"""``symbiosis check-cases``: the case docking on the command line (sim/run/docking.py).

The docking modules (scipy's statistics) are imported when the command runs, so that every other
command starts as fast as before."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim import config as cfgmod
from sim.cli.errors import fail
from sim.scenarios.cases import CASES_DIR


def register(app: typer.Typer) -> None:
    """Add ``check-cases`` to the command line."""

    @app.command("check-cases")
    def check_cases(
        seeds: Annotated[int, typer.Option(help="Seeds a case (1..N).", min=1, max=10_000)] = 30,
        cases: Annotated[str | None, typer.Option(help="Comma-separated case ids, e.g. A13,A20 (default: every case).")] = None,
        workers: Annotated[int, typer.Option(help="Worker processes (1: this process).", min=1, max=256)] = 1,
        out: Annotated[Path, typer.Option(help="Directory for the table and the figure.")] = Path("results/check-cases"),
        directory: Annotated[Path, typer.Option(help="Case library directory.")] = CASES_DIR,
        figure: Annotated[bool, typer.Option(help="Also draw the exchanges of every case against the report's facts.")] = True,
        docs: Annotated[Path | None, typer.Option(help="Also rewrite the generated table of this file (docs/validation.md).")] = None,
    ) -> None:
        """Run every case at its file's values over many seeds; measure and judge each fact of the report."""
        from sim.run.docking import DOCS_END, DOCS_START, console, dock, update_docs, write  # scipy: only when run
        from sim.sweep.executors import ExecutorError

        ids = [c.strip() for c in cases.split(",") if c.strip()] if cases else None
        if not directory.is_dir():
            fail([f"--directory {directory}: not a directory (allowed: a directory of case YAML files)"], "case library")
        try:
            d = dock(ids, seeds, workers, directory)
        except cfgmod.ConfigError as exc:
            fail(exc.problems, "case library")
            return
        except ExecutorError as exc:
            fail([f"--workers {workers}: {exc}"], "docking run")
            return
        try:
            paths = write(d, out, figure)
        except OSError as exc:
            fail([f"--out {out}: cannot write: {exc.strerror} (allowed: a writable directory)"], "output")
            return
        typer.echo(console(d))
        typer.echo(
            f"\n{len(d.cases)} cases x {seeds} seeds in {d.seconds:.0f} s (commit {d.commit[:12]}); wrote "
            + ", ".join(str(p) for p in paths)
        )
        if docs is not None and not update_docs(d, docs):
            fail([f"--docs {docs}: no {DOCS_START} ... {DOCS_END} markers (allowed: a file with both)"], "output")
