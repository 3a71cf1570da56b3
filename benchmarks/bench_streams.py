"""Why each row's random draws stay one generator call per row: an exact alternative, measured.

Run from the repository root: ``python benchmarks/bench_streams.py``.

The batched engine draws every row's numbers from that row's own ``numpy.random.Generator``
(one call per row, stream and month), so that a row's numbers do not depend on its batch and
equal the single model's. This script holds the alternative that keeps exactly the same
numbers but draws them for all rows at once, and measures both:

- each row's PCG64 fills a buffer of raw 64-bit outputs (one call per row every ~12 months);
- the buffer is decoded for all rows in array operations, the way numpy decodes it: a
  uniform is ``(raw >> 11) * 2**-53``; a normal is numpy's 256-layer ziggurat (about 99 % of
  outputs accepted on the first test; a rejected candidate takes its next output as a
  uniform for the density test; the tail and density tests too close to call are handed to
  numpy itself at that position of the row's stream). The ziggurat tables are read off the
  installed numpy by probing its generator with chosen outputs, not copied.

It prints (1) that the decoded draws equal the per-row generators' bit for bit over random
draw orders, row counts and months (asserted: a difference is an error), and (2) the time of
the 36 months of draws of a batch of ``syria_loss`` at R = 1000 (its two arms share them;
sizes read off the engine) by per-row calls and by decoding, alternately ``BENCH_REPEATS``
times, with the per-row calls' share of a batched run measured in the same run. The result
recorded in ``docs/performance.md``: decoding is hardly faster (0.92x), because a generator
call costs under a microsecond and the decode needs a dozen passes over the outputs plus a
gather from a large buffer. No timing is asserted.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

# Benchmark the checkout this script lives in, not whatever `sim` is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.engine import _copy_generator  # after the path is set

R = int(os.environ.get("BENCH_R", "1000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))

_M = 0x2360ED051FC65DA44385DF649FCCF645  # PCG64's 128-bit LCG multiplier
_M_INV = pow(_M, -1, 1 << 128)
_TWO128 = 1 << 128
_MASK52 = np.uint64((1 << 52) - 1)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53
_CLOSE = 1e-9  # a density test closer than this (relative) is left to numpy


def _pcg64_at(o: int, inc: int = 1) -> np.random.PCG64:
    """A PCG64 whose next raw output is `o` (its post-step state is `o`; rotation 0)."""
    bg = np.random.PCG64(0)
    st = bg.state
    st["state"] = {"state": ((o - inc) * _M_INV) % _TWO128, "inc": inc}
    st["has_uint32"], st["uinteger"] = 0, 0
    bg.state = st
    return bg


def _probe(o: int) -> tuple[float, bool]:
    """numpy's standard normal when the stream's next output is `o`, and whether it took
    that one output only (accepted on the first test)."""
    bg = _pcg64_at(o)
    v = float(np.random.Generator(bg).standard_normal())
    return v, bg.state["state"]["state"] == o


def _raw(idx: int, rabs: int, sign: int = 0) -> int:
    return idx | (sign << 8) | (rabs << 9)


@lru_cache(maxsize=1)
def ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """numpy's ziggurat tables ``wi``, ``ki`` and ``fi``, read off its generator.

    ``wi[i]`` is the normal returned for a raw output of layer ``i`` with ``rabs = 1``;
    ``ki[i]`` the first ``rabs`` that layer rejects (the start value, from the layer edges,
    is checked on both sides and searched for if it is off). ``fi[i]`` is the density at
    layer ``i``'s edge, :math:`\\exp(-x_i^2/2)` with :math:`x_i = 2^{52} w_i` (``fi[0] = 1``):
    it is used only in density tests, and tests that close are handed to numpy.

    Returns
    -------
    wi : float array (256,)
    ki : uint64 array (256,)
    fi : float array (256,)

    Examples
    --------
    >>> wi, ki, fi = ziggurat_tables()
    >>> round(float(wi[255]) * 2.0**52, 6), int(ki[1]), float(fi[0])
    (3.654153, 0, 1.0)
    """
    wi = np.array([_probe(_raw(i, 1))[0] for i in range(256)])
    x = wi * 2.0**52
    fi = np.exp(-0.5 * x * x)
    fi[0] = 1.0
    ki = np.zeros(256, dtype=np.uint64)
    top = 1 << 52
    for i in range(256):
        guess = 0 if i == 1 else int((x[0 if i == 0 else i - 1] / x[i]) * top)
        if i == 0:
            guess = int(x[255] / x[0] * top)  # the base strip: r / (v / f(r))
        ki[i] = _first_rejected(i, max(0, min(top, guess)))
    return wi, ki, fi


def _accepts(i: int, rabs: int) -> bool:
    return rabs < (1 << 52) and _probe(_raw(i, rabs))[1]


def _first_rejected(i: int, guess: int) -> int:
    """The least ``rabs`` layer `i` does not accept on the first test, searched from
    `guess`."""
    if (guess == 0 or _accepts(i, guess - 1)) and not _accepts(i, guess):
        return guess
    lo, hi = 0, 1 << 52  # accepts(lo - 1) or lo == 0; not accepts(hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if _accepts(i, mid):
            lo = mid + 1
        else:
            hi = mid
    return lo


Kind = Literal["normal", "uniform"]


class RowStreams:
    """One random stream per row, drawn for all rows at once.

    Parameters
    ----------
    gens : sequence of numpy.random.Generator
        Each row's generator; this object draws from them from now on (draw nothing from
        them directly, or the buffered numbers would be skipped).
    buffered : bool
        Decode buffers of raw outputs (PCG64 generators only), or call each row's
        generator. The numbers are the same.

    Examples
    --------
    Ten rows; the first row's numbers are those of its own generator:

    >>> streams = RowStreams([np.random.default_rng(k) for k in range(10)], buffered=True)
    >>> z, u = streams.draw(("normal", 3), ("uniform", 2))
    >>> g = np.random.default_rng(0)
    >>> bool((z[0] == g.standard_normal(3)).all() and (u[0] == g.random(2)).all())
    True
    """

    def __init__(
        self,
        gens: Sequence[np.random.Generator],
        *,
        buffered: bool,
        chunk: int = 512,
    ):
        self.gens = list(gens)
        self.R = len(self.gens)
        if buffered and not all(type(g.bit_generator) is np.random.PCG64 for g in self.gens):
            raise ValueError("buffered draws need PCG64 generators (numpy.random.default_rng)")
        self.buffered = buffered
        self.raw = np.zeros((self.R, 0), dtype=np.uint64)  # outputs drawn, not yet used
        self.p = np.zeros(self.R, dtype=np.int64)  # each row's next unused output
        self.drawn = np.zeros(self.R, dtype=np.int64)  # outputs drawn from each generator
        self._rows = np.arange(self.R)
        self.chunk = chunk
        self._per_draw = 0  # the most outputs one draw has taken (a refill holds 12)

    def copy(self) -> RowStreams:
        """An independent copy: the same numbers to come, drawn separately."""
        new = object.__new__(RowStreams)
        new.__dict__.update(self.__dict__)
        new.gens = [_copy_generator(g) for g in self.gens]
        new.raw, new.p, new.drawn = self.raw.copy(), self.p.copy(), self.drawn.copy()
        return new

    def draw(self, *segments: tuple[Kind, int]) -> tuple[np.ndarray, ...]:
        """Each row's next draws, in order: per segment, ``(kind, size)`` with kind
        ``"normal"`` (``standard_normal(size)``) or ``"uniform"`` (``random(size)``).

        Returns one (R, size) float array per segment."""
        if not self.buffered:
            return tuple(self._per_row(kind, k) for kind, k in segments)
        out = []
        before = self.drawn - self.raw.shape[1] + self.p
        for kind, k in segments:
            if kind == "normal":
                out.append(self._normals(k))
            elif kind == "uniform":
                out.append(self._uniforms(k))
            else:
                raise ValueError(f"unknown draw kind {kind!r}: 'normal' or 'uniform'")
        taken = int(np.max(self.drawn - self.raw.shape[1] + self.p - before))
        self._per_draw = max(self._per_draw, taken)
        return tuple(out)

    # -- per-row calls ------------------------------------------------------------------------
    def _per_row(self, kind: Kind, k: int) -> np.ndarray:
        out = np.empty((self.R, k))
        if kind == "normal":
            for g, row in zip(self.gens, out, strict=True):
                g.standard_normal(out=row)
        elif kind == "uniform":
            for g, row in zip(self.gens, out, strict=True):
                g.random(out=row)
        else:
            raise ValueError(f"unknown draw kind {kind!r}: 'normal' or 'uniform'")
        return out

    # -- the buffer ---------------------------------------------------------------------------
    def _ensure(self, rows: np.ndarray, need: np.ndarray | int) -> None:
        """Make sure rows `rows` have `need` unused outputs (refilling every row if not)."""
        if rows.size == 0 or int(np.max(self.p[rows] + need)) <= self.raw.shape[1]:
            return
        left = self.raw.shape[1] - self.p
        for r in np.flatnonzero(left < 0):  # numpy itself took outputs past the buffer
            self.gens[r].bit_generator.advance(int(-left[r]))
            self.drawn[r] -= left[r]
        np.maximum(left, 0, out=left)
        width = int(max(int(np.max(need)), self.chunk, 12 * self._per_draw) + left.max())
        new = np.empty((self.R, width), dtype=np.uint64)
        for r, g in enumerate(self.gens):
            k = int(left[r])
            new[r, :k] = self.raw[r, self.raw.shape[1] - k :]
            new[r, k:] = g.bit_generator.random_raw(width - k)
        self.drawn += width - left
        self.raw, self.p = new, np.zeros(self.R, dtype=np.int64)

    def _gather(self, rows: np.ndarray, width: int) -> np.ndarray:
        """The next `width` unused outputs of rows `rows` (not consumed)."""
        W = self.raw.shape[1]
        at = (rows * W + self.p[rows])[:, None] + np.arange(width)
        return self.raw.ravel()[at]

    def _uniforms(self, k: int) -> np.ndarray:
        if k == 0:
            return np.empty((self.R, 0))
        self._ensure(self._rows, k)
        raw = self._gather(self._rows, k)
        self.p += k
        raw >>= np.uint64(11)
        return raw * _TO_DOUBLE

    def _normals(self, k: int) -> np.ndarray:
        out = np.empty((self.R, k))
        if k == 0:
            return out
        wi, ki, fi = ziggurat_tables()
        wi2, ki2 = np.concatenate([wi, -wi]), np.concatenate([ki, ki])  # by layer and sign
        done = np.zeros(self.R, dtype=np.int64)
        rows = self._rows
        ar = np.arange(k)
        start = True
        while rows.size:
            need = k - done[rows]
            m = int(need.max())
            self._ensure(rows, m + 1)  # the candidates, and a uniform for a rejection
            cand = self._gather(rows, m)
            i9 = (cand & np.uint64(0x1FF)).astype(np.intp)  # the layer, and the sign bit
            cand >>= np.uint64(9)
            rabs = cand
            rabs &= _MASK52
            x = rabs * wi2[i9]  # uint64 below 2**52 converts exactly; (-w) r == -(w r)
            bad = rabs >= ki2[i9]
            if m > need.min():
                bad &= ar[:m] < need[:, None]
            has_bad = bad.any(axis=1)
            first = np.where(has_bad, bad.argmax(axis=1), need)
            if start:  # the first pass: every row from its first normal
                np.copyto(out, x, where=ar < first[:, None])
                start = False
            else:
                rr, jj = np.nonzero(ar[:m] < first[:, None])
                out[rows[rr], done[rows[rr]] + jj] = x[rr, jj]
            done[rows] += first
            self.p[rows] += first
            if has_bad.any():
                b = np.flatnonzero(has_bad)
                layer = i9[b, first[b]] & 0xFF
                self._rejected(rows[b], layer, x[b, first[b]], out, done, fi)
            rows = rows[done[rows] < k]
        return out

    def _rejected(self, rows, idx, x, out, done, fi) -> None:
        """Rows whose candidate at their pointer failed the first test: numpy's next step."""
        tail = idx == 0
        body = np.flatnonzero(~tail)
        if body.size:
            r = rows[body]
            i = idx[body]
            u = (self.raw[r, self.p[r] + 1] >> np.uint64(11)) * _TO_DOUBLE
            lhs = (fi[i - 1] - fi[i]) * u + fi[i]
            xb = x[body]
            rhs = np.exp(-0.5 * xb * xb)
            close = np.abs(lhs - rhs) <= _CLOSE * rhs
            ok = (lhs < rhs) & ~close
            out[r[ok], done[r[ok]]] = xb[ok]
            done[r[ok]] += 1
            self.p[r[~close]] += 2  # accepted, or rejected: the next candidate follows
            for row in r[close]:
                self._by_numpy(int(row), out, done)
        for row in rows[tail]:
            self._by_numpy(int(row), out, done)

    def _by_numpy(self, r: int, out: np.ndarray, done: np.ndarray) -> None:
        """The row's next normal from numpy itself, at the row's pointer in its stream."""
        bg = _copy_generator(self.gens[r]).bit_generator
        at = int(self.drawn[r]) - self.raw.shape[1] + int(self.p[r])  # outputs before it
        bg.advance((at - int(self.drawn[r])) % _TWO128)  # back to that output
        state = bg.state["state"]
        s, inc = state["state"], state["inc"]
        out[r, done[r]] = np.random.Generator(bg).standard_normal()
        after, used = bg.state["state"]["state"], 0
        while s != after:
            s = (s * _M + inc) % _TWO128
            used += 1
        done[r] += 1
        self.p[r] += used  # may pass the buffer's end: the next refill skips those outputs


def verify(trials: int = 30, seed: int = 0) -> int:
    """Decoded draws against each row's generator over random draw orders; returns the count."""
    rng = np.random.default_rng(seed)
    count = 0
    for _ in range(trials):
        rows = int(rng.integers(1, 50))
        kinds: tuple[Kind, Kind] = ("normal", "uniform")
        segs = [(kinds[int(rng.integers(2))], int(rng.integers(0, 80))) for _ in range(3)]
        seeds = [int(s) for s in rng.integers(0, 2**32, rows)]
        want = [np.random.default_rng(s) for s in seeds]
        streams = RowStreams([np.random.default_rng(s) for s in seeds], buffered=True)
        for _month in range(int(rng.integers(1, 30))):
            for (kind, k), got in zip(segs, streams.draw(*segs), strict=True):
                ref = [g.standard_normal(k) if kind == "normal" else g.random(k) for g in want]
                if not np.array_equal(got, np.stack(ref).reshape(rows, k)):
                    raise AssertionError(f"decoded {kind} draws differ from numpy's")
                count += got.size
    return count


def draws(buffered: bool, sizes: tuple[int, int, int, int], months: int) -> float:
    """Seconds for `months` months of one batch's draws (supply, states, ties streams)."""
    n_prod, n_ties, n, nc = sizes
    made = [
        RowStreams([np.random.default_rng([k, s]) for s in range(R)], buffered=buffered)
        for k in range(3)
    ]
    supply, state, ties = made
    t0 = time.perf_counter()
    for _ in range(months):
        supply.draw(("normal", n_prod), ("uniform", n_ties))
        state.draw(("normal", n), ("uniform", n))
        ties.draw(("uniform", nc))
    return time.perf_counter() - t0


def main() -> None:
    from sim.engine import Engine, run_arms
    from sim.runner import replicate_seeds
    from sim.scenario import load_scenario

    spec = load_scenario("syria_loss")
    eng = Engine(spec.world, spec.model_params(), [1, 2])
    sizes = (eng.prod_i.size, eng.supply.n_ties, eng.n, len(eng.cand_i))
    one, five, _ = os.getloadavg()
    print(f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores")
    print(f"bit-identical: {verify():,} decoded numbers equal numpy's per-row draws")
    ziggurat_tables()
    months = spec.steps  # the arms of a batch share their draws
    per_row, decoded, batch = [], [], []
    seeds = replicate_seeds(spec.seed, R)
    arms = (spec.shocks, spec.baseline_shocks)
    for _ in range(max(1, REPEATS)):
        per_row.append(draws(False, sizes, months))
        decoded.append(draws(True, sizes, months))
        t0 = time.perf_counter()
        run_arms(spec.world, spec.model_params(), arms, seeds, steps=spec.steps)
        batch.append(time.perf_counter() - t0)
    print(
        f"syria_loss draws of a batch (both arms share them), R = {R}, {months} months "
        f"(normals {sizes[0]} + uniforms {sizes[1]}, {sizes[2]} + {sizes[2]}, uniforms {sizes[3]} "
        f"per row and month; fastest of {len(per_row)}):"
    )
    print(f"  per-row generator calls:  {min(per_row):.3f} s")
    print(f"  decoded for all rows:     {min(decoded):.3f} s")
    print(f"  decoded / per-row:        {min(decoded) / min(per_row):.2f}")
    print(
        f"  per-row calls' share of the batched run (both arms, {min(batch):.2f} s, stepping "
        f"only; construction's anchor draws excluded): {min(per_row) / min(batch):.0%}"
    )


if __name__ == "__main__":
    main()
