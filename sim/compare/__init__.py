"""Funding-policy scenarios for authorities: paired runs, statistics, cost-effectiveness, a report to decide from.

``symbiosis compare BASELINE [POLICY ...]`` runs every policy package of ``configs/policies/`` on
the same seeds as the baseline (common random numbers), so a difference between arms is the
policy's effect on the very same simulated histories, not noise between two sets of draws.
Modules: :mod:`~sim.compare.policies` (packages), :mod:`~sim.compare.runs` (paired runs on the
sweep executors), :mod:`~sim.compare.stats` (intervals), :mod:`~sim.compare.analysis` (numbers
and readings), :mod:`~sim.compare.league` (league table, dominance, verdict),
:mod:`~sim.compare.budget` (the most within a budget), :mod:`~sim.compare.explain` (what each
measure acted on), :mod:`~sim.compare.sensitivity` (the answer under other assumptions),
:mod:`~sim.compare.plain` (the report's words), :mod:`~sim.compare.report` (assembles HTML and
Markdown from :mod:`~sim.compare.figures`, :mod:`~sim.compare.plane`, :mod:`~sim.compare.tables`
and :mod:`~sim.compare.writers`), :mod:`~sim.compare.pdf` (report.pdf) and :mod:`~sim.compare.cli`.
"""
