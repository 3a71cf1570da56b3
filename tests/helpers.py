"""Small helpers shared by the reliability tests."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from sim.cli import main
from sim.params import ModelParams

__all__ = ["EXACT_SUPPLY", "run_cli", "snapshot"]

#: Deliveries exactly as the data give them: no supply noise, no interdiction, output
#: independent of capability, volumes that do not follow the ties and no substitution. Tests
#: of routing and shocks use it; the new mechanisms have tests of their own.
EXACT_SUPPLY = ModelParams(
    volume_noise=0.0,
    interdiction_rate=0.0,
    direct_interdiction_rate=0.0,
    production_elasticity=0.0,
    trade_elasticity=0.0,
    substitution_rate=0.0,
)


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
