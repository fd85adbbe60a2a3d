"""Synaptic scaling (``EDParameters.synaptic_scaling``): the ED update, then a rescale.

After every learning presentation each neuron's E-input and I-input weight
magnitudes must sum to ``w_norm`` = fan-in/2 · (w1 + w2)/2; the weights are the
oracle's ED update of that presentation, multiplied per neuron and input type
by ``w_norm`` over the updated sum.  The rescale below is written for the test
(not the package's own ``scaled_initial``).
"""

import numpy as np
import pytest
from brian2 import Hz, ms
from ed_oracle import input_signs, replay

from edsnn.data import SpikeCoding
from edsnn.model import EDParameters, device_run
from edsnn.networks import EDNetwork

W1, W2 = 0.3, 0.5


def _net(device, fuse, sign_rule="kaneko"):
    return EDNetwork(
        n_inputs=16, n_classes=3, hidden=(6, 4), batch_size=1, seed=3, fuse_pairs=fuse,
        ed=EDParameters(lr=0.3, dif=0.7, w1=W1, w2=W2, sign_rule=sign_rule, synaptic_scaling=True),
        coding=SpikeCoding(max_rate=500 * Hz, presentation=20 * ms), device=device,
    )


def _sums(w):
    """Per neuron: summed |w| of the E inputs and of the I inputs, each (class[, post])."""
    kind = input_signs(w.shape[1]).reshape((1, -1) + (1,) * (w.ndim - 2))
    return np.sum(np.abs(w) * (kind > 0), axis=1), np.sum(np.abs(w) * (kind < 0), axis=1)


def _rescaled(w):
    n_pre = w.shape[1]
    e, i = (s[:, None] for s in _sums(w))
    kind = input_signs(n_pre).reshape((1, -1) + (1,) * (w.ndim - 2))
    return w * np.where(kind > 0, 1 / e, 1 / i) * n_pre / 2 * (W1 + W2) / 2


def _check(net, steps=3):
    for w in net.get_weights().values():  # the initial draw is scaled
        for total in _sums(w):
            np.testing.assert_allclose(total, w.shape[1] / 2 * (W1 + W2) / 2, rtol=1e-12)
    rng = np.random.default_rng(0)
    first = net.get_weights()
    for _ in range(steps):
        start = net.get_weights()
        pixels, labels, learn = rng.uniform(0, 1, size=(1, 8)), rng.integers(0, 3, size=1), np.ones(1, dtype=bool)
        result = net.run(np.repeat(pixels, 2, axis=1) * net.coding.max_rate, labels, learn)
        expected, _ = replay(net, pixels, labels, learn, start, result.counts)
        assert not np.allclose(_rescaled(expected["hidden1"]), expected["hidden1"], rtol=0, atol=1e-6)
        for name, got in net.get_weights().items():
            np.testing.assert_allclose(got, _rescaled(expected[name]), rtol=0, atol=1e-12, err_msg=name)
            assert np.all(got * net.weight_signs(name) > 0)
    last = net.get_weights()
    assert not np.allclose(last["hidden1"], first["hidden1"])  # it learnt
    # a test presentation leaves the weights bit for bit
    net.run(np.full((1, 16), 100.0) * Hz, np.zeros(1), np.zeros(1, dtype=bool))
    for name, w in net.get_weights().items():
        np.testing.assert_array_equal(w, last[name])


@pytest.mark.parametrize("fuse, sign_rule", [(True, "kaneko"), (False, "kaneko"), (True, "dale")])
def test_scaling_is_the_ed_update_then_a_rescale(fuse, sign_rule):
    _check(_net(device_run("numpy"), fuse, sign_rule))


def test_scaling_on_cpp_standalone(cpp_run):
    _check(_net(cpp_run, True))
