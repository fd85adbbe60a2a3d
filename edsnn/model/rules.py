"""Learning rules as parts: what a rule adds to the groups and synapses it is attached to.

A :class:`LearningRule` contributes Brian2 text and scheduled code; the
network assembler (:mod:`edsnn.networks.ed.network`) asks it for:

===========================  ===================================================
``unit_equations(model)``    variables of every learning layer (hidden, output)
``source_equations``         variables of the first (input) layer
``events``                   custom events of every presynaptic group
``synapse_equations``        variables of every learning synapse
``pathways``                 name → :class:`Pathway` (code on an event), merged
                             with the synapse model's forward ``on_pre``
``rest_code``                run on every layer at the start of a presentation
``pair_synapse_equations``   with ``pair_pathways``: the same for a first layer
                             of fused E/I pairs (one synapse per pixel and
                             target carries both weights, ``w_e`` and ``w_i``,
                             and defines ``w = w_e + w_i``, as a subexpression
                             or as a variable its pathways keep equal to the
                             sum, which the network then keeps too); None: the rule
                             needs one synapse per input
``initial_weights(w, s)``    a layer's first weights from the network's draw
``schedule(net)``            after assembly: ``run_regularly`` blocks, summed
                             variables and extra objects, with slot and order
===========================  ===================================================

The design also holds an STDP rule (Diehl & Cook 2015; docs/architecture.md):
traces in ``unit_equations``/``synapse_equations`` (``(event-driven)``), the
``pre`` pathway extended and a ``post`` pathway with ``source="post"``, and the
per-neuron weight normalisation as a ``run_regularly`` block on the synapses.
"""

from __future__ import annotations

import dataclasses

__all__ = ["LearningRule", "Pathway", "ORDER"]


@dataclasses.dataclass(frozen=True)
class Pathway:
    """Code a synapse runs on an event of its pre- or postsynaptic group.

    A pathway named ``"pre"`` whose event is ``"spike"`` is appended to the
    synapse model's forward transmission.
    """

    code: str
    event: str = "spike"
    source: str = "pre"
    when: str | None = None
    order: int | None = None


#: Order of the scheduled blocks in the ``end`` slot of a presentation's last step.
ORDER = {
    "forward": 1,     # rate units: summed input (one order per layer, counting up)
    "error": 10,      # output neurons: error signals
    "diffuse": 11,    # error signals spread to hidden layers; inputs set their activity
    "factors": 12,    # per-neuron factors of the update
    "event": 13,      # custom events of the presynaptic groups
    "update": 14,     # weight updates
    "scale": 15,      # synaptic scaling of the updated weights
    "record": 16,     # monitors record the presentation
    "reset": 17,      # counters (and state) reset for the next presentation
}


class LearningRule:
    """Base of every learning rule: it adds nothing (a network that does not learn)."""

    name = "none"
    source_equations = ""
    events: dict = {}
    synapse_equations = ""
    pathways: dict = {}
    rest_code = ""
    pair_synapse_equations: str | None = None
    pair_pathways: dict | None = None

    def namespace(self) -> dict:
        """Constants the rule's text reads, compiled into the generated code."""
        return {}

    def parameters(self) -> dict:
        """Values the rule's text reads as shared variables, set through the device at run time:
        networks differing only in them share one compiled program."""
        return {}

    def unit_equations(self, model) -> str:
        """Variables a learning layer of neuron model ``model`` gets from the rule."""
        return ""

    def initial_weights(self, weights, pre_sign):
        """A layer's first weights (class, pre[, post]) from the network's draw; ``pre_sign``
        is each presynaptic unit's type (+1 E, −1 I)."""
        return weights

    def schedule(self, net) -> list:
        """Attach scheduled code to the assembled ``net``; returns extra Brian2 objects."""
        return []
