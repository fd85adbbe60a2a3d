"""Zero-delay pathways on the cpp device: each presynaptic event's synapses are read in place.

Brian2's generic synaptic pathway copies, at every presynaptic event, the
indices of the event's synapses into a spike queue, and its synaptic code then
reads them back from that queue; the queue is what lets synapses have delays.
For a pathway whose delay is zero the copy is pure overhead: it took 15 % of a
training and 11 % of a test presentation of the headline network (Brian2's
per-code-object profile, ``benchmarks/speed.py --profile``).  The two
templates in ``templates/`` replace the copy: the queue keeps only its lists of
synapses per presynaptic neuron (built once per execution), and the synaptic
code walks the source's events and these lists directly, in the order the
queue would have held them, so every sum is taken in the same order and the
results are bit for bit those of the generic path.

A source whose synapses are consecutive and reach consecutive targets (a
"ramp": every source of an all-to-all ``connect()``) is walked by counting
instead: its list and its targets' indices are not read, and the loop becomes
one the compiler vectorises (in Brian2's profile the first layer's forward pass
of the headline network went from 2.0 to 1.4 ms per training presentation).  A
ramp visits its synapses in the list's order, so the sums stay those of the
generic path bit for bit.

Only for synapses whose every pathway has the scalar delay 0 and for a program
without OpenMP threads (the lists read are those of the single thread's queue).
"""

from __future__ import annotations

from brian2.devices.cpp_standalone.codeobject import CPPStandaloneCodeObject

__all__ = ["ZeroDelayCodeObject"]


class ZeroDelayCodeObject(CPPStandaloneCodeObject):
    """cpp_standalone code object whose ``synapses`` and ``synapses_push_spikes`` templates are edsnn's."""

    templater = CPPStandaloneCodeObject.templater.derive("edsnn.model")
