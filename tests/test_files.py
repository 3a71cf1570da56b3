"""Atomic writes: complete or absent, never torn, with the permissions a plain write gives."""

import os
import stat

import pytest

from sim._files import atomic_write, atomic_write_text


def test_written_file_has_the_modes_a_plain_write_gives(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    path = atomic_write_text(tmp_path / "sub" / "out.txt", "hello\n")
    assert path.read_text() == "hello\n"
    # mkstemp creates 0600 files: results others cannot read would surprise a team
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    assert [p.name for p in path.parent.iterdir()] == ["out.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = atomic_write_text(tmp_path / "out.txt", "old")

    def half_then_fail(p):
        p.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(path, half_then_fail)
    assert path.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]


def test_an_unusable_path_raises_oserror(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError):
        atomic_write_text(blocker / "inside.txt", "x")
