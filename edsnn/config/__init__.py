"""The typed settings of a run: one frozen dataclass, the schema of ``config.json``.

It sits between the model and the run folder, so that the run-folder module,
the protocols, the analysis and the command line all read the same type.
"""

from edsnn.config.train import KINDS, SYNAPSES, TrainConfig, kind_of, section_classes

__all__ = ["TrainConfig", "SYNAPSES", "KINDS", "kind_of", "section_classes"]
