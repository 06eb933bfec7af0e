"""The records a run passes around: frozen dataclasses, picklable for worker processes and Dask.

- :class:`RunOptions` — what ``rd-methods run`` was asked (``--only``, ``--jobs``, ``--edition``…);
- :class:`NotebookSpec` — a notebook of the repository, as the runner sees it;
- :class:`NotebookTask` — one notebook execution, as a worker receives it;
- :class:`TaskResult` — what the worker sends back (status, error, pages, disclosure findings);
- :class:`NotebookOutcome` — one notebook's line of ``run.json`` (executed, reused or not applicable);
- :class:`CampaignRun` — what happened to one campaign (the value :func:`~rd_methods.publish.runner.run`
  returns).

Nothing here runs anything: the module imports only the standard library (the
:class:`~rd_methods.disclosure.Finding` of a result is imported with the result), so that
``rd-methods run`` can start the local pool before it loads pandas.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rd_methods.errors import RdMethodsError

if TYPE_CHECKING:  # annotations only: the CLI imports this module before pandas (see RunOptions.thread_caps)
    from rd_methods.disclosure import Finding

__all__ = [
    "DEFAULT_TIMEOUT", "EDITIONS", "STATUS_LABELS", "THREAD_VARIABLES", "RunOptions", "NotebookSpec", "NotebookTask", "TaskResult",
    "NotebookOutcome", "CampaignRun", "page_context",
]

DEFAULT_TIMEOUT = 600
#: thread counts of NumPy's BLAS and friends, read when they are loaded
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
#: ``--edition`` → the HTML editions written for each notebook
EDITIONS = {"both": ("public", "research"), "public": ("public",), "research": ("research",)}
STATUS_LABELS = {
    "ok": "réussi",
    "failed": "échec",
    "not_applicable": "non applicable",
    "reused": "repris",
}


@dataclass(frozen=True)
class RunOptions:
    """Options of one run (``rd-methods run``'s flags); checked when created.

    ``edition``: ``both``, ``public`` or ``research``; ``jobs``: kernels at a time (default:
    the number of cores); ``executor``: ``local`` or ``dask`` (``scheduler``: a Dask
    scheduler's address); ``params``: ``--param NAME=VALUE`` values, as text; ``force``:
    execute every selected notebook even when its previous execution could be reused.
    """

    data_dir: str | os.PathLike[str] | None = None
    only: tuple[str, ...] | None = None
    jobs: int | None = None
    edition: str = "both"
    timeout: int = DEFAULT_TIMEOUT
    kernel: str | None = None
    notebooks_dir: str | os.PathLike[str] | None = None
    reports_dir: str | os.PathLike[str] | None = None
    retries: int = 2
    executor: str = "local"
    scheduler: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    force: bool = False

    def __post_init__(self) -> None:
        if self.edition not in EDITIONS:
            raise RdMethodsError(f"édition inconnue : {self.edition}", hint="--edition public, research ou both")
        object.__setattr__(self, "only", tuple(self.only) if self.only else None)
        object.__setattr__(self, "params", dict(self.params or {}))

    @property
    def editions(self) -> tuple[str, ...]:
        return EDITIONS[self.edition]

    @property
    def workers(self) -> int:
        """Kernels at a time: ``jobs``, else the number of cores."""
        return max(1, int(self.jobs or os.cpu_count() or 1))

    @property
    def thread_caps(self) -> dict[str, str]:
        """Environment of the kernels' numerical libraries: one thread each when several
        kernels share the cores (:data:`THREAD_VARIABLES`), nothing set otherwise."""
        return {v: "1" for v in THREAD_VARIABLES} if self.workers > 1 else {}


@dataclass(frozen=True)
class NotebookSpec:
    """A notebook of the repository, as the runner sees it."""

    path: Path
    stem: str
    title: str
    requires: tuple[str, ...]
    parameters: tuple[str, ...]
    #: what the parameters cell declares (name, type, default, help), for ``--param``
    declared: tuple[tuple[str, Any], ...] = ()
    #: tables the notebook may read (:func:`rd_methods.publish.cache.notebook_tables`)
    tables: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        return int(self.stem[:2])

    @property
    def last(self) -> bool:
        """Synthesis notebooks (``9N_*``) run after all others of the campaign."""
        return self.number >= 90

    @property
    def cross_campaign(self) -> bool:
        """A notebook that compares campaigns declares a ``campaigns`` parameter."""
        return "campaigns" in self.parameters


def page_context(*, campaign: str, campaign_title: str, synthetic: bool, spec: NotebookSpec,
                 parameters: Mapping[str, Any], fingerprint: str, provenance: Mapping[str, Any],
                 editions: Sequence[str]) -> dict[str, Any]:
    """What a page's header and footer show (:func:`rd_methods.publish.html.render_page`)."""
    return {
        "campaign": campaign,
        "campaign_title": campaign_title,
        "synthetic": bool(synthetic),
        "stem": spec.stem,
        "notebook_title": spec.title,
        "parameters": {k: v for k, v in parameters.items() if k != "results_dir"},
        "fingerprint": fingerprint,
        "git": provenance["git"],
        "versions": provenance["versions"],
        "run_at": provenance["run_at"],
        "editions": list(editions),
    }


@dataclass(frozen=True)
class NotebookTask:
    """One notebook execution, everything a worker needs (:func:`rd_methods.publish.worker.run_notebook`).

    ``out_dir``: where the executed ``.ipynb`` and the pages go; ``names``: actor_id →
    personal name, for the disclosure scan; ``env``: the whole environment of the kernel
    (``None``: the worker's own); ``retries``: new attempts when the kernel does not start.
    """

    campaign: str
    stem: str
    path: str
    out_dir: str
    parameters: Mapping[str, Any]
    kernel: str
    timeout: int
    cwd: str
    editions: tuple[str, ...]
    context: Mapping[str, Any]
    names: Mapping[str, str] = field(default_factory=dict)
    retries: int = 2
    env: Mapping[str, str] | None = None
    start_timeout: int = 60


@dataclass(frozen=True)
class TaskResult:
    """What a worker sends back for one :class:`NotebookTask` (never an exception).

    ``status``: ``ok`` or ``failed``; ``error``: ``kind`` (exception, timeout, kernel, runner,
    html), ``cell``, ``exec_count``, ``ename``, ``evalue``; ``pages``: edition → file name;
    ``ipynb``: the executed notebook's file name (``None`` when the worker died first);
    ``findings``: personal names found in the notebook or its pages.
    """

    status: str
    duration: float = 0.0
    error: Mapping[str, Any] | None = None
    attempts: int = 0
    pages: Mapping[str, str] = field(default_factory=dict)
    ipynb: str | None = None
    findings: tuple[Finding, ...] = ()

    @classmethod
    def lost(cls, exc: BaseException) -> TaskResult:
        """The task never returned (e.g. its worker process died): a failure naming ``exc``."""
        return cls("failed", error={"kind": "runner", "cell": None, "exec_count": None,
                                    "ename": type(exc).__name__, "evalue": str(exc)[:500]})


@dataclass(frozen=True)
class NotebookOutcome:
    """One notebook of a campaign's run, as ``run.json`` lists it (:meth:`record`)."""

    stem: str
    title: str
    status: str  # ok, failed, not_applicable
    duration: float = 0.0
    error: Mapping[str, Any] | None = None
    missing: list[str] = field(default_factory=list)
    pages: Mapping[str, str] = field(default_factory=dict)
    ipynb: str | None = None
    attempts: int = 0
    run_at: str | None = None
    reused: bool = False
    #: sha256 of what the execution depended on (:mod:`rd_methods.publish.cache`)
    inputs_key: str | None = None
    #: personal names found in its files (not written to ``run.json``)
    findings: tuple[Finding, ...] = ()

    @classmethod
    def executed(cls, spec: NotebookSpec, result: TaskResult, inputs_key: str | None) -> NotebookOutcome:
        return cls(spec.stem, spec.title, result.status, duration=result.duration, error=result.error,
                   pages=dict(result.pages), ipynb=result.ipynb, attempts=result.attempts,
                   inputs_key=inputs_key, findings=tuple(result.findings))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def describe_error(self) -> str:
        """One French line: where and what failed."""
        if self.error is None:
            return ""
        e = self.error
        where = f"cellule In [{e['exec_count']}] : " if e.get("exec_count") else ""
        if e.get("kind") == "timeout":
            return f"{where}délai dépassé — {e['evalue']}"
        return f"{where}{e['ename']} : {e['evalue']}"

    def record(self) -> dict[str, Any]:
        """Its entry in ``run.json``."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "findings"}
        return out | {"status_label": self.status_label, "error_text": self.describe_error()}


@dataclass(frozen=True)
class CampaignRun:
    """What happened to one campaign; ``status``: ok, failed, refused."""

    campaign: str
    title: str
    status: str
    notebooks: list[NotebookOutcome]
    report_dir: Path
    published: bool
    findings: list[Finding] = field(default_factory=list)
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"
