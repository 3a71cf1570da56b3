"""Fixtures every test module may use (pytest finds them here; see tests/README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sim.world import World

DATA = Path(__file__).parent / "data"


@pytest.fixture
def tiny() -> World:
    """The hand-made three-state world of ``tests/data/tiny.toml``."""
    return World.from_toml(DATA / "tiny.toml")


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test left open (only if pyplot was imported)."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
