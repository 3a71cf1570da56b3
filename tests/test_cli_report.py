"""`alliance-sim report` (sim.cli_report): its default output and the outputs it refuses."""

import shutil

import pytest

from sim.cli import main
from tests.helpers import two_report_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return two_report_runs(tmp_path_factory.mktemp("report"))


def test_report_defaults_to_the_first_run_dir_and_refuses_bad_outputs(runs, tmp_path, capsys):
    copy = tmp_path / "a"
    shutil.copytree(runs[0].root, copy)
    assert main(["report", str(copy)]) == 0
    assert (copy / "report.html").is_file()
    assert "self-contained" in capsys.readouterr().out
    assert main(["report", str(copy), "--out", str(tmp_path / "r.txt")]) == 2
    assert "give a .html file name" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "is not a results directory" in err and "Traceback" not in err


def test_title_and_out_are_used_and_a_directory_is_refused_as_out(runs, tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["report", str(runs[0].root), "--out", str(out), "--title", "Syria falls"]) == 0
    assert "<title>Syria falls</title>" in out.read_text(encoding="utf-8")
    assert f"wrote {out}" in capsys.readouterr().out
    folder = tmp_path / "dir.html"
    folder.mkdir()
    assert main(["report", str(runs[0].root), "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "is a directory; give a file name" in err and "Traceback" not in err
