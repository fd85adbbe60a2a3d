"""The long tables of one epoch's test presentations, built from the network's batch results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .schema import COUNTS_SCHEMA, SPIKES_SCHEMA

__all__ = ["counts_table", "spikes_table", "significant"]


def significant(frame: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    """``frame`` with its float columns rounded to ``digits`` significant digits, for CSV files.

    Rates, fractions and seconds computed from counts carry float noise in
    their last digits (``59.987500000000004``); six digits are more than any
    of them measures (a rate from 10 000 presentations, an accuracy on 10 000
    images) and the file shows ``59.9875``.
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            values = out[column].to_numpy(dtype=float)
            finite = np.isfinite(values) & (values != 0)
            magnitude = np.floor(np.log10(np.abs(values, where=finite, out=np.ones_like(values))))
            scale = 10.0 ** (digits - 1 - magnitude)
            out[column] = np.where(finite, np.round(values * scale) / scale, values)
    return out


def _repeat(value: str, rows: int) -> pa.Array:
    return pa.array([value]).take(pa.array(np.zeros(rows, dtype=np.int32)))


def _names(codes, names) -> pa.DictionaryArray:
    """Dictionary-encoded text column: ``names[codes]`` (one byte per row)."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int8)), pa.array(names))


def counts_table(epoch: int, labels, activity: dict, counts: dict | None, populations: dict,
                 first: int = 0) -> pa.Table:
    """Long table of test presentations of one epoch (schema :data:`COUNTS_SCHEMA`).

    Activities are stored as float32 (7 significant digits, far finer than a
    count over the ED cap); the run folder writes ``count`` in the smallest
    type its presentation allows (:meth:`RunFolder.write_epoch`).

    Parameters
    ----------
    epoch : int
    labels : array of int, shape (n_presentations,)
    activity : dict of str to ndarray
        Layer → (n_presentations, n_classes * layer_size) activities in [0, 1].
    counts : dict of str to ndarray or None
        Same shapes, spike counts; None (reference model) gives null counts.
    populations : dict of str to Population
        Layer → its :class:`~edsnn.networks.Population` (size per class
        network and E/I pattern), from the network's description.
    first : int
        Index of the first of these presentations in the epoch's test set.
    """
    labels = np.asarray(labels)
    parts = []
    count_type = COUNTS_SCHEMA.field("count").type
    for layer, population in populations.items():
        size = population.size
        values = np.asarray(activity[layer], dtype=np.float32)
        n, units = values.shape
        presentation = np.repeat(np.arange(n, dtype=np.uint32), units)
        unit = np.tile(np.arange(units, dtype=np.uint32), n)
        neuron = unit % size
        rows = n * units
        if counts is None:
            count = pa.nulls(rows, count_type)
        else:
            count = pa.array(np.asarray(counts[layer]).ravel()).cast(count_type)
        parts.append(pa.table({
            "epoch": pa.array(np.full(rows, epoch, dtype=np.uint16)),
            "presentation": pa.array(presentation + np.uint32(first)),
            "label": pa.array(labels[presentation]).cast(pa.uint16()),
            "layer": _names(np.zeros(rows), [layer]),
            "class_net": pa.array((unit // size).astype(np.uint16)),
            "neuron": pa.array(neuron),
            "type": _names(population.types_of(neuron) == "I", ["E", "I"]),
            "count": count,
            "activity": pa.array(values.ravel()),
        }, schema=COUNTS_SCHEMA))
    return pa.concat_tables(parts)


def spikes_table(epoch: int, spikes: list, sizes: dict, period_steps: int, dt_s: float) -> pa.Table:
    """Spike times of one epoch's test presentations (schema :data:`SPIKES_SCHEMA`).

    Parameters
    ----------
    spikes : list of (first_presentation, dict)
        One entry per batch: index of the batch's first presentation in the
        epoch, and :attr:`BatchResult.spikes` (layer → (unit indices, times in
        seconds from the batch start)).
    sizes : dict of str to int
        Layer → neurons per class network.
    period_steps : int
        Time steps from one presentation's start to the next.
    dt_s : float
        Time step in seconds.
    """
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
                "layer": _repeat(layer, rows),
                "class_net": pa.array(units.astype(np.int64) // size),
                "neuron": pa.array(units.astype(np.int64) % size),
                "t": pa.array((steps - presentation * period_steps) * dt_s),
            }, schema=SPIKES_SCHEMA))
    if not parts:
        return SPIKES_SCHEMA.empty_table()
    table = pa.concat_tables(parts)
    return table.sort_by([("presentation", "ascending"), ("layer", "ascending"),
                          ("class_net", "ascending"), ("neuron", "ascending"), ("t", "ascending")])
