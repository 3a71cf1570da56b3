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


def test_shared_bins_build_their_summing_matrix_once_and_are_safe_from_many_threads(
    monkeypatch,
):
    from concurrent.futures import ThreadPoolExecutor

    import sim.rowops as rowops

    monkeypatch.setattr(rowops, "_SUMMING", {})
    idx = np.array([2, 0, 2, 1])
    w = np.arange(12, dtype=float).reshape(3, 4)
    first = row_bincount(idx, w, 3)
    again = row_bincount(idx, w + 1.0, 3)  # a cache hit: the same matrix
    assert len(rowops._SUMMING) == 1
    for got, weights in ((first, w), (again, w + 1.0)):
        want = np.stack([np.bincount(idx, weights=row, minlength=3) for row in weights])
        np.testing.assert_array_equal(got, want)
    # many threads, many keys (a threaded Dask worker), with the cache cleared under them
    monkeypatch.setattr(rowops, "_SUMMING_MAX", 4)

    def one(k: int) -> bool:
        bins = (np.arange(40) * (k % 7 + 1)) % 11
        weights = np.full((k % 5 + 2, 40), float(k))
        want = np.stack([np.bincount(bins, weights=row, minlength=11) for row in weights])
        return bool(np.array_equal(row_bincount(bins, weights, 11), want))

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(one, range(400)))
    assert len(rowops._SUMMING) <= 4


@pytest.mark.parametrize("shared", [True, False])
def test_special_values_and_signed_zeros_sum_as_bincount_sums_them(shared):
    # NaN, infinities of both signs, -0.0 alone in a bin, a bin that cancels to zero, an
    # empty bin and many terms of mixed magnitude in one bin: the order of the additions
    # decides every one of these
    rng = np.random.default_rng(7)
    idx = np.array([0, 1, 2, 2, 3, 4, 4, 5, 5, 5] + [6] * 30)
    weights = np.tile([np.nan, -0.0, np.inf, -np.inf, -0.0, 1e16, -1e16, 1.0, 1e-16, -1.0], 3)
    weights = np.concatenate([weights.reshape(3, 10), rng.standard_normal((3, 30)) * 1e8], 1)
    i = idx if shared else np.tile(idx, (3, 1))
    got = row_bincount(i, weights, 8)
    want = _per_row(np.broadcast_to(idx, weights.shape), weights, 8)
    np.testing.assert_array_equal(got, want)
    assert (np.signbit(got) == np.signbit(want)).all()


def test_a_bin_out_of_range_is_refused():
    with pytest.raises(ValueError, match="below n"):
        row_bincount(np.array([0, 3]), np.ones((2, 2)), 3)
    with pytest.raises(ValueError):
        row_bincount(np.array([0, -1]), np.ones((2, 2)), 3)
