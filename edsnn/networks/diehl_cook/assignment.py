"""Label assignment and voting: how Diehl & Cook's unsupervised neurons classify.

After learning, each excitatory neuron is assigned the class to which it
responds most (its mean spike count over the labelled images of each class);
an image is then classified as the class whose assigned neurons respond most
on average (Diehl & Cook 2015, "Training and classification").
"""

from __future__ import annotations

import numpy as np

__all__ = ["assign_labels", "vote"]


def _counts(counts) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise ValueError(f"counts must have shape (n_images, n_neurons) (got {counts.shape})")
    return counts


def assign_labels(counts, labels, n_classes: int = 10) -> np.ndarray:
    """The class of each neuron: the one with its highest mean response.

    Parameters
    ----------
    counts : array
        Spike counts, shape (n_images, n_neurons).
    labels : array of int
        Class of each image, shape (n_images,), in 0 … n_classes − 1.
    n_classes : int
        Number of classes.  A class without images has mean response 0.

    Returns
    -------
    ndarray of int
        Assigned class of each neuron, shape (n_neurons,); ties go to the
        lowest class (``argmax``), as do neurons that never fire.

    Examples
    --------
    >>> assign_labels([[4, 0], [0, 2], [2, 1]], [0, 1, 0], n_classes=2)
    array([0, 1])
    """
    counts, labels = _counts(counts), np.asarray(labels)
    if labels.shape != (len(counts),):
        raise ValueError(f"labels must have shape ({len(counts)},) (got {labels.shape})")
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    sums = np.zeros((n_classes, counts.shape[1]))
    np.add.at(sums, labels, counts)
    number = np.bincount(labels, minlength=n_classes)[:, None]
    means = np.divide(sums, number, out=np.zeros_like(sums), where=number > 0)
    return np.argmax(means, axis=0)


def vote(counts, assignments, n_classes: int = 10) -> np.ndarray:
    """Predicted class of each image: the class whose assigned neurons respond most on average.

    Parameters
    ----------
    counts : array
        Spike counts, shape (n_images, n_neurons).
    assignments : array of int
        Class of each neuron (:func:`assign_labels`), shape (n_neurons,).
    n_classes : int
        Number of classes; a class without neurons scores 0.

    Returns
    -------
    ndarray of int
        Shape (n_images,); ties go to the lowest class.

    Examples
    --------
    >>> vote([[1, 3, 0], [5, 0, 1]], [0, 1, 1], n_classes=2)
    array([1, 0])
    """
    counts, assignments = _counts(counts), np.asarray(assignments)
    if assignments.shape != (counts.shape[1],):
        raise ValueError(f"assignments must have shape ({counts.shape[1]},) (got {assignments.shape})")
    members = np.zeros((counts.shape[1], n_classes))
    members[np.arange(counts.shape[1]), assignments] = 1
    size = members.sum(axis=0)
    scores = np.divide(counts @ members, size, out=np.zeros((len(counts), n_classes)), where=size > 0)
    return np.argmax(scores, axis=1)
