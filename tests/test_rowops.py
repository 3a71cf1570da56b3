"""Per-row bincount (sim.rowops): each row equals its own ``np.bincount``, bit for bit, for every
combination of shared and per-row bins and weights."""

import numpy as np
import pytest

from sim.rowops import row_bincount


@pytest.fixture
def data():
    rng = np.random.default_rng(42)
    n, rows, length = 7, 5, 40
    idx = rng.integers(0, n, size=(rows, length))
    weights = rng.standard_normal((rows, length)) * 10.0 ** rng.integers(-8, 8, size=(rows, length))
    return n, idx, weights


def _per_row(idx, weights, n):
    return np.vstack(
        [np.bincount(i, weights=w, minlength=n) for i, w in zip(idx, weights, strict=True)]
    )


def test_one_dimensional_input_is_the_plain_bincount(data):
    n, idx, weights = data
    got = row_bincount(idx[0], weights[0], n)
    assert got.shape == (n,)
    np.testing.assert_array_equal(got, np.bincount(idx[0], weights=weights[0], minlength=n))


@pytest.mark.parametrize(
    ("shared_idx", "shared_weights"), [(True, False), (False, True), (False, False)]
)
def test_each_row_equals_its_own_bincount_exactly(data, shared_idx, shared_weights):
    n, idx, weights = data
    i = idx[0] if shared_idx else idx
    w = weights[0] if shared_weights else weights
    rows = idx.shape[0]
    got = row_bincount(i, w, n)
    want = _per_row(np.broadcast_to(i, idx.shape), np.broadcast_to(w, weights.shape), n)
    assert got.shape == (rows, n)
    np.testing.assert_array_equal(got, want)  # the same additions in the same order


def test_a_single_row_keeps_its_leading_axis(data):
    n, idx, weights = data
    for i in (idx[0], idx[:1]):
        got = row_bincount(i, weights[:1], n)
        assert got.shape == (1, n)
        np.testing.assert_array_equal(got[0], np.bincount(idx[0], weights=weights[0], minlength=n))


def test_rows_sum_what_they_were_given_and_empty_bins_are_zero():
    idx = np.array([[0, 0, 2], [2, 2, 2]])
    weights = np.array([[1.0, 2.0, 3.0], [0.5, 0.25, 0.25]])
    got = row_bincount(idx, weights, 4)
    np.testing.assert_array_equal(got, [[3.0, 0.0, 3.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    np.testing.assert_array_equal(got.sum(axis=1), weights.sum(axis=1))


def test_shared_bins_are_shifted_once_reused_and_safe_from_many_threads(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    import sim.rowops as rowops

    monkeypatch.setattr(rowops, "_SHIFTED", {})
    monkeypatch.setattr(rowops, "_shifted_held", 0)
    idx = np.array([2, 0, 2, 1])
    w = np.arange(12, dtype=float).reshape(3, 4)
    first = row_bincount(idx, w, 3)
    again = row_bincount(idx, w + 1.0, 3)  # a cache hit: the same shifted bins
    assert len(rowops._SHIFTED) == 1
    for got, weights in ((first, w), (again, w + 1.0)):
        want = np.stack([np.bincount(idx, weights=row, minlength=3) for row in weights])
        np.testing.assert_array_equal(got, want)
    # many threads, many keys (a threaded Dask worker), with the cache cleared under them
    monkeypatch.setattr(rowops, "_SHIFTED_BYTES", 4096)

    def one(k: int) -> bool:
        bins = (np.arange(40) * (k % 7 + 1)) % 11
        weights = np.full((k % 5 + 2, 40), float(k))
        want = np.stack([np.bincount(bins, weights=row, minlength=11) for row in weights])
        return bool(np.array_equal(row_bincount(bins, weights, 11), want))

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(one, range(400)))
    assert rowops._shifted_held <= 4096
