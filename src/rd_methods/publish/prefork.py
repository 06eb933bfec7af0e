"""Kernels forked from a process that has already imported the scientific stack.

Every notebook still runs in a new kernel process of its own, with an empty namespace, as
papermill would start it; what changes is how that process comes to be. The one entry point is
:class:`KernelPool`, the process pool of the local executor
(:class:`rd_methods.publish.executors.LocalExecutor`): nothing else in the package reaches into
this module. Started the usual
way (``python -m ipykernel_launcher``), a kernel spends about 2.5 s of processor time
importing ipykernel, pandas, matplotlib, SciPy, statsmodels… before the notebook does
anything, once per notebook. Here:

1. the pool's forkserver imports that stack once (:func:`preload`, from
   :mod:`rd_methods.publish._preload`, which also warms the worker's HTML renderer up);
2. each pool worker (a fork of the forkserver, one notebook per worker) runs
   :func:`rd_methods.publish.worker.run_notebook` with :func:`forked_kernel` as its kernel
   launcher, which forks, before anything else, a *kernel-to-be* (:func:`fork_pending`): a copy
   of itself that becomes the leader of a new process group and waits on a pipe;
3. when papermill (nbclient, jupyter_client) launches the kernel, the provisioner of
   :class:`PreforkKernelManager` hands the kernel's command line, environment and folder
   to that copy, which applies them and starts ipykernel in place: the notebook's imports
   find their modules already loaded.

The kernel is a child of the worker; interrupting, timing out and killing it go through
jupyter_client as usual (signals to its process group). Two of jupyter_client's waits are
shortened for these kernels: its client waits for 0.2 s of silence on IOPub once the kernel
answers (:class:`ReadyClient` takes what is there and goes on), and it polls a kernel being
stopped every 100 ms (here 10 ms); together about 0.3 s per notebook. Fork-specific care: the global
NumPy random state is reseeded from the system (as in a new process; Python's ``random``
reseeds itself), ``MPLBACKEND`` is set before matplotlib is preloaded (figures stay inline),
and the copy is forked before the worker has any event loop, ZeroMQ context or thread.
Anything else than ``python -m ipykernel_launcher`` with this Python, a second launch in
the same worker (a retry), or ``RD_METHODS_PREFORK=0`` falls back to the usual launch.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Type

__all__ = ["ENV", "PRELOAD", "KernelPool", "enabled", "preload", "forked_kernel", "fork_pending", "discard_pending",
           "PreforkProvisioner", "PreforkKernelManager", "ReadyClient"]

ENV = "RD_METHODS_PREFORK"
#: What kernels would import anyway: ipykernel and the libraries the notebooks use. Not
#: matplotlib_inline: it wires figures into IPython's display when it is imported, which
#: must happen in the kernel (with its shell), as it does in a kernel started the usual way.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "IPython",
    "numpy", "pandas", "pyarrow.parquet", "matplotlib.pyplot", "seaborn", "scipy.stats", "scipy.sparse.csgraph",
    "statsmodels.api", "statsmodels.formula.api", "networkx", "igraph", "pandera", "babel.numbers",
    "rd_methods.campaign", "rd_methods.plots", "rd_methods.results", "rd_methods.disclosure",
    "rd_methods.overview", "rd_methods.value_chain", "rd_methods.network", "rd_methods.pipeline",
    "rd_methods.survey", "rd_methods.counterfactual", "rd_methods.resilience", "rd_methods.sroi",
    "rd_methods.synthesis",
)
_INLINE = "module://matplotlib_inline.backend_inline"

_preloaded = False  # this process (the forkserver, then its forks) preloaded the stack
_pending: _Pending | None = None  # the kernel-to-be of this worker, until launched


def enabled() -> bool:
    """Not switched off by ``RD_METHODS_PREFORK=0`` (nor ``false``, ``no``, ``non``)."""
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "non", "off")


def preload() -> None:
    """Import :data:`PRELOAD` (modules that fail to import are skipped: a kernel would meet
    the same error itself). Called once, in the forkserver."""
    global _preloaded
    # ipykernel asks matplotlib for inline figures through MPLBACKEND, which matplotlib
    # reads when it is imported: set it first, as a kernel would have it
    os.environ.setdefault("MPLBACKEND", _INLINE)
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an optional piece missing only costs its import later
            pass
    _preloaded = True


class _Child:
    """The forked kernel, with the part of :class:`subprocess.Popen` that jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class _Pending:
    """A forked copy of the worker waiting for its kernel's command line on a pipe."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self._fd = pid, fd

    def launch(self, args: list[str], env: dict[str, str], cwd: str | None) -> _Child:
        data = json.dumps({"args": args, "env": env, "cwd": cwd}).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        os.close(self._fd)
        return _Child(self.pid)

    def discard(self) -> None:
        """Not needed after all: the copy reads end-of-file and exits."""
        try:
            os.close(self._fd)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def fork_pending() -> bool:
    """In a pool worker of the runner, fork this worker's kernel-to-be (once per process).

    Returns whether a kernel-to-be is waiting (False: not in a preloaded worker, already
    used, or switched off); call before anything starts an event loop in this process.
    """
    global _pending, _preloaded
    if not (_preloaded and enabled()) or _pending is not None:
        return False
    _preloaded = False  # one fork per worker: the worker is no longer pristine afterwards
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process (its coverage is not collected)
        code = 1
        try:
            os.close(write_fd)
            os.setsid()  # its own process group, as jupyter_client starts kernels
            chunks = []
            while chunk := os.read(read_fd, 1 << 16):
                chunks.append(chunk)
            os.close(read_fd)
            if chunks:
                _become_kernel(json.loads(b"".join(chunks)))
            code = 0
        except SystemExit as exc:  # the kernel's own way out
            code = exc.code if isinstance(exc.code, int) else 0
        except BaseException:  # noqa: BLE001 - report on the kernel log, never return to the worker's code
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(read_fd)
    _pending = _Pending(pid, write_fd)
    return True


def discard_pending() -> None:
    """Release the kernel-to-be if nothing launched it (e.g. the notebook never ran)."""
    global _pending
    pending, _pending = _pending, None
    if pending is not None:
        pending.discard()


def _take_pending() -> _Pending | None:
    global _pending
    pending, _pending = _pending, None
    return pending


#: Interpreter options of a kernel command that make no difference to a forked kernel
#: (ipykernel's own kernel specs ask for ``-Xfrozen_modules=off``, for its debugger).
_HARMLESS_OPTIONS = ("-Xfrozen_modules=off",)


def _kernel_args(cmd: list[str]) -> list[str] | None:
    """The ipykernel arguments of ``python [-X…] -m ipykernel_launcher ARGS`` run by this
    very Python, else ``None`` (that kernel cannot be forked from here)."""
    if not cmd or os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
        return None
    rest = [a for a in cmd[1:] if a not in _HARMLESS_OPTIONS]
    if rest[:2] != ["-m", "ipykernel_launcher"]:
        return None
    return rest[2:]


def _become_kernel(spec: dict[str, Any]) -> None:  # pragma: no cover - runs in the child
    """In the forked copy: take the kernel's environment and run ipykernel in place."""
    os.environ.clear()
    os.environ.update(spec["env"])
    if spec.get("cwd"):
        os.chdir(spec["cwd"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # jupyter_client gives kernels no stdin
    os.close(null)
    if "numpy" in sys.modules:  # a new process would draw a new global seed
        sys.modules["numpy"].random.seed()
    if sys.path and sys.path[0] in ("", os.path.dirname(os.path.abspath(sys.argv[0] or ""))):
        del sys.path[0]  # as ipykernel_launcher does (IPython puts the notebook's folder back)
    sys.argv = ["ipykernel_launcher", *spec["args"]]
    from ipykernel import kernelapp

    # IPKernelApp reads JPY_PARENT_PID when its class is defined, that is in the
    # forkserver: pass this kernel's parent (the worker) explicitly, so that the kernel
    # exits if the worker dies and keeps quiet about its connection file
    kernelapp.IPKernelApp.launch_instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or os.getppid()))


class PreforkProvisioner(LocalProvisioner):
    """:class:`~jupyter_client.provisioning.LocalProvisioner` that hands the launch to the
    worker's kernel-to-be when there is one."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        pending = _take_pending()
        args = _kernel_args(cmd)
        if pending is None or args is None:
            if pending is not None:
                pending.discard()
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        # no cwd given: the launching process's current folder, as Popen would (papermill
        # changes into the notebook's folder around the execution)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        self.process = pending.launch([os.path.expanduser(s) for s in args], env, cwd)
        self.pid = self.pgid = self.process.pid  # the copy called setsid() before waiting
        self.cwd = cwd
        return self.connection_info


class ReadyClient(AsyncKernelClient):
    """jupyter_client's kernel client, ready as soon as the kernel is.

    :meth:`wait_for_ready` waits, as jupyter_client does, for the reply to ``kernel_info`` on
    the shell channel and for a message on IOPub (proof that the subscription works, so that
    no output of the first cell is lost); it then takes what IOPub already holds instead of
    waiting for 0.2 s of silence on it. Messages that come later answer ``kernel_info``, and
    nbclient keeps only the messages of the cell it executes (their parent's ``msg_id``).
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while await self.iopub_channel.msg_ready():
            await self.iopub_channel.get_msg(timeout=0)


class PreforkKernelManager(AsyncKernelManager):
    """The kernel manager papermill is given (``kernel_manager_class``): the usual one, with
    :class:`PreforkProvisioner` as its provisioner and :class:`ReadyClient` as its client; a
    kernel that is being stopped is polled every 10 ms (jupyter_client: 100 ms)."""

    client_factory = Type(ReadyClient, klass=AsyncKernelClient)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_id = self.kernel_id or str(uuid.uuid4())
        self.provisioner = PreforkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        await super()._async_wait(pollinterval=0.01)


@contextlib.contextmanager
def forked_kernel() -> Iterator[dict[str, Any]]:
    """Kernel launcher of :func:`rd_methods.publish.worker.run_notebook` in a pool worker:
    fork this worker's kernel-to-be and give papermill :class:`PreforkKernelManager`; the
    usual launch (``{}``) when this process is not a pristine preloaded worker (a retry, or
    ``RD_METHODS_PREFORK=0``). A kernel-to-be that no launch used exits on the way out."""
    try:
        yield {"kernel_manager_class": PreforkKernelManager} if fork_pending() else {}
    finally:
        discard_pending()


def _run_in_worker(task: Any) -> Any:
    """What :class:`KernelPool` submits: one notebook, its kernel forked from this worker."""
    from rd_methods.publish.worker import run_notebook  # imported by the forkserver already

    return run_notebook(task, kernel=forked_kernel)


class KernelPool:
    """A pool of ``jobs`` local worker processes whose kernels are forked from preloaded workers.

    Workers are forks of a forkserver that imported the worker module (papermill, nbconvert,
    warmed up) and, unless ``RD_METHODS_PREFORK=0``, what kernels import (:func:`preload`);
    each runs one notebook (then a fresh worker replaces it) in a kernel forked from itself
    (:func:`forked_kernel`). The pool itself starts at the first :meth:`submit`, with processes
    spawned as tasks come (never more than ``jobs``).
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, int(jobs))
        self._pool: ProcessPoolExecutor | None = None

    @staticmethod
    def _context():
        try:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["rd_methods.publish._preload"])
        except ValueError:  # pragma: no cover - platforms without forkserver
            ctx = multiprocessing.get_context()
        return ctx

    @staticmethod
    def warm(env: dict[str, str] | None = None) -> None:
        """Start the forkserver now: it imports and warms the worker module and the kernels'
        libraries (a few seconds) while the caller goes on (validating campaigns); workers
        forked later inherit all of it. ``env``: variables the forkserver starts with (unless
        set already), e.g. thread caps that NumPy's BLAS reads when it is loaded. A forkserver
        already running (started earlier in this process: by ``rd-methods run`` before it
        imports the runner, or by an earlier run) is kept as it is."""
        ctx = KernelPool._context()
        if ctx.get_start_method() != "forkserver":
            return
        from multiprocessing import forkserver

        added = {k: v for k, v in (env or {}).items() if k not in os.environ}
        os.environ.update(added)
        try:
            forkserver.ensure_running()
        finally:
            for k in added:
                os.environ.pop(k, None)

    def submit(self, task: Any) -> Future:
        """Run :func:`rd_methods.publish.worker.run_notebook` on ``task`` in a worker."""
        if self._pool is None:
            ctx = self._context()
            # kernels are forked from pristine workers: one notebook each (exactly 1: CPython
            # gh-115634, a deadlock with 1 < max_tasks_per_child, spares 1)
            once = {"max_tasks_per_child": 1} if ctx.get_start_method() == "forkserver" and enabled() else {}
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, **once)
        return self._pool.submit(_run_in_worker, task)

    def close(self) -> None:
        """Every worker idle: shut the pool down the way :mod:`concurrent.futures` expects (each
        worker, replacements included, reads its end sentinel and exits; joined here). Workers
        are never terminated then: one killed while it holds the call queue's lock would leave
        the others waiting on that lock for ever, and the interpreter's exit with them."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def kill(self, grace: float = 2.0) -> None:
        """Kill every worker, replacements spawned meanwhile included, never waiting for them
        (the pool sees itself broken and spawns no more).

        Workers are signalled and reaped through their :class:`multiprocessing.Process` objects
        only: a worker reaped behind multiprocessing's back (``waitpid`` by another library)
        looks alive to it for ever, and the pool's manager thread, which the interpreter joins
        at exit, would keep waiting for it."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # the pool's own table of workers, which its manager thread keeps up to date (replacements
        # included): taken before shutdown(), which drops the pool's reference to it
        processes = getattr(pool, "_processes", None) or {}
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        while True:
            alive = [p for p in list(processes.values()) if p.is_alive()]
            if not alive or time.monotonic() > deadline:
                break
            for p in alive:
                p.terminate()
            soon = time.monotonic() + 0.2
            for p in alive:
                p.join(max(0.0, soon - time.monotonic()))
                if p.is_alive():
                    p.kill()
