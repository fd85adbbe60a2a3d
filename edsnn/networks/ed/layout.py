"""Where each neuron and weight sits: the E/I layout and the weight layout.

The E/I layout is decided here once and every other module asks: in the input
layer, input ``2k`` of pixel ``k`` is excitatory and ``2k+1`` inhibitory; in a
hidden layer of a class network, units alternate E, I, E, I …; output neurons
are excitatory.

Weights of target layer ``hiddenL``/``output`` are exchanged in the layout
(class, pre unit, post unit), or (class, pre unit) for the output; the first
layer's synapses are stored pre-major (input, class, unit), because every class
network shares the inputs.  Fused E/I pairs hold the first layer in two arrays
in (pixel, class, unit) order, one per input of the pair (:func:`split_pairs`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SIGN_CODE", "sign", "neuron_type", "weight_shape", "to_layout", "to_synapse_order", "split_pairs",
           "join_pairs"]

#: Brian2 expression of the E/I sign (+1 E, −1 I) of unit ``{index}`` (input or hidden unit).
SIGN_CODE = "1 - 2*(({index}) % 2)"


def sign(index, output=False) -> np.ndarray:
    """Type of units at ``index`` (input, or hidden unit within its class net): +1 E, −1 I."""
    index = np.asarray(index)
    if output:
        return np.ones(index.shape)
    return 1.0 - 2.0 * (index % 2)


def neuron_type(layer, neuron) -> np.ndarray:
    """``"E"``/``"I"`` of each (layer name, neuron index within its class net) pair.

    ``neuron`` is the index within the class net (hidden layers) or the class
    (output layer); arrays broadcast.
    """
    is_output = np.asarray(layer) == "output"
    return np.where(is_output | (np.asarray(neuron) % 2 == 0), "E", "I")


def weight_shape(name: str, n_classes: int, sizes) -> tuple:
    """Shape of layer ``name``'s weights; ``sizes`` = (n_inputs, H1, …, H_last)."""
    names = [f"hidden{k}" for k in range(1, len(sizes))] + ["output"]
    index = names.index(name)
    if name == "output":
        return (n_classes, sizes[index])
    return (n_classes, sizes[index], sizes[index + 1])


def to_layout(name: str, values, shape) -> np.ndarray:
    """Weights in synapse order → the (class, pre, post) layout."""
    values = np.asarray(values)
    if name == "hidden1":  # synapses in (input, class, unit) order
        return values.reshape(shape[1], shape[0], shape[2]).transpose(1, 0, 2).copy()
    return values.reshape(shape)


def to_synapse_order(name: str, array, shape) -> np.ndarray:
    """Inverse of :func:`to_layout`: a flat array in synapse order."""
    array = np.asarray(array).reshape(shape)
    return (array.transpose(1, 0, 2) if name == "hidden1" else array).ravel()


def split_pairs(values, n_pixels: int) -> tuple:
    """First-layer weights in synapse order → (E inputs', I inputs') weights of fused pairs."""
    pairs = np.asarray(values).reshape(n_pixels, 2, -1)
    return pairs[:, 0].ravel(), pairs[:, 1].ravel()


def join_pairs(w_e, w_i, n_pixels: int) -> np.ndarray:
    """Inverse of :func:`split_pairs`."""
    return np.stack([np.asarray(w_e).reshape(n_pixels, -1), np.asarray(w_i).reshape(n_pixels, -1)], axis=1).ravel()
