"""Executors: one interface, the same results on every backend, clear errors."""

import math

import pytest

from sim.errors import ValidationError
from sim.executors import EXECUTORS, SerialExecutor, make_executor


def _square_root(x: int) -> tuple[int, float]:  # module level, so it pickles
    return x, math.sqrt(x)


@pytest.mark.parametrize("name", EXECUTORS)
def test_every_executor_returns_every_result(name):
    with make_executor(name, workers=2) as ex:
        assert ex.name == name and ex.workers >= 1
        got = dict(ex.imap_unordered(_square_root, range(25)))
    assert got == {x: math.sqrt(x) for x in range(25)}


def test_serial_executor_keeps_order_and_is_lazy():
    calls = []

    def record(x):
        calls.append(x)
        return x

    it = SerialExecutor().imap_unordered(record, [3, 1, 2])
    assert calls == []  # nothing runs before results are asked for
    assert list(it) == [3, 1, 2]


def test_bad_executor_options_get_every_problem_with_a_suggestion():
    with pytest.raises(ValidationError) as info:
        make_executor("proceses", scheduler="tcp://localhost:8786")
    text = str(info.value)
    assert "did you mean 'processes'" in text
    assert "only used with the dask executor" in text
    assert len(info.value.problems) == 2
