"""Live display of the training figures (``--viz``, ``--heatmap``), when a display exists.

The figures are always saved in ``figures/``; this only shows the saved PNGs
in matplotlib windows, at most every :data:`MIN_INTERVAL_S` seconds, so that
drawing never slows training noticeably.
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["LiveView", "has_display", "MIN_INTERVAL_S"]

#: Shortest time between two refreshes of the windows.
MIN_INTERVAL_S = 3.0


def has_display() -> bool:
    """Whether a window can be opened (macOS, Windows, or X11/Wayland with a display set)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class LiveView:
    """Windows that show the latest saved figures.

    Parameters
    ----------
    names : sequence of str
        Figure names to show (keys of the ``paths`` given to :meth:`update`).
    echo : callable
        Prints the note when no display is available.
    """

    def __init__(self, names, echo=print):
        self.names = tuple(names)
        self.enabled = False
        self._last = -float("inf")
        if not self.names:
            return
        if not has_display():
            echo("note: no display found, so no live figures; they are saved in figures/ every epoch")
            return
        import matplotlib
        import matplotlib.pyplot as plt

        backend = matplotlib.get_backend().lower()
        if backend in ("agg", "pdf", "ps", "svg", "cairo", "template") or backend.startswith("module://matplotlib_inline"):
            if not backend.startswith("module://"):
                echo(f"note: matplotlib backend {backend!r} cannot open windows; figures are saved in figures/ only")
                return
        plt.ion()
        self._plt = plt
        self.enabled = True

    def update(self, paths: dict, force: bool = False) -> None:
        """Show the figures ``paths[name]`` (PNG files), unless shown less than a few seconds ago."""
        if not self.enabled or (not force and time.monotonic() - self._last < MIN_INTERVAL_S):
            return
        plt = self._plt
        for name in self.names:
            path = paths.get(name)
            if path is None or not os.path.exists(path):
                continue
            fig = plt.figure(f"edsnn: {name}")
            fig.clf()
            ax = fig.add_axes((0, 0, 1, 1))
            ax.imshow(plt.imread(path))
            ax.axis("off")
        plt.pause(0.001)
        self._last = time.monotonic()
