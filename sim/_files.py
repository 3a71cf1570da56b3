"""Atomic file writes: a file is either absent, the old one, or complete — never torn."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_text"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The mode a plain ``open(path, "w")`` would give (temporary files start at 0600).
_FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside `path`, fsync it, then rename it to `path`.

    The rename (:func:`os.replace`) is atomic on POSIX and Windows, so a process killed at any
    moment leaves either the previous file or the complete new one, and at worst a hidden
    ``.NAME.*.tmp`` file that readers ignore. Parent folders are created. On any error the
    temporary file is removed and the error propagates (an ``OSError`` for an unusable path).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
