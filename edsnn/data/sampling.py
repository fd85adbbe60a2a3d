"""Choose which training images a run uses (first N, stratified, or fresh each epoch)."""

from __future__ import annotations

import numpy as np

__all__ = ["SAMPLING_METHODS", "select_subset", "class_quotas"]

#: Methods of :func:`select_subset`.
SAMPLING_METHODS = ("first", "stratified", "resample-each-epoch")


def class_quotas(available, n: int) -> np.ndarray:
    """Split ``n`` over classes as equally as their sizes allow.

    Parameters
    ----------
    available : array_like of int, shape (n_classes,)
        Number of examples of each class.
    n : int
        Total to take, at most ``sum(available)``.

    Returns
    -------
    numpy.ndarray of int, shape (n_classes,)
        Count per class.  Equal shares; a class too small for its share gives
        all it has and the rest is shared among the others; a remainder that
        cannot be split equally goes one each to the lowest-numbered classes
        that still have examples.
    """
    available = np.asarray(available, dtype=np.int64)
    n = int(n)
    if n > available.sum():
        raise ValueError(f"cannot select {n} examples: only {available.sum()} available")
    # highest common level reachable: every class gets min(available, level)
    low, high = 0, int(available.max(initial=0))
    while low < high:
        mid = (low + high + 1) // 2
        if np.minimum(available, mid).sum() <= n:
            low = mid
        else:
            high = mid - 1
    counts = np.minimum(available, low)
    extra = n - int(counts.sum())  # fewer than the classes with room left
    counts[np.flatnonzero(available > low)[:extra]] += 1
    return counts


def select_subset(labels, n: int, method: str, seed: int | None, epoch: int = 0) -> np.ndarray:
    """Indices of the ``n`` examples to use (in ``epoch``).

    Parameters
    ----------
    labels : array_like of int, shape (n_examples,)
        Class of every available example.
    n : int
        How many to take, 1 <= n <= n_examples.
    method : str
        ``"first"``: the first ``n`` (``seed`` ignored);
        ``"stratified"``: a random sample seeded by ``seed`` with equal counts
        per class as far as possible (:func:`class_quotas`), the same for every
        epoch;
        ``"resample-each-epoch"``: a fresh uniform random sample without
        replacement for each epoch, seeded by ``(seed, epoch)`` (as Kaneko's
        published program draws new training examples each epoch).
    seed : int or None
        Seed of the random methods (required by them).
    epoch : int
        Epoch number, used by ``"resample-each-epoch"`` only.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        Indices into ``labels``, ascending (original file order); shuffle them
        yourself if the presentation order must be random.

    Raises
    ------
    ValueError
        Unknown method, missing seed, or ``n`` outside 1..n_examples (the
        message gives both numbers).
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {labels.shape}")
    if method not in SAMPLING_METHODS:
        raise ValueError(f"unknown sampling method {method!r}; valid methods: {', '.join(SAMPLING_METHODS)}")
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    n = int(n)
    if n > len(labels):
        raise ValueError(f"cannot select {n} examples: only {len(labels)} available")
    if method == "first":
        return np.arange(n, dtype=np.int64)
    if seed is None:
        raise ValueError(f"sampling method {method!r} needs an integer seed (got None)")
    if method == "stratified":
        rng = np.random.default_rng(seed)
        classes, available = np.unique(labels, return_counts=True)
        quotas = class_quotas(available, n)
        chosen = [
            rng.choice(np.flatnonzero(labels == cls), size=quota, replace=False)
            for cls, quota in zip(classes, quotas)
        ]
        return np.sort(np.concatenate(chosen)).astype(np.int64)
    if int(epoch) != epoch or epoch < 0:
        raise ValueError(f"epoch must be a whole number >= 0, got {epoch!r}")
    rng = np.random.default_rng([int(seed), int(epoch)])
    return np.sort(rng.choice(len(labels), size=n, replace=False)).astype(np.int64)
