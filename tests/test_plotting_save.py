"""Saving figures (sim.plotting.save): each format written atomically."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from sim.errors import ValidationError
from sim.plotting import (
    plot_world,
    save_figure,
)
from sim.world import World

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def tiny() -> World:
    return World.from_toml(DATA / "tiny.toml")


def test_save_figure_writes_each_format_atomically(tiny, tmp_path):
    ax = plot_world(tiny)
    written = save_figure(ax, tmp_path / "out" / "world.png", formats=("png", "svg"))
    assert written == [tmp_path / "out" / "world.png", tmp_path / "out" / "world.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = written[1].read_text()
    assert "<svg" in svg and "AAA" in svg
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["world.png", "world.svg"]
    with pytest.raises(ValidationError, match="did you mean 'svg'"):
        save_figure(ax.figure, tmp_path / "x", formats=("svgz",))
