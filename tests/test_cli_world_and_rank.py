"""`world show --ties/--corridors`, `rank --bloc` and what `attack` says about R."""

from pathlib import Path

import pytest

from sim.cli import main
from sim.robustness import criticality
from sim.worlds import load_world

TINY = str(Path(__file__).parent / "data" / "tiny.toml")


def test_world_show_ties_lists_every_tie_by_layer(capsys):
    world = load_world()
    assert main(["world", "show", "axis-2024", "--ties"]) == 0
    out = capsys.readouterr().out
    for layer in ("partnership", "supply", "rivalry"):
        assert f"{layer} ({len(world.ties_in(layer))})" in out
    assert "IRN->HEZ" in out and "USD million per month" in out  # units of volumes
    assert "RUS-IRN" in out and "strategic_partnership" in out
    assert "Caspian" in out  # routes name their corridors
    assert " capab. " not in out  # ties, not the actor table


def test_world_show_corridors_lists_what_each_carries(capsys):
    assert main(["world", "show", "axis-2024", "--corridors"]) == 0
    out = capsys.readouterr().out
    caspian = out.split("\n  Caspian:")[1].split("\n\n")[0]
    assert "IRN->RUS" in caspian and "main route" in caspian
    assert "block_transit" in out  # how to use a corridor in a scenario


def test_world_show_corridors_on_a_world_without_any(tmp_path, capsys):
    world = tmp_path / "w.toml"
    world.write_text(
        '[world]\nname = "w"\n[[states]]\nid = "AAA"\nname = "A"\nkind = "state"\n'
        'bloc = "x"\nlat = 0\nlon = 0\ncapability = 0.5\nstability = 0.5\n'
    )
    assert main(["world", "show", str(world), "--corridors"]) == 0
    assert "names no corridor" in capsys.readouterr().out


def test_rank_defaults_to_the_first_bloc_and_says_so(capsys):
    assert main(["rank", "axis-2024", "--items", "actors", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "bloc 'axis' (the world's first bloc" in out
    ranked = [line.split()[0] for line in out.splitlines()[2:]]
    assert "SYR" in ranked  # who is this network's Syria? Syria is among the top five
    assert main(["rank", "axis-2024", "--items", "actors", "--bloc", "all"]) == 0
    assert "the whole world" in capsys.readouterr().out


def test_bloc_fulfilment_counts_only_the_blocs_recipients():
    world = load_world()
    axis = criticality(world, items="actors", bloc="axis").set_index("item")
    west = criticality(world, items="actors", bloc="west").set_index("item")
    everyone = criticality(world, items="actors").set_index("item")
    # Syria matters to the axis far more than to the whole world, and not at all to the west
    assert axis.loc["SYR", "damage"] > 2 * everyone.loc["SYR", "damage"]
    assert west.loc["SYR", "damage"] == pytest.approx(0.0)
    assert axis["baseline"].eq(1.0).all()


def test_rank_rejects_an_unknown_bloc_with_a_suggestion(capsys):
    assert main(["rank", "axis-2024", "--bloc", "axs"]) == 2
    err = capsys.readouterr().err
    assert "allowed: axis, west, hedging, or all" in err and "did you mean 'axis'" in err


def test_attack_explains_R_and_the_critical_fraction(capsys):
    assert main(["attack", "axis-2024"]) == 0
    out = capsys.readouterr().out
    assert "R (Schneider et al., PNAS 2011)" in out and "at most 0.5" in out
    assert "critical fraction: the share removed" in out
