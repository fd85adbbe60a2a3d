"""What a run folder holds: file names, columns, dtypes, and the error a damaged folder raises."""

from __future__ import annotations

import re

import pyarrow as pa

__all__ = [
    "CONFIG",
    "COUNTS",
    "COUNTS_SCHEMA",
    "COUNT_TYPES",
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
    "count_type",
    "counts_schema",
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

#: Columns every ``metrics.csv`` has; a network adds its own after them (``Description.metrics``).
METRICS_COLUMNS = ["epoch", "train_accuracy", "test_accuracy", "train_seconds", "test_seconds"]
PREDICTION_COLUMNS = ["epoch", "presentation", "label", "prediction"]

#: Layer and E/I type: dictionary-encoded (one byte per row in memory, a pandas Categorical).
NAME = pa.dictionary(pa.int8(), pa.string())
#: Unsigned types a ``count`` column may have, smallest first (:func:`count_type` picks one).
COUNT_TYPES = (pa.uint8(), pa.uint16(), pa.uint32())


def count_type(max_count: int) -> pa.DataType:
    """The smallest unsigned integer type that holds counts up to ``max_count``.

    >>> count_type(50), count_type(256)
    (DataType(uint8), DataType(uint16))
    """
    for kind in COUNT_TYPES:
        if max_count <= 2 ** kind.bit_width - 1:
            return kind
    raise ValueError(f"spike counts up to {max_count} do not fit in {COUNT_TYPES[-1]}")


def counts_schema(count: pa.DataType = COUNT_TYPES[-1]) -> pa.Schema:
    """:data:`COUNTS_SCHEMA` with ``count`` of type ``count`` (a run writes the smallest that fits)."""
    return pa.schema([
        ("epoch", pa.uint16()), ("presentation", pa.uint32()), ("label", pa.uint16()),
        ("layer", NAME), ("class_net", pa.uint16()), ("neuron", pa.uint32()),
        ("type", NAME), ("count", count), ("activity", pa.float32()),
    ])


#: Columns of ``counts/``: compact types (21 bytes a row in memory with uint8 counts).  Folders
#: written before them hold int64, string and float64 columns; they are read as these types
#: (``count`` keeps its stored integer type).
COUNTS_SCHEMA = counts_schema()
SPIKES_SCHEMA = pa.schema([
    ("epoch", pa.int64()), ("presentation", pa.int64()), ("layer", pa.string()),
    ("class_net", pa.int64()), ("neuron", pa.int64()), ("t", pa.float64()),
])

#: What a run writes (``--overwrite`` removes these and nothing else).
RUN_FILES = (CONFIG, METRICS, PREDICTIONS, WEIGHTS, FIGURES, COUNTS, SPIKES,
             f"{COUNTS}.parquet", f"{SPIKES}.parquet", "evaluation.csv")

#: Files (or tables) every finished run has; ``spikes`` only with ``record_spikes``.
REQUIRED = (CONFIG, METRICS, COUNTS, PREDICTIONS, WEIGHTS)


class RunFolderError(FileNotFoundError):
    """A run folder is missing, incomplete, or one of its files is truncated or corrupt.

    The message names the file and says what to do; nothing in the folder has
    been changed when it is raised.
    """


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
