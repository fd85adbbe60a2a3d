"""Diehl & Cook's STDP network: the rule's formula, normalisation, θ, inhibition, repeats,
label assignment and voting, and the same weights on the runtime and cpp devices.

The networks are tiny (8 inputs, 2–3 neurons, short presentations) and run on
the numpy target (no compilation).  Where a known answer is needed, the input
is deterministic: at ``rate·dt ≥ 1`` an input spikes at every step.
"""

import numpy as np
import pytest
from brian2 import Hz, Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses, ms, mV, volt

from edsnn.model.conductance import AdaptiveConductanceLIF
from edsnn.model.devices import DeviceRun, StandaloneRun
from edsnn.model.stdp import STDPParameters, STDPRule
from edsnn.networks.diehl_cook.assignment import assign_labels, vote
from edsnn.networks.diehl_cook.network import DiehlCookNetwork, DiehlCookParameters
from edsnn.units import UnitError

#: Pattern A (inputs 0–3) and pattern B (inputs 4–7), full intensity.
A, B = np.repeat([255.0, 0.0], 4), np.repeat([0.0, 255.0], 4)

#: Short presentations; 8 Hz per pixel unit: 4080 Hz at intensity 2, a spike every 0.5 ms step.
TOY = DiehlCookParameters(presentation=100 * ms, rest=20 * ms, rate_scale=8 * Hz, min_spikes=0,
                          max_intensity=4, max_delay=2 * ms)


def _toy(n_e=2, params=TOY, device=None, images_per_run=4, presentations_per_run=6, **kw):
    return DiehlCookNetwork(n_e=n_e, n_inputs=8, params=params, images_per_run=images_per_run,
                            presentations_per_run=presentations_per_run, seed=3,
                            device=device or DeviceRun("numpy"), **kw)


# -- the rule -------------------------------------------------------------------


@pytest.mark.parametrize("mu", [0.0, 0.5])
def test_stdp_traces_and_weight_change_of_a_spike_triplet_follow_the_formula(mu):
    """post at 5 ms, pre at 10 ms, post at 15 ms (no delay):
    w1 = w0 − ν_pre·e^{−5/20}·w0^μ;  w2 = w1 + ν_post·e^{−5/20}·e^{−10/40}·(w_max − w1)^μ."""
    DeviceRun("numpy").activate(0)
    p = STDPParameters(nu_pre=0.05, nu_post=0.2, mu_pre=mu, mu_post=mu, w_max=1.0)
    rule = STDPRule(p)
    pre = SpikeGeneratorGroup(1, [0], [10] * ms)
    post = NeuronGroup(1, "ge : 1\nlearning : 1\nrenorm : 1\n" + rule.unit_equations(None),
                       threshold="abs(t - 5*ms) < dt/2 or abs(t - 15*ms) < dt/2", reset="")
    syn = Synapses(pre, post, rule.synapse_equations, on_pre="ge_post += w\n" + rule.pathways["pre"].code,
                   on_post=rule.pathways["post"].code, namespace=rule.namespace())
    syn.connect()
    w0 = 0.4
    syn.w, post.w_total, post.learning = w0, w0, 1
    Network(pre, post, syn).run(20 * ms)
    w1 = w0 - 0.05 * np.exp(-5 / 20) * w0**mu
    w2 = w1 + 0.2 * np.exp(-5 / 20) * np.exp(-10 / 40) * (1.0 - w1) ** mu
    assert syn.w[0] == pytest.approx(w2, rel=1e-12)
    assert post.w_total[0] == pytest.approx(w2, rel=1e-12)  # the tracked sum follows every change
    # traces as of the last update (the post spike at 15 ms)
    assert syn.apre[0] == pytest.approx(np.exp(-5 / 20), rel=1e-12)
    assert syn.apost1[0] == syn.apost2[0] == 1


def test_stdp_does_not_change_weights_while_not_learning():
    DeviceRun("numpy").activate(0)
    rule = STDPRule(STDPParameters(nu_pre=0.05, nu_post=0.2))
    pre = SpikeGeneratorGroup(1, [0, 0], [10, 30] * ms)
    post = NeuronGroup(1, "ge : 1\nlearning : 1\nrenorm : 1\n" + rule.unit_equations(None),
                       threshold="abs(t - 15*ms) < dt/2", reset="")
    syn = Synapses(pre, post, rule.synapse_equations, on_pre=rule.pathways["pre"].code,
                   on_post=rule.pathways["post"].code, namespace=rule.namespace())
    syn.connect()
    syn.w, post.w_total, post.learning = 1.3, 1.3, 0  # above w_max: the clip must not apply either
    Network(pre, post, syn).run(40 * ms)
    assert syn.w[0] == 1.3 and post.w_total[0] == 1.3


def test_stdp_parameters_are_checked():
    with pytest.raises(UnitError, match="tau_pre must be a time"):
        STDPParameters(tau_pre=20)
    with pytest.raises(ValueError, match="w_max must be positive"):
        STDPParameters(w_max=0)
    with pytest.raises(ValueError, match="nu_post must be >= 0"):
        STDPParameters(nu_post=-1)


# -- the network ------------------------------------------------------------------


def test_normalisation_keeps_each_neurons_input_sum_and_testing_changes_nothing():
    net = _toy(n_e=3, stdp=STDPParameters(w_sum=3.0, nu_pre=0.01, nu_post=0.1))
    # get_weights' layout (n_inputs, n_e) is the synapse order input by input
    assert np.array_equal(net.plastic.i[:], np.repeat(np.arange(8), 3))
    assert np.array_equal(net.plastic.j[:], np.tile(np.arange(3), 8))
    start = net.get_weights()
    assert not np.allclose(start["w"].sum(axis=0), 3.0)  # random initial weights
    result = net.run([A, B, A], learn=True)
    assert result.counts.sum() > 0
    learned = net.get_weights()
    # rescaled at the end of the last learning presentation; the tracked sum is exact
    np.testing.assert_allclose(learned["w"].sum(axis=0), 3.0, rtol=1e-12)
    np.testing.assert_allclose(net.device.get_array(net.excitatory, "w_total"), 3.0, rtol=0)
    scaled = start["w"] * 3.0 / start["w"].sum(axis=0)
    assert np.abs(learned["w"] - scaled).max() > 1e-3  # STDP changed them beyond the rescaling
    net.run([B, A], learn=False)
    after = net.get_weights()
    assert np.array_equal(after["w"], learned["w"]) and np.array_equal(after["theta"], learned["theta"])


def test_theta_grows_by_d_theta_per_spike_while_learning():
    model = AdaptiveConductanceLIF(tau_theta=1e15 * ms)  # no decay within the test
    net = _toy(excitatory=model)
    spikes = SpikeMonitor(net.excitatory)
    net.network.add(spikes)
    before = net.get_weights()["theta"]
    net.run([A, B], learn=True)
    # spikes of the two learning presentations (a later one may come once the
    # 50 ms min_isi has passed, in the first slot after the images: it does not learn)
    during = np.asarray(spikes.t) < float(TOY.dt + 2 * TOY.period)
    count = np.bincount(np.asarray(spikes.i)[during], minlength=2)
    assert count.sum() > 0
    np.testing.assert_allclose(net.get_weights()["theta"] - before, count * float(0.05 * mV / volt), rtol=1e-9)
    assert before == pytest.approx(np.full(2, 0.02))  # θ starts at 20 mV


@pytest.mark.parametrize("w_ie, winner_only", [(17.0, True), (0.0, False)])
def test_lateral_inhibition_lets_one_neuron_win_each_pattern(w_ie, winner_only):
    """Neuron 0 prefers A, neuron 1 prefers B (weights 0.11 against 0.055), paper's timing:
    with the paper's inhibition only the preferring neuron fires; without it both do."""
    params = TOY.replace(presentation=350 * ms, rest=150 * ms, w_ie=w_ie)
    net = _toy(params=params, images_per_run=2, presentations_per_run=3)
    w = np.where(np.arange(8)[:, None] < 4, [0.11, 0.055], [0.055, 0.11])
    net.set_weights({"w": w, "theta": np.full(2, 0.02)})
    counts = net.run([A, B], learn=False).counts
    assert counts[0, 0] > 0 and counts[1, 1] > 0
    if winner_only:
        assert counts[0, 1] == 0 and counts[1, 0] == 0
    else:
        assert counts[0, 1] > 0 and counts[1, 0] > 0


def test_an_image_with_too_few_spikes_is_shown_again_at_higher_intensity():
    """A blank image never reaches min_spikes: shown at intensity 2, 3, 4 (max) then accepted."""
    net = _toy(params=TOY.replace(min_spikes=1))
    result = net.run([A, np.zeros(8), B], learn=False)
    assert list(result.intensity) == [2, 4, 2]
    assert result.counts[1].sum() == 0 and result.counts[0].sum() >= 1 and result.counts[2].sum() >= 1


def test_images_beyond_one_run_take_further_runs():
    net = _toy()
    result = net.run([A, B] * 3, learn=False)  # 6 images, 4 per run
    assert result.counts.shape == (6, 2) and result.presentations == 2 * net.batch_size


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="presentations_per_run must be"):
        _toy(presentations_per_run=3)  # fewer than the 4 images of a run
    with pytest.raises(ValueError, match="whole number of steps"):
        DiehlCookParameters(presentation=100.25 * ms)
    net = _toy()
    with pytest.raises(ValueError, match=r"images must have shape \(n_images >= 1, 8\)"):
        net.run(np.zeros((2, 9)), learn=False)


# -- reading out ------------------------------------------------------------------


def test_label_assignment_and_voting_on_a_hand_computed_example():
    counts = np.array([[6, 0, 1],    # class 0
                       [2, 1, 0],    # class 0
                       [0, 5, 3],    # class 1
                       [1, 0, 2]])   # class 2
    labels = np.array([0, 0, 1, 2])
    # means per class: neuron 0 (4, 0, 1) → 0; neuron 1 (0.5, 5, 0) → 1; neuron 2 (0.5, 3, 2) → 1
    assignments = assign_labels(counts, labels, n_classes=3)
    assert list(assignments) == [0, 1, 1]
    # class scores: [n0, mean(n1, n2), 0]: (6, 0.5), (2, 0.5), (0, 4), (1, 1) → tie to class 0
    assert list(vote(counts, assignments, n_classes=3)) == [0, 0, 1, 0]
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        assign_labels(counts, [0, 0, 1, 3], n_classes=3)
    with pytest.raises(ValueError, match=r"assignments must have shape \(3,\)"):
        vote(counts, [0, 1], n_classes=3)


# -- devices ----------------------------------------------------------------------


def test_runtime_and_cpp_learn_the_same_weights_from_deterministic_input(tmp_path, standalone_cleanup):
    """Inputs that spike at every step leave nothing to chance: both devices must agree
    (to rounding: cpp compiles with fast-math)."""
    stdp = STDPParameters(w_sum=3.0, nu_pre=0.01, nu_post=0.1)
    images = [A, B, A, B, A]  # two runs of 4 images
    results = {}
    for name, device in (("numpy", DeviceRun("numpy")), ("cpp", StandaloneRun("cpp", str(tmp_path / "cpp")))):
        net = _toy(n_e=3, stdp=stdp, device=device)
        counts = net.run(images, learn=True).counts
        results[name] = counts, net.get_weights()
    (counts_n, weights_n), (counts_c, weights_c) = results["numpy"], results["cpp"]
    assert counts_n.sum() > 0
    np.testing.assert_array_equal(counts_n, counts_c)
    np.testing.assert_allclose(weights_c["w"], weights_n["w"], rtol=1e-9)
    np.testing.assert_allclose(weights_c["theta"], weights_n["theta"], rtol=1e-9)


def test_learn_and_score_assigns_the_preferring_neurons_and_classifies_both_patterns():
    """No plasticity (ν = 0): the hand-set preferences of the inhibition test decide everything."""
    from edsnn.networks.diehl_cook.scoring import learn_and_score

    params = TOY.replace(presentation=350 * ms, rest=150 * ms)
    net = _toy(params=params, stdp=STDPParameters(nu_pre=0, nu_post=0, w_sum=0), images_per_run=2,
               presentations_per_run=3)
    w = np.where(np.arange(8)[:, None] < 4, [0.055, 0.11], [0.11, 0.055])  # neuron 0 prefers B
    net.set_weights({"w": w, "theta": np.full(2, 0.02)})
    score = learn_and_score(net, [A, B], [0, 1], [B, A, A], [1, 0, 0], n_classes=2)
    assert list(score.assignments) == [1, 0]
    assert list(score.predictions) == [1, 0, 0] and score.accuracy == 1.0


def test_receptive_field_and_assignment_figures(tmp_path):
    from edsnn.networks.diehl_cook.figures import plot_assignments, plot_receptive_fields

    w = np.zeros((784, 6))
    w[10, 4] = 1.0
    fig = plot_receptive_fields(w, path=tmp_path / "rf.png")
    tiles = fig.axes[0].images[0].get_array()
    # 2 x 3 fields, one pixel between: neuron 4 is row 1, column 1
    assert tiles.shape == (2 * 28 + 1, 3 * 28 + 2) and tiles[29 + 0, 29 + 10] == 1.0
    assert (tmp_path / "rf.png").stat().st_size > 0
    bars = plot_assignments([0, 3, 3, 9], path=tmp_path / "a.png").axes[0].patches
    assert [b.get_height() for b in bars] == [1, 0, 0, 2, 0, 0, 0, 0, 0, 1]
    with pytest.raises(ValueError, match=r"w must have shape \(784, n_e\)"):
        plot_receptive_fields(np.zeros((10, 2)))
