"""A learning rate that halves every ``ed.lr_half_life`` epochs.

The factor reaches the rule as the value of a learning presentation's ``learn``
input, which scales both amines: the weights after a presentation learnt at a
factor must be the oracle's update at that factor, on numpy and on cpp.
"""

import numpy as np
import pytest
from brian2 import Hz, ms
from ed_oracle import replay
from run_checks import run_quietly

from edsnn.data import SpikeCoding
from edsnn.model import EDParameters, device_run
from edsnn.networks import EDNetwork
from edsnn.protocols import TrainConfig


def test_half_life_schedule():
    ed = EDParameters(lr_half_life=4)
    assert [ed.plasticity(e) for e in (1, 5, 9)] == [1.0, 0.5, 0.25]
    assert ed.plasticity(3) == pytest.approx(2 ** -0.5)
    assert EDParameters().plasticity(20) == 1.0  # the default: constant
    with pytest.raises(ValueError, match="lr_half_life must be >= 0 epochs"):
        EDParameters(lr_half_life=-1)


def _net(device):
    return EDNetwork(n_inputs=16, n_classes=3, hidden=(6,), batch_size=3, seed=5,
                     ed=EDParameters(lr=0.3, dif=0.7), device=device,
                     coding=SpikeCoding(max_rate=500 * Hz, presentation=20 * ms))


def _check_factor(net):
    rng = np.random.default_rng(1)
    pixels, labels = rng.uniform(0, 1, size=(3, 8)), np.array([0, 2, 1])
    for factor in (1.0, 0.25):
        start = net.get_weights()
        learn = np.full(3, factor)
        result = net.run(np.repeat(pixels, 2, axis=1) * net.coding.max_rate, labels, learn)
        expected, _ = replay(net, pixels, labels, learn, start, result.counts)
        if factor != 1.0:  # the same spikes at the full rate would have learnt more
            expected_full, _ = replay(net, pixels, labels, np.ones(3), start, result.counts)
        for name, got in net.get_weights().items():
            np.testing.assert_allclose(got, expected[name], rtol=0, atol=1e-12, err_msg=name)
            assert not np.allclose(got, start[name])
            if factor != 1.0:
                assert not np.allclose(got, expected_full[name], rtol=0, atol=1e-9)


def test_factor_scales_the_update_numpy():
    _check_factor(_net(device_run("numpy")))


def test_factor_scales_the_update_cpp(cpp_run):
    _check_factor(_net(cpp_run))


def _spy_on_learn(monkeypatch):
    seen = []
    original = EDNetwork.run

    def spy(self, rates, labels, learn):
        seen.append(float(np.max(learn)))
        return original(self, rates, labels, learn)

    monkeypatch.setattr(EDNetwork, "run", spy)
    return seen


def test_training_hands_each_epoch_its_factor_and_resume_continues(tmp_path, monkeypatch):
    seen = _spy_on_learn(monkeypatch)
    config = TrainConfig(hidden=(4,), train=8, test=4, epochs=2, batch_size=8, device="numpy",
                         coding=SpikeCoding(presentation=20 * ms), ed=EDParameters(lr_half_life=1))
    run_quietly(config, tmp_path / "run")
    assert [value for value in seen if value > 0] == [1.0, 0.5]  # one training batch per epoch
    seen.clear()
    run_quietly(config.replace(epochs=3), tmp_path / "run", resume=True)
    assert [value for value in seen if value > 0] == [0.25]  # epoch 3, not epoch 1 again


def test_negative_learn_refused():
    net = _net(device_run("numpy"))
    with pytest.raises(ValueError, match="learn must be finite and >= 0"):
        net.run(np.zeros((3, 16)) * Hz, np.zeros(3, dtype=int), np.array([1.0, -0.5, 0.0]))
