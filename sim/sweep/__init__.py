"""Parameter sweeps at scale: spec, design, executors, Parquet store, resume, analysis, EMA adapter.

Entry points: :func:`sim.sweep.engine.run_sweep` (also ``symbiosis sweep``),
:func:`sim.sweep.analysis.analyze` (``symbiosis analyze``) and
:func:`sim.sweep.ema.symbiosis_outcomes` for ``ema_workbench.ReplicatorModel``.
"""
