"""edsnn: spiking networks trained with the Error-Diffusion rule, in Brian2."""

from importlib.metadata import PackageNotFoundError, version

try:  # the version has one source, pyproject.toml; an installed edsnn carries it in its metadata
    __version__ = version("edsnn")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
