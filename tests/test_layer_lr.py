"""A learning-rate factor per hidden layer (``ed.layer_lr``).

Each hidden layer's shared ``lr`` is set at run time to ``lr`` times its
factor, the output keeping ``lr``: from the same spikes, a layer's weight
change must be its factor times the change at the plain rate, and the weights
must be the oracle's on numpy and on cpp.  The default (no factors) is today's
rule bit for bit; a wrong count or a negative factor is refused before a run
folder is written.
"""

import numpy as np
import pytest
from brian2 import Hz, ms
from ed_oracle import replay

from edsnn.config import schema
from edsnn.data import SpikeCoding
from edsnn.model import EDParameters, device_run
from edsnn.networks import EDNetwork
from edsnn.protocols import TrainConfig


def _net(device, **ed):
    return EDNetwork(n_inputs=16, n_classes=3, hidden=(6, 4), batch_size=3, seed=5,
                     ed=EDParameters(lr=0.3, dif=0.7, **ed), device=device,
                     coding=SpikeCoding(max_rate=500 * Hz, presentation=20 * ms))


def _batch(seed=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, size=(3, 8)), np.array([0, 2, 1])


def _learn_once(net, pixels, labels):
    """(weights before, weights after, counts) of one learning batch."""
    start = net.get_weights()
    result = net.run(np.repeat(pixels, 2, axis=1) * net.coding.max_rate, labels, np.ones(len(labels)))
    return start, net.get_weights(), result.counts


def test_layer_rates():
    assert EDParameters(lr=0.2, layer_lr=(0.5, 2)).layer_rates(2) == (0.1, 0.4)
    assert EDParameters(lr=0.2).layer_rates(3) == (0.2, 0.2, 0.2)  # the default: lr everywhere
    assert EDParameters(layer_lr=[0.5, 1]).layer_lr == (0.5, 1.0)  # as read back from config.json
    assert EDParameters().layer_lr == ()


def test_each_layer_changes_by_its_factor():
    """One presentation (the same spikes, as the weights start equal): Δw of layer l is factor_l · Δw at lr."""
    pixels, labels = _batch()
    # one presentation each: after it the spikes of the two networks may part ways
    start_f, scaled, counts_f = _learn_once(_net(device_run("numpy"), layer_lr=(0.25, 3.0)), pixels[:1], labels[:1])
    start, plain, counts = _learn_once(_net(device_run("numpy")), pixels[:1], labels[:1])
    for name in counts:
        np.testing.assert_array_equal(counts_f[name], counts[name])
    assert counts["hidden1"].sum() > 0 and counts["hidden2"].sum() > 0
    for name, factor in (("hidden1", 0.25), ("hidden2", 3.0), ("output", 1.0)):
        np.testing.assert_array_equal(start_f[name], start[name])
        change, change_f = plain[name] - start[name], scaled[name] - start[name]
        assert np.abs(change).max() > 0, f"{name} did not learn"
        np.testing.assert_allclose(change_f, factor * change, rtol=1e-9, atol=1e-15, err_msg=name)


def _check_oracle(net):
    for seed in (1, 2):  # state carried across batches
        pixels, labels = _batch(seed)
        start, got, counts = _learn_once(net, pixels, labels)
        expected, _ = replay(net, pixels, labels, np.ones(3), start, counts)
        for name in got:
            np.testing.assert_allclose(got[name], expected[name], rtol=0, atol=1e-12, err_msg=name)
            if dict(zip(("hidden1", "hidden2"), net.ed.layer_lr)).get(name) == 0:
                np.testing.assert_array_equal(got[name], start[name])  # a factor of 0 freezes the layer
            else:
                assert not np.allclose(got[name], start[name]), f"{name} did not learn"


def test_layer_factors_equal_the_oracle_numpy():
    _check_oracle(_net(device_run("numpy"), layer_lr=(0.5, 0.0)))


def test_layer_factors_equal_the_oracle_cpp(cpp_run):
    _check_oracle(_net(cpp_run, layer_lr=(0.25, 2.0)))


def test_default_is_unchanged():
    """No factors and factors of 1 give the same weights, bit for bit."""
    pixels, labels = _batch()
    runs = [_learn_once(_net(device_run("numpy"), **ed), pixels, labels) for ed in ({}, {"layer_lr": (1, 1)})]
    for name in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][name], runs[1][1][name])


@pytest.mark.parametrize("value, message", [
    ("0.5", "ed.layer_lr gives 1 factor for 2 hidden layers: give one per hidden layer"),
    ("0.5,1,1", "ed.layer_lr gives 3 factors for 2 hidden layers"),
    ("-0.5,1", "layer_lr factors must be >= 0"),
    ("half,1", "layer_lr must be numbers separated by commas"),
])
def test_wrong_factors_are_refused(value, message):
    with pytest.raises(schema.ParameterError, match=message):
        schema.apply(TrainConfig(hidden=(8, 4)), {"ed.layer_lr": value}, text=True)


def test_network_refuses_a_wrong_count():
    with pytest.raises(ValueError, match="ed.layer_lr gives 1 factor for 2 hidden layers"):
        _net(device_run("numpy"), layer_lr=(0.5,))


def test_cli_refuses_before_writing(tmp_path, capsys):
    from edsnn.cli import main

    out = tmp_path / "run"
    with pytest.raises(SystemExit):
        main(["train", "--hidden", "8,4", "--layer-lr", "0.5", "--device", "numpy", "--out", str(out)])
    assert "ed.layer_lr gives 1 factor for 2 hidden layers" in capsys.readouterr().err
    assert not out.exists()
