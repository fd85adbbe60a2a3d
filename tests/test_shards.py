"""Class networks trained in shards by worker processes: the same run, bit for bit, as one process."""

from __future__ import annotations

import dataclasses
import multiprocessing

import numpy as np
import pytest
from run_checks import assert_same_run, run_quietly

from edsnn import register
from edsnn.cli import main
from edsnn.config import TrainConfig
from edsnn.model import LIF, DeviceRun
from edsnn.networks.ed import EDNetwork
from edsnn.networks.ed.shards import WorkerError
from edsnn.protocols import train
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
    return TrainConfig(**dict(dict(train=24, test=12, hidden=(4,), epochs=2, seed=5, batch_size=6, record_spikes=True),
                              **changes))


@pytest.fixture(scope="module")
def unsharded(tmp_path_factory):
    """The one-process runs the sharded ones must equal: spiking model, runtime device."""
    out = tmp_path_factory.mktemp("unsharded") / "run"
    run_quietly(tiny(), out)
    return out


def test_an_interrupted_sharded_run_resumes_with_uneven_shards_to_the_one_process_run(unsharded, tmp_path):
    """Epoch 1 by 2 workers (5 + 5 classes), interrupted; epoch 2 by 3 (4 + 3 + 3): the one-process run."""
    def interrupt_after_epoch_1(line):
        if line.startswith("epoch 1/2"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny(workers=2), tmp_path / "run", progress=False, echo=interrupt_after_epoch_1)
    assert RunFolder(tmp_path / "run").finished_epoch() == 1 and RunFolder(tmp_path / "run").spikes() is not None
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("edsnn-classes")]
    result = run_quietly(tiny(workers=3), tmp_path / "run", resume=True)
    assert result.network.classes == [(0, 4), (4, 7), (7, 10)]
    result.network.close()
    assert_same_run(unsharded, tmp_path / "run", same_files=True)


@pytest.mark.parametrize("changes", [{"model": "reference", "record_spikes": False},
                                     {"device": "cpp"}], ids=["reference", "cpp"])
def test_sharded_runs_equal_one_process_runs_of_the_reference_model_and_on_cpp(tmp_path, standalone_cleanup,
                                                                               changes):
    run_quietly(tiny(**changes), tmp_path / "one")
    run_quietly(tiny(workers=2, **changes), tmp_path / "two").network.close()
    assert_same_run(tmp_path / "one", tmp_path / "two", same_files=True)


def test_shards_on_a_dask_cluster_equal_the_one_process_run(unsharded, tmp_path):
    """Two shards as actors on the two workers of a local Dask cluster; three shards need three workers."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run_quietly(tiny(workers=2, scheduler=cluster.scheduler_address), tmp_path / "run").network.close()
        with pytest.raises(WorkerError, match=r"has 2 worker process\(es\); 3 shards need one each: "
                                              r"run at most --workers 2"):
            run_quietly(tiny(workers=3, scheduler=cluster.scheduler_address), tmp_path / "three")
    assert_same_run(unsharded, tmp_path / "run", same_files=True)


@register
@dataclasses.dataclass(frozen=True)
class NoisyLIF(LIF):
    """A leaky integrate-and-fire neuron with a noisy membrane: it draws random numbers."""

    kind = "test-noisy-lif"
    equations = LIF.equations.replace(" : volt", " + 2*mV*xi/sqrt(tau_m) : volt", 1)


@pytest.mark.parametrize("argv, message", [
    (["--workers", "0"], "workers must be a whole number >= 1 (got 0)"),
    (["--workers", "11"], "workers = 11 is more than the 10 class networks it shares out: use at most 10"),
    (["--workers", "2", "--model", "diehl-cook"],
     "workers = 2: model 'diehl-cook' cannot be split over workers: it is one population with lateral inhibition"),
    (["--workers", "2", "--neuron", "test-noisy-lif"],
     "workers = 2: the hidden1 model (NoisyLIF) draws random numbers, so workers would not see the same input"),
    (["--scheduler", "nowhere"], "scheduler must be a Dask scheduler address such as 'tcp://10.0.0.5:8786'"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--model", "diehl-cook"],
     "model 'diehl-cook' runs in this process only: it is one population with lateral inhibition"),
])
def test_workers_that_cannot_give_the_one_process_result_are_refused_before_anything_is_written(
        tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as refused:
        main(["train", "--out", str(tmp_path / "run"), "--train", "20", "--test", "10", *argv])
    assert refused.value.code == 2
    assert message in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "run").exists()


def test_workers_change_no_result_so_a_config_with_other_workers_is_the_same_run():
    assert TrainConfig(workers=4) == TrainConfig()
    assert TrainConfig.from_dict(TrainConfig(workers=4).to_dict()).workers == 4  # config.json records it
    assert TrainConfig(workers=1, model="diehl-cook").workers == 1  # one worker: every model
