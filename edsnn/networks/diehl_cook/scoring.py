"""Diehl & Cook's protocol over a built :class:`~edsnn.networks.diehl_cook.network.DiehlCookNetwork`.

Learn (STDP, θ) from the training images, then, with learning off, present
the training images again to assign every excitatory neuron a label
(:func:`~edsnn.networks.diehl_cook.assignment.assign_labels`) and classify the test images
by the assigned neurons' votes (:func:`~edsnn.networks.diehl_cook.assignment.vote`), as the
paper does.  :func:`learn_and_score` does it on arrays; the network kind
(:class:`~edsnn.networks.diehl_cook.kind.DiehlCook`) does it epoch by epoch
in a run folder, through :func:`edsnn.protocols.train`.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .assignment import assign_labels, vote

__all__ = ["STDPScore", "learn_and_score"]


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
