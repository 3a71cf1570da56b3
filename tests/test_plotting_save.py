"""Saving figures (sim.plotting.save): each format written atomically, reproducible vector files,
suffixes, resolution, and every bad format named."""

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

DATA = Path(__file__).parent / "data"


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


def _line():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    return fig


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_formats_give_the_same_bytes_for_the_same_figure(tmp_path, fmt):
    fig = _line()
    (a,) = save_figure(fig, tmp_path / "a", formats=(fmt,))
    (b,) = save_figure(fig, tmp_path / "b", formats=(fmt,))
    assert a.read_bytes() == b.read_bytes()
    # no creation date inside (else two saves a second apart differ)
    assert b"CreationDate" not in a.read_bytes() and b"<dc:date>" not in a.read_bytes()


def test_a_path_without_a_format_suffix_keeps_its_name_and_gets_each_suffix(tmp_path):
    written = save_figure(_line(), tmp_path / "deep" / "fig.v2", formats=("pdf", "png"))
    assert written == [tmp_path / "deep" / "fig.v2.pdf", tmp_path / "deep" / "fig.v2.png"]
    assert written[0].read_bytes()[:5] == b"%PDF-"


def test_raster_resolution_follows_dpi(tmp_path):
    import matplotlib.image as mpimg

    fig = _line()
    (low,) = save_figure(fig, tmp_path / "low", dpi=50)
    (high,) = save_figure(fig, tmp_path / "high", dpi=100)
    h_low, w_low = mpimg.imread(low).shape[:2]
    h_high, w_high = mpimg.imread(high).shape[:2]
    # twice the dots per inch, twice the pixels (to a few: the tight box is fitted to the text)
    assert w_high / w_low == pytest.approx(2, rel=0.05)
    assert h_high / h_low == pytest.approx(2, rel=0.05)


def test_no_format_or_several_unknown_ones_are_each_named(tmp_path):
    with pytest.raises(ValidationError, match="no format given"):
        save_figure(_line(), tmp_path / "x", formats=())
    with pytest.raises(ValidationError) as info:
        save_figure(_line(), tmp_path / "x", formats=("png", "jpg", "eps"))
    assert [p.value for p in info.value.problems] == ["jpg", "eps"]
    assert not list(tmp_path.iterdir())  # nothing written when a format is wrong


def test_save_figure_saves_the_root_figure_of_an_axes_in_a_subfigure(tmp_path):
    # An Axes' `.figure` is its SubFigure, which has no savefig: this raised AttributeError.
    fig = plt.figure()
    ax = fig.subfigures(1, 2)[0].subplots()
    ax.plot([0, 1], [0, 1])
    written = save_figure(ax, tmp_path / "sub.png", formats=("png",))
    plt.close(fig)
    assert written == [tmp_path / "sub.png"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
