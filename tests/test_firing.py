"""Each epoch's firing per population in metrics.csv, and the warning when a network falls silent."""

import numpy as np
from brian2 import Hz, ms, mV

from edsnn.config import TrainConfig
from edsnn.data import SpikeCoding
from edsnn.model import LIFParameters
from edsnn.networks import Description, Population, Saturation
from edsnn.protocols import train
from edsnn.protocols.firing import firing, warnings_of

CAPS = Saturation(presentation=50 * ms, dt=1 * ms, activity_max_rate=100 * Hz)  # cap: 5 spikes


def test_rates_and_silent_and_saturated_fractions_per_type():
    d = Description("x", 2, {"h": Population(2, "EI"), "out": Population(1, "E")}, 50, CAPS)
    # two presentations; units: class net 0 (E, I), class net 1 (E, I) of h; outputs of both nets
    records = [(0, {}, {"h": np.array([[0, 5, 2, 6]]), "out": np.array([[1, 0]])}),
               (1, {}, {"h": np.array([[0, 5, 4, 4]]), "out": np.array([[3, 0]])})]
    row = firing(d, records, 2)
    assert list(row) == d.firing_columns()
    assert row["h_E_rate_hz"] == (0 + 3) / 2 / 0.05  # mean counts 0 and 3 per presentation, over 50 ms
    assert row["h_I_rate_hz"] == (5 + 5) / 2 / 0.05
    assert (row["h_E_silent"], row["h_E_saturated"]) == (0.5, 0.0)
    assert (row["h_I_silent"], row["h_I_saturated"]) == (0.0, 1.0)  # means 5 and 5: at the cap
    assert (row["out_E_silent"], row["out_E_rate_hz"]) == (0.5, 20.0)
    assert warnings_of(d, row) == [
        "h: 50 % of its E neurons fired no spike in the test presentations",
        "h: 100 % of its I neurons fired at the cap (5 spikes per presentation)",
        "out: 50 % of its E neurons fired no spike in the test presentations"]
    assert firing(Description("r", 1, {"h": Population(1)}, 50, CAPS, spiking=False), records, 2) == {}


def test_neuron_types_come_from_the_populations_the_network_describes():
    ed = Description("ed", 2, {"hidden1": Population(4, "EI"), "output": Population(1, "E")}, 50, CAPS)
    assert ed.types_of(["hidden1", "hidden1", "hidden1", "output"], [0, 1, 3, 0]).tolist() == ["E", "I", "I", "E"]
    dc = Description("dc", 1, {"excitatory": Population(6, "E"), "inhibitory": Population(6, "I")}, 50, CAPS)
    assert dc.types_of(["excitatory", "inhibitory", "inhibitory", "hidden1"], [1, 0, 1, 0]).tolist() == [
        "E", "I", "I", ""]


def test_a_silent_network_is_reported_and_its_firing_recorded(tmp_path):
    silent = LIFParameters(v_threshold=0 * mV)  # the membrane never reaches it
    config = TrainConfig(neuron=silent, hidden=(4,), train=20, test=10, epochs=1, device="numpy",
                         coding=SpikeCoding(presentation=20 * ms))
    said = []
    result = train(config, out=tmp_path / "run", progress=False, echo=said.append)
    row = result.metrics.iloc[-1]
    assert row["hidden1_E_silent"] == row["hidden1_I_silent"] == row["output_E_silent"] == 1.0
    assert row["hidden1_E_rate_hz"] == row["output_E_rate_hz"] == 0.0
    warned = [s for s in said if s.startswith("warning, epoch 1:")]
    assert "warning, epoch 1: hidden1: 100 % of its E neurons fired no spike in the test presentations" in warned
    assert len(warned) == 3  # hidden1 E, hidden1 I, output E
