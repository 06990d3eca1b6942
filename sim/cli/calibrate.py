"""``symbiosis calibrate``: history matching of the uncertain parameters on the case facts (sim/calibrate/).

The calibration modules (scipy, scikit-learn, matplotlib) are imported when the command runs, so
that every other command starts as fast as before."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer

from sim import config as cfgmod
from sim.cli.errors import fail

EXECUTORS = ("auto", "inprocess", "processes", "dask")


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a cluster's job killer: stop as cleanly as on Ctrl-C


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to the command line."""

    @app.command("calibrate")
    def calibrate(
        spec: Annotated[Path, typer.Argument(help="Calibration spec YAML (configs/calibration/README.md).")],
        out: Annotated[Path | None, typer.Option(help="Output directory (default: results/calibrate/NAME).")] = None,
        resume: Annotated[bool, typer.Option(help="Finish an interrupted calibration in --out: keep its finished batches.")] = False,
        workers: Annotated[
            int | None, typer.Option(help="Worker processes (default: all cores; 1 runs in this process).", min=1, max=256)
        ] = None,
        executor: Annotated[
            str, typer.Option(help="auto, inprocess, processes or dask (dask without --scheduler starts a local cluster).")
        ] = "auto",
        scheduler: Annotated[str | None, typer.Option(help="Address of a running Dask scheduler, e.g. tcp://host:8786.")] = None,
        docs: Annotated[
            Path | None, typer.Option(help="Also rewrite the generated calibration block of this file (docs/validation.md).")
        ] = None,
        waves: Annotated[int | None, typer.Option(help="Waves of history matching, instead of the spec's.")] = None,
        seeds: Annotated[int | None, typer.Option(help="Seeds per point, instead of the spec's.")] = None,
        samples: Annotated[int | None, typer.Option(help="Points per wave (design.samples), instead of the spec's.")] = None,
        log_every: Annotated[float, typer.Option(help="Seconds between progress lines when stderr is not a terminal.", min=0.1)] = 10.0,
    ) -> None:
        """Run waves of history matching over the case library and write the accepted ensemble, its plots and a summary."""
        from sim.calibrate import engine, report
        from sim.calibrate.spec import load_spec
        from sim.sweep.executors import ExecutorError

        if executor not in EXECUTORS:
            fail([f"--executor: value {executor!r} is unknown (allowed: {', '.join(EXECUTORS)})"], "command line")
        if scheduler and executor not in ("auto", "dask"):
            fail([f"--scheduler: needs the dask executor, not {executor!r} (allowed: --executor auto or dask)"], "command line")
        if docs is not None and not docs.is_file():
            fail([f"--docs {docs}: not a file (allowed: docs/validation.md or another file with the calibrate markers)"], "command line")
        try:
            loaded = load_spec(spec, overrides={"waves": waves, "seeds": seeds, "samples": samples})
        except cfgmod.ConfigError as exc:
            fail(exc.problems, "calibration spec")
            return
        out = out or Path("results/calibrate") / loaded.spec.name
        if scheduler:
            from sim.sweep.executors import check_scheduler

            try:
                check_scheduler(scheduler)
            except ExecutorError as exc:
                fail([str(exc)], "command line")
        signal.signal(signal.SIGTERM, _sigterm)
        try:
            res = engine.calibrate(loaded, out, resume, executor, workers, scheduler, log_every=log_every)
        except cfgmod.ConfigError as exc:
            fail(exc.problems, "calibration")
            return
        except ExecutorError as exc:
            fail([f"--executor {executor}: {exc}"], "calibration run")
            return
        except KeyboardInterrupt:
            typer.echo(f"interrupted: finished batches are kept in {out}; run again with --resume to finish", err=True)
            raise typer.Exit(130) from None
        except OSError as exc:
            fail([f"--out {out}: cannot read or write: {exc.strerror} (allowed: a writable directory)"], "output")
            return
        paths = report.write(res)
        summary = report.summarise(res)
        typer.echo(report.markdown(summary, res))
        typer.echo(f"{res.runs} case-runs in {res.seconds:.0f} s; wrote " + ", ".join(str(p) for p in paths))
        if docs is not None and not report.update_docs(summary, res, docs):
            fail([f"--docs {docs}: no {report.DOCS_START} ... {report.DOCS_END} markers (allowed: a file with both)"], "output")
