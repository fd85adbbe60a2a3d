"""Network assembly of Kaneko's independent-output architecture from parts.

Poisson E/I input pairs (:mod:`~edsnn.networks.ed.inputs`) feed one chain of hidden
layers per output class, each chain ending in that class's output neuron
(docs/ed_rule.md).  One Brian2 ``NeuronGroup`` holds a layer of all class
networks (class net ``c`` owns neurons ``c*H ... c*H+H-1``); synapses connect
within a class net only.  Each layer is built from a neuron model
(:mod:`~edsnn.model.neurons`, which may differ per layer), the synapses from a
synapse model (:mod:`~edsnn.model.synapses`), and the learning rule
(:mod:`~edsnn.model.ed_rule`) adds its variables and scheduled code.

Timing of one batch of ``n`` presentations (one ``run()``; docs/devices.md):
the batch starts at ``t0``; presentation ``k`` occupies
``[t0 + k*period, t0 + (k+1)*period)``, the stimulus being on for its first
``presentation`` and off for the ``rest``.  The scheduled code runs every
``period``, in the ``end`` slot of the last step of each presentation, in the
order of :data:`edsnn.model.rules.ORDER` (the rule's blocks, then the monitors
record the presentation, then counters and state reset).

The same objects run under the runtime device (numpy or Cython) and under the
standalone devices; see :mod:`edsnn.model.devices`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from brian2 import Hz, Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, TimedArray, defaultclock, ms
from brian2.core.variables import Subexpression

from edsnn.data import SpikeCoding
from edsnn.model.devices import DeviceRun, check_no_network_operation
from edsnn.model.ed_rule import EDParameters, EDRule
from edsnn.model.neurons import LIF, RATE_UNITS, NeuronModel, ReferenceInputLIF, neuron_group
from edsnn.model.rules import ORDER
from edsnn.model.synapses import ExponentialSynapse, SynapseModel
from edsnn.networks.ed import layout
from edsnn.networks.ed.batch import BatchResult
from edsnn.networks.ed.inputs import input_layer
from edsnn.units import check_quantity

__all__ = ["MODELS", "EDNetwork", "BatchResult"]

MODELS = ("spiking", "reference")

#: What every hidden and output unit holds for the architecture.
UNIT = """
sgn : 1 (constant)         # +1 excitatory, -1 inhibitory
cls : integer (constant)   # class network the unit belongs to
t0 : second (shared)       # start of the current batch of presentations
"""

#: Spike counter of a spiking layer (the activity read-out and the records).
COUNTER = "cnt : 1                    # spikes in the current presentation\n"

#: Output read-out tie-break: summed weight of the spikes received.
TIE_BREAK = "q : 1                      # summed weight of the spikes received (read-out tie-break)\n"

#: Forward pass of a rate unit: the summed input of the presentation.
RATE_FORWARD = "u_post = w * r_pre : 1 (summed)\n"

#: Forward activity a rate unit sends to the next layer.
RATE_OUTPUT = "r = y : 1                  # forward activity sent to the next layer\n"


class EDNetwork:
    """A Brian2 network trained by the Error-Diffusion rule.

    Parameters
    ----------
    n_inputs : int
        Number of inputs, E/I pairs included (1568 for 28×28 images).
    n_classes : int
        Number of output classes, i.e. of independent class networks.
    hidden : int or sequence of int
        Hidden layer sizes of each class network (an int: one layer); default ``(128,)`` as ``edsnn train``.
    model : {"spiking", "reference"}
        Every layer spiking (``"spiking"``), or the published hybrid: Poisson →
        input LIF → sigmoid rate units (``"reference"``).
    neuron : NeuronModel, sequence or mapping of them
        Neuron model of the hidden and output layers (spiking model): one for
        all, one per layer (``hidden1 …, output``), or a mapping layer name →
        model (missing layers get :class:`~edsnn.model.neurons.LIF`).
    input_neuron : NeuronModel
        The reference model's input neuron (default: the published program's).
    transfer : {"sigmoid", "frelu"}
        Rate units of the reference model's hidden and output layers
        (:data:`~edsnn.model.neurons.RATE_UNITS`): the published sigmoid (gain
        ``u0`` = ``ed.sig``), or the published third version's "FReLU".
    synapse : SynapseModel
        Kinetics of the spiking synapses.
    ed : EDParameters
        The learning rule and the read-out of activities.
    coding : SpikeCoding
        Maximal input rate, presentation and rest durations, time step.
    seed : int
        Seeds the initial weights and Brian2's random numbers.
    batch_size : int
        Presentations per ``run()``; bounds memory (rates are fed per batch).
        Default 500, as ``edsnn train``.
    reset_state : bool
        Put neuron and synaptic state back to rest between presentations, so
        that each presentation starts from the same state.
    record_spikes : bool
        Keep spike times of hidden and output layers (memory: 12 B per spike).
    device : DeviceRun, optional
        Where it runs; default: the runtime device with the Cython target.
    fuse_pairs : bool
        With shared pairs (spiking model), one synapse per pixel and target
        carries both weights of the pair: half the spike events, the same
        dynamics (False: one synapse per input, to compare).
    classes : (int, int), optional
        Build only the class networks ``first … stop - 1`` (a shard; default
        all).  Class networks are independent given the input spikes, so a
        shard learns exactly as those class networks of the whole network:
        its initial weights are the whole network's draw, sliced, and its
        weights (:meth:`get_weights`) are shaped for its classes only.
    """

    def __init__(
        self,
        n_inputs: int,
        n_classes: int,
        hidden=(128,),
        model: str = "spiking",
        neuron: NeuronModel | Sequence | Mapping | None = None,
        input_neuron: NeuronModel | None = None,
        transfer: str = "sigmoid",
        synapse: SynapseModel | None = None,
        ed: EDParameters | None = None,
        coding: SpikeCoding | None = None,
        seed: int = 0,
        batch_size: int = 500,
        reset_state: bool = True,
        record_spikes: bool = False,
        device: DeviceRun | None = None,
        fuse_pairs: bool = True,
        classes: tuple | None = None,
    ):
        hidden = (hidden,) if isinstance(hidden, int) else tuple(int(h) for h in hidden)
        _check_sizes(n_inputs, n_classes, hidden, batch_size)
        if model not in MODELS:
            raise ValueError(f"model must be one of {MODELS} (got {model!r})")
        if coding is not None and coding.code == "latency" and (ed or EDParameters()).input_activity == "count":
            raise ValueError("a latency code carries the pixel value in its spike time, not its count: "
                             "use ed.input_activity='rate' (the default)")
        if model == "reference" and coding is not None and coding.pairs != "shared":
            raise ValueError("the reference model's E/I pairs share one train (the published program); "
                             "coding.pairs='independent' is for the spiking model")
        if transfer not in RATE_UNITS:
            raise ValueError(f"transfer must be one of {tuple(RATE_UNITS)} (got {transfer!r})")
        if model == "spiking" and transfer != "sigmoid":
            raise ValueError("transfer chooses the reference model's rate units; the spiking model's "
                             "layers are neuron models (neuron=...)")
        self.n_inputs, self.n_classes, self.hidden, self.model = n_inputs, n_classes, hidden, model
        self.classes = _class_range(classes, n_classes)
        #: Class networks this object holds (all of them, or a shard's).
        self.class_networks = len(self.classes)
        names = [f"hidden{k}" for k in range(1, len(hidden) + 1)] + ["output"]
        # The reference model's layers are rate units (the published program's sigmoid by default).
        self.neurons = _per_layer(neuron, names) if model == "spiking" else {
            name: RATE_UNITS[transfer].from_ed(ed or EDParameters()) for name in names}
        self.input_neuron = input_neuron or ReferenceInputLIF()
        self.synapse = synapse or ExponentialSynapse()
        self.ed = ed or EDParameters()
        self.coding = coding or SpikeCoding()
        for name, value, kind in [
            ("input_neuron", self.input_neuron, NeuronModel),
            ("synapse", self.synapse, SynapseModel),
            ("ed", self.ed, EDParameters),
            ("coding", self.coding, SpikeCoding),
        ]:
            if not isinstance(value, kind):
                raise TypeError(f"{name} must be a {kind.__name__} (got {type(value).__name__})")
        self.seed, self.batch_size = int(seed), int(batch_size)
        self.reset_state, self.record_spikes = reset_state, record_spikes
        self.device = device or DeviceRun()
        self.fuse_pairs = bool(fuse_pairs)
        self.n_pixels = n_inputs // 2 + (1 if self.ed.bias else 0)
        self.rule = EDRule(self.ed, self.coding.presentation)
        self.device.activate(self.seed)
        self._build()

    @property
    def neuron(self) -> NeuronModel:
        """Neuron model of the first hidden layer (all layers: :attr:`neurons`)."""
        return self.neurons["hidden1"]

    # -- assembly --------------------------------------------------------------

    def _build(self):
        c = self.coding
        defaultclock.dt = c.dt
        self.period = c.presentation + c.rest
        # Per-batch inputs, replaced (same shape) before every batch.
        self.batch_inputs = {
            "rates": TimedArray(np.zeros((self.batch_size, self.n_pixels)) * Hz, dt=self.period, name="rates_ta"),
            "labels": TimedArray(np.zeros(self.batch_size), dt=self.period, name="label_ta"),
            "learn": TimedArray(np.zeros(self.batch_size), dt=self.period, name="learn_ta"),
        }
        ns = dict(
            rates_ta=self.batch_inputs["rates"], label_ta=self.batch_inputs["labels"],
            learn_ta=self.batch_inputs["learn"], presentation=c.presentation,
            period=self.period, n_steps=float(c.presentation / c.dt), **self.rule.namespace(),
        )
        first = input_layer(self.n_pixels, c.pairs, self.rule, ns, rest=c.rest > 0 * ms,
                            neuron=self.input_neuron if self.model == "reference" else None,
                            code=c.code, fuse=self.fuse_pairs)
        self.input_group, self.input_count_activity = first.group, first.count_activity
        for group in (first.group, *first.objects):
            if isinstance(group, NeuronGroup) and "R_max" in group.variables:  # a synapse only sees its groups'
                self.device.set_parameter(group, "R_max", float(c.max_rate / Hz))
        self.fused_pairs = first.fused
        self.layers = {}
        for number, size in enumerate(self.hidden, start=1):
            self.layers[f"hidden{number}"] = self._layer(f"hidden{number}", size, ns)
        self.layers["output"] = self._layer("output", 1, ns)

        self.synapses, self._signs = {}, {}
        rng = np.random.default_rng(self.seed)
        pre = self.input_group
        for name, post in self.layers.items():
            syn = self._learning_synapses(pre, post, ns)
            self.synapses[name] = syn
            self._write_weights(name, self._to_synapse_order(name, self._initial_weights(name, rng)))
            pre = post
        rule_objects = self.rule.schedule(self)
        self._schedule_rest(self.input_group, first.rest_state)
        for name, group in self.layers.items():
            rest = {} if self.model == "reference" else dict(self.neurons[name].rest_state, **self.synapse.rest_state)
            self._schedule_rest(group, rest)
        self.network = Network([*first.objects, self.input_group, *self.layers.values(),
                                *self.synapses.values(), *rule_objects], name="ednet")
        self.recorders = []
        self.reset_recorders()
        check_no_network_operation(self.network, self.device)

    def _initial_weights(self, name, rng) -> np.ndarray:
        """Layer ``name``'s first weights: drawn for all class networks (class-major), this object's sliced."""
        shape = self._shape(name)
        whole = (self.n_classes, *shape[1:])
        signs = self._signs[name].reshape(shape)[:1]  # every class network has the same signs
        drawn = rng.uniform(self.ed.w1, self.ed.w2, size=int(np.prod(whole))).reshape(whole) * signs
        initial = self.rule.initial_weights(drawn, layout.sign(np.arange(shape[1])))
        return initial[self.classes.start:self.classes.stop]

    def _layer(self, name, size, ns):
        n, output = self.class_networks * size, name == "output"
        if self.model == "spiking":
            model = self.neurons[name]
            extra = UNIT + COUNTER + (TIE_BREAK if output else "") + self.rule.unit_equations(model)
            group = neuron_group(model, n, name, synapse=self.synapse, equations=extra, on_spike="cnt += 1",
                                 events=self.rule.events, namespace=ns)
        else:
            # Hidden rate units change once per presentation: their clock is the
            # period.  The output keeps the step clock, because a TimedArray
            # rounds its time argument to its owner's dt (the label look-up
            # would then read the next presentation's label).
            model = self.neurons[name]
            extra = RATE_OUTPUT + UNIT + self.rule.unit_equations(model)
            group = neuron_group(model, n, name, equations=extra, events=self.rule.events, namespace=ns,
                                 dt=None if output else self.period)
        # Values, not code: shards of equal size then share one program (and one Cython build).
        group.cls = self.classes.start + np.arange(n) // size
        group.sgn = "1" if output else layout.SIGN_CODE.format(index=f"i % {size}")
        return group

    def _schedule_rest(self, group, rest_state):
        """Counters (and, if asked, ``rest_state``) back to rest at the start of a presentation."""
        if "cnt" not in group.variables:
            return
        code = ["cnt = 0", self.rule.rest_code] + (["q = 0"] if "q" in group.variables else [])
        if self.reset_state:
            code += [f"{var} = {value}" for var, value in rest_state.items()]
        group.run_regularly("\n".join(c for c in code if c), dt=self.period, when="end", order=ORDER["reset"],
                            name=f"{group.name}_reset")

    def _learning_synapses(self, pre, post, ns):
        is_output, is_rate = post.name == "output", self.model == "reference"
        fused = pre is self.input_group and self.fused_pairs
        pathways = dict(self.rule.pair_pathways if fused else self.rule.pathways)
        forward = pathways.pop("pre").code if "pre" in pathways else ""
        if not is_rate:
            forward = "\n".join(c for c in (self.synapse.on_pre, "q_post += w" if is_output else "", forward) if c)
        on_pre = {name: p.code for name, p in pathways.items() if p.source == "pre"}
        on_post = {name: p.code for name, p in pathways.items() if p.source == "post"}
        events = {name: p.event for name, p in pathways.items()}
        if forward:
            on_pre["pre"], events["pre"] = forward, "spike"
        # Scalar zero delays: per-synapse delay arrays would cost 8 B per synapse and pathway, and
        # without delay the synaptic code reads each event's synapses in place (edsnn.model.zero_delay).
        space = dict(ns, **self.synapse.namespace())
        if is_rate:  # the summed forward pass reads the rate units' activity f(u), hence their gain
            space.update(self.neurons[post.name].namespace())
        equations = self.rule.pair_synapse_equations if fused else self.rule.synapse_equations
        syn = Synapses(pre, post, equations + (RATE_FORWARD if is_rate else ""),
                       on_pre=on_pre, on_post=on_post or None, on_event=events,
                       delay={name: 0 * ms for name in [*on_pre, *on_post]}, namespace=space, name=f"w_{post.name}",
                       codeobj_class=self.device.zero_delay_code)
        for name, p in pathways.items():
            if p.when is not None:
                getattr(syn, name).when, getattr(syn, name).order = p.when, p.order
        if is_rate:
            syn.summed_updaters["u_post"].when = "end"
            syn.summed_updaters["u_post"].order = ORDER["forward"] + list(self.layers).index(post.name)
        self._connect(syn, pre, post)
        return syn

    def _connect(self, syn, pre, post):
        """Synapses generated by code (nothing to load per standalone execution),
        presynaptic neuron by neuron: (input, class, unit) for the input layer,
        which every class net shares, else (class, pre unit, post unit)."""
        name = post.name
        shape = self._shape(name)
        n_pre, n_post = shape[1], (1 if name == "output" else shape[2])
        if pre is self.input_group:
            syn.connect()
        elif name == "output":
            syn.connect(j=f"i // {n_pre}")
        else:
            syn.connect(j=f"k for k in range((i // {n_pre}) * {n_post}, (i // {n_pre} + 1) * {n_post})")
        _, p, u = (a.ravel() for a in np.meshgrid(
            np.arange(self.class_networks), np.arange(n_pre), np.arange(n_post), indexing="ij"))
        self._signs[name] = self.rule.signs(layout.sign(p), layout.sign(u, output=name == "output"))

    def reset_recorders(self):
        """Fresh monitors of every layer's activity and counts (and spikes, if asked)."""
        for mon in self.recorders:
            self.network.remove(mon)
        self.recorders = []
        for name, group in self.layers.items():
            variables = ["y"] + [v for v in ("cnt", "q") if v in group.variables and (v == "cnt" or name == "output")]
            self.recorders.append(StateMonitor(group, variables, record=True, dt=self.period, when="end",
                                               order=ORDER["record"], name=f"record_{name}"))
        if self.record_spikes and self.model == "spiking":
            self.recorders += [SpikeMonitor(g, name=f"spikes_{n}") for n, g in self.layers.items()]
        self.network.add(self.recorders)

    # -- running ---------------------------------------------------------------

    def run(self, rates, labels, learn) -> BatchResult:
        """Present a batch of stimuli; learn from those with ``learn`` > 0.

        Parameters
        ----------
        rates : Quantity
            Input rates in Hz, shape (n_presentations, n_inputs), E/I pairs as
            columns ``2k``/``2k+1`` with equal rates (see
            :func:`edsnn.data.rate_chunks`). At most ``batch_size`` rows.
        labels : array of int
            Class of each presentation, shape (n_presentations,).
        learn : bool, float or array of them
            Whether the ED rule updates the weights after each presentation
            (0 or False: no), and with what factor on its learning rate
            (True is 1; the amines are scaled by it).
            A batch without learning also leaves the neuron models' kept state
            (e.g. a homeostatic threshold) as it was, so that a test does not
            change the network.

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
        if not np.all(np.isfinite(learn_flags) & (learn_flags >= 0)):
            raise ValueError(f"learn must be finite and >= 0: a factor on the learning rate (got {learn!r})")
        kept = self._kept_arrays()
        before = {key: self.device.get_array(*array) for key, array in kept.items()} if not learn_flags.any() else {}
        records, spikes = self.device.run_batch(self, pixel_rates * Hz, padded_labels, learn_flags, n)
        for key, values in before.items():  # a test batch leaves the kept state as it found it
            self.device.set_array(*kept[key], values)
        return self._result(records, spikes)

    def _result(self, records, spikes) -> BatchResult:
        """The batch's records → :class:`BatchResult`, with the read-out's score.

        Spiking: the output's count plus a tie-break in (-0.5, 0.5) from the
        summed input weight; reference: the sigmoid output.
        """
        activity = {layer: rec["y"] for layer, rec in records.items()}
        counts = {layer: rec["cnt"].round().astype(np.int32) for layer, rec in records.items() if "cnt" in rec}
        out = records["output"]
        score = counts["output"] + 0.5 * out["q"] / (1 + np.abs(out["q"])) if "q" in out else activity["output"]
        return BatchResult(activity=activity, counts=counts or None, score=score, spikes=spikes or None)

    def learned_arrays(self) -> dict:
        """What learning changes and a run must keep: key → (Brian2 object, variable).

        ``"hidden1"`` … ``"output"``: the weights of the synapses onto that
        layer (``"hidden1:w_e"``, ``"hidden1:w_i"`` for fused pairs);
        ``"<layer>.<var>"``: a neuron model's ``kept_state`` (e.g. a
        homeostatic threshold), one value per neuron of the layer.
        """
        arrays = {}
        for name, syn in self.synapses.items():
            names = self._weight_variables(name) + (("w",) if self._keeps_pair_sum(name) else ())
            arrays.update({name if var == "w" and len(names) == 1 else f"{name}:{var}": (syn, var) for var in names})
        return dict(arrays, **self._kept_arrays())

    def _kept_arrays(self) -> dict:
        return {f"{name}.{var}": (group, var) for name, group in self.layers.items()
                for var in self.neurons[name].kept_state}

    def get_weights(self) -> dict:
        """Weights per target layer, and the kept neuron state (copies).

        Layout: ``"hidden1"`` → (C, n_inputs, H1) (plus 2 bias inputs
        if ``ed.bias``); ``"hiddenL"`` → (C, H_{L-1}, H_L);
        ``"output"`` → (C, H_last); ``"<layer>.<var>"`` → (C,
        layer size), C being :attr:`class_networks` in SI units without the unit, for each variable a layer's neuron
        model keeps across presentations.
        """
        out = {name: self._to_layout(name, self._read_weights(name)) for name in self.synapses}
        for key, (obj, var) in self._kept_arrays().items():
            out[key] = self.device.get_array(obj, var).reshape(self.class_networks, -1)
        return out

    def set_weights(self, weights: dict):
        """Load what :meth:`get_weights` gave (refused if a weight breaks the sign rule).

        Kept neuron state missing from ``weights`` (a run saved before its
        model kept any) stays as it is.
        """
        for key in self.synapses:
            if key not in weights:
                raise KeyError(f"weights lack layer {key!r}")
            array = np.asarray(weights[key], dtype=float)
            if array.shape != self._shape(key):
                raise ValueError(f"weights of {key!r} must have shape {self._shape(key)} (got {array.shape})")
            if np.any(array.ravel() * self._signs[key] < 0):
                raise ValueError(f"weights of {key!r} break the {self.ed.sign_rule} sign rule")
            self._write_weights(key, self._to_synapse_order(key, array))
        for key, (obj, var) in self._kept_arrays().items():
            if key in weights:
                self.device.set_array(obj, var, np.asarray(weights[key], dtype=float).ravel())

    def _weight_variables(self, name) -> tuple:
        """Synapse variables of layer ``name``'s weights: ``w``, or a fused pair's two."""
        return ("w_e", "w_i") if name == "hidden1" and self.fused_pairs else ("w",)

    def _keeps_pair_sum(self, name) -> bool:
        """Whether layer ``name`` is fused pairs whose rule keeps ``w = w_e + w_i`` as a variable."""
        return len(self._weight_variables(name)) == 2 and not isinstance(self.synapses[name].variables["w"],
                                                                        Subexpression)

    def _read_weights(self, name) -> np.ndarray:
        """Layer ``name``'s weights in synapse order, one synapse per input."""
        parts = [self.device.get_array(self.synapses[name], var) for var in self._weight_variables(name)]
        return parts[0] if len(parts) == 1 else layout.join_pairs(*parts, self.n_pixels)

    def _write_weights(self, name, values):
        parts = layout.split_pairs(values, self.n_pixels) if len(self._weight_variables(name)) == 2 else [values]
        for var, part in zip(self._weight_variables(name), parts):
            self.device.set_array(self.synapses[name], var, part)
        if self._keeps_pair_sum(name):
            self.device.set_array(self.synapses[name], "w", parts[0] + parts[1])

    def weight_signs(self, name: str) -> np.ndarray:
        """Sign every weight of layer ``name`` must keep, in the layout of :meth:`get_weights`."""
        return self._signs[name].reshape(self._shape(name))

    def _to_layout(self, name, values):
        return layout.to_layout(name, values, self._shape(name))

    def _to_synapse_order(self, name, array):
        return layout.to_synapse_order(name, array, self._shape(name))

    def _shape(self, name):
        sizes = [self.n_inputs + (2 if self.ed.bias else 0), *self.hidden]
        return layout.weight_shape(name, self.class_networks, sizes)


def _per_layer(neuron, names) -> dict:
    """Layer name → neuron model, from one model, a sequence or a mapping."""
    if neuron is None or isinstance(neuron, NeuronModel):
        models = {name: neuron or LIF() for name in names}
    elif isinstance(neuron, Mapping):
        unknown = set(neuron) - set(names)
        if unknown:
            raise ValueError(f"neuron models given for unknown layers {sorted(unknown)}; layers are {names}")
        models = {name: neuron.get(name) or LIF() for name in names}
    elif isinstance(neuron, Sequence) and len(neuron) == len(names):
        models = dict(zip(names, neuron))
    else:
        raise ValueError(f"neuron must be a NeuronModel, a mapping layer -> model or {len(names)} models "
                         f"(one per layer {names}); got {neuron!r}")
    for name, model in models.items():
        if not isinstance(model, NeuronModel) or not model.spiking:
            raise TypeError(f"neuron model of {name} must be a spiking NeuronModel (got {type(model).__name__})")
    return models


def _class_range(classes, n_classes) -> range:
    """The class networks ``(first, stop)`` names, checked; all of them for None."""
    if classes is None:
        return range(n_classes)
    first, stop = (int(c) for c in classes)
    if not 0 <= first < stop <= n_classes:
        raise ValueError(f"classes must be (first, stop) with 0 <= first < stop <= n_classes = {n_classes} "
                         f"(got {tuple(classes)!r})")
    return range(first, stop)


def _check_sizes(n_inputs, n_classes, hidden, batch_size):
    if not isinstance(n_inputs, (int, np.integer)) or n_inputs < 2 or n_inputs % 2:
        raise ValueError(f"n_inputs must be an even number >= 2 (E/I pairs); got {n_inputs!r}")
    if not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2; got {n_classes!r}")
    if len(hidden) == 0 or any(h < 1 for h in hidden):
        raise ValueError(f"hidden must list at least one layer size >= 1; got {hidden!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size!r}")
