"""Colour-blind-safe colours shared by figures and the dashboard (Paul Tol's muted scheme)."""

from __future__ import annotations

from sim.core.resources import RESOURCE_NAMES

TOL_MUTED = ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499", "#555555"]
RESOURCE_COLOURS = dict(zip(RESOURCE_NAMES, TOL_MUTED, strict=True))
ROLE_COLOURS = {"anchor": "#332288", "utility": "#44AA99", "sme": "#DDCC77", "startup": "#CC6677"}
