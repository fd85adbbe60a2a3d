"""Neuron models: a frozen, unit-checked parameter set plus its Brian2 text.

A neuron model is a :class:`NeuronModel` dataclass.  Its fields are its
parameters (physical ones declared with :func:`edsnn.units.physical`, checked
on construction); its class attributes are the model text Brian2 needs:

=================  =============================================================
``equations``      one variable per line, with unit and comment; may read the
                   synaptic input current ``I_syn`` (the synapse model defines it)
``threshold``      spike condition, or None for a rate unit
``reset``          code run after a spike
``method``         integration method (``"exact"``, ``"euler"``, …)
``rest_state``     variable → expression put back at the start of every
                   presentation (when the network resets state between them)
``initial_state``  variable → expression at build time (default: ``rest_state``)
``kept_state``     variables that persist across presentations (homeostasis);
                   the network saves and restores them with the weights
=================  =============================================================

and :meth:`NeuronModel.refractory` gives the refractory period.  The
parameters are bound by name in the group's namespace, so the text uses the
field names.  A new model is a new subclass; nothing in edsnn needs to change
(docs: User guide, "Neuron and synapse models" has a 20-line example)::

    @dataclasses.dataclass(frozen=True)
    class QIF(NeuronModel):
        v_rest: Quantity = physical(-65 * mV, "resting potential")
        ...
        equations = "dv/dt = ... : volt (unless refractory)"
        threshold, reset = "v > v_peak", "v = v_reset"
        rest_state = {"v": "v_rest"}

How a layer's activity is read out for learning (spike counts) and how the
synapses act on it are not the neuron's business: see
:mod:`edsnn.model.synapses` and :mod:`edsnn.model.ed_rule`.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from brian2 import Mohm, Quantity, ms, mV, nA

from edsnn.units import QuantityParameters, physical

__all__ = ["NeuronModel", "LIF", "LIFParameters", "ReferenceInputLIF", "RateUnit", "SigmoidRateUnit",
           "FReLURateUnit", "RATE_UNITS", "neuron_group"]


def _require(condition: bool, message: str):
    if not condition:
        raise ValueError(message)


@dataclasses.dataclass(frozen=True)
class NeuronModel(QuantityParameters):
    """Base of every neuron model (see the module docstring for the attributes)."""

    kind: ClassVar[str] = ""
    equations: ClassVar[str] = ""
    threshold: ClassVar[str | None] = None
    reset: ClassVar[str] = ""
    method: ClassVar[str] = "exact"
    rest_state: ClassVar[dict] = {}
    initial_state: ClassVar[dict | None] = None
    kept_state: ClassVar[tuple] = ()

    @property
    def spiking(self) -> bool:
        """True if the model emits spikes (it has a threshold)."""
        return self.threshold is not None

    def refractory(self):
        """Refractory period (a Quantity) or False; default: the ``tau_ref`` field if any."""
        return getattr(self, "tau_ref", False)

    def namespace(self) -> dict:
        """The parameters by field name, as the equations read them."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def start_state(self) -> dict:
        """Variable → expression that the group's state is set to once built."""
        return dict(self.rest_state if self.initial_state is None else self.initial_state)


@dataclasses.dataclass(frozen=True)
class LIF(NeuronModel):
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

    kind = "lif"
    equations = (
        "dv/dt = (v_rest - v + R_m*(I_syn + I_bias)) / tau_m : volt (unless refractory)  # membrane potential\n"
    )
    threshold = "v > v_threshold"
    reset = "v = v_reset"
    rest_state = {"v": "v_rest"}

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
    def reference_input(cls) -> ReferenceInputLIF:
        """The published program's hard-coded input LIF (:class:`ReferenceInputLIF`)."""
        return ReferenceInputLIF()

    def rheobase(self) -> Quantity:
        """Smallest constant current that makes the neuron fire."""
        return (self.v_threshold - self.v_rest) / self.R_m


#: The name edsnn used before neuron models were parts; the same class.
LIFParameters = LIF


@dataclasses.dataclass(frozen=True)
class ReferenceInputLIF(LIF):
    """The published program's input LIF (docs/published_program.md).

    A LIF integrated with the forward Euler method, as the program does, with
    its hard-coded constants and its threshold test ``v >= v_threshold``.  Its
    refractory period never takes effect, so the neuron has none
    (``tau_ref = 0 ms``): a Brian2 refractory neuron would also keep ``v`` at
    the reset, not at rest, when it fires on the last step of a presentation.
    """

    v_threshold: Quantity = physical(-40 * mV, "spike threshold")
    tau_m: Quantity = physical(12 * ms, "membrane time constant")
    tau_ref: Quantity = physical(0 * ms, "absolute refractory period (none: the program's never takes effect)")
    R_m: Quantity = physical(35 * Mohm, "membrane resistance")
    I_bias: Quantity = physical(0 * nA, "constant bias current")

    kind = "reference-input-lif"
    equations = "dv/dt = (v_rest - v + R_m*(I_syn + I_bias)) / tau_m : volt  # membrane potential\n"
    threshold = "v >= v_threshold"
    method = "euler"

    def __post_init__(self):
        super().__post_init__()
        _require(self.tau_ref == 0 * ms, f"tau_ref of the published program's input LIF must be 0 ms, as its "
                                         f"refractory period never takes effect (got {self.tau_ref})")

    def refractory(self):
        return False


@dataclasses.dataclass(frozen=True)
class RateUnit(NeuronModel):
    """A rate unit of the reference model: activity ``y = f(u)`` in [0, 1].

    ``u`` is the summed input of a presentation (set by its synapses); the
    unit has no spikes and no state of its own between presentations.  The
    ED rule reads ``y`` only: its derivative-like factor is ``y(1 - y)``
    (:mod:`edsnn.model.ed_rule`).
    """

    @classmethod
    def from_ed(cls, ed) -> RateUnit:
        """The unit for the rule's parameters ``ed`` (:class:`~edsnn.model.EDParameters`)."""
        return cls()

    def refractory(self):
        return False


@dataclasses.dataclass(frozen=True)
class SigmoidRateUnit(RateUnit):
    """The published program's rate unit: ``y = f(u) = 1/(1 + exp(-2u/u0))``.

    The rule's factor ``y(1 - y)`` is ``(u0/2)·f'(u)``; ``u0`` is the rule's ``sig``.
    """

    u0: float = 1.2

    kind = "sigmoid"
    equations = """
u : 1                      # summed input of the presentation
y = 1 / (1 + exp(-2*u/u0)) : 1   # activity f(u)
"""

    def __post_init__(self):
        super().__post_init__()
        _require(self.u0 > 0, f"u0 (sig) must be positive (got {self.u0})")

    @classmethod
    def from_ed(cls, ed) -> SigmoidRateUnit:
        return cls(u0=ed.sig)


@dataclasses.dataclass(frozen=True)
class FReLURateUnit(RateUnit):
    """The unit of the published program's third version ("FReLU"), as it executes.

    For the summed input ``u`` it computes ``a = max(u, 0.15·u)``, replaces
    ``a`` by ``1/(1 + exp(-2a))`` if ``a > 1`` and by 0 if ``a < 0``, and
    clips to [0, 1]: ``f(u) = 0`` for ``u <= 0``, ``u`` for ``0 < u <= 1``,
    ``σ(2u)`` for ``u > 1`` (so ``f`` drops from 1 to ≈ 0.88 at ``u = 1``).
    It has no gain (``sig`` is not read) and performs no convolution, despite
    the name.  The rule keeps its factor ``y(1 - y)`` on this ``y``, as the
    program does.
    """

    kind = "frelu"
    equations = """
u : 1                      # summed input of the presentation
y = clip(u, 0, 1) * int(u <= 1) + int(u > 1) / (1 + exp(-2*u)) : 1   # activity f(u)
"""


#: ``--transfer`` name → rate unit of the reference model's hidden and output layers.
RATE_UNITS = {cls.kind: cls for cls in (SigmoidRateUnit, FReLURateUnit)}


def neuron_group(model: NeuronModel, n: int, name: str, *, synapse=None, equations: str = "",
                 on_spike: str = "", events: dict | None = None, namespace: dict | None = None, dt=None):
    """A ``NeuronGroup`` of ``n`` neurons of ``model``, in its start state.

    Parameters
    ----------
    model : NeuronModel
        The neuron model; its parameters are bound by field name.
    synapse : SynapseModel, optional
        The kinetics of the synapses onto the group; adds its postsynaptic
        state (e.g. ``I_syn``) and constants.
    equations : str
        Further variables (the learning rule's, the read-out's).
    on_spike : str
        Code appended to the model's reset (spiking models only).
    events : dict, optional
        Custom events (name → condition).
    namespace : dict, optional
        Further constants; the model's and synapse's parameters win.
    dt : Quantity, optional
        Clock of the group (default: the default clock).
    """
    from brian2 import NeuronGroup

    text = model.equations + (synapse.post_equations if synapse is not None else "") + equations
    space = dict(namespace or {}, **(synapse.namespace() if synapse is not None else {}), **model.namespace())
    spiking = {}
    if model.spiking:
        reset = "; ".join(code for code in (model.reset, on_spike) if code)
        spiking = dict(threshold=model.threshold, reset=reset, refractory=model.refractory())
    group = NeuronGroup(n, text, method=model.method, events=dict(events or {}), namespace=space,
                        dt=dt, name=name, **spiking)
    for variable, value in model.start_state().items():
        setattr(group, variable, value)
    return group
