"""The files of a run folder, written so that an interruption leaves them readable.

=====================  =====================================================================
``config.json``        settings (:meth:`TrainConfig.to_dict`) plus versions, command line,
                       dataset facts
``metrics.csv``        ``epoch, train_accuracy, test_accuracy, train_seconds, test_seconds``
``counts.parquet``     ``epoch, presentation, label, layer, class_net, neuron, type, count,
                       activity`` for every test presentation and unit
``predictions.csv``    ``epoch, presentation, label, prediction`` (test presentations)
``spikes.parquet``     ``epoch, presentation, layer, class_net, neuron, t`` (``t`` in seconds
                       from the presentation's start), with ``record_spikes`` only
``weights.npz``        weights after the last finished epoch, its number (``epoch``) and
                       ``seed``: every random stream of the next epoch derives from them
``figures/``           learning curves, confusion matrix, layer heatmaps (last epoch)
=====================  =====================================================================

Every file changes only at the end of an epoch.  The parquet files are single
files (``edsnn.analysis.load_run`` reads them as such): each epoch rewrites the
file with one more row group, into a temporary file that then replaces the old
one (``os.replace`` is atomic), so a reader never sees half an epoch.
``weights.npz`` is written last; it decides which epoch is finished when a run
resumes (rows of later epochs are dropped then).
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = [
    "METRICS_COLUMNS", "PREDICTION_COLUMNS", "COUNTS_SCHEMA", "SPIKES_SCHEMA", "RUN_FILES",
    "write_json", "append_metrics", "append_predictions", "append_parquet",
    "counts_table", "spikes_table", "save_weights", "load_weights", "truncate_run",
]

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
RUN_FILES = ("config.json", "metrics.csv", "counts.parquet", "predictions.csv", "spikes.parquet",
             "weights.npz", "figures")


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_json(path, data: dict) -> None:
    """Write ``data`` as indented JSON, atomically."""
    path = Path(path)
    tmp = _temporary(path)
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


def _append_csv(path: Path, frame: pd.DataFrame) -> None:
    new = not path.exists()
    with open(path, "a", newline="") as handle:
        frame.to_csv(handle, header=new, index=False)
        handle.flush()
        os.fsync(handle.fileno())


def append_metrics(path, epoch, train_accuracy, test_accuracy, train_seconds, test_seconds) -> None:
    """Append one epoch's row to ``metrics.csv`` (header on first write), flushed."""
    _append_csv(Path(path), pd.DataFrame([dict(
        epoch=int(epoch), train_accuracy=float(train_accuracy), test_accuracy=float(test_accuracy),
        train_seconds=round(float(train_seconds), 3), test_seconds=round(float(test_seconds), 3),
    )], columns=METRICS_COLUMNS))


def append_predictions(path, epoch, labels, predictions) -> None:
    """Append one epoch's test predictions to ``predictions.csv``."""
    labels = np.asarray(labels, dtype=np.int64)
    _append_csv(Path(path), pd.DataFrame({
        "epoch": np.full(len(labels), int(epoch), dtype=np.int64),
        "presentation": np.arange(len(labels), dtype=np.int64),
        "label": labels, "prediction": np.asarray(predictions, dtype=np.int64),
    }))


def append_parquet(path, tables, keep_through_epoch: int | None = None) -> None:
    """Rewrite the single parquet file ``path`` with ``tables`` appended as row groups.

    Parameters
    ----------
    path : Path
        ``counts.parquet`` or ``spikes.parquet``.
    tables : pyarrow.Table, iterable of pyarrow.Table, or None
        Rows to append (schema of the existing file); None appends nothing.
        An iterable (e.g. a generator, one table per batch) is written as it
        is consumed, so that a 10 000-presentation epoch never sits in memory
        as one table.
    keep_through_epoch : int, optional
        Drop existing rows of later epochs (resuming after an interruption).
    """
    path = Path(path)
    tables = iter([] if tables is None else [tables] if isinstance(tables, pa.Table) else tables)
    first = next(tables, None)
    old = pq.ParquetFile(path) if path.exists() else None
    schema = first.schema if first is not None else (old.schema_arrow if old else None)
    if schema is None:
        return
    tmp = _temporary(path)
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        if old is not None:
            for group in range(old.num_row_groups):
                part = old.read_row_group(group)
                if keep_through_epoch is not None:
                    part = part.filter(pc.less_equal(part["epoch"], keep_through_epoch))
                if part.num_rows:
                    writer.write_table(part)
        if first is not None:
            for table in itertools.chain([first], tables):
                if table.num_rows:
                    writer.write_table(table)
    if old is not None:
        old.close()
    os.replace(tmp, path)


def counts_table(epoch: int, labels, activity: dict, counts: dict | None, hidden, first: int = 0) -> pa.Table:
    """Long table of test presentations of one epoch (schema :data:`COUNTS_SCHEMA`).

    Parameters
    ----------
    epoch : int
    labels : array of int, shape (n_presentations,)
    activity : dict of str to ndarray
        Layer → (n_presentations, n_classes * layer_size) activities in [0, 1].
    counts : dict of str to ndarray or None
        Same shapes, spike counts; None (reference model) gives null counts.
    hidden : sequence of int
        Hidden layer sizes (the output layer has one unit per class net).
    first : int
        Index of the first of these presentations in the epoch's test set.
    """
    labels = np.asarray(labels, dtype=np.int64)
    sizes = {f"hidden{k}": h for k, h in enumerate(hidden, start=1)}
    sizes["output"] = 1
    parts = []
    for layer, size in sizes.items():
        values = np.asarray(activity[layer], dtype=np.float64)
        n, units = values.shape
        presentation = np.repeat(np.arange(n, dtype=np.int64), units)
        unit = np.tile(np.arange(units, dtype=np.int64), n)
        neuron = unit % size
        is_inhibitory = (neuron % 2 == 1) & (layer != "output")
        rows = n * units
        if counts is None:
            count = pa.nulls(rows, pa.int64())
        else:
            count = pa.array(np.asarray(counts[layer], dtype=np.int64).ravel())
        parts.append(pa.table({
            "epoch": pa.array(np.full(rows, epoch, dtype=np.int64)),
            "presentation": pa.array(presentation + first),
            "label": pa.array(labels[presentation]),
            "layer": pa.array([layer]).take(pa.array(np.zeros(rows, dtype=np.int32))),
            "class_net": pa.array(unit // size),
            "neuron": pa.array(neuron),
            "type": pa.array(["E", "I"]).take(pa.array(is_inhibitory.astype(np.int32))),
            "count": count,
            "activity": pa.array(values.ravel()),
        }, schema=COUNTS_SCHEMA))
    return pa.concat_tables(parts)


def spikes_table(epoch: int, spikes: list, hidden, period_steps: int, dt_s: float) -> pa.Table:
    """Spike times of one epoch's test presentations (schema :data:`SPIKES_SCHEMA`).

    Parameters
    ----------
    spikes : list of (first_presentation, dict)
        One entry per batch: index of the batch's first presentation in the
        epoch, and :attr:`BatchResult.spikes` (layer → (unit indices, times in
        seconds from the batch start)).
    period_steps : int
        Time steps from one presentation's start to the next.
    dt_s : float
        Time step in seconds.
    """
    sizes = {f"hidden{k}": h for k, h in enumerate(hidden, start=1)}
    sizes["output"] = 1
    parts = []
    for first, batch in spikes:
        for layer, size in sizes.items():
            if layer not in batch:
                continue
            units, times = (np.asarray(a) for a in batch[layer])
            steps = np.rint(times / dt_s).astype(np.int64)
            presentation = steps // period_steps
            order = np.lexsort((steps, units, presentation))
            units, steps, presentation = units[order], steps[order], presentation[order]
            rows = len(units)
            parts.append(pa.table({
                "epoch": pa.array(np.full(rows, epoch, dtype=np.int64)),
                "presentation": pa.array(presentation + first),
                "layer": pa.array([layer]).take(pa.array(np.zeros(rows, dtype=np.int32))),
                "class_net": pa.array(units.astype(np.int64) // size),
                "neuron": pa.array(units.astype(np.int64) % size),
                "t": pa.array((steps - presentation * period_steps) * dt_s),
            }, schema=SPIKES_SCHEMA))
    if not parts:
        return SPIKES_SCHEMA.empty_table()
    table = pa.concat_tables(parts)
    return table.sort_by([("presentation", "ascending"), ("layer", "ascending"),
                          ("class_net", "ascending"), ("neuron", "ascending"), ("t", "ascending")])


def save_weights(path, weights: dict, epoch: int, seed: int) -> None:
    """Write ``weights.npz`` atomically: the weights, ``epoch`` and ``seed``.

    Every random stream of epoch ``e`` (sample selection, order, Brian2's
    seed) derives from ``(seed, e)``, so these two numbers are all the random
    state a resumed run needs.
    """
    path = Path(path)
    tmp = _temporary(path).with_suffix(".npz")
    with open(tmp, "wb") as handle:
        np.savez(handle, **{k: np.asarray(v) for k, v in weights.items()},
                 epoch=np.int64(epoch), seed=np.int64(seed))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_weights(path) -> tuple[dict, int, int]:
    """Read ``weights.npz``: (layer → array, epoch, seed)."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    epoch = int(arrays.pop("epoch"))
    seed = int(arrays.pop("seed", -1))
    return arrays, epoch, seed


def truncate_run(folder, epoch: int) -> None:
    """Drop every row of epochs after ``epoch`` (the last one ``weights.npz`` holds)."""
    folder = Path(folder)
    for name in ("metrics.csv", "predictions.csv"):
        path = folder / name
        if path.exists():
            frame = pd.read_csv(path)
            if (frame["epoch"] > epoch).any():
                tmp = _temporary(path)
                frame[frame["epoch"] <= epoch].to_csv(tmp, index=False)
                os.replace(tmp, path)
    for name in ("counts.parquet", "spikes.parquet"):
        path = folder / name
        if path.exists():
            append_parquet(path, None, keep_through_epoch=epoch)
