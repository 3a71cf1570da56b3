"""Writing figures to disk: one or more formats, each written atomically."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim._files import atomic_write
from sim.errors import Problem, ValidationError, suggest

__all__ = [
    "save_figure",
]

_FORMATS = ("png", "svg", "pdf")


def save_figure(
    fig: Figure | Axes,
    path: str | Path,
    *,
    formats: Sequence[str] = ("png",),
    dpi: float = 150,
) -> list[Path]:
    """Write a figure in one or more formats, each atomically (temp file, then rename).

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes
        The figure (or an axes of it).
    path : str or pathlib.Path
        Target without suffix (``out/world``) or with one of the formats' suffixes, which is
        replaced for each format.
    formats : sequence of {"png", "svg", "pdf"}
    dpi : float
        Resolution of raster formats.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of `formats`.

    Notes
    -----
    A reader never sees a half-written file: each is written to a temporary file in the
    target's folder and moved into place with :func:`os.replace`. Vector formats omit the
    creation date, so the same figure gives the same bytes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.plotting import save_figure
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> out = Path(tempfile.mkdtemp()) / "line.png"
    >>> [p.name for p in save_figure(fig, out, formats=("png", "svg"))]
    ['line.png', 'line.svg']
    >>> plt.close(fig)
    """
    # The root figure: the `.figure` of an Axes in a SubFigure is the SubFigure, which cannot
    # save itself; a SubFigure's `.figure` is the root.
    figure = fig.figure.figure if isinstance(fig, Axes) else fig
    bad = [f for f in formats if f not in _FORMATS]
    if bad or not formats:
        raise ValidationError(
            [
                Problem(
                    "formats",
                    "unknown figure format",
                    f,
                    " | ".join(_FORMATS),
                    suggest(f, _FORMATS),
                )
                for f in bad
            ]
            or [Problem("formats", "no format given", list(formats), " | ".join(_FORMATS))],
            what="save_figure",
        )
    path = Path(path)
    stem = path.with_suffix("") if path.suffix.lower().lstrip(".") in _FORMATS else path
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = stem.parent / f"{stem.name}.{fmt}"
        metadata = {"Date": None} if fmt in ("svg", "pdf") else None
        atomic_write(
            target,
            functools.partial(
                figure.savefig, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata
            ),
        )
        written.append(target)
    return written
