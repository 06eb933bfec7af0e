"""Where notebook executions run: a local process pool (default) or a Dask cluster.

The runner hands every notebook execution to an executor as one
:class:`~rd_methods.publish.tasks.NotebookTask`, run by
:func:`rd_methods.publish.worker.run_notebook`; both executors follow one small interface,
:class:`Executor` (``warm``, ``submit``, ``results``, ``shutdown``), and give back a
:class:`~rd_methods.publish.tasks.TaskResult` per task. Loading the campaigns, the campaign
index, the ``results.json``, the disclosure check of the whole report and the atomic swap stay
on the client.

- ``local``: a process pool of ``jobs`` workers forked from a forkserver that preloaded and
  warmed up the worker module, whose kernels are forked from the workers
  (:class:`rd_methods.publish.prefork.KernelPool`). Needs nothing.
- ``dask``: a ``distributed`` client. Without an address, a :class:`distributed.LocalCluster`
  on loopback with ``jobs`` single-threaded worker processes; with an address
  (``tcp://host:8786``), the scheduler of an existing cluster (``dask scheduler`` /
  ``dask worker``, or ``dask-jobqueue`` on SLURM / PBS). Each notebook execution is one
  task, submitted with ``retries=1``; a LocalCluster's scheduler allows one worker death
  per task (``distributed.scheduler.allowed-failures = 1``): a task whose worker dies is
  rerun once on another worker, then reported as failed.

What workers need: the same environment (``rd_methods`` installed, the ``rd-methods``
Jupyter kernel), and the notebooks, data and reports folders at the same paths as the
client (a shared file system): a worker writes the executed notebook and its pages into
``reports/.<campaign>.tmp-…`` and the client publishes that folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from typing import Protocol, runtime_checkable

from rd_methods.errors import RdMethodsError
from rd_methods.publish import prefork, stopping
from rd_methods.publish.tasks import NotebookTask, TaskResult

__all__ = ["EXECUTORS", "SCHEDULER_ENV", "Executor", "LocalExecutor", "DaskExecutor", "WorkerDied", "make_executor",
           "run_task"]

EXECUTORS = ("local", "dask")
#: environment variable holding the address of a Dask scheduler (``--scheduler``)
SCHEDULER_ENV = "RD_METHODS_SCHEDULER"
#: seconds allowed to reach a remote scheduler before giving up with a clear error
CONNECT_TIMEOUT = 5
# what a remote worker takes from the client's environment (the rest stays its own)
_PORTABLE_PREFIXES = ("RD_METHODS_",)
_PORTABLE_NAMES = frozenset({
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
    "PYDEVD_DISABLE_FILE_VALIDATION", "JUPYTER_PLATFORM_DIRS",
})
# run_notebook swaps os.environ and fd 2 of its process: one notebook at a time per process
_PROCESS_LOCK = threading.Lock()


@runtime_checkable
class Executor(Protocol):
    """Where notebook executions run. The runner only uses these five methods."""

    kind: str

    def describe(self) -> str:
        """One French line saying where tasks run (shown when it is not the local pool)."""

    def warm(self, env: dict[str, str] | None = None) -> None:
        """Get ready while the campaigns are validated (``env``: thread caps for the workers)."""

    def submit(self, task: NotebookTask) -> None:
        """Start ``task`` as soon as a worker is free."""

    def results(self) -> Iterator[tuple[NotebookTask, TaskResult]]:
        """Each submitted task with its result, as they finish, until none is in flight
        (tasks submitted while iterating included); never raises for a task."""

    def shutdown(self, interrupted: bool = False) -> None:
        """Release the workers; ``interrupted``: stop running kernels at once."""


class WorkerDied(RuntimeError):
    """The worker processes running a notebook died (twice: the task was rerun once)."""


def _discard_partial(task: NotebookTask) -> None:
    """A task that never returned may have left a half-written executed notebook: drop it
    (its results must not reach ``results.json``)."""
    from rd_methods.publish.html import page_name

    out_dir = Path(task.out_dir)
    for name in (f"{task.stem}.ipynb", *(page_name(task.stem, e) for e in ("public", "research"))):
        with contextlib.suppress(OSError):
            (out_dir / name).unlink()


def run_task(task: NotebookTask, portable_env: bool = False) -> TaskResult:
    """Run one notebook task on a Dask worker (:func:`~rd_methods.publish.worker.run_notebook`).

    With ``portable_env`` (a remote cluster) the worker keeps its own environment (``PATH``,
    ``HOME``, virtual environment…) and takes from the client's only the ``RD_METHODS_*``
    locations and the thread caps; on a LocalCluster the task's environment is used as is,
    exactly as in the local pool. Tasks sharing a worker process run one after the other.
    """
    from rd_methods.publish.worker import run_notebook

    if portable_env and task.env:
        mine = {k: v for k, v in os.environ.items() if not k.startswith(_PORTABLE_PREFIXES)}
        given = {k: v for k, v in task.env.items()
                 if k.startswith(_PORTABLE_PREFIXES) or k in _PORTABLE_NAMES}
        task = dataclasses.replace(task, env={**mine, **given})
    with _PROCESS_LOCK:
        return run_notebook(task)


class _Futures:
    """What both executors share: the tasks in flight, as futures, and :meth:`results`."""

    def __init__(self) -> None:
        self._pending: dict[Future, NotebookTask] = {}

    def _track(self, fut: Future, task: NotebookTask) -> None:
        self._pending[fut] = task

    def results(self) -> Iterator[tuple[NotebookTask, TaskResult]]:
        """Each task with its result as soon as it is done, until none is in flight (tasks
        submitted meanwhile included); a task that never returned (its worker died) comes
        back as a failed :class:`TaskResult`."""
        while self._pending:
            done, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            for fut in done:
                task = self._pending.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. a worker process that died
                    result = TaskResult.lost(exc)
                yield task, result

    def _busy(self) -> bool:
        busy = any(not f.done() for f in self._pending)
        self._pending = {}
        return busy


class LocalExecutor(_Futures):
    """The default: a pool of ``jobs`` local processes whose kernels are forked from preloaded
    workers (:class:`rd_methods.publish.prefork.KernelPool`)."""

    kind = "local"

    def __init__(self, jobs: int) -> None:
        super().__init__()
        self.jobs = max(1, int(jobs))
        self._pool = prefork.KernelPool(self.jobs)

    def describe(self) -> str:
        return f"pool local de {self.jobs} processus"

    def warm(self, env: dict[str, str] | None = None) -> None:
        """Start the pool's forkserver now, while the campaigns are validated
        (:meth:`~rd_methods.publish.prefork.KernelPool.warm`)."""
        self._pool.warm(env)

    def submit(self, task: NotebookTask) -> None:
        self._track(self._pool.submit(task), task)

    def shutdown(self, interrupted: bool = False) -> None:
        """Stop the pool.

        After a run that ended normally every worker is idle: the pool is closed cleanly
        (:meth:`~rd_methods.publish.prefork.KernelPool.close`). ``interrupted`` (Ctrl-C,
        SIGTERM), or a notebook still running: the kernels are stopped first
        (:func:`~rd_methods.publish.stopping.stop_kernels`), then every worker is killed and
        never waited for, then the kernels are stopped once more: one that a worker launched
        meanwhile (the signal came while it was starting its notebook) is an orphan by then,
        adopted by the runner (:func:`~rd_methods.publish.stopping.adopt_orphans`).
        """
        busy = self._busy()
        if interrupted or busy:
            stopping.stop_kernels()
            self._pool.kill()
            stopping.stop_kernels()
        else:
            self._pool.close()


class DaskExecutor(_Futures):
    """Notebook executions as tasks of a Dask ``distributed`` cluster.

    Parameters
    ----------
    jobs : int
        Worker processes of the LocalCluster started when ``address`` is empty
        (one thread each: a worker runs one kernel at a time).
    address : str, optional
        Scheduler address (``tcp://host:8786``). Empty: start a LocalCluster on loopback.
    connect_timeout : float
        Seconds to reach a remote scheduler; past it, :class:`RdMethodsError`.

    Example
    -------
    >>> ex = DaskExecutor(jobs=2)                                # doctest: +SKIP
    >>> ex.submit(task)                                          # doctest: +SKIP
    >>> [(t.stem, result.status) for t, result in ex.results()]  # doctest: +SKIP
    [('10_value_chain', 'ok')]
    >>> ex.shutdown()                                            # doctest: +SKIP
    """

    kind = "dask"

    def __init__(self, jobs: int, address: str | None = None, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise RdMethodsError(
                "l'exécuteur dask demande les paquets dask et distributed",
                hint='pip install -e ".[dask]" (make setup les installe)',
            ) from exc
        super().__init__()
        self.address = (address or "").strip() or None
        self.jobs = max(1, int(jobs))
        self._cluster = None
        if self.address is None:
            # one worker death per task is tolerated: the task is rerun once, then reported failed
            with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
                self._cluster = LocalCluster(
                    n_workers=self.jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=None, memory_limit=0,  # kernels are child processes, not worker memory
                )
            self.client = Client(self._cluster)
        else:
            if "://" not in self.address:
                self.address = f"tcp://{self.address}"
            try:
                with dask.config.set({"distributed.comm.timeouts.connect": f"{connect_timeout}s"}):
                    self.client = Client(self.address, timeout=connect_timeout)
            except Exception as exc:  # noqa: BLE001 - OSError / TimeoutError, ValueError for a bad address
                if isinstance(exc, (OSError, TimeoutError, AssertionError)):
                    why = f"aucune réponse en {connect_timeout:g} s"
                elif isinstance(exc, (ValueError, TypeError)):
                    why = f"adresse invalide ({exc})"
                else:
                    why = f"réponse inattendue ({type(exc).__name__}) : est-ce bien un planificateur Dask ?"
                raise RdMethodsError(
                    f"planificateur Dask injoignable à {self.address} : {why}",
                    hint="vérifier l'adresse (tcp://hôte:8786) et que « dask scheduler » tourne ; "
                         "sans --scheduler, un LocalCluster est démarré sur cette machine",
                ) from None

    def describe(self) -> str:
        if self._cluster is not None:
            return f"LocalCluster Dask de {self.jobs} processus ({self.client.scheduler.address})"
        n = len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        return f"cluster Dask {self.address} ({n} worker(s))"

    def warm(self, env: dict[str, str] | None = None) -> None:
        """Nothing to warm: the cluster is up since :meth:`__init__`."""

    def submit(self, task: NotebookTask) -> None:
        out: Future = Future()
        out.set_running_or_notify_cancel()
        fut = self.client.submit(
            run_task, task, portable_env=self._cluster is None,
            key=f"rd-methods-{task.campaign}-{task.stem}-{os.urandom(4).hex()}",
            pure=False, retries=1,
        )

        def relay(f) -> None:
            try:
                result = f.result()
            except BaseException as exc:  # noqa: BLE001 - KilledWorker, CancelledError…
                _discard_partial(task)
                if type(exc).__name__ == "KilledWorker":
                    exc = WorkerDied("le processus worker Dask est mort pendant l'exécution, "
                                     "deux fois (la tâche a été relancée une fois sur un autre worker)")
                out.set_exception(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
            else:
                out.set_result(result)
            finally:
                # the result is ours now: release the key, so that the scheduler does not run the
                # notebook again when the worker that held the result dies later (a second run
                # would rewrite the executed notebook while the campaign is being published)
                with contextlib.suppress(Exception):
                    f.release()

        fut.add_done_callback(relay)
        out._dask_future = fut  # type: ignore[attr-defined] - keep it referenced until done
        self._track(out, task)

    def shutdown(self, interrupted: bool = False) -> None:
        """Close the client (and the LocalCluster). ``interrupted``: kernels that this machine's
        workers are still running are stopped first."""
        self._pending = {}
        if interrupted:
            stopping.stop_kernels()
        client, self.client = getattr(self, "client", None), None
        if client is not None:
            try:
                client.close(timeout=10)
            except Exception:  # noqa: BLE001 - closing must not hide the run's outcome
                pass
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            try:
                cluster.close(timeout=20)
            except Exception:  # noqa: BLE001
                pass


def make_executor(kind: str = "local", *, jobs: int, scheduler: str | None = None) -> Executor:
    """The executor named ``kind`` (``local`` or ``dask``); a user error otherwise."""
    if kind not in EXECUTORS:
        raise RdMethodsError(f"exécuteur inconnu : {kind}", hint="--executor local ou dask")
    if kind == "local":
        if scheduler:
            raise RdMethodsError("--scheduler ne sert qu'avec l'exécuteur dask",
                                 hint=f"--executor dask --scheduler {scheduler}")
        return LocalExecutor(jobs)
    return DaskExecutor(jobs, scheduler)
