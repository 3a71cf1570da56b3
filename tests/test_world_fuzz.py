"""Fuzz the world parser: thousands of generated and mutated files, and only two outcomes.

Whatever bytes a user hands over, ``World.from_toml`` either returns a valid ``World`` or raises
``sim.errors.ValidationError``; ``alliance-sim world validate`` exits 0 or 2 and never prints a
traceback. Hypothesis runs derandomized (see ``tests.strategies.CI``) so CI is deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from sim.errors import ValidationError
from sim.world import World
from sim.worlds import world_path
from tests.helpers import run_cli
from tests.strategies import CI, HOSTILE_VALUES, mutated_texts, world_bytes, worlds

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _outcome(path: Path, *, json_format: bool = False) -> str:
    """Parse a file; return ``"valid"`` or ``"invalid"``; anything else escapes and fails."""
    try:
        w = World.from_json(path) if json_format else World.from_toml(path)
    except ValidationError as exc:
        text = str(exc)
        assert exc.problems, "a ValidationError must list at least one problem"
        assert "Traceback" not in text
        return "invalid"
    assert isinstance(w, World)
    # A world that parses must survive its own round trip.
    assert World.from_dict(w.to_dict()) == w
    return "valid"


_seeds = st.one_of(
    worlds(max_actors=8, max_ties=6).map(world_bytes),
    st.just((DATA / "tiny.toml").read_bytes()),
)


@pytest.mark.slow
@settings(CI, max_examples=1500)
@given(data=mutated_texts(_seeds))
def test_mutated_world_files_give_a_world_or_a_validation_error(data, scratch):
    path = scratch / "mutant.toml"
    path.write_bytes(data)
    event(_outcome(path))  # see the split with --hypothesis-show-statistics


@settings(CI, max_examples=200)
@given(data=mutated_texts(st.just(world_path("axis-2024").read_bytes()), max_edits=6))
def test_mutated_default_world_gives_a_world_or_a_validation_error(data, scratch):
    # the real 2000-line file: comments, long arrays, many cross-references
    path = scratch / "axis.toml"
    path.write_bytes(data)
    event(_outcome(path))


@settings(CI, max_examples=300)
@given(data=mutated_texts(_seeds, max_edits=3))
def test_mutated_json_world_files_too(data, scratch):
    # Mutate the TOML, then, if it still parses as TOML, write it as JSON and mutate that too.
    path = scratch / "mutant.json"
    try:
        import tomllib

        obj = tomllib.loads(data.decode("utf-8"))
        text = json.dumps(obj, default=str).encode()
    except (UnicodeDecodeError, ValueError, RecursionError):
        text = data
    path.write_bytes(text)
    event(_outcome(path, json_format=True))


@pytest.mark.slow
def test_thousands_of_random_byte_level_mutants(scratch):
    """A plain seeded loop (cheaper than hypothesis): 3000 mutants of the fixture."""
    rng = np.random.default_rng(20261128)
    base = (DATA / "tiny.toml").read_bytes()
    lines = base.split(b"\n")
    assignments = [i for i, line in enumerate(lines) if b" = " in line]
    path = scratch / "random.toml"
    seen = {"valid": 0, "invalid": 0}
    for _ in range(3000):
        ls = list(lines)
        for _ in range(rng.integers(1, 4)):
            op = rng.integers(0, 5)
            if op == 0:  # replace a value by a hostile one
                k = assignments[rng.integers(len(assignments))]
                key = ls[k].partition(b" = ")[0] if b" = " in ls[k] else ls[k]
                ls[k] = key + b" = " + HOSTILE_VALUES[rng.integers(len(HOSTILE_VALUES))].encode()
            elif op == 1 and len(ls) > 1:  # delete a line
                del ls[rng.integers(len(ls))]
            elif op == 2:  # duplicate a line
                i = rng.integers(len(ls))
                ls.insert(i, ls[i])
            elif op == 3:  # swap two values
                i, j = rng.choice(assignments, 2)
                if b" = " in ls[i] and b" = " in ls[j]:
                    (a, _, x), (b, _, y) = ls[i].partition(b" = "), ls[j].partition(b" = ")
                    ls[i], ls[j] = a + b" = " + y, b + b" = " + x
            else:  # flip a byte
                blob = bytearray(b"\n".join(ls))
                blob[rng.integers(len(blob))] = rng.integers(256)
                ls = bytes(blob).split(b"\n")
        path.write_bytes(b"\n".join(ls))
        seen[_outcome(path)] += 1
    # the mutants exercise both outcomes, mostly the error paths
    assert seen["invalid"] > 1500
    assert seen["valid"] > 50


@settings(CI, max_examples=300)
@given(data=mutated_texts(_seeds))
def test_world_validate_exits_0_or_2_without_traceback(data, scratch):
    path = scratch / "cli.toml"
    path.write_bytes(data)
    code, out, err = run_cli("world", "validate", str(path))
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if code == 0:
        assert "valid" in out and not err
    else:
        assert "problem" in err and not out
