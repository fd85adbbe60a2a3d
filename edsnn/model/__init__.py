"""The parts networks are assembled from: neuron, synapse and learning-rule models, and devices.

>>> from edsnn.model import LIF
>>> LIF().tau_m
20. * msecond

Nothing here knows a network: the networks (:mod:`edsnn.networks`) compose these parts.

See docs/architecture.md for how the parts fit together.
"""

from edsnn.model.adaptive import DALIF, AdaptiveLIF
from edsnn.model.catalog import NEURONS
from edsnn.model.conductance import AdaptiveConductanceLIF, ConductanceLIF
from edsnn.model.devices import DEVICES, PRECISIONS, DeviceRun, StandaloneRun, check_no_network_operation, device_run
from edsnn.model.ed_rule import DIFFUSIONS, INPUT_ACTIVITIES, PRIOR_SCOPES, SIGN_RULES, EDParameters, EDRule
from edsnn.model.izhikevich import IZHIKEVICH_PRESETS, Izhikevich
from edsnn.model.neurons import (
    LIF,
    RATE_UNITS,
    FReLURateUnit,
    LIFParameters,
    NeuronModel,
    ReferenceInputLIF,
    SigmoidRateUnit,
    neuron_group,
)
from edsnn.model.rules import LearningRule, Pathway
from edsnn.model.stdp import STDPParameters, STDPRule
from edsnn.model.synapses import (
    SYNAPSES,
    AlphaSynapse,
    BiexponentialSynapse,
    DeltaSynapse,
    ExponentialSynapse,
    SynapseModel,
)

__all__ = [
    "NeuronModel", "LIF", "LIFParameters", "ReferenceInputLIF", "SigmoidRateUnit", "FReLURateUnit",
    "RATE_UNITS", "NEURONS", "neuron_group",
    "AdaptiveLIF", "DALIF", "Izhikevich", "IZHIKEVICH_PRESETS",
    "SynapseModel", "ExponentialSynapse", "DeltaSynapse", "AlphaSynapse", "BiexponentialSynapse", "SYNAPSES",
    "LearningRule", "Pathway", "EDRule", "EDParameters",
    "SIGN_RULES", "DIFFUSIONS", "INPUT_ACTIVITIES", "PRIOR_SCOPES",
    "DeviceRun", "StandaloneRun", "DEVICES", "PRECISIONS", "device_run", "check_no_network_operation",
    "ConductanceLIF", "AdaptiveConductanceLIF", "STDPParameters", "STDPRule",
]
