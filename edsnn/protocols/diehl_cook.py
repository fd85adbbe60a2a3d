"""Diehl & Cook's protocol over a built :class:`~edsnn.model.diehl_cook.DiehlCookNetwork`.

Learn (STDP, θ) from the training images, then, with learning off, present
the training images again to assign every excitatory neuron a label
(:func:`~edsnn.model.assignment.assign_labels`) and classify the test images
by the assigned neurons' votes (:func:`~edsnn.model.assignment.vote`), as the
paper does.  :func:`learn_and_score` does it on arrays; :func:`train_stdp`
and :func:`evaluate_stdp` do it epoch by epoch in a run folder, behind
:func:`edsnn.protocols.train` and :func:`~edsnn.protocols.evaluate` of a
``TrainConfig(model="diehl-cook")``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import brian2
import numpy as np
from brian2 import second

from edsnn.model import DiehlCookNetwork, device_run
from edsnn.model.assignment import assign_labels, vote
from edsnn.runs import counts_table
from edsnn.runs.schema import FIGURES

from . import figures as figs
from .run_start import (
    EvaluationResult,
    TrainResult,
    epoch_selection,
    evaluation_indices,
    load_data,
    start_folder,
    stream_seed,
)
from .stdp_figures import plot_assignments, plot_receptive_fields

__all__ = ["STDPScore", "learn_and_score", "build_stdp_network", "train_stdp", "evaluate_stdp"]

#: How a diehl-cook run's random streams derive (recorded in ``config.json``).
RANDOM_STREAMS = ("every epoch e: training selection and order from (seed, e); brian2.seed(f(seed, e, phase)) "
                  "before its learning, assignment and test phases")


@dataclasses.dataclass
class STDPScore:
    """What :func:`learn_and_score` measured.

    Attributes
    ----------
    assignments : ndarray of int
        Label of each excitatory neuron, shape (n_e,).
    predictions : ndarray of int
        Voted class of each test image, shape (n_test,).
    accuracy : float
        Fraction of test images classified correctly.
    learn_seconds : float
        Wall-clock time of the learning phase (s), builds included.
    presentations : int
        Slots simulated while learning (repeats and padding included).
    """

    assignments: np.ndarray
    predictions: np.ndarray
    accuracy: float
    learn_seconds: float
    presentations: int


def learn_and_score(net, train_images, train_labels, test_images, test_labels, epochs: int = 1,
                    n_classes: int = 10) -> STDPScore:
    """Learn ``epochs`` passes over the training images, assign labels, score the test images.

    Parameters
    ----------
    net : DiehlCookNetwork
        The network (its weights and θ are changed).
    train_images, test_images : array
        Pixel values 0–255, shape (n, 784) or (n, 28, 28).
    train_labels, test_labels : array of int
        Classes, shape (n,).
    epochs : int
        Passes over the training images, in the given order.
    n_classes : int
        Number of classes.

    Returns
    -------
    STDPScore
    """
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1 (got {epochs})")
    start, presentations = time.perf_counter(), 0
    for _ in range(epochs):
        presentations += net.run(train_images, learn=True).presentations
    learn_seconds = time.perf_counter() - start
    assignments = assign_labels(net.run(train_images, learn=False).counts, train_labels, n_classes)
    predictions = vote(net.run(test_images, learn=False).counts, assignments, n_classes)
    accuracy = float(np.mean(predictions == np.asarray(test_labels)))
    return STDPScore(assignments, predictions, accuracy, learn_seconds, presentations)


# ----------------------------------------------------------------------------- run folders


def build_stdp_network(config, device: str | None = None) -> DiehlCookNetwork:
    """The :class:`DiehlCookNetwork` a ``model="diehl-cook"`` config describes (initial weights from its seed)."""
    name = device or config.device
    net = DiehlCookNetwork(n_e=config.n_excitatory, excitatory=config.dc_excitatory, stdp=config.stdp,
                           params=config.diehl_cook, seed=config.seed, images_per_run=config.batch_size,
                           device=device_run(name, precision=config.precision))
    if not getattr(net.device, "standalone", False) and net.network.t == 0 * second:
        # The runtime device's silent first step (DeviceRun.run_batch) happens here, before any
        # phase is seeded, so that a phase's random numbers depend on its seed only.
        net.device._set_t0(net, 1 * second)
        net.network.run(net.params.dt, namespace={})
    return net


def _phase(net, seed: int, images, learn: bool):
    """Seed Brian2 and present ``images``; returns (result, seconds)."""
    brian2.seed(seed)
    started = time.perf_counter()
    result = net.run(images, learn=learn)
    return result, time.perf_counter() - started


def _counts(net, epoch: int, labels, result):
    """The test phase's spikes as a counts table: layers ``excitatory`` and ``inhibitory``, one network.

    ``activity`` is a count over the most one stimulus allows,
    ``floor(presentation / (tau_ref + dt))`` of the neuron's model.
    """
    counts = {"excitatory": result.counts, "inhibitory": result.inhibitory_counts}
    models = {"excitatory": net.excitatory_model, "inhibitory": net.inhibitory_model}
    p = net.params
    activity = {layer: c / np.floor(float(p.presentation / (models[layer].tau_ref + p.dt)))
                for layer, c in counts.items()}
    return counts_table(epoch, labels, activity, counts, {layer: net.n_e for layer in counts})


def _figures(folder: Path, metrics, weights: dict, labels, predictions, class_names) -> None:
    out, n = folder / FIGURES, len(class_names)
    plot_receptive_fields(weights["w"], path=out / "receptive_fields.png")
    plot_assignments(weights["assignments"], n, path=out / "assignments.png")
    figs.plot_learning_curves(metrics, out / "learning_curves.png")
    confusion = np.bincount(labels * n + predictions, minlength=n * n).reshape(n, n)
    figs.plot_confusion(confusion, class_names, out / "confusion.png",
                        title=f"Test, epoch {int(metrics['epoch'].iloc[-1])}")


def train_stdp(config, folder: Path, *, resume: bool, overwrite: bool, progress: bool, command_line, echo):
    """:func:`edsnn.protocols.train` of a ``model="diehl-cook"`` config (same arguments, no live view).

    Epoch ``e``: learn from the training selection in its shuffled order
    (:func:`~edsnn.protocols.training.epoch_selection`); present the same
    images again with learning off and assign the labels; present the test
    selection and vote.  Each phase seeds Brian2 from ``(seed, e, phase)``.
    ``train_accuracy`` is the vote on the assignment phase's responses,
    ``presentations`` the training slots that showed an image (repeats at a
    higher intensity included).  ``weights.npz`` holds ``w`` (784 × n_e),
    ``theta`` (V) and ``assignments``; ``counts/`` the test images' spike
    counts of both populations (:func:`_counts`), which ``edsnn analyze`` reads.
    """
    train_set, test_set, done, run, weights = start_folder(
        config, folder, resume, overwrite, echo, command_line,
        info_changes=dict(n_inputs=28 * 28, random_streams=RANDOM_STREAMS), info_drop=("reset_state",))
    net = build_stdp_network(config)
    if done:
        net.set_weights(weights)
        echo(f"resuming {folder} after epoch {done} of {config.epochs}")
    start_intensity = config.diehl_cook.intensity
    epoch = done
    try:
        for epoch in range(done + 1, config.epochs + 1):
            order, test_idx = epoch_selection(config, train_set.labels, test_set.labels, epoch)
            train_labels = np.asarray(train_set.labels[order], dtype=np.int64)
            test_labels = np.asarray(test_set.labels[test_idx], dtype=np.int64)
            if progress:
                echo(f"epoch {epoch}/{config.epochs}: learning from {len(order)} images")
            learned, train_seconds = _phase(net, stream_seed(config.seed, epoch, "brian_train"),
                                            train_set.images[order], True)
            shown = int(round(np.sum(learned.intensity - start_intensity + 1)))
            responses, assign_seconds = _phase(net, stream_seed(config.seed, epoch, "brian_assign"),
                                               train_set.images[order], False)
            assignments = assign_labels(responses.counts, train_labels, config.n_classes)
            train_pred = vote(responses.counts, assignments, config.n_classes)
            tested, test_seconds = _phase(net, stream_seed(config.seed, epoch, "brian_test"),
                                          test_set.images[test_idx], False)
            test_pred = vote(tested.counts, assignments, config.n_classes)
            weights = {**net.get_weights(), "assignments": assignments.astype(np.int64)}
            train_acc, test_acc = float(np.mean(train_pred == train_labels)), float(np.mean(test_pred == test_labels))
            run.write_epoch(epoch, counts=[_counts(net, epoch, test_labels, tested)],
                            predictions=(test_labels, test_pred), weights=weights,
                            seed=config.seed, metrics={"train_accuracy": train_acc, "test_accuracy": test_acc,
                                                       "train_seconds": train_seconds + assign_seconds,
                                                       "test_seconds": test_seconds, "presentations": shown})
            echo(f"epoch {epoch}/{config.epochs}: train accuracy {100 * train_acc:.1f} %, test accuracy "
                 f"{100 * test_acc:.1f} % ({shown} presentations; {train_seconds + assign_seconds:.0f} s train, "
                 f"{test_seconds:.0f} s test)")
            _figures(folder, run.metrics(), weights, test_labels, test_pred, train_set.class_names)
    except KeyboardInterrupt:
        echo(f"\ninterrupted during epoch {epoch}: {folder} holds epochs 1..{epoch - 1}; "
             f"continue with: edsnn train --out {folder} --resume")
        raise
    return TrainResult(path=folder, metrics=run.metrics(), weights=weights if config.epochs > done
                       else run.weights().arrays, network=net)


def evaluate_stdp(run, config, device: str | None = None, all_test: bool = False):
    """:func:`edsnn.protocols.evaluate` of a diehl-cook run folder.

    Rebuilds the network with the saved ``w`` and ``theta``, presents the
    test selection of the saved epoch with that epoch's test seed and votes
    with the *saved* assignments (made on that epoch's training images, as
    in the paper): on the same device this reproduces the recorded accuracy.
    ``all_test`` presents the whole test file instead.
    """
    saved = run.weights()
    train_set, test_set = load_data(config)
    test_idx = evaluation_indices(config, train_set.labels, test_set.labels, saved.epoch, all_test)
    labels = np.asarray(test_set.labels[test_idx], dtype=np.int64)
    net = build_stdp_network(config, device)
    net.set_weights(saved.arrays)
    tested, _ = _phase(net, stream_seed(config.seed, saved.epoch, "brian_test"), test_set.images[test_idx], False)
    predictions = vote(tested.counts, saved.arrays["assignments"], config.n_classes)
    row = run.metrics()
    row = row[row["epoch"] == saved.epoch]
    return EvaluationResult(accuracy=float(np.mean(predictions == labels)), epoch=saved.epoch, labels=labels,
                            predictions=predictions,
                            recorded_accuracy=float(row["test_accuracy"].iloc[0]) if len(row) and not all_test
                            else None)
