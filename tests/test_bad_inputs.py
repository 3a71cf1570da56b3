"""The catalogue of bad inputs: each gets an exact, helpful error, exit code 2 and no file.

Every case is a world file (or a path) handed to ``alliance-sim world validate`` and
``alliance-sim world export``; the test checks the exit code, that every expected piece of the
message appears in one message, that no traceback is printed, and that nothing was written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sim.errors import ValidationError
from sim.world import World
from tests.helpers import run_cli, snapshot

ACTORS = """\
[[states]]
id = "AAA"
name = "Alpha"
bloc = "axis"
lat = 10.0
lon = 20.0

[[states]]
id = "BBB"
name = "Beta"
bloc = "axis"
lat = 11.0
lon = 21.0

[[states]]
id = "TRN"
name = "Transit"
bloc = "axis"
lat = 12.0
lon = 22.0
"""

SUPPLY = """
[[ties]]
layer = "supply"
from = "AAA"
to = "BBB"
commodity = "arms"
volume = 20.0
via = ["TRN"]
since = 2012-01-01
source = "fixture"
"""

PARTNER = """
[[ties]]
layer = "partnership"
between = ["AAA", "BBB"]
kind = "defence_pact"
strength = 0.5
since = 2001-03-12
source = "fixture"
"""


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old  # keep the catalogue honest when the fixtures change
    return text.replace(old, new, 1)


# (case id, file bytes, [expected pieces of the message])
CASES: list[tuple[str, bytes, list[str]]] = [
    (
        "malformed TOML",
        b'[[states]]\nid = "AAA\n',
        ["bad.toml:2:", "TOML syntax error"],
    ),
    (
        "wrong type",
        _sub(ACTORS, "lat = 10.0", 'lat = "north"').encode(),
        ["bad.toml:1 states[0].lat: must be a number; got 'north'", "latitude in degrees"],
    ),
    (
        "missing required key",
        _sub(ACTORS, 'name = "Beta"\n', "").encode(),
        ["bad.toml:8 states[1].name: missing required key; allowed: a display name"],
    ),
    (
        "missing tie source",
        _sub(ACTORS + SUPPLY, 'source = "fixture"\n', "").encode(),
        ["ties[0].source: missing required key", "outlet and date"],
    ),
    (
        "unknown key with suggestion",
        _sub(ACTORS, "lon = 21.0", "lon = 21.0\ncapabilty = 0.5").encode(),
        ["states[1].capabilty: unknown key; got 'capabilty'", "(did you mean 'capability'?)"],
    ),
    (
        "unknown top-level key",
        ACTORS.replace("[[states]]", "[[state]]").encode(),
        ["bad.toml state: unknown top-level key", "(did you mean 'states'?)"],
    ),
    (
        "unknown actor with suggestion",
        _sub(ACTORS + SUPPLY, 'to = "BBB"', 'to = "BBC"').encode(),
        ["ties[0].to: unknown actor; got 'BBC'", "(did you mean 'BBB'?)"],
    ),
    (
        "unknown actor in a route",
        _sub(ACTORS + SUPPLY, 'via = ["TRN"]', 'via = ["TRM"]').encode(),
        ["ties[0].via: unknown actor; got 'TRM'", "(did you mean 'TRN'?)"],
    ),
    (
        "unknown layer",
        _sub(ACTORS + SUPPLY, 'layer = "supply"', 'layer = "suply"').encode(),
        ["ties[0].layer: unknown layer; got 'suply'", "(did you mean 'supply'?)"],
    ),
    (
        "unknown commodity",
        _sub(ACTORS + SUPPLY, '"arms"', '"drone"').encode(),
        ["ties[0].commodity: unknown commodity; got 'drone'", "(did you mean 'drones'?)"],
    ),
    (
        "unknown commodity in produces",
        _sub(ACTORS, "lon = 20.0", "lon = 20.0\nproduces = { misiles = 3 }").encode(),
        ["states[0].produces.misiles: unknown commodity", "(did you mean 'missiles'?)"],
    ),
    (
        "unknown partnership kind",
        _sub(ACTORS + PARTNER, '"defence_pact"', '"defense_pact"').encode(),
        ["ties[0].kind: unknown partnership kind", "(did you mean 'defence_pact'?)"],
    ),
    (
        "list as commodity",
        _sub(ACTORS + SUPPLY, 'commodity = "arms"', 'commodity = ["arms"]').encode(),
        ["ties[0].commodity: unknown commodity; got ['arms']"],
    ),
    (
        "NaN",
        _sub(ACTORS + SUPPLY, "volume = 20.0", "volume = nan").encode(),
        ["ties[0].volume: is out of range; got nan", "a volume per month >= 0"],
    ),
    (
        "infinity",
        _sub(ACTORS, "lat = 11.0", "lat = 11.0\ncapability = inf").encode(),
        ["states[1].capability: is out of range; got inf; allowed: a number in [0, 1]"],
    ),
    (
        "huge number",
        _sub(ACTORS + SUPPLY, "volume = 20.0", "volume = 1e300").encode(),
        ["ties[0].volume: is out of range; got 1e+300"],
    ),
    (
        "integer too large for a float",
        _sub(ACTORS + SUPPLY, "volume = 20.0", "volume = " + "9" * 400).encode(),
        ["ties[0].volume: is out of range; got 9999", "(400 characters)"],
    ),
    (
        "integer beyond the digit limit",
        _sub(ACTORS + SUPPLY, "volume = 20.0", "volume = " + "9" * 5000).encode(),
        ["TOML value cannot be read: a number has too many digits"],
    ),
    (
        "negative volume",
        _sub(ACTORS + SUPPLY, "volume = 20.0", "volume = -5").encode(),
        ["ties[0].volume: is out of range; got -5"],
    ),
    (
        "strength above 1",
        _sub(ACTORS + PARTNER, "strength = 0.5", "strength = 1.5").encode(),
        ["ties[0].strength: is out of range; got 1.5; allowed: a number in [0, 1]"],
    ),
    (
        "latitude out of range",
        _sub(ACTORS, "lat = 10.0", "lat = 91").encode(),
        ["states[0].lat: is out of range; got 91"],
    ),
    (
        "alternative route of capacity 0",
        _sub(
            ACTORS + SUPPLY, 'via = ["TRN"]', 'via = ["TRN"]\nalternatives = [{ capacity = 0 }]'
        ).encode(),
        ["ties[0].alternatives[0].capacity: is out of range; got 0", "a share in (0, 1]"],
    ),
    (
        "wrong date",
        _sub(ACTORS + SUPPLY, "since = 2012-01-01", 'since = "yesterday"').encode(),
        ["ties[0].since: must be a date; got 'yesterday'", "YYYY-MM-DD"],
    ),
    (
        "deep nesting",
        _sub(ACTORS, 'name = "Alpha"', "name = " + "[" * 3000 + "]" * 3000).encode(),
        ["TOML nested too deeply to read"],
    ),
    ("empty file", b"", ["bad.toml states: missing: a world needs at least one [[states]]"]),
    (
        "empty world",
        b'[world]\nname = "empty"\n',
        ["states: missing: a world needs at least one [[states]] table"],
    ),
    (
        "empty list of states",
        b"states = []\n",
        ["states: a world needs at least one actor"],
    ),
    (
        "route through its own endpoint",
        _sub(ACTORS + SUPPLY, 'via = ["TRN"]', 'via = ["AAA", "TRN"]').encode(),
        ["ties[0].via: a route cannot pass through its own endpoints; got 'AAA'"],
    ),
    (
        "alternative route through its own endpoint",
        _sub(
            ACTORS + SUPPLY,
            'via = ["TRN"]',
            'via = ["TRN"]\nalternatives = [{ via = ["BBB"], capacity = 0.5 }]',
        ).encode(),
        ["ties[0].alternatives[0].via: a route cannot pass through its own endpoints; got 'BBB'"],
    ),
    (
        "route visiting an actor twice",
        _sub(ACTORS + SUPPLY, 'via = ["TRN"]', 'via = ["TRN", "TRN"]').encode(),
        ["ties[0].via: a route visits an actor twice"],
    ),
    (
        "supply to itself",
        _sub(ACTORS + SUPPLY, 'to = "BBB"', 'to = "AAA"').encode(),
        ["ties[0].to: a supply tie cannot join an actor to itself"],
    ),
    (
        "partnership with itself",
        _sub(ACTORS + PARTNER, '["AAA", "BBB"]', '["AAA", "AAA"]').encode(),
        ["ties[0].between: a partnership tie cannot join an actor to itself"],
    ),
    (
        "duplicate actor id",
        _sub(ACTORS, 'id = "BBB"', 'id = "AAA"').encode(),
        ["bad.toml:8 states[1].id: duplicate actor id; got 'AAA'", "first defined at"],
    ),
    (
        "duplicate tie",
        (ACTORS + PARTNER + PARTNER.replace('["AAA", "BBB"]', '["BBB", "AAA"]')).encode(),
        ["ties[1]: duplicate partnership tie", "merge it with"],
    ),
    (
        "non-UTF-8 bytes",
        ACTORS.encode() + b"\n# caf\xe9 in Latin-1\n",
        ["bad.toml:22: is not valid UTF-8 text; got b'\\xe9", "(save the file as UTF-8)"],
    ),
    (
        "every problem at once",
        _sub(
            _sub(ACTORS + SUPPLY + PARTNER, "volume = 20.0", "volume = -1"),
            "strength = 0.5",
            "strength = 2",
        )
        .replace("lat = 12.0", 'lat = "x"')
        .encode(),
        [
            "bad.toml has 3 problems:",
            "volume: is out of range",
            "strength: is out of range",
            "states[2].lat: must be a number",
        ],
    ),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_world_file_exits_2_with_every_problem_and_writes_nothing(tmp_path, content, expected):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    before = snapshot(tmp_path)

    code, out, err = run_cli("world", "validate", path)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    for piece in expected:
        assert piece in err, f"{piece!r} not in:\n{err}"
    # one message: a header counting the problems, then one line per problem
    assert err.splitlines()[0].startswith(f"{path} has ")

    code, out, err2 = run_cli("world", "export", path, "--out", tmp_path / "out.toml")
    assert code == 2 and "Traceback" not in err2 and expected[0] in err2
    assert snapshot(tmp_path) == before  # nothing written, not even a temporary file

    with pytest.raises(ValidationError) as info:  # the library raises the same error
        World.from_toml(path)
    assert all(piece in str(info.value) for piece in expected)


def test_a_message_looks_like_this(tmp_path):
    """The exact form of a message (it is quoted in docs/inputs.md)."""
    path = tmp_path / "w.toml"
    path.write_text(
        _sub(ACTORS + SUPPLY, 'to = "BBB"', 'to = "BBC"').replace("volume = 20.0", "volume = nan")
    )
    code, _, err = run_cli("world", "validate", path)
    assert code == 2
    assert err == (
        f"{path} has 2 problems:\n"
        f"  - {path}:22 ties[0].volume: is out of range; got nan; "
        "allowed: a volume per month >= 0 in the commodity's unit\n"
        f"  - {path}:22 ties[0].to: unknown actor; got 'BBC'; "
        "allowed: an id defined in [[states]] (did you mean 'BBB'?)\n"
    )


def test_a_world_of_one_actor_is_valid(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text(ACTORS.split("\n\n")[0] + "\n")
    code, out, err = run_cli("world", "validate", path)
    assert (code, err) == (0, "")
    assert out == f"{path}: valid (1 actors, 0 ties)\n"
    w = World.from_toml(path)
    assert w.ids == ("AAA",) and w.production("AAA") == {} and w.needs("AAA") == {}


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.toml", "missing.toml: file not found"),
        (lambda d: (d / "dir.toml").mkdir() or d / "dir.toml", "is a directory, not a file"),
        (lambda d: (d / "plain").mkdir() or d / "plain", "is a directory, not a file"),
    ],
    ids=["missing file", "directory as a .toml file", "directory as a file"],
)
def test_bad_paths(tmp_path, make, expected):
    path = make(tmp_path)
    before = snapshot(tmp_path)
    code, out, err = run_cli("world", "validate", path)
    assert code == 2 and out == "" and "Traceback" not in err
    assert expected in err
    assert snapshot(tmp_path) == before


def test_invalid_json_world(tmp_path):
    path = tmp_path / "w.json"
    path.write_text('{"states": [1, }')
    code, _, err = run_cli("world", "validate", path)
    assert code == 2 and "w.json:1:" in err and "invalid JSON" in err and "Traceback" not in err


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root reads files whatever their mode"
)
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.toml"
    path.write_text(ACTORS)
    path.chmod(0)
    try:
        code, _, err = run_cli("world", "validate", path)
    finally:
        path.chmod(0o644)
    assert code == 2 and "cannot be read: Permission denied" in err


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_a_file_that_fails_to_read():
    # /proc/self/mem exists but reading it from offset 0 fails with an I/O error (as root too)
    code, _, err = run_cli("world", "validate", "/proc/self/mem")
    assert code == 2 and "cannot be read: Input/output error" in err and "Traceback" not in err


# -- outputs ------------------------------------------------------------------------------


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(ACTORS + SUPPLY + PARTNER)
    return path


def test_export_onto_a_directory_is_refused(tmp_path, good):
    target = tmp_path / "out.toml"
    target.mkdir()
    before = snapshot(tmp_path)
    code, out, err = run_cli("world", "export", good, "--out", target)
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"{target}: is a directory; refusing to replace it with a file" in err
    assert snapshot(tmp_path) == before and target.is_dir()


def test_export_under_a_file_is_refused(tmp_path, good):
    (tmp_path / "afile").write_text("x")
    before = snapshot(tmp_path)
    code, _, err = run_cli("world", "export", good, "--out", tmp_path / "afile" / "w.json")
    assert code == 2 and "Traceback" not in err
    assert f"{tmp_path / 'afile'} is a file, not a directory" in err
    assert snapshot(tmp_path) == before


def test_export_with_an_unknown_format_is_refused(tmp_path, good):
    before = snapshot(tmp_path)
    code, _, err = run_cli("world", "export", good, "--out", tmp_path / "w.yaml")
    assert code == 2 and "unknown format '.yaml'; use .toml or .json" in err
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root writes whatever the mode"
)
def test_export_into_a_read_only_directory_is_refused(tmp_path, good):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, _, err = run_cli("world", "export", good, "--out", ro / "w.toml")
        assert code == 2 and "cannot be written: Permission denied" in err
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_export_into_an_unwritable_place_is_refused(good):
    # /proc refuses new files, even for root: the portable stand-in for a read-only directory
    code, _, err = run_cli("world", "export", good, "--out", "/proc/alliance-sim-test.toml")
    assert code == 2 and "/proc/alliance-sim-test.toml: cannot be written" in err
    assert "Traceback" not in err
    assert not Path("/proc/alliance-sim-test.toml").exists()


def test_a_failed_write_leaves_the_old_file_untouched(tmp_path, good, monkeypatch):
    """A crash between writing and renaming must leave the previous file and no temporary."""
    target = tmp_path / "w.toml"
    target.write_text("old contents")
    import os as os_module

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os_module, "replace", broken_replace)
    code, _, err = run_cli("world", "export", good, "--out", target)
    monkeypatch.undo()
    assert code == 2 and "cannot be written: No space left on device" in err
    assert target.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.toml", "w.toml"]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_any_unusable_output_path_is_a_user_error(tmp_path, good):
    """Commands with their own writers (here ``world plot``) get exit 2 too, via the CLI."""
    (tmp_path / "afile").write_text("x")
    before = snapshot(tmp_path)
    for out in ("/proc/alliance-sim-test.png", tmp_path / "afile" / "map.png"):
        code, _, err = run_cli("world", "plot", good, "--out", out)
        assert code == 2, err
        assert err.startswith("alliance-sim: cannot use ") and "Traceback" not in err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["attack", "rank", "validate"])
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            ACTORS.replace('name = "Alpha"', "name = " + "[" * 3000 + "]" * 3000),
            "nested too deeply",
        ),
        (ACTORS.replace("lat = 10.0", "lat = " + "9" * 5000), "a number has too many digits"),
        (ACTORS + "\n# caf\xe9\n", None),  # written as Latin-1 below
    ],
    ids=["deep nesting", "5000 digits", "Latin-1"],
)
def test_commands_that_sniff_a_file_also_exit_2(tmp_path, command, content, expected):
    """Commands that peek into a file to tell a world from a scenario must not crash on it."""
    path = tmp_path / "hostile.toml"
    path.write_bytes(content.encode("latin-1" if expected is None else "utf-8"))
    code, _, err = run_cli(command, path)
    assert code == 2 and "Traceback" not in err, err
    assert (expected or "is not valid UTF-8 text") in err
