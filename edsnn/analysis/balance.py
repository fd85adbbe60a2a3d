"""E/I balance of every neuron's input, and the sign of its projection, from a run's weights.

Under either sign rule a positive weight excites its target and a negative
one inhibits it, so the balance of neuron ``i`` is read from the signs of its
input weights: ``excitation = Σ max(w, 0)`` and ``inhibition = Σ max(−w, 0)``
over its inputs.  Weights are dimensionless (a weight of 1 is the synapse
model's ``w_unit``).  The projection of neuron ``k`` onto the next layer,
``Σ_i w_ki · τ_i`` (``τ_i`` the target's type, +1 E, −1 I; the output is E),
has the sign of ``k``'s effect on its class output when each target's effect
is its type: docs/dale.md uses it to check the rule's assumption on networks
with several hidden layers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from edsnn.networks.ed.layout import neuron_type, sign
from edsnn.runs import layer_sort_key

__all__ = ["input_balance", "BALANCE_COLUMNS"]

BALANCE_COLUMNS = ["layer", "class_net", "neuron", "type", "excitation", "inhibition", "net", "projection"]


def _layer_weights(weights) -> list[tuple[str, np.ndarray]]:
    """``(name, (C, n_pre, n_post) array)`` of each learning layer, in network order."""
    names = sorted((k for k in weights if k.startswith("hidden") or k == "output"), key=layer_sort_key)
    if not names or names[-1] != "output" or names[:-1] != [f"hidden{k}" for k in range(1, len(names))]:
        raise ValueError(f"weights must hold 'hidden1', ..., 'output' (got {sorted(map(str, weights))})")
    layers = []
    for name in names:
        w = np.asarray(weights[name], dtype=float)
        w = w[..., None] if name == "output" and w.ndim == 2 else w
        if w.ndim != 3 or (layers and layers[-1][1].shape[::2] != w.shape[:2]):
            raise ValueError(f"weights[{name!r}] has shape {np.shape(weights[name])}, which does not follow "
                             f"the layer before (layout (class, pre, post), the output (class, pre))")
        layers.append((name, w))
    return layers


def input_balance(weights) -> pd.DataFrame:
    """Excitatory and inhibitory input weight of every hidden and output neuron.

    Parameters
    ----------
    weights : dict of str to ndarray
        ``run.weights`` (:func:`edsnn.analysis.load_run`) or
        ``EDNetwork.get_weights()``: ``"hidden1"`` (C, n_in, H1), …,
        ``"output"`` (C, H_last); other keys are ignored.

    Returns
    -------
    DataFrame
        One row per (layer, class_net, neuron), in network order:
        ``type`` ("E"/"I"), ``excitation`` = Σ of the positive input weights,
        ``inhibition`` = Σ of the magnitudes of the negative ones (both ≥ 0),
        ``net`` = excitation − inhibition, and ``projection`` = Σ_i w_ki·τ_i
        over the neuron's targets ``i`` in the next layer (NaN for the output).

    Raises
    ------
    ValueError
        If ``weights`` lacks a layer or the shapes do not chain.
    """
    layers = _layer_weights(weights)
    frames = []
    for number, (name, w) in enumerate(layers):
        n_classes, _, n_post = w.shape
        excitation = np.clip(w, 0, None).sum(axis=1)  # (C, n_post)
        inhibition = np.clip(-w, 0, None).sum(axis=1)
        if number + 1 < len(layers):
            target_name, target = layers[number + 1]
            projection = target @ sign(np.arange(target.shape[2]), output=target_name == "output")
        else:
            projection = np.full((n_classes, n_post), np.nan)
        class_net, neuron = (a.ravel() for a in np.meshgrid(np.arange(n_classes), np.arange(n_post), indexing="ij"))
        frames.append(pd.DataFrame({
            "layer": name, "class_net": class_net, "neuron": neuron, "type": neuron_type(name, neuron),
            "excitation": excitation.ravel(), "inhibition": inhibition.ravel(),
            "net": (excitation - inhibition).ravel(), "projection": projection.ravel(),
        }))
    return pd.concat(frames, ignore_index=True)[BALANCE_COLUMNS]
