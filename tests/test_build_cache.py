"""The cache of compiled standalone programs: keys, canonical sources, and a second build that does not compile."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from brian2 import Hz, ms

from edsnn.data import SpikeCoding
from edsnn.model import EDParameters, StandaloneRun
from edsnn.model.build_cache import cache_root, canonical_main, drop_stale_objects, program_key
from edsnn.networks import EDNetwork


def test_canonical_main_sorts_only_commuting_constant_assignments():
    text = "x();\n  b_t[0] = 0.0;\n  a_t[0] = 0.001;\ny();\n  d[0] = 1;\n  c[0] = 2;\n  d[0] = 3;\n"
    assert canonical_main(text) == (
        "x();\n  a_t[0] = 0.001;\n  b_t[0] = 0.0;\ny();\n"
        "  d[0] = 1;\n  c[0] = 2;\n  d[0] = 3;\n"  # d set twice to different values: order kept
    )


def test_program_key_follows_sources_not_data(tmp_path):
    for name, text in (("main.cpp", "int main(){}"), ("makefile", "CXX=c++"), ("static_arrays/w", "1"),
                       ("results/w", "2"), ("main.o", "obj"), ("main", "binary")):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    key = program_key(str(tmp_path))
    for name in ("static_arrays/w", "results/w", "main.o", "main"):
        (tmp_path / name).write_text("changed")
    assert program_key(str(tmp_path)) == key
    (tmp_path / "makefile").write_text("CXX=c++ -O0")
    assert program_key(str(tmp_path)) != key


#: Values every execution reads at run time: a network differing only in them shares the program.
RUN_TIME_VALUES = dict(ed=EDParameters(lr=0.2, dif=0.8, activity_max_rate=150 * Hz, count_prior=1.0,
                                       prior_scope="all"),
                       coding=SpikeCoding(max_rate=300 * Hz, presentation=20 * ms))


def _train(directory, seed, other_values=False):
    values = RUN_TIME_VALUES if other_values else dict(
        ed=EDParameters(lr=0.3), coding=SpikeCoding(max_rate=400 * Hz, presentation=20 * ms))
    net = EDNetwork(n_inputs=8, n_classes=2, hidden=(4,), batch_size=3, seed=seed,
                    device=StandaloneRun("cpp", str(directory)), **values)
    rates = np.tile(np.repeat([0.9, 0.6, 0.3, 0.8], 2), (3, 1)) * 400 * Hz
    counts = net.run(rates, np.array([0, 1, 0]), learn=True).counts
    return np.concatenate([c.ravel() for c in counts.values()]), net.get_weights()


#: Three builds in one fresh process (as every ``edsnn train`` is): seed 5, seed 5 again, seed 6 with
#: other run-time values (:data:`RUN_TIME_VALUES`).
CACHE_SCRIPT = """
import sys, numpy as np
from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
sys.path.insert(0, sys.argv[2])
from test_build_cache import _train
compilations, compile_source = [], CPPStandaloneDevice.compile_source
CPPStandaloneDevice.compile_source = lambda self, *args: compilations.append(args[0]) or compile_source(self, *args)
root = sys.argv[1]
fresh_counts, fresh_weights = _train(root + "/a", seed=5)
first = len(compilations)
counts, weights = _train(root + "/b", seed=5)
second = len(compilations)
other_counts, _ = _train(root + "/c", seed=6, other_values=True)
same = np.array_equal(counts, fresh_counts) and all(np.array_equal(weights[k], fresh_weights[k]) for k in weights)
print(first, second, len(compilations), int(fresh_counts.sum() > 0), int(same),
      int(not np.array_equal(other_counts, fresh_counts)))
"""


def test_a_second_build_takes_the_cached_program_and_gives_a_fresh_builds_results(tmp_path):
    """Run in a fresh interpreter: a process that built other networks before may name its code
    objects differently (``_1``), and then compiles once more (a cache miss, never a wrong result)."""
    env = dict(os.environ, EDSNN_CACHE=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", CACHE_SCRIPT, str(tmp_path), str(Path(__file__).parent)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    first, second, third, fired, same, differs = map(int, done.stdout.split()[-6:])
    assert (first, second, third) == (1, 1, 1), "a build of the same structure compiled again"
    assert len([p for p in (tmp_path / "cache" / "programs").iterdir() if p.is_dir()]) == 1
    assert fired and same  # the cached program gives the fresh build's counts and weights
    assert differs  # another seed and other values, the same program: they are read at run time


def test_the_cache_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("EDSNN_CACHE", "off")
    assert cache_root() is None
    monkeypatch.delenv("EDSNN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert str(cache_root()) == "/somewhere/edsnn"


def test_objects_compiled_with_other_flags_are_dropped(tmp_path):
    (tmp_path / "makefile").write_text("PROGRAM = main\nOPTIMISATIONS = -O3\nSRCS = a.cpp\n")
    drop_stale_objects(str(tmp_path))  # a folder never compiled here: nothing to keep
    for name in ("a.o", "main"):
        (tmp_path / name).write_text("built")
    (tmp_path / "makefile").write_text("PROGRAM = main\nOPTIMISATIONS = -O3\nSRCS = a.cpp b.cpp\n")
    drop_stale_objects(str(tmp_path))  # other sources, same flags: make's own business
    assert (tmp_path / "a.o").is_file() and (tmp_path / "main").is_file()
    (tmp_path / "makefile").write_text("PROGRAM = main\nOPTIMISATIONS = -O3 -fopenmp\nSRCS = a.cpp b.cpp\n")
    drop_stale_objects(str(tmp_path))
    assert not (tmp_path / "a.o").exists() and not (tmp_path / "main").exists()
