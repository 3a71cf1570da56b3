"""The README's Python examples run as written (docs stay true)."""

import re
from pathlib import Path

import matplotlib
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.mark.slow
def test_readme_python_examples_run(tmp_path, monkeypatch):
    blocks = _python_blocks()
    assert blocks, "the README lost its Python example"
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # nothing the example writes lands in the checkout
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # our own README, not user input
    import matplotlib.pyplot as plt

    plt.close("all")
    model, res = namespace["model"], namespace["res"]
    assert not model.alive("SYR") and model.time == 24
    assert res.summary().loc["strength:RUS-IRN", "difference"] > 0


@pytest.mark.slow
def test_readme_demo_table_is_what_the_demo_prints():
    from sim.runner import run_scenario

    shown = re.search(r"```\n(syria_loss: 20 replicates.*?)```", README.read_text(), re.S)
    assert shown, "the README lost the demo's output"
    printed = run_scenario("syria_loss", executor="serial", quiet=True).format_summary()
    rows = [line for line in printed.splitlines() if not line.startswith("-")]
    for line in shown.group(1).strip().splitlines():
        assert line in rows, f"README row no longer printed by the demo: {line!r}"


def test_readme_scenario_examples_are_valid():
    from sim.scenario import parse_scenario

    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    scenario, patch = blocks[0], blocks[1]
    spec = parse_scenario(scenario + "\n" + patch, origin="README.md", base=README.parent)
    assert spec.name == "syria_loss" and "NIC" not in spec.world
    assert {frozenset(t.ends) for t in spec.world.ties_in("partnership")} >= {
        frozenset(("IRN", "PRK"))
    }
    assert spec.world.actor("SYR").stability == 0.3
