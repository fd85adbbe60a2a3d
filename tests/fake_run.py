"""A synthetic run folder with known firing, in the format ``edsnn train`` writes.

Every class network ``c`` has the same hidden layers; in each hidden layer

* neuron 0 (E) is *selective*: Poisson at ``SELECTIVE_HZ`` for stimuli of
  class ``c``, silent for every other class (selectivity 1, preferred class c);
* neuron 1 (I) is *silent*;
* neuron 2 (E) is *saturated*: fires regularly at the refractory limit,
  ``max_count`` spikes in every presentation;
* neuron ``j >= 3`` is Poisson at ``poisson_hz(j)`` (10..80 Hz) for every stimulus.

The output neuron of network ``c`` is Poisson at ``OUTPUT_HZ[0]`` for class
``c`` and ``OUTPUT_HZ[1]`` otherwise; the prediction is the output with the
most spikes (lowest class on ties).  Spike times of a Poisson neuron are
uniform in the presentation, those of the saturated neuron regular.

``firing="silent"`` makes every neuron silent (outputs too: every prediction is
class 0) and ``firing="saturated"`` every neuron fire at the refractory limit,
as networks whose weights or neuron model leave them there.

Use :func:`fake_tables` for in-memory tables and :func:`write_fake_run` for a
folder (``python tests/fake_run.py DIR`` writes one).
"""

from __future__ import annotations

import itertools
import math
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from brian2 import Hz, second

from edsnn.config import TrainConfig
from edsnn.data import SpikeCoding
from edsnn.model import EDParameters
from edsnn.runs import COUNTS_SCHEMA, SPIKES_SCHEMA, RunFolder

SELECTIVE_HZ = 60.0
OUTPUT_HZ = (80.0, 10.0)  # own class, other classes
SELECTIVE, SILENT, SATURATED = 0, 1, 2
ACTIVITY_MAX_HZ = 150.0  # the ED rule's activity cap in config.json: 30 spikes in 200 ms


def poisson_hz(neuron: int) -> float:
    """Rate (Hz) of the class-independent Poisson neuron ``neuron`` (>= 3): 10..80 Hz."""
    return 10.0 + 10.0 * ((neuron - 3) % 8)


@dataclass(frozen=True)
class FakeTables:
    counts: pd.DataFrame
    spikes: pd.DataFrame
    predictions: pd.DataFrame
    presentation_s: float
    max_count: int
    period_s: float  # inter-spike interval of the saturated neuron


def _layer_rates(layer: str, size: int, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Rates (Hz), shape (n_presentations, n_classes, size)."""
    own = labels[:, None] == np.arange(n_classes)[None, :]  # (P, C)
    if layer == "output":
        return np.where(own, OUTPUT_HZ[0], OUTPUT_HZ[1])[:, :, None]
    rates = np.empty((len(labels), n_classes, size))
    for j in range(size):
        if j == SELECTIVE:
            rates[:, :, j] = np.where(own, SELECTIVE_HZ, 0.0)
        elif j in (SILENT, SATURATED):
            rates[:, :, j] = 0.0
        else:
            rates[:, :, j] = poisson_hz(j)
    return rates


def fake_tables(
    *,
    epochs: int = 2,
    n_classes: int = 3,
    n_per_class: int = 20,
    hidden: tuple[int, ...] = (6,),
    presentation_s: float = 0.2,
    dt_s: float = 0.001,
    refractory_s: float = 0.002,
    seed: int = 0,
    firing: str = "known",
) -> FakeTables:
    """Count, spike and prediction tables with the known firing described above."""
    if firing not in ("known", "silent", "saturated"):
        raise ValueError(f"firing must be 'known', 'silent' or 'saturated' (got {firing!r})")
    rng = np.random.default_rng(seed)
    period = refractory_s + dt_s
    max_count = math.floor(presentation_s / period + 1e-9)
    layers = [(f"hidden{i + 1}", h) for i, h in enumerate(hidden)] + [("output", 1)]
    count_parts, spike_parts, prediction_parts = [], [], []
    for epoch in range(1, epochs + 1):
        labels = rng.permutation(np.repeat(np.arange(n_classes), n_per_class))
        n_pres = len(labels)
        for layer, size in layers:
            rates = _layer_rates(layer, size, labels, n_classes)
            counts = rng.poisson(rates * presentation_s) * (firing == "known")
            if layer != "output" and size > SATURATED:
                counts[:, :, SATURATED] = max_count * (firing != "silent")
            if firing == "saturated":
                counts[:] = max_count
            if layer == "output":
                out_counts = counts[:, :, 0]
                prediction_parts.append(pd.DataFrame({
                    "epoch": epoch, "presentation": np.arange(n_pres), "label": labels,
                    "prediction": out_counts.argmax(axis=1),
                }))
            p, c, j = np.meshgrid(np.arange(n_pres), np.arange(n_classes), np.arange(size),
                                  indexing="ij")
            p, c, j, k = p.ravel(), c.ravel(), j.ravel(), counts.ravel()
            kinds = np.where((layer == "output") | (j % 2 == 0), "E", "I")
            count_parts.append(pd.DataFrame({
                "epoch": epoch, "presentation": p, "label": labels[p], "layer": layer,
                "class_net": c, "neuron": j, "type": kinds, "count": k,
                "activity": np.minimum(k / max_count, 1.0),
            }))
            # spike times: uniform for Poisson neurons, regular for the saturated one
            rows = np.repeat(np.arange(len(k)), k)
            regular = ((layer != "output") & (j[rows] == SATURATED)) | (firing == "saturated")
            rank = np.arange(len(rows)) - np.repeat(np.cumsum(k) - k, k)
            t = np.where(regular, rank * period, rng.uniform(0.0, presentation_s, len(rows)))
            spike_parts.append(pd.DataFrame({
                "epoch": epoch, "presentation": p[rows], "layer": layer, "class_net": c[rows],
                "neuron": j[rows], "t": t,
            }))
    spikes = pd.concat(spike_parts, ignore_index=True)
    spikes = spikes.sort_values(["epoch", "presentation", "layer", "class_net", "neuron", "t"])
    return FakeTables(
        counts=pd.concat(count_parts, ignore_index=True),
        spikes=spikes.reset_index(drop=True),
        predictions=pd.concat(prediction_parts, ignore_index=True),
        presentation_s=presentation_s,
        max_count=max_count,
        period_s=period,
    )


def _fake_weights(n_classes: int, hidden: tuple, seed: int) -> dict:
    """Weights with Kaneko's sign rule; hidden neuron j of net c prefers a bar at row 4+2j+c."""
    rng = np.random.default_rng(seed + 1)
    sizes = [1568, *hidden]
    weights = {}
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        pre_type = np.where(np.arange(n_in) % 2 == 0, 1.0, -1.0)
        post_type = np.where(np.arange(n_out) % 2 == 0, 1.0, -1.0)
        w = rng.uniform(0.0, 0.05, (n_classes, n_in, n_out))
        if i == 0:
            image = np.zeros((n_classes, n_out, 28, 28))
            for c in range(n_classes):
                for j in range(n_out):
                    image[c, j, (4 + 2 * j + c) % 28, 4:24] = 0.5
            w[:, 0::2, :] += np.moveaxis(image.reshape(n_classes, n_out, 784), 1, 2)
        weights[f"hidden{i + 1}"] = w * pre_type[None, :, None] * post_type[None, None, :]
    weights["output"] = rng.uniform(0.3, 0.5, (n_classes, hidden[-1])) * np.where(
        np.arange(hidden[-1]) % 2 == 0, 1.0, -1.0)
    return weights


def write_fake_run(
    path,
    *,
    epochs: int = 2,
    n_classes: int = 3,
    n_per_class: int = 20,
    hidden: tuple[int, ...] = (6,),
    presentation_s: float = 0.2,
    model: str = "spiking",
    record_spikes: bool = True,
    seed: int = 0,
    legacy: bool = False,
    record_counts: str = "all",
    firing: str = "known",
) -> FakeTables:
    """Write a run folder at ``path`` with :class:`edsnn.runs.RunFolder` and return its tables.

    ``model="reference"`` writes NA counts, as the reference model does.
    ``legacy=True`` leaves the layout of folders written before the per-epoch
    parts (see :func:`to_legacy_layout`).
    ``record_counts`` is the run's setting: the writer keeps only those counts.
    ``firing`` is that of :func:`fake_tables`.
    """
    tables = fake_tables(epochs=epochs, n_classes=n_classes, n_per_class=n_per_class,
                         hidden=hidden, presentation_s=presentation_s, seed=seed, firing=firing)
    config = TrainConfig(train=10 * n_classes, test=n_classes * n_per_class, epochs=epochs, hidden=hidden,
                         model=model, seed=seed, record_spikes=record_spikes, record_counts=record_counts,
                         coding=SpikeCoding(presentation=presentation_s * second),
                         ed=EDParameters(lr=0.15, dif=0.5, activity_max_rate=ACTIVITY_MAX_HZ * Hz))
    run = RunFolder(path)
    run.write_info({**config.to_dict(), "edsnn_version": "0.1.0", "brian2_version": "2.8.0",
                    "data_source": "synthetic", "class_names": [str(i) for i in range(n_classes)],
                    "n_classes": n_classes, "n_inputs": 1568})
    counts = tables.counts.copy()
    if model == "reference":
        counts["count"] = pd.array([pd.NA] * len(counts), dtype="Int64")
        counts["activity"] = 1.0 / (1.0 + np.exp(-tables.counts["count"] / 5.0))
    weights = _fake_weights(n_classes, hidden, seed)
    train_accuracy = np.linspace(0.5, 0.95, epochs)
    for epoch in range(1, epochs + 1):
        predictions = tables.predictions[tables.predictions["epoch"] == epoch]
        spikes = tables.spikes[tables.spikes["epoch"] == epoch]
        run.write_epoch(
            epoch,
            counts=[pa.Table.from_pandas(counts[counts["epoch"] == epoch], COUNTS_SCHEMA, preserve_index=False)],
            spikes=pa.Table.from_pandas(spikes, SPIKES_SCHEMA, preserve_index=False) if record_spikes else None,
            predictions=(predictions["label"], predictions["prediction"]),
            metrics={"train_accuracy": train_accuracy[epoch - 1],
                     "test_accuracy": np.mean(predictions["label"] == predictions["prediction"]),
                     "train_seconds": 1.5, "test_seconds": 0.5},
            weights=weights, seed=seed)
    if legacy:
        to_legacy_layout(path)
    return tables


def to_legacy_layout(path) -> None:
    """Turn the per-epoch parts into the single ``counts.parquet`` / ``spikes.parquet`` of old folders.

    Folders written before the per-epoch parts held one parquet file per table,
    one row group per test batch, written with the same schema.
    """
    path = Path(path)
    for name in ("counts", "spikes"):
        parts = sorted((path / name).glob("epoch=*.parquet"))
        if parts:
            pq.write_table(pa.concat_tables([pq.read_table(p) for p in parts]), path / f"{name}.parquet",
                           compression="zstd")
            shutil.rmtree(path / name)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/fake")
    write_fake_run(target)
    print(f"wrote a synthetic run to {target}")
