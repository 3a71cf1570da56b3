"""The data page generator (sim.worlds.docgen): docs/data.md is up to date, shows what each
world holds, and its list of changes between worlds is derived from the files."""

from pathlib import Path

import pytest

from sim.world import World
from sim.worlds import load_world, world_path
from sim.worlds.docgen import changes, header_comment, removed_ties, render
from tests.helpers import BROKEN_WORLD

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


@pytest.fixture(scope="module")
def w2024() -> World:
    return load_world("axis-2024")


@pytest.fixture(scope="module")
def w2025() -> World:
    return load_world("axis-2025")


def test_docs_page_is_up_to_date(world):
    from sim.worlds.docgen import page as data_page

    text = world_path().read_text(encoding="utf-8")
    expected = data_page()
    assert expected.startswith(render(world, header=text, source="sim/worlds/axis-2024.toml"))
    page = ROOT / "docs" / "data.md"
    assert page.exists(), "docs/data.md is missing: run `make docs-data`"
    assert page.read_text(encoding="utf-8") == expected, (
        "docs/data.md is stale: run `make docs-data`"
    )


def test_docs_page_content(world):
    text = world_path().read_text(encoding="utf-8")
    page = render(world, header=text)
    titles = [title for title, _ in header_comment(text)]
    assert {"OBSERVED OUTCOME", "BLOCS", "UNITS", "CONVENTIONS"} <= set(titles)
    for a in world.actors:
        assert f"| `{a.id}` | {a.name} |" in page
    assert page.count("| **no** |") == sum(not t.verified for t in world.ties)
    assert "IRN → IRQ → SYR → HEZ, land bridge" in page
    for layer in ("Partnership", "Supply", "Rivalry"):
        assert f"### {layer} ({len(world.ties_in(layer.lower()))})" in page


def test_docs_page_shows_domestic_output_and_commodity_values(world):
    page = render(world, header=world_path().read_text(encoding="utf-8"))
    assert "## Domestic output per actor" in page
    assert "## Commodity values and importance" in page
    for a in world.actors:
        assert f"| `{a.id}` | arms " in page


def test_docgen_command_on_other_files(tmp_path, capsys):
    from sim.worlds import docgen

    assert docgen.main([str(ROOT / "tests" / "data" / "tiny.toml")]) == 0
    out = capsys.readouterr().out
    assert "# Data: the `tiny` world" in out and "### Supply (2)" in out
    bad = tmp_path / "broken.toml"
    bad.write_text(BROKEN_WORLD, encoding="utf-8")
    assert docgen.main([str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "has 6 problems" in captured.err


def test_removed_list_matches_the_two_files(w2024, w2025):
    reasons = removed_ties(world_path("axis-2025").read_text(encoding="utf-8"))
    lost = {k for k in reasons}
    assert ("partnership", "IRN", "SYR") in lost and ("supply", "IRN", "SYR", "funding") in lost
    section = changes(w2024, w2025, reasons=reasons)
    assert section.startswith("## What changed from axis-2024 to axis-2025")
    assert f"### Ties lost ({len(lost)})" in section
    assert "IRN – RUS partnership | 0.45 | 0.5" in section


def test_changes_refuse_a_lost_tie_without_a_reason(w2024, w2025):
    reasons = removed_ties(world_path("axis-2025").read_text(encoding="utf-8"))
    reasons.pop(("partnership", "IRN", "SYR"))
    with pytest.raises(ValueError, match="lost without a reason: IRN – SYR partnership"):
        changes(w2024, w2025, reasons=reasons)
    with pytest.raises(ValueError, match="not lost"):
        changes(w2024, w2024, reasons={("rivalry", "ARM", "AZE"): "made up"})


def test_changes_lists_a_new_actor_in_the_three_columns_with_its_note():
    # A new actor's row had four cells under three headers, so its note fell off the table.
    import dataclasses as _dc

    from sim.worlds import synthetic

    old = synthetic(5, rng=1)
    extra = _dc.replace(old.actors[0], id="ZZZ", name="Newland", note="joined in 2025")
    new = old.replace(name="later", actors=[*old.actors, extra])
    rows = [line for line in changes(old, new).splitlines() if line.startswith("| `ZZZ`")]
    assert rows == ["| `ZZZ` | new actor | joined in 2025 |"]
