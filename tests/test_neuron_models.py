"""Neuron and synapse models of the field against known answers."""

import brian2
import numpy as np
import pytest
from brian2 import Hz, Mohm, Network, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses, ms, mV, nA, second
from ed_oracle import published_frelu
from test_model import analytic_rate

from edsnn.data import SpikeCoding
from edsnn.model import (
    DALIF,
    LIF,
    AdaptiveLIF,
    AlphaSynapse,
    BiexponentialSynapse,
    ExponentialSynapse,
    Izhikevich,
    device_run,
    neuron_group,
)
from edsnn.networks import EDNetwork


@pytest.fixture
def fine_clock():
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "numpy"
    brian2.defaultclock.dt = 0.05 * ms
    yield
    brian2.defaultclock.dt = 1 * ms


def _single(model, name="n", synapse=None, record=()):
    group = neuron_group(model, 1, name, synapse=synapse or ExponentialSynapse())
    spikes = SpikeMonitor(group)
    state = StateMonitor(group, list(record), record=0) if record else None
    return group, spikes, state


def test_adaptive_lif_settles_at_the_adapted_rate(fine_clock):
    # slow adaptation (tau_w >> ISI): I_ad ≈ b·r·tau_w, so r solves r = f_LIF(I − b·r·tau_w)
    model = AdaptiveLIF(I_bias=2 * nA, b_w=0.05 * nA, tau_w=300 * ms, d_theta=0 * mV)
    group, spikes, _ = _single(model)
    Network(group, spikes).run(3 * second)
    times = np.asarray(spikes.t / second)
    isi = np.diff(times)
    assert isi[-1] > 1.5 * isi[0]  # the ISIs lengthen
    lif = LIF(tau_m=model.tau_m, tau_ref=model.tau_ref, R_m=model.R_m, v_rest=model.v_rest,
              v_threshold=model.v_threshold, v_reset=model.v_reset)
    lo, hi = 0.0, float(analytic_rate(lif, model.I_bias) / Hz)
    for _ in range(60):  # bisection on the fixed point
        r = (lo + hi) / 2
        drive = model.I_bias - model.b_w * r * Hz * model.tau_w
        lo, hi = (r, hi) if float(analytic_rate(lif, drive) / Hz) > r else (lo, r)
    steady = np.sum(times > 2.0) / (1.0)  # last second
    assert abs(steady - r) <= 0.05 * r, (steady, r)


def test_adaptive_threshold_rises_per_spike_and_relaxes(fine_clock):
    model = AdaptiveLIF(I_bias=1.5 * nA, b_w=0 * nA, d_theta=0.5 * mV, tau_theta=200 * ms)
    group, spikes, state = _single(model, record=("theta",))
    net = Network(group, spikes, state)
    net.run(5 * ms)  # before the first spike: no threshold change
    assert group.theta[0] == 0 * mV
    net.run(95 * ms)
    # between spikes θ only relaxes; at each spike it jumps by Δθ
    theta = np.asarray(state.theta[0] / mV)
    jumps = np.diff(theta)[np.diff(theta) > 0]
    assert len(jumps) == spikes.num_spikes
    np.testing.assert_allclose(jumps, 0.5, rtol=1e-3, atol=2e-3)
    t_stop, theta_stop = float(net.t / ms), float(group.theta[0] / mV)
    group.namespace["I_bias"] = 0 * nA
    group.v = model.v_reset
    net.run(100 * ms)
    assert spikes.num_spikes == len(jumps)  # silent now
    expected = theta_stop * np.exp(-(float(net.t / ms) - t_stop) / 200)
    assert float(group.theta[0] / mV) == pytest.approx(expected, rel=1e-3)


def test_homeostatic_threshold_steers_the_rate_to_its_target(fine_clock):
    # dθ/dt = −Δθ·r_target between spikes, +Δθ per spike: θ is the integral of Δθ·(r − r_target),
    # so a silent neuron's threshold falls linearly and a driven one settles at r_target
    model = AdaptiveLIF(I_bias=0 * nA, b_w=0 * nA, d_theta=0.5 * mV, tau_theta=1e7 * second, r_target=20 * Hz)
    group, spikes, _ = _single(model)
    net = Network(group, spikes)
    net.run(200 * ms)
    assert spikes.num_spikes == 0
    assert float(group.theta[0] / mV) == pytest.approx(-0.5 * 20 * 0.2, rel=1e-4)
    group.namespace["I_bias"] = 2 * nA  # ≈ 80 Hz with a fixed threshold
    net.run(3 * second)
    before = spikes.num_spikes
    net.run(2 * second)
    assert (spikes.num_spikes - before) / 2 == pytest.approx(20, abs=1)


def test_one_sided_homeostasis_leaves_a_fast_neuron_alone(fine_clock):
    # θ_max = 0: a neuron above its target keeps θ = 0 (the LIF's rate), one below lowers θ
    fast = AdaptiveLIF(I_bias=2 * nA, b_w=0 * nA, d_theta=0.5 * mV, tau_theta=1e7 * second, r_target=20 * Hz,
                       theta_max=0 * mV)
    group, spikes, _ = _single(fast)
    Network(group, spikes).run(1 * second)
    assert float(group.theta[0] / mV) <= 0 and float(group.theta[0] / mV) > -0.5
    lif = LIF(I_bias=2 * nA)
    assert spikes.num_spikes == pytest.approx(float(analytic_rate(lif, lif.I_bias) * second), abs=2)


def test_default_threshold_is_the_sum_of_its_decaying_jumps(fine_clock):
    # r_target = 0: θ(T) = Σ_k Δθ·exp(−(T − t_k − dt)/τ_θ) over the spikes (the jump lands at the end of the
    # step Brian2 records the spike in); exponential Euler is exact for θ's linear equation
    model = AdaptiveLIF(I_bias=2 * nA)
    group, spikes, _ = _single(model)
    net = Network(group, spikes)
    net.run(2 * second)
    times = np.asarray(spikes.t / second)
    end, dt, tau = float(net.t / second), float(brian2.defaultclock.dt / second), float(model.tau_theta / second)
    expected = float(model.d_theta / mV) * np.exp(-(end - times - dt) / tau).sum()
    assert len(times) > 50
    assert float(group.theta[0] / mV) == pytest.approx(expected, rel=1e-6)


def test_default_threshold_settles_at_the_self_consistent_rate(fine_clock):
    # τ_θ = 1 s: in the steady state the mean θ is Δθ·r·τ_θ, and the rate r solves r = f_LIF(I) with the
    # threshold raised by that mean; the neuron keeps firing however long it runs
    model = AdaptiveLIF(I_bias=1.5 * nA, b_w=0 * nA)
    assert model.tau_theta == 1 * second and model.d_theta == 0.05 * mV
    group, spikes, state = _single(model, record=("theta",))
    net = Network(group, spikes, state)
    net.run(8 * second)
    lif = LIF(tau_m=model.tau_m, tau_ref=model.tau_ref, R_m=model.R_m, v_rest=model.v_rest,
              v_threshold=model.v_threshold, v_reset=model.v_reset)
    lo, hi = 0.0, float(analytic_rate(lif, model.I_bias) / Hz)
    for _ in range(60):  # bisection on the fixed point
        r = (lo + hi) / 2
        raised = lif.replace(v_threshold=lif.v_threshold + model.d_theta * r * Hz * model.tau_theta)
        lo, hi = (r, hi) if float(analytic_rate(raised, model.I_bias) / Hz) > r else (lo, r)
    times = np.asarray(spikes.t / second)
    steady = np.sum(times > 5.0) / 3.0  # the last 3 s (5 τ_θ after the start)
    assert r < 0.8 * float(analytic_rate(lif, model.I_bias) / Hz)  # the threshold slows it markedly
    assert steady == pytest.approx(r, rel=0.03)
    theta = np.asarray(state.theta[0] / mV)[np.asarray(state.t / second) > 5.0]
    assert theta.mean() == pytest.approx(float(model.d_theta / mV) * steady * float(model.tau_theta / second),
                                         rel=0.02)


def test_threshold_without_relaxation_climbs_until_the_neuron_is_silent(fine_clock):
    # τ_θ = 10⁴ s (the default before): θ only grows, and the neuron stops once v_threshold + θ is above
    # the potential its current holds it at, v_rest + R_m·I: θ ends within one Δθ above that margin
    model = AdaptiveLIF(I_bias=1 * nA, b_w=0 * nA, d_theta=0.5 * mV, tau_theta=1e4 * second)
    group, spikes, _ = _single(model)
    net = Network(group, spikes)
    net.run(1 * second)
    before = spikes.num_spikes
    net.run(1 * second)
    margin = float((model.R_m * model.I_bias - (model.v_threshold - model.v_rest)) / mV)  # 5 mV
    assert spikes.num_spikes == before > margin / 0.5 - 1
    assert margin < float(group.theta[0] / mV) <= margin + 0.5


def test_homeostatic_target_refused_when_negative():
    with pytest.raises(ValueError, match="r_target must be >= 0 Hz"):
        AdaptiveLIF(r_target=-1 * Hz)


#: Izhikevich's own input scale: 1 nA is the paper's I = 1.
PAPER_SCALE = 1 * Mohm


def _izhikevich_spikes(name, current=10 * nA, duration=300 * ms, **changes):
    model = Izhikevich.preset(name, I_bias=current, R_m=PAPER_SCALE, **changes)
    group, spikes, state = _single(model, name=name.replace("_", ""), record=("v", "u"))
    Network(group, spikes, state).run(duration)
    return model, np.asarray(spikes.t / ms), state


def _numpy_izhikevich(model, current, steps, dt, implicit=True):
    """The same equations in mV and ms, step by step: each step of ``dt`` is ``model.substeps``
    Euler steps of ``h = dt/substeps`` (v and u from the previous sub-step's values), then the
    threshold test and the reset.  ``implicit``: below -62.5 mV, where dF/dv < 0, v's step is
    linearly implicit, ``h·F/(1 - h·dF/dv)``; False: forward Euler throughout (Izhikevich's
    program at substeps 2, edsnn's integration before at substeps 1)."""
    a, b, c, d = float(model.a * ms), model.b, float(model.c / mV), float(model.d / mV)
    drive = float(model.R_m * current / mV)
    h = dt / model.substeps
    v, u = float(model.v_init / mV), model.b * float(model.v_init / mV)
    vs, spikes = [], []
    for k in range(steps):
        for _ in range(model.substeps):
            slope = 0.08 * v + 5  # dF/dv in 1/ms
            damping = 1 - h * slope if implicit and slope < 0 else 1
            v, u = v + h * (0.04 * v * v + 5 * v + 140 - u + drive) / damping, u + h * a * (b * v - u)
        vs.append(v)
        if v >= float(model.v_peak / mV):
            spikes.append((k + 1) * dt)
            v, u = c, u + d
    return np.array(vs), np.array(spikes)


@pytest.mark.parametrize("substeps", [1, 2, 5])
def test_izhikevich_trace_equals_a_numpy_integration(fine_clock, substeps):
    model, times, state = _izhikevich_spikes("regular_spiking", duration=100 * ms, substeps=substeps)
    expected_v, expected = _numpy_izhikevich(model, 10 * nA, 2000, 0.05)
    np.testing.assert_allclose(times + 0.05, expected, atol=1e-9)  # Brian records the step's start
    assert len(times) >= 3 and expected_v.min() < -62.5  # the implicit branch is taken too


def _izhikevich_at_1ms(current, steps=300, **changes):
    """One Izhikevich neuron at edsnn's default dt = 1 ms (numpy target), on the paper's input scale
    unless ``changes`` say otherwise: spike times and v."""
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "numpy"
    brian2.defaultclock.dt = 1 * ms
    model = Izhikevich(**dict(dict(I_bias=current, R_m=PAPER_SCALE), **changes))
    group, spikes, state = _single(model, name="izh1ms", record=("v",))
    Network(group, spikes, state).run(steps * ms)
    return model, np.asarray(spikes.t / ms), np.asarray(state.v[0] / mV)


@pytest.mark.parametrize("current", [-1000 * nA, -150 * nA, 40 * nA])
def test_izhikevich_at_1ms_equals_the_numpy_steps(current):
    model, times, v = _izhikevich_at_1ms(current)
    assert model.substeps == 2
    expected_v, expected = _numpy_izhikevich(model, current, 300, 1.0)
    np.testing.assert_allclose(times + 1, expected, atol=1e-9)
    # the monitor records v at the start of each step: the previous step's end, after any reset
    ends = np.where(expected_v >= float(model.v_peak / mV), float(model.c / mV), expected_v)
    np.testing.assert_allclose(v[1:], ends[:-1], rtol=1e-9)


def _stable_point(model, current):
    """The model's stable fixed point under a constant current (u = b·v), in mV."""
    p, q = 5 - model.b, 140 + float(model.R_m * current / mV)
    return (-p - np.sqrt(p * p - 4 * 0.04 * q)) / (2 * 0.04)


@pytest.mark.parametrize("current", [-30 * nA, -70 * nA, -300 * nA, -1000 * nA])
def test_izhikevich_inhibited_settles_silent_at_1ms(current):
    # under constant inhibition the model settles on its stable fixed point and never fires
    model = Izhikevich(I_bias=current, R_m=PAPER_SCALE)
    _, times, v = _izhikevich_at_1ms(current, steps=1000)
    assert len(times) == 0
    np.testing.assert_allclose(v[-1], _stable_point(model, current), atol=1e-6)


@pytest.mark.parametrize("current, substeps", [(-70 * nA, 1), (-300 * nA, 1), (-300 * nA, 2), (-1000 * nA, 2)])
def test_izhikevich_forward_euler_fires_under_inhibition_at_1ms(current, substeps):
    # Forward Euler at 1 ms is unstable on the stable branch: v swings about the fixed point until
    # it crosses v_peak, and the neuron fires every step or every other step (from -55 nA; with two
    # half-steps from -225 nA), the firing that made ED networks of these neurons run away.  The
    # same model with the linearly implicit step is silent (test above).
    model = Izhikevich(I_bias=current, R_m=PAPER_SCALE, substeps=substeps)
    _, spikes = _numpy_izhikevich(model, current, 300, 1.0, implicit=False)
    assert len(spikes) >= 140  # 300 steps: every other step from about step 20 on
    _, spikes = _numpy_izhikevich(model, current, 300, 1.0)
    assert len(spikes) == 0


def test_izhikevich_default_scale_fires_at_working_rates_on_a_few_weight_units():
    # ED's weights are in units of the synapse's w_unit (0.4 nA): three of them bring the LIF to
    # about 100 Hz, and the default 40 MΩ does the same for this neuron, silent on the paper's scale
    drive = 3 * 0.4 * nA
    _, times, _ = _izhikevich_at_1ms(drive, steps=1000, R_m=Izhikevich().R_m)
    assert Izhikevich().R_m == 40 * Mohm and 80 <= len(times) <= 120  # spikes in one second
    assert len(_izhikevich_at_1ms(drive, steps=1000)[1]) == 0


@pytest.mark.parametrize("substeps", [0, -1, 1.5, True])
def test_izhikevich_substeps_must_be_a_positive_integer(substeps):
    with pytest.raises(ValueError, match="substeps must be an integer >= 1"):
        Izhikevich(substeps=substeps)


def test_izhikevich_presets_fire_as_in_the_2003_paper(fine_clock):
    isi = {name: np.diff(_izhikevich_spikes(name)[1]) for name in
           ("regular_spiking", "fast_spiking", "chattering", "intrinsically_bursting")}
    rs, fs, ch, ib = isi["regular_spiking"], isi["fast_spiking"], isi["chattering"], isi["intrinsically_bursting"]
    assert rs[-1] > 1.5 * rs[0]                      # RS: tonic, with adaptation
    assert len(fs) > 2 * len(rs)                     # FS: high rate ...
    assert fs[-1] < 1.2 * fs[2]                      # ... without adaptation
    assert ch.min() < 10 and ch.max() > 20           # CH: bursts (short ISIs within, long between)
    assert np.sum(ch > 20) >= 3                      # ... repeatedly
    assert ib[0] < 10 and np.median(ib[3:]) > 20     # IB: an initial burst, then tonic spikes


def test_da_lif_is_the_lif_at_unit_alpha_and_tau_beta_equal_tau_m():
    coding = SpikeCoding(max_rate=150 * Hz, presentation=50 * ms)
    rates = np.repeat(np.random.default_rng(1).uniform(0, 1, (10, 16)), 2, axis=1) * coding.max_rate
    counts = []
    for neuron in (LIF(), DALIF(alpha=1.0, tau_beta=LIF().tau_m)):
        net = EDNetwork(n_inputs=32, n_classes=2, hidden=(6,), neuron=neuron, coding=coding, batch_size=10,
                        seed=4, device=device_run("numpy"))
        result = net.run(rates, np.arange(10) % 2, learn=True)
        counts.append((result.counts["hidden1"], result.counts["output"], net.get_weights()["output"]))
    for lif, dalif in zip(*counts):
        np.testing.assert_allclose(dalif, lif, rtol=1e-9)


def test_da_lif_alpha_scales_the_input(fine_clock):
    base = LIF(I_bias=0.6 * nA)
    group, spikes, _ = _single(DALIF(I_bias=base.I_bias, alpha=2.0))
    Network(group, spikes).run(1 * second)
    expected = analytic_rate(base, 2 * base.I_bias)  # alpha·I is the input current
    assert abs(spikes.num_spikes * Hz - expected) <= 0.02 * expected + 1 * Hz


@pytest.mark.parametrize("synapse", [AlphaSynapse(tau_syn=4 * ms),
                                     BiexponentialSynapse(tau_rise=1 * ms, tau_decay=6 * ms)])
def test_postsynaptic_current_peaks_at_the_analytic_time_and_amplitude(fine_clock, synapse):
    source = SpikeGeneratorGroup(1, [0], [1 * ms])
    target = neuron_group(LIF(I_bias=0 * nA, v_threshold=100 * mV), 1, "post", synapse=synapse)
    syn = Synapses(source, target, "w : 1", on_pre=synapse.on_pre, namespace=synapse.namespace())
    syn.connect()
    syn.w = 2.0
    state = StateMonitor(target, "I_syn", record=0)
    Network(source, target, syn, state).run(40 * ms)
    current = np.asarray(state.I_syn[0] / nA)
    peak = np.argmax(current)
    expected_peak = synapse.tau_syn if isinstance(synapse, AlphaSynapse) else synapse.peak_time()
    assert abs((state.t[peak] - 1 * ms) - expected_peak) <= 0.1 * ms
    assert current[peak] == pytest.approx(2.0 * float(synapse.w_unit / nA), rel=2e-3)


# -- FReLU rate units (reference model) -------------------------------------------


def test_frelu_is_the_published_unit():
    # the published third version's unit (tests/ed_oracle.py) and the rule's factor y(1 − y) on its output
    u = np.r_[-1e3, -2.0, -1e-9, 0.0, 1e-12, 0.3, 0.999999, 1.0, 1.0 + 1e-12, 1.5, 3.0, 40.0, 1e3,
              np.random.default_rng(2).uniform(-3, 3, 50)]
    expected = np.array([published_frelu(x) for x in u])
    net = EDNetwork(n_inputs=4, n_classes=2, hidden=(len(u),), model="reference", transfer="frelu",
                    device=device_run("numpy"))
    hidden = net.layers["hidden1"]  # both class nets' hidden units
    hidden.u = np.tile(u, 2)
    np.testing.assert_allclose(np.asarray(hidden.y), np.tile(expected, 2), rtol=0, atol=1e-12)
    yd = np.asarray(hidden.yd)  # the activity the rule's factor reads
    np.testing.assert_allclose(yd * (1 - yd), np.tile(expected * (1 - expected), 2), rtol=0, atol=1e-12)
    # the shape §5 describes: 0 up to 0, linear to 1, then σ(2u) — a drop from 1 to ≈ 0.881 at u = 1
    assert expected[:4].max() == 0 and expected[5] == 0.3 and expected[7] == 1.0
    assert expected[8] == pytest.approx(1 / (1 + np.exp(-2)), abs=1e-11)


def test_transfer_is_for_the_reference_model_only():
    with pytest.raises(ValueError, match="transfer chooses the reference model's rate units"):
        EDNetwork(n_inputs=4, n_classes=2, hidden=(2,), transfer="frelu", device=device_run("numpy"))
    with pytest.raises(ValueError, match="transfer must be one of"):
        EDNetwork(n_inputs=4, n_classes=2, hidden=(2,), model="reference", transfer="relu",
                  device=device_run("numpy"))
