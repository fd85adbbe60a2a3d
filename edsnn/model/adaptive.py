"""Adaptive neuron models: adaptive LIF (adaptation current, homeostatic threshold) and DA-LIF.

Both are :class:`~edsnn.model.neurons.NeuronModel` parts; the ED rule reads
only their spike counts, so it needs nothing from them.
"""

from __future__ import annotations

import dataclasses

from brian2 import Hz, Quantity, ms, mV, nA, nS, second, volt

from edsnn.model.neurons import LIF
from edsnn.units import physical

__all__ = ["AdaptiveLIF", "DALIF"]


@dataclasses.dataclass(frozen=True)
class AdaptiveLIF(LIF):
    """LIF with a spike-triggered adaptation current and an adaptive threshold.

    ::

        tau_m dv/dt     = v_rest − v + R_m·(I_syn + I_bias − I_ad)
        tau_w dI_ad/dt  = a_w·(v − v_rest) − I_ad      (AdEx without its exponential term)
        tau_θ dθ/dt     = −θ − tau_θ·Δθ·r_target
        v > v_threshold + θ  →  v = v_reset, I_ad += b_w, θ = min(θ + Δθ, θ_max)

    Integrated with exponential Euler.  The adaptation current lengthens the ISIs within a presentation and is
    reset with the membrane between presentations; θ is homeostatic: it is
    kept across presentations and saved with the weights (``kept_state``).
    With ``r_target`` > 0 the threshold also falls by Δθ·r_target per second,
    so over times shorter than τ_θ it is an integral controller of the rate:
    a neuron firing above ``r_target`` raises its threshold, a silent one
    lowers it until it fires again (homeostatic intrinsic plasticity).
    ``theta_max`` = 0 mV makes that one-sided: only a neuron below its target
    moves, one above it keeps the LIF's threshold.

    Defaults: the LIF's, with a weak adaptation current and a threshold that
    relaxes in ``tau_theta`` = 1 s, about ten presentations.  A neuron firing at
    rate r then holds θ near Δθ·r·τ_θ (1 mV at 20 Hz) whatever the length of
    training.  With the Diehl & Cook relaxation (10⁴ s, the default before) θ
    only grows under ED: every spike of training adds 0.05 mV for good, so θ
    climbs until it cancels the neuron's drive, and the inhibitory hidden
    neurons, which fire most, fell silent (studies/adaptive_lif).
    """

    a_w: Quantity = physical(0 * nS, "subthreshold adaptation conductance (AdEx's a)")
    b_w: Quantity = physical(0.05 * nA, "adaptation current added per spike (AdEx's b)")
    tau_w: Quantity = physical(100 * ms, "adaptation current time constant")
    d_theta: Quantity = physical(0.05 * mV, "threshold rise per spike (Diehl & Cook: 0.05 mV)")
    tau_theta: Quantity = physical(1 * second, "threshold relaxation time constant: θ settles near "
                                                "d_theta·rate·tau_theta (Diehl & Cook: 1e7 ms)")
    r_target: Quantity = physical(0 * Hz, "rate the threshold steers to: θ falls by d_theta·r_target per second")
    theta_max: Quantity = physical(1 * volt, "ceiling of θ (0 mV: only neurons below r_target move)")

    kind = "adaptive-lif"
    equations = """
dv/dt = (v_rest - v + R_m*(I_syn + I_bias - I_ad)) / tau_m : volt (unless refractory)  # membrane potential
dI_ad/dt = (a_w*(v - v_rest) - I_ad) / tau_w : amp  # adaptation current
dtheta/dt = -theta / tau_theta - d_theta * r_target : volt  # homeostatic threshold offset
"""
    threshold = "v > v_threshold + theta"
    reset = "v = v_reset; I_ad += b_w; theta = clip(theta + d_theta, -inf*volt, theta_max)"
    # Exact integration of the coupled 4-variable linear system makes sympy run for
    # minutes; exponential Euler is exact for each variable given the others.
    method = "exponential_euler"
    rest_state = {"v": "v_rest", "I_ad": "0*amp"}
    initial_state = {"v": "v_rest", "I_ad": "0*amp", "theta": "0*mV"}
    kept_state = ("theta",)

    def __post_init__(self):
        super().__post_init__()
        for name in ("tau_w", "tau_theta"):
            if not getattr(self, name) > 0 * ms:
                raise ValueError(f"{name} must be positive (got {getattr(self, name)})")
        if not self.r_target >= 0 * Hz:
            raise ValueError(f"r_target must be >= 0 Hz (got {self.r_target})")

    @classmethod
    def diehl_cook(cls) -> AdaptiveLIF:
        """The adaptive threshold of Diehl & Cook (2015): Δθ = 0.05 mV, τ_θ = 10⁷ ms, no adaptation current."""
        return cls(b_w=0 * nA, d_theta=0.05 * mV, tau_theta=1e7 * ms)

    @classmethod
    def regular_spiking(cls) -> AdaptiveLIF:
        """Cortical regular spiking (Brette & Gerstner 2005's AdEx values a = 4 nS,
        b = 0.0805 nA, τ_w = 144 ms, on edsnn's LIF membrane), no threshold adaptation."""
        return cls(a_w=4 * nS, b_w=0.0805 * nA, tau_w=144 * ms, d_theta=0 * mV)


@dataclasses.dataclass(frozen=True)
class DALIF(LIF):
    """Dual Adaptive LIF (Zhang et al. 2025, arXiv 2502.10422) in continuous time.

    The paper's step ``V[t] = β·H[t−1] + α·X[t]`` has a spatial gain α on the
    input and a temporal decay β on the membrane; here β = exp(−dt/τ_β)::

        dv/dt = (v_rest − v)/tau_beta + alpha·R_m·(I_syn + I_bias)/tau_m

    With ``alpha = 1`` and ``tau_beta = tau_m`` it is the LIF neuron.  Under ED,
    α and τ_β are per-layer parameters (``EDNetwork(neuron={"hidden1": DALIF(...)})``),
    not learnt by gradient.

    Parameters
    ----------
    alpha : float
        Spatial gain α on the input current (dimensionless; 1: the LIF's).
    """

    alpha: float = 1.0
    tau_beta: Quantity = physical(20 * ms, "membrane decay time constant: beta = exp(-dt/tau_beta)")

    kind = "da-lif"
    equations = (
        "dv/dt = (v_rest - v) / tau_beta + alpha*R_m*(I_syn + I_bias) / tau_m : volt (unless refractory)"
        "  # membrane potential\n"
    )

    def __post_init__(self):
        super().__post_init__()
        if not self.tau_beta > 0 * ms:
            raise ValueError(f"tau_beta must be positive (got {self.tau_beta})")
        if not self.alpha >= 0:
            raise ValueError(f"alpha must be >= 0 (got {self.alpha})")
