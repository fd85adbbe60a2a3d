"""Firing statistics of a trained edsnn network, as tidy tables.

Every function takes the long tables of a run folder (see
:func:`edsnn.analysis.load_run`) and returns a :class:`pandas.DataFrame` whose
columns are listed in its docstring, units in the column name: rates in Hz as
float columns ``rate_hz``, times in seconds ``*_s``.  A neuron is identified by
``(layer, class_net, neuron)``; ``type`` is ``"E"`` or ``"I"``.

Spike-count statistics (``counts``: the count table, one row per test
presentation and neuron, or its :class:`~edsnn.analysis.summary.CountSummary`
-- ``run.count_summary``, which a run of any size fits in memory as; both give
the same numbers):

* :func:`mean_rate` -- per-neuron mean rate per epoch (and per stimulus class);
* :func:`population_rate` -- mean rate per epoch, layer and E/I type;
* :func:`silent_saturated` -- fraction of silent neurons, and of neurons
  saturated at the ED rule's activity cap and at the refractory limit
  (:class:`SaturationCaps`);
* :func:`fano_factor` -- Fano factor of the counts over repeated presentations
  of one class;
* :func:`selectivity` -- preferred class and class-selectivity index;
* :func:`evolution` -- the summaries above, per epoch, layer and type.

Spike-time statistics (``spikes`` table, only when spikes were recorded):
:func:`isi_cv` and :func:`psth`.  Read-out and weights:
:func:`confusion_matrix` and :func:`receptive_fields`.

The count statistics refuse a reference-model run, whose sigmoid hidden and
output units have no spike counts (``count`` is NA).

The functions live in :mod:`.rates`, :mod:`.caps`, :mod:`.counts`,
:mod:`.spikes` and :mod:`.readout` (shared checks in :mod:`.tables`); use
them from here.
"""

from .caps import SaturationCaps, max_count
from .counts import evolution, fano_factor, selectivity, silent_saturated
from .rates import mean_rate, population_rate
from .readout import confusion_matrix, receptive_fields
from .spikes import SPIKE_COLUMNS as SPIKE_COLUMNS  # column layouts, outside __all__ as before
from .spikes import isi_cv, psth
from .tables import NEURON as NEURON
from .tables import neuron_type

__all__ = [
    "mean_rate",
    "population_rate",
    "max_count",
    "SaturationCaps",
    "silent_saturated",
    "fano_factor",
    "selectivity",
    "confusion_matrix",
    "evolution",
    "isi_cv",
    "psth",
    "neuron_type",
    "receptive_fields",
]
