"""Protocols over a built network: training epochs, evaluation, and the run folder.

>>> from edsnn.protocols import TrainConfig, train                 # doctest: +SKIP
>>> result = train(TrainConfig(hidden=(8,), train=30, test=20, epochs=2), out="runs/tiny")  # doctest: +SKIP
>>> result.metrics                                                  # doctest: +SKIP

``edsnn train`` (see :mod:`edsnn.cli`) is the command-line face of :func:`train`.
This package never imports :mod:`edsnn.analysis`.
"""

from edsnn.config import SYNAPSES, TrainConfig

from .training import (
    EvaluationResult,
    TrainError,
    TrainResult,
    build_network,
    epoch_selection,
    evaluate,
    load_config,
    stream_seed,
    train,
)

__all__ = [
    "TrainConfig", "SYNAPSES", "train", "evaluate", "load_config", "TrainError", "TrainResult",
    "EvaluationResult", "build_network", "epoch_selection", "stream_seed",
]
