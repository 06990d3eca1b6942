"""Shared fixtures: the built-in example and small scenarios."""

from __future__ import annotations

import pytest

from sim import config


@pytest.fixture(scope="session")
def example_config() -> config.ScenarioConfig:
    return config.load()
