"""A neuron model defined outside edsnn (the README's own-neuron example), registered as a plugin."""

import dataclasses

from brian2 import Mohm, Quantity, ms, mV, nA

import edsnn
from edsnn.units import physical


@edsnn.register
@dataclasses.dataclass(frozen=True)
class PerfectIF(edsnn.NeuronModel):
    """Non-leaky integrate-and-fire neuron: ``dv/dt = R_m*(I_syn + I_bias)/tau_m``."""

    kind = "test-perfect-if"
    v_reset: Quantity = physical(-70 * mV, "potential after a spike")
    v_threshold: Quantity = physical(-60 * mV, "spike threshold")
    tau_m: Quantity = physical(20 * ms, "membrane time constant")
    tau_ref: Quantity = physical(2 * ms, "absolute refractory period")
    R_m: Quantity = physical(10 * Mohm, "membrane resistance")
    I_bias: Quantity = physical(0.9 * nA, "constant bias current")

    equations = "dv/dt = R_m*(I_syn + I_bias) / tau_m : volt (unless refractory)\n"
    threshold, reset = "v > v_threshold", "v = v_reset"
    method = "euler"  # exact integration does not apply (no leak); Euler is exact for a constant slope
    rest_state = {"v": "v_reset"}
