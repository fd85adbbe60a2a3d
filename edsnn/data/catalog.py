"""Names, class names and download mirrors of the datasets edsnn knows."""

from __future__ import annotations

__all__ = ["DATASETS", "ALIASES", "CLASS_NAMES", "MIRRORS", "canonical_name"]

#: Datasets edsnn reads.
DATASETS = ("mnist", "fashion-mnist")

#: Other accepted spellings → dataset name.
ALIASES = {"fashion": "fashion-mnist", "fashion_mnist": "fashion-mnist"}

#: Dataset → name of each class, in label order 0..9.
CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion-mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
}

#: Dataset → public mirror holding its four ``.gz`` files.
MIRRORS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}


def canonical_name(name: str) -> str:
    """``"mnist"`` or ``"fashion-mnist"`` for ``name`` or one of its :data:`ALIASES`.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    """
    key = str(name).lower()
    key = ALIASES.get(key, key)
    if key not in DATASETS:
        raise ValueError(
            f"unknown dataset {name!r}; valid names: {', '.join(DATASETS)} "
            f"(aliases: {', '.join(sorted(ALIASES))})"
        )
    return key
