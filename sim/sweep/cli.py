"""Command line: ``symbiosis sweep``, ``symbiosis query`` and ``symbiosis analyze``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.config import ConfigError


def _fail(problems: list[str], what: str) -> None:
    from sim.cli.errors import fail

    fail(problems, what)


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a cluster's job killer: stop as cleanly as on Ctrl-C


def sweep(
    spec: Annotated[Path | None, typer.Argument(help="Sweep YAML (may be left out with --resume).")] = None,
    out: Annotated[Path | None, typer.Option(help="Directory for manifest, design and results (default: results/sweeps/NAME).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: all cores; 1 runs in this process).", min=1)] = None,
    scheduler: Annotated[str | None, typer.Option(help="Address of a running Dask scheduler, e.g. tcp://host:8786.")] = None,
    executor: Annotated[
        str, typer.Option(help="auto, inprocess, processes or dask (dask without --scheduler starts a local cluster).")
    ] = "auto",
    resume: Annotated[bool, typer.Option(help="Finish an interrupted sweep in --out: skip completed run ids.")] = False,
    log_every: Annotated[float, typer.Option(help="Seconds between progress lines when stderr is not a terminal.", min=0.1)] = 10.0,
    connect_timeout: Annotated[float, typer.Option(help="Seconds to wait for --scheduler.", min=0.1)] = 10.0,
) -> None:
    """Run a parameter sweep; results are Parquet batches under --out, resumable at any point."""
    from sim.sweep import engine
    from sim.sweep.executors import ExecutorError
    from sim.sweep.progress import Progress
    from sim.sweep.spec import load_spec

    if executor not in engine.EXECUTORS:
        _fail([f"--executor: value {executor!r} is unknown (allowed: {', '.join(engine.EXECUTORS)})"], "command line")
    if scheduler and executor not in ("auto", "dask"):
        _fail([f"--scheduler: needs the dask executor, not {executor!r} (allowed: --executor auto or dask)"], "command line")
    if out is None:
        if spec is None:
            _fail(["--out: needed with --resume when no sweep file is given (allowed: the directory of an earlier sweep)"], "command line")
        try:
            name = load_spec(spec).spec.name if spec is not None else "sweep"
        except ConfigError as exc:
            _fail(exc.problems, "sweep file")
            return
        out = Path("results/sweeps") / name
    if scheduler:
        try:
            from sim.sweep.executors import check_scheduler

            check_scheduler(scheduler, connect_timeout)
        except ExecutorError as exc:
            _fail([str(exc)], "command line")
    from sim.sweep import store

    try:
        sweep_, _, manifest = engine.open_sweep(spec, out, resume)
        done, notes = store.check_batches(out, manifest, sweep_.spec.outcomes.timeseries is not None)
        if notes:
            store.write_json(manifest, out / store.MANIFEST)
    except ConfigError as exc:
        _fail(exc.problems, "sweep file" if not resume else "sweep")
        return
    except OSError as exc:
        _fail([f"--out {out}: cannot read or write: {exc.strerror} (allowed: a writable sweep directory)"], "sweep")
        return
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    runs = int(manifest["runs"])
    bs = int(manifest["batch_size"])
    done_runs = sum(min(runs, (b + 1) * bs) - b * bs for b in done)
    typer.echo(
        f"{sweep_.spec.name}: {manifest['design']['points']} points x {sweep_.spec.replications} replications = {runs} runs "
        f"of {sweep_.steps} months ({manifest['design']['kind']}), {manifest['batches']} batches -> {out}/"
        + (f"; resuming, {done_runs} runs already done" if resume else ""),
        err=True,
    )
    bar = Progress(sweep_.spec.name, runs, done_runs, every=log_every)
    old = signal.signal(signal.SIGTERM, _sigterm)
    try:
        report = engine.run_sweep(
            spec, out, workers=workers, scheduler=scheduler, executor=executor, resume=True, progress=bar, connect_timeout=connect_timeout
        )
    except KeyboardInterrupt:
        bar.close()
        saved = sum(store.batch_rows(manifest, b) for b in store.done_batches(out))
        typer.echo(
            f"\ninterrupted: {saved} of {runs} runs are saved in {out}/; finish with: symbiosis sweep --resume --out {out}", err=True
        )
        raise typer.Exit(130) from None
    except ExecutorError as exc:
        bar.close()
        _fail([str(exc)], "executor")
        return
    except ConfigError as exc:
        bar.close()
        _fail(exc.problems, "sweep")
        return
    finally:
        signal.signal(signal.SIGTERM, old)
    bar.close()
    typer.echo(
        f"done: {report.runs} runs in {report.batches} batches; "
        + (
            f"{report.runs - report.computed_runs} runs ({report.skipped_batches} batches) were already done, "
            if report.skipped_batches
            else ""
        )
        + f"{report.computed_runs} runs computed in {report.seconds:.1f} s on {report.executor}"
        + (f"; {report.failed_runs} runs FAILED (see the error column)" if report.failed_runs else "")
    )
    typer.echo(f'results: {out}/runs/*.parquet   try: symbiosis query {out} "SELECT count(*) FROM runs"')
    if report.failed_runs:
        raise typer.Exit(1)


def query(
    directory: Annotated[Path, typer.Argument(help="A sweep's --out directory.")],
    sql: Annotated[str, typer.Argument(help="DuckDB SQL over the views runs, design and timeseries.")],
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
    max_rows: Annotated[int, typer.Option(help="Rows shown in table format.", min=1)] = 50,
    unrestricted: Annotated[
        bool,
        typer.Option(
            "--unrestricted",
            help="Let the SQL write files and read files outside DIR (by default the results are read-only and only DIR is readable).",
        ),
    ] = False,
) -> None:
    """Run SQL (DuckDB) over a sweep's Parquet files without loading them into memory.

    By default the query cannot change anything: the database is opened read-only and DuckDB may
    read only the sweep directory and write nowhere. ``--unrestricted`` lifts both.
    """
    import duckdb

    from sim.sweep.results import connect

    if fmt not in ("table", "csv"):
        _fail([f"--format: value {fmt!r} is unknown (allowed: table, csv)"], "command line")
    if not sql.strip():
        _fail(
            ["SQL: empty (allowed: a DuckDB statement over the views runs, design and timeseries, e.g. SELECT count(*) FROM runs)"], "query"
        )
    try:
        con = connect(directory, read_only=not unrestricted)
    except ConfigError as exc:
        _fail(exc.problems, "sweep directory")
        return
    try:
        if not unrestricted:
            from sim.sweep.results import check_read_only

            refused = check_read_only(con, sql)
            if refused:
                _fail(refused, "query")
        rel = con.sql(sql)
        if rel is None:
            return
        if fmt == "csv":
            import pyarrow.csv as pcsv

            # DuckDB 2 renamed fetch_record_batch (deprecated there) to to_arrow_reader; 1.x has only the old name
            reader = (rel.to_arrow_reader if hasattr(rel, "to_arrow_reader") else rel.fetch_record_batch)(10_000)
            with pcsv.CSVWriter(sys.stdout.buffer, reader.schema) as writer:
                for batch in reader:
                    writer.write_batch(batch)
            return
        df = rel.limit(max_rows + 1).df()
    except duckdb.Error as exc:
        lifted = "" if unrestricted else "; read-only, files outside the sweep directory need --unrestricted"
        _fail(
            [
                f"SQL: {str(exc).splitlines()[0][:300]} (allowed: DuckDB SQL over the views runs, design"
                + (", timeseries" if (directory / "timeseries").is_dir() else "")
                + lifted
                + ")"
            ],
            "query",
        )
        return
    import pandas as pd

    with pd.option_context("display.max_columns", None, "display.width", 200):
        typer.echo(df.head(max_rows).to_string(index=False))
    if len(df) > max_rows:
        typer.echo(f"... more rows (showing {max_rows}; use --max-rows or --format csv)")


def analyze(
    directory: Annotated[Path, typer.Argument(help="A sweep's --out directory.")],
    outcome: Annotated[list[str] | None, typer.Option(help="Outcome to plot and index (repeatable; default: a few key ones).")] = None,
    out: Annotated[Path | None, typer.Option(help="Directory for tables and plots (default: DIR/analysis).")] = None,
    noise_target: Annotated[
        float, typer.Option(help="Seed-noise share of the point means' variance to stay below; above it analyze warns.", min=0.01, max=0.9)
    ] = 0.1,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples for the index intervals.", min=20)] = 300,
) -> None:
    """Summary tables, seed noise per outcome, Sobol or Morris indices with bootstrap intervals, fan charts and plots."""
    import duckdb

    from sim.sweep.analysis import analyze as do_analyze

    try:
        written, notes = do_analyze(directory, outcome, out, target=noise_target, resamples=resamples)
    except ConfigError as exc:
        _fail(exc.problems, "analysis")
        return
    except duckdb.Error as exc:
        _fail(
            [
                f"{directory}: the results do not match {directory / 'manifest.json'}: {str(exc).splitlines()[0][:200]} "
                "(allowed: the unedited files of a sweep)"
            ],
            "analysis",
        )
        return
    except OSError as exc:
        target = out or directory / "analysis"
        _fail([f"--out {target}: cannot write: {exc.strerror or exc} (allowed: a writable directory)"], "analysis")
        return
    for note in notes:
        typer.echo(f"warning: {note.removeprefix('WARNING: ')}" if note.startswith("WARNING: ") else f"note: {note}", err=True)
    typer.echo(f"wrote {len(written)} files to {(out or directory / 'analysis')}/: " + ", ".join(p.name for p in written))


def register(app: typer.Typer) -> None:
    """Add the sweep commands to the ``symbiosis`` app."""
    app.command()(sweep)
    app.command()(query)
    app.command()(analyze)
