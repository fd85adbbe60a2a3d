"""The run folder: its schema, its writer and its reader, in one place.

Training and evaluation (:mod:`edsnn.protocols`), the analysis, the sweeps
and the tests all go through :class:`RunFolder`.  A run folder holds:

=============================  =======================================================================
``config.json``                ``format_version`` (:mod:`edsnn.runs.format`), :meth:`TrainConfig.to_dict`
                               (the run's settings and its network's sections; quantities as text,
                               ``"20. ms"``), ``network`` (the :class:`~edsnn.networks.Description`:
                               populations, E/I pattern, caps), versions, command line and dataset
                               facts (``class_names``, ``n_classes``)
``metrics.csv``                ``epoch, train_accuracy, test_accuracy, train_seconds, test_seconds``
                               (accuracies as fractions, seconds of wall time), then the network's
                               own columns
``predictions.csv``            ``epoch, presentation, label, prediction`` of the test presentations
``counts/epoch=NNNN.parquet``  one part per epoch: ``epoch, presentation, label, layer, class_net,
                               neuron, type, count, activity`` for every test presentation and unit
                               (:data:`COUNTS_SCHEMA`: dictionary ``layer``/``type``, ``count`` in the
                               smallest unsigned type a presentation allows, null for rate units,
                               float32 ``activity``); only the epochs and presentations that
                               ``record_counts`` keeps (:mod:`edsnn.runs.recording`)
``spikes/epoch=NNNN.parquet``  with ``record_spikes``: ``epoch, presentation, layer, class_net,
                               neuron, t`` (``t`` in seconds from the presentation's start)
``weights.npz``                the learned state after the last finished epoch, its number
                               (``epoch``) and ``seed``
``figures/``                   learning curves, confusion matrix, the network's own (last epoch)
``evaluation.csv``             one row per ``edsnn evaluate``: ``epoch, images, test_set, accuracy,
                               device, date``
=============================  =======================================================================

``pandas.read_parquet(RUN / "counts")`` reads the parts as one table too, but
a full-size run (514 million rows) does not fit in memory whole:
:meth:`RunFolder.counts` reads an epoch, :meth:`RunFolder.count_batches`
streams one in bounded batches.  Folders written before the compact types
(int64, string, float64 columns) read as the compact types, ``count`` as int64.
Folders written before the per-epoch parts hold single ``counts.parquet``
and ``spikes.parquet`` files; they are read, evaluated and resumed as they
are (new epochs are added as parts).

What ``weights.npz`` holds and which figures beyond the learning curves and
the confusion matrix are drawn is the network's (:meth:`Network.get_state`,
:meth:`Network.figures`); the populations of the count table are its
description's.

Each file is written atomically (a temporary file, then :func:`os.replace`);
an epoch writes its parts, then the CSV rows, then ``weights.npz`` last, which
marks it finished: readers show finished epochs only, and
:meth:`RunFolder.truncate` drops later rows before a run resumes.  A
truncated or corrupt file raises :class:`RunFolderError`, naming it.
"""

from .folder import RunFolder, SavedWeights
from .format import FORMAT_VERSION, description
from .schema import (
    COUNT_TYPES,
    COUNTS_SCHEMA,
    METRICS_COLUMNS,
    PREDICTION_COLUMNS,
    REQUIRED,
    RUN_FILES,
    SPIKES_SCHEMA,
    RunFolderError,
    count_type,
    counts_schema,
    layer_sort_key,
)
from .tables import counts_table, significant, spikes_table

__all__ = [
    "COUNT_TYPES",
    "COUNTS_SCHEMA",
    "METRICS_COLUMNS",
    "PREDICTION_COLUMNS",
    "REQUIRED",
    "RUN_FILES",
    "SPIKES_SCHEMA",
    "RunFolder",
    "RunFolderError",
    "SavedWeights",
    "FORMAT_VERSION",
    "description",
    "count_type",
    "counts_schema",
    "counts_table",
    "layer_sort_key",
    "significant",
    "spikes_table",
]
