"""Learning beyond the activity cap (``EDParameters.saturated_learning``).

A neuron that makes more spikes than ``n_max`` (the count read as activity 1)
has ``y_d = 1`` and so a factor ``y_d(1 - y_d)`` of 0: it stops learning.  With
``saturated_learning`` the factor reads its count at the cap instead.  Here
the cap is 1.5 spikes in 50 ms (30 Hz), so most active neurons are past it; the weights
after each presentation must equal the numpy oracle's with the option, and
differ from the oracle's without it.
"""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from brian2 import Hz, ms
from ed_oracle import count_activity, replay

from edsnn.data import SpikeCoding
from edsnn.model import EDParameters, device_run
from edsnn.networks import EDNetwork


def test_factor_reads_the_count_at_the_cap():
    counts = np.array([0, 1, 4, 9])
    _, plain = count_activity(counts, n_max=4, c0=1, prior_scope="derivative")
    _, capped = count_activity(counts, n_max=4, c0=1, prior_scope="derivative", saturated_learning=True)
    np.testing.assert_allclose(plain, [1 / 6, 2 / 6, 5 / 6, 1])
    np.testing.assert_allclose(capped, [1 / 6, 2 / 6, 5 / 6, 5 / 6])


def _net(device, saturated_learning):
    return EDNetwork(
        n_inputs=16, n_classes=3, hidden=(6, 4), batch_size=1, seed=3,
        ed=EDParameters(lr=0.3, dif=0.7, activity_max_rate=30 * Hz, saturated_learning=saturated_learning),
        coding=SpikeCoding(max_rate=500 * Hz, presentation=50 * ms), device=device,
    )


def _without_option(net):
    """What the oracle needs of ``net``, with ``saturated_learning`` off."""
    return SimpleNamespace(model=net.model, hidden=net.hidden, n_classes=net.n_classes, coding=net.coding,
                           ed=dataclasses.replace(net.ed, saturated_learning=False))


def _check(net, presentations=4):
    n_max = float(net.ed.activity_max_rate * net.coding.presentation)
    rng = np.random.default_rng(0)
    beyond = changed = 0
    for _ in range(presentations):
        start = net.get_weights()
        pixels, labels, learn = rng.uniform(0, 1, size=(1, 8)), rng.integers(0, 3, size=1), np.ones(1, dtype=bool)
        result = net.run(np.repeat(pixels, 2, axis=1) * net.coding.max_rate, labels, learn)
        beyond += sum(int(np.sum(c > n_max)) for c in result.counts.values())
        expected, _ = replay(net, pixels, labels, learn, start, result.counts)
        for name, got in net.get_weights().items():
            np.testing.assert_allclose(got, expected[name], rtol=0, atol=1e-12, err_msg=name)
        frozen, _ = replay(_without_option(net), pixels, labels, learn, start, result.counts)
        changed += sum(not np.allclose(frozen[name], expected[name], rtol=0, atol=1e-9) for name in expected)
    assert beyond > 0 and changed > 0  # the option was exercised


def test_saturated_neurons_learn_as_the_oracle_says():
    _check(_net(device_run("numpy"), True))


def test_saturated_learning_on_cpp_standalone(cpp_run):
    _check(_net(cpp_run, True))


@pytest.mark.parametrize("value", [True, False])
def test_option_reaches_the_generated_equations(value):
    net = _net(device_run("numpy"), value)
    text = str(net.layers["hidden1"].equations)
    assert ("clip(cnt, 0, n_max)" in text) is value
