"""The model as parts: a neuron model defined outside edsnn trains; per-layer models; kept state."""

import dataclasses

import brian2
import numpy as np
import pytest
from brian2 import Hz, Quantity, ms, mV, nA
from plugin_parts import PerfectIF
from test_model import BARS_CODING, bars_scores

from edsnn.model import LIF, EDParameters, ExponentialSynapse, device_run, neuron_group
from edsnn.networks import EDNetwork
from edsnn.networks.ed.layout import neuron_type
from edsnn.units import UnitError, physical


# A user's neuron model (a perfect, non-leaky integrate-and-fire neuron), registered as a plugin.
@dataclasses.dataclass(frozen=True)
class HomeostaticIF(PerfectIF):
    """PerfectIF whose threshold rises by ``d_theta`` per spike and never relaxes (kept state)."""

    d_theta: Quantity = physical(0.5 * mV, "threshold rise per spike")

    equations = PerfectIF.equations + "theta : volt  # homeostatic threshold offset\n"
    threshold = "v > v_threshold + theta"
    reset = "v = v_reset; theta += d_theta"
    kept_state = ("theta",)


def test_user_neuron_model_fires_at_its_analytic_rate():
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "numpy"
    brian2.defaultclock.dt = 0.05 * ms
    currents = np.array([0.2, 0.5, 1.0, 2.0]) * nA
    models = [PerfectIF(I_bias=current) for current in currents]
    groups = [neuron_group(m, 1, f"pif{k}", synapse=ExponentialSynapse(), equations="cnt : 1", on_spike="cnt += 1")
              for k, m in enumerate(models)]
    brian2.Network(groups).run(1000 * ms)
    brian2.defaultclock.dt = 1 * ms
    for group, model in zip(groups, models):
        # from v_reset to threshold at the constant slope R·I/tau_m, then the refractory period
        expected = 1 / (model.tau_m * (model.v_threshold - model.v_reset) / (model.R_m * model.I_bias) + model.tau_ref)
        measured = group.cnt[0] / (1000 * ms)
        assert abs(measured - expected) <= 0.02 * expected + 1 * Hz, (model.I_bias, measured, expected)


def test_user_neuron_model_is_unit_checked():
    with pytest.raises(UnitError, match=r"tau_m must be a time, e.g. 20. ms"):
        PerfectIF(tau_m=20)


def test_user_neuron_model_trains_with_the_ed_rule():
    # Equal initial weights: both class networks are the same network, so the
    # untrained one cannot tell the classes apart (chance, up to Poisson noise).
    net = EDNetwork(n_inputs=32, n_classes=2, hidden=(8,), batch_size=50, seed=2, coding=BARS_CODING,
                    neuron=PerfectIF(), ed=EDParameters(w1=0.4, w2=0.4), device=device_run("cython"))
    before, after = bars_scores(net)
    assert before <= 0.7 and after >= 0.9, (before, after)


def test_neuron_models_per_layer():
    fast = LIF(tau_m=10 * ms)
    net = EDNetwork(n_inputs=8, n_classes=2, hidden=(4, 4), neuron={"output": fast}, batch_size=2,
                    device=device_run("numpy"))
    assert net.neurons["hidden1"] == net.neurons["hidden2"] == LIF()
    assert net.layers["output"].namespace["tau_m"] == 10 * ms
    assert net.layers["hidden2"].namespace["tau_m"] == 20 * ms
    as_list = EDNetwork(n_inputs=8, n_classes=2, hidden=(4,), neuron=[fast, LIF()], batch_size=2,
                        device=device_run("numpy"))
    assert as_list.layers["hidden1"].namespace["tau_m"] == 10 * ms
    with pytest.raises(ValueError, match="one per layer"):
        EDNetwork(n_inputs=8, n_classes=2, hidden=(4,), neuron=[fast], device=device_run("numpy"))
    with pytest.raises(ValueError, match="unknown layers"):
        EDNetwork(n_inputs=8, n_classes=2, hidden=(4,), neuron={"hidden7": fast}, device=device_run("numpy"))


def _kept_state_checks(device):
    net = EDNetwork(n_inputs=8, n_classes=2, hidden=(4,), neuron=HomeostaticIF(), batch_size=10, seed=3,
                    device=device)
    rates = np.full((10, 8), 100.0) * Hz
    labels = np.arange(10) % 2
    spikes = np.zeros(8)
    for _batch in range(2):  # the threshold keeps rising across presentations and batches
        result = net.run(rates, labels, learn=True)
        spikes += result.counts["hidden1"].sum(axis=0)
        theta = net.get_weights()["hidden1.theta"]
        assert theta.shape == (2, 4)
        np.testing.assert_allclose(theta.ravel(), spikes * float(0.5 * mV), rtol=1e-9)
    assert spikes.min() > 0
    net.run(rates, labels, learn=False)  # a test batch leaves the kept state as it was
    np.testing.assert_allclose(net.get_weights()["hidden1.theta"].ravel(), spikes * float(0.5 * mV), rtol=1e-9)
    weights = net.get_weights()
    weights["hidden1.theta"] = np.zeros((2, 4))
    net.set_weights(weights)
    np.testing.assert_array_equal(net.get_weights()["hidden1.theta"], 0.0)


def test_kept_state_persists_and_is_saved_with_the_weights():
    _kept_state_checks(device_run("numpy"))


def test_kept_state_persists_across_standalone_executions(cpp_run):
    _kept_state_checks(cpp_run)


def test_ei_layout_is_one_function():
    assert list(neuron_type(["hidden1"] * 4 + ["output"] * 2, [0, 1, 2, 3, 0, 1])) == ["E", "I", "E", "I", "E", "E"]
