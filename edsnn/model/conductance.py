"""Conductance-based LIF neurons of Diehl & Cook (2015), as :class:`NeuronModel` parts.

Both carry their own excitatory and inhibitory conductances ``ge``, ``gi``
(dimensionless, in units of the leak conductance, as in Diehl & Cook's code
and Brian2's port): a synapse of weight ``w`` adds ``w`` to ``ge_post`` or
``gi_post``.  Values are those of Brian2's port
(``examples/frompapers/Diehl_Cook_2015.py``).
"""

from __future__ import annotations

import dataclasses

from brian2 import Quantity, ms, mV

from edsnn.model.neurons import NeuronModel
from edsnn.units import physical

__all__ = ["ConductanceLIF", "AdaptiveConductanceLIF"]


@dataclasses.dataclass(frozen=True)
class ConductanceLIF(NeuronModel):
    """LIF with excitatory and inhibitory conductances (Diehl & Cook's inhibitory neuron)::

        tau_m dv/dt = (v_rest − v) + ge·(E_exc − v) + gi·(E_inh − v)
        dge/dt = −ge/tau_ge,   dgi/dt = −gi/tau_gi
        v > v_threshold  →  v = v_reset, refractory for tau_ref

    Integrated with the Euler method, as the paper's code.  The rest state
    (membrane at rest, no conductance, no recent spike) is what the network
    puts back after every presentation's rest period (the paper's code
    lets the rest decay instead, from v_rest − 40 mV at the start).
    Defaults: the inhibitory population (τ_m = 10 ms, E_inh = −85 mV).
    """

    v_rest: Quantity = physical(-60 * mV, "resting potential")
    v_reset: Quantity = physical(-45 * mV, "potential after a spike")
    v_threshold: Quantity = physical(-40 * mV, "spike threshold")
    E_exc: Quantity = physical(0 * mV, "excitatory reversal potential")
    E_inh: Quantity = physical(-85 * mV, "inhibitory reversal potential")
    tau_m: Quantity = physical(10 * ms, "membrane time constant")
    tau_ge: Quantity = physical(1 * ms, "excitatory conductance decay time constant")
    tau_gi: Quantity = physical(2 * ms, "inhibitory conductance decay time constant")
    tau_ref: Quantity = physical(2 * ms, "absolute refractory period")

    kind = "conductance-lif"
    equations = """
dv/dt = ((v_rest - v) + ge*(E_exc - v) + gi*(E_inh - v)) / tau_m : volt (unless refractory)  # membrane potential
dge/dt = -ge / tau_ge : 1  # excitatory conductance / leak conductance
dgi/dt = -gi / tau_gi : 1  # inhibitory conductance / leak conductance
"""
    threshold = "v > v_threshold"
    reset = "v = v_reset"
    method = "euler"
    rest_state = {"v": "v_rest", "ge": "0", "gi": "0", "lastspike": "-1e4*second", "not_refractory": "True"}
    initial_state = {"v": "v_rest", "ge": "0", "gi": "0"}

    def __post_init__(self):
        super().__post_init__()
        for name in ("tau_m", "tau_ge", "tau_gi"):
            if not getattr(self, name) > 0 * ms:
                raise ValueError(f"{name} must be positive (got {getattr(self, name)})")
        if not self.tau_ref >= 0 * ms:
            raise ValueError(f"tau_ref must be >= 0 ms (got {self.tau_ref})")


@dataclasses.dataclass(frozen=True)
class AdaptiveConductanceLIF(ConductanceLIF):
    """Diehl & Cook's excitatory neuron: :class:`ConductanceLIF` with an adaptive threshold θ::

        dθ/dt = −learning·θ/tau_theta
        v > v_threshold + θ  and  t − lastspike ≥ min_isi
            →  v = v_reset, θ += learning·d_theta

    ``learning`` (0 or 1) is read from the network: θ is fixed while the
    network does not learn, as in the paper's test phase.  θ starts at
    ``theta_start`` (20 mV: the initial threshold is −52 mV) and is kept
    across presentations and saved with the weights.  ``min_isi`` is the
    paper's code's ``timer`` (``dtimer/dt = 0.1``, spike when ``timer > 5 ms``):
    at least 50 ms between two spikes of a neuron.
    """

    v_rest: Quantity = physical(-65 * mV, "resting potential")
    v_reset: Quantity = physical(-65 * mV, "potential after a spike")
    v_threshold: Quantity = physical(-72 * mV, "threshold at θ = 0 (the code's θ − 72 mV)")
    E_inh: Quantity = physical(-100 * mV, "inhibitory reversal potential")
    tau_m: Quantity = physical(100 * ms, "membrane time constant")
    tau_ref: Quantity = physical(5 * ms, "absolute refractory period")
    min_isi: Quantity = physical(50 * ms, "shortest interval between two spikes (the code's timer)")
    d_theta: Quantity = physical(0.05 * mV, "threshold rise per spike while learning")
    tau_theta: Quantity = physical(1e7 * ms, "threshold decay time constant while learning")
    theta_start: Quantity = physical(20 * mV, "θ of a new network")

    kind = "adaptive-conductance-lif"
    equations = ConductanceLIF.equations + (
        "dtheta/dt = -learning * theta / tau_theta : volt  # adaptive threshold (kept)\n"
    )
    # Whole time steps, as Brian2's own refractoriness: ``t - lastspike > min_isi`` would
    # depend on the rounding of t, and so on how long the simulation has run.
    threshold = "v > v_threshold + theta and timestep(t - lastspike, dt) >= timestep(min_isi, dt)"
    reset = "v = v_reset; theta += learning * d_theta"
    initial_state = {"v": "v_rest", "ge": "0", "gi": "0", "theta": "theta_start"}
    kept_state = ("theta",)

    def __post_init__(self):
        super().__post_init__()
        if not self.tau_theta > 0 * ms:
            raise ValueError(f"tau_theta must be positive (got {self.tau_theta})")
        if not self.min_isi >= self.tau_ref:
            raise ValueError(f"min_isi ({self.min_isi}) must be >= tau_ref ({self.tau_ref})")
