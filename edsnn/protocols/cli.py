"""Former location of the ``edsnn`` entry point; the command line lives in :mod:`edsnn.cli`.

``pyproject.toml`` may still point ``edsnn`` at ``edsnn.protocols.cli:main``;
this shim forwards to :func:`edsnn.cli.main`, imported only when called so that
importing :mod:`edsnn.protocols` never pulls in :mod:`edsnn.analysis`.
"""

from __future__ import annotations

__all__ = ["main"]


def main(argv=None) -> int:
    """Run the ``edsnn`` command (see :mod:`edsnn.cli`)."""
    from edsnn.cli import main as cli_main

    return cli_main(argv)
