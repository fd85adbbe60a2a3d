"""Training and evaluation protocols: epochs of learning and testing, and the run folder.

One epoch ``e`` (1-based):

1. draw the training selection (``select_subset(..., seed, e)``) and shuffle
   it with a generator seeded by ``(seed, e)``; present it with learning on
   (the learning rate scaled by ``config.ed.plasticity(e)``);
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

import time
from pathlib import Path

import brian2
import numpy as np
from brian2 import Hz, NeuronGroup

from edsnn.config import TrainConfig
from edsnn.data import ei_pairs
from edsnn.model import EDNetwork, device_run
from edsnn.runs import RunFolder, RunFolderError, counts_table, layer_sizes, spikes_table

from . import figures as figs
from .diehl_cook import evaluate_stdp, train_stdp
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

#: Test presentations drawn in the layer heatmap figure.
HEATMAP_SAMPLES = 5


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


def _figures(folder: Path, metrics, labels, predictions, test_images, kept, class_names, presentation) -> dict:
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
    spiking = kept[0][1].counts is not None  # rates in Hz; the reference model's activity
    values = {layer: np.stack([(kept[b][1].counts if spiking else kept[b][1].activity)[layer][p - kept[b][0]]
                               for b, p in zip(batch, sample)]) / (float(presentation * Hz) if spiking else 1.0)
              for layer in kept[0][1].activity}
    figs.plot_layer_heatmaps(test_images[sample], values, labels[sample], paths["heatmap"],
                             quantity="rate (Hz)" if spiking else "activity (0..1)")
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
        return train_stdp(config, folder, resume=resume, overwrite=overwrite, progress=progress,
                          command_line=command_line, echo=echo)
    train_set, test_set, done, run, weights = start_folder(config, folder, resume, overwrite, echo, command_line)

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
                train_pred, _ = _present(net, train_set.images[train_idx], train_labels,
                                         config.ed.plasticity(epoch), config.batch_size, bar)
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
                                     layer_sizes(config.hidden), first=start) for start, r in kept),  # bounded memory
                spikes=spikes, predictions=(test_labels, test_pred), weights=net.get_weights(),
                seed=config.seed, metrics={"train_accuracy": train_acc, "test_accuracy": test_acc,
                                           "train_seconds": train_seconds, "test_seconds": test_seconds})
            echo(f"epoch {epoch}/{config.epochs}: train accuracy {100 * train_acc:.1f} %, "
                 f"test accuracy {100 * test_acc:.1f} %  ({train_seconds:.0f} s train, {test_seconds:.0f} s test)")
            paths = _figures(folder, run.metrics(), test_labels, test_pred, test_images,
                             kept, train_set.class_names, config.coding.presentation)
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
        return evaluate_stdp(run, config, device, all_test)
    saved = run.weights()
    weights, epoch = saved.arrays, saved.epoch
    metrics = run.metrics()
    train_set, test_set = load_data(config)
    test_idx = evaluation_indices(config, train_set.labels, test_set.labels, epoch, all_test)
    labels = np.asarray(test_set.labels[test_idx], dtype=np.int64)
    net = build_network(config, device)
    phases = _Phases(net)
    net.set_weights(weights)
    phases.start(stream_seed(config.seed, epoch, "brian_test"))
    with tqdm(total=len(labels), desc="test", unit="img", disable=not progress, leave=False) as bar:
        predictions, _ = _present(net, test_set.images[test_idx], labels, False, config.batch_size, bar)
    row = metrics[metrics["epoch"] == epoch]
    recorded = float(row["test_accuracy"].iloc[0]) if len(row) and not all_test else None
    return EvaluationResult(accuracy=float(np.mean(predictions == labels)), epoch=epoch,
                            labels=labels, predictions=predictions, recorded_accuracy=recorded)

