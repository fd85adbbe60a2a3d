"""Diehl & Cook's (2015) unsupervised STDP network, assembled from parts.

Poisson inputs (one per pixel, rate = pixel · ``rate_scale`` · intensity,
i.e. pixel/4 Hz at intensity 2) → ``n_e`` excitatory neurons
(:class:`~edsnn.model.conductance.AdaptiveConductanceLIF`, plastic synapses
with random delays, :class:`~edsnn.model.stdp.STDPRule`) → as many inhibitory
neurons, one to one → back to every excitatory neuron but their partner.

A presentation ("slot") is ``presentation`` of stimulus then ``rest`` of
silence.  Which image a slot shows is decided in generated code by a
one-neuron ``control`` group on the presentation clock, at the end of each
slot (``ORDER`` of :mod:`edsnn.model.rules`)::

    spikes  n_spikes = Σ cnt of the excitatory neurons      (summed, "forward")
    decide  accepted = n_spikes ≥ min_spikes or intensity ≥ max_intensity   ("error")
            accepted: img += 1, intensity = start intensity; else intensity += 1;
            learning (of the coming slot) and renorm, copied to the
            excitatory neurons                               ("diffuse")
    record  cnt, shown image, its intensity, accepted       ("record")
    update  weight normalisation where ``renorm``            ("update")
    reset   cnt = 0, w_total bookkeeping; neurons (and the
            traces, "update") back to rest                   ("reset")

so an image that makes fewer than ``min_spikes`` spikes is shown again at a
higher intensity, as in the paper.  The inputs read their rates as
``rates_ta(img*period, i)``: a batch of images is one ``run()`` (one
execution on a standalone device) of ``presentations_per_run`` slots, more
than its images; slots after the last image show a blank row and do not
learn; :meth:`DiehlCookNetwork.run` starts further runs for the images a
run did not reach.  Putting the state back to rest at every slot boundary
(the paper lets it decay during the rest) makes every run start from the
same state, on the runtime device (which keeps its state) as on a
standalone one (whose executions start from the build-time state).  θ is
kept across presentations and saved with the weights.  Devices:
:mod:`edsnn.model.devices` (the same program on runtime, cpp and cuda);
more in docs/diehl_cook.md.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import (
    Hz,
    Network,
    NeuronGroup,
    Quantity,
    StateMonitor,
    Synapses,
    TimedArray,
    defaultclock,
    linked_var,
    ms,
    second,
    volt,
)

from edsnn.model.conductance import AdaptiveConductanceLIF, ConductanceLIF
from edsnn.model.devices import DeviceRun, check_no_network_operation
from edsnn.model.neurons import neuron_group
from edsnn.model.rules import ORDER
from edsnn.model.stdp import STDPParameters, STDPRule
from edsnn.units import QuantityParameters, physical

__all__ = ["DiehlCookParameters", "DiehlCookNetwork", "DiehlCookResult"]


@dataclasses.dataclass(frozen=True)
class DiehlCookParameters(QuantityParameters):
    """Input, timing and fixed weights of the network (defaults: Brian2's port of the paper).

    Attributes
    ----------
    rate_scale : Quantity
        Input rate per unit of pixel value (0–255) at intensity 1 (Hz): pixel/8.
    intensity : float
        Intensity of a first presentation (2: at most 63.75 Hz).
    min_spikes : int
        An image whose presentation makes fewer excitatory spikes is shown again at intensity + 1.
    max_intensity : float
        Beyond it an image is accepted however few spikes it made (not in the
        paper: bounds the repeats of an image that never drives the network).
    presentation, rest, dt : Quantity
        Stimulus and silence of one presentation, and the time step (s).
    w_ei, w_ie : float
        Weights of the excitatory → inhibitory and inhibitory → excitatory synapses.
    max_delay : Quantity
        Input → excitatory delays are uniform in [0, max_delay) (s).
    w_init : float
        Initial input weights are uniform in [0.01·w_init, 1.01·w_init).
    """

    rate_scale: Quantity = physical(0.125 * Hz, "input rate per unit pixel value at intensity 1")
    intensity: float = 2.0
    min_spikes: int = 5
    max_intensity: float = 32.0
    presentation: Quantity = physical(350 * ms, "stimulus duration of a presentation")
    rest: Quantity = physical(150 * ms, "silence after each stimulus")
    dt: Quantity = physical(0.5 * ms, "simulation time step")
    w_ei: float = 10.4
    w_ie: float = 17.0
    max_delay: Quantity = physical(10 * ms, "largest input → excitatory delay")
    w_init: float = 0.3

    def __post_init__(self):
        super().__post_init__()
        if not 0 < self.intensity <= self.max_intensity:
            raise ValueError(f"intensity must lie in (0, max_intensity={self.max_intensity}] (got {self.intensity})")
        if not (self.presentation > 0 * ms and self.rest >= 0 * ms and self.dt > 0 * ms):
            raise ValueError("presentation and dt must be positive and rest >= 0 ms")
        for name in ("presentation", "rest", "max_delay"):
            steps = float(getattr(self, name) / self.dt)
            if abs(steps - round(steps)) > 1e-9:
                raise ValueError(f"{name} ({getattr(self, name)}) must be a whole number of steps of dt ({self.dt})")
        if self.min_spikes < 0 or self.w_ei < 0 or self.w_ie < 0 or self.w_init < 0:
            raise ValueError("min_spikes, w_ei, w_ie and w_init must be >= 0")

    @property
    def period(self) -> Quantity:
        """Duration of one presentation slot (stimulus and rest)."""
        return self.presentation + self.rest


#: 1 during the stimulus part of a slot (whole steps since the run's start ``t0``), 0 before
#: ``t0`` (the step before the first slot of a standalone execution, the runtime's silent step).
STIMULUS_ON = "int(t > t0 - dt/2) * int((int((t - t0) / dt + 0.5) % n_period) < n_on)"

#: The excitatory neurons' copy of the decision (synapses cannot read a linked variable).
COPY_CODE = """
learning_now = learning_c
renorm = renorm_c
"""

#: The one-neuron group that decides, per slot, which image the next slot shows.
CONTROL = """
img : 1                    # batch row the inputs show
intensity : 1              # rate multiplier of the shown image
learning : 1               # 1 if the coming slot learns
renorm : 1                 # 1 if the weights are normalised at this slot boundary
n_spikes : 1               # excitatory spikes during the slot's stimulus
shown : 1                  # image the slot that ended showed
shown_intensity : 1        # its intensity
accepted : 1               # 1 if that slot ended the image's presentations
label : 1                  # label of the shown image (label_ta)
t0 : second (shared)       # start of the current run
"""

#: End of a slot: accept the image or show it again (no-op before the first slot).
#: ``clip(x, 0, inf)`` (x >= 0) copies ``x``: with Brian2's numpy target ``shown = img``
#: would make ``shown`` the very array of ``img`` and take its new value.
CONTROL_CODE = """
active = int(t > t0)
shown = clip(img, 0, inf)
shown_intensity = clip(intensity, 0, inf)
label = label_ta(img * period)
accepted = active * int(n_spikes >= min_spikes or intensity >= max_intensity)
img += accepted
intensity = accepted * intensity_start + (1 - accepted) * (intensity + active)
learned = learning
learning = active * learn_ta(img * period) + (1 - active) * learning
renorm = int(learned + learning > 0)
"""

INPUT = """
img : 1 (linked)           # batch row shown (control)
intensity : 1 (linked)     # rate multiplier (control)
t0 : second (shared)       # start of the current run
"""

INHIBITORY = """
cnt : 1                    # spikes during the current stimulus
t0 : second (shared)       # start of the current run
"""

EXCITATORY = INHIBITORY + """
learning = learning_now * int(t > t0 - dt/2) : 1  # 1 while the network learns (0 before t0)
learning_now : 1           # control's learning, copied
renorm : 1                 # 1 if the weights are normalised at this slot boundary (copied from control)
learning_c : 1 (linked)    # control's learning
renorm_c : 1 (linked)      # control's renorm
"""


@dataclasses.dataclass
class DiehlCookResult:
    """What :meth:`DiehlCookNetwork.run` leaves behind.

    Attributes
    ----------
    counts : ndarray of int32
        Spikes of each excitatory neuron during the accepted presentation of
        each image, shape (n_images, n_e).
    intensity : ndarray
        Intensity of that presentation, shape (n_images,).
    presentations : int
        Slots simulated, those past the last image included.
    inhibitory_counts : ndarray of int32
        Spikes of each inhibitory neuron during the same presentations, shape (n_images, n_e).
    """

    counts: np.ndarray
    intensity: np.ndarray
    presentations: int
    inhibitory_counts: np.ndarray


class DiehlCookNetwork:
    """Diehl & Cook's network (see the module docstring).

    Parameters
    ----------
    n_e : int
        Excitatory (and inhibitory) neurons: 100, 400, 1600, …
    n_inputs : int
        Input neurons (pixels), 784 for 28×28 images.
    excitatory, inhibitory : ConductanceLIF, optional
        Neuron models (default: the paper's).
    stdp : STDPParameters, optional
        The learning rule.
    params : DiehlCookParameters, optional
        Input, timing and fixed weights.
    seed : int
        Seeds the initial weights, the delays and Brian2's random numbers.
    images_per_run : int
        Images a run (one execution) holds (default 500, as ``EDNetwork``'s
        batch).  Images a run did not reach start the next run, with the
        following ones.
    presentations_per_run : int, optional
        Slots of a run (default: 1.2 × images + 20, at least the repeats of
        one image up to ``max_intensity``): room for repeated presentations.
    device : DeviceRun, optional
        Where it runs; default: the runtime device with the Cython target.
    """

    def __init__(self, n_e: int = 400, n_inputs: int = 784, excitatory: AdaptiveConductanceLIF | None = None,
                 inhibitory: ConductanceLIF | None = None, stdp: STDPParameters | None = None,
                 params: DiehlCookParameters | None = None, seed: int = 0, images_per_run: int = 500,
                 presentations_per_run: int | None = None, device: DeviceRun | None = None):
        for name, value in (("n_e", n_e), ("n_inputs", n_inputs), ("images_per_run", images_per_run)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1 (got {value!r})")
        self.n_e, self.n_inputs, self.images_per_run = int(n_e), int(n_inputs), int(images_per_run)
        self.params = params or DiehlCookParameters()
        self.excitatory_model = excitatory or AdaptiveConductanceLIF()
        self.inhibitory_model = inhibitory or ConductanceLIF()
        for name, value, kind in (("params", self.params, DiehlCookParameters),
                                  ("excitatory", self.excitatory_model, AdaptiveConductanceLIF),
                                  ("inhibitory", self.inhibitory_model, ConductanceLIF)):
            if not isinstance(value, kind):
                raise TypeError(f"{name} must be a {kind.__name__} (got {type(value).__name__})")
        self.rule = STDPRule(stdp)
        p = self.params
        # A slot is needed per repeat of an image that never reaches min_spikes.
        least = int(np.ceil(p.max_intensity - p.intensity)) + 1
        slots = presentations_per_run or max(int(1.2 * self.images_per_run) + 20, least)
        if slots < max(self.images_per_run, least):
            raise ValueError(f"presentations_per_run must be >= images_per_run and >= {least} "
                             f"(the repeats of one image up to max_intensity); got {slots}")
        #: Slots of one run (the devices read it as their batch size).
        self.batch_size = slots
        self.seed = int(seed)
        self.device = device or DeviceRun()
        self.device.activate(self.seed)
        self._build()

    # -- assembly --------------------------------------------------------------

    def _build(self):
        p, rows = self.params, self.images_per_run + 1  # a blank row after the images
        defaultclock.dt = p.dt
        self.period = p.period
        self.coding = p  # devices read coding.dt
        self.batch_inputs = {
            "rates": TimedArray(np.zeros((rows, self.n_inputs)) * Hz, dt=self.period, name="rates_ta"),
            "labels": TimedArray(np.zeros(rows), dt=self.period, name="label_ta"),
            "learn": TimedArray(np.zeros(rows), dt=self.period, name="learn_ta"),
        }
        ns = dict(rates_ta=self.batch_inputs["rates"], label_ta=self.batch_inputs["labels"],
                  learn_ta=self.batch_inputs["learn"], period=self.period, min_spikes=float(p.min_spikes),
                  max_intensity=float(p.max_intensity), intensity_start=float(p.intensity),
                  n_period=float(round(float(p.period / p.dt))), n_on=float(round(float(p.presentation / p.dt))),
                  w_ei=p.w_ei, w_ie=p.w_ie, **self.rule.namespace())
        on = STIMULUS_ON
        self.control = NeuronGroup(1, CONTROL, dt=self.period, namespace=ns, name="control")
        self.control.run_regularly(CONTROL_CODE, dt=self.period, when="end", order=ORDER["error"],
                                   name="control_decide")
        self.input_group = NeuronGroup(self.n_inputs, INPUT, threshold=f"rand() < rates_ta(img*period, i) * "
                                       f"intensity * dt * {on}", namespace=ns, name="input")
        self.excitatory = neuron_group(self.excitatory_model, self.n_e, "excitatory",
                                       equations=EXCITATORY + self.rule.unit_equations(self.excitatory_model),
                                       on_spike=f"cnt += {on}", namespace=ns)
        self.inhibitory = neuron_group(self.inhibitory_model, self.n_e, "inhibitory", equations=INHIBITORY,
                                       on_spike=f"cnt += {on}", namespace=ns)
        for group, names in ((self.input_group, ("img", "intensity")), (self.excitatory, ("learning", "renorm"))):
            for name in names:
                link = name if group is self.input_group else f"{name}_c"
                setattr(group, link, linked_var(self.control, name, index=np.zeros(len(group), dtype=int)))
        self.excitatory.run_regularly(COPY_CODE, dt=self.period, when="end", order=ORDER["diffuse"],
                                      name="excitatory_decision")
        pathways = self.rule.pathways
        self.plastic = Synapses(self.input_group, self.excitatory, self.rule.synapse_equations,
                                on_pre="ge_post += w\n" + pathways["pre"].code, on_post=pathways["post"].code,
                                namespace=ns, name="plastic")
        self.plastic.connect()
        rng = np.random.default_rng(self.seed)
        self.plastic.delay = rng.uniform(0, float(p.max_delay / second), self.n_inputs * self.n_e) * second
        e_to_i = Synapses(self.excitatory, self.inhibitory, on_pre="ge_post += w_ei", namespace=ns,
                          name="e_to_i")
        e_to_i.connect(j="i")
        i_to_e = Synapses(self.inhibitory, self.excitatory, on_pre="gi_post += w_ie", namespace=ns,
                          name="i_to_e")
        i_to_e.connect(condition="i != j")
        total = Synapses(self.excitatory, self.control, "n_spikes_post = cnt_pre : 1 (summed)", name="spike_total")
        total.connect()
        total.summed_updaters["n_spikes_post"].when = "end"
        total.summed_updaters["n_spikes_post"].order = ORDER["forward"]
        for group, model in ((self.excitatory, self.excitatory_model), (self.inhibitory, self.inhibitory_model)):
            code = [f"{var} = {value}" for var, value in model.rest_state.items()] + ["cnt = 0"]
            if group is self.excitatory:
                code.append(self.rule.rest_code)
            group.run_regularly("\n".join(c for c in code if c), dt=self.period, when="end",
                                order=ORDER["reset"], name=f"{group.name}_reset")
        rule_objects = self.rule.schedule(self)
        self.network = Network([self.control, self.input_group, self.excitatory, self.inhibitory, self.plastic,
                                e_to_i, i_to_e, total, *rule_objects], name="diehl_cook")
        self.recorders = []
        self.reset_recorders()
        check_no_network_operation(self.network, self.device)
        w = rng.uniform(0.01 * p.w_init, 1.01 * p.w_init, (self.n_inputs, self.n_e))
        self.set_weights({"w": w, "theta": np.full(self.n_e, float(self.excitatory_model.theta_start / volt))})

    def reset_recorders(self):
        """Fresh monitors of the excitatory counts and of the control group, once per slot."""
        for mon in self.recorders:
            self.network.remove(mon)
        kw = dict(record=True, dt=self.period, when="end", order=ORDER["record"])
        self.recorders = [StateMonitor(self.excitatory, "cnt", name="record_excitatory", **kw),
                          StateMonitor(self.inhibitory, "cnt", name="record_inhibitory", **kw),
                          StateMonitor(self.control, ["shown", "shown_intensity", "accepted", "label"],
                                       name="record_control", **kw)]
        self.network.add(self.recorders)

    # -- running ---------------------------------------------------------------

    def run(self, images, learn: bool, labels=None) -> DiehlCookResult:
        """Present ``images`` in order, learning if ``learn``.

        Parameters
        ----------
        images : array
            Pixel values 0–255, shape (n_images, n_inputs) or (n_images, 28, 28).
        learn : bool
            STDP and θ change only while learning; at test both stay fixed.
        labels : array of int, optional
            Carried through the control group's records only (the network is unsupervised).

        Returns
        -------
        DiehlCookResult
        """
        images = np.asarray(images, dtype=float).reshape(len(images), -1)
        if images.shape[1] != self.n_inputs or len(images) == 0:
            raise ValueError(f"images must have shape (n_images >= 1, {self.n_inputs}) (got {images.shape})")
        if images.min() < 0:
            raise ValueError("pixel values must be >= 0")
        labels = np.zeros(len(images)) if labels is None else np.asarray(labels, dtype=float)
        scale, rows = float(self.params.rate_scale / Hz), self.images_per_run + 1
        counts, inhibitory, intensity, slots, done = [], [], [], 0, 0
        while done < len(images):
            chunk = slice(done, min(done + self.images_per_run, len(images)))
            n = chunk.stop - chunk.start
            rates, flags, lab = np.zeros((rows, self.n_inputs)), np.zeros(rows), np.zeros(rows)
            rates[:n], flags[:n], lab[:n] = images[chunk] * scale, float(learn), labels[chunk]
            for var, value in (("img", 0.0), ("intensity", self.params.intensity), ("learning", flags[0])):
                self.device.set_array(self.control, var, np.array([value]))
            self.device.set_array(self.excitatory, "learning_now", np.full(self.n_e, flags[0]))
            records, _ = self.device.run_batch(self, rates * Hz, lab, flags, self.batch_size)
            control = records["control"]
            accepted = (control["accepted"][:, 0] > 0.5) & (control["shown"][:, 0] < n - 0.5)
            counts.append(records["excitatory"]["cnt"][accepted].round().astype(np.int32))
            inhibitory.append(records["inhibitory"]["cnt"][accepted].round().astype(np.int32))
            intensity.append(control["shown_intensity"][accepted, 0])
            done, slots = done + int(accepted.sum()), slots + self.batch_size
            if not accepted.any():
                raise RuntimeError("a run ended without accepting an image (presentations_per_run too small?)")
        return DiehlCookResult(np.concatenate(counts), np.concatenate(intensity), slots, np.concatenate(inhibitory))

    # -- learned state -----------------------------------------------------------

    def learned_arrays(self) -> dict:
        """Arrays kept between runs (the devices carry them): key → (Brian2 object, variable)."""
        arrays = {"w": (self.plastic, "w"), "theta": (self.excitatory, "theta"),
                  "w_total": (self.excitatory, "w_total")}
        arrays.update({f"control.{var}": (self.control, var) for var in ("img", "intensity", "learning")})
        arrays["excitatory.learning_now"] = (self.excitatory, "learning_now")
        return arrays

    def get_weights(self) -> dict:
        """``"w"``: input weights, shape (n_inputs, n_e); ``"theta"``: θ in volts (unitless), shape (n_e,)."""
        w = self.device.get_array(self.plastic, "w").reshape(self.n_inputs, self.n_e)
        return {"w": w, "theta": self.device.get_array(self.excitatory, "theta")}

    def set_weights(self, weights: dict):
        """Load what :meth:`get_weights` gave."""
        w = np.asarray(weights["w"], dtype=float)
        theta = np.asarray(weights["theta"], dtype=float)
        if w.shape != (self.n_inputs, self.n_e) or theta.shape != (self.n_e,):
            raise ValueError(f"weights need w of shape {(self.n_inputs, self.n_e)} and theta of shape "
                             f"{(self.n_e,)} (got {w.shape} and {theta.shape})")
        if np.any(w < 0):
            raise ValueError("input weights must be >= 0")
        self.device.set_array(self.plastic, "w", w.ravel())  # synapse k = (input k // n_e, neuron k % n_e)
        self.device.set_array(self.excitatory, "theta", theta)
        self.device.set_array(self.excitatory, "w_total", w.sum(axis=0))
