"""Spike codes of the inputs: regular and latency codes against their exact spike times."""

import numpy as np
import pytest
from brian2 import Hz, SpikeMonitor, ms, second

from edsnn.data import SpikeCoding
from edsnn.model import EDParameters, device_run
from edsnn.networks import EDNetwork

PIXELS = np.array([0.0, 0.1, 0.25, 0.5, 1.0])


def _input_spikes(code, rest=10 * ms):
    coding = SpikeCoding(max_rate=200 * Hz, presentation=50 * ms, rest=rest, pairs="independent", code=code)
    net = EDNetwork(n_inputs=2 * len(PIXELS), n_classes=2, hidden=(2,), coding=coding, batch_size=3,
                    device=device_run("numpy"))
    monitor = SpikeMonitor(net.input_group)
    net.network.add(monitor)
    rates = np.repeat(np.tile(PIXELS, (3, 1)), 2, axis=1) * coding.max_rate
    net.run(rates, np.array([0, 1, 0]), learn=False)
    since_batch = np.asarray((monitor.t - net.input_group.t0) / second)
    period = float(coding.period / second)
    presentation = np.floor(since_batch / period + 1e-9).astype(int)
    step = np.round((since_batch - presentation * period) / float(coding.dt / second)).astype(int)
    return coding, np.asarray(monitor.i[:]) // 2, presentation, step


def test_regular_code_fires_floor_of_rate_times_duration_at_fixed_steps():
    coding, pixel, presentation, step = _input_spikes("regular")
    assert step.max() < coding.steps_per_presentation  # nothing during the rest
    for k, x in enumerate(PIXELS):
        rate = float(x * coding.max_rate / Hz)
        for p in range(3):  # the same train in every presentation (deterministic)
            steps = np.sort(step[(pixel == k) & (presentation == p)])
            # the j-th spike is in the step whose end reaches j/rate (each spike twice: E and I input)
            expected = [int(np.ceil(j / rate / 1e-3 - 1e-9)) - 1 for j in range(1, int(rate * 0.05 + 1e-9) + 1)] \
                if rate > 0 else []
            assert list(steps[::2]) == expected, (x, steps)


def test_latency_code_fires_once_at_one_minus_x_of_the_presentation():
    coding, pixel, presentation, step = _input_spikes("latency")
    last = coding.steps_per_presentation - 1
    for k, x in enumerate(PIXELS):
        for p in range(3):
            steps = step[(pixel == k) & (presentation == p)]
            if x == 0:
                assert len(steps) == 0
            else:  # both inputs of the pair, once each, at (1 - x)·(T - dt)
                assert list(steps) == [int(np.floor((1 - x) * last + 1e-9))] * 2, (x, steps)


def test_latency_code_refuses_count_activity():
    with pytest.raises(ValueError, match="latency code carries the pixel value in its spike time"):
        EDNetwork(n_inputs=4, n_classes=2, hidden=(2,), coding=SpikeCoding(code="latency"),
                  ed=EDParameters(input_activity="count"), device=device_run("numpy"))
