"""Network assembly for Kaneko's independent-output architecture, and its runs.

Poisson E/I input pairs feed one chain of hidden layers per output class, each
chain ending in that class's output neuron (ED_SPEC §1).  One Brian2
``NeuronGroup`` holds a layer of all class networks (class net ``c`` owns
neurons ``c*H ... c*H+H-1``); synapses connect within a class net only.

Timing of one batch of ``n`` presentations (one ``run()``; see
``docs/BRIAN2_NOTES``): the batch starts at ``t0``; presentation ``k`` occupies
``[t0 + k*period, t0 + (k+1)*period)``, the stimulus being on for its first
``presentation`` and off for the ``rest``.  The ED rule runs in ``run_regularly``
blocks every ``period``, in the ``end`` slot of the last step of each
presentation, in this order:

====  ==========================================================
order what
====  ==========================================================
1..   rate units (reference model): summed input ``u`` per layer
10    output neurons: error and amines (:data:`~equations.OUTPUT_ERROR`)
11    amine diffusion to the hidden layers (summed variables); inputs set ``s``
12    per-neuron factors of the update (``PRE_FACTORS``, ``POST_GAINS``)
13    ``learn`` events of the presynaptic neurons with an update to make
14    weight updates (:data:`~equations.ED_UPDATE`) of those neurons' synapses
15    monitors record the presentation's counts and activities
16    spike counters reset (and the membrane state, if asked)
====  ==========================================================

The same objects run under the runtime device (numpy or Cython) and under the
standalone devices; see :mod:`edsnn.model.devices`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import (
    Hz,
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
    defaultclock,
    ms,
    nA,
)

from edsnn.data import SpikeCoding
from edsnn.model import equations as eq
from edsnn.model.batch import BatchResult
from edsnn.model.devices import DeviceRun, check_no_network_operation
from edsnn.model.parameters import (
    DeltaSynapse,
    EDParameters,
    ExponentialSynapse,
    LIFParameters,
)
from edsnn.units import check_quantity

__all__ = ["MODELS", "EDNetwork", "BatchResult"]

MODELS = ("spiking", "reference")

#: Current pulse (one time step) of an input spike into the reference model's
#: input LIF.  The published program says 10 pA but multiplies the bare numbers
#: 35 (MΩ) and 10 (pA), so its jump is 35·10·dt/tau_m = 29.2 mV: 10 nA in SI.
#: With it one input spike from rest fires the neuron, as ED_SPEC §2 reports.
REFERENCE_INPUT_PULSE = 10 * nA

# run_regularly / summed-variable order within the "end" slot (module docstring)
_ORDER_FORWARD, _ORDER_ERROR, _ORDER_DIFFUSE, _ORDER_FACTORS = 1, 10, 11, 12
_ORDER_EVENT, _ORDER_UPDATE, _ORDER_RECORD, _ORDER_RESET = 13, 14, 15, 16


class EDNetwork:
    """A Brian2 network trained by the Error-Diffusion rule.

    Parameters
    ----------
    n_inputs : int
        Number of inputs, E/I pairs included (1568 for 28×28 images).
    n_classes : int
        Number of output classes, i.e. of independent class networks.
    hidden : sequence of int
        Hidden layer sizes of each class network, e.g. ``(256,)``.
    model : {"spiking", "reference"}
        Every layer LIF (``"spiking"``), or the published hybrid: Poisson →
        input LIF → sigmoid rate units (``"reference"``).
    neuron : LIFParameters
        Hidden and output LIF neurons (spiking model).
    input_neuron : LIFParameters
        The reference model's input LIF (default: the published program's).
    synapse : ExponentialSynapse or DeltaSynapse
        Kinetics of the spiking synapses.
    ed : EDParameters
        The learning rule and the read-out of activities.
    coding : SpikeCoding
        Maximal input rate, presentation and rest durations, time step.
    seed : int
        Seeds the initial weights and Brian2's random numbers.
    batch_size : int
        Presentations per ``run()``; bounds memory (rates are fed per batch).
    reset_state : bool
        Put membranes back to rest and clear synaptic currents between
        presentations, so that each presentation starts from the same state.
    record_spikes : bool
        Keep spike times of hidden and output layers (memory: 12 B per spike).
    device : DeviceRun, optional
        Where it runs; default: the runtime device with the Cython target.
    """

    def __init__(
        self,
        n_inputs: int,
        n_classes: int,
        hidden=(256,),
        model: str = "spiking",
        neuron: LIFParameters | None = None,
        input_neuron: LIFParameters | None = None,
        synapse: ExponentialSynapse | DeltaSynapse | None = None,
        ed: EDParameters | None = None,
        coding: SpikeCoding | None = None,
        seed: int = 0,
        batch_size: int = 100,
        reset_state: bool = True,
        record_spikes: bool = False,
        device: DeviceRun | None = None,
    ):
        hidden = tuple(int(h) for h in hidden)
        _check_sizes(n_inputs, n_classes, hidden, batch_size)
        if model not in MODELS:
            raise ValueError(f"model must be one of {MODELS} (got {model!r})")
        if model == "reference" and coding is not None and coding.pairs != "shared":
            raise ValueError("the reference model's E/I pairs share one train (the published program); "
                             "coding.pairs='independent' is for the spiking model")
        self.n_inputs, self.n_classes, self.hidden, self.model = n_inputs, n_classes, hidden, model
        self.neuron = neuron or LIFParameters()
        self.input_neuron = input_neuron or LIFParameters.reference_input()
        self.synapse = synapse or ExponentialSynapse()
        self.ed = ed or EDParameters()
        self.coding = coding or SpikeCoding()
        for name, value, kind in [
            ("neuron", self.neuron, LIFParameters),
            ("input_neuron", self.input_neuron, LIFParameters),
            ("synapse", self.synapse, (ExponentialSynapse, DeltaSynapse)),
            ("ed", self.ed, EDParameters),
            ("coding", self.coding, SpikeCoding),
        ]:
            if not isinstance(value, kind):
                raise TypeError(f"{name} must be a {kind} (got {type(value).__name__})")
        self.seed, self.batch_size = int(seed), int(batch_size)
        self.reset_state, self.record_spikes = reset_state, record_spikes
        self.device = device or DeviceRun()
        self.n_pixels = n_inputs // 2 + (1 if self.ed.bias else 0)
        self.device.activate(self.seed)
        self._build()

    # -- assembly --------------------------------------------------------------

    def _namespace(self) -> dict:
        c, ed = self.coding, self.ed
        period = c.presentation + c.rest
        return dict(
            rates_ta=self._rates_ta, label_ta=self._label_ta, learn_ta=self._learn_ta,
            R_max=c.max_rate, presentation=c.presentation, period=period,
            n_steps=float(c.presentation / c.dt), n_max=float(ed.activity_max_rate * c.presentation),
            lr=ed.lr, u0=ed.sig, c0=ed.count_prior, c0y=ed.count_prior if ed.prior_scope == "all" else 0.0,
            **{k: v for k, v in dataclasses.asdict(self.synapse).items()},
        )

    def _build(self):
        c = self.coding
        defaultclock.dt = c.dt
        self.period = c.presentation + c.rest
        n_px = self.n_pixels
        # Per-batch inputs, replaced (same shape) before every batch.
        self._rates_ta = TimedArray(np.zeros((self.batch_size, n_px)) * Hz, dt=self.period, name="rates_ta")
        self._label_ta = TimedArray(np.zeros(self.batch_size), dt=self.period, name="label_ta")
        self._learn_ta = TimedArray(np.zeros(self.batch_size), dt=self.period, name="learn_ta")
        ns = self._namespace()
        gate = eq.GATE_WITH_REST if c.rest > 0 * ms else eq.GATE_ALWAYS

        # Input: Poisson trains at x*R_max (plus Kaneko's bias pair at beta*R_max).
        inp, activity, objects = self._inputs(ns, gate)
        inp.pix = "i // 2"
        inp.sgn = "1 - 2*(i % 2)"  # 2k excitatory, 2k+1 inhibitory
        inp.run_regularly(eq.INPUT_ACTIVITY_CODE.format(input_activity=activity), dt=self.period,
                          when="end", order=_ORDER_DIFFUSE, name="input_activity")
        objects.append(inp)

        # Hidden chains and outputs.
        layers = []
        for number, size in enumerate(self.hidden, start=1):
            layers.append(self._layer(f"hidden{number}", size, ns, output=False))
        output = self._layer("output", 1, ns, output=True)
        layers.append(output)
        objects += layers
        self.layers = {g.name: g for g in layers}

        # Learning synapses between consecutive layers, within a class net.
        post_gains = eq.POST_GAINS.format(post_sign=eq.POST_SIGN[self.ed.sign_rule])
        for group in [inp, *layers]:
            code = post_gains if group is not inp else ""
            if group is not output:
                clock = "period" if group.clock.dt == self.period != c.dt else "step"
                code += eq.PRE_FACTORS.format(learning=eq.LEARNING_GATE[clock])
                group.set_event_schedule("learn", when="end", order=_ORDER_EVENT)
            group.run_regularly(code, dt=self.period, when="end", order=_ORDER_FACTORS, name=f"{group.name}_factors")
        self.synapses, self._signs = {}, {}
        rng = np.random.default_rng(self.seed)
        pre = inp
        for post in layers:
            syn = self._learning_synapses(pre, post, ns)
            syn.learn.when, syn.learn.order = "end", _ORDER_UPDATE
            signs = self._signs[post.name]
            initial = rng.uniform(self.ed.w1, self.ed.w2, size=signs.size) * signs
            self.device.set_weights(self, syn, self._to_synapse_order(post.name, initial))
            self.synapses[post.name] = syn
            objects.append(syn)
            pre = post

        # Amines from each output neuron to the hidden neurons of its class net.
        n_hidden = len(self.hidden)
        for number, size in enumerate(self.hidden, start=1):
            factor = self.ed.dif ** (n_hidden - number + 1) if self.ed.diffusion == "compound" else self.ed.dif
            diffuse = Synapses(
                output, self.layers[f"hidden{number}"], eq.AMINE_DIFFUSION,
                namespace={"factor": factor}, dt=self.period, name=f"amine_hidden{number}",
            )  # on the presentation clock: the amines are needed once per presentation
            diffuse.connect(i=np.repeat(np.arange(self.n_classes), size), j=np.arange(self.n_classes * size))
            for updater in diffuse.summed_updaters.values():
                updater.when, updater.order = "end", _ORDER_DIFFUSE
            objects.append(diffuse)

        output.run_regularly(eq.OUTPUT_ERROR, dt=self.period, when="end", order=_ORDER_ERROR, name="ed_error")
        for group in [inp, *layers]:
            if "cnt" in group.variables:
                code = eq.RESET_COUNTS + ("\nq = 0" if "q" in group.variables else "")
                if self.reset_state and "I_syn" in group.variables:
                    code += "\n" + eq.RESET_STATE
                elif self.reset_state and "v" in group.variables:
                    code += "\nv = v_rest"
                group.run_regularly(code, dt=self.period, when="end", order=_ORDER_RESET, name=f"{group.name}_reset")
        self._objects = objects
        self.network = Network(objects, name="ednet")
        self._monitors = []
        self._add_monitors()
        check_no_network_operation(self.network, self.device)

    def _inputs(self, ns, gate):
        """The first layer: E/I input pairs, their activity ``s`` in the update, and the groups feeding them.

        Pairs of independent trains are Poisson neurons themselves.  Shared
        pairs (and the reference model) have a "retina" of one Poisson neuron
        per pixel whose spikes reach both inputs of the pair one step later:
        relay neurons (spiking model) or the published program's input LIFs.
        """
        c, n_px = self.coding, self.n_pixels
        n_in = 2 * n_px
        threshold = eq.POISSON_THRESHOLD.format(gate=gate)
        if c.pairs == "independent":
            inp = NeuronGroup(n_in, eq.POISSON_INPUT, threshold=threshold, reset="cnt += 1",
                              events={"learn": eq.LEARN_EVENT}, namespace=ns, name="input")
            return inp, eq.INPUT_ACTIVITY[self.ed.input_activity], []
        # One Poisson train per pixel drives both inputs of its pair, one step later.
        retina = NeuronGroup(n_px, eq.POISSON_INPUT, threshold=threshold, namespace=ns, name="retina")
        retina.pix = "i"
        if self.model == "spiking":
            inp = NeuronGroup(n_in, eq.RELAY_INPUT, threshold="fired > 0.5", reset="fired = 0; cnt += 1",
                              events={"learn": eq.LEARN_EVENT}, namespace=ns, name="input")
            on_pre, drive_ns = "fired_post = 1", {}
            activity = eq.INPUT_ACTIVITY[self.ed.input_activity]
        else:
            p = self.input_neuron
            inp = NeuronGroup(
                n_in, eq.REFERENCE_INPUT_LIF,
                threshold="v > v_threshold", reset="v = v_reset; cnt += 1",
                refractory=p.tau_ref, method="euler", events={"learn": eq.LEARN_EVENT}, name="input_lif",
                namespace=dict(ns, v_rest=p.v_rest, tau_m=p.tau_m, R_m=p.R_m, I_bias=p.I_bias,
                               v_threshold=p.v_threshold, v_reset=p.v_reset),
            )
            inp.v = p.v_rest
            # One Euler step of the input pulse: a jump of R·I·dt/tau_m.
            on_pre, drive_ns = "v_post += jump", {"jump": p.R_m * REFERENCE_INPUT_PULSE * c.dt / p.tau_m}
            activity = eq.REFERENCE_INPUT_ACTIVITY[self.ed.input_activity]
        drive = Synapses(retina, inp, on_pre=on_pre, namespace=drive_ns, name="retina_to_input")
        drive.connect(i=np.arange(n_in) // 2, j=np.arange(n_in))
        return inp, activity, [retina, drive]

    def _layer(self, name, size, ns, output):
        n = self.n_classes * size
        if self.model == "spiking":
            group = lif_group(n, self.neuron, self.synapse.kind, name, ns)
        else:
            # Hidden rate units change once per presentation: their clock is the
            # period.  The output keeps the step clock, because a TimedArray
            # rounds its time argument to its owner's dt (the label look-up
            # would then read the next presentation's label).
            group = NeuronGroup(
                n, eq.RATE_UNIT + eq.LEARNING_UNIT, events={"learn": eq.LEARN_EVENT}, namespace=ns,
                dt=None if output else self.period, name=name,
            )
        group.cls = f"i // {size}"
        group.sgn = "1" if output else f"1 - 2*((i % {size}) % 2)"  # E, I, E, I …; output E
        return group

    def _learning_synapses(self, pre, post, ns):
        is_output = post.name == "output"
        # The ED update is a pathway of its own, triggered by the presynaptic "learn" event.
        if self.model == "spiking":
            forward = eq.ON_PRE[self.synapse.kind] + ("\nq_post += w" if is_output else "")
            # Scalar delays: per-synapse delay arrays would cost 8 B per synapse and pathway.
            syn = Synapses(pre, post, eq.SYNAPSE, on_pre={"pre": forward, "learn": eq.ED_UPDATE},
                           on_event={"pre": "spike", "learn": "learn"}, delay={"pre": 0 * ms, "learn": 0 * ms},
                           namespace=ns, name=f"w_{post.name}")
        else:
            syn = Synapses(pre, post, eq.SYNAPSE + eq.RATE_FORWARD, on_pre={"learn": eq.ED_UPDATE},
                           on_event={"learn": "learn"}, delay={"learn": 0 * ms}, namespace=ns, name=f"w_{post.name}")
            syn.summed_updaters["u_post"].when = "end"
            syn.summed_updaters["u_post"].order = _ORDER_FORWARD + list(self.layers).index(post.name)
        # Synapses are generated by code (nothing to load per standalone execution),
        # presynaptic neuron by neuron: (input, class, unit) for the input layer,
        # which every class net shares, else (class, pre unit, post unit) as in the
        # weight layout (see _layout).
        shape = self._shape(post.name)
        n_pre, n_post = shape[1], (1 if is_output else shape[2])
        if pre.name in ("input", "input_lif"):
            syn.connect()
        elif is_output:
            syn.connect(j=f"i // {n_pre}")
        else:
            syn.connect(j=f"k for k in range((i // {n_pre}) * {n_post}, (i // {n_pre} + 1) * {n_post})")
        c, p, u = (a.ravel() for a in np.meshgrid(
            np.arange(self.n_classes), np.arange(n_pre), np.arange(n_post), indexing="ij"))
        pre_sign = 1 - 2 * (p % 2)  # inputs 2k E; hidden units E, I, E, I …
        post_sign = np.ones_like(u) if is_output else 1 - 2 * (u % 2)
        self._signs[post.name] = (pre_sign * post_sign if self.ed.sign_rule == "kaneko" else pre_sign).astype(float)
        return syn

    def _add_monitors(self):
        for mon in self._monitors:
            self.network.remove(mon)
        self._monitors = []
        for name, group in self.layers.items():
            variables = ["y"] + (["cnt"] if "cnt" in group.variables else []) + (
                ["q"] if name == "output" and "q" in group.variables else [])
            mon = StateMonitor(group, variables, record=True, dt=self.period, when="end",
                               order=_ORDER_RECORD, name=f"record_{name}")
            self._monitors.append(mon)
        if self.record_spikes and self.model == "spiking":
            self._monitors += [SpikeMonitor(g, name=f"spikes_{n}") for n, g in self.layers.items()]
        self.network.add(self._monitors)

    # -- running ---------------------------------------------------------------

    def run(self, rates, labels, learn) -> BatchResult:
        """Present a batch of stimuli; learn from those with ``learn`` true.

        Parameters
        ----------
        rates : Quantity
            Input rates in Hz, shape (n_presentations, n_inputs), E/I pairs as
            columns ``2k``/``2k+1`` with equal rates (see
            :func:`edsnn.data.rate_chunks`). At most ``batch_size`` rows.
        labels : array of int
            Class of each presentation, shape (n_presentations,).
        learn : bool or array of bool
            Whether the ED rule updates the weights after each presentation.

        Returns
        -------
        BatchResult
        """
        check_quantity("rates", rates, 1 * Hz)
        rates = np.asarray(rates / Hz, dtype=float)
        labels = np.asarray(labels)
        n = len(labels)
        if rates.ndim != 2 or rates.shape != (n, self.n_inputs):
            raise ValueError(
                f"rates must have shape (n_presentations, {self.n_inputs}) = ({n}, {self.n_inputs}) "
                f"(got {rates.shape})"
            )
        if not 1 <= n <= self.batch_size:
            raise ValueError(f"a batch holds 1 to {self.batch_size} presentations (got {n})")
        if not np.array_equal(rates[:, 0::2], rates[:, 1::2]):
            raise ValueError("rates of an E/I pair (columns 2k and 2k+1) must be equal")
        if labels.min() < 0 or labels.max() >= self.n_classes:
            raise ValueError(f"labels must lie in 0..{self.n_classes - 1}")
        pixel_rates = np.zeros((self.batch_size, self.n_pixels))
        pixel_rates[:n, : self.n_inputs // 2] = rates[:, 0::2]
        if self.ed.bias:
            pixel_rates[:, -1] = self.ed.ami * float(self.coding.max_rate / Hz)
        padded_labels = np.zeros(self.batch_size)
        padded_labels[:n] = labels
        learn_flags = np.zeros(self.batch_size)
        learn_flags[:n] = np.broadcast_to(np.asarray(learn, dtype=float), (n,))
        recorded = self.device.run_batch(self, pixel_rates * Hz, padded_labels, learn_flags, n)
        return recorded

    def get_weights(self) -> dict:
        """Weights per target layer (copies).

        Layout: ``"hidden1"`` → (n_classes, n_inputs, H1) (plus 2 bias inputs
        if ``ed.bias``); ``"hiddenL"`` → (n_classes, H_{L-1}, H_L);
        ``"output"`` → (n_classes, H_last).
        """
        return {
            name: self._to_layout(name, self.device.get_weights(self, syn))
            for name, syn in self.synapses.items()
        }

    def set_weights(self, weights: dict):
        """Load weights in the layout of :meth:`get_weights` (refused if any breaks the sign rule)."""
        for name, syn in self.synapses.items():
            if name not in weights:
                raise KeyError(f"weights lack layer {name!r}")
            array = np.asarray(weights[name], dtype=float)
            if array.shape != self._shape(name):
                raise ValueError(f"weights of {name!r} must have shape {self._shape(name)} (got {array.shape})")
            if np.any(array.ravel() * self._signs[name] < 0):
                raise ValueError(f"weights of {name!r} break the {self.ed.sign_rule} sign rule")
            self.device.set_weights(self, syn, self._to_synapse_order(name, array))

    def weight_signs(self, name: str) -> np.ndarray:
        """Sign every weight of layer ``name`` must keep, in the layout of :meth:`get_weights`."""
        return self._signs[name].reshape(self._shape(name))

    def _to_layout(self, name, values):
        """Weights in synapse order → the (class, pre, post) layout of :meth:`get_weights`."""
        shape = self._shape(name)
        if name == "hidden1":  # synapses in (input, class, unit) order
            return values.reshape(shape[1], shape[0], shape[2]).transpose(1, 0, 2).copy()
        return values.reshape(shape)

    def _to_synapse_order(self, name, array):
        """Inverse of :meth:`_to_layout`: a flat array in synapse order."""
        array = np.asarray(array).reshape(self._shape(name))
        return (array.transpose(1, 0, 2) if name == "hidden1" else array).ravel()

    def _shape(self, name):
        sizes = [self.n_inputs + (2 if self.ed.bias else 0), *self.hidden]
        names = [f"hidden{k}" for k in range(1, len(self.hidden) + 1)] + ["output"]
        index = names.index(name)
        if name == "output":
            return (self.n_classes, sizes[index])
        return (self.n_classes, sizes[index], sizes[index + 1])


def lif_group(n, neuron: LIFParameters, synapse_kind: str, name: str, namespace: dict):
    """A ``NeuronGroup`` of ``n`` LIF neurons (:data:`~equations.LIF`) at rest, with the ``learn`` event.

    ``namespace`` must bind the synapse constants, ``n_max``, ``c0`` and ``c0y``; the neuron's
    own parameters are taken from ``neuron``.
    """
    group = NeuronGroup(
        n, eq.LIF.format(synaptic_current=eq.SYNAPTIC_CURRENT[synapse_kind]) + eq.LEARNING_UNIT,
        threshold="v > v_threshold", reset="v = v_reset; cnt += 1", events={"learn": eq.LEARN_EVENT},
        refractory=neuron.tau_ref, method="exact",
        namespace=dict(namespace, v_rest=neuron.v_rest, tau_m=neuron.tau_m, R_m=neuron.R_m,
                       I_bias=neuron.I_bias, v_threshold=neuron.v_threshold, v_reset=neuron.v_reset),
        name=name,
    )
    group.v = neuron.v_rest
    return group


def _check_sizes(n_inputs, n_classes, hidden, batch_size):
    if not isinstance(n_inputs, (int, np.integer)) or n_inputs < 2 or n_inputs % 2:
        raise ValueError(f"n_inputs must be an even number >= 2 (E/I pairs); got {n_inputs!r}")
    if not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2; got {n_classes!r}")
    if len(hidden) == 0 or any(h < 1 for h in hidden):
        raise ValueError(f"hidden must list at least one layer size >= 1; got {hidden!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size!r}")

