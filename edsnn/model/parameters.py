"""Parameter sets of the model, one frozen dataclass per concern.

Physical fields are Brian2 Quantities, checked on construction (a bare number
or a wrong unit raises :class:`edsnn.units.UnitError` naming the field), in the
manner of Brian2's example parameter blocks and norse's ``LIFParameters``.
Presets are classmethods, not flags.
"""

from __future__ import annotations

import dataclasses

from brian2 import Hz, Mohm, Quantity, mV, ms, nA

from edsnn.units import QuantityParameters, physical

__all__ = [
    "LIFParameters",
    "ExponentialSynapse",
    "DeltaSynapse",
    "EDParameters",
    "SIGN_RULES",
    "DIFFUSIONS",
    "INPUT_ACTIVITIES",
]

SIGN_RULES = ("kaneko", "dale")
DIFFUSIONS = ("compound", "uniform")
INPUT_ACTIVITIES = ("rate", "count")
PRIOR_SCOPES = ("all", "derivative")


def _require(condition: bool, message: str):
    if not condition:
        raise ValueError(message)


def _choice(name: str, value, choices):
    _require(value in choices, f"{name} must be one of {choices} (got {value!r})")


@dataclasses.dataclass(frozen=True)
class LIFParameters(QuantityParameters):
    """Leaky integrate-and-fire neuron.

    ``dv/dt = (v_rest - v + R_m*(I_syn + I_bias))/tau_m`` with threshold
    ``v > v_threshold``, reset to ``v_reset`` and a refractory period
    ``tau_ref`` during which ``v`` is clamped.  Defaults are the project's
    biological defaults; the bias current puts the neuron just above
    rheobase (≈ 40 Hz alone), so that synaptic input moves its rate both ways
    and the ED factor ``y(1-y)`` is not zero at the start.
    :meth:`reference_input` is the published program's input neuron.
    """

    v_rest: Quantity = physical(-65 * mV, "resting potential")
    v_threshold: Quantity = physical(-60 * mV, "spike threshold")
    v_reset: Quantity = physical(-70 * mV, "potential after a spike")
    tau_m: Quantity = physical(20 * ms, "membrane time constant")
    tau_ref: Quantity = physical(2 * ms, "absolute refractory period")
    R_m: Quantity = physical(10 * Mohm, "membrane resistance")
    I_bias: Quantity = physical(0.9 * nA, "constant bias current: R_m*I_bias = 9 mV, just above rheobase")

    def __post_init__(self):
        super().__post_init__()
        _require(self.tau_m > 0 * ms, f"tau_m must be positive (got {self.tau_m})")
        _require(self.tau_ref >= 0 * ms, f"tau_ref must be >= 0 ms (got {self.tau_ref})")
        _require(self.R_m > 0 * Mohm, f"R_m must be positive (got {self.R_m})")
        _require(
            self.v_threshold > self.v_reset,
            f"v_threshold ({self.v_threshold}) must lie above v_reset ({self.v_reset})",
        )

    @classmethod
    def reference_input(cls) -> LIFParameters:
        """The published program's hard-coded input LIF (ED_SPEC §2).

        Its refractory period never takes effect, hence ``tau_ref = 0 ms``.
        """
        return cls(
            v_rest=-65 * mV, v_threshold=-40 * mV, v_reset=-70 * mV,
            tau_m=12 * ms, tau_ref=0 * ms, R_m=35 * Mohm, I_bias=0 * nA,
        )

    def rheobase(self) -> Quantity:
        """Smallest constant current that makes the neuron fire."""
        return (self.v_threshold - self.v_rest) / self.R_m


@dataclasses.dataclass(frozen=True)
class ExponentialSynapse(QuantityParameters):
    """Current-based synapse: each spike adds ``w * w_unit`` to ``I_syn``,
    which decays with ``tau_syn``."""

    tau_syn: Quantity = physical(5 * ms, "synaptic current decay time constant")
    w_unit: Quantity = physical(0.4 * nA, "current jump for a weight of 1")

    kind = "exponential"

    def __post_init__(self):
        super().__post_init__()
        _require(self.tau_syn > 0 * ms, f"tau_syn must be positive (got {self.tau_syn})")


@dataclasses.dataclass(frozen=True)
class DeltaSynapse(QuantityParameters):
    """Voltage-jump synapse: each spike moves ``v`` by ``w * w_unit`` at once."""

    w_unit: Quantity = physical(0.5 * mV, "voltage jump for a weight of 1")

    kind = "delta"


@dataclasses.dataclass(frozen=True)
class EDParameters(QuantityParameters):
    """Error-Diffusion rule (ED_SPEC §1) and the read-out of activities.

    Parameters
    ----------
    lr : float
        Learning rate α.
    ami : float
        β, the value of Kaneko's two bias inputs (used when ``bias`` is True).
    dif : float
        u1, amine diffusion factor from the output to hidden layers.
    sig : float
        u0, the sigmoid gain of rate units ``f(u) = 1/(1+exp(-2u/u0))``
        (reference model only).
    w1, w2 : float
        Initial weight magnitudes are drawn from ``U[w1, w2)``.
    sign_rule : {"kaneko", "dale"}
        ``w = |w|·τ_post·τ_pre`` (Kaneko) or ``w = |w|·τ_pre`` (Dale).
    diffusion : {"compound", "uniform"}
        Hidden layer ``l`` of ``L`` gets ``u1**(L-l+1)`` times the output
        amine (published program) or ``u1`` for every layer (Kaneko).
    bias : bool
        Add Kaneko's two bias inputs (one E, one I) of value β.
    input_activity : {"rate", "count"}
        Presynaptic activity ``s`` of the first layer in the update: the pixel
        value ``x`` (as the published program) or the input's normalised
        spike count.
    activity_max_rate : Quantity
        Firing rate that maps to activity 1 (spiking layers).
    count_prior : float
        ``c0`` in ``y = clip((count + c0) / (activity_max_rate·T + 2·c0), 0, 1)``:
        a prior count that keeps ``y`` off 0 and 1, so that a silent neuron
        still has ``y(1-y) > 0`` and can learn (0: the plain normalised count).
        Defaults (200 Hz, 1) from the study in README "Accuracy".
    prior_scope : {"all", "derivative"}
        Where the prior count enters: the activity everywhere (forward read-out,
        error, presynaptic ``s`` and the factor ``y(1-y)``), or only the
        derivative-like factor, the activity itself being the plain normalised
        count (a silent output then has no error left to correct).
    """

    lr: float = 0.15
    ami: float = 0.8
    dif: float = 0.5
    sig: float = 1.2
    w1: float = 0.3
    w2: float = 0.5
    sign_rule: str = "kaneko"
    diffusion: str = "compound"
    bias: bool = False
    input_activity: str = "rate"
    activity_max_rate: Quantity = physical(200 * Hz, "firing rate read as activity 1")
    count_prior: float = 1.0
    prior_scope: str = "all"

    def __post_init__(self):
        super().__post_init__()
        _choice("sign_rule", self.sign_rule, SIGN_RULES)
        _choice("diffusion", self.diffusion, DIFFUSIONS)
        _choice("input_activity", self.input_activity, INPUT_ACTIVITIES)
        _choice("prior_scope", self.prior_scope, PRIOR_SCOPES)
        _require(self.lr >= 0, f"lr must be >= 0 (got {self.lr})")
        _require(self.sig > 0, f"sig (u0) must be positive (got {self.sig})")
        _require(0 <= self.w1 <= self.w2, f"need 0 <= w1 <= w2 (got w1={self.w1}, w2={self.w2})")
        _require(self.activity_max_rate > 0 * Hz, "activity_max_rate must be positive")
        _require(self.count_prior >= 0, f"count_prior must be >= 0 (got {self.count_prior})")
