"""A run's spike times as an NWB file (time conventions in :mod:`.export`)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import numpy as np
from brian2 import second

from edsnn.units import natural_text

from .export_tables import as_run, neurons, presentations, require, spike_index, versions

__all__ = ["to_nwb"]

#: NCBI Taxonomy's "synthetic construct": the species field of a simulated network.
SYNTHETIC = "http://purl.obolibrary.org/obo/NCBITaxon_32630"

_UNIT_COLUMNS = {
    "layer": "layer of the neuron: hidden1, hidden2, ..., output",
    "class_net": "class network (independent ED sub-network) the neuron belongs to, 0-based",
    "neuron": "index of the neuron within its layer of the class network, 0-based",
    "type": "E (excitatory) or I (inhibitory)",
}
_TRIAL_COLUMNS = {
    "epoch": "training epoch after which the test presentation ran, 1-based",
    "presentation": "index of the test presentation within its epoch, 0-based",
    "label": "true class of the image",
    "prediction": "class whose output neuron fired most (lowest class on ties)",
}


def _start_time(run) -> datetime:
    """``created`` of config.json (local time of the training), else the file's time, time zone aware."""
    try:
        return datetime.fromisoformat(str(run.info["created"])).astimezone()
    except (KeyError, ValueError):
        return datetime.fromtimestamp((run.path / "config.json").stat().st_mtime).astimezone()


def _weight_table(layer: str, weights, w_unit):
    """The input weights of ``layer``: one row per (class network, postsynaptic neuron), its weights a vector."""
    from hdmf.backends.hdf5 import H5DataIO
    from hdmf.common import DynamicTable, VectorData

    w = np.asarray(weights, dtype=np.float64)
    w = w[:, :, None] if layer == "output" else w  # (class_net, pre, post)
    n_classes, n_pre, n_post = w.shape
    net, post = (a.ravel() for a in np.meshgrid(np.arange(n_classes), np.arange(n_post), indexing="ij"))
    scale = "" if w_unit is None else f"; a weight of 1 is the synapse's w_unit, {natural_text(w_unit)}"
    return DynamicTable(name=layer, description=f"synaptic weights onto {layer}", columns=[
        VectorData(name="class_net", description=_UNIT_COLUMNS["class_net"], data=net),
        VectorData(name="neuron", description=f"postsynaptic neuron within {layer} of the class network, 0-based",
                   data=post),
        VectorData(name="weights", description=f"its {n_pre} input weights, one per presynaptic unit of the layer "
                                               f"before (dimensionless{scale})",
                   data=H5DataIO(w.transpose(0, 2, 1).reshape(-1, n_pre), compression="gzip")),
    ])


def to_nwb(run, path, weights: bool = True) -> Path:
    """Write the spike times of a run's test presentations as an NWB file.

    Parameters
    ----------
    run : Run or str or Path
        A run (:func:`~edsnn.analysis.load_run`) or its folder, trained with
        ``--record-spikes``.
    path : str or Path
        The ``.nwb`` file to write (replaced atomically if it exists).
    weights : bool
        Also store the saved weights (default True) as the processing module
        ``weights``: one table per layer, one row per (``class_net``,
        postsynaptic ``neuron``), its ``weights`` the vector of its input
        weights (dimensionless, in units of the synapse's ``w_unit``).

    Returns
    -------
    Path

    Notes
    -----
    * ``subject``: the simulated network (no animal): species NCBI
      Taxonomy's "synthetic construct", sex "O" (other), born when its
      training started, described by its settings.
    * ``units``: one row per hidden and output neuron, columns ``layer,
      class_net, neuron, type``; ``resolution``: the time step ``dt``;
      ``spike_times`` in s on the session clock
      (``trials.start_time`` of the presentation + the spike's ``t`` in
      ``spikes/``); ``obs_intervals``: one interval per epoch.
    * ``trials``: ``start_time, stop_time`` (s, session clock; one period
      each), ``epoch, presentation, label, prediction``.
    * ``notes``: JSON of ``config.json`` (settings with units as text,
      versions of the training) and ``export_versions``;
      ``source_script``: the command line of the training.

    Raises
    ------
    MissingExportPackages
        If pynwb is not installed.
    ValueError
        If the run has no spike times.
    """
    pynwb = require("pynwb")

    run = as_run(run)
    shown, units = presentations(run), neurons(run)
    t, bounds = spike_index(run, shown, units)
    n = len(units)
    key = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))  # presentation row * n + neuron row
    unit_of, session_t = key % n, t + shown["start_s"].to_numpy()[key // n]
    order = np.lexsort((session_t, unit_of))
    unit_of, session_t = unit_of[order], session_t[order]
    per_unit = np.searchsorted(unit_of, np.arange(n + 1))
    periods = shown.groupby("epoch").agg(start=("start_s", "min"), stop=("stop_s", "max"))
    obs = periods[["start", "stop"]].to_numpy()

    info, network = run.info, run.description
    dataset = info.get("dataset", "unknown dataset")
    layers = ", ".join(f"{layer} {size}" for layer, size in network.sizes().items())
    nwb = pynwb.NWBFile(
        session_description=(f"edsnn run {run.path.name}: spike times of the test presentations of "
                             f"{len(periods)} epoch(s), {dataset}, a {run.model!r} network: neurons per class "
                             f"network {layers}, {network.class_networks} class network(s)"),
        identifier=f"edsnn-{run.path.name}-{info.get('created', 'unknown')}",
        session_start_time=_start_time(run),
        experiment_description=(f"simulated spiking network (Brian2), edsnn's {run.model!r} network; "
                                "the session clock lays the test presentations end to end"),
        notes=json.dumps({"config": info, "export_versions": versions()}, indent=1, default=str),
        source_script=info.get("command_line") or "edsnn train",
        source_script_file_name="edsnn",
        keywords=["spiking neural network", "simulation", "Brian2", run.model, dataset],
    )
    parts = ", ".join(f"{info[s]['kind']} {s}" for s in ("neuron", "synapse") if isinstance(info.get(s), dict))
    nwb.subject = pynwb.file.Subject(  # no animal: born when its training started, of no sex ("O": other)
        subject_id=run.path.name, sex="O", date_of_birth=nwb.session_start_time, species=SYNTHETIC,
        description=(f"simulated network, not an animal: edsnn's {run.model!r} network, "
                     f"{network.class_networks} class network(s) of {layers} neurons"
                     f"{' (' + parts + ')' if parts else ''}, trained on {dataset} (edsnn, Brian2)"))
    nwb.units = pynwb.misc.Units(
        name="units", resolution=float(run.dt / second),
        description="the counted neurons; spike times on the simulation's time grid (resolution: dt)")
    for name, description in _UNIT_COLUMNS.items():
        nwb.add_unit_column(name=name, description=description)
    for u, unit in enumerate(units.itertuples(index=False)):
        nwb.add_unit(spike_times=session_t[per_unit[u]:per_unit[u + 1]], obs_intervals=obs, layer=str(unit.layer),
                     class_net=int(unit.class_net), neuron=int(unit.neuron), type=str(unit.type))
    for name, description in _TRIAL_COLUMNS.items():
        nwb.add_trial_column(name=name, description=description)
    for row in shown.itertuples(index=False):
        nwb.add_trial(start_time=float(row.start_s), stop_time=float(row.stop_s), epoch=int(row.epoch),
                      presentation=int(row.presentation), label=int(row.label), prediction=int(row.prediction))
    if weights:
        module = nwb.create_processing_module(
            "weights", f"weights onto each layer after epoch {run.weights['epoch']} (the network's learned state)")
        w_unit = getattr(getattr(run.config, "synapse", None), "w_unit", None)
        for layer in (layer for layer in network.layers if layer in run.weights):
            module.add(_weight_table(layer, run.weights[layer], w_unit))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")  # pynwb wants the .nwb suffix
    with pynwb.NWBHDF5IO(str(tmp), "w") as io:
        io.write(nwb)
    os.replace(tmp, path)
    return path
