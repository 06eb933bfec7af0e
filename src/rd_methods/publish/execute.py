"""Execute what the plan left to run, on an executor, synthesis notebooks last.

The notebooks to execute now (:attr:`CampaignPlan.now <rd_methods.publish.plan.CampaignPlan>`)
of every campaign go to the executor together, those that took longest in the previous
published run first; a campaign's synthesis notebooks (``9N_``) are decided and submitted as
soon as its other notebooks are done (:func:`rd_methods.publish.plan.decide_later`), while
other campaigns' notebooks may still run. Each result becomes the notebook's
:class:`~rd_methods.publish.tasks.NotebookOutcome` (with its disclosure findings) and one line
on the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rd_methods.publish.executors import Executor
from rd_methods.publish.plan import CampaignPlan, RunPlan, decide_later, longest_first, task_for
from rd_methods.publish.tasks import NotebookOutcome, NotebookSpec

__all__ = ["execute"]


def execute(states: Sequence[CampaignPlan], plan: RunPlan, executor: Executor, echo: Callable[[str], None]) -> None:
    """Run every notebook the plan decided to execute; record each outcome on its campaign."""
    owners: dict[tuple[str, str], tuple[CampaignPlan, NotebookSpec]] = {}
    pending = {state.camp.id: len(state.now) for state in states}

    def submit(state: CampaignPlan, spec: NotebookSpec) -> None:
        task = task_for(state, spec, plan)
        owners[(task.campaign, task.stem)] = (state, spec)
        executor.submit(task)

    def others_done(state: CampaignPlan) -> None:
        for spec in decide_later(state, plan, echo):
            submit(state, spec)

    for owner, spec in longest_first([(s, spec) for s in states for spec in s.now]):
        submit(owner, spec)
    for state in states:
        if pending[state.camp.id] == 0:
            others_done(state)
    for task, result in executor.results():
        state, spec = owners.pop((task.campaign, task.stem))
        outcome = NotebookOutcome.executed(spec, result, state.keys.get(spec.stem))
        state.outcomes[spec.stem] = outcome
        line = f"[{state.camp.id}] {spec.stem:<30} {outcome.status_label:<8} {outcome.duration:6.1f} s"
        if outcome.error:
            line += f"  — {outcome.describe_error()}"
        echo(line)
        if not spec.last:
            pending[state.camp.id] -= 1
            if pending[state.camp.id] == 0:
                others_done(state)
