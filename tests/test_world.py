"""The world model: reading, writing, validation and graph views."""

from pathlib import Path

import networkx as nx
import pytest

from sim.errors import UnknownNameError, ValidationError
from sim.world import World, layer_view

DATA = Path(__file__).parent / "data"


def test_tiny_world_reads(tiny):
    assert tiny.ids == ("AAA", "BBB", "TRN", "CLI", "RIV")
    assert tiny.actor("CLI").kind == "non_state"
    assert [len(tiny.ties_in(layer)) for layer in ("partnership", "supply", "rivalry")] == [1, 2, 1]
    supply = tiny.ties_in("supply")[0]
    assert supply.route.via == ("TRN",)
    assert supply.alternatives[0].capacity == 0.1


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_round_trip_is_lossless(tiny, tmp_path, suffix):
    path = tmp_path / f"w{suffix}"
    (tiny.to_toml if suffix == ".toml" else tiny.to_json)(path)
    back = World.from_toml(path) if suffix == ".toml" else World.from_json(path)
    assert back == tiny
    assert back.ties_in("supply")[1].verified is False


def test_production_and_needs_default_to_the_ties(tiny):
    assert tiny.production("BBB") == {"drones": 100.0}  # declared
    assert tiny.needs("AAA") == {"drones": 80.0}  # derived from incoming ties
    assert tiny.production("AAA") == {}


def test_networkx_view_keeps_layers_and_attributes(tiny):
    G = tiny.to_networkx()
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_nodes() == 5
    assert G.has_edge("AAA", "BBB", key="partnership") and G.has_edge(
        "BBB", "AAA", key="partnership"
    )
    assert G.edges["BBB", "CLI", "supply:arms"]["via"] == ("TRN",)
    assert G.nodes["AAA"]["capability"] == 0.8
    partnership = layer_view(G, "partnership")
    assert not partnership.is_directed() and partnership["AAA"]["BBB"]["strength"] == 0.5
    supply = tiny.layer("supply")
    assert supply.is_directed() and supply["BBB"]["AAA"]["volume"] == 80.0
    assert set(supply.nodes) == set(tiny.ids)  # isolated actors stay in every view


def test_unknown_actor_lookup_suggests(tiny):
    with pytest.raises(UnknownNameError, match="did you mean 'CLI'"):
        tiny.actor("CLJ")
    with pytest.raises(ValueError, match="did you mean 'supply'"):
        tiny.layer("suply")


BAD = """\
[[states]]
id = "AAA"
name = "Alpha"
bloc = "axis"
lat = 10.0
lon = 200.0
capabilty = 0.5

[[states]]
id = "AAA"
name = "Alpha again"
bloc = "axis"
lat = 10.0
lon = 20.0

[[ties]]
layer = "suply"

[[ties]]
layer = "supply"
from = "AAA"
to = "AAB"
commodity = "drone"
volume = -3
via = ["AAA"]
since = 2020-01-01

[[ties]]
layer = "partnership"
between = ["AAA", "AAA"]
kind = "defence_pact"
strength = 1.5
since = 2020-01-01
source = ""
"""


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    with pytest.raises(ValidationError) as info:
        World.from_toml(path)
    problems = info.value.problems
    text = str(info.value)
    assert len(problems) == 12
    expected = [
        f"{path}:1 states[0].capabilty",
        "did you mean 'capability'",
        f"{path}:1 states[0].lon",
        f"{path}:9 states[1].id: duplicate actor id",
        "did you mean 'supply'",
        "did you mean 'drones'",
        f"{path}:19 ties[1].to: unknown actor; got 'AAB'",
        "did you mean 'AAA'",
        f"{path}:19 ties[1].source: missing required key",
        "ties[1].volume: is out of range; got -3",
        "ties[1].via: a route cannot pass through its own endpoints",
        "ties[2].between: a partnership tie cannot join an actor to itself",
        "ties[2].strength: is out of range; got 1.5",
        "ties[2].source: must be a non-empty string",
    ]
    for piece in expected:
        assert piece in text, piece


def test_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[[states]]\nid = "AAA\n')
    with pytest.raises(ValidationError, match=r"broken.toml:2:\d+: TOML syntax error"):
        World.from_toml(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe[[states]]", "is not valid UTF-8"),
        (None, "is a directory"),
    ],
)
def test_unreadable_inputs_get_clear_errors(tmp_path, content, message):
    path = tmp_path / "w.toml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        World.from_toml(path)


def test_empty_world_is_rejected(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text("[world]\nname = 'empty'\n")
    with pytest.raises(ValidationError, match="at least one"):
        World.from_toml(path)


def test_duplicate_ties_are_reported(tiny):
    with pytest.raises(ValidationError, match="duplicate partnership tie"):
        tiny.replace(ties=(*tiny.ties, tiny.ties[0]))


def test_package_names_load_lazily_and_all_resolve():
    import subprocess
    import sys

    code = (
        "import sys, sim; heavy = {'mesa', 'pandas', 'pyarrow', 'SALib'} & set(sys.modules); "
        "print(sorted(heavy)); [getattr(sim, n) for n in sim.__all__]; "
        "print(sorted({'mesa', 'pandas'} - set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = out.stdout.splitlines()
    assert before == "[]"  # importing sim alone loads none of the heavy dependencies
    assert after == "[]"  # and every public name resolves (loading them)
