"""Cached ``--help`` texts of the ``edsnn`` command.

Building the options of ``edsnn train`` imports Brian2 and every parameter
set, which takes seconds; the text they give changes only with edsnn's
source.  It is kept in the user's cache folder (``$XDG_CACHE_HOME/edsnn``,
else ``~/.cache/edsnn``), keyed by the sizes and times of edsnn's files, the
Python version and the terminal's width, so every ``--help`` after the first
answers at once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

__all__ = ["help_text"]


def _folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "edsnn"


def _key(command: str) -> str:
    package = Path(__file__).parent
    digest = hashlib.sha256(f"{sys.version}|{command}|{shutil.get_terminal_size().columns}".encode())
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def help_text(command: str, make) -> str:
    """The help of ``command`` (``"edsnn"`` for the command itself): cached, else ``make()``'s, then cached."""
    path = _folder() / f"help-{command}-{_key(command)}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    text = make()
    try:  # a cache that cannot be written only makes the next --help as slow as this one
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"help-{command}-*.txt"):
            old.unlink(missing_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}")
        part.write_text(text, encoding="utf-8")
        part.replace(path)
    except OSError:
        pass
    return text
