"""Where a network runs: Brian2's runtime device or a standalone device.

The model is the same on every device (the ED rule is generated code); only
how a batch of presentations reaches the simulator differs:

* runtime (numpy or Cython target): the network keeps its state between
  batches; each batch is one ``run()`` whose inputs are written into the
  ``TimedArray``\\ s in place, starting at ``t0 = t``;
* standalone (``cpp_standalone``, brian2cuda's ``cuda_standalone``): the
  program is generated and compiled once; each batch is one execution of it
  whose inputs and weights are handed over as ``run_args``.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
import warnings

import brian2
import numpy as np
from brian2 import NetworkOperation, prefs, set_device
from brian2.devices.device import all_devices
from brian2.units.fundamentalunits import fail_for_dimension_mismatch

from edsnn.model import build_cache
from edsnn.model.zero_delay import ZeroDelayCodeObject

__all__ = ["DeviceRun", "StandaloneRun", "DEVICES", "PRECISIONS", "device_run", "check_no_network_operation"]

#: Device names accepted by :func:`device_run` (and ``--device``).
DEVICES = ("runtime", "numpy", "cython", "cpp", "cuda")

#: ``--precision`` → floating-point type of every state variable and weight
#: (Brian2's ``core.default_float_dtype``).
PRECISIONS = {"double": np.float64, "single": np.float32}


def check_no_network_operation(network, device) -> None:
    """Refuse a standalone run that holds a Python ``network_operation``.

    Brian2's standalone devices drop such operations silently: learning would
    never happen, with no error.
    """
    if not getattr(device, "standalone", False):
        return
    ops = [obj.name for obj in network.objects if isinstance(obj, NetworkOperation)]
    if ops:
        raise RuntimeError(
            f"network operations {ops} cannot run under a standalone device "
            "(Brian2 would drop them silently); express them as run_regularly code"
        )


class DeviceRun:
    """Brian2's runtime device.

    Parameters
    ----------
    target : {"cython", "numpy"}
        Code-generation target (Cython compiles once, then is ~5× faster).
    precision : {"double", "single"}
        Floating-point type of state variables and weights (:data:`PRECISIONS`).
    """

    standalone = False

    def __init__(self, target: str = "cython", precision: str = "double"):
        if target not in ("cython", "numpy"):
            raise ValueError(f"runtime target must be 'cython' or 'numpy' (got {target!r})")
        self.target = target
        self.name = target
        self.precision = _checked_precision(precision)

    def activate(self, seed: int) -> None:
        """Select the device before any Brian2 object is made."""
        set_device("runtime")
        prefs.codegen.target = self.target
        prefs.core.default_float_dtype = PRECISIONS[self.precision]
        brian2.seed(seed)

    def _set_inputs(self, net, rates, labels, learn):
        inputs = net.batch_inputs
        inputs["rates"].values[:] = np.asarray(rates / brian2.Hz)
        inputs["labels"].values[:] = labels
        inputs["learn"].values[:] = learn

    def _set_t0(self, net, t0):
        for group in net.network.objects:
            if "t0" in getattr(group, "variables", {}):
                group.t0 = t0

    def first_step(self, net, dt) -> None:
        """Run the device's one silent step (learning rules read nothing at t = 0), if not run yet.

        A protocol that seeds Brian2 per phase calls it before the first
        phase, so that the phase's random numbers depend on its seed only.
        """
        if net.network.t == 0 * brian2.second:
            self._set_t0(net, 1 * brian2.second)
            net.network.run(dt, namespace={})

    def run_batch(self, net, rates, labels, learn, n):
        """Run ``n`` presentations (inputs padded to the batch size); returns :func:`read_records`."""
        network = net.network
        self.first_step(net, net.coding.dt)
        self._set_inputs(net, rates, labels, learn)
        self._set_t0(net, network.t)
        net.reset_recorders()
        start = network.t
        network.run(n * net.period, namespace={})
        return read_records(net.recorders, slice(0, n), start)

    @property
    def zero_delay_code(self):
        """Code-object class for synapses whose every pathway has delay 0 (None: Brian2's own)."""
        return None

    def set_parameter(self, obj, var, value) -> None:
        """Set the shared variable ``var`` of ``obj``, a parameter its code reads (e.g. a learning rate).

        Parameters declared this way rather than as constants in the generated
        code leave the code unchanged when their value changes.
        """
        obj.variables[var].set_value(value)

    def get_array(self, obj, var):
        """Values of a learned variable (weights, kept neuron state), unitless."""
        return np.array(obj.variables[var].get_value())

    def set_array(self, obj, var, values):
        obj.variables[var].set_value(np.asarray(values, dtype=float))


def _checked_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {tuple(PRECISIONS)} (got {precision!r})")
    if precision == "single":
        # Brian2's check for huge values compares float32 arrays with 1e50, which numpy cannot cast.
        warnings.filterwarnings("ignore", message="overflow encountered in cast", category=RuntimeWarning,
                                module="brian2.groups.group")
    return precision


class StandaloneRun(DeviceRun):
    """A standalone device: compiled once, executed once per batch.

    Every execution draws its own random stream: its seed is derived from
    ``(base seed, executions since that seed was set)``, where the base seed is
    the network's seed, or the last ``brian2.seed(n)`` called since, before or after the build
    (as :mod:`edsnn.protocols` does before each phase).  The same seeds and
    inputs therefore reproduce the same spikes and weights.

    Between executions the learned arrays (weights, kept neuron state) stay in
    the build folder: the result file of one execution is the input file of
    the next, so unchanged values are neither read into Python nor written again.  Inputs are written to fixed
    file names, overwritten per batch, so the build folder does not grow.

    Parameters
    ----------
    kind : {"cpp", "cuda"}
        ``cpp_standalone`` or brian2cuda's ``cuda_standalone``.
    directory : str, optional
        Build folder (default: a new temporary folder).
    profile : bool
        Time every code object; ``brian2.profiling_summary(net.network)`` then
        gives the figures of the last execution.
    precision : {"double", "single"}
        Floating-point type of state variables and weights (:data:`PRECISIONS`).
    threads : int
        OpenMP threads of a cpp program (1: none).  The random streams depend
        on it: a seed reproduces a run with the same number of threads.  Not
        a training option: 2 threads ran slower than one (docs: Results, "Devices
        and speed, memory"); ``benchmarks/speed.py`` measures it.
    """

    standalone = True

    def __init__(self, kind: str = "cpp", directory: str | None = None, profile: bool = False,
                 precision: str = "double", threads: int = 1):
        if kind not in ("cpp", "cuda"):
            raise ValueError(f"standalone kind must be 'cpp' or 'cuda' (got {kind!r})")
        if not isinstance(threads, (int, np.integer)) or threads < 1 or (kind == "cuda" and threads != 1):
            raise ValueError(f"threads must be an integer >= 1, and 1 on cuda (got {threads!r})")
        self.kind = kind
        self.name = kind
        self.precision = _checked_precision(precision)
        self.threads = int(threads)
        self.directory = os.path.abspath(directory or tempfile.mkdtemp(prefix=f"edsnn-{kind}-"))
        self.profile = profile
        self._built = False
        self._arrays = {}  # "obj.var" -> learned values held in Python, or None: the last results file holds them
        self._unsaved = set()  # learned arrays whose Python values the next execution must read
        #: ``"obj.var"`` → value handed to every execution on the command line (:meth:`set_parameter`).
        self.parameters = {}
        self._base_seed = None
        self._executions = 0  # executions since the base seed was set
        self._queue_seen = 0  # length of the device's main queue at the last execution
        #: Seconds the build took (generation and compilation), once built.
        self.build_seconds = None
        #: Seed of every execution so far, in order (for run records).
        self.execution_seeds = []

    def first_step(self, net, dt) -> None:
        """Nothing: a standalone program starts every batch from the initial state."""

    def activate(self, seed: int) -> None:
        # Brian2 suffixes the names of code objects while an earlier network's objects live on
        # (e.g. in reference cycles): the sources, and so the cached program, would differ.
        brian2.device.reinit()
        # A standalone device that built and ran an earlier network while another device was
        # current (a runtime network since) refuses to build again until it is reinitialised too.
        used = all_devices.get("cuda_standalone" if self.kind == "cuda" else "cpp_standalone")
        if used is not None and used is not brian2.get_device():
            used.reinit()
        gc.collect()
        brian2.device.activate()
        prefs.core.default_float_dtype = PRECISIONS[self.precision]
        prefs.devices.cpp_standalone.openmp_threads = 0 if self.threads == 1 else self.threads
        # Brian2's default `make -j` starts every compiler at once (dozens on a 2-core machine).
        prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
        if self.kind == "cuda":
            from edsnn.model.cuda import configure_cuda

            configure_cuda()
            set_device("cuda_standalone", build_on_run=False, directory=self.directory)
        else:
            set_device("cpp_standalone", build_on_run=False, directory=self.directory)
        build_cache.install(brian2.get_device(), self.kind, "main.cu" if self.kind == "cuda" else "main.cpp")
        brian2.seed(seed)
        self._base_seed = seed

    def run_batch(self, net, rates, labels, learn, n):
        device = brian2.get_device()
        if not self._built:
            self.build(net)
        seed = self._next_seed(device)
        # Set here too, so that Brian2 does not log every overwrite of the variable.
        os.environ[SEED_VARIABLE] = device.run_environment_variables[SEED_VARIABLE] = str(seed)
        inputs = net.batch_inputs
        args = [self._input_arg(inputs[key], values)
                for key, values in (("rates", rates), ("labels", labels), ("learn", learn))]
        for obj, var in net.learned_arrays().values():
            path = self._array_file(obj, var)
            if path is not None:
                args.append(f"{obj.name}.{var}={path}")
        self._check_args(args)
        args += [f"{key}={value!r}" for key, value in self.parameters.items()]
        device.run(directory=self.directory, run_args=args)
        for obj, var in net.learned_arrays().values():
            self._arrays[f"{obj.name}.{var}"] = None
        self._unsaved.clear()
        # The first record (t = 0) precedes the first presentation.
        return read_records(net.recorders, slice(1, n + 1), net.coding.dt)

    def build(self, net) -> float:
        """Generate and compile the program of ``net`` (once; the first batch does it).

        The program runs one batch (``batch_size`` presentations plus one step).
        A program compiled before from the same sources is taken from the cache
        (:mod:`edsnn.model.build_cache`); otherwise an unchanged build folder is
        reused (only changed sources recompile).  The seeds set before the build
        reach the cpp program at run time, so that networks differing only in
        their seed share one program.

        Returns
        -------
        float
            Seconds spent generating and compiling.
        """
        if self._built:
            return 0.0
        start = time.perf_counter()
        device = brian2.get_device()
        step = net.coding.dt
        self._set_t0(net, step)
        if self.kind == "cpp":
            self._seeds_at_run_time(device)
        # Reseed from the environment just before the network runs.
        device.insert_code("main", _RESEED_CODE[self.kind])
        net.network.run(net.batch_size * net.period + step, profile=self.profile, namespace={})
        device.build(directory=self.directory, compile=True, run=False)
        self._built = True
        self.build_seconds = time.perf_counter() - start
        return self.build_seconds

    def _seeds_at_run_time(self, device):
        """Replace the seeds compiled into the program by ones read from the environment.

        Brian2 writes each ``seed(n)`` as a constant into ``main.cpp``; read from
        :data:`INIT_SEED_VARIABLE` ``_k`` instead (set for every execution), the program is the
        same for every seed and the random streams are unchanged.
        """
        self._scan_seeds(device)
        queue, threads = device.main_queue, self.threads
        seeds = [(k, args) for k, (func, args) in enumerate(queue) if func == "seed" and args is not None]
        for number, (k, seed) in enumerate(seeds):
            variable = f"{INIT_SEED_VARIABLE}_{number}"
            queue[k] = ("insert_code", _INIT_SEED_CODE.format(variable=variable, threads=threads))
            # Set here too, so that Brian2 does not log the overwrite of an earlier network's value.
            os.environ[variable] = device.run_environment_variables[variable] = str(int(seed))

    def _scan_seeds(self, device):
        """Pick up the ``brian2.seed`` calls made since the last scan."""
        queue = device.main_queue
        for func, args in queue[self._queue_seen:]:
            if func == "seed":
                self._base_seed, self._executions = args, 0
        self._queue_seen = len(queue)

    def _next_seed(self, device) -> int:
        """Seed of the coming execution; picks up ``brian2.seed`` calls made since the last one."""
        self._scan_seeds(device)
        if self._base_seed is None:  # brian2.seed(None): fresh entropy
            self._base_seed = int(np.random.SeedSequence().generate_state(1)[0])
        seed = int(np.random.SeedSequence([int(self._base_seed), self._executions]).generate_state(1)[0])
        self._executions += 1
        self.execution_seeds.append(seed)
        return seed

    def _check_args(self, args):
        """Every file an execution reads exists, and is lower-case under cuda.

        brian2cuda 1.0a7 lower-cases ``run_args`` values and silently ignores
        a file it cannot open: the program would run on stale inputs.
        """
        for arg in args:
            name, path = arg.split("=", 1)
            if self.kind == "cuda" and path != path.lower():
                raise ValueError(f"brian2cuda lower-cases the paths it is handed: {path!r} ({name}) must be "
                                 "lower-case; choose a lower-case build folder")
            if not os.path.isfile(path):
                raise FileNotFoundError(f"input {name} of the execution is missing: {path}")

    def _input_arg(self, timed_array, values) -> str:
        """Write a batch input to its fixed file; the ``name=file`` argument of the program."""
        fail_for_dimension_mismatch(timed_array.dim, values)
        array = np.ascontiguousarray(np.asarray(values), dtype=timed_array.values.dtype)
        if array.shape != timed_array.values.shape:
            raise ValueError(f"{timed_array.name} needs shape {timed_array.values.shape} (got {array.shape})")
        path = os.path.join(self.directory, "static_arrays", f"edsnn_{timed_array.name}.dat")
        array.tofile(path)
        return f"{timed_array.name}.values={path}"

    def _array_file(self, obj, var) -> str | None:
        """The file the coming execution reads a learned array from.

        None before the first execution for an array never set from Python
        (e.g. a kept neuron state): the program starts it from its own initial values.
        """
        key = f"{obj.name}.{var}"
        if key in self._unsaved:
            path = os.path.join(self.directory, "static_arrays", f"edsnn_{obj.name}_{var}.dat")
            np.ascontiguousarray(self._arrays[key], dtype=obj.variables[var].dtype).tofile(path)
            return path
        device = brian2.get_device()
        path = os.path.join(device.results_dir, device.get_array_filename(obj.variables[var]))
        first_execution = len(self.execution_seeds) == 1  # the coming one's seed is already drawn
        return None if first_execution and not os.path.isfile(path) else path

    @property
    def zero_delay_code(self):
        """:class:`~edsnn.model.zero_delay.ZeroDelayCodeObject` on a cpp program without threads."""
        return ZeroDelayCodeObject if self.kind == "cpp" and self.threads == 1 else None

    def set_parameter(self, obj, var, value) -> None:
        """Hand ``value`` to every execution on the command line: the program holds no literal of it,
        so networks differing only in such values share one compiled program (Brian2's ``run_args``)."""
        dtype = obj.variables[var].dtype
        self.parameters[f"{obj.name}.{var}"] = np.asarray(value, dtype=dtype).item()

    def get_array(self, obj, var):
        key = f"{obj.name}.{var}"
        if self._arrays.get(key) is None:
            self._arrays[key] = np.array(obj.variables[var].get_value())  # the last results file
        return self._arrays[key].copy()

    def set_array(self, obj, var, values):
        key = f"{obj.name}.{var}"
        self._arrays[key] = np.asarray(values, dtype=float).copy()
        self._unsaved.add(key)


#: Environment variable through which each execution gets its seed.
SEED_VARIABLE = "EDSNN_RUN_SEED"

#: Prefix of the environment variables holding the seeds set before the build (cpp).
INIT_SEED_VARIABLE = "EDSNN_INIT_SEED"

#: Brian2's own seeding code (``CPPStandaloneDevice.generate_main_source``), the seed read at run time.
_INIT_SEED_CODE = """
    {{
        const unsigned long _seed = strtoul(getenv("{variable}"), NULL, 10);
        for (int _i=0; _i<{threads}; _i++)
            brian::_random_generators[_i].seed(_seed + _i);
    }}
"""

#: Code run right before the network, reseeding every random generator from
#: :data:`SEED_VARIABLE` (cpp: one Mersenne twister per thread; cuda: cuRAND).
_RESEED_CODE = {
    "cpp": f"""
    {{
        const char* _edsnn_seed = getenv("{SEED_VARIABLE}");
        if (_edsnn_seed != NULL) {{
            const unsigned long _seed = strtoul(_edsnn_seed, NULL, 10);
            for (size_t _i = 0; _i < brian::_random_generators.size(); _i++)
                brian::_random_generators[_i].seed(_seed + _i);
        }}
    }}
""",
    "cuda": f"""
    {{
        const char* _edsnn_seed = getenv("{SEED_VARIABLE}");
        if (_edsnn_seed != NULL)
            random_number_buffer.set_seed(strtoull(_edsnn_seed, NULL, 10));
    }}
""",
}


def read_records(recorders, rows: slice, start):
    """The batch's records from ``recorders`` (state and spike monitors).

    Returns
    -------
    records : dict
        Layer name → variable → array, shape (n_presentations, n_units).
    spikes : dict
        Layer name → (indices, times in seconds from ``start``), for spike monitors.
    """
    records, spikes = {}, {}
    for mon in recorders:
        if isinstance(mon, brian2.StateMonitor):
            records[mon.source.name] = {var: np.asarray(getattr(mon, var)[:, rows]).T for var in mon.record_variables}
        else:
            spikes[mon.source.name] = (np.asarray(mon.i[:]), np.asarray((mon.t - start) / brian2.second))
    return records, spikes


def device_run(name: str, directory: str | None = None, precision: str = "double", threads: int = 1) -> DeviceRun:
    """The :class:`DeviceRun` for a ``--device`` name (see :data:`DEVICES`).

    ``threads`` > 1 asks for OpenMP threads, which only a cpp program has.
    """
    if name not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES} (got {name!r})")
    if threads != 1 and name != "cpp":
        raise ValueError(f"threads apply to the cpp device only (got threads={threads} on {name!r})")
    if name in ("runtime", "cython", "numpy"):
        return DeviceRun("numpy" if name == "numpy" else "cython", precision)
    return StandaloneRun(name, directory or os.environ.get("EDSNN_BUILD_DIR"), precision=precision, threads=threads)
