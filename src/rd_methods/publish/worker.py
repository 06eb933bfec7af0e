"""What one worker process does for one notebook: execute it, render its pages, scan them.

Runs inside the executors' workers (:mod:`rd_methods.publish.executors`): it receives a
:class:`~rd_methods.publish.tasks.NotebookTask` and returns a
:class:`~rd_methods.publish.tasks.TaskResult` (both frozen and picklable), never raising for a
notebook's failure. How the kernel is started is the caller's choice (``kernel``): the usual
way, or forked from a preloaded worker (:class:`rd_methods.publish.prefork.KernelPool` passes
its own launcher); this module knows nothing of it.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.exceptions import PapermillExecutionError

from rd_methods import disclosure
from rd_methods.publish import html as _html
from rd_methods.publish.tasks import NotebookTask, TaskResult

__all__ = ["run_notebook", "warm_up", "usual_kernel", "BANNER_TAG", "ENGINE", "SavedOnceEngine"]

#: ``kernel`` of :func:`run_notebook`: a context manager factory giving the keyword arguments
#: papermill starts the kernel with (``{}``: the usual launch)
KernelLauncher = Callable[[], AbstractContextManager[dict[str, Any]]]

BANNER_TAG = "papermill-error-cell-tag"
_BANNER = (
    '<span style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; font-size:2em;">'
    "{text}</span>"
)


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's fd 2 (and so the kernel's stderr) to ``path`` meanwhile."""
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _started(path: Path) -> bool:
    """Did the kernel execute any cell? (nbclient stamps executed cells; papermill's own
    status is no guide: it marks every cell "completed" when the kernel never started)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - no readable output: nothing ran
        return False
    return any(
        cell.get("cell_type") == "code"
        and (cell.get("execution_count") is not None or "iopub.execute_input" in cell.get("metadata", {}).get("execution", {}))
        for cell in nb.cells
    )


def _tail(path: Path, lines: int = 6) -> str:
    try:
        text = path.read_text("utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def _add_banner(nb: Any, text: str) -> None:
    cell = nbformat.v4.new_markdown_cell(_BANNER.format(text=text))
    cell.metadata["tags"] = [BANNER_TAG]
    nb.cells.insert(0, cell)


class _SavedOnceManager(NotebookExecutionManager):
    """papermill's record of an execution, written to the output notebook once, when the
    execution ends (cell error, timeout and dead kernel included), instead of at the start and
    end of every cell: nothing reads the notebook meanwhile (it is in the run's hidden work
    folder), and each write serialises and validates the whole notebook."""

    def save(self, **kwargs: Any) -> None:
        self.last_save_time = self.now()

    def notebook_complete(self, **kwargs: Any) -> None:
        super().notebook_complete(**kwargs)
        NotebookExecutionManager.save(self)


class SavedOnceEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`_SavedOnceManager` (papermill engine
    ``rd-methods``, :data:`ENGINE`)."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         autosave_cell_every=30, **kwargs):
        nb_man = _SavedOnceManager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                   autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


#: papermill engine the runner executes notebooks with
ENGINE = "rd-methods"
papermill_engines.register(ENGINE, SavedOnceEngine)


def usual_kernel() -> AbstractContextManager[dict[str, Any]]:
    """Start kernels the usual way (papermill's defaults)."""
    return contextlib.nullcontext({})


def _execute(task: NotebookTask, out: Path, log: Path, kernel: KernelLauncher) -> dict[str, Any]:
    """Execute with papermill, retrying when the kernel did not start. Returns status fields."""
    attempts = 0
    retries = int(task.retries)
    while True:
        attempts += 1
        try:
            # the kernel's stderr goes to the log (read back when it fails to start); a kernel
            # launcher that forks the kernel from this process does it here, inside the redirection
            with _stderr_to(log), kernel() as extra:
                pm.execute_notebook(
                    task.path,
                    str(out),
                    parameters=dict(task.parameters),
                    kernel_name=task.kernel,
                    execution_timeout=task.timeout,
                    start_timeout=task.start_timeout,
                    progress_bar=False,
                    log_output=False,
                    engine_name=ENGINE,
                    cwd=task.cwd,
                    # every output is in the notebook by then: no need to wait ~1 s for
                    # the kernel to exit politely
                    shutdown_kernel="immediate",
                    **extra,
                )
            return {"status": "ok", "error": None, "attempts": attempts}
        except PapermillExecutionError as exc:
            return {
                "status": "failed",
                "attempts": attempts,
                "error": {
                    "kind": "exception",
                    "cell": exc.cell_index,
                    "exec_count": exc.exec_count,
                    "ename": exc.ename,
                    "evalue": str(exc.evalue)[:500],
                },
            }
        except Exception as exc:  # noqa: BLE001 - anything else is reported, never raised
            if not _started(out) and attempts <= retries:
                # the kernel did not start (e.g. the port race of parallel kernels): retry
                time.sleep(0.5 + random.random())
                continue
            timeout = isinstance(exc, TimeoutError) and _started(out)
            return {
                "status": "failed",
                "attempts": attempts,
                "error": {
                    "kind": "timeout" if timeout else ("kernel" if not _started(out) else "runner"),
                    "cell": None,
                    "exec_count": None,
                    "ename": type(exc).__name__,
                    "evalue": (
                        f"délai dépassé ({task.timeout} s pour une cellule)"
                        if timeout
                        else (str(exc) or _tail(log))[:500]
                    ),
                },
            }


def run_notebook(task: NotebookTask, kernel: KernelLauncher = usual_kernel) -> TaskResult:
    """Execute one notebook and write its executed ``.ipynb`` and HTML editions into
    ``task.out_dir``; scan them for personal names. Never raises for a notebook's failure.

    ``kernel``: how kernels start (:func:`usual_kernel`, or the forked kernels of
    :class:`rd_methods.publish.prefork.KernelPool`); a retry after a kernel that did not start
    asks it again.
    """
    t0 = time.monotonic()
    out_dir = Path(task.out_dir)
    out = out_dir / f"{task.stem}.ipynb"
    # one write per line: the runner and the other workers print to the same terminal
    sys.stdout.write(f"[{task.campaign}] {task.stem:<30} démarré\n")
    sys.stdout.flush()
    if task.env:
        os.environ.clear()
        os.environ.update(task.env)
    with tempfile.TemporaryDirectory(prefix="rd-methods-log-") as logdir:
        outcome = _execute(task, out, Path(logdir) / "kernel.log", kernel)
    pages: dict[str, str] = {}
    try:
        nb = nbformat.read(out, as_version=4)
    except Exception as exc:  # noqa: BLE001
        nb = nbformat.read(task.path, as_version=4)
        if outcome["status"] == "ok":
            outcome.update(status="failed", error={"kind": "runner", "cell": None, "exec_count": None,
                                                   "ename": type(exc).__name__, "evalue": str(exc)[:500]})
    error = outcome.get("error")
    if error and not any(BANNER_TAG in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        # papermill adds its banner for an exception in a cell; do the same for the rest
        _add_banner(nb, f"Échec de l'exécution : {error['ename']} — {error['evalue']}")
    nbformat.write(nb, out)

    scanner = disclosure.NameScanner(dict(task.names))
    findings = disclosure.scan_notebook(nb, scanner, f"{task.stem}.ipynb", sources=True)
    context = dict(task.context, status=outcome["status"])
    try:
        for edition in task.editions:
            name = _html.page_name(task.stem, edition)
            page = _html.render_page(nb, edition=edition, context=context)
            (out_dir / name).write_text(page, "utf-8")
            pages[edition] = name
            findings += disclosure.scan_html(page, scanner, name)
    except Exception as exc:  # noqa: BLE001 - a page that cannot be rendered is a failure
        outcome["status"] = "failed"
        outcome["error"] = {"kind": "html", "cell": None, "exec_count": None, "ename": type(exc).__name__,
                            "evalue": "".join(traceback.format_exception_only(exc)).strip()[:500]}
    return TaskResult(status=outcome["status"], duration=time.monotonic() - t0, error=outcome["error"],
                      attempts=outcome["attempts"], pages=pages, ipynb=out.name, findings=tuple(findings))


def warm_up() -> None:
    """Render a two-cell notebook in both editions, so that nbconvert's templates and the
    code highlighter are loaded and compiled.

    The runner's forkserver calls this once before forking the workers
    (:mod:`rd_methods.publish._preload`): each worker then renders its first page as fast
    as its later ones. Never raises (a warm-up is only an optimisation).
    """
    try:
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell("# Titre\n\nTexte *mis en forme*, un [lien](index.html)."),
            nbformat.v4.new_code_cell("import pandas as pd\nx = pd.DataFrame({'a': [1]})\nx", execution_count=1,
                                      outputs=[nbformat.v4.new_output("execute_result", execution_count=1,
                                                                      data={"text/html": "<table><tr><td>1</td></tr></table>",
                                                                            "text/plain": "   a\n0  1"})]),
        ]
        context = {"campaign": "warm-up", "campaign_title": "warm-up", "synthetic": True, "stem": "00_warm_up",
                   "notebook_title": "warm-up", "parameters": {}, "fingerprint": "", "git": {}, "versions": {},
                   "run_at": None, "editions": list(_html.EDITIONS), "status": "ok"}
        for edition in _html.EDITIONS:
            _html.render_page(nb, edition=edition, context=context)
    except Exception:  # noqa: BLE001 - the real render will report any real problem
        pass
