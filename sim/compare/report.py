"""The comparison report: a self-contained HTML page and a Markdown twin with PNG figures.

This module assembles it: the figures (:mod:`~sim.compare.figures`), tables
(:mod:`~sim.compare.tables`) and readings of every case go to both writers
(:mod:`~sim.compare.writers`), which end with the inputs (config hashes, policy levers, seeds,
replications, versions) needed to reproduce every number exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.compare import analysis, budget, explain, league
from sim.compare.analysis import CaseResult
from sim.compare.figures import arm_colours, fig_collapse, fig_cost, fig_differences, fig_distributions, fig_timeline
from sim.compare.plain import GLOSSARY, levers_text, package_label, strip_keys
from sim.compare.plane import fig_plane
from sim.compare.policies import PolicyPackage
from sim.compare.tables import Table, arm_table, diff_table
from sim.compare.writers import Report, Section, slug, write_html, write_markdown


def build(
    runs: pd.DataFrame,
    ts: pd.DataFrame,
    results: list[CaseResult],
    packages: list[PolicyPackage],
    out: Path,
    inputs: list[tuple[str, str]],
    intro: str,
    budgets: list[float] | None = None,
    sens: tuple[dict[str, Any], list[Any]] | None = None,
    ensemble: tuple[list[Any], str] | None = None,
) -> tuple[Path, Path, list[Path], list[str]]:
    """Draw every figure, then write ``report.html`` and ``report.md`` into ``out``; return them, the figures and the verdict.

    ``ensemble`` is the robustness of each case across a calibrated ensemble (:mod:`~sim.compare.robust`) and
    a paragraph on where the ensemble came from."""
    budgets = budgets or []
    baseline = packages[0].name
    arms = [p.name for p in packages]
    policies = arms[1:]
    colours = arm_colours(arms, baseline)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    df = analysis.prepared(runs, {r.case: r.years for r in results})
    figs: list[Path] = []
    verdict: list[str] = []
    front_tables: list[Table] = []
    front_figures = []
    sections: list[Section] = []
    if policies:
        ranked = [(res, league.entries(res, df, packages)) for res in results]
        robust_by_case = {cr.case: cr for cr in ensemble[0]} if ensemble is not None else {}
        for res, es in ranked:
            text = league.verdict(res, es, df, baseline)
            if res.case in robust_by_case:  # the bottom line says whether it holds across the ensemble
                from sim.compare import robust

                text += " " + robust.front_sentence(robust_by_case[res.case], res)
            verdict.append(text)
            front_tables.append(league.league_table(res, es))
        front_figures.append(fig_plane(ranked, colours, budgets, figdir / "cost_effectiveness_plane.png"))
        if budgets:
            opts = [(res, budget.options(res, df, packages)) for res in results]
            verdict.append(" ".join(budget.budget_text(res, o, budgets[0]) for res, o in opts))
            sections.append(Section("budget", "Within the budget", tables=[budget.budget_table(res, o, budgets) for res, o in opts]))
        if sens is not None:
            from sim.compare import sensitivity

            centre, bars = sens
            sections.append(
                Section(
                    "sensitivity",
                    "How sure: the answer under other assumptions",
                    tables=[sensitivity.table(res, centre[res.case], bars) for res in results],
                    figures=[sensitivity.fig_tornado(results, centre, bars, figdir / "sensitivity_tornado.png")],
                )
            )
        if ensemble is not None:
            from sim.compare import robust

            sections.append(robust.section(ensemble[0], results, colours, figdir, ensemble[1]))
        sections.append(
            Section("why", "Why the packages did or did not work", tables=[explain.why_table(res, df, packages) for res in results])
        )
    else:
        verdict.append(
            f"Only the baseline ({package_label(baseline)}) was run, so there is nothing to compare; the tables describe it alone."
        )
    sections.append(Section("packages", "The packages compared", tables=[packages_table(packages)]))
    if policies:
        readings = [analysis.reading(results, baseline, p) for p in packages[1:]]
        sections.append(Section("details", "Each package in detail", paragraphs=readings, css="reading"))
    for res in results:
        cdf = df[df["case"] == res.case]
        cts = ts[ts["case"] == res.case]
        stem = slug(res.case)
        sec = Section(f"case-{stem}", res.name, tables=[arm_table(res, arms)])
        sec.figures.append(fig_distributions(cdf, res, arms, colours, figdir / f"{stem}_distributions.png"))
        if policies:
            sec.tables.append(diff_table(res, policies))
            sec.figures.append(fig_differences(res, policies, colours, figdir / f"{stem}_differences.png"))
        sec.figures.append(fig_collapse(res, arms, colours, figdir / f"{stem}_collapse.png"))
        sec.figures.append(fig_timeline(cts, res, arms, colours, figdir / f"{stem}_timeline.png"))
        sec.figures.append(fig_cost(res, baseline, arms, colours, figdir / f"{stem}_cost.png"))
        sections.append(sec)
    for s in sections:
        figs += [f.path for f in s.figures]
    figs += [f.path for f in front_figures]
    rep = Report(
        title="Funding-policy comparison: " + ", ".join(r.name for r in results),
        intro=intro,
        verdict=verdict,
        front_tables=front_tables,
        front_figures=front_figures,
        sections=sections,
        glossary=GLOSSARY if ensemble is None else {**GLOSSARY, **_robust_glossary()},
        inputs=inputs,
        notes=NOTES,
    )
    html_path, md_path = out / "report.html", out / "report.md"
    write_html(rep, html_path)
    write_markdown(rep, md_path)
    return html_path, md_path, figs, verdict


def _robust_glossary() -> dict[str, str]:
    from sim.compare import robust

    return robust.GLOSSARY


def packages_table(packages: list[PolicyPackage]) -> Table:
    """What each package changes, in words; the config keys and values are in the reproducibility section."""
    rows = [
        [
            package_label(p.name),
            p.title,
            levers_text(p.levers) if p.levers else "each place's own policy",
            strip_keys(p.description),
            strip_keys(p.source),
        ]
        for p in packages
    ]
    return Table("Packages", ["package", "title", "measures", "what it does", "source"], rows, text=True)


NOTES = [
    "Common random numbers: replication r of every policy uses the same seed, so each policy is compared with the "
    "baseline run by run; the difference intervals are Student-t intervals of those per-seed differences. The average of each package "
    "on its own has a percentile interval from resampling the runs, which stays within the quantity's bounds (a count or an "
    "amount never gets a negative lower limit). An effect counts as clear only when its interval, as printed, does not reach zero.",
    "A policy package sets only its own levers; every other lever keeps the value of the case's own scenario file. "
    "Policy changes a scenario schedules for a later date still apply at that date.",
    "Collapse: the cluster was once active (at least 3 firms exchanging at least 2 resource types, Chertow 2007) and "
    "was inactive over the last collapse window of the run. Intervals: Wilson score (per policy) and Newcombe's "
    "hybrid score method for paired proportions (differences).",
    "Years to the first exchange count a run that never had one as the whole horizon, so a policy that makes "
    "exchanges happen at all shows as earlier; the share of runs without any exchange is shown beside it.",
    "Public money is what the model pays: the public share of facilitation projects, permanent base funding, "
    "guarantees paid out when a guaranteed start-up exits, investment grants (paid when an exchange's financing is "
    "secured; also shown on their own), and the authorities' own work where a policy needs it, priced "
    "by assumption: free plots held in reserve, faster permit procedures in a sandbox, supervision of heat assessments "
    "(their prices are in the reproducibility section). Cost per unit is total money over total units across runs (a ratio of means), with a 95 % "
    "percentile interval from 2,000 resamples of seeds; incremental cost divides extra money by extra units, paired by seed.",
    "Outcomes at 10 and 20 years need a horizon at least that long ('n/a' otherwise; set it with --years).",
]


def versions_text(v: dict[str, Any]) -> str:
    """Package versions on one line, for the inputs at the end of the report."""
    return ", ".join(f"{k} {val}" for k, val in v.items())
