"""Interactive Solara dashboard for students.

Import :mod:`sim.dashboard.app` for the page; this package itself stays light so that the
command line starts fast.
"""
