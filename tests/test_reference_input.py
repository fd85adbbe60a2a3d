"""The reference model's input LIFs fire exactly as the published program's, for the same retina trains."""

import numpy as np
import pytest
from brian2 import Hz, ms
from ed_oracle import input_trains, program_input_lif

from edsnn.data import SpikeCoding
from edsnn.model import ReferenceInputLIF, StandaloneRun, device_run
from edsnn.networks import EDNetwork


def _reference_net(device, n_pixels, batch, max_rate):
    coding = SpikeCoding(max_rate=max_rate, presentation=50 * ms, dt=1 * ms)
    return EDNetwork(2 * n_pixels, 2, hidden=(2,), model="reference", coding=coding, seed=4, batch_size=batch,
                     device=device)


def _check_against_the_program(net, pixels):
    retina, inputs = input_trains(net, pixels)
    program = program_input_lif(np.repeat(retina, 2, axis=2))  # both inputs of a pair see the pixel's train
    np.testing.assert_array_equal(inputs, program)
    # the trains exercise what differs from Brian2's default slot order: pulses lost after output spikes,
    # and spikes on the first and last step of a presentation
    assert 0 < program.sum() < 2 * retina.sum()
    assert program[:, 0].any() and program[:, -1].any()


@pytest.mark.parametrize("target", ["numpy", "cython"])
@pytest.mark.parametrize("max_rate", [150 * Hz, 600 * Hz])
def test_input_lif_fires_as_the_program(target, max_rate):
    rng = np.random.default_rng(7)
    pixels = rng.uniform(0, 1, size=(12, 40)) * (rng.uniform(size=40) < 0.8)  # rates 0 to max_rate, a few 0
    net = _reference_net(device_run(target), 40, 12, max_rate)
    for _batch in range(2):  # the second batch starts where the first ended
        _check_against_the_program(net, pixels)


def test_input_lif_fires_as_the_program_on_cpp_standalone(tmp_path, standalone_cleanup):
    pixels = np.random.default_rng(8).uniform(0, 1, size=(10, 30))
    _check_against_the_program(_reference_net(StandaloneRun("cpp", str(tmp_path / "build")), 30, 10, 300 * Hz),
                               pixels)


def test_reference_input_lif_has_no_refractory_period():
    with pytest.raises(ValueError, match="tau_ref of the published program's input LIF must be 0 ms"):
        ReferenceInputLIF(tau_ref=1 * ms)
