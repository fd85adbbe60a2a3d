"""The typed settings of a run: one frozen dataclass, the schema of ``config.json``.

It sits between the model and the run folder, so that the run-folder module,
the protocols, the analysis and the command line all read the same type.
"""

from edsnn.config.train import SYNAPSES, TrainConfig

__all__ = ["TrainConfig", "SYNAPSES"]
