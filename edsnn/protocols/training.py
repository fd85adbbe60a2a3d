"""Training and evaluation protocols: epochs of learning and testing, and the run folder.

One epoch ``e`` (1-based):

1. draw the training selection (``select_subset(..., seed, e)``) and shuffle
   it with a generator seeded by ``(seed, e)``; present it with learning on;
   training accuracy counts the prediction each presentation makes *before*
   its own update, as the published program does;
2. present the test selection (same sampling method, file order) with
   learning off;
3. append the epoch to the run folder (:class:`edsnn.runs.RunFolder`) and
   refresh the figures; ``weights.npz`` is written last.

Determinism: before each of the two phases the network's neuron state is put
back to the state of a freshly built network (membranes at rest, counters and
refractory clocks cleared) and Brian2 is seeded with a number derived from
``(seed, epoch, phase)``.  An epoch's spikes therefore depend only on the
seed, the epoch number and the weights at its start, so a run resumed after
an interruption reproduces the uninterrupted run exactly (runtime device), and
:func:`evaluate` reproduces the recorded test accuracy of a run's last epoch.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import platform
import time
from pathlib import Path

import brian2
import numpy as np
import pandas as pd
from brian2 import Hz, NeuronGroup

import edsnn
from edsnn.config import TrainConfig
from edsnn.data import ei_pairs, load_dataset, select_subset
from edsnn.model import EDNetwork, device_run
from edsnn.runs import RunFolder, RunFolderError, counts_table, spikes_table

from . import figures as figs
from .live import LiveView

__all__ = ["train", "evaluate", "load_config", "TrainError", "TrainResult", "EvaluationResult", "stream_seed",
           "epoch_selection", "build_network", "default_out"]

#: Random streams derived from (seed, epoch); values are part of the seed sequence.
STREAMS = {"order": 1, "brian_train": 2, "brian_test": 3, "brian_assign": 4}

#: Test presentations drawn in the layer heatmap figure.
HEATMAP_SAMPLES = 5


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
        Final weights (:meth:`EDNetwork.get_weights` layout).
    network : EDNetwork
        The trained network, ready for more presentations (``network.run``).
    """

    path: Path
    metrics: pd.DataFrame
    weights: dict
    network: EDNetwork


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


def build_network(config: TrainConfig, device: str | None = None) -> EDNetwork:
    """The :class:`EDNetwork` a config describes (initial weights from ``config.seed``)."""
    return EDNetwork(
        n_inputs=2 * 28 * 28, n_classes=config.n_classes, hidden=config.hidden, model=config.model,
        neuron=config.layer_neurons(), input_neuron=config.input_neuron, transfer=config.transfer,
        synapse=config.synapse, ed=config.ed,
        coding=config.coding, seed=config.seed, batch_size=config.batch_size, reset_state=True,
        record_spikes=config.record_spikes,
        device=device_run(device or config.device, precision=config.precision),
    )


def default_out(config: TrainConfig, root="runs") -> Path:
    """``runs/<YYYYmmdd-HHMMSS>-<dataset>-<model>``."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(root) / f"{stamp}-{config.dataset}-{config.model}"


class _Phases:
    """Puts the network into its just-built state and seeds Brian2 before each phase.

    On the runtime device the neuron groups' state (but the state their
    neuron models keep across presentations) is snapshot once, right after
    assembly, and restored before every phase; one silent presentation
    (learning off, so no weight changes) is run first so that the device's own
    start-up step has happened before any phase is seeded.  Standalone devices
    start every batch from the initial state anyway.
    """

    def __init__(self, net: EDNetwork):
        self.net = net
        self.runtime = not getattr(net.device, "standalone", False)
        self.states = {}
        if self.runtime:
            for obj in net.network.objects:
                if isinstance(obj, NeuronGroup):
                    state = obj.get_states(units=False, read_only_variables=False)
                    kept = {"t0", *(model.kept_state if (model := net.neurons.get(obj.name)) else ())}
                    state = {k: np.array(v) for k, v in state.items() if k not in kept}
                    self.states[obj] = state
            net.run(np.zeros((1, net.n_inputs)) * Hz, np.zeros(1, dtype=int), learn=False)

    def start(self, seed: int) -> None:
        if self.runtime:
            for group, state in self.states.items():
                group.set_states(state, units=False)
        brian2.seed(seed)


def _present(net, images, labels, learn, batch_size, bar=None, keep=False):
    """Present ``images`` in batches; returns (predictions, kept batch results)."""
    predictions, kept = [], []
    correct = 0
    for start in range(0, len(labels), batch_size):
        chunk_labels = labels[start:start + batch_size]
        rates = ei_pairs(images[start:start + batch_size]) * net.coding.max_rate
        result = net.run(rates, chunk_labels, learn=learn)
        predictions.append(result.prediction)
        if keep:
            kept.append((start, result))
        correct += int(np.sum(result.prediction == chunk_labels))
        if bar is not None:
            bar.update(len(chunk_labels))
            bar.set_postfix_str(f"acc {100 * correct / (start + len(chunk_labels)):.1f} %")
    return np.concatenate(predictions).astype(np.int64), kept


def _versions() -> dict:
    return {
        "edsnn_version": edsnn.__version__, "brian2_version": brian2.__version__,
        "numpy_version": np.__version__, "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
    }


def _describe(config: TrainConfig, train_set, command_line) -> dict:
    info = config.to_dict()
    info.update(_versions())
    info.update({
        "command_line": command_line,
        "created": _dt.datetime.now().isoformat(timespec="seconds"),
        "data_source": train_set.source,
        "class_names": list(train_set.class_names),
        "n_inputs": 2 * 28 * 28,
        "n_classes": config.n_classes,
        "reset_state": True,
        "random_streams": "every epoch e: sample selection and order from (seed, e); "
                          "brian2.seed(f(seed, e, phase)) before its train and test phases",
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
                   if f.name != "epochs" and getattr(stored, f.name) != getattr(config, f.name)]
        if changed:
            raise TrainError(
                f"cannot resume {folder}: its run has different settings for {', '.join(changed)} "
                "(only --epochs may change when resuming)"
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


def _start_folder(config: TrainConfig, folder: Path, resume: bool, overwrite: bool, echo, command_line,
                  info_changes: dict | None = None, info_drop: tuple = ()):
    """Load the data, check or clear ``folder`` and write its run info.

    On resume the info keeps the first start's creation time and command line
    and lists the resumption.  ``info_changes`` (key → value) and
    ``info_drop`` (keys) adapt the info to a model.

    Returns
    -------
    train_set, test_set, done, run, weights
        The data, the finished epochs, the :class:`RunFolder`, and the last
        epoch's weights (None when starting afresh).
    """
    train_set, test_set = _load_data(config)
    done = _prepare_folder(folder, config, resume, overwrite, echo)
    run = RunFolder(folder)
    info = dict(_describe(config, train_set, command_line), **(info_changes or {}))
    for key in info_drop:
        info.pop(key)
    if done:
        previous = run.info()
        info["created"] = previous.get("created", info["created"])
        info["command_line"] = previous.get("command_line")
        info["resumed"] = [*previous.get("resumed", []), {"after_epoch": done, "command_line": command_line}]
    weights = run.weights().arrays if done else None
    run.write_info(info)
    return train_set, test_set, done, run, weights


def _load_data(config: TrainConfig):
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


def _figures(folder: Path, metrics, labels, predictions, test_images, kept, class_names) -> dict:
    """The run's figures; ``kept`` holds the test batches' results as ``(first index, BatchResult)``."""
    out = folder / "figures"
    paths = {"learning_curves": out / "learning_curves.png", "confusion": out / "confusion.png",
             "heatmap": out / "layer_heatmaps.png"}
    figs.plot_learning_curves(metrics, paths["learning_curves"])
    n = len(class_names)
    confusion = np.bincount(labels * n + predictions, minlength=n * n).reshape(n, n)
    figs.plot_confusion(confusion, class_names, paths["confusion"],
                        title=f"Test, epoch {int(metrics['epoch'].iloc[-1])}")
    # one test presentation of each of the first classes present
    _, first = np.unique(labels, return_index=True)
    sample = np.sort(first)[:HEATMAP_SAMPLES]
    batch = np.searchsorted([start for start, _ in kept], sample, side="right") - 1
    activity = {layer: np.stack([kept[b][1].activity[layer][p - kept[b][0]] for b, p in zip(batch, sample)])
                for layer in kept[0][1].activity}
    figs.plot_layer_heatmaps(test_images[sample], activity, labels[sample], paths["heatmap"])
    return paths


def train(config: TrainConfig, out=None, *, resume: bool = False, overwrite: bool = False,
          progress: bool = True, viz=(), command_line: str | None = None, echo=print) -> TrainResult:
    """Train an ED network (or Diehl & Cook's, ``model="diehl-cook"``) epoch by epoch and write its run folder.

    Parameters
    ----------
    config : TrainConfig
        What to compute.
    out : str or Path, optional
        Run folder; default ``runs/<timestamp>-<dataset>-<model>``.  An
        existing non-empty folder is refused unless ``resume`` or ``overwrite``.
    resume : bool
        Continue the run in ``out`` after its last finished epoch; its stored
        settings must equal ``config`` except ``epochs``.
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
    from tqdm.auto import tqdm

    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig (got {type(config).__name__})")
    folder = Path(out) if out is not None else default_out(config)
    if config.model == "diehl-cook":
        from .diehl_cook import train_stdp  # it builds on this module's helpers

        return train_stdp(config, folder, resume=resume, overwrite=overwrite, progress=progress,
                          command_line=command_line, echo=echo)
    train_set, test_set, done, run, weights = _start_folder(config, folder, resume, overwrite, echo, command_line)

    net = build_network(config)
    phases = _Phases(net)
    if done:
        net.set_weights(weights)
        echo(f"resuming {folder} after epoch {done} of {config.epochs}")
    live = LiveView(viz, echo=echo)
    epoch = done
    try:
        for epoch in range(done + 1, config.epochs + 1):
            train_idx, test_idx = epoch_selection(config, train_set.labels, test_set.labels, epoch)
            train_labels = np.asarray(train_set.labels[train_idx], dtype=np.int64)
            test_labels = np.asarray(test_set.labels[test_idx], dtype=np.int64)
            test_images = test_set.images[test_idx]

            started = time.perf_counter()
            phases.start(stream_seed(config.seed, epoch, "brian_train"))
            with tqdm(total=len(train_idx), desc=f"epoch {epoch}/{config.epochs} train", unit="img",
                      disable=not progress, leave=False, dynamic_ncols=True) as bar:
                train_pred, _ = _present(net, train_set.images[train_idx], train_labels, True,
                                         config.batch_size, bar)
            train_seconds = time.perf_counter() - started

            started = time.perf_counter()
            phases.start(stream_seed(config.seed, epoch, "brian_test"))
            with tqdm(total=len(test_idx), desc=f"epoch {epoch}/{config.epochs} test", unit="img",
                      disable=not progress, leave=False, dynamic_ncols=True) as bar:
                test_pred, kept = _present(net, test_images, test_labels, False, config.batch_size, bar,
                                           keep=True)
            test_seconds = time.perf_counter() - started

            train_acc = float(np.mean(train_pred == train_labels))
            test_acc = float(np.mean(test_pred == test_labels))
            spikes = None
            if config.record_spikes and config.model == "spiking":
                spikes = spikes_table(epoch, [(start, r.spikes or {}) for start, r in kept], config.hidden,
                                      config.coding.steps_per_period, float(config.coding.dt / brian2.second))
            run.write_epoch(
                epoch,
                counts=(counts_table(epoch, test_labels[start:start + len(r.score)], r.activity, r.counts,
                                     config.hidden, first=start) for start, r in kept),  # bounded memory
                spikes=spikes, predictions=(test_labels, test_pred), weights=net.get_weights(),
                seed=config.seed, metrics={"train_accuracy": train_acc, "test_accuracy": test_acc,
                                           "train_seconds": train_seconds, "test_seconds": test_seconds})
            echo(f"epoch {epoch}/{config.epochs}: train accuracy {100 * train_acc:.1f} %, "
                 f"test accuracy {100 * test_acc:.1f} %  ({train_seconds:.0f} s train, {test_seconds:.0f} s test)")
            paths = _figures(folder, run.metrics(), test_labels, test_pred, test_images,
                             kept, train_set.class_names)
            live.update({k: str(v) for k, v in paths.items()}, force=epoch == config.epochs)
    except KeyboardInterrupt:
        echo(f"\ninterrupted during epoch {epoch}: {folder} holds epochs 1..{epoch - 1}; "
             f"continue with: edsnn train --out {folder} --resume")
        raise
    return TrainResult(path=folder, metrics=run.metrics(), weights=net.get_weights(), network=net)


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


def evaluate(run_dir, *, device: str | None = None, progress: bool = True) -> EvaluationResult:
    """Test a saved run's weights again, with no learning.

    The network is rebuilt from ``config.json``, loaded with ``weights.npz``
    and shown the test selection of the epoch the weights come from, with
    that epoch's Brian2 seed: on the same device this reproduces the recorded
    test accuracy.

    Parameters
    ----------
    run_dir : str or Path
        A run folder written by :func:`train`.
    device : str, optional
        Run somewhere else than the recorded device.
    progress : bool
        Show a progress bar.
    """
    from tqdm.auto import tqdm

    folder = Path(run_dir)
    run = RunFolder(folder)
    config = load_config(folder)
    if not run.file("weights.npz").is_file():
        raise TrainError(f"{folder} has no weights.npz: no epoch finished")
    try:
        run.check(require=("config.json", "weights.npz"))
    except RunFolderError as err:
        raise TrainError(f"cannot evaluate: {err}") from None
    if config.model == "diehl-cook":
        from .diehl_cook import evaluate_stdp

        return evaluate_stdp(run, config, device)
    saved = run.weights()
    weights, epoch = saved.arrays, saved.epoch
    metrics = run.metrics()
    train_set, test_set = _load_data(config)
    _, test_idx = epoch_selection(config, train_set.labels, test_set.labels, epoch)
    labels = np.asarray(test_set.labels[test_idx], dtype=np.int64)
    net = build_network(config, device)
    phases = _Phases(net)
    net.set_weights(weights)
    phases.start(stream_seed(config.seed, epoch, "brian_test"))
    with tqdm(total=len(labels), desc="test", unit="img", disable=not progress, leave=False) as bar:
        predictions, _ = _present(net, test_set.images[test_idx], labels, False, config.batch_size, bar)
    row = metrics[metrics["epoch"] == epoch]
    recorded = float(row["test_accuracy"].iloc[0]) if len(row) else None
    return EvaluationResult(accuracy=float(np.mean(predictions == labels)), epoch=epoch,
                            labels=labels, predictions=predictions, recorded_accuracy=recorded)

