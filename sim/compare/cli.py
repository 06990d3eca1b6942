"""``symbiosis compare``: policy packages against a baseline, paired by seed, with a report."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Annotated

import typer

from sim.config import ConfigError, parse_set


def budget_values(text: str | None) -> list[float]:
    from sim.compare.budget import parse_budget

    return parse_budget(text)


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the command line."""

    @app.command()
    def compare(
        baseline: Annotated[
            str | None, typer.Argument(help="Baseline package: a name in configs/policies/ (e.g. baseline) or a YAML path.")
        ] = None,
        policies: Annotated[list[str] | None, typer.Argument(help="Policy packages to compare with the baseline.")] = None,
        cases: Annotated[
            str,
            typer.Option(
                help="Comma-separated scenarios: case ids (A13,A20), file stems, 'example', synthetic:PRESET[:SEED] or YAML paths."
            ),
        ] = "example",
        replications: Annotated[
            int, typer.Option(help="Paired runs per policy and case (seeds first-seed, first-seed+1, ...).", min=2)
        ] = 30,
        workers: Annotated[int | None, typer.Option(help="Worker processes (default: all cores; 1 runs in this process).", min=1)] = None,
        budget_msek: Annotated[
            str | None,
            typer.Option(
                help="Public budget in MSEK of extra money over the horizon: which package (or pair) buys most within it. "
                "A number (20), a list (10,20,40) or a range (10:40).",
            ),
        ] = None,
        sensitivity: Annotated[
            int,
            typer.Option(
                help="Seeds for a sensitivity check: re-run everything at low and high values of the assumed prices and of "
                "the three most influential parameters (twelve more comparisons); 0 = off.",
                min=0,
            ),
        ] = 0,
        ensemble: Annotated[
            Path | None,
            typer.Option(
                help="A calibrated ensemble (a directory holding ensemble.parquet, as symbiosis calibrate writes): run "
                "everything again under each parameter set on the same seeds and add a robustness section "
                "(members x policies x cases x replications more runs).",
            ),
        ] = None,
        members: Annotated[int | None, typer.Option(help="Use the first N members of --ensemble (default: all).", min=1)] = None,
        pdf: Annotated[bool, typer.Option(help="Also print the report to report.pdf with Chromium.")] = True,
        out: Annotated[Path, typer.Option(help="Directory for the report, figures and raw runs.")] = Path("results/compare"),
        years: Annotated[
            int | None, typer.Option(help="Horizon in years from each case's start (default 20; 0 keeps each case's own).", min=0, max=200)
        ] = 20,
        first_seed: Annotated[int, typer.Option(help="Seed of the first replication.", min=0)] = 0,
        set_: Annotated[
            list[str] | None,
            typer.Option(
                "--set",
                help="Set a config value in every arm, before the packages' levers: KEY=VALUE, dotted keys "
                "(e.g. params.land_planning.reservation_cost_sek_per_plot_year=80000).",
            ),
        ] = None,
        list_: Annotated[bool, typer.Option("--list", help="List the policy packages and levers, then exit.")] = False,
    ) -> None:
        """Compare policy packages with a baseline on the same seeds; write report.html and report.md."""
        from sim.cli.errors import fail
        from sim.compare import policies as polmod
        from sim.compare.study import compare as run_compare

        if list_:
            for name in polmod.known_policies():
                p = polmod.load_policy(name)
                typer.echo(f"{name:<20} {p.title}: " + (", ".join(f"{k}={v}" for k, v in p.levers.items()) or "(case's own)"))
            typer.echo("\nlevers: " + ", ".join(polmod.LEVERS))
            return
        if baseline is None:
            fail([f"BASELINE: missing (allowed: {', '.join(polmod.known_policies())}, or a path to a policy YAML file)"], "command line")
            return
        items = [c.strip() for c in cases.split(",") if c.strip()]
        if not items:
            fail(["--cases: empty (allowed: case ids such as A13,A20, 'example', synthetic:PRESET[:SEED] or YAML paths)"], "command line")
        from sim.sweep.executors import cpu_count
        from sim.sweep.progress import Progress

        n_workers = workers or cpu_count()
        bar: Progress | None = None
        done_runs = [0]

        def progress(batch: int, finished: int) -> None:
            if bar is not None:
                bar.update(finished - done_runs[0])
            done_runs[0] = finished

        try:
            from sim.compare.policies import load_policies
            from sim.compare.runs import resolve_cases

            # check every name before any run or directory is made, and report all problems at once
            problems: list[str] = []
            try:
                pk = load_policies([baseline, *(policies or [])])
            except ConfigError as exc:
                problems += exc.problems
            overrides: dict = {}
            try:
                overrides = parse_set(set_ or [])
                cs = resolve_cases(items, years or None, overrides)
            except ConfigError as exc:
                problems += exc.problems
            try:
                budgets = budget_values(budget_msek)
            except ConfigError as exc:
                problems += exc.problems
            n_members = 0
            if ensemble is not None:
                from sim.compare import ensemble as ensmod

                cases_ok = not problems
                try:
                    ens = ensmod.load(ensemble, members)
                    n_members = len(ens.members)
                    if cases_ok:  # each member's values on each case, as the runs will take them
                        ensmod.resolve(ens, items, years or None, overrides)
                    if not policies:
                        problems.append(
                            f"--ensemble {ensemble}: only the baseline was given (allowed: a baseline and at least one policy package to compare)"
                        )
                except ConfigError as exc:
                    problems += exc.problems
            elif members is not None:
                problems.append(f"--members {members}: given without --ensemble (allowed: --members N only with --ensemble DIR)")
            if problems:
                raise ConfigError(problems)
            total = len(pk) * len(cs) * replications * (1 + n_members)
            if sensitivity:
                from sim.compare.sensitivity import factors

                total += 2 * len(factors(pk)) * len(pk) * len(cs) * min(sensitivity, replications)
            typer.echo(
                f"compare: {len(pk) - 1} policies vs {pk[0].name} on {', '.join(c.id for c in cs)}: "
                f"{replications} paired runs each"
                + (f", again under {n_members} calibrated parameter set(s)" if n_members else "")
                + f", {total} runs, {n_workers} worker(s) -> {out}/",
                err=True,
            )
            bar = Progress("compare", total)  # a bar on a terminal, a line every 10 s in a log
            result = run_compare(
                baseline,
                policies or [],
                items,
                replications,
                out,
                workers=n_workers,
                budgets=budgets,
                sensitivity=sensitivity,
                ensemble=ensemble,
                members=members,
                years=years or None,
                first_seed=first_seed,
                overrides=overrides,
                on_batch=progress,
            )
        except ConfigError as exc:
            if bar is not None:
                bar.close()
            fail(exc.problems, "comparison")
            return
        if bar is not None:
            bar.close()
        extra = f" (and {len(result.ensemble_runs)} under the ensemble)" if result.ensemble_runs is not None else ""
        typer.echo(f"{len(result.runs)} runs{extra} in {result.seconds:.1f} s")
        from sim.compare.analysis import fmt_interval

        for res in result.results:
            typer.echo(f"\n{res.name} ({res.years} years, {len(res.seeds)} seeds): active exchange-years, mean [95 % CI]")
            for arm, ar in res.arms.items():
                line = f"  {arm:<20} {fmt_interval(ar.means['exchange_years'])}  collapse {100 * ar.collapse.estimate:.0f} %"
                if arm in res.diffs:
                    line += f"  diff {fmt_interval(res.diffs[arm].diffs['exchange_years'], sign=True)}"
                typer.echo(line)
        from sim.compare import robust

        for cr in result.robust or []:
            n = len(cr.members)
            typer.echo(f"\n{cr.name} across {robust.sets(n)}: beats the baseline (clearly), ranks first, regret mean/max")
            for c in cr.choices:
                beats = "-" if c.baseline else f"{c.wins}/{n} ({c.clear_wins})"
                typer.echo(f"  {c.name:<20} {beats:>10}  first {c.first:g}/{n}  regret {c.regret.mean():.1f}/{c.regret.max():.1f}")
        typer.echo("\nIn brief:")
        for paragraph in result.verdict:
            typer.echo(textwrap.fill(paragraph, width=100, initial_indent="  ", subsequent_indent="  "))
        written = [str(result.html), str(result.markdown)]
        if pdf:
            from sim.compare.pdf import write_pdf

            why = write_pdf(result.html, result.html.with_name("report.pdf"))
            if why is None:
                written.append(str(result.html.with_name("report.pdf")))
            else:
                typer.echo(why, err=True)
        typer.echo(f"\nwrote {', '.join(written)} and {len(result.figures)} figures in {result.out / 'figures'}/")
