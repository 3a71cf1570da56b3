"""Sums over a leading replicate axis: one ``bincount`` for every row at once.

The batched engine (:mod:`sim.engine`) holds state as arrays of shape (R, ...), one row per
replicate. A per-row ``np.bincount`` becomes one ``bincount`` over indices shifted by
``row * n``; within a row the entries are added in the same order as the one-row call, so a
row's sums equal the single-model ones bit for bit.
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["row_bincount"]


def row_bincount(idx: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Per-row ``np.bincount(idx, weights, minlength=n)``.

    Parameters
    ----------
    idx : int array, shape (L,) or (R, L)
        Bins in ``0 .. n-1``, shared by every row or one set per row.
    weights : float array, shape (L,) or (R, L)
        The weights; 1-D with 1-D `idx` gives the plain one-row result.
    n : int
        Number of bins.

    Returns
    -------
    float array, shape (n,) or (R, n)

    Examples
    --------
    >>> row_bincount(np.array([0, 1, 0]), np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]]), 2)
    array([[4. , 2. ],
           [1. , 0.5]])
    """
    if idx.ndim == 1:
        if weights.ndim == 1:
            return np.bincount(idx, weights=weights, minlength=n)
        if weights.shape[0] == 1:  # the single model: one row, no shifting
            return np.bincount(idx, weights=weights[0], minlength=n)[None, :]
    elif idx.shape[0] == 1 and weights.shape[0] == 1:
        return np.bincount(idx[0], weights=weights[0], minlength=n)[None, :]
    rows = weights.shape[0] if weights.ndim == 2 else idx.shape[0]
    if idx.ndim == 1:
        shifted = _shifted(idx, rows, n)
    else:
        shifted = (idx + (np.arange(rows, dtype=np.intp) * n)[:, None]).ravel()
    w = np.broadcast_to(weights, (rows, idx.shape[-1]))
    return np.bincount(shifted, weights=w.ravel(), minlength=rows * n).reshape(rows, n)


#: Shifted bins of shared index arrays, by (rows, n, bins): the engine sums over the same few
#: index arrays (tie ends, needs, cells) every month. Guarded by a lock: a threaded Dask
#: worker runs several batches in one process.
_SHIFTED: dict[tuple, np.ndarray] = {}
_SHIFTED_BYTES = 32 * 2**20  # cleared when it would hold more
_SHIFTED_LOCK = threading.Lock()
_shifted_held = 0  # bytes in _SHIFTED


def _shifted(idx: np.ndarray, rows: int, n: int) -> np.ndarray:
    """``(idx + row * n)`` for every row, raveled, for a bin array `idx` shared by the rows."""
    global _shifted_held
    key = (rows, n, idx.dtype.str, idx.tobytes())
    with _SHIFTED_LOCK:
        got = _SHIFTED.get(key)
        if got is None:
            got = (idx.astype(np.intp) + (np.arange(rows, dtype=np.intp) * n)[:, None]).ravel()
            got.flags.writeable = False
            if _shifted_held + got.nbytes > _SHIFTED_BYTES:
                _SHIFTED.clear()
                _shifted_held = 0
            _SHIFTED[key] = got
            _shifted_held += got.nbytes
    return got
