"""Scenarios: the case library (configs/cases) and synthetic regions."""
