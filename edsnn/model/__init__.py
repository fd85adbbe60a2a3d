"""The ED spiking network: equations, parameter sets, assembly and devices.

>>> from edsnn.model import EDNetwork, LIFParameters
>>> net = EDNetwork(n_inputs=1568, n_classes=10, hidden=(256,))   # doctest: +SKIP
"""

from edsnn.model.devices import DEVICES, DeviceRun, StandaloneRun, check_no_network_operation, device_run
from edsnn.model.network import MODELS, BatchResult, EDNetwork
from edsnn.model.parameters import (
    DIFFUSIONS,
    INPUT_ACTIVITIES,
    PRIOR_SCOPES,
    SIGN_RULES,
    DeltaSynapse,
    EDParameters,
    ExponentialSynapse,
    LIFParameters,
)

__all__ = [
    "EDNetwork", "BatchResult", "MODELS",
    "LIFParameters", "ExponentialSynapse", "DeltaSynapse", "EDParameters",
    "SIGN_RULES", "DIFFUSIONS", "INPUT_ACTIVITIES", "PRIOR_SCOPES",
    "DeviceRun", "StandaloneRun", "DEVICES", "device_run", "check_no_network_operation",
]
