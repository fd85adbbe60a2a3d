"""Class networks trained in shards by worker processes: the same run, bit for bit, as one process."""

from __future__ import annotations

import numpy as np
import pytest
from run_checks import assert_same_run, run_quietly

from edsnn.config import TrainConfig
from edsnn.model import DeviceRun
from edsnn.networks.ed import EDNetwork
from edsnn.runs import RunFolder


def test_a_class_range_holds_the_slice_of_the_whole_networks_initial_weights():
    whole = EDNetwork(n_inputs=8, n_classes=5, hidden=(4, 2), seed=3, batch_size=2, device=DeviceRun("numpy"))
    weights = whole.get_weights()
    shard = EDNetwork(n_inputs=8, n_classes=5, hidden=(4, 2), seed=3, batch_size=2, device=DeviceRun("numpy"),
                      classes=(1, 4))
    assert shard.class_networks == 3 and list(shard.layers["hidden1"].cls[:]) == [1] * 4 + [2] * 4 + [3] * 4
    part = shard.get_weights()
    assert sorted(part) == sorted(weights) == ["hidden1", "hidden2", "output"]
    for key, array in weights.items():
        assert part[key].shape == (3, *array.shape[1:])
        np.testing.assert_array_equal(part[key], array[1:4], err_msg=key)


@pytest.mark.parametrize("classes", [(0, 0), (3, 2), (-1, 2), (4, 6)])
def test_a_class_range_outside_the_classes_is_refused(classes):
    with pytest.raises(ValueError, match=r"classes must be \(first, stop\) with 0 <= first < stop <= n_classes = 5"):
        EDNetwork(n_inputs=8, n_classes=5, hidden=4, batch_size=2, device=DeviceRun("numpy"), classes=classes)


def tiny(**changes) -> TrainConfig:
    """Several batches of a few presentations per phase, two epochs."""
    return TrainConfig(**dict(dict(train=40, test=20, hidden=(4,), epochs=2, seed=5, batch_size=8, record_spikes=True),
                              **changes))


@pytest.fixture(scope="module")
def unsharded(tmp_path_factory):
    """The one-process runs the sharded ones must equal: spiking model, runtime device."""
    out = tmp_path_factory.mktemp("unsharded") / "run"
    run_quietly(tiny(), out)
    return out


@pytest.mark.parametrize("workers", [2, 3])
def test_sharded_runs_equal_the_one_process_run(unsharded, tmp_path, workers):
    result = run_quietly(tiny(workers=workers), tmp_path / "run")
    assert [(a, b) for a, b in result.network.classes][-1][1] == 10
    assert_same_run(unsharded, tmp_path / "run", same_files=True)
    assert RunFolder(tmp_path / "run").spikes() is not None
    result.network.close()
