"""Plan a run: which notebooks, for which campaigns, and for each whether it is executed or reused.

1. :func:`plan_run` — before any campaign is touched: the notebooks (``--only``), the typed
   ``--param`` values, the kernel; any mistake there is an error before anything runs;
2. :func:`load_campaigns` — load and validate each campaign once, write its typed tables to
   ``data/processed/<campaign>/``, clean what a killed run left, open the hidden folder the
   report is built in (:func:`rd_methods.publish.swap.work_folder`);
3. :func:`decide` — per notebook: *not applicable* (tables absent), *later* (``9N_`` synthesis,
   once the others are done: :func:`decide_later`), *reused* (inputs unchanged since the
   published run: :mod:`rd_methods.publish.cache`, :mod:`rd_methods.publish.reuse`) or executed,
   each as a :class:`~rd_methods.publish.tasks.NotebookTask` (:func:`task_for`).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rd_methods import disclosure, paths
from rd_methods import results as _results
from rd_methods.errors import RdMethodsError
from rd_methods.publish import cache as _cache
from rd_methods.publish import provenance as _prov
from rd_methods.publish import reuse as _reuse
from rd_methods.publish import swap as _swap
from rd_methods.publish.notebooks import (
    detect_kernel,
    discover_notebooks,
    select_notebooks,
    typed_overrides,
)
from rd_methods.publish.tasks import (
    NotebookOutcome,
    NotebookSpec,
    NotebookTask,
    RunOptions,
    page_context,
)

__all__ = ["RunPlan", "CampaignPlan", "plan_run", "load_campaigns", "decide", "decide_later", "task_for",
           "previous_durations", "longest_first"]

Echo = Callable[[str], None]


@dataclass(frozen=True)
class RunPlan:
    """What a run executes, decided before any campaign is loaded."""

    options: RunOptions
    #: selected notebooks run for each campaign
    notebooks: tuple[NotebookSpec, ...]
    #: selected notebooks comparing campaigns (run once, after every campaign)
    cross: tuple[NotebookSpec, ...]
    #: notebooks not selected (``--only``): their published pages are carried over
    unselected: frozenset[str]
    overrides: Mapping[str, Mapping[str, Any]]
    kernel: str
    reports: Path
    #: kernels in parallel get one BLAS / OpenMP thread each (unless the user set it)
    thread_caps: Mapping[str, str]


@dataclass
class CampaignPlan:
    """One campaign during a run: what is decided, then what happened, notebook by notebook."""

    camp: Any
    tmp: Path
    target: Path
    names: dict[str, str]
    provenance: dict[str, Any]
    parameters: dict[str, Any]
    outcomes: dict[str, NotebookOutcome] = field(default_factory=dict)
    #: to execute now, and after the others (synthesis)
    now: list[NotebookSpec] = field(default_factory=list)
    later: list[NotebookSpec] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)
    keys: dict[str, str] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    previous: dict[str, dict[str, Any]] | None = None


def plan_run(options: RunOptions) -> RunPlan:
    """The notebooks, ``--param`` values and kernel of a run (:class:`RdMethodsError` on a mistake)."""
    reports = Path(options.reports_dir) if options.reports_dir else paths.reports_dir()
    nb_dir = Path(options.notebooks_dir) if options.notebooks_dir else paths.notebooks_dir()
    every = discover_notebooks(nb_dir)
    specs = select_notebooks(every, options.only)
    if not specs:
        raise RdMethodsError(f"aucun notebook dans {nb_dir}", hint="les notebooks s'appellent NN_sujet.ipynb")
    overrides = typed_overrides(specs, options.params)
    kernel = options.kernel or detect_kernel()
    return RunPlan(
        options=options,
        notebooks=tuple(s for s in specs if not s.cross_campaign),
        cross=tuple(s for s in specs if s.cross_campaign),
        unselected=frozenset(s.stem for s in every) - {s.stem for s in specs},
        overrides=overrides,
        kernel=kernel,
        reports=reports,
        thread_caps=options.thread_caps,
    )


def load_campaigns(names: Sequence[str], plan: RunPlan, echo: Echo) -> list[CampaignPlan]:
    """Load and validate each campaign once (errors before anything is written), then prepare
    its report folder and provenance."""
    from rd_methods.campaign import Campaign

    loaded = []
    for name in dict.fromkeys(names):
        camp = Campaign.load(name, data_dir=plan.options.data_dir)
        if camp.id not in {c.id for c in loaded}:
            loaded.append(camp)
    plan.reports.mkdir(parents=True, exist_ok=True)
    root = paths.project_root()
    states: list[CampaignPlan] = []
    tmp = None
    try:
        for camp in loaded:
            _write_processed(camp, echo)
            _swap.clean_leftovers(plan.reports, camp.id)
            tmp = _swap.work_folder(plan.reports, camp.id)
            data_param = "" if camp.path.parent.resolve() == paths.raw_dir().resolve() else str(camp.path.parent)
            parameters = {"campaign": camp.id, "data_dir": data_param}
            provenance = _prov.campaign_provenance(camp, root=root, kernel=plan.kernel, parameters=parameters)
            if plan.options.params:
                provenance["overrides"] = {k: v for o in plan.overrides.values() for k, v in o.items()}
            states.append(CampaignPlan(camp=camp, tmp=tmp, target=plan.reports / camp.id,
                                       names=disclosure.personal_names(camp["actors"]).to_dict(),
                                       provenance=provenance, parameters=parameters))
    except BaseException:  # no hidden folder left behind (Ctrl-C included)
        for folder in [s.tmp for s in states] + ([tmp] if tmp is not None else []):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return states


def _write_processed(camp: Any, echo: Echo) -> None:
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


def _parameters(state: CampaignPlan, spec: NotebookSpec, plan: RunPlan) -> dict[str, Any]:
    params = dict(state.parameters, **plan.overrides.get(spec.stem, {}))
    if "results_dir" in spec.parameters:
        params["results_dir"] = str(state.tmp)
    return params


def task_for(state: CampaignPlan, spec: NotebookSpec, plan: RunPlan) -> NotebookTask:
    """The execution of ``spec`` for the campaign of ``state``."""
    params = _parameters(state, spec, plan)
    camp, opts = state.camp, plan.options
    return NotebookTask(
        campaign=camp.id, stem=spec.stem, path=str(spec.path), out_dir=str(state.tmp), parameters=params,
        kernel=plan.kernel, timeout=opts.timeout, cwd=str(spec.path.parent), editions=opts.editions,
        context=page_context(campaign=camp.id, campaign_title=camp.title, synthetic=camp.synthetic, spec=spec,
                             parameters=params, fingerprint=state.provenance["fingerprint"],
                             provenance=state.provenance, editions=opts.editions),
        names=state.names, retries=opts.retries,
        # the whole environment of this call: pool workers (forked from a server started
        # earlier) must see the current RD_METHODS_* locations
        env={**plan.thread_caps, **os.environ, "RD_METHODS_RUN_DIR": str(state.tmp),
             "PYDEVD_DISABLE_FILE_VALIDATION": "1", "JUPYTER_PLATFORM_DIRS": "1"},
    )


def _inputs_key(state: CampaignPlan, spec: NotebookSpec, plan: RunPlan, upstream: str | None) -> str:
    for t in spec.tables:
        if t not in state.digests:
            state.digests[t] = _cache.table_digest(state.camp[t]) if state.camp.has(t) else "absent"
    params = {k: v for k, v in _parameters(state, spec, plan).items() if k != "results_dir"}
    environment = {"package": _cache.package_digest(), "kernel": plan.kernel,
                   "versions": state.provenance["versions"]}
    key = _cache.inputs_key(
        notebook=spec.path.read_bytes(), parameters=params, tables={t: state.digests[t] for t in spec.tables},
        settings=state.camp.meta, environment=environment, upstream=upstream,
    )
    state.keys[spec.stem] = key
    return key


def _reused(state: CampaignPlan, spec: NotebookSpec, plan: RunPlan, echo: Echo, upstream: str | None = None) -> bool:
    key = _inputs_key(state, spec, plan, upstream)
    if plan.options.force:
        return False
    outcome = _reuse.reuse_published(state, spec, key, plan.options.editions)
    if outcome is None:
        return False
    state.outcomes[spec.stem] = outcome
    echo(f"[{state.camp.id}] {spec.stem:<30} {'inchangé':<8}   repris (exécuté le "
         f"{str(outcome.run_at)[:16].replace('T', ' ')})")
    return True


def decide(state: CampaignPlan, plan: RunPlan, echo: Echo) -> None:
    """Sort the notebooks of ``state``: not applicable, later (synthesis), reused, or ``now``."""
    for spec in plan.notebooks:
        missing = [t for t in spec.requires if not state.camp.has(t)]
        if missing:
            state.outcomes[spec.stem] = NotebookOutcome(spec.stem, spec.title, "not_applicable", missing=missing)
            echo(f"[{state.camp.id}] {spec.stem:<30} non applicable (tables absentes : {', '.join(missing)})")
        elif spec.last:
            state.later.append(spec)
        elif not _reused(state, spec, plan, echo):
            state.now.append(spec)
    warn_over_budget(state, plan, echo)


def warn_over_budget(state: CampaignPlan, plan: RunPlan, echo: Echo) -> None:
    """Say up front which notebooks to execute would exceed their time budget at this campaign's
    size (:mod:`rd_methods.budget`'s growth model) and which ``--param`` trades precision for time.

    Silent at the demos' size; a parameter already set with ``--param`` is not suggested again.
    """
    if not state.now:
        return
    from rd_methods import budget

    try:
        rows = budget.estimate(budget.campaign_sizes(state.camp.tables), [s.stem for s in state.now],
                               requires={s.stem: tuple(s.requires) for s in state.now})
    except (OSError, ValueError, KeyError) as exc:  # a broken model must never stop a run
        echo(f"[{state.camp.id}] estimation des durées impossible ({type(exc).__name__} : {exc})")
        return
    for row in rows.to_dict("records"):
        if row["over_budget"] and row["parameter"] not in plan.options.params:
            echo(f"[{state.camp.id}] durée estimée : {budget.message(row)}")


def decide_later(state: CampaignPlan, plan: RunPlan, echo: Echo) -> list[NotebookSpec]:
    """Once the other notebooks of the campaign are done: the synthesis notebooks to execute
    (those whose inputs, the others' results included, changed)."""
    if not state.later:
        return []
    collected = _results.collect(state.tmp) if any(state.tmp.glob("*.ipynb")) else _results.collect_empty()
    upstream = _cache.results_digest(collected)
    todo = [spec for spec in state.later if not _reused(state, spec, plan, echo, upstream)]
    state.later = []
    return todo


def previous_durations(report_dir: Path) -> dict[str, float]:
    """Seconds each notebook took in the published run of ``report_dir`` (its ``run.json``);
    empty when there is none."""
    try:
        record = json.loads((report_dir / "run.json").read_text("utf-8"))
        return {n["stem"]: float(n["duration"]) for n in record.get("notebooks", [])
                if n.get("status") in ("ok", "failed") and n.get("duration")}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def longest_first(pairs: list[tuple[Any, NotebookSpec]]) -> list[tuple[Any, NotebookSpec]]:
    """Submit the notebooks that took longest last time first, so that a long one does not
    start last and keep the other workers idle at the end (notebooks never run before, or
    no previous run: in notebook order)."""
    known = {state.camp.id: previous_durations(state.target) for state, _ in pairs}
    return sorted(pairs, key=lambda pair: -known[pair[0].camp.id].get(pair[1].stem, 0.0))
