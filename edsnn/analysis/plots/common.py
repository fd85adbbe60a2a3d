"""What the figures share: E/I colours, the epoch to show, layers in network order, empty panels."""

from __future__ import annotations

import pandas as pd

from edsnn.runs import layer_sort_key

TYPE_COLORS = {"E": "tab:blue", "I": "tab:red"}


def _pick_epoch(values, epoch, name: str) -> int:
    """``epoch`` if it is among the epoch numbers ``values``; None: the last."""
    epochs = sorted({int(e) for e in pd.unique(pd.Series(values))})
    if not epochs:
        raise ValueError(f"{name} is empty")
    if epoch is None:
        return epochs[-1]
    if int(epoch) not in epochs:
        raise ValueError(f"epoch {epoch} is not in {name} (epochs {epochs[0]}..{epochs[-1]})")
    return int(epoch)


def _no_spikes(ax, text: str = "no spikes") -> None:
    """Say on ``ax`` why it is empty (a silent layer is a result, not a blank panel)."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.3", fontsize=9,
            bbox={"facecolor": "white", "edgecolor": "0.7", "alpha": 0.9})


def _layers(table: pd.DataFrame) -> list[str]:
    return sorted((str(x) for x in table["layer"].unique()), key=layer_sort_key)
