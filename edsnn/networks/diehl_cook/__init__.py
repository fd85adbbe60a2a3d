"""Diehl & Cook's (2015) unsupervised STDP network (``"diehl-cook"``)."""

from .assignment import assign_labels, vote
from .kind import DiehlCook
from .network import DiehlCookNetwork, DiehlCookParameters, DiehlCookResult

__all__ = ["DiehlCook", "DiehlCookNetwork", "DiehlCookParameters", "DiehlCookResult", "assign_labels", "vote"]
