"""Run the notebooks of one or several campaigns and publish them atomically.

``rd-methods run demo-2025`` ends up in :func:`run`, three steps in a row:

1. **plan** (:mod:`~rd_methods.publish.plan`) — the notebooks (``--only``), the typed ``--param``
   values and the kernel, then each campaign loaded and validated once, and per notebook:
   not applicable (tables absent), reused (inputs unchanged since the published run:
   :mod:`~rd_methods.publish.cache`, :mod:`~rd_methods.publish.reuse`) or to execute;
2. **execute** (:mod:`~rd_methods.publish.execute`) — the notebooks to execute go to an executor
   (:mod:`~rd_methods.publish.executors`: a local process pool whose kernels are forked from
   preloaded workers, or a Dask cluster), longest first, ``9N_*`` synthesis notebooks after the
   others of their campaign; each worker (:mod:`~rd_methods.publish.worker`) renders the public and
   research pages and scans them for personal names;
3. **publish** (:mod:`~rd_methods.publish.publication`) — ``results.json``, ``provenance.json``,
   ``run.json`` and the campaign index written in ``reports/.<campaign>.tmp-…``, which then
   replaces ``reports/<campaign>`` (:mod:`~rd_methods.publish.swap`) unless a personal name was
   found (fail closed); then the cross-campaign comparison (:mod:`~rd_methods.publish.comparison`)
   and ``reports/index.html`` (:mod:`~rd_methods.publish.indexes`).

A run killed at any point leaves the previously published report in place: Ctrl-C or SIGTERM
stops every kernel's process group and the workers at once (:mod:`~rd_methods.publish.stopping`),
and the next run removes the hidden leftovers.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rd_methods.errors import RdMethodsError
from rd_methods.publish import comparison as _comparison
from rd_methods.publish import executors as _executors
from rd_methods.publish import indexes as _indexes
from rd_methods.publish import stopping as _stopping
from rd_methods.publish.execute import execute
from rd_methods.publish.notebooks import (
    detect_kernel,
    discover_notebooks,
    select_notebooks,
    typed_overrides,
)
from rd_methods.publish.plan import decide, load_campaigns, plan_run
from rd_methods.publish.publication import publish_campaign
from rd_methods.publish.tasks import (
    DEFAULT_TIMEOUT,
    CampaignRun,
    NotebookOutcome,
    NotebookSpec,
    RunOptions,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "RunOptions",
    "NotebookSpec",
    "NotebookOutcome",
    "CampaignRun",
    "discover_notebooks",
    "select_notebooks",
    "typed_overrides",
    "detect_kernel",
    "run",
]


def _default_echo(line: str) -> None:
    # one write per line (print() writes the newline apart): workers print to the same terminal
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(campaigns: Sequence[str], options: RunOptions | None = None, *,
        echo: Callable[[str], None] = _default_echo, **values: Any) -> list[CampaignRun]:
    """Run and publish the notebooks of ``campaigns``; return what happened to each.

    ``options`` (:class:`~rd_methods.publish.tasks.RunOptions`), or its fields as keywords
    (``run(["demo-2025"], only=["20"], jobs=2)``): ``data_dir``, ``only``, ``jobs``, ``edition``,
    ``timeout``, ``kernel``, ``notebooks_dir``, ``reports_dir``, ``retries``, ``executor``
    (``local`` or ``dask``), ``scheduler``, ``params`` (``--param`` values, typed from each
    notebook's parameters cell; an unknown name is an error before anything runs), ``force``
    (execute even the notebooks whose inputs did not change since the published run).

    Raises :class:`~rd_methods.errors.CampaignNotFound` / ``ValidationFailed`` before anything
    runs when a campaign cannot be loaded; a notebook's failure is reported in the returned
    :class:`CampaignRun` (status ``failed``), a personal name in a page makes it ``refused``
    (nothing of that campaign published). Ctrl-C or SIGTERM raises :class:`KeyboardInterrupt`
    once the kernels are stopped.
    """
    options = options or RunOptions(**values)
    if not campaigns:
        raise RdMethodsError("aucune campagne à exécuter", hint="rd-methods list montre les campagnes disponibles")
    plan = plan_run(options)
    executor, states = None, []
    with _signals_interrupt() as stop:
        try:
            # a Dask scheduler that cannot be reached fails here, before any campaign is touched
            executor = _executors.make_executor(options.executor, jobs=options.workers, scheduler=options.scheduler)
            # the local pool's forkserver loads the worker and the kernels' libraries (and NumPy's
            # BLAS: hence the thread caps) while the campaigns are validated
            executor.warm(dict(plan.thread_caps))
            if options.executor != "local":
                echo(f"rd-methods: exécution sur {executor.describe()}")
            states = load_campaigns(campaigns, plan, echo)
            for state in states:
                decide(state, plan, echo)
            execute(states, plan, executor, echo)
            runs = [publish_campaign(state, plan, echo) for state in states]
            _publish_comparison(plan, [s for s, r in zip(states, runs, strict=True) if r.published], echo)
            _indexes.write_site_index(plan.reports)
            return runs
        except (KeyboardInterrupt, _Terminated):
            stop.interrupt()
            echo("rd-methods: exécution interrompue, arrêt des noyaux ; les rapports publiés précédemment sont inchangés")
            raise KeyboardInterrupt from None
        finally:
            try:
                if executor is not None:
                    executor.shutdown(interrupted=stop.interrupted)
            finally:  # even when a second Ctrl-C interrupts the shutdown: no work folder left behind
                for state in states:
                    shutil.rmtree(state.tmp, ignore_errors=True)


def _publish_comparison(plan: Any, published: list[Any], echo: Callable[[str], None]) -> None:
    """Notebooks comparing campaigns run once, after the campaigns, when two or more were published."""
    if plan.cross and len(published) >= 2:
        _comparison.publish_comparison(plan.cross, published, reports=plan.reports, kernel=plan.kernel,
                                       timeout=plan.options.timeout, editions=list(plan.options.editions),
                                       retries=plan.options.retries, echo=echo)
    stale = _comparison.comparison_record(plan.reports)
    if stale and stale["outdated"]:
        echo(f"[{_comparison.FOLDER}] résultats de {', '.join(stale['outdated'])} changés depuis la comparaison "
             f"(signalé sur le site) ; rd-methods run {' '.join(stale['campaigns'])} la met à jour")


class _Terminated(Exception):
    pass


def _on_sigterm(signum, frame):  # pragma: no cover - exercised through a subprocess
    raise _Terminated()


class _Stop:
    """Whether the run was interrupted (Ctrl-C, SIGTERM)."""

    def __init__(self, main: bool) -> None:
        self.main, self.interrupted = main, False

    def interrupt(self) -> None:
        self.interrupted = True
        # a second Ctrl-C / SIGTERM while the kernels are stopped must not cut the clean-up short
        if self.main:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[_Stop]:
    """SIGTERM raises :class:`_Terminated` (handled as Ctrl-C) while the block runs, in the main
    thread; a kernel whose worker died is adopted, so that it is still ours to stop. The
    handlers are restored on the way out."""
    main = threading.current_thread() is threading.main_thread()
    stop = _Stop(main)
    old_term = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    old_int = signal.getsignal(signal.SIGINT) if main else None
    if main:
        _stopping.adopt_orphans()
    try:
        yield stop
    finally:
        if main:
            signal.signal(signal.SIGTERM, old_term)
            if stop.interrupted:
                signal.signal(signal.SIGINT, old_int)
