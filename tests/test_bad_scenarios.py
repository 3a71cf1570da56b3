"""Bad scenario files and run options: exact errors, exit code 2, nothing written; a fuzz test.

The catalogue covers unknown shock names, unknown actors and blocs, shocks after the horizon,
zero and negative replicates, wrong types and non-finite numbers, and output directories that
cannot be written. The fuzz feeds mutated scenario files to the parser and to
``alliance-sim validate``: only a ``ScenarioSpec`` or a ``ValidationError`` may come out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

pytest.importorskip("sim.runner", reason="the scenario runner is not merged yet")

from sim.errors import ValidationError
from sim.scenario import ScenarioSpec, load_scenario
from tests.helpers import run_cli, snapshot
from tests.strategies import CI, mutated_texts

DATA = Path(__file__).parent / "data"

SCENARIO = """\
# What if Beta falls?
[scenario]
name = "beta_falls"
world = "w.toml"
steps = 6
replicates = 3
seed = 7
outcomes = ["fulfilment:axis", "cohesion:axis", "strength:AAA-BBB", "delivered:BBB->CLI"]

[[shocks]]
type = "remove_state"
target = "BBB"
at = 2
"""


def _sub(old: str, new: str, text: str = SCENARIO) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "w.toml").write_bytes((DATA / "tiny.toml").read_bytes())
    return tmp_path


CASES = [
    (
        "unknown shock name",
        _sub('type = "remove_state"', 'type = "remove_stat"'),
        [
            "x.toml:11 shocks[0].type: unknown shock; got 'remove_stat'",
            "(did you mean 'remove_state'?)",
        ],
    ),
    (
        "list as shock name",
        _sub('type = "remove_state"', 'type = ["remove_state"]'),
        ["x.toml:11 shocks[0].type: unknown shock; got ['remove_state']"],
    ),
    (
        "list as shock commodity",
        SCENARIO
        + '\n[[shocks]]\ntype = "cut_tie"\ntarget = ["BBB", "CLI"]\ncommodity = ["arms"]\nat = 1\n',
        ["shocks[1].commodity: unknown commodity; got ['arms']"],
    ),
    (
        "shock after the horizon",
        _sub("at = 2", "at = 9"),
        [
            "x.toml:13 shocks[0].at: shock after the horizon; got 9",
            "a step in [0, 5] for steps = 6",
            "(raise scenario.steps to at least 10)",
        ],
    ),
    (
        "negative shock time",
        _sub("at = 2", "at = -1"),
        ["shocks[0].at", "got -1"],
    ),
    (
        "zero replicates",
        _sub("replicates = 3", "replicates = 0"),
        ["x.toml:6 scenario.replicates: is out of range; got 0; allowed: an integer >= 1"],
    ),
    (
        "negative replicates",
        _sub("replicates = 3", "replicates = -2"),
        ["scenario.replicates:", "got -2; allowed: an integer >= 1"],
    ),
    (
        "huge replicates",
        _sub("replicates = 3", "replicates = 99999999999999999999"),
        [
            "scenario.replicates: is out of range; got 99999999999999999999",
            "an integer >= 1 and <= 1_000_000",
        ],
    ),
    (
        "huge steps",
        _sub("steps = 6", "steps = 1_000_000_000"),
        ["scenario.steps: is out of range; got 1000000000", "<= 100_000"],
    ),
    (
        "float replicates",
        _sub("replicates = 3", "replicates = 3.0"),
        ["scenario.replicates: must be an integer; got 3.0", "(write 3 without a decimal point)"],
    ),
    (
        "parameter out of range beside an unknown parameter",
        SCENARIO + "\n[params]\ncollapse_threshold = 5\ncolapse_threshold = 0.1\n",
        [
            "has 2 problems",
            "params.colapse_threshold: unknown model parameter",
            "(did you mean 'collapse_threshold'?)",
            ":16 params.collapse_threshold: is outside its plausible range; got 5.0",
        ],
    ),
    (
        "NaN steps",
        _sub("steps = 6", "steps = nan"),
        ["scenario.steps:", "got nan; allowed: an integer >= 1"],
    ),
    (
        "infinite seed",
        _sub("seed = 7", "seed = inf"),
        ["scenario.seed:", "got inf"],
    ),
    (
        "unknown shock target",
        _sub('target = "BBB"', 'target = "BBX"'),
        ["shocks[0].target: unknown actor; got 'BBX'", "(did you mean 'BBB'?)"],
    ),
    (
        "unknown bloc in an outcome",
        _sub("cohesion:axis", "cohesion:axes"),
        ["scenario.outcomes[1]: unknown bloc; got 'axes'", "(did you mean 'axis'?)"],
    ),
    (
        "unknown key",
        _sub("seed = 7", "sead = 7"),
        ["scenario.sead: unknown key", "(did you mean 'seed'?)"],
    ),
    (
        "missing world file",
        _sub('"w.toml"', '"nope.toml"'),
        ["scenario.world: world file not found"],
    ),
    (
        "malformed TOML",
        _sub("steps = 6", "steps = = 6"),
        ["x.toml:5:", "TOML syntax error"],
    ),
    (
        "every problem at once",
        _sub("at = 2", "at = 9", _sub("replicates = 3", "replicates = 0")),
        ["has 2 problems", "scenario.replicates", "shocks[0].at"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_scenario_exits_2_and_writes_nothing(folder, text, expected):
    path = folder / "x.toml"
    path.write_text(text)
    before = snapshot(folder)
    code, out, err = run_cli("validate", path)
    assert code == 2 and out == "" and "Traceback" not in err
    for piece in expected:
        assert piece in err, f"{piece!r} not in:\n{err}"
    code, out, err = run_cli(
        "run", path, "--out", folder / "results", "--executor", "serial", "--quiet"
    )
    assert code == 2 and "Traceback" not in err and expected[0] in err
    assert snapshot(folder) == before and not (folder / "results").exists()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.toml", "missing.toml: file not found"),
        (lambda d: (d / "s.toml").mkdir() or d / "s.toml", "s.toml: is a directory, not a file"),
        (
            lambda d: (
                (d / "s.toml").write_bytes(b'[scenario]\nname = "caf\xe9"\n') and d / "s.toml"
            ),
            "s.toml:2: is not valid UTF-8 text",
        ),
        (lambda d: "syria_los", "did you mean 'syria_loss'?"),
    ],
    ids=["missing file", "directory", "non-UTF-8", "unknown shipped name"],
)
def test_bad_scenario_paths_exit_2(folder, make, expected):
    path = make(folder)
    before = snapshot(folder)
    for argv in (("validate", path), ("run", path, "--out", folder / "r", "--quiet")):
        code, out, err = run_cli(*argv)
        assert code == 2 and out == "" and "Traceback" not in err
        assert expected in err, err
    assert snapshot(folder) == before and not (folder / "r").exists()


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--replicates", "0"], "must be >= 1, got 0"),
        (["--replicates", "-3"], "must be >= 1, got -3"),
        (["--steps", "0"], "must be >= 1, got 0"),
        (["--seed", "-1"], "must be >= 0, got -1"),
        (["--replicates", "many"], "not an integer: 'many'"),
        (["--replicates", "9" * 30], "--replicates: must be an integer; got 999"),
    ],
)
def test_bad_run_options_exit_2(folder, option, expected):
    path = folder / "x.toml"
    path.write_text(SCENARIO)
    before = snapshot(folder)
    code, _, err = run_cli("run", path, "--out", folder / "r", "--executor", "serial", *option)
    assert code == 2 and expected in err and "Traceback" not in err
    assert snapshot(folder) == before and not (folder / "r").exists()


def test_run_into_a_path_under_a_file_exits_2(folder):
    path = folder / "x.toml"
    path.write_text(SCENARIO)
    (folder / "afile").write_text("x")
    before = snapshot(folder)
    code, _, err = run_cli(
        "run", path, "--out", folder / "afile" / "r", "--executor", "serial", "--quiet"
    )
    assert code == 2 and "Traceback" not in err and "afile" in err
    assert snapshot(folder) == before


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_run_into_an_unwritable_directory_exits_2(folder):
    path = folder / "x.toml"
    path.write_text(SCENARIO)
    code, _, err = run_cli(
        "run", path, "--out", "/proc/alliance-sim-results", "--executor", "serial", "--quiet"
    )
    assert code == 2 and "Traceback" not in err and "/proc/alliance-sim-results" in err
    assert not Path("/proc/alliance-sim-results").exists()


def test_run_into_a_directory_holding_other_results_exits_2(folder):
    path = folder / "x.toml"
    path.write_text(SCENARIO)
    out = folder / "r"
    assert run_cli("run", path, "--out", out, "--executor", "serial", "--quiet")[0] == 0
    before = snapshot(folder)
    code, _, err = run_cli("run", path, "--out", out, "--executor", "serial", "--quiet")
    assert code == 2 and "already holds results" in err and "--resume" in err
    assert snapshot(folder) == before


def test_damaged_results_exit_2_and_resume_repairs_them(folder):
    path = folder / "x.toml"
    path.write_text(SCENARIO)
    a, b = folder / "a", folder / "b"
    run = ("run", path, "--executor", "serial", "--quiet", "--out")
    assert run_cli(*run, a)[0] == 0 and run_cli(*run, b)[0] == 0
    part = b / "parts" / "r000001.model.parquet"
    part.write_bytes(part.read_bytes()[:100])  # truncated on disk, e.g. by a full disk or a copy
    code, _, err = run_cli("compare", a, b)
    assert code == 2 and "Traceback" not in err
    assert f"{part}: is damaged: not a readable Parquet file" in err
    assert "delete it and rerun with --resume" in err
    part.unlink()  # as the message says
    assert run_cli(*run, b, "--resume")[0] == 0
    assert run_cli("compare", a, b)[0] == 0
    from sim.runner import load_results

    assert_frame_equal(load_results(a).model_frame, load_results(b).model_frame)

    (b / "manifest.json").write_text("{broken")
    code, _, err = run_cli("compare", a, b)
    assert code == 2 and "manifest.json:1:2: invalid JSON" in err
    code, _, err = run_cli("compare", a, folder)
    assert code == 2 and "is not a results directory (no manifest.json)" in err


# -- fuzz -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("scenario-fuzz")
    (d / "w.toml").write_bytes((DATA / "tiny.toml").read_bytes())
    return d


def _spec_or_clean_error(path, data: bytes) -> None:
    """A mutated file must load as a sound spec or fail with located problems, nothing else."""
    path.write_bytes(data)
    try:
        spec = load_scenario(path)
    except ValidationError as exc:
        assert exc.problems
        event("invalid")
    else:
        assert isinstance(spec, ScenarioSpec)
        assert spec.replicates >= 1 and spec.steps >= 1
        assert all(0 <= s.at < spec.steps for s in spec.shocks if hasattr(s, "at"))
        event("valid")


@settings(CI, max_examples=600)
@given(data=mutated_texts(st.just(SCENARIO.encode())))
def test_mutated_scenarios_give_a_spec_or_a_validation_error(data, fuzz_dir):
    _spec_or_clean_error(fuzz_dir / "mutant.toml", data)


RICH = (
    SCENARIO
    + """
[params]
collapse_threshold = 0.1

[[shocks]]
type = "cut_tie"
target = ["AAA", "BBB"]
at = 1
layer = "partnership"

[[shocks]]
type = "degrade"
target = "BBB"
at = 3
factor = 0.5

[[baseline_shocks]]
type = "block_transit"
target = "TRN"
at = 4

[patch]
remove_ties = [{ layer = "rivalry", between = ["AAA", "RIV"] }]

[[patch.add_actors]]
id = "NEW"
name = "Newcomer"
bloc = "axis"
lat = 1.0
lon = 2.0

[[patch.add_ties]]
layer = "partnership"
between = ["NEW", "AAA"]
kind = "entente"
strength = 0.3
since = 2024-01-01
source = "scenario"

[[patch.set]]
actor = "CLI"
stability = 0.3
"""
)
SHIPPED = sorted((Path(__file__).parents[1] / "scenarios").glob("*.toml"))


def test_the_rich_seed_is_valid(fuzz_dir):
    path = fuzz_dir / "rich.toml"
    path.write_text(RICH)
    spec = load_scenario(path)
    assert len(spec.shocks) == 3 and len(spec.baseline_shocks) == 1 and "NEW" in spec.world


@settings(CI, max_examples=400)
@given(
    data=mutated_texts(
        st.sampled_from([RICH.encode(), *(p.read_bytes() for p in SHIPPED)]), max_edits=3
    )
)
def test_mutated_patches_params_and_shipped_scenarios(data, fuzz_dir):
    _spec_or_clean_error(fuzz_dir / "mutant.toml", data)


@settings(CI, max_examples=100)
@given(data=mutated_texts(st.just(SCENARIO.encode())))
def test_validate_on_mutated_scenarios_exits_0_or_2(data, fuzz_dir):
    path = fuzz_dir / "cli.toml"
    path.write_bytes(data)
    code, _, err = run_cli("validate", path)
    assert code in (0, 2), err
    assert "Traceback" not in err
