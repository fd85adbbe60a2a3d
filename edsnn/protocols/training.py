"""The one training loop and evaluation, for every network: epochs of learning and testing into a run folder.

One epoch ``e`` (1-based):

1. draw the training selection (``select_subset(..., seed, e)``) and shuffle
   it with a generator seeded by ``(seed, e)``; the network learns from it
   (:meth:`~edsnn.networks.Network.learn`); training accuracy counts the
   prediction each presentation makes *before* its own update, as the
   published program does;
2. present the test selection (same sampling method, file order) with
   learning off (:meth:`~edsnn.networks.Network.test`);
3. append the epoch to the run folder (:class:`edsnn.runs.RunFolder`) and
   refresh the figures; ``weights.npz`` is written last.

Every phase of an epoch seeds Brian2 from ``(seed, epoch, phase)``
(:func:`stream_seed`), and the network starts each phase from its just-built
neuron state: an epoch depends only on the seed, the epoch number and the
learned state at its start, so a run resumed after an interruption
reproduces the uninterrupted run, and :func:`evaluate` reproduces the
recorded test accuracy of a run's last epoch (same device).
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

import brian2
import numpy as np

from edsnn.config import TrainConfig
from edsnn.figures import confusion_counts, plot_confusion, plot_learning_curves
from edsnn.networks import Network, network_class
from edsnn.runs import RunFolder, RunFolderError, counts_table, spikes_table

from .firing import firing, warnings_of
from .live import LiveView
from .run_start import (
    EvaluationResult,
    TrainError,
    TrainResult,
    default_out,
    epoch_selection,
    evaluation_indices,
    load_data,
    start_folder,
    stream_seed,
)

__all__ = ["train", "evaluate", "load_config", "TrainError", "TrainResult", "EvaluationResult", "stream_seed",
           "epoch_selection", "build_network", "default_out"]


def build_network(config: TrainConfig, device: str | None = None) -> Network:
    """The network a config describes (its registered kind; initial weights from ``config.seed``)."""
    return network_class(config.model).build(config, device)


class _Progress:
    """A tqdm bar whose postfix shows the running accuracy (when the network reports it)."""

    def __init__(self, total, desc, enabled):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=desc, unit="img", disable=not enabled, leave=False, dynamic_ncols=True)
        self.done = self.correct = 0

    def __call__(self, n, correct=None):
        self.bar.update(n)
        self.done += n
        if correct is not None:
            self.correct += int(np.sum(correct))
            self.bar.set_postfix_str(f"acc {100 * self.correct / self.done:.1f} %")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()


def _tables(network: Network, epoch: int, labels, tested):
    """The test phase's records as the run's count tables (a generator: one batch in memory) and spike table."""
    description = network.description
    counts = (counts_table(epoch, labels[first:first + len(next(iter(activity.values())))], activity, counts,
                           description.populations, first=first)
              for first, activity, counts in tested.records)
    spikes = None
    if tested.spikes is not None:
        spikes = spikes_table(epoch, tested.spikes, description.sizes(), description.period_steps,
                              float(description.saturation.dt / brian2.second))
    return counts, spikes


def _figures(folder: Path, network: Network, metrics, labels, predictions, images, tested, class_names) -> dict:
    """The run's figures: learning curves, confusion matrix, and the network's own."""
    out = folder / "figures"
    paths = {"learning_curves": out / "learning_curves.png", "confusion": out / "confusion.png"}
    plot_learning_curves(metrics, paths["learning_curves"])
    plot_confusion(confusion_counts(labels, predictions, len(class_names)), class_names, paths["confusion"],
                   title=f"Test, epoch {int(metrics['epoch'].iloc[-1])}")
    return {**paths, **network.figures(out, labels, predictions, images, tested)}


def train(config: TrainConfig, out=None, *, resume: bool = False, overwrite: bool = False,
          progress: bool = True, viz=(), command_line: str | None = None, echo=print) -> TrainResult:
    """Train the network ``config.model`` names epoch by epoch and write its run folder.

    Parameters
    ----------
    config : TrainConfig
        What to compute.
    out : str or Path, optional
        Run folder; default ``runs/<timestamp>-<dataset>-<model>``.  An
        existing non-empty folder is refused unless ``resume`` or ``overwrite``.
    resume : bool
        Continue the run in ``out`` after its last finished epoch; its stored
        settings must equal ``config`` except ``epochs`` and ``workers``.
    overwrite : bool
        Delete the files of an earlier run in ``out`` first (other files stay).
    progress : bool
        Show tqdm progress bars (running accuracy in the postfix).
    viz : sequence of str
        Figures to show live when a display exists: any of
        ``"learning_curves"``, ``"confusion"``, ``"heatmap"``.
    command_line : str, optional
        Recorded in ``config.json``.
    echo : callable
        Prints the one-line epoch summaries and notes.

    Returns
    -------
    TrainResult

    Raises
    ------
    TrainError
        Refused before training: folder exists, sizes beyond the data, resume
        with different settings.
    KeyboardInterrupt
        Re-raised after a note; the folder holds every finished epoch.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig (got {type(config).__name__})")
    folder = Path(out) if out is not None else default_out(config)
    train_set, test_set, done, run, state = start_folder(config, folder, resume, overwrite, echo, command_line)
    network = build_network(config)
    if done:
        network.set_state(state)
        echo(f"resuming {folder} after epoch {done} of {config.epochs}")
    live = LiveView(viz, echo=echo)
    epoch = done
    try:
        for epoch in range(done + 1, config.epochs + 1):
            train_idx, test_idx = epoch_selection(config, train_set.labels, test_set.labels, epoch)
            train_labels = np.asarray(train_set.labels[train_idx], dtype=np.int64)
            test_labels = np.asarray(test_set.labels[test_idx], dtype=np.int64)
            test_images = test_set.images[test_idx]
            seed = functools.partial(stream_seed, config.seed, epoch)

            started = time.perf_counter()
            with _Progress(len(train_idx), f"epoch {epoch}/{config.epochs} train", progress) as bar:
                learned = network.learn(train_set.images[train_idx], train_labels, epoch, seed, bar)
            train_seconds = time.perf_counter() - started
            started = time.perf_counter()
            with _Progress(len(test_idx), f"epoch {epoch}/{config.epochs} test", progress) as bar:
                tested = network.test(test_images, test_labels, epoch, seed, bar)
            test_seconds = time.perf_counter() - started

            train_acc = float(np.mean(learned.predictions == train_labels))
            test_acc = float(np.mean(tested.predictions == test_labels))
            tested.records = list(tested.records)
            fired = firing(network.description, tested.records, len(test_labels))
            counts, spikes = _tables(network, epoch, test_labels, tested)
            run.write_epoch(
                epoch, counts=counts, spikes=spikes, predictions=(test_labels, tested.predictions),
                weights=network.get_state(), seed=config.seed,
                metrics={"train_accuracy": train_acc, "test_accuracy": test_acc, "train_seconds": train_seconds,
                         "test_seconds": test_seconds, **learned.metrics, **fired})
            extra = "".join(f"; {value} {name}" for name, value in learned.metrics.items())
            echo(f"epoch {epoch}/{config.epochs}: train accuracy {100 * train_acc:.1f} %, "
                 f"test accuracy {100 * test_acc:.1f} %  ({train_seconds:.0f} s train, {test_seconds:.0f} s test"
                 f"{extra})")
            for message in warnings_of(network.description, fired):
                echo(f"warning, epoch {epoch}: {message}")
            paths = _figures(folder, network, run.metrics(), test_labels, tested.predictions, test_images, tested,
                             train_set.class_names)
            live.update({k: str(v) for k, v in paths.items()}, force=epoch == config.epochs)
    except BaseException as err:
        network.close()
        if isinstance(err, KeyboardInterrupt):
            echo(f"\ninterrupted during epoch {epoch}: {folder} holds epochs 1..{epoch - 1}; "
                 f"continue with: edsnn train --out {folder} --resume")
        raise
    return TrainResult(path=folder, metrics=run.metrics(), weights=network.get_state(), network=network)


def load_config(run_dir) -> TrainConfig:
    """The :class:`TrainConfig` stored in ``run_dir/config.json``.

    Raises
    ------
    TrainError
        If there is no ``config.json``, or it is truncated or corrupt (the
        message names the file).
    """
    try:
        return RunFolder(run_dir).config()
    except RunFolderError as err:
        raise TrainError(str(err)) from None


def evaluate(run_dir, *, device: str | None = None, progress: bool = True,
             all_test: bool = False) -> EvaluationResult:
    """Test a saved run's weights again, with no learning.

    The network is rebuilt from ``config.json``, loaded with ``weights.npz``
    and shown the test selection of the epoch the weights come from, with
    that epoch's Brian2 seed: on the same device this reproduces the recorded
    test accuracy. With ``all_test`` it is shown every image of the test file
    instead (a run trained on 500 test images, scored on all 10 000), and
    ``recorded_accuracy`` is None: no recorded figure is comparable.

    Parameters
    ----------
    run_dir : str or Path
        A run folder written by :func:`train`.
    device : str, optional
        Run somewhere else than the recorded device.
    progress : bool
        Show a progress bar.
    all_test : bool
        Test on the whole test file, not the epoch's selection.
    """
    folder = Path(run_dir)
    run = RunFolder(folder)
    config = load_config(folder)
    if not run.file("weights.npz").is_file():
        raise TrainError(f"{folder} has no weights.npz: no epoch finished")
    try:
        run.check(require=("config.json", "weights.npz"))
    except RunFolderError as err:
        raise TrainError(f"cannot evaluate: {err}") from None
    saved = run.weights()
    train_set, test_set = load_data(config)
    test_idx = evaluation_indices(config, train_set.labels, test_set.labels, saved.epoch, all_test)
    labels = np.asarray(test_set.labels[test_idx], dtype=np.int64)
    network = build_network(config, device)
    network.set_state(saved.arrays)
    try:
        with _Progress(len(labels), "test", progress) as bar:
            tested = network.test(test_set.images[test_idx], labels, saved.epoch,
                                  functools.partial(stream_seed, config.seed, saved.epoch), bar)
    finally:
        network.close()
    row = run.metrics()
    row = row[row["epoch"] == saved.epoch]
    recorded = float(row["test_accuracy"].iloc[0]) if len(row) and not all_test else None
    return EvaluationResult(accuracy=float(np.mean(tested.predictions == labels)), epoch=saved.epoch,
                            labels=labels, predictions=tested.predictions, recorded_accuracy=recorded)
