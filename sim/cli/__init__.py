"""The ``symbiosis`` command line."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.cli.errors import fail, load_or_fail
from sim.limits import MAX_SEED, MAX_STEPS

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: wraps long values (paths, dotted keys, defaults) instead of cutting them off
    no_args_is_help=True,
    help="symbiosis-sim: agent-based model of industrial and urban symbiosis.",
)


def _summary_table(summary: dict[str, Any]) -> str:
    keys = [
        "final_active_exchanges",
        "peak_active_exchanges",
        "collapsed",
        "first_exchange_step",
        "years_to_first_exchange",
        "co2_avoided_total_t",
        "virgin_water_saved_total_m3",
        "heat_delivered_total_mwh",
        "public_funding_total_sek",
        "firms_alive_final",
        "startups_entered",
    ]
    width = max(len(k) for k in keys)
    lines = [f"{'outcome':<{width}}  value", f"{'-' * width}  {'-' * 14}"]
    for k in keys:
        v = summary.get(k)
        text = f"{v:,.1f}" if isinstance(v, float) else str(v)
        lines.append(f"{k:<{width}}  {text}")
    return "\n".join(lines)


@app.command()
def run(
    config: Annotated[Path | None, typer.Argument(help="Scenario YAML; the built-in example if omitted.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the config's seed).", min=0, max=MAX_SEED)] = None,
    steps: Annotated[int | None, typer.Option(help="Months to simulate (default: the config's horizon).", min=1, max=MAX_STEPS)] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a config value: KEY=VALUE, dotted keys.")] = None,
    out: Annotated[Path, typer.Option(help="Directory for the results.")] = Path("results/run"),
) -> None:
    """Run one scenario and write timeseries, events, exchanges, resolved config, summary and a figure."""
    from sim.run.runner import run as run_model
    from sim.run.runner import write

    cfg = load_or_fail(config, set_)
    seed = cfg.seed if seed is None else seed
    total = steps or cfg.steps
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="month", desc=cfg.name, leave=False)
    result = run_model(cfg, seed, steps, on_step=(lambda m: bar.update(1)) if bar else None)
    if bar:
        bar.close()
    try:
        paths = write(result, out)
    except OSError as exc:
        fail([f"--out {out}: cannot write results: {exc.strerror} (allowed: a writable directory)"], "output")
        return
    typer.echo(f"{cfg.name}: {total} months from {cfg.start_year}, seed {seed}")
    typer.echo(_summary_table(result.summary))
    typer.echo(f"\nwrote {len(paths)} files to {out}/: " + ", ".join(p.name for p in paths))


@app.command()
def validate(
    config: Annotated[Path, typer.Argument(help="Scenario YAML to check.")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Overrides to check too.")] = None,
) -> None:
    """Report every problem in a config at once, or OK."""
    cfg = load_or_fail(config, set_)
    typer.echo(f"OK: {config} ({cfg.name}: {len(cfg.firms)} firms, {len(cfg.municipalities)} municipalities, {cfg.years} years)")


# Commands that live in their own modules: each module defines ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = (
    "sim.sweep.cli",
    "sim.dashboard.cli",
    "sim.scenarios.cases",
    "sim.compare.cli",
    "sim.cli.check_cases",
    "sim.cli.calibrate",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()
