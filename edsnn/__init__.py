"""edsnn: spiking networks trained with the Error-Diffusion rule, in Brian2."""

__version__ = "0.1.0"
