"""The error hierarchy (sim.errors): problems, suggestions, and errors that survive pickling."""

from pathlib import Path

import pytest

from sim.errors import ValidationError
from sim.scenario import load_scenario

DATA = Path(__file__).parent / "data"


def _error_examples():
    import sim.errors as errors

    problems = [
        errors.Problem("s.toml:4 scenario.steps", "is out of range", -1, ">= 1", "use 36"),
        errors.Problem("s.toml:9 shocks[0].target", "unknown actor", "SYX"),
    ]
    examples = {
        errors.SimError: errors.SimError("a run failed"),
        errors.ValidationError: errors.ValidationError(problems, what="scenario 's.toml'"),
        errors.UnknownNameError: errors.UnknownNameError("'SYX' is unknown; did you mean 'SYR'?"),
        errors.ShockError: errors.ShockError("RemoveState('SYX', at=3): unknown actor"),
    }
    classes = {
        obj
        for name in errors.__all__
        if isinstance(obj := getattr(errors, name), type) and issubclass(obj, BaseException)
    }
    assert classes == set(examples), "add an example for every exception class of sim.errors"
    return list(examples.values())


@pytest.mark.parametrize("exc", _error_examples(), ids=lambda e: type(e).__name__)
def test_every_error_class_pickles_intact(exc):
    import pickle

    exc.add_note("raised in replicate 3")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc) and back.args == exc.args
    assert back.__notes__ == ["raised in replicate 3"]
    if isinstance(exc, ValidationError):
        assert back.problems == exc.problems and back.what == exc.what
        assert str(back).startswith("scenario 's.toml' has 2 problems:")


def test_a_validation_error_raised_in_a_worker_process_arrives_intact():
    from sim.executors import make_executor

    bad = DATA / "no_such_scenario.toml"
    with make_executor("processes", workers=1) as exe, pytest.raises(ValidationError) as info:
        list(exe.imap_unordered(load_scenario, [bad]))
    assert len(info.value.problems) == 1 and info.value.what == str(bad)
    assert str(info.value) == f"{bad} has 1 problem:\n  - {bad}: file not found"
