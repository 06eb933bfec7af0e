"""The runner's records and its execute step, without a kernel: frozen records that survive
pickling (worker processes, Dask), run.json's entry of a notebook, and the order in which
:func:`rd_methods.publish.execute.execute` hands tasks to an executor (synthesis last)."""

from __future__ import annotations

import dataclasses
import json
import pickle
from collections import deque
from pathlib import Path

import pandas as pd
import pytest

from rd_methods.disclosure import Finding
from rd_methods.errors import RdMethodsError
from rd_methods.publish import execute as _execute
from rd_methods.publish.executors import DaskExecutor, Executor, LocalExecutor
from rd_methods.publish.plan import CampaignPlan, RunPlan
from rd_methods.publish.tasks import (
    CampaignRun,
    NotebookOutcome,
    NotebookSpec,
    NotebookTask,
    RunOptions,
    TaskResult,
)

FINDING = Finding(page="10_a.html", cell=3, part="sortie", actor_id="A007")


def _spec(folder: Path, stem: str, parameters=("campaign", "data_dir")) -> NotebookSpec:
    path = folder / f"{stem}.ipynb"
    path.write_text(json.dumps({"cells": [], "metadata": {}}), "utf-8")
    return NotebookSpec(path=path, stem=stem, title=f"Titre {stem}", requires=(), parameters=tuple(parameters),
                        tables=("actors",))


def _task() -> NotebookTask:
    return NotebookTask(campaign="demo", stem="10_a", path="/n/10_a.ipynb", out_dir="/r/.demo.tmp", kernel="k",
                        parameters={"campaign": "demo", "n_draws": 200}, timeout=600, cwd="/n",
                        editions=("public", "research"), context={"campaign": "demo", "parameters": {"n_draws": 200}},
                        names={"A007": "Zoé Martin"}, env={"RD_METHODS_RUN_DIR": "/r/.demo.tmp"})


RECORDS = [
    RunOptions(only=["20", "60"], jobs=2, edition="public", params={"n_draws": "500"}, force=True),
    _task(),
    TaskResult("failed", duration=1.5, attempts=3, pages={"public": "10_a.html"}, ipynb="10_a.ipynb",
               error={"kind": "kernel", "cell": None, "exec_count": None, "ename": "NoSuchKernel", "evalue": "x"},
               findings=(FINDING,)),
    NotebookOutcome("10_a", "A", "ok", duration=2.0, pages={"public": "10_a.html"}, ipynb="10_a.ipynb",
                    attempts=1, run_at="2026-12-02T08:00:00+00:00", inputs_key="ab" * 32, findings=(FINDING,)),
    CampaignRun("demo", "Démo", "refused", [], Path("/r/demo"), False, [FINDING], 3.5),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_records_are_frozen_and_survive_pickling(record):
    again = pickle.loads(pickle.dumps(record))
    assert again == record and type(again) is type(record)
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, None)


def test_run_options_are_checked_and_normalised():
    opts = RunOptions(only=["20"], jobs=None, edition="research")
    assert opts.only == ("20",) and opts.editions == ("research",) and opts.workers >= 1
    assert RunOptions(jobs=3).workers == 3 and RunOptions().editions == ("public", "research")
    with pytest.raises(RdMethodsError, match="édition inconnue : draft"):
        RunOptions(edition="draft")


def test_outcome_record_is_run_json_entry_without_the_findings():
    outcome = RECORDS[3]
    entry = outcome.record()
    assert list(entry) == ["stem", "title", "status", "duration", "error", "missing", "pages", "ipynb", "attempts",
                           "run_at", "reused", "inputs_key", "status_label", "error_text"]
    assert entry["status_label"] == "réussi" and entry["error_text"] == "" and json.dumps(entry)
    failed = NotebookOutcome.executed(_spec_stub(), RECORDS[2], "k1")
    assert failed.record()["error_text"] == "NoSuchKernel : x" and failed.findings == (FINDING,)
    assert failed.attempts == 3 and failed.inputs_key == "k1" and failed.ipynb == "10_a.ipynb"


def _spec_stub() -> NotebookSpec:
    return NotebookSpec(path=Path("/n/10_a.ipynb"), stem="10_a", title="A", requires=(), parameters=())


def test_a_lost_task_is_a_failure_naming_the_exception():
    lost = TaskResult.lost(RuntimeError("worker died"))
    assert lost.status == "failed" and lost.ipynb is None and lost.attempts == 0
    assert lost.error == {"kind": "runner", "cell": None, "exec_count": None, "ename": "RuntimeError",
                          "evalue": "worker died"}


def test_both_executors_follow_the_interface():
    assert isinstance(LocalExecutor(1), Executor)
    for name in ("describe", "warm", "submit", "results", "shutdown"):
        assert callable(getattr(DaskExecutor, name))


# ------------------------------------------------------------------ execute, with a fake executor
class FakeExecutor:
    """Runs nothing: each submitted task gets a result at once, in submission order."""

    kind = "fake"

    def __init__(self, lose: set[str] = frozenset()):
        self.submitted: list[tuple[str, str]] = []
        self.queue: deque[NotebookTask] = deque()
        self.lose = lose

    def describe(self):
        return "fake"

    def warm(self, env=None):
        pass

    def submit(self, task):
        self.submitted.append((task.campaign, task.stem))
        self.queue.append(task)

    def results(self):
        while self.queue:
            task = self.queue.popleft()
            if task.stem in self.lose:
                yield task, TaskResult.lost(RuntimeError("worker died"))
            else:
                yield task, TaskResult("ok", duration=0.1, attempts=1, pages={"public": f"{task.stem}.html"},
                                       ipynb=f"{task.stem}.ipynb")

    def shutdown(self, interrupted=False):
        pass


class FakeCampaign:
    def __init__(self, cid):
        self.id, self.title, self.synthetic, self.meta = cid, f"Campagne {cid}", True, {"id": cid}

    def has(self, table):
        return True

    def __getitem__(self, table):
        return pd.DataFrame({"actor_id": ["A1", "A2"]})


def _state(tmp_path: Path, cid: str, now, later) -> CampaignPlan:
    folder = tmp_path / f".{cid}.tmp"
    folder.mkdir()
    prov = {"fingerprint": "f" * 64, "git": {}, "versions": {"python": "3"}, "run_at": "2026-12-02T08:00:00+00:00"}
    return CampaignPlan(camp=FakeCampaign(cid), tmp=folder, target=tmp_path / cid, names={}, provenance=prov,
                        parameters={"campaign": cid, "data_dir": ""}, now=list(now), later=list(later))


def test_execute_submits_each_synthesis_once_the_other_notebooks_of_its_campaign_are_done(tmp_path):
    specs = {s: _spec(tmp_path, s) for s in ("10_a", "20_b", "30_c")}
    synth = _spec(tmp_path, "90_synthesis", ("campaign", "data_dir", "results_dir"))
    a = _state(tmp_path, "a", [specs["10_a"], specs["20_b"]], [synth])
    b = _state(tmp_path, "b", [specs["30_c"]], [synth])
    c = _state(tmp_path, "c", [], [synth])  # every other notebook reused: the synthesis goes at once
    plan = RunPlan(options=RunOptions(jobs=2), notebooks=(), cross=(), unselected=frozenset(), overrides={},
                   kernel="k", reports=tmp_path, thread_caps={})
    fake, lines = FakeExecutor(lose={"20_b"}), []
    _execute.execute([a, b, c], plan, fake, lines.append)

    order = fake.submitted
    assert sorted(order) == sorted([("a", "10_a"), ("a", "20_b"), ("b", "30_c"),
                                    ("a", "90_synthesis"), ("b", "90_synthesis"), ("c", "90_synthesis")])
    assert order.index(("c", "90_synthesis")) == 3  # nothing to wait for: before any result came back
    assert order.index(("a", "90_synthesis")) > max(order.index(("a", "10_a")), order.index(("a", "20_b")))
    assert order.index(("b", "90_synthesis")) > order.index(("b", "30_c"))
    assert sorted(a.outcomes) == ["10_a", "20_b", "90_synthesis"] and not a.later
    lost = a.outcomes["20_b"]
    assert lost.status == "failed" and lost.error["ename"] == "RuntimeError" and lost.ipynb is None
    assert a.outcomes["90_synthesis"].inputs_key == a.keys["90_synthesis"]  # decided after the others
    assert any(line.startswith("[a] 20_b") and "échec" in line and "RuntimeError : worker died" in line
               for line in lines)


# ------------------------------------------------------------------ reuse and publication, no kernel
def _published(tmp_path: Path, page_text: str) -> Path:
    """A published campaign folder with one notebook (10_a): its executed copy, a page, run.json."""
    import nbformat

    target = tmp_path / "demo"
    target.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A")]
    nbformat.write(nb, target / "10_a.ipynb")
    (target / "10_a.html").write_text(f"<html><body><p>{page_text}</p></body></html>", "utf-8")
    entry = {"stem": "10_a", "title": "A", "status": "ok", "duration": 4.0, "pages": {"public": "10_a.html"},
             "ipynb": "10_a.ipynb", "attempts": 1, "run_at": "2026-12-01T10:00:00+00:00", "inputs_key": "k1"}
    (target / "run.json").write_text(json.dumps({"fingerprint": "f" * 64, "notebooks": [entry]}), "utf-8")
    return target


def _publishing_state(tmp_path: Path) -> CampaignPlan:
    from rd_methods.publish.provenance import package_versions

    state = _state(tmp_path, "demo", [], [])
    state.camp.territory, state.camp.synthetic = "Jura", True
    state.provenance.update(campaign="demo", title="Démo", territory="Jura", period=[2016, 2025], synthetic=True,
                            parameters={"campaign": "demo"}, versions=package_versions(("pandas",)),
                            git={"commit": None, "dirty": None}, kernel="k")
    state.names = {"P001": "Zoé Martin"}
    return state


def test_a_reused_page_is_scanned_again_and_a_new_personal_name_refuses_publication(tmp_path):
    from rd_methods.publish import publication, reuse

    target = _published(tmp_path, "Avec Zoé  MARTIN, présidente")  # the actor became personal since
    state = _publishing_state(tmp_path)
    spec = _spec(tmp_path, "10_a")
    assert reuse.reuse_published(state, spec, "other key", ["public"]) is None  # inputs changed: executed
    assert reuse.reuse_published(state, spec, "k1", ["public", "research"]) is None  # an edition is missing
    outcome = reuse.reuse_published(state, spec, "k1", ["public"])
    assert outcome.reused and outcome.run_at == "2026-12-01T10:00:00+00:00" and outcome.attempts == 1
    assert [(f.page, f.actor_id) for f in outcome.findings] == [("10_a.html", "P001")]
    assert "findings" not in outcome.record()

    state.outcomes["10_a"] = outcome
    plan = RunPlan(options=RunOptions(edition="public"), notebooks=(), cross=(), unselected=frozenset(),
                   overrides={}, kernel="k", reports=tmp_path, thread_caps={})
    lines: list[str] = []
    run = publication.publish_campaign(state, plan, lines.append)
    assert run.status == "refused" and not run.published and run.findings == list(outcome.findings)
    assert not state.tmp.exists()  # nothing half-written left
    assert json.loads((target / "run.json").read_text("utf-8"))["notebooks"][0]["run_at"].startswith("2026-12-01")
    assert any("publication refusée" in line for line in lines) and not any("Zoé" in line for line in lines)


def test_pages_not_selected_are_carried_over_only_while_the_data_is_the_same(tmp_path):
    from rd_methods.publish import publication, reuse

    target = _published(tmp_path, "Rien de personnel")
    state = _publishing_state(tmp_path)
    (carried,) = reuse.carry_over_unselected(state, {"10_a"})
    assert carried.reused and carried.findings == () and (state.tmp / "10_a.html").is_file()
    state.provenance["fingerprint"] = "0" * 64  # the data changed since: old pages would be stale
    assert reuse.carry_over_unselected(state, {"10_a"}) == []

    state.provenance["fingerprint"] = "f" * 64
    plan = RunPlan(options=RunOptions(edition="public"), notebooks=(), cross=(), unselected=frozenset({"10_a"}),
                   overrides={}, kernel="k", reports=tmp_path, thread_caps={})
    run = publication.publish_campaign(state, plan, lambda _: None)
    assert run.status == "ok" and run.published and [o.stem for o in run.notebooks] == ["10_a"]
    record = json.loads((target / "run.json").read_text("utf-8"))  # swapped in
    assert record["notebooks"][0]["reused"] is True and record["editions"] == ["public"]
    assert sorted(p.name for p in target.iterdir()) == ["10_a.html", "10_a.ipynb", "index.html", "provenance.json",
                                                        "rapport.html", "results.json", "run.json"]
