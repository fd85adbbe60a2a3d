"""Diehl & Cook's (2015) STDP rule as a :class:`~edsnn.model.rules.LearningRule` part.

Every synapse holds a presynaptic trace ``apre`` and two postsynaptic traces
``apost1``, ``apost2`` (Brian2's port: ``pre``, ``post1``, ``post2``, names that
hide the synapses' ``pre`` pathway; event-driven: computed only when a spike reaches the
synapse).  On a presynaptic spike (after its delay) and on a postsynaptic
spike, with ``learning`` = 1::

    pre spike:   apre = 1;   w ← clip(w − nu_pre·apost1·w^mu_pre, 0, w_max)
    post spike:  w ← clip(w + nu_post·apre·apost2⁻·(w_max − w)^mu_post, 0, w_max);
                 apost1 = 1;  apost2 = 1

(``apost2⁻``: the trace just before this spike).  ``mu = 0`` (default) is the
rule of the paper's code and of Brian2's port; ``mu > 0`` makes the update
weight-dependent (soft bounds), as the paper's equation ``(w_max − w)^mu``.

Between presentations (at the end of each one's rest) the traces are set
back to 0, so that every presentation starts from the same state on every
device.

Per-neuron weight normalisation: before every learning presentation each
excitatory neuron's input weights are rescaled so that they sum to ``w_sum``
(78 for 784 inputs).  The sum is not recomputed over the inputs: each update
also adds its change to the neuron's ``w_total``, and a ``run_regularly``
block at the end of every presentation rescales ``w`` by ``w_sum/w_total``
and then sets ``w_total = w_sum`` (exact, and one multiplication per synapse
per presentation instead of a summed variable every time step).

The network provides ``learning`` and ``renorm`` (0 or 1) on the
postsynaptic group: whether the coming presentation learns, and whether the
weights are rescaled at this presentation boundary.
"""

from __future__ import annotations

import dataclasses

from brian2 import Quantity, ms

from edsnn.model.rules import ORDER, LearningRule, Pathway
from edsnn.units import QuantityParameters, physical

__all__ = ["STDPParameters", "STDPRule"]


@dataclasses.dataclass(frozen=True)
class STDPParameters(QuantityParameters):
    """Parameters of the STDP rule (defaults: Diehl & Cook's code and Brian2's port).

    Attributes
    ----------
    nu_pre : float
        Learning rate of depression, applied at a presynaptic spike.
    nu_post : float
        Learning rate of potentiation, applied at a postsynaptic spike.
    w_max : float
        Upper clip of a weight (lower clip: 0).
    mu_pre : float
        Exponent of the weight dependence of depression (0: none).
    mu_post : float
        Exponent of the weight dependence of potentiation (0: none).
    w_sum : float
        Sum of every neuron's input weights after normalisation (78 for 784
        inputs: 0.1 per input); 0 turns normalisation off.
    tau_pre, tau_post1, tau_post2 : Quantity
        Trace time constants (s).
    """

    nu_pre: float = 1e-4
    nu_post: float = 1e-2
    w_max: float = 1.0
    mu_pre: float = 0.0
    mu_post: float = 0.0
    w_sum: float = 78.0
    tau_pre: Quantity = physical(20 * ms, "presynaptic trace time constant")
    tau_post1: Quantity = physical(20 * ms, "postsynaptic trace of depression time constant")
    tau_post2: Quantity = physical(40 * ms, "postsynaptic trace of potentiation time constant")

    def __post_init__(self):
        super().__post_init__()
        for name in ("nu_pre", "nu_post", "mu_pre", "mu_post", "w_sum"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0 (got {getattr(self, name)})")
        if not self.w_max > 0:
            raise ValueError(f"w_max must be positive (got {self.w_max})")
        for name in ("tau_pre", "tau_post1", "tau_post2"):
            if not getattr(self, name) > 0 * ms:
                raise ValueError(f"{name} must be positive (got {getattr(self, name)})")


#: Traces and weight of every plastic synapse.
SYNAPSE = """
w : 1                                      # weight (ge_post += w per spike)
dapre/dt = -apre / tau_pre : 1 (event-driven)        # presynaptic trace
dapost1/dt = -apost1 / tau_post1 : 1 (event-driven)  # postsynaptic trace (depression)
dapost2/dt = -apost2 / tau_post2 : 1 (event-driven)  # postsynaptic trace (potentiation)
"""

#: What the rule adds to the postsynaptic group.
UNIT = "w_total : 1                # sum of the input weights (kept up to date by every update)\n"

#: Applies a clipped ``w_new`` when learning, and keeps ``w_total`` in step.
_APPLY = """
dw = learning_post * (clip({w_new}, 0, w_max) - w)
w_total_post += dw
w += dw
"""

#: Rescales the weights where ``renorm`` is 1 (a factor of exactly 1 elsewhere).
NORMALISE = "w *= 1 + renorm_post * (w_sum / clip(w_total_post, 1e-12, inf) - 1)"

#: Traces back to rest between presentations (after the rest period they are nearly 0).
TRACES_REST = "apre = 0\napost1 = 0\napost2 = 0"

#: The neuron's bookkeeping after :data:`NORMALISE` (in the reset block, ``ORDER["reset"]``).
NORMALISED = "w_total = renorm * w_sum + (1 - renorm) * w_total"


class STDPRule(LearningRule):
    """The STDP rule with its parameters (see the module docstring)."""

    name = "stdp"

    def __init__(self, params: STDPParameters | None = None):
        params = params or STDPParameters()
        if not isinstance(params, STDPParameters):
            raise TypeError(f"params must be STDPParameters (got {type(params).__name__})")
        self.params = params
        depression = "w - nu_pre * apost1" + (" * w**mu_pre" if params.mu_pre else "")
        potentiation = "w + nu_post * apre * apost2" + (" * (w_max - w)**mu_post" if params.mu_post else "")
        # apost2 is read before it is set to 1: the trace just before this spike.
        self.synapse_equations = SYNAPSE
        self.pathways = {
            "pre": Pathway("apre = 1" + _APPLY.format(w_new=depression)),
            "post": Pathway(_APPLY.format(w_new=potentiation) + "apost1 = 1\napost2 = 1", source="post"),
        }

    def namespace(self) -> dict:
        return {f.name: getattr(self.params, f.name) for f in dataclasses.fields(self.params)}

    def unit_equations(self, model) -> str:
        return UNIT

    @property
    def rest_code(self) -> str:
        """The neuron's part of the normalisation, run with the network's reset block."""
        return NORMALISED if self.params.w_sum else ""

    def schedule(self, net) -> list:
        """Normalisation and traces at rest at the end of every presentation of ``net``
        (a :class:`DiehlCookNetwork`), after it has decided ``renorm``, before its reset block."""
        code = (NORMALISE + "\n" if self.params.w_sum else "") + TRACES_REST
        net.plastic.run_regularly(code, dt=net.period, when="end", order=ORDER["update"], name="stdp_rest")
        return []
