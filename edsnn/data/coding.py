"""Rate coding of images for the E/I input pairs of an ED network.

Each pixel ``x`` (0..255) drives two input neurons, an excitatory and an
inhibitory one, both firing as Poisson processes at ``x / 255 * max_rate``
for ``presentation``, followed by ``rest`` with no input.  The two neurons of
a pair fire the same spike train (as in the published program) or two
independent ones (``pairs``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
from brian2 import Hz, Quantity, ms

from ..units import QuantityParameters, format_quantity, physical

__all__ = ["SpikeCoding", "PAIRS", "CODES", "ei_pairs", "rate_chunks"]

#: How the two inputs of an E/I pair fire (:attr:`SpikeCoding.pairs`).
PAIRS = ("shared", "independent")

#: How a pixel value becomes spikes (:attr:`SpikeCoding.code`).
CODES = ("poisson", "regular", "latency")


def _whole_steps(name: str, value: Quantity, dt: Quantity) -> int:
    ratio = float(value / dt)
    steps = int(round(ratio))
    if abs(ratio - steps) > 1e-9 * max(1.0, abs(ratio)):
        raise ValueError(
            f"{name} ({format_quantity(value)}) must be a whole multiple of dt "
            f"({format_quantity(dt)}); it is {ratio:g} steps"
        )
    return steps


@dataclasses.dataclass(frozen=True)
class SpikeCoding(QuantityParameters):
    """How images become Poisson input rates (frozen; units checked).

    Parameters
    ----------
    max_rate : Quantity
        R_max: rate of a white pixel (255), in Hz.  Default 150 Hz.
    presentation : Quantity
        Time each image is shown.  Default 100 ms: twice the input spikes of
        the published program's 50 ms make the counts ED learns from less
        noisy, and the network learns better on every dataset measured
        (docs: Results, "100 ms presentations"); ``--presentation 50ms`` is the
        published setting.
    rest : Quantity
        Silent time after each image.  Default 0 ms.
    dt : Quantity
        Simulation time step.  Default 1 ms.
    pairs : {"shared", "independent"}
        ``"shared"``: one Poisson train per pixel, relayed to both inputs of
        its E/I pair one step later, so that their effects on a neuron cancel
        exactly where the E and I weights balance (the published program does
        the same); ``"independent"``: two trains per pixel, whose fluctuations
        add up.  Shared trains learn better (docs: Results, "What made spike
        counts learn").
    code : {"poisson", "regular", "latency"}
        ``"poisson"``: spikes at random with probability ``x·R_max·dt`` per
        step; ``"regular"``: deterministic spikes at ``x·R_max``, the k-th at
        ``k/(x·R_max)`` into the presentation (``floor(x·R_max·T)`` in all);
        ``"latency"``: time-to-first-spike, one spike per non-zero pixel in
        the step holding ``(1 − x)·(presentation − dt)``, the brightest first.

    Raises
    ------
    edsnn.units.UnitError
        A value without the right unit (``"presentation must be a time, e.g. 100. ms (got 50)"``).
    ValueError
        ``presentation <= 0``, ``rest < 0``, ``dt <= 0``, ``max_rate < 0``,
        presentation or rest not a whole number of steps, or
        ``max_rate * dt > 1`` (a per-step spike probability above 1).
    """

    max_rate: Quantity = physical(150 * Hz, "R_max: Poisson rate of a white pixel")
    presentation: Quantity = physical(100 * ms, "time each image is shown")
    rest: Quantity = physical(0 * ms, "silent time after each image")
    dt: Quantity = physical(1 * ms, "simulation time step")
    pairs: str = "shared"
    code: str = "poisson"

    def __post_init__(self):
        super().__post_init__()
        if self.pairs not in PAIRS:
            raise ValueError(f"pairs must be one of {PAIRS} (got {self.pairs!r})")
        if self.code not in CODES:
            raise ValueError(f"code must be one of {CODES} (got {self.code!r})")
        if not self.dt > 0 * ms:
            raise ValueError(f"dt must be positive, got {format_quantity(self.dt)}")
        if not self.presentation > 0 * ms:
            raise ValueError(f"presentation must be positive, got {format_quantity(self.presentation)}")
        if not self.rest >= 0 * ms:
            raise ValueError(f"rest must not be negative, got {format_quantity(self.rest)}")
        if not self.max_rate >= 0 * Hz:
            raise ValueError(f"max_rate must not be negative, got {format_quantity(self.max_rate)}")
        _whole_steps("presentation", self.presentation, self.dt)
        _whole_steps("rest", self.rest, self.dt)
        probability = float(self.max_rate * self.dt)
        if probability > 1 + 1e-12:
            raise ValueError(
                f"max_rate * dt = {format_quantity(self.max_rate)} * {format_quantity(self.dt)} "
                f"= {probability:g} > 1: the Poisson spike probability per step would exceed 1; "
                "lower max_rate or dt"
            )

    @classmethod
    def published(cls) -> SpikeCoding:
        """The published program's coding: 150 Hz, 50 ms presentations at dt = 1 ms, shared pairs."""
        return cls(presentation=50 * ms)

    @property
    def period(self) -> Quantity:
        """presentation + rest: time from one image to the next."""
        return self.presentation + self.rest

    @property
    def steps_per_presentation(self) -> int:
        """Number of dt steps an image is shown."""
        return _whole_steps("presentation", self.presentation, self.dt)

    @property
    def steps_per_period(self) -> int:
        """Number of dt steps from one image to the next."""
        return self.steps_per_presentation + _whole_steps("rest", self.rest, self.dt)


def ei_pairs(images) -> np.ndarray:
    """Pixel intensities in [0, 1], each repeated for its E and I input.

    Parameters
    ----------
    images : array_like, shape (n, 28, 28) or (n, n_pixels)
        Pixel values 0..255 (uint8 or any real type).  Pass one image as
        ``image[None]``.

    Returns
    -------
    numpy.ndarray of float64, shape (n, 2 * n_pixels)
        Column ``2k`` is the excitatory and ``2k + 1`` the inhibitory input of
        pixel ``k`` (row-major pixel order); both hold ``pixel / 255`` (the
        same sign: the inhibitory input is not inverted).

    Raises
    ------
    ValueError
        Fewer than two dimensions, or values outside 0..255.
    """
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(
            f"images must have shape (n, 28, 28) or (n, n_pixels), got {images.shape}; "
            "pass one image as image[None]"
        )
    if images.dtype.kind not in "uif":
        raise ValueError(f"images must hold numbers 0..255, got dtype {images.dtype}")
    if images.size and (images.min() < 0 or images.max() > 255):
        raise ValueError(
            f"pixel values must lie in 0..255, got {images.min()}..{images.max()}"
        )
    flat = images.reshape(len(images), -1).astype(np.float64) / 255.0
    return np.repeat(flat, 2, axis=1)


def rate_chunks(images, coding: SpikeCoding, chunk_size: int = 1000) -> Iterator[Quantity]:
    """Poisson input rates, ``chunk_size`` images at a time.

    Parameters
    ----------
    images : array_like, shape (n, 28, 28) or (n, n_pixels)
        Pixel values 0..255.
    coding : SpikeCoding
        Gives ``max_rate``.
    chunk_size : int
        Images per chunk (>= 1); the last chunk may be shorter.

    Yields
    ------
    Quantity, shape (chunk, 2 * n_pixels), in Hz
        ``ei_pairs(chunk) * coding.max_rate``: (chunk, 1568) for 28x28
        images.  Only one chunk of rates is in memory at a time.
    """
    if not isinstance(coding, SpikeCoding):
        raise TypeError(f"coding must be a SpikeCoding, got {type(coding).__name__}")
    if int(chunk_size) != chunk_size or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive whole number, got {chunk_size!r}")
    chunk_size = int(chunk_size)
    for start in range(0, len(images), chunk_size):
        yield ei_pairs(images[start:start + chunk_size]) * coding.max_rate
