"""The first layer: Poisson E/I input pairs, as independent or shared trains.

Pixel ``k`` of the presentation under way (column ``pix`` of the batch's
``rates_ta``) fires with probability ``x · R_max · dt`` per step while the
stimulus is on; inputs ``2k`` (E) and ``2k+1`` (I) code it (see
:mod:`edsnn.networks.ed.layout`).  Three ways to build them:

* independent pairs: the inputs are Poisson neurons themselves;
* shared pairs (the default): a "retina" of one Poisson neuron per pixel whose
  spikes reach both inputs of the pair one step later, through relay neurons;
  fused (the default for shared pairs), one relay stands for the pair, and
  its synapses carry both weights (the rule's ``pair_synapse_equations``):
  one event per pixel spike instead of two, the same dynamics;
* the reference model: the retina drives the published program's input LIFs
  (a :class:`~edsnn.model.neurons.ReferenceInputLIF`) with one-step current
  pulses, in the program's order (:class:`StepPulse`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import NeuronGroup, Quantity, Synapses, nA

from edsnn.model.neurons import NeuronModel, neuron_group
from edsnn.model.synapses import SynapseModel
from edsnn.networks.ed.layout import SIGN_CODE
from edsnn.units import physical

__all__ = ["InputLayer", "input_layer", "StepPulse", "REFERENCE_INPUT_PULSE"]

#: Current pulse (one time step) of an input spike into the reference model's
#: input LIF.  The published program says 10 pA but multiplies the bare numbers
#: 35 (MΩ) and 10 (pA), so its jump is 35·10·dt/tau_m = 29.2 mV: 10 nA in SI.
#: With it one input spike from rest fires the neuron, as the program does
#: (docs/published_program.md).
REFERENCE_INPUT_PULSE = 10 * nA


@dataclasses.dataclass(frozen=True)
class StepPulse(SynapseModel):
    """A current ``w_unit`` during the time step of the presynaptic spike.

    The published program adds an input spike's current in the same Euler
    step as the leak, ``v += ((v_rest - v) + R·I)/tau_m · dt``, and only then
    tests the threshold.  Brian2's default slots would add it after that
    step's threshold test (a pulse on a firing step is erased by the reset, and
    otherwise leaks once before it is tested: inputs are lost for ≈ 12 steps
    after an output spike instead of 2).  So :func:`input_layer` runs the
    retina's threshold and this pathway before the groups' state updates, the
    neuron's own update integrates ``I_syn``, and the current is cleared after it.
    """

    w_unit: Quantity = physical(REFERENCE_INPUT_PULSE, "current during the step of an input spike")

    kind = "step-pulse"
    post_equations = "I_syn : amp  # current of this step's input spikes, cleared after the update\n"
    on_pre = "I_syn_post += w_unit"
    rest_state = {"I_syn": "0*amp"}


#: What every input neuron holds, besides the learning rule's variables.
INPUT = """
cnt : 1                    # spikes in the current presentation
sgn : 1 (constant)         # +1 excitatory, -1 inhibitory input of the E/I pair
pix : integer (constant)   # pixel (column of rates_ta) this input codes
t0 : second (shared)       # start of the current batch of presentations
R_max : Hz (shared, constant)  # rate of a white pixel, set at run time (one program for every rate)
"""

#: Input neuron of a shared E/I pair: relays its pixel's Poisson spikes one step later.
RELAY = "fired : 1                  # 1 from the pixel's spike until relayed\n"

#: The reference model's input LIF: its spike probability per step drives the rate units.
REFERENCE_RATE = "r = cnt / n_steps : 1      # spike probability per step: the forward activity\n"

#: Time since the start of the presentation under way.
_SINCE_ONSET = "((t - t0) - period*floor((t - t0)/period + 0.5*dt/period))"

#: Spike threshold of the inputs by spike code (:attr:`edsnn.data.SpikeCoding.code`);
#: ``{gate}`` is 1 while a stimulus is on.
THRESHOLDS = {
    "poisson": "rand() < rates_ta(t - t0, pix) * dt * {gate}",
    # the k-th spike in the step holding k/rate after the onset
    "regular": (f"floor(rates_ta(t - t0, pix) * ({_SINCE_ONSET} + dt) + 1e-9)"
                f" > floor(rates_ta(t - t0, pix) * {_SINCE_ONSET} + 1e-9) and {{gate}} > 0"),
    # one spike, in the step holding (1 - x)·(presentation - dt) after the onset, for a pixel x > 0
    "latency": (f"rates_ta(t - t0, pix) > 0*Hz and {{gate}} > 0 and "
                f"floor((1 - rates_ta(t - t0, pix)/R_max) * (presentation/dt - 1) + 1e-9)"
                f" == floor({_SINCE_ONSET}/dt + 0.5)"),
}

#: Stimulus gate: on from the batch start, off during the rest part of a period.
GATE_ALWAYS = "int(t > t0 - 0.5*dt)"
GATE_WITH_REST = (
    "int(t > t0 - 0.5*dt) * int((t - t0) - period*floor((t - t0)/period + 0.5*dt/period)"
    " < presentation - 0.5*dt)"
)

#: Normalised spike count of a Poisson or relay input (input activity "count").
POISSON_COUNT = "clip(cnt / (R_max * presentation), 0, 1)"


@dataclasses.dataclass
class InputLayer:
    """The first layer as built: the group the learning synapses leave from.

    Attributes
    ----------
    group : NeuronGroup
        The E/I inputs (``input``, or ``input_lif`` for the reference model).
    count_activity : str
        Brian2 expression of the input's activity from its own spikes.
    objects : list
        Further objects that feed it (retina, relay synapses).
    rest_state : dict
        Variable → value at the start of a presentation (input neuron model's).
    fused : bool
        Each neuron of ``group`` stands for a whole E/I pair (pixel ``i``).
    """

    group: NeuronGroup
    count_activity: str
    objects: list
    rest_state: dict = dataclasses.field(default_factory=dict)
    fused: bool = False


def input_layer(n_pixels: int, pairs: str, rule, namespace: dict, rest: bool,
                neuron: NeuronModel | None = None, code: str = "poisson",
                fuse: bool = True) -> InputLayer:
    """The input layer of ``n_pixels`` E/I pairs.

    Parameters
    ----------
    pairs : {"shared", "independent"}
        Whether both inputs of a pair fire one train (relayed one step later).
    rule : LearningRule
        Adds its source variables and events to the inputs.
    namespace : dict
        Binds ``rates_ta``, ``presentation``, ``period`` (and the rule's constants); ``R_max``
        is a variable of the groups, for the network to set.
    rest : bool
        Whether a presentation has a rest part (the stimulus gate closes then).
    neuron : NeuronModel, optional
        Input neuron driven by the retina (the reference model's input LIF);
        None: relay neurons (shared pairs) or Poisson inputs (independent).
        It sees a pixel's spike in the same step (:class:`StepPulse`).
    code : {"poisson", "regular", "latency"}
        How a pixel value becomes spikes (:data:`THRESHOLDS`).
    fuse : bool
        Shared pairs of relays: one relay per pair (if the rule has a
        ``pair_synapse_equations``), else one per input.
    """
    gate = GATE_WITH_REST if rest else GATE_ALWAYS
    threshold = THRESHOLDS[code].format(gate=gate)
    inputs = INPUT + rule.source_equations
    if pairs == "independent" and neuron is None:
        group = NeuronGroup(2 * n_pixels, inputs, threshold=threshold, reset="cnt += 1",
                            events=dict(rule.events), namespace=namespace, name="input")
        _label(group, "i // 2")
        return InputLayer(group, POISSON_COUNT, [])
    retina = NeuronGroup(n_pixels, INPUT, threshold=threshold, namespace=namespace, name="retina")
    retina.pix = "i"
    fused = neuron is None and fuse and rule.pair_synapse_equations is not None
    n_relays = n_pixels if fused else 2 * n_pixels
    if neuron is None:
        group = NeuronGroup(n_relays, inputs + RELAY, threshold="fired > 0.5", reset="fired = 0; cnt += 1",
                            events=dict(rule.events), namespace=namespace, name="input")
        drive, count = Synapses(retina, group, on_pre="fired_post = 1", name="retina_to_input"), POISSON_COUNT
        # After the relay's own reset: a pixel spike on the step the relay fires must not be wiped.
        drive.pre.when = "after_resets"
    else:
        pulse = StepPulse()
        group = neuron_group(neuron, 2 * n_pixels, "input_lif", synapse=pulse, equations=inputs + REFERENCE_RATE,
                             on_spike="cnt += 1", events=rule.events, namespace=namespace)
        drive = Synapses(retina, group, on_pre=pulse.on_pre, namespace=pulse.namespace(), name="retina_to_input")
        # The pixel's spike, then its current, before the state update of the same step (StepPulse).
        retina.thresholder["spike"].when, retina.thresholder["spike"].order = "before_groups", 0
        drive.pre.when, drive.pre.order = "before_groups", 1
        group.run_regularly("I_syn = 0*amp", when="after_groups", name="input_lif_pulse_end")
        count = "r"
    per_pixel = 1 if fused else 2
    drive.connect(i=np.arange(n_relays) // per_pixel, j=np.arange(n_relays))
    _label(group, f"i // {per_pixel}", "0" if fused else SIGN_CODE.format(index="i"))  # a fused pair is both
    return InputLayer(group, count, [retina, drive], {} if neuron is None else dict(neuron.rest_state), fused)


def _label(group, pixel_code, sign_code=None):
    group.pix = pixel_code
    group.sgn = sign_code or SIGN_CODE.format(index="i")
