"""`alliance-sim report`: one self-contained HTML page that opens offline, with its figures."""

import base64
import html
import re
import shutil
import subprocess

import numpy as np
import pytest

from sim.cli import main
from tests.helpers import two_report_runs

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return two_report_runs(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def page(runs, tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "report.html"
    assert main(["report", str(runs[0].root), str(runs[1].root), "--out", str(out)]) == 0
    return out


def test_the_page_refers_to_nothing_outside_itself(page):
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    sources = re.findall(r'(?:src|href)="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<script" not in text and "@import" not in text and "url(" not in text
    for src in sources:
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_page_holds_tables_with_cis_the_scenario_manifest_and_versions(page, runs):
    text = html.unescape(page.read_text(encoding="utf-8"))
    a = runs[0]
    summary = a.summary()
    row = summary.loc["fulfilment:axis"]
    assert f"{row.difference:+.4f}" in text
    assert f"[{row.ci_low:+.4f}, {row.ci_high:+.4f}]" in text
    assert "axis bloc: need fulfilment" in text  # human labels, with the code id beside
    assert "Iran → Hezbollah deliveries" in text
    assert "[[shocks]]" in text and 'type = "remove_state"' in text  # the scenario file
    assert "seed_derivation" in text  # the manifest
    for package, version in a.manifest["versions"].items():
        assert f'<td class="name">{package}</td><td class="name">{version}</td>' in text
    # two runs: compared, and told apart in size and outcomes
    assert "Comparison" in text and "the runs differ in size: A has 3 replicates, B has 2" in text


def test_compare_says_when_runs_differ_in_size_or_outcomes(runs, capsys):
    assert main(["compare", str(runs[0].root), str(runs[1].root)]) == 0
    out = capsys.readouterr().out
    assert "note: the runs differ in size: A has 3 replicates, B has 2" in out
    only = set(runs[0].outcomes) ^ set(runs[1].outcomes)
    for outcome in only:
        assert outcome in out.split("not compared", 1)[1]


@pytest.mark.browser
def test_the_report_opens_in_chromium_with_its_figures(page, tmp_path):
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: run 'make browsers' as root")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--window-size=1200,2400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (2400, 1200)
    # the figures drew: the shocked arm's vermillion and the baseline's blue are on the page
    for colour in ((0xD5, 0x5E, 0x00), (0x00, 0x72, 0xB2)):
        close = np.all(np.abs(pixels * 255 - np.array(colour)) < 30, axis=-1)
        assert close.sum() > 500, colour
