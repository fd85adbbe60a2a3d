"""What training and evaluation share: random streams, epoch selections, result types, run-folder start.

An epoch's images and seeds, the checks before a run folder is written or
resumed, and its ``config.json`` come from this one place, for every network.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import platform
from pathlib import Path

import brian2
import numpy as np
import pandas as pd

import edsnn
from edsnn.config import TrainConfig
from edsnn.data import load_dataset, select_subset
from edsnn.model.catalog import import_path
from edsnn.networks import network_class
from edsnn.runs import FORMAT_VERSION, RunFolder, RunFolderError

__all__ = ["TrainError", "TrainResult", "EvaluationResult", "STREAMS", "stream_seed", "epoch_selection",
           "default_out", "start_folder", "load_data"]

#: Random streams derived from (seed, epoch); values are part of the seed sequence.
STREAMS = {"order": 1, "brian_train": 2, "brian_test": 3, "brian_assign": 4}

class TrainError(ValueError):
    """A run was refused before it started (folder, sizes, resume mismatch)."""


@dataclasses.dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    path : Path
        The run folder.
    metrics : DataFrame
        ``metrics.csv``: one row per finished epoch.
    weights : dict of str to ndarray
        Final learned state (:meth:`Network.get_state`: weights, kept neuron state).
    network : Network
        The trained network (its Brian2 network: ``network.net``).
    """

    path: Path
    metrics: pd.DataFrame
    weights: dict
    network: object

    def __repr__(self):
        last = (f", test accuracy {100 * self.metrics['test_accuracy'].iloc[-1]:.1f} % after epoch "
                f"{int(self.metrics['epoch'].iloc[-1])}" if len(self.metrics) else "")
        return (f"TrainResult({str(self.path)!r}, {type(self.network).kind!r} network{last}; "
                f"weights: {', '.join(self.weights)})")


@dataclasses.dataclass
class EvaluationResult:
    """What :func:`evaluate` returns.

    Attributes
    ----------
    accuracy : float
        Fraction of test presentations classified correctly.
    epoch : int
        The epoch after which the evaluated weights were saved.
    labels, predictions : ndarray of int, shape (n_test,)
    recorded_accuracy : float or None
        ``test_accuracy`` of that epoch in ``metrics.csv``.
    """

    accuracy: float
    epoch: int
    labels: np.ndarray
    predictions: np.ndarray
    recorded_accuracy: float | None

    def __repr__(self):
        recorded = "" if self.recorded_accuracy is None else f", recorded {100 * self.recorded_accuracy:.1f} %"
        return (f"EvaluationResult(accuracy {100 * self.accuracy:.1f} % on {len(self.labels)} presentations, "
                f"weights of epoch {self.epoch}{recorded})")


def stream_seed(seed: int, epoch: int, stream: str) -> int:
    """A 32-bit seed for one random stream of one epoch, from ``(seed, epoch, stream)``."""
    return int(np.random.SeedSequence([int(seed), int(epoch), STREAMS[stream]]).generate_state(1)[0])


def epoch_selection(config: TrainConfig, train_labels, test_labels, epoch: int):
    """Indices of the training images (presentation order) and test images of ``epoch``.

    Returns
    -------
    train_order : ndarray of int64, shape (config.train,)
        Shuffled with a generator seeded by ``(seed, epoch)``.
    test_indices : ndarray of int64, shape (config.test,)
        Ascending (file order).
    """
    chosen = select_subset(train_labels, config.train, config.sampling, config.seed, epoch)
    order = np.random.default_rng(stream_seed(config.seed, epoch, "order")).permutation(chosen)
    test = select_subset(test_labels, config.test, config.sampling, config.seed, epoch)
    return order, test


def evaluation_indices(config: TrainConfig, train_labels, test_labels, epoch: int, all_test: bool):
    """Test images an evaluation presents: ``epoch``'s selection, or the whole test file."""
    if all_test:
        return np.arange(len(test_labels), dtype=np.int64)
    return epoch_selection(config, train_labels, test_labels, epoch)[1]


def default_out(config: TrainConfig, root="runs") -> Path:
    """``runs/<YYYYmmdd-HHMMSS>-<dataset>-<model>``."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(root) / f"{stamp}-{config.dataset}-{config.model}"


def _versions() -> dict:
    return {
        "edsnn_version": edsnn.__version__, "brian2_version": brian2.__version__,
        "numpy_version": np.__version__, "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
    }


def _describe(config: TrainConfig, train_set, command_line) -> dict:
    network = network_class(config.model)
    info = {"format_version": FORMAT_VERSION, **config.to_dict()}
    if not network.__module__.startswith("edsnn."):
        info["network_class"] = import_path(network)
    info["network"] = network.describe(config).to_dict()
    info.update(_versions())
    info.update({
        "command_line": command_line,
        "created": _dt.datetime.now().isoformat(timespec="seconds"),
        "data_source": train_set.source,
        "class_names": list(train_set.class_names),
        "n_classes": config.n_classes,
        "random_streams": network.random_streams,
    })
    return info


def _prepare_folder(folder: Path, config: TrainConfig, resume: bool, overwrite: bool, echo):
    """Check or clear the run folder; return the number of finished epochs (resume).

    A resumed folder is checked whole before anything in it changes; then the
    rows of an unfinished epoch are dropped.
    """
    if folder.exists() and not folder.is_dir():
        raise TrainError(f"{folder} exists and is not a folder")
    if not folder.exists() or not any(folder.iterdir()):
        if resume:
            echo(f"note: {folder} holds no run yet; starting a new one")
        return 0
    run = RunFolder(folder)
    if resume:
        if not run.file("config.json").is_file():
            raise TrainError(f"cannot resume: {folder} has no config.json, so it is not a run folder")
        try:
            run.check(require=("config.json",))
        except RunFolderError as err:
            raise TrainError(f"cannot resume: {err}") from None
        stored = run.config()
        changed = [f.name for f in dataclasses.fields(TrainConfig)
                   if f.name != "epochs" and f.compare and getattr(stored, f.name) != getattr(config, f.name)]
        if changed:
            raise TrainError(
                f"cannot resume {folder}: its run has different settings for {', '.join(changed)} "
                "(only --epochs may change when resuming, and --workers, which changes no result)"
            )
        done = run.finished_epoch()
        run.truncate(done)
        return done
    if overwrite:
        run.clear()
        return 0
    raise TrainError(
        f"{folder} already exists and is not empty; choose another --out, or pass --resume to "
        "continue the run it holds, or --overwrite to replace it"
    )


def start_folder(config: TrainConfig, folder: Path, resume: bool, overwrite: bool, echo, command_line):
    """Load the data, check or clear ``folder`` and write its run info.

    On resume the info keeps the first start's creation time and command line
    and lists the resumption.

    Returns
    -------
    train_set, test_set, done, run, weights
        The data, the finished epochs, the :class:`RunFolder`, and the last
        epoch's weights (None when starting afresh).
    """
    train_set, test_set = load_data(config)
    done = _prepare_folder(folder, config, resume, overwrite, echo)
    run = RunFolder(folder)
    info = _describe(config, train_set, command_line)
    if done:
        previous = run.info()
        info["created"] = previous.get("created", info["created"])
        info["command_line"] = previous.get("command_line")
        info["resumed"] = [*previous.get("resumed", []), {"after_epoch": done, "command_line": command_line}]
    weights = run.weights().arrays if done else None
    run.write_info(info)
    return train_set, test_set, done, run, weights


def load_data(config: TrainConfig):
    train_set = load_dataset(config.dataset, "train", config.data, config.data_dir)
    test_set = load_dataset(config.dataset, "test", config.data, config.data_dir)
    for split, n, data in (("train", config.train, train_set), ("test", config.test, test_set)):
        if n > len(data):
            hint = " (use --data full or --data-dir for the full dataset)" if config.data == "embedded" else ""
            raise TrainError(
                f"--{split} {n} is more than the {len(data)} {split} images of the "
                f"{config.data} {config.dataset} set{hint}"
            )
    return train_set, test_set
