"""What a run folder holds: file names, columns, dtypes, and the error a damaged folder raises."""

from __future__ import annotations

import re

import pyarrow as pa

__all__ = [
    "CONFIG",
    "COUNTS",
    "COUNTS_SCHEMA",
    "FIGURES",
    "METRICS",
    "METRICS_COLUMNS",
    "PREDICTIONS",
    "PREDICTION_COLUMNS",
    "REQUIRED",
    "RUN_FILES",
    "SPIKES",
    "SPIKES_SCHEMA",
    "WEIGHTS",
    "RunFolderError",
    "layer_sizes",
    "layer_sort_key",
]

CONFIG = "config.json"
METRICS = "metrics.csv"
PREDICTIONS = "predictions.csv"
WEIGHTS = "weights.npz"
FIGURES = "figures"
#: Per-epoch tables: ``counts/epoch=0001.parquet`` (folders written before
#: the per-epoch parts hold one ``counts.parquet`` instead; both are read).
COUNTS = "counts"
SPIKES = "spikes"

METRICS_COLUMNS = ["epoch", "train_accuracy", "test_accuracy", "train_seconds", "test_seconds"]
PREDICTION_COLUMNS = ["epoch", "presentation", "label", "prediction"]

COUNTS_SCHEMA = pa.schema([
    ("epoch", pa.int64()), ("presentation", pa.int64()), ("label", pa.int64()),
    ("layer", pa.string()), ("class_net", pa.int64()), ("neuron", pa.int64()),
    ("type", pa.string()), ("count", pa.int64()), ("activity", pa.float64()),
])
SPIKES_SCHEMA = pa.schema([
    ("epoch", pa.int64()), ("presentation", pa.int64()), ("layer", pa.string()),
    ("class_net", pa.int64()), ("neuron", pa.int64()), ("t", pa.float64()),
])

#: What a run writes (``--overwrite`` removes these and nothing else).
RUN_FILES = (CONFIG, METRICS, PREDICTIONS, WEIGHTS, FIGURES, COUNTS, SPIKES,
             f"{COUNTS}.parquet", f"{SPIKES}.parquet")

#: Files (or tables) every finished run has; ``spikes`` only with ``record_spikes``.
REQUIRED = (CONFIG, METRICS, COUNTS, PREDICTIONS, WEIGHTS)


class RunFolderError(FileNotFoundError):
    """A run folder is missing, incomplete, or one of its files is truncated or corrupt.

    The message names the file and says what to do; nothing in the folder has
    been changed when it is raised.
    """


def layer_sizes(hidden) -> dict:
    """Layer name → neurons per class network: ``hidden1, ..., output`` (output: 1).

    >>> layer_sizes((8, 4))
    {'hidden1': 8, 'hidden2': 4, 'output': 1}
    """
    sizes = {f"hidden{k}": int(h) for k, h in enumerate(hidden, start=1)}
    sizes["output"] = 1
    return sizes


def layer_sort_key(layer: str):
    """Order layers as the network does: ``hidden1, hidden2, ..., output``.

    >>> sorted(["output", "hidden2", "hidden10", "hidden1"], key=layer_sort_key)
    ['hidden1', 'hidden2', 'hidden10', 'output']
    """
    match = re.fullmatch(r"hidden(\d+)", str(layer))
    if match:
        return (0, int(match.group(1)), "")
    if layer == "output":
        return (2, 0, "")
    return (1, 0, str(layer))
