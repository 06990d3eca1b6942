"""One comparison end to end: load packages and cases, run the arms paired by seed, write the report."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim import config as cfgmod
from sim.compare import analysis, report, stats
from sim.compare.analysis import ASSUMED_PRICES
from sim.compare.plain import ASSUMED_PRICE_WORDS, LEVER_NAMES
from sim.compare.policies import PolicyPackage, load_policies
from sim.compare.runs import CaseInput, Plan, execute, resolve_cases
from sim.config import ROOT
from sim.sweep import store


@dataclass
class Comparison:
    """What :func:`compare` produced."""

    out: Path
    html: Path
    markdown: Path
    figures: list[Path]
    runs: pd.DataFrame
    results: list[analysis.CaseResult]
    packages: list[PolicyPackage]
    cases: list[CaseInput]
    seconds: float
    verdict: list[str]  # the first page's paragraphs, for the terminal
    ensemble_runs: pd.DataFrame | None = None  # every member's runs, with a member column
    robust: list[Any] | None = None  # per case, the choice across the ensemble (sim.compare.robust.CaseRobust)


def seed_list(first: int, replications: int) -> list[int]:
    """Replication r runs on seed ``first + r`` in every arm (common random numbers)."""
    return list(range(first, first + replications))


def _seeds_text(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}..{seeds[-1]} ({len(seeds)} seeds, the same in every arm)"
    return ", ".join(map(str, seeds))


def _repro_command(case: CaseInput, package: PolicyPackage, seed: int) -> str:
    base = case.source if not case.source.startswith("sim.scenarios.synthetic") else "<file written by symbiosis synth>"
    sets = [f"--set {k}={json.dumps(v)}" for k, v in case.overrides.items()]
    sets += [f"--set policy.{k}={json.dumps(v)}" for k, v in package.levers.items()]
    # a horizon longer than the file's was set through ``years``; a shorter one stops the run early
    horizon = f"--set years={case.years}" if int(case.raw.get("years", 20)) == case.years else f"--steps {case.steps}"
    return " ".join(["symbiosis run", base, f"--seed {seed}", horizon, *sets])


def working_tree_state() -> str:
    """Whether the code that ran is exactly the commit named in versions (uncommitted edits change results)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", "sim", "agents", "configs"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    changed = sorted(line[3:] for line in out if line.strip())
    if not changed:
        return "clean: the code is exactly the commit in versions"
    return f"{len(changed)} modified file(s) not in the commit: " + ", ".join(changed)


def inputs_section(plan: Plan, workers: int, command: str) -> list[tuple[str, str]]:
    """The lines a reader needs to rerun every number: files, hashes, seeds, versions."""
    cases = "\n".join(
        f"{c.id}: {c.name} | source {c.source} | horizon {c.years} years ({c.steps} months) | resolved config sha256 {c.sha256()}"
        for c in plan.cases
    )

    def rel(path: str) -> str:
        try:
            return str(Path(path).resolve().relative_to(ROOT))
        except ValueError:
            return path

    pols = "\n".join(
        f"{p.name}: {rel(p.path)} | levers {json.dumps(p.levers, sort_keys=True)} | levers sha256 {p.sha256()}" for p in plan.arms
    )
    versions = store.versions()
    prices = []
    for c in plan.cases:
        cfg = cfgmod.build(c.raw)
        vals = [f"{key} = {_param(cfg, key):,.0f} SEK ({ASSUMED_PRICE_WORDS[lever]})" for lever, key in ASSUMED_PRICES.items()]
        prices.append(f"{c.id}: " + "; ".join(vals))
    names = "\n".join(f"policy.{k}: {v}" for k, v in LEVER_NAMES.items())
    example = _repro_command(plan.cases[0], plan.arms[-1], plan.seeds[0])
    return [
        ("command", command),
        ("created (UTC)", datetime.now(UTC).isoformat(timespec="seconds")),
        ("cases", cases),
        ("policy packages (first is the baseline)", pols),
        ("set for every arm (--set)", ", ".join(f"{k}={json.dumps(v)}" for k, v in plan.cases[0].overrides.items()) or "nothing"),
        ("assumed prices of the authorities' own work (change with --set KEY=VALUE)", "\n".join(prices)),
        ("measures: config key and the words the report uses", names),
        ("replications", str(len(plan.seeds))),
        ("seeds", _seeds_text(plan.seeds)),
        ("runs", f"{plan.runs} = {len(plan.cases)} cases x {len(plan.arms)} policies x {len(plan.seeds)} seeds"),
        ("comparison fingerprint (sha256)", plan.fingerprint()),
        (
            "statistics",
            f"95 % intervals; bootstrap {stats.BOOTSTRAP_RESAMPLES} resamples of seeds with numpy default_rng({stats.BOOTSTRAP_SEED})",
        ),
        ("workers", f"{workers} (results do not depend on it)"),
        ("versions", report.versions_text(versions)),
        ("git working tree when the report was written (sim, agents, configs)", working_tree_state()),
        ("raw results", "runs/batch-*.parquet (one row per run) and timeseries/batch-*.parquet, beside this report"),
        ("rerun one run", example),
    ]


def _param(cfg: Any, key: str) -> float:
    """A dotted ``params.*`` value of a built scenario."""
    obj = cfg
    for part in key.split("."):
        obj = getattr(obj, part)
    return float(obj)


def compare(
    baseline: str,
    policies: list[str],
    cases: list[str],
    replications: int,
    out: Path,
    *,
    workers: int = 1,
    years: int | None = 20,
    first_seed: int = 0,
    overrides: dict[str, Any] | None = None,
    command: str | None = None,
    budgets: list[float] | None = None,
    sensitivity: int = 0,
    ensemble: Path | None = None,
    members: int | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run ``baseline`` and every policy on every case with the same seeds, and write the report.

    With ``ensemble`` (a directory holding ``ensemble.parquet``) everything is run again under each
    of its first ``members`` parameter sets on the same seeds, and the report gets a robustness section.
    Raises :class:`sim.config.ConfigError` for any bad name, lever, case, ensemble or directory
    before the first run.
    """
    from sim.compare import ensemble as ensmod

    t0 = time.monotonic()
    packages = load_policies([baseline, *policies])
    case_inputs = resolve_cases(cases, years, overrides)
    plan = Plan(case_inputs, packages, seed_list(first_seed, replications))
    plan.check()
    ens = ensmod.load(ensemble, members) if ensemble is not None else None
    eplan = ensmod.plan(ens, cases, years, overrides, packages, plan.seeds) if ens is not None else None
    if ens is not None and eplan is not None:
        ensmod.check(ens, eplan, out, packages)
    runs, ts = execute(plan, out, workers, on_batch)
    arms = [p.name for p in packages]
    names = {c.id: c.name for c in case_inputs}
    yrs = {c.id: c.years for c in case_inputs}
    results = analysis.analyse(runs, packages[0].name, arms, names, yrs)
    intro = (
        f"{len(packages) - 1} policy package(s) against the baseline '{packages[0].name}' on "
        f"{len(case_inputs)} scenario(s), {replications} paired runs each (the same seeds in every arm), "
        f"over {', '.join(sorted({f'{c.years} years' for c in case_inputs}))}. Every number comes from the runs "
        "stored beside this report; every interval is a 95 % interval."
    )
    inputs = inputs_section(plan, workers, command or " ".join(["symbiosis", *sys.argv[1:]]))
    sens = None
    before = len(runs)  # runs done before the ensemble's, for the progress count
    if sensitivity:
        from sim.compare import sensitivity as sensmod

        k = min(sensitivity, replications)
        sub = runs[runs["replication"] < k]
        sub_results = analysis.analyse(sub, packages[0].name, arms, names, yrs)
        sub_df = analysis.prepared(sub, yrs)
        centre = {r.case: sensmod.answer(r, sub_df, packages) for r in sub_results}
        answers = sensmod.run(cases, years, overrides or {}, packages, plan.seeds[:k], out / "sensitivity", workers, on_batch, len(runs))
        sens = (centre, sensmod.bars(answers, [c.id for c in case_inputs], packages))
        before += 2 * len(sensmod.factors(packages)) * len(packages) * len(case_inputs) * k
        inputs.append(
            (
                "sensitivity: factors set to a low and a high value in every arm, on seeds "
                f"{plan.seeds[0]}..{plan.seeds[k - 1]}; runs in sensitivity/",
                "\n".join(f"{key}: low {lo:g}, high {hi:g} ({words})" for key, words, lo, hi, _ in sensmod.factors(packages)),
            )
        )
    robust_part, eruns, crs = None, None, None
    if ens is not None and eplan is not None:
        from sim.compare import robust

        eruns = ensmod.run(ens, eplan, out, workers, on_batch, before)
        crs = robust.summarise(eruns, packages[0].name, arms[1:], names, yrs)
        robust_part = (crs, ensmod.about(ens, plan.seeds, len(eruns)))
        inputs += ensmod.inputs(ens, eplan, overrides)
        inputs.append((f"rerun one ensemble run (member {ens.members[0]})", _repro_command(eplan.cases[0], eplan.arms[-1], eplan.seeds[0])))
        intro += f" The robustness section runs everything again under {robust.sets(len(ens.members))}."
    html_path, md_path, figs, verdict = report.build(runs, ts, results, packages, out, inputs, intro, budgets, sens, robust_part)
    return Comparison(out, html_path, md_path, figs, runs, results, packages, case_inputs, time.monotonic() - t0, verdict, eruns, crs)
