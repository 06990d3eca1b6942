"""Funding-policy scenarios for authorities: paired runs, statistics, cost-effectiveness, report.

``symbiosis compare BASELINE [POLICY ...]`` runs every policy package of ``configs/policies/`` on
the same seeds as the baseline (common random numbers), so a difference between arms is the
policy's effect on the very same simulated histories, not noise between two sets of draws.
Modules: :mod:`~sim.compare.policies` (packages), :mod:`~sim.compare.runs` (paired runs on the
sweep executors), :mod:`~sim.compare.stats` (intervals), :mod:`~sim.compare.report` (HTML and
Markdown, from :mod:`~sim.compare.figures`, :mod:`~sim.compare.tables` and
:mod:`~sim.compare.writers`) and :mod:`~sim.compare.cli`.
"""
