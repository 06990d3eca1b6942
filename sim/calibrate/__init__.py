"""Calibration by history matching on the case facts (``symbiosis calibrate``).

A spec (configs/calibration/README.md) names uncertain parameters and their plausible ranges; each
design point runs the whole case docking table (every case of the library over the same seeds),
and a point is kept when no fact of the report finds it implausible (Craig et al. 1997, Vernon et
al. 2010). Later waves sample only where Gaussian-process emulators of the facts (scikit-learn) do
not yet rule the space out. See docs/validation.md, "Calibration: history matching on the case
facts".
"""
