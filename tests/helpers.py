"""Small helpers shared by the reliability tests."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from sim.cli import main

__all__ = ["run_cli", "snapshot"]


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run ``alliance-sim`` in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones too) with its bytes: to prove nothing was written."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
