"""The ED spiking network as parts: neuron, synapse and rule models, assembly and devices.

>>> from edsnn.model import EDNetwork, LIF
>>> net = EDNetwork(n_inputs=1568, n_classes=10, hidden=(128,), neuron=LIF())   # doctest: +SKIP

See docs/architecture.md for how the parts fit together.
"""

from edsnn.model.adaptive import DALIF, AdaptiveLIF
from edsnn.model.assignment import assign_labels, vote
from edsnn.model.catalog import NEURONS
from edsnn.model.conductance import AdaptiveConductanceLIF, ConductanceLIF
from edsnn.model.devices import DEVICES, PRECISIONS, DeviceRun, StandaloneRun, check_no_network_operation, device_run
from edsnn.model.diehl_cook import DiehlCookNetwork, DiehlCookParameters, DiehlCookResult
from edsnn.model.ed_rule import DIFFUSIONS, INPUT_ACTIVITIES, PRIOR_SCOPES, SIGN_RULES, EDParameters, EDRule
from edsnn.model.izhikevich import IZHIKEVICH_PRESETS, Izhikevich
from edsnn.model.network import MODELS, BatchResult, EDNetwork
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
    "EDNetwork", "BatchResult", "MODELS",
    "NeuronModel", "LIF", "LIFParameters", "ReferenceInputLIF", "SigmoidRateUnit", "FReLURateUnit",
    "RATE_UNITS", "NEURONS", "neuron_group",
    "AdaptiveLIF", "DALIF", "Izhikevich", "IZHIKEVICH_PRESETS",
    "SynapseModel", "ExponentialSynapse", "DeltaSynapse", "AlphaSynapse", "BiexponentialSynapse", "SYNAPSES",
    "LearningRule", "Pathway", "EDRule", "EDParameters",
    "SIGN_RULES", "DIFFUSIONS", "INPUT_ACTIVITIES", "PRIOR_SCOPES",
    "DeviceRun", "StandaloneRun", "DEVICES", "PRECISIONS", "device_run", "check_no_network_operation",
    "DiehlCookNetwork", "DiehlCookParameters", "DiehlCookResult", "ConductanceLIF", "AdaptiveConductanceLIF",
    "STDPParameters", "STDPRule", "assign_labels", "vote",
]
