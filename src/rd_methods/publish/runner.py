"""Run the notebooks of one or several campaigns and publish them atomically.

``rd-methods run demo-2025`` ends up in :func:`run`:

1. load and validate every campaign once (:meth:`Campaign.load`), write its typed tables to
   ``data/processed/<campaign>/`` so that notebooks read parquet instead of re-parsing;
2. find the notebooks (``notebooks/NN_*.ipynb``); a notebook whose required tables
   (metadata ``rd_methods.requires``) are absent is *not applicable*;
3. execute the applicable ones with papermill in a process pool (``jobs`` kernels at a
   time) or, with ``executor="dask"``, as tasks of a Dask cluster
   (:mod:`rd_methods.publish.executors`), ``9N_*`` notebooks (the synthesis) after all
   others of their campaign, the notebooks that took longest in the previous published run
   first; each worker renders the public / research HTML pages and scans them for
   personal names;
4. build the campaign index, ``results.json``, ``provenance.json`` and ``run.json`` in
   ``reports/.<campaign>.tmp-…``; then, unless a personal name was found (fail closed),
   swap that folder in place of ``reports/<campaign>`` (rename old away, rename new in,
   delete old); finally rewrite ``reports/index.html`` atomically.

A run killed at any point leaves the previously published report in place: the next run
removes the hidden leftovers (and restores the old report if the kill fell between the two
renames of the swap).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rd_methods import disclosure, paths
from rd_methods import results as _results
from rd_methods.errors import RdMethodsError
from rd_methods.publish import cache as _cache
from rd_methods.publish import comparison as _comparison
from rd_methods.publish import executors as _executors
from rd_methods.publish import provenance as _prov
from rd_methods.publish import report as _report
from rd_methods.publish import site as _site
from rd_methods.publish import stopping as _stopping

__all__ = [
    "DEFAULT_TIMEOUT",
    "NotebookSpec",
    "NotebookOutcome",
    "CampaignRun",
    "discover_notebooks",
    "select_notebooks",
    "typed_overrides",
    "detect_kernel",
    "run",
]

DEFAULT_TIMEOUT = 600
NOTEBOOK_PATTERN = re.compile(r"^(\d\d)_[A-Za-z0-9_\-]+$")
STATUS_LABELS = {
    "ok": "réussi",
    "failed": "échec",
    "not_applicable": "non applicable",
    "reused": "repris",
}


# --------------------------------------------------------------------------- notebooks
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


def _title(nb: Any, stem: str) -> str:
    meta = nb.get("metadata", {}).get("rd_methods", {}) or {}
    if meta.get("title"):
        return str(meta["title"])
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            for line in cell.get("source", "").splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return stem


def discover_notebooks(folder: str | os.PathLike[str] | None = None) -> list[NotebookSpec]:
    """Every ``NN_topic.ipynb`` of the notebooks folder, in order."""
    from rd_methods.publish.parameters import inspect_parameters
    from rd_methods.schemas import TABLES

    folder = Path(folder) if folder else paths.notebooks_dir()
    known_tables = tuple(TABLES)
    specs = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        if not NOTEBOOK_PATTERN.match(path.stem):
            continue
        nb = _results.read_notebook(path)  # plain JSON: no nbformat import in the runner's process
        meta = nb.get("metadata", {}).get("rd_methods", {}) or {}
        declared = inspect_parameters(nb)
        tables = _cache.notebook_tables(nb, known_tables)
        specs.append(
            NotebookSpec(
                path=path.resolve(),
                stem=path.stem,
                title=_title(nb, path.stem),
                requires=tuple(meta.get("requires", []) or ()),
                parameters=tuple(p["name"] for p in declared),
                declared=tuple((p["name"], p) for p in declared),
                tables=tables,
            )
        )
    return specs


def typed_overrides(specs: Sequence[NotebookSpec], params: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``--param`` values per notebook stem, typed from each parameters cell
    (:func:`rd_methods.publish.parameters.coerce`). A name that no notebook of ``specs``
    declares is a :class:`RdMethodsError` naming the notebooks' parameters."""
    from rd_methods.publish.parameters import RESERVED, coerce

    out: dict[str, dict[str, Any]] = {}
    for name, value in params.items():
        if name in RESERVED:
            raise RdMethodsError(f"le paramètre {name} est fixé par le lanceur", hint="choisir la campagne en argument")
        found = False
        for spec in specs:
            declared = dict(spec.declared)
            if name in declared:
                out.setdefault(spec.stem, {})[name] = coerce(name, value, declared[name])
                found = True
        if not found:
            known = sorted({n for s in specs for n, _ in s.declared} - RESERVED)
            raise RdMethodsError(
                f"paramètre inconnu : {name} (aucun des notebooks choisis ne le déclare)",
                hint=("paramètres possibles : " + ", ".join(known)) if known else "rd-methods inspect NOTEBOOK les liste",
            )
    return out


def select_notebooks(specs: Sequence[NotebookSpec], only: Sequence[str] | None) -> list[NotebookSpec]:
    """Keep the notebooks named in ``only`` (``20``, ``20_actor_network``, ``actor_network``)."""
    if not only:
        return list(specs)
    wanted = []
    for token in only:
        token = Path(token).stem if token.endswith(".ipynb") else token
        hits = [s for s in specs if token in (s.stem, s.stem[:2], s.stem[3:])]
        if not hits:
            raise RdMethodsError(
                f"aucun notebook ne correspond à « {token} »",
                hint="notebooks disponibles : " + ", ".join(s.stem for s in specs) if specs else "le dossier notebooks/ est vide",
            )
        wanted += [h for h in hits if h not in wanted]
    return sorted(wanted, key=lambda s: s.stem)


def detect_kernel(preferred: str = "rd-methods") -> str:
    """The project's kernel when installed, else ``python3`` (with a warning on stderr)."""
    from jupyter_client.kernelspec import KernelSpecManager

    available = KernelSpecManager().find_kernel_specs()
    if preferred in available:
        return preferred
    fallback = "python3" if "python3" in available else next(iter(available), None)
    if fallback is None:
        raise RdMethodsError(
            "aucun noyau Jupyter n'est installé",
            hint="make setup (installe le noyau « rd-methods »)",
        )
    print(f"rd-methods: noyau « {preferred} » absent, utilisation de « {fallback} » (make setup l'installe)",
          file=sys.stderr)
    return fallback


# --------------------------------------------------------------------------- outcomes
@dataclass
class NotebookOutcome:
    stem: str
    title: str
    status: str  # ok, failed, not_applicable, reused
    duration: float = 0.0
    error: dict[str, Any] | None = None
    missing: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    ipynb: str | None = None
    attempts: int = 0
    run_at: str | None = None
    reused: bool = False
    #: sha256 of what the execution depended on (:mod:`rd_methods.publish.cache`)
    inputs_key: str | None = None

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


@dataclass
class CampaignRun:
    """What happened to one campaign; ``status``: ok, failed, refused."""

    campaign: str
    title: str
    status: str
    notebooks: list[NotebookOutcome]
    report_dir: Path
    published: bool
    findings: list[disclosure.Finding] = field(default_factory=list)
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --------------------------------------------------------------------------- folders
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_LEFTOVER = re.compile(r"^\.(?P<id>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-")


def clean_leftovers(reports: Path, campaign: str) -> None:
    """Remove what a killed run left (``.<id>.tmp-*``), restore an old report if needed."""
    if not reports.is_dir():
        return
    target = reports / campaign
    for entry in sorted(reports.iterdir()):
        m = _LEFTOVER.match(entry.name)
        if not m or m["id"] != campaign or _pid_alive(int(m["pid"])) and int(m["pid"]) != os.getpid():
            continue
        if m["kind"] == "old" and not target.exists():
            os.rename(entry, target)  # the kill fell between the two renames of a swap
        else:
            shutil.rmtree(entry, ignore_errors=True)


def swap_in(tmp: Path, target: Path) -> None:
    """Replace ``target`` by ``tmp``: rename the old one away, rename the new one in, delete the old.

    Each rename is atomic on one file system; a kill between the two leaves
    ``.<id>.old-<pid>-…``, which :func:`clean_leftovers` renames back on the next run.
    """
    if not target.exists():
        os.rename(tmp, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- run
def _default_echo(line: str) -> None:
    # one write per line (print() writes the newline apart): workers print to the same terminal
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class _Terminated(Exception):
    pass


def _on_sigterm(signum, frame):  # pragma: no cover - exercised through a subprocess
    raise _Terminated()


@dataclass
class _Campaign:
    camp: Any
    tmp: Path
    target: Path
    names: dict[str, str]
    provenance: dict[str, Any]
    parameters: dict[str, Any]
    outcomes: dict[str, NotebookOutcome] = field(default_factory=dict)
    later: list[NotebookSpec] = field(default_factory=list)
    pending: int = 0
    findings: list[disclosure.Finding] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)
    keys: dict[str, str] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    previous: dict[str, dict[str, Any]] | None = None


def run(
    campaigns: Sequence[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    only: Sequence[str] | None = None,
    jobs: int | None = None,
    edition: str = "both",
    timeout: int = DEFAULT_TIMEOUT,
    kernel: str | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
    reports_dir: str | os.PathLike[str] | None = None,
    echo: Callable[[str], None] = _default_echo,
    retries: int = 2,
    executor: str = "local",
    scheduler: str | None = None,
    params: dict[str, str] | None = None,
    force: bool = False,
) -> list[CampaignRun]:
    """Run and publish the notebooks of ``campaigns``; return what happened to each.

    Raises :class:`~rd_methods.errors.CampaignNotFound` / ``ValidationFailed`` before
    anything runs when a campaign cannot be loaded; a notebook's failure is reported in
    the returned :class:`CampaignRun` (status ``failed``), a personal name in a page
    makes it ``refused`` (nothing of that campaign published). ``executor``: ``local``
    (process pool) or ``dask`` (a LocalCluster of ``jobs`` workers, or the cluster whose
    scheduler is at ``scheduler``); see :mod:`rd_methods.publish.executors`. ``params``:
    notebook parameters to change (``--param NAME=VALUE``, values as text), typed from each
    notebook's parameters cell and applied to every selected notebook that declares them; a
    name no selected notebook declares is an error, before anything runs.

    A selected notebook whose inputs did not change since the published run (its source,
    parameters, the tables it reads, the campaign settings, the package and the environment;
    for a synthesis, the others' results: :mod:`rd_methods.publish.cache`) is reused, not
    executed (``reused`` in ``run.json``); ``force`` executes every selected notebook.
    """
    from rd_methods.campaign import Campaign

    editions = {"both": ["public", "research"], "public": ["public"], "research": ["research"]}.get(edition)
    if editions is None:
        raise RdMethodsError(f"édition inconnue : {edition}", hint="--edition public, research ou both")
    if not campaigns:
        raise RdMethodsError("aucune campagne à exécuter", hint="rd-methods list montre les campagnes disponibles")
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    reports = Path(reports_dir) if reports_dir else paths.reports_dir()
    nb_dir = Path(notebooks_dir) if notebooks_dir else paths.notebooks_dir()
    every = discover_notebooks(nb_dir)
    specs = select_notebooks(every, only)
    reusable = {s.stem for s in every} - {s.stem for s in specs}
    if not specs:
        raise RdMethodsError(f"aucun notebook dans {nb_dir}", hint="les notebooks s'appellent NN_sujet.ipynb")
    overrides = typed_overrides(specs, params or {})
    kernel = kernel or detect_kernel()
    root = paths.project_root()

    states: dict[str, _Campaign] = {}
    old_handler = signal.signal(signal.SIGTERM, _on_sigterm) if _main_thread() else None
    old_int = signal.getsignal(signal.SIGINT) if old_handler is not None else None
    if old_handler is not None:
        _stopping.adopt_orphans()  # a kernel whose worker died is still ours to stop
    pool = None
    interrupted = False
    try:
        # a Dask scheduler that cannot be reached fails here, before any campaign is touched
        pool = _executors.make_executor(executor, jobs=jobs, scheduler=scheduler)
        # kernels in parallel: one BLAS / OpenMP thread each (unless the user set it),
        # otherwise `jobs` kernels x `cores` threads oversubscribe the machine
        thread_caps = (
            {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")}
            if jobs > 1 else {}
        )
        # the local pool's forkserver loads the worker and the kernels' libraries while the
        # campaigns are validated; it loads NumPy's BLAS, so it starts with the thread caps
        pool.warm(thread_caps)
        if executor != "local":
            echo(f"rd-methods: exécution sur {pool.describe()}")
        loaded = []
        for name in dict.fromkeys(campaigns):
            camp = Campaign.load(name, data_dir=data_dir)
            if camp.id not in {c.id for c in loaded}:
                loaded.append(camp)
        reports.mkdir(parents=True, exist_ok=True)

        for camp in loaded:
            _write_processed(camp, echo)
            clean_leftovers(reports, camp.id)
            tmp = Path(tempfile.mkdtemp(prefix=f".{camp.id}.tmp-{os.getpid()}-", dir=reports))
            tmp.chmod(0o755)
            raw_default = paths.raw_dir().resolve()
            data_param = "" if camp.path.parent.resolve() == raw_default else str(camp.path.parent)
            parameters = {"campaign": camp.id, "data_dir": data_param}
            states[camp.id] = _Campaign(
                camp=camp,
                tmp=tmp,
                target=reports / camp.id,
                names=disclosure.personal_names(camp["actors"]).to_dict(),
                provenance=_prov.campaign_provenance(camp, root=root, kernel=kernel, parameters=parameters),
                parameters=parameters,
            )
            if params:
                states[camp.id].provenance["overrides"] = {k: v for o in overrides.values() for k, v in o.items()}

        def task(state: _Campaign, spec: NotebookSpec) -> dict[str, Any]:
            params = dict(state.parameters, **overrides.get(spec.stem, {}))
            if "results_dir" in spec.parameters:
                params["results_dir"] = str(state.tmp)
            prov = state.provenance
            return {
                "campaign": state.camp.id,
                "stem": spec.stem,
                "path": str(spec.path),
                "out_dir": str(state.tmp),
                "parameters": params,
                "kernel": kernel,
                "timeout": timeout,
                "cwd": str(spec.path.parent),
                "editions": editions,
                "names": state.names,
                "retries": retries,
                # the whole environment of this call: pool workers (forked from a server
                # started earlier) must see the current RD_METHODS_* locations
                "env": {
                    **thread_caps,
                    **os.environ,
                    "RD_METHODS_RUN_DIR": str(state.tmp),
                    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                    "JUPYTER_PLATFORM_DIRS": "1",
                },
                "context": {
                    "campaign": state.camp.id,
                    "campaign_title": state.camp.title,
                    "synthetic": bool(state.camp.synthetic),
                    "stem": spec.stem,
                    "notebook_title": spec.title,
                    "parameters": {k: v for k, v in params.items() if k != "results_dir"},
                    "fingerprint": prov["fingerprint"],
                    "git": prov["git"],
                    "versions": prov["versions"],
                    "run_at": prov["run_at"],
                    "editions": editions,
                },
            }

        environment = None

        def key_of(state: _Campaign, spec: NotebookSpec, upstream: str | None = None) -> str:
            nonlocal environment
            if environment is None:
                environment = {"package": _cache.package_digest(), "kernel": kernel,
                               "versions": state.provenance["versions"]}
            for t in spec.tables:
                if t not in state.digests:
                    state.digests[t] = _cache.table_digest(state.camp[t]) if state.camp.has(t) else "absent"
            params = {k: v for k, v in task(state, spec)["parameters"].items() if k != "results_dir"}
            key = _cache.inputs_key(
                notebook=spec.path.read_bytes(), parameters=params,
                tables={t: state.digests[t] for t in spec.tables}, settings=state.camp.meta,
                environment=environment, upstream=upstream,
            )
            state.keys[spec.stem] = key
            return key

        def reuse(state: _Campaign, spec: NotebookSpec, upstream: str | None = None) -> bool:
            key = key_of(state, spec, upstream)
            if force:
                return False
            if _reuse_cached(state, spec, key, editions):
                echo(f"[{state.camp.id}] {spec.stem:<30} {'inchangé':<8}   repris (exécuté le "
                     f"{str(state.outcomes[spec.stem].run_at)[:16].replace('T', ' ')})")
                return True
            return False

        def launch_later(state: _Campaign) -> None:
            if state.later:
                upstream = _cache.results_digest(
                    _results.collect(state.tmp) if any(state.tmp.glob("*.ipynb")) else _results.collect_empty())
                for spec in state.later:
                    if not reuse(state, spec, upstream):
                        submit(state, spec)
            state.later = []

        # notebooks comparing campaigns (a `campaigns` parameter) run once, after all campaigns
        cross = [s for s in specs if _comparison.is_cross_campaign(s)]
        runnable: list[tuple[_Campaign, NotebookSpec]] = []
        for state in states.values():
            for spec in (s for s in specs if s not in cross):
                missing = [t for t in spec.requires if not state.camp.has(t)]
                if missing:
                    state.outcomes[spec.stem] = NotebookOutcome(spec.stem, spec.title, "not_applicable", missing=missing)
                    echo(f"[{state.camp.id}] {spec.stem:<30} non applicable (tables absentes : {', '.join(missing)})")
                elif spec.last:
                    state.later.append(spec)
                elif not reuse(state, spec):
                    runnable.append((state, spec))
                    state.pending += 1

        runnable = _longest_first(runnable)
        n_tasks = len(runnable) + sum(len(s.later) for s in states.values())
        pool.start(n_tasks)
        futures: dict[Future, tuple[_Campaign, NotebookSpec]] = {}

        def submit(state: _Campaign, spec: NotebookSpec) -> None:
            futures[pool.submit(task(state, spec))] = (state, spec)

        for state, spec in runnable:
            submit(state, spec)
        for state in states.values():
            if state.pending == 0:
                launch_later(state)
        while futures:
            done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for fut in done:
                state, spec = futures.pop(fut)
                outcome = _outcome(spec, fut)
                outcome.inputs_key = state.keys.get(spec.stem)
                state.outcomes[spec.stem] = outcome
                state.findings += outcome._findings  # type: ignore[attr-defined]
                line = f"[{state.camp.id}] {spec.stem:<30} {outcome.status_label:<8} {outcome.duration:6.1f} s"
                if outcome.error:
                    line += f"  — {outcome.describe_error()}"
                echo(line)
                if not spec.last:
                    state.pending -= 1
                    if state.pending == 0:
                        launch_later(state)
        runs = [_finish(state, reusable, editions, echo) for state in states.values()]
        compared = [states[r.campaign] for r in runs if r.published]
        if cross and len(compared) >= 2:
            _comparison.publish_comparison(cross, compared, reports=reports, kernel=kernel, timeout=timeout,
                                           editions=editions, retries=retries, echo=echo)
        stale = _comparison.comparison_record(reports)
        if stale and stale["outdated"]:
            echo(f"[{_comparison.FOLDER}] résultats de {', '.join(stale['outdated'])} changés depuis la comparaison "
                 f"(signalé sur le site) ; rd-methods run {' '.join(stale['campaigns'])} la met à jour")
        _site.write_site_index(reports)
        return runs
    except (KeyboardInterrupt, _Terminated):
        interrupted = True
        # a second Ctrl-C / SIGTERM while the kernels are being stopped must not cut the clean-up short
        if _main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        echo("rd-methods: exécution interrompue, arrêt des noyaux ; les rapports publiés précédemment sont inchangés")
        raise KeyboardInterrupt from None
    finally:
        if pool is not None:
            pool.shutdown(interrupted=interrupted)
        for state in states.values():
            if state.tmp.exists():
                shutil.rmtree(state.tmp, ignore_errors=True)
        if old_handler is not None:
            signal.signal(signal.SIGTERM, old_handler)
        if interrupted and old_int is not None:
            signal.signal(signal.SIGINT, old_int)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def previous_durations(report_dir: Path) -> dict[str, float]:
    """Seconds each notebook took in the published run of ``report_dir`` (its ``run.json``);
    empty when there is none."""
    try:
        record = json.loads((report_dir / "run.json").read_text("utf-8"))
        return {n["stem"]: float(n["duration"]) for n in record.get("notebooks", [])
                if n.get("status") in ("ok", "failed") and n.get("duration")}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _longest_first(runnable: list[tuple[_Campaign, NotebookSpec]]) -> list[tuple[_Campaign, NotebookSpec]]:
    """Submit the notebooks that took longest last time first, so that a long one does not
    start last and keep the other workers idle at the end (notebooks never run before, or
    no previous run: in notebook order)."""
    known = {state.camp.id: previous_durations(state.target) for state, _ in runnable}
    return sorted(runnable, key=lambda pair: -known[pair[0].camp.id].get(pair[1].stem, 0.0))


def _write_processed(camp: Any, echo: Callable[[str], None]) -> None:
    try:
        from rd_methods.campaign import write_processed
    except ImportError:  # pragma: no cover - data layer without a processed cache
        return
    try:
        write_processed(camp, paths.processed_dir() / camp.id)
    except RdMethodsError:
        raise
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation, never a blocker
        echo(f"[{camp.id}] cache des tables typées non écrit ({type(exc).__name__} : {exc}) ; les notebooks liront les fichiers bruts")


def _outcome(spec: NotebookSpec, fut: Future) -> NotebookOutcome:
    try:
        res = fut.result()
    except Exception as exc:  # noqa: BLE001 - e.g. a worker process that died
        out = NotebookOutcome(spec.stem, spec.title, "failed",
                              error={"kind": "runner", "cell": None, "exec_count": None,
                                     "ename": type(exc).__name__, "evalue": str(exc)[:500]})
        out._findings = []  # type: ignore[attr-defined]
        return out
    out = NotebookOutcome(
        spec.stem,
        spec.title,
        res["status"],
        duration=res.get("duration", 0.0),
        error=res.get("error"),
        pages=res.get("pages", {}),
        ipynb=f"{spec.stem}.ipynb",
        attempts=res.get("attempts", 1),
    )
    out._findings = [disclosure.Finding(**f) for f in res.get("findings", [])]  # type: ignore[attr-defined]
    return out


def _finish(state: _Campaign, reusable: set[str], editions: list[str], echo: Callable[[str], None]) -> CampaignRun:
    camp = state.camp
    tmp = state.tmp
    if reusable:
        _reuse_previous(state, reusable)
    ordered = [state.outcomes[s] for s in sorted(state.outcomes)]
    for o in ordered:
        o.run_at = o.run_at or state.provenance["run_at"]
    failed = [o for o in ordered if o.status == "failed"]
    status = "failed" if failed else "ok"

    collected = _results.collect(tmp) if any(tmp.glob("*.ipynb")) else _results.collect_empty()
    (tmp / "results.json").write_text(
        json.dumps(_results.to_json(collected), ensure_ascii=False, indent=2), "utf-8")
    (tmp / "provenance.json").write_text(json.dumps(state.provenance, ensure_ascii=False, indent=2), "utf-8")
    duration = time.monotonic() - state.t0
    record = {
        "campaign": camp.id,
        "title": camp.title,
        "territory": getattr(camp, "territory", None),
        "period": state.provenance["period"],
        "synthetic": bool(camp.synthetic),
        "status": status,
        "fingerprint": state.provenance["fingerprint"],
        "run_at": state.provenance["run_at"],
        "duration": round(duration, 1),
        "editions": editions,
        "notebooks": [
            {k: v for k, v in asdict(o).items()} | {"status_label": o.status_label, "error_text": o.describe_error()}
            for o in ordered
        ],
    }
    (tmp / "run.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), "utf-8")
    _site.link_pages(tmp, record)  # previous / next links, inside the atomic publication
    report = _report.write_report_html(tmp)  # the impact report (HTML; the PDF: rd-methods report)
    index_html = _site.render_campaign_index(record, collected, state.provenance, report=report.name)
    (tmp / "index.html").write_text(index_html, "utf-8")
    scanner = disclosure.NameScanner(state.names)
    state.findings += disclosure.scan_html(index_html, scanner, "index.html")
    state.findings += disclosure.scan_html(report.read_text("utf-8"), scanner, report.name)

    if state.findings:
        shutil.rmtree(tmp, ignore_errors=True)
        echo(f"[{camp.id}] publication refusée : nom d'une personne trouvé dans "
             f"{len(state.findings)} endroit(s) ; le rapport précédent est conservé")
        for f in state.findings[:20]:
            echo(f"[{camp.id}]   {f.describe()}")
        return CampaignRun(camp.id, camp.title, "refused", ordered, state.target, False, state.findings, duration)
    swap_in(tmp, state.target)
    ok = sum(o.status == "ok" for o in ordered)
    na = sum(o.status == "not_applicable" for o in ordered)
    echo(f"[{camp.id}] publié : {state.target / 'index.html'} ({ok} réussi(s), {len(failed)} échec(s), "
         f"{na} non applicable(s), {duration:.1f} s)")
    return CampaignRun(camp.id, camp.title, status, ordered, state.target, True, [], duration)


def _previous_entries(state: _Campaign) -> dict[str, dict[str, Any]]:
    """The notebooks of the published run of this campaign (``run.json``), by stem."""
    if state.previous is None:
        try:
            record = json.loads((state.target / "run.json").read_text("utf-8"))
            state.previous = {n["stem"]: n for n in record.get("notebooks", []) if n.get("stem")}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            state.previous = {}
    return state.previous


def _carry_over(state: _Campaign, entry: dict[str, Any]) -> bool:
    """Copy a published notebook's executed copy and pages into the run's folder, scanning
    them again for personal names; ``False`` (nothing copied) when a file is missing."""
    files = [entry.get("ipynb"), *entry.get("pages", {}).values()]
    if not all(f and (state.target / f).is_file() for f in files):
        return False
    scanner = disclosure.NameScanner(state.names)
    for f in files:
        shutil.copy2(state.target / f, state.tmp / f)
        if f.endswith(".ipynb"):
            state.findings += disclosure.scan_notebook(_results.read_notebook(state.tmp / f), scanner, f)
        else:
            state.findings += disclosure.scan_html((state.tmp / f).read_text("utf-8"), scanner, f)
    return True


def _reuse_cached(state: _Campaign, spec: NotebookSpec, key: str, editions: Sequence[str]) -> bool:
    """Reuse the published execution of ``spec`` when it succeeded with the same inputs key
    and every edition asked for exists."""
    entry = _previous_entries(state).get(spec.stem)
    if not entry or entry.get("status") != "ok" or entry.get("inputs_key") != key:
        return False
    if not set(editions) <= set(entry.get("pages", {})):
        return False
    if not _carry_over(state, entry):
        return False
    state.outcomes[spec.stem] = NotebookOutcome(
        spec.stem, spec.title, "ok", duration=entry.get("duration", 0.0), pages=entry.get("pages", {}),
        ipynb=entry.get("ipynb"), attempts=entry.get("attempts", 0), run_at=entry.get("run_at"), reused=True,
        inputs_key=key,
    )
    return True


def _reuse_previous(state: _Campaign, reusable: set[str]) -> None:
    """Carry over the pages of notebooks that this run did not select (``--only``)."""
    previous = state.target / "run.json"
    if not previous.is_file():
        return
    try:
        record = json.loads(previous.read_text("utf-8"))
    except (OSError, ValueError):
        return
    if record.get("fingerprint") != state.provenance["fingerprint"]:
        return  # the data changed: old pages would be stale
    for entry in record.get("notebooks", []):
        stem = entry.get("stem")
        if stem not in reusable or stem in state.outcomes or entry.get("status") not in ("ok", "failed"):
            continue
        if not _carry_over(state, entry):
            continue
        state.outcomes[stem] = NotebookOutcome(
            stem, entry.get("title", stem), entry["status"],
            duration=entry.get("duration", 0.0), error=entry.get("error"), pages=entry.get("pages", {}),
            ipynb=entry.get("ipynb"), attempts=entry.get("attempts", 0), run_at=entry.get("run_at"), reused=True,
            inputs_key=entry.get("inputs_key"),
        )
