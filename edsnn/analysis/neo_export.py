"""A run's spike trains as a :class:`neo.Block`, for Elephant (time conventions in :mod:`.export`).

Written to disk with :class:`neo.io.PickleIO`: it needs nothing beyond neo
itself.  (``NixIO`` would give a portable file but needs the nixio package
on top of h5py; the portable format of edsnn is NWB, :func:`~.nwb_export.to_nwb`.)
A pickle is read back with ``neo.io.PickleIO(path).read_block()`` by the same
or a newer neo, and -- like any pickle -- should be opened only from a
trusted source.
"""

from __future__ import annotations

import os
from pathlib import Path

from brian2 import second

from .export_tables import (
    as_run,
    config_annotations,
    neurons,
    presentations,
    require,
    spike_index,
    versions,
)

__all__ = ["to_neo", "write_neo"]


def to_neo(run, epoch: int | None = None):
    """The test presentations' spike trains of a run as a Neo Block.

    Parameters
    ----------
    run : Run or str or Path
        A run (:func:`~edsnn.analysis.load_run`) or its folder, trained with
        ``--record-spikes``.
    epoch : int, optional
        Export this epoch only (default: every finished epoch).

    Returns
    -------
    neo.Block
        * ``segments``: one per test presentation, in order, annotated with
          ``epoch``, ``presentation`` (0-based in the epoch), ``label``,
          ``label_name``, ``prediction`` and ``session_start_s`` (onset on the
          NWB session clock, s);
        * ``segment.spiketrains``: one per hidden and output neuron (also
          silent ones), in s, ``t_start = 0 s`` and ``t_stop = period``
          (presentation + rest), annotated with ``layer``, ``class_net``,
          ``neuron`` (index in the class net) and ``type`` ("E"/"I");
        * ``groups``: one :class:`neo.Group` per neuron holding its trains of
          every segment, with the same annotations;
        * ``annotations``: ``config.json`` flattened (``"coding.presentation":
          "50. ms"``, units as text) and ``export_versions``.

    Notes
    -----
    Neo holds one Python object per train, (presentations × neurons) of
    them: 105 000 trains (500 presentations × 210 neurons) took 16 s here;
    for a large run export one epoch.

    Raises
    ------
    MissingExportPackages
        If neo is not installed.
    ValueError
        If the run has no spike times, or ``epoch`` is not finished.

    Examples
    --------
    >>> import elephant.statistics as es                          # doctest: +SKIP
    >>> block = to_neo("runs/spikes", epoch=2)                    # doctest: +SKIP
    >>> es.fanofactor(block.groups[0].spiketrains)                # doctest: +SKIP
    """
    neo = require("neo")
    import quantities as pq

    run = as_run(run)
    shown, units = presentations(run, epoch), neurons(run)
    t, bounds = spike_index(run, shown, units)
    period = float(run.config.coding.period / second)
    names = run.class_names
    block = neo.Block(name=run.path.name, description=f"edsnn run {run.path}: test presentations",
                      **config_annotations(run))
    block.annotate(export_versions={k: str(v) for k, v in versions().items()})
    unit_info = units.to_dict("records")
    per_unit = [[] for _ in unit_info]
    start, stop = 0 * pq.s, period * pq.s
    for p, row in enumerate(shown.itertuples(index=False)):
        segment = neo.Segment(
            name=f"epoch {row.epoch} presentation {row.presentation}", index=p, epoch=int(row.epoch),
            presentation=int(row.presentation), label=int(row.label), label_name=names[int(row.label)],
            prediction=int(row.prediction), session_start_s=float(row.start_s))
        trains = [neo.SpikeTrain(t[bounds[i]:bounds[i + 1]], units=pq.s, t_start=start, t_stop=stop,
                                 name=_name(info), **_annotations(info))
                  for i, info in enumerate(unit_info, start=p * len(unit_info))]
        segment.spiketrains = trains  # one assignment: appending one by one is quadratic in neo
        for own, train in zip(per_unit, trains):
            own.append(train)
        block.segments.append(segment)
    for info, own in zip(unit_info, per_unit):
        group = neo.Group(name=_name(info), allowed_types=[neo.SpikeTrain], **_annotations(info))
        group.spiketrains = own
        block.groups.append(group)
    block.check_relationships()
    return block


def _name(unit: dict) -> str:
    return f"{unit['layer']} net {unit['class_net']} neuron {unit['neuron']}"


def _annotations(unit: dict) -> dict:
    return {"layer": str(unit["layer"]), "class_net": int(unit["class_net"]), "neuron": int(unit["neuron"]),
            "type": str(unit["type"])}


def write_neo(block, path) -> Path:
    """Write ``block`` with :class:`neo.io.PickleIO` (atomically); returns the path."""
    neo = require("neo")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    neo.io.PickleIO(str(tmp)).write_block(block)
    os.replace(tmp, path)
    return path
