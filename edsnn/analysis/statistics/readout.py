"""The output layer's decisions and the first layer's weights: confusion matrix, receptive fields."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..summary import require_columns


def confusion_matrix(
    predictions: pd.DataFrame, epoch: int | None = None, n_classes: int | None = None
) -> pd.DataFrame:
    """Confusion matrix of the output layer's decisions in one epoch.

    Parameters
    ----------
    predictions : DataFrame
        ``epoch, presentation, label, prediction`` (``predictions.csv``).
    epoch : int, optional
        The epoch (1-based); default the last one.
    n_classes : int, optional
        Matrix size; default ``1 + max(label, prediction)``.

    Returns
    -------
    DataFrame, shape (n_classes, n_classes)
        Integer counts; row index ``label`` (true class), columns
        ``prediction``; ``.to_numpy()`` gives the array for
        :func:`edsnn.figures.plot_confusion`.

    Raises
    ------
    ValueError
        If the epoch is absent, or a label or prediction is outside
        ``0..n_classes-1``.

    Examples
    --------
    >>> p = pd.DataFrame({"epoch": 1, "presentation": [0, 1, 2],
    ...                   "label": [0, 1, 1], "prediction": [0, 0, 1]})
    >>> confusion_matrix(p).to_numpy().tolist()
    [[1, 0], [1, 1]]
    """
    require_columns(predictions, ["epoch", "label", "prediction"], "predictions")
    if len(predictions) == 0:
        raise ValueError("predictions is empty")
    epochs = sorted(int(e) for e in predictions["epoch"].unique())
    epoch = epochs[-1] if epoch is None else int(epoch)
    if epoch not in epochs:
        raise ValueError(f"epoch {epoch} is not in predictions (epochs {epochs[0]}..{epochs[-1]})")
    rows = predictions[predictions["epoch"] == epoch]
    label = rows["label"].to_numpy(dtype=np.int64)
    prediction = rows["prediction"].to_numpy(dtype=np.int64)
    if n_classes is None:
        n_classes = int(max(label.max(), prediction.max())) + 1
    for name, values in (("label", label), ("prediction", prediction)):
        bad = np.unique(values[(values < 0) | (values >= n_classes)])
        if bad.size:
            raise ValueError(
                f"{name} values {bad.tolist()} are outside the classes 0..{n_classes - 1}"
            )
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (label, prediction), 1)
    return pd.DataFrame(
        matrix,
        index=pd.Index(range(n_classes), name="label"),
        columns=pd.Index(range(n_classes), name="prediction"),
    )


def receptive_fields(weights: np.ndarray, shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """First-layer receptive fields: each pixel's E and I input weights summed.

    Input ``2k`` is the E input of pixel ``k`` and ``2k + 1`` its I input;
    both carry the same pixel value, so the net weight of pixel ``k`` onto
    hidden neuron ``j`` is ``w[2k, j] + w[2k + 1, j]``.

    Parameters
    ----------
    weights : ndarray, shape (n_classes, n_inputs, H1)
        ``run.weights["hidden1"]``; ``n_inputs = 2 * prod(shape)``.
    shape : tuple of int, optional
        Image shape (default 28 × 28).

    Returns
    -------
    ndarray, shape (n_classes, H1) + shape
        Net weight of every pixel, same units as the weights.

    Examples
    --------
    >>> w = np.zeros((1, 8, 3)); w[0, 0, 2] = 1.0; w[0, 1, 2] = -0.25
    >>> receptive_fields(w, shape=(2, 2))[0, 2].tolist()
    [[0.75, 0.0], [0.0, 0.0]]
    """
    w = np.asarray(weights, dtype=float)
    n_pixels = int(np.prod(shape))
    if w.ndim != 3 or w.shape[1] != 2 * n_pixels:
        raise ValueError(
            f"weights must have shape (n_classes, {2 * n_pixels}, H1) -- E/I pairs of "
            f"{shape[0]}x{shape[1]} pixels (got {w.shape})"
        )
    net = w[:, 0::2, :] + w[:, 1::2, :]  # (n_classes, n_pixels, H1)
    return np.moveaxis(net, 1, 2).reshape(w.shape[0], w.shape[2], *shape)
