"""The territorial R&D pipeline measured like an R&D funnel, with honest uncertainty.

Project ideas move through ordered stages (data contract, ``project_stages``)::

    idea < workshop < feasibility < incubation < launched < autonomous

and may be ``abandoned`` at any point (a terminal state, not a step of the order).

Readiness scale (the project's own convention)
----------------------------------------------
Each stage is mapped to a 1–9 readiness level *in the spirit of* the Societal Readiness
Levels (SRL) used in European research programmes (adapted from the Technology
Readiness Levels; see e.g. Innovation Fund Denmark's SRL scale). The mapping below is
this project's convention, not an official correspondence:

============  =====  ============================================================
stage         level  reading
============  =====  ============================================================
idea          1      a need is identified and an idea is captured
workshop      2      problem and possible solutions formulated with stakeholders
feasibility   4      the solution is studied and tested on paper with partners
incubation    6      the activity is piloted / demonstrated in its setting
launched      8      the activity is started, its model is complete
autonomous    9      the activity runs on its own, proven in its setting
============  =====  ============================================================

An abandoned project keeps the level of the highest stage it reached.

Conventions used by every function
----------------------------------
* A project has *reached* a stage when it entered that stage **or any later one** (a
  project recorded at ``feasibility`` without a ``workshop`` row still counts as having
  passed the workshop step), so the funnel is monotone. Skipped steps are reported by
  :func:`history_checks`.
* Durations are in days from the date the project entered ``idea`` (or its earliest
  recorded stage when ``idea`` is missing).
* Abandonment is a competing event for reaching a later stage. By default an abandoned
  project stays in the risk set until the end of observation (the *subdistribution*
  risk set of Fine & Gray, 1999), so that one minus the Kaplan–Meier curve is the
  cumulative share of ideas that reached the stage. Censoring at the abandonment date
  instead (``abandoned="censored"``) estimates a hypothetical world without abandonment
  and overstates that share (Putter, Fiocco & Geskus, 2007).

Method functions take tidy DataFrames and return tidy DataFrames; they never read files,
print or plot.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.stats.proportion import proportion_confint

__all__ = [
    "STAGES",
    "ABANDONED",
    "ALL_STAGES",
    "READINESS",
    "DEFAULT_COVARIATES",
    "readiness",
    "current_stage",
    "history_checks",
    "funnel",
    "transitions",
    "stage_durations",
    "time_to_stage",
    "SurvivalResult",
    "project_features",
    "launch_model",
    "LaunchModelResult",
    "FirthLogitResult",
    "cumulative_incidence",
    "activity_survival",
    "jobs_by_year",
    "wilson_interval",
    "STATUS_LABELS",
    "status_counts",
    "PipelineAnalysis",
    "analyse",
    "key_results",
]

STAGES: tuple[str, ...] = (
    "idea",
    "workshop",
    "feasibility",
    "incubation",
    "launched",
    "autonomous",
)
ABANDONED = "abandoned"
ALL_STAGES: tuple[str, ...] = STAGES + (ABANDONED,)
ORDER: dict[str, int] = {stage: i for i, stage in enumerate(STAGES)}
#: Readiness level (1–9) of each ordered stage: the project's convention, see the module docstring.
READINESS: dict[str, int] = {
    "idea": 1,
    "workshop": 2,
    "feasibility": 4,
    "incubation": 6,
    "launched": 8,
    "autonomous": 9,
}
#: Covariates of :func:`launch_model` (columns of :func:`project_features`).
DEFAULT_COVARIATES: tuple[str, ...] = (
    "n_partners",
    "n_partner_categories",
    "n_workshop_participations",
    "need",
)
#: Events per model term below which :func:`launch_model` warns (Peduzzi et al., 1995, 1996).
MIN_EVENTS_PER_TERM = 10


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _require(data: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, not {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"{name} lacks column(s) {', '.join(missing)}; it has: {', '.join(map(str, data.columns))}"
        )


def _prepare(stages: pd.DataFrame, *, strict: bool = True) -> pd.DataFrame:
    """Typed copy of ``project_stages``; ``strict`` rejects unknown stages and missing dates."""
    _require(stages, ["project_id", "stage", "entered_on"], "stages")
    out = stages[["project_id", "stage", "entered_on"]].copy()
    out["project_id"] = out["project_id"].astype("str")
    out["stage"] = out["stage"].astype("str").str.strip().str.lower()
    out["entered_on"] = pd.to_datetime(out["entered_on"], errors="coerce")
    if strict:
        unknown = sorted(set(out["stage"]) - set(ALL_STAGES))
        if unknown:
            raise ValueError(
                f"unknown stage(s) {unknown}; expected one of {list(ALL_STAGES)} "
                "(run history_checks() to list the rows)"
            )
        if out["entered_on"].isna().any():
            bad = sorted(out.loc[out["entered_on"].isna(), "project_id"].unique())[:5]
            raise ValueError(f"stages without a valid entered_on date (projects {bad}…)")
        dup = out.duplicated(["project_id", "stage"], keep=False)
        if dup.any():
            bad = sorted(out.loc[dup, "project_id"].unique())[:5]
            raise ValueError(f"a (project_id, stage) pair appears twice (projects {bad}…)")
    return out


def wilson_interval(count, nobs, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion (wraps statsmodels' ``proportion_confint``).

    Returns NaN where ``nobs`` is zero. Source: Wilson (1927); Brown, Cai & DasGupta (2001)
    recommend it over the Wald interval for small samples.

    Examples
    --------
    >>> low, high = wilson_interval(18, 21)
    >>> round(float(low), 4), round(float(high), 4)
    (0.6536, 0.9502)
    """
    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    safe = np.where(nobs > 0, nobs, 1.0)
    low, high = proportion_confint(np.minimum(count, safe), safe, alpha=alpha, method="wilson")
    low = np.where(nobs > 0, low, np.nan)
    high = np.where(nobs > 0, high, np.nan)
    return low, high


def readiness(stage: str) -> int:
    """Readiness level (1–9) of an ordered stage, by the project's convention.

    >>> readiness("incubation")
    6
    """
    if stage not in READINESS:
        raise ValueError(f"no readiness level for stage {stage!r}; stages: {list(STAGES)}")
    return READINESS[stage]


def _progress(stages: pd.DataFrame) -> pd.DataFrame:
    """One row per project: highest order reached, its dates, abandonment, start date."""
    ordered = stages[stages["stage"].isin(STAGES)].assign(order=lambda d: d["stage"].map(ORDER))
    top = (
        ordered.sort_values(["project_id", "order"])
        .groupby("project_id", sort=True)
        .agg(max_order=("order", "max"))
    )
    first = stages.groupby("project_id", sort=True)["entered_on"].min().rename("first_on")
    idea = (
        ordered[ordered["stage"] == "idea"].set_index("project_id")["entered_on"].rename("idea_on")
    )
    aband = (
        stages[stages["stage"] == ABANDONED]
        .set_index("project_id")["entered_on"]
        .rename("abandoned_on")
    )
    out = pd.DataFrame(index=pd.Index(sorted(stages["project_id"].unique()), name="project_id"))
    out = out.join(top).join(first).join(idea).join(aband)
    out["max_order"] = out["max_order"].fillna(-1).astype(int)
    out["start_on"] = out["idea_on"].fillna(out["first_on"])
    out["abandoned"] = out["abandoned_on"].notna()
    return out


def _reached_on(stages: pd.DataFrame, target: str) -> pd.Series:
    """Date each project reached ``target`` (or, failing a row, the earliest later stage)."""
    later = [s for s in STAGES if ORDER[s] >= ORDER[target]]
    rows = stages[stages["stage"].isin(later)]
    return rows.groupby("project_id", sort=True)["entered_on"].min().rename(f"{target}_on")


def _cohort(progress: pd.DataFrame) -> pd.Series:
    return progress["start_on"].dt.year.astype("Int64").rename("cohort")


def _group_column(
    stages: pd.DataFrame, progress: pd.DataFrame, by: str | None, projects: pd.DataFrame | None
) -> pd.Series | None:
    if by is None:
        return None
    if by == "cohort":
        return _cohort(progress)
    if projects is None:
        raise ValueError(f"by={by!r} needs the projects table (projects=...), or use by='cohort'")
    _require(projects, ["project_id", by], "projects")
    col = projects.assign(project_id=projects["project_id"].astype("str")).set_index("project_id")[
        by
    ]
    return col.reindex(progress.index).rename(by)


# --------------------------------------------------------------------------------------
# stages and checks
# --------------------------------------------------------------------------------------


def current_stage(stages: pd.DataFrame, at: Any = None) -> pd.DataFrame:
    """Where each project stands: highest stage reached, readiness, abandonment.

    Parameters
    ----------
    stages : DataFrame
        ``project_stages`` (project_id, stage, entered_on).
    at : date-like, optional
        Evaluate the situation at this date (rows entered later are ignored).

    Returns
    -------
    DataFrame
        One row per project, sorted by ``project_id``: ``project_id, stage, entered_on,
        readiness, abandoned, abandoned_on, status`` where ``status`` is ``stage`` or
        ``"abandoned"``.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": ["p1", "p1", "p1"],
    ...                   "stage": ["idea", "workshop", "abandoned"],
    ...                   "entered_on": pd.to_datetime(["2020-01-01", "2020-03-01", "2021-01-01"])})
    >>> current_stage(s)[["project_id", "stage", "readiness", "status"]].to_dict("records")
    [{'project_id': 'p1', 'stage': 'workshop', 'readiness': 2, 'status': 'abandoned'}]
    """
    s = _prepare(stages)
    if at is not None:
        s = s[s["entered_on"] <= pd.Timestamp(at)]
    ordered = s[s["stage"].isin(STAGES)].assign(order=lambda d: d["stage"].map(ORDER))
    top = ordered.sort_values(["project_id", "order"]).groupby("project_id", sort=True).tail(1)
    top = top.set_index("project_id")[["stage", "entered_on"]]
    aband = s[s["stage"] == ABANDONED].set_index("project_id")["entered_on"].rename("abandoned_on")
    out = pd.DataFrame(index=pd.Index(sorted(s["project_id"].unique()), name="project_id"))
    out = out.join(top).join(aband).reset_index()
    out["readiness"] = out["stage"].map(READINESS).astype("Int64")
    out["abandoned"] = out["abandoned_on"].notna()
    out["status"] = out["stage"].where(~out["abandoned"], ABANDONED)
    return out[
        ["project_id", "stage", "entered_on", "readiness", "abandoned", "abandoned_on", "status"]
    ]


def history_checks(
    stages: pd.DataFrame,
    projects: pd.DataFrame | None = None,
    *,
    max_gap_days: int | None = None,
) -> pd.DataFrame:
    """Warnings about implausible stage histories, one row per problem.

    Rules (``rule`` column): ``unknown_stage``, ``missing_date``, ``duplicate_stage``,
    ``unknown_project`` (stage of a project absent from ``projects``), ``no_stages`` (a
    project with no stage row), ``before_creation`` (a stage dated before the project's
    ``created_on``), ``backwards`` (a later stage dated before an earlier one),
    ``skipped_stage`` (a step missing between ``idea`` and the highest stage reached),
    ``after_abandonment`` (a stage entered after the abandonment date) and, when
    ``max_gap_days`` is given, ``long_gap`` (consecutive stages further apart).

    Parameters
    ----------
    stages : DataFrame
        ``project_stages``; unknown stages or missing dates are reported, not raised.
    projects : DataFrame, optional
        ``projects`` (project_id, created_on) for the creation and membership rules.
    max_gap_days : int, optional
        Flag consecutive stages more than this many days apart.

    Returns
    -------
    DataFrame
        ``project_id, rule, stage, detail`` (detail in French, for readers), sorted.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": ["p1", "p1"], "stage": ["idea", "feasibility"],
    ...                   "entered_on": pd.to_datetime(["2021-05-01", "2021-02-01"])})
    >>> history_checks(s)["rule"].tolist()
    ['backwards', 'skipped_stage']
    """
    s = _prepare(stages, strict=False)
    rows: list[dict[str, Any]] = []

    def add(pid: str, rule: str, stage: Any, detail: str) -> None:
        rows.append({"project_id": pid, "rule": rule, "stage": stage, "detail": detail})

    for r in s[~s["stage"].isin(ALL_STAGES)].itertuples():
        add(r.project_id, "unknown_stage", r.stage, f"étape inconnue « {r.stage} »")
    for r in s[s["entered_on"].isna()].itertuples():
        add(r.project_id, "missing_date", r.stage, "date d'entrée manquante ou illisible")
    for r in s[s.duplicated(["project_id", "stage"], keep="first")].itertuples():
        add(r.project_id, "duplicate_stage", r.stage, "étape enregistrée plusieurs fois")

    ok = s[s["stage"].isin(ALL_STAGES) & s["entered_on"].notna()].drop_duplicates(
        ["project_id", "stage"]
    )
    if projects is not None:
        _require(projects, ["project_id"], "projects")
        proj = projects.assign(project_id=projects["project_id"].astype("str"))
        known = set(proj["project_id"])
        for pid in sorted(set(s["project_id"]) - known):
            add(pid, "unknown_project", None, "projet absent de la table des projets")
        for pid in sorted(known - set(s["project_id"])):
            add(pid, "no_stages", None, "aucune étape enregistrée")
        if "created_on" in proj.columns:
            created = pd.to_datetime(proj.set_index("project_id")["created_on"], errors="coerce")
            dated = ok.assign(created_on=ok["project_id"].map(created))
            early = dated[dated["entered_on"] < dated["created_on"]]
            for r in early.itertuples():
                add(
                    r.project_id,
                    "before_creation",
                    r.stage,
                    f"entrée le {r.entered_on:%d/%m/%Y}, avant la création du projet "
                    f"({r.created_on:%d/%m/%Y})",
                )

    ordered = ok[ok["stage"].isin(STAGES)].assign(order=lambda d: d["stage"].map(ORDER))
    ordered = ordered.sort_values(["project_id", "order"]).reset_index(drop=True)
    same = ordered["project_id"].eq(ordered["project_id"].shift())
    prev_stage = ordered["stage"].shift()
    prev_date = ordered["entered_on"].shift()
    back = same & (ordered["entered_on"] < prev_date)
    for r in ordered[back].assign(s0=prev_stage[back], d0=prev_date[back]).itertuples():
        add(
            r.project_id,
            "backwards",
            r.stage,
            f"« {r.stage} » daté du {r.entered_on:%d/%m/%Y}, avant « {r.s0} » ({r.d0:%d/%m/%Y})",
        )
    if max_gap_days is not None:
        gap = (ordered["entered_on"] - prev_date).dt.days
        long = same & ~back & (gap > max_gap_days)
        for r in ordered[long].assign(s0=prev_stage[long], gap=gap[long]).itertuples():
            add(
                r.project_id,
                "long_gap",
                r.stage,
                f"{int(r.gap)} jours entre « {r.s0} » et « {r.stage} »",
            )
    # skipped steps: the number of recorded ordered stages is below the highest order + 1
    per = ordered.groupby("project_id", sort=True).agg(top=("order", "max"), n=("order", "size"))
    skipped = per[per["n"] < per["top"] + 1]
    if len(skipped):
        present = (
            ordered[ordered["project_id"].isin(skipped.index)]
            .groupby("project_id")["stage"]
            .agg(set)
        )
        for pid, top in skipped["top"].items():
            missing = [st for st in STAGES[: int(top) + 1] if st not in present[pid]]
            add(
                pid,
                "skipped_stage",
                ", ".join(missing),
                f"étape(s) sautée(s) : {', '.join(missing)}",
            )
    aband = ok[ok["stage"] == ABANDONED][["project_id", "entered_on"]].rename(
        columns={"entered_on": "abandoned_on"}
    )
    after = ordered.merge(aband, on="project_id", how="inner")
    after = after[after["entered_on"] > after["abandoned_on"]]
    for r in after.itertuples():
        add(
            r.project_id,
            "after_abandonment",
            r.stage,
            f"« {r.stage} » daté du {r.entered_on:%d/%m/%Y}, après l'abandon ({r.abandoned_on:%d/%m/%Y})",
        )
    out = pd.DataFrame(rows, columns=["project_id", "rule", "stage", "detail"])
    return out.sort_values(
        ["project_id", "rule", "stage"], kind="stable", na_position="first"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# funnel and transitions
# --------------------------------------------------------------------------------------


def funnel(
    stages: pd.DataFrame,
    by: str | None = None,
    *,
    projects: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The R&D funnel: projects reaching each stage, conversion rates with Wilson intervals.

    Parameters
    ----------
    stages : DataFrame
        ``project_stages``.
    by : str, optional
        ``"cohort"`` (year the idea was captured) or a column of ``projects`` (e.g.
        ``"need"``) to get one funnel per group.
    projects : DataFrame, optional
        Needed when ``by`` is a column of ``projects``.
    alpha : float
        1 − confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row per (group,) stage: ``stage, order, readiness, n_reached, n_previous,
        conversion`` (n_reached / n_previous) ``ci_low, ci_high`` (Wilson),
        ``n_resolved`` (projects of the previous stage whose move is known: n_previous
        minus those still pending there), ``conversion_resolved`` (n_reached /
        n_resolved) with ``resolved_ci_low, resolved_ci_high``,
        ``share_of_ideas, share_ci_low, share_ci_high`` (n_reached / ideas of the group),
        ``n_abandoned`` (abandoned with this as highest stage) and ``n_pending`` (still at
        this stage, not abandoned).

    Notes
    -----
    Assumes each project's fate is independent (binomial sampling). Projects still pending
    at the end of the data have had less time to progress, so ``conversion`` understates
    the chance of moving on; ``conversion_resolved`` counts only projects whose next move
    (advance or abandonment) is observed, which estimates the transition probability
    without bias when the time spent at a stage does not depend on where the project goes
    next (non-informative censoring). Compare cohorts with ``by="cohort"``. Wilson interval: Wilson (1927), via
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": ["a", "a", "b"], "stage": ["idea", "workshop", "idea"],
    ...                   "entered_on": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-01-05"])})
    >>> funnel(s)[["stage", "n_reached", "conversion"]].head(2).to_dict("records")
    [{'stage': 'idea', 'n_reached': 2, 'conversion': nan}, {'stage': 'workshop', 'n_reached': 1, 'conversion': 0.5}]
    """
    s = _prepare(stages)
    prog = _progress(s)
    group = _group_column(s, prog, by, projects)
    prog = prog.assign(_group=group if group is not None else "all")
    frames = []
    for key, g in prog.groupby("_group", sort=True, dropna=False):
        n_ideas = len(g)
        rows = []
        for stage in STAGES:
            k = ORDER[stage]
            at_stage = g["max_order"] == k
            rows.append(
                {
                    "stage": stage,
                    "order": k,
                    "readiness": READINESS[stage],
                    "n_reached": int((g["max_order"] >= k).sum()),
                    "n_previous": int((g["max_order"] >= k - 1).sum()) if k > 0 else np.nan,
                    "n_resolved": (
                        int(
                            (g["max_order"] >= k - 1).sum()
                            - ((g["max_order"] == k - 1) & ~g["abandoned"]).sum()
                        )
                        if k > 0
                        else np.nan
                    ),
                    "n_ideas": n_ideas,
                    "n_abandoned": int((at_stage & g["abandoned"]).sum()),
                    "n_pending": int((at_stage & ~g["abandoned"]).sum())
                    if stage != "autonomous"
                    else 0,
                }
            )
        f = pd.DataFrame(rows)
        if by is not None:
            f.insert(0, by, key)
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    prev = out["n_previous"].to_numpy(dtype=float)
    reached = out["n_reached"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["conversion"] = np.where(prev > 0, reached / np.where(prev > 0, prev, 1), np.nan)
        out["share_of_ideas"] = np.where(
            out["n_ideas"] > 0, reached / out["n_ideas"].clip(lower=1), np.nan
        )
    out["ci_low"], out["ci_high"] = wilson_interval(reached, np.nan_to_num(prev, nan=0.0), alpha)
    resolved = out["n_resolved"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["conversion_resolved"] = np.where(
            resolved > 0, reached / np.where(resolved > 0, resolved, 1), np.nan
        )
    out["resolved_ci_low"], out["resolved_ci_high"] = wilson_interval(
        reached, np.nan_to_num(resolved, nan=0.0), alpha
    )
    out["n_resolved"] = out["n_resolved"].astype("Int64")
    out["share_ci_low"], out["share_ci_high"] = wilson_interval(reached, out["n_ideas"], alpha)
    out["n_previous"] = out["n_previous"].astype("Int64")
    cols = ([by] if by else []) + [
        "stage",
        "order",
        "readiness",
        "n_reached",
        "n_previous",
        "conversion",
        "ci_low",
        "ci_high",
        "n_resolved",
        "conversion_resolved",
        "resolved_ci_low",
        "resolved_ci_high",
        "n_ideas",
        "share_of_ideas",
        "share_ci_low",
        "share_ci_high",
        "n_abandoned",
        "n_pending",
    ]
    return out[cols]


def transitions(stages: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Stage-to-stage moves: counts and probabilities with Wilson intervals.

    Each project's path is its ordered stages sorted by stage order, then ``abandoned``
    if recorded, else ``ongoing`` (still at its last stage at the end of the data). A
    skipped step (``idea → feasibility``) is counted as that move.

    Returns
    -------
    DataFrame
        ``from_stage, to_stage, n, n_from, probability, ci_low, ci_high`` where ``n_from``
        is the number of projects that entered ``from_stage`` and ``probability`` =
        n / n_from (the empirical transition matrix of a first-order Markov chain;
        probabilities from one stage add up to 1). Sorted by stage order.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": ["a", "a", "b", "b"],
    ...                   "stage": ["idea", "workshop", "idea", "abandoned"],
    ...                   "entered_on": pd.to_datetime(["2020-01-01", "2020-02-01"] * 2)})
    >>> transitions(s)[["from_stage", "to_stage", "n", "probability"]].values.tolist()[:2]
    [['idea', 'workshop', 1, 0.5], ['idea', 'abandoned', 1, 0.5]]
    """
    s = _prepare(stages)
    ordered = s[s["stage"].isin(STAGES)].assign(order=lambda d: d["stage"].map(ORDER))
    ordered = ordered.sort_values(["project_id", "order"])
    abandoned = set(s.loc[s["stage"] == ABANDONED, "project_id"])
    ordered = ordered.reset_index(drop=True)
    nxt = ordered["stage"].shift(-1)
    last = ordered["project_id"].ne(ordered["project_id"].shift(-1))
    end = np.where(ordered["project_id"].isin(abandoned), ABANDONED, "ongoing")
    moves = pd.DataFrame(
        {
            "from_stage": ordered["stage"].to_numpy(object),
            "to_stage": np.where(last, end, nxt.to_numpy(object)),
        }
    )
    counts = moves.value_counts().rename("n").reset_index()
    n_from = counts.groupby("from_stage")["n"].transform("sum")
    counts["n_from"] = n_from.astype(int)
    counts["probability"] = counts["n"] / counts["n_from"]
    counts["ci_low"], counts["ci_high"] = wilson_interval(counts["n"], counts["n_from"], alpha)
    rank = {**ORDER, ABANDONED: len(STAGES), "ongoing": len(STAGES) + 1}
    counts = counts.assign(_a=counts["from_stage"].map(rank), _b=counts["to_stage"].map(rank))
    counts = counts.sort_values(["_a", "_b"]).drop(columns=["_a", "_b"]).reset_index(drop=True)
    counts["n"] = counts["n"].astype(int)
    return counts[["from_stage", "to_stage", "n", "n_from", "probability", "ci_low", "ci_high"]]


# --------------------------------------------------------------------------------------
# durations (Kaplan–Meier)
# --------------------------------------------------------------------------------------


def stage_durations(
    stages: pd.DataFrame,
    target: str = "launched",
    *,
    censor_on: Any = None,
    abandoned: str = "at_risk",
) -> pd.DataFrame:
    """Time from the idea to ``target`` for every project, with right-censoring.

    Parameters
    ----------
    stages : DataFrame
        ``project_stages``.
    target : str
        Ordered stage to reach (a later stage counts as reaching it).
    censor_on : date-like, optional
        End of observation (e.g. 31 December of the campaign's last year). Default: the
        latest date in ``stages``.
    abandoned : {"at_risk", "censored"}
        ``"at_risk"``: an abandoned project is censored at ``censor_on`` (Fine & Gray's
        subdistribution risk set; 1 − KM is then the cumulative share reaching
        ``target``). ``"censored"``: censored at its abandonment date.

    Returns
    -------
    DataFrame
        ``project_id, start_on, end_on, duration_days, event`` (bool: target reached).
    """
    if target not in STAGES or target == "idea":
        raise ValueError(
            f"target must be a stage after 'idea' among {list(STAGES[1:])}, not {target!r}"
        )
    if abandoned not in ("at_risk", "censored"):
        raise ValueError("abandoned must be 'at_risk' or 'censored'")
    s = _prepare(stages)
    prog = _progress(s)
    reached = _reached_on(s, target).reindex(prog.index)
    end_obs = pd.Timestamp(censor_on) if censor_on is not None else s["entered_on"].max()
    event = reached.notna() & (reached <= end_obs)
    end = pd.Series(end_obs, index=prog.index)
    if abandoned == "censored":
        end = end.where(~prog["abandoned"], prog["abandoned_on"].clip(upper=end_obs))
    end = end.where(~event, reached)
    out = pd.DataFrame(
        {
            "project_id": prog.index,
            "start_on": prog["start_on"].to_numpy(),
            "end_on": end.to_numpy(),
            "event": event.to_numpy(dtype=bool),
        }
    )
    out["duration_days"] = (out["end_on"] - out["start_on"]).dt.days.astype(float)
    out = out[out["duration_days"] >= 0]  # ideas captured after censor_on
    return out[["project_id", "start_on", "end_on", "duration_days", "event"]].reset_index(
        drop=True
    )


def _loglog_ci(surv: np.ndarray, se: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise log(−log) interval for S(t) (Kalbfleisch & Prentice, 2002, §1.3)."""
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = se / (surv * np.log(surv))
        center = np.log(-np.log(surv))
        low = np.exp(-np.exp(center - z * v))
        high = np.exp(-np.exp(center + z * v))
    # S = 1 (no event yet) or S = 0: the interval collapses to the point
    low = np.where((surv >= 1) | (surv <= 0), surv, low)
    high = np.where((surv >= 1) | (surv <= 0), surv, high)
    return low, high


def _km(time: np.ndarray, event: np.ndarray, alpha: float) -> tuple[SurvfuncRight, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sf = SurvfuncRight(time, event.astype(float))
    surv = np.asarray(sf.surv_prob, dtype=float)
    low, high = _loglog_ci(surv, np.asarray(sf.surv_prob_se, dtype=float), alpha)
    table = pd.DataFrame(
        {
            "time": np.asarray(sf.surv_times, dtype=float),
            "n_risk": np.asarray(sf.n_risk, dtype=int),
            "n_events": np.asarray(sf.n_events, dtype=int),
            "survival": surv,
            "ci_low": low,
            "ci_high": high,
        }
    )
    start = pd.DataFrame(
        {
            "time": [0.0],
            "n_risk": [len(time)],
            "n_events": [0],
            "survival": [1.0],
            "ci_low": [1.0],
            "ci_high": [1.0],
        }
    )
    table = pd.concat([start, table[table["time"] > 0]], ignore_index=True) if len(time) else start
    last = float(np.max(time)) if len(time) else 0.0
    if last > table["time"].iloc[-1]:  # carry the curve to the end of follow-up
        end = table.iloc[[-1]].assign(time=last, n_risk=int(np.sum(time >= last)), n_events=0)
        table = pd.concat([table, end], ignore_index=True)
    return sf, table


def _median(sf: SurvfuncRight | None, alpha: float) -> tuple[float, float, float]:
    if sf is None:
        return np.nan, np.nan, np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = float(sf.quantile(0.5))
        try:
            low, high = (float(v) for v in sf.quantile_ci(0.5, alpha=alpha))
        except (ValueError, IndexError):  # pragma: no cover - degenerate curves
            low, high = np.nan, np.nan
    clean = [np.nan if (v is None or not np.isfinite(v)) else v for v in (med, low, high)]
    return clean[0], clean[1], clean[2]


@dataclass
class SurvivalResult:
    """Result of :func:`time_to_stage`.

    Attributes
    ----------
    table : DataFrame
        Kaplan–Meier curve per group: ``[group,] time, n_risk, n_events, survival,
        ci_low, ci_high, reached`` (``reached`` = 1 − survival; times in days), from a
        first row at time 0 to a last row at the longest follow-up (no event there).
    summary : DataFrame
        Per group: ``n, events, share_reached`` (1 − S at the last time) with its interval,
        ``median`` (first time the KM curve falls below one half, statsmodels'
        convention; NaN if it never does) with ``median_ci_low/high``, and
        ``median_if_reached`` (ordinary median delay among projects that did reach the
        target, no censoring) with its interval (statsmodels ``quantile_ci``).
    logrank : DataFrame or None
        ``statistic, df, p_value`` of the log-rank test between groups; ``None`` without
        groups, without events, or when the groups are too degenerate for the test (its
        covariance matrix is singular, as in very small campaigns).
    durations : DataFrame
        The per-project durations used (see :func:`stage_durations`).
    models : dict
        ``group -> statsmodels SurvfuncRight`` (the fitted curves, to go further).
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    logrank: pd.DataFrame | None
    durations: pd.DataFrame
    models: dict[Any, SurvfuncRight] = field(repr=False)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return self.summary._repr_html_()


def time_to_stage(
    stages: pd.DataFrame,
    target: str = "launched",
    by: str | None = None,
    *,
    projects: pd.DataFrame | None = None,
    censor_on: Any = None,
    abandoned: str = "at_risk",
    alpha: float = 0.05,
) -> SurvivalResult:
    """Kaplan–Meier time from idea to a stage, by group, with a log-rank comparison.

    Parameters
    ----------
    stages : DataFrame
        ``project_stages``.
    target : str
        Stage to reach (``"launched"`` by default).
    by : str, optional
        ``"cohort"`` or a column of ``projects`` (e.g. ``"need"``).
    projects : DataFrame, optional
        Needed when ``by`` is a column of ``projects``.
    censor_on : date-like, optional
        End of observation; default the latest date in ``stages``.
    abandoned : {"at_risk", "censored"}
        How abandonment is treated (see :func:`stage_durations`).
    alpha : float
        1 − confidence level.

    Returns
    -------
    SurvivalResult

    Notes
    -----
    Kaplan & Meier (1958) via statsmodels ``SurvfuncRight``; Greenwood variance with a
    pointwise log(−log) interval; median interval from statsmodels' ``quantile_ci``
    (Brookmeyer & Crowley, 1982); log-rank test via ``survdiff``. Assumes censoring
    unrelated to the time to the target (non-informative), which holds for the end of
    observation, not for abandonment (hence ``abandoned="at_risk"`` by default).

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": ["a", "a", "b", "b", "c"],
    ...                   "stage": ["idea", "launched", "idea", "launched", "idea"],
    ...                   "entered_on": pd.to_datetime(["2020-01-01", "2020-07-19", "2020-01-01",
    ...                                                 "2020-10-27", "2020-01-01"])})
    >>> r = time_to_stage(s, censor_on="2021-01-01")
    >>> r.summary[["n", "events", "median", "median_if_reached"]].to_dict("records")
    [{'n': 3, 'events': 2, 'median': 300.0, 'median_if_reached': 250.0}]
    """
    d = stage_durations(stages, target, censor_on=censor_on, abandoned=abandoned)
    if by is not None:
        s = _prepare(stages)
        prog = _progress(s)
        group = _group_column(s, prog, by, projects)
        d[by] = d["project_id"].map(group)
        d = d[d[by].notna()]
    keys = sorted(d[by].unique()) if by is not None else ["all"]
    tables, rows, models = [], [], {}
    for key in keys:
        g = d[d[by] == key] if by is not None else d
        time = g["duration_days"].to_numpy(dtype=float)
        event = g["event"].to_numpy(dtype=bool)
        sf, table = _km(time, event, alpha)
        models[key] = sf
        table["reached"] = 1 - table["survival"]
        last = table.iloc[-1]
        med = _median(sf if event.any() else None, alpha)
        reached_times = time[event]
        if reached_times.size:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                sf_e = SurvfuncRight(reached_times, np.ones_like(reached_times))
            med_e = (float(np.median(reached_times)), *_median(sf_e, alpha)[1:])
        else:
            med_e = (np.nan, np.nan, np.nan)
        row = {
            "n": len(g),
            "events": int(event.sum()),
            "share_reached": 1 - last["survival"],
            "share_ci_low": 1 - last["ci_high"],
            "share_ci_high": 1 - last["ci_low"],
            "median": med[0],
            "median_ci_low": med[1],
            "median_ci_high": med[2],
            "median_if_reached": med_e[0],
            "median_if_reached_ci_low": med_e[1],
            "median_if_reached_ci_high": med_e[2],
        }
        if by is not None:
            table.insert(0, by, key)
            row = {by: key, **row}
        tables.append(table)
        rows.append(row)
    table = pd.concat(tables, ignore_index=True)
    summary = pd.DataFrame(rows)
    logrank = stat = None
    if by is not None and len(keys) > 1 and d["event"].any():
        try:
            stat, p = survdiff(
                d["duration_days"].to_numpy(dtype=float),
                d["event"].to_numpy(dtype=float),
                d[by].astype(str).to_numpy(),
            )
        except np.linalg.LinAlgError:  # degenerate groups (tiny campaigns): no test, logrank None
            stat = p = None
    if stat is not None:
        logrank = pd.DataFrame(
            {
                "test": ["log-rank"],
                "statistic": [float(stat)],
                "df": [len(keys) - 1],
                "p_value": [float(p)],
            }
        )
    return SurvivalResult(table=table, summary=summary, logrank=logrank, durations=d, models=models)


def _competing_events(
    stages: pd.DataFrame, target: str, competing: Sequence[str], censor_on: Any
) -> pd.DataFrame:
    """Per project: time from idea to the first of ``target`` / ``competing`` and which."""
    s = _prepare(stages)
    prog = _progress(s)
    end_obs = pd.Timestamp(censor_on) if censor_on is not None else s["entered_on"].max()
    dates = {target: _reached_on(s, target).reindex(prog.index)}
    for event in competing:
        if event == ABANDONED:
            dates[event] = prog["abandoned_on"]
        elif event in STAGES:
            dates[event] = _reached_on(s, event).reindex(prog.index)
        else:
            raise ValueError(f"competing events must be stages or 'abandoned', not {event!r}")
    frame = pd.DataFrame(dates).where(lambda x: x <= end_obs)
    first = frame.min(axis=1)
    names = list(dates)
    which = frame.apply(lambda r: next((c for c in names if r[c] == r.min()), None), axis=1)
    code = which.map({name: i + 1 for i, name in enumerate(names)}).fillna(0).astype(int)
    end = first.fillna(end_obs)
    out = pd.DataFrame(
        {
            "project_id": prog.index,
            "duration_days": (end - prog["start_on"]).dt.days.astype(float).to_numpy(),
            "event_code": code.to_numpy(),
            "event": which.fillna("censored").to_numpy(),
        }
    )
    return out[out["duration_days"] >= 0].reset_index(drop=True)


def cumulative_incidence(
    stages: pd.DataFrame,
    target: str = "launched",
    competing: Sequence[str] = (ABANDONED,),
    by: str | None = None,
    *,
    projects: pd.DataFrame | None = None,
    censor_on: Any = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Aalen–Johansen cumulative incidence of reaching a stage, abandonment competing.

    Each project is followed from its idea to the first of ``target`` (or a later stage)
    and the ``competing`` events (abandonment by default), or to the end of observation
    (censored). The cumulative incidence function (CIF) of an event at time *t* is the
    share of ideas that had that event first by *t*; the CIFs of all events and the
    share still pending add up to one. Unlike 1 − Kaplan–Meier with abandonment
    censored, it does not describe a world without abandonment (Putter, Fiocco & Geskus
    2007).

    Parameters
    ----------
    stages : DataFrame
        ``project_stages``.
    target : str
        Stage whose incidence is wanted (``"launched"``).
    competing : sequence of str
        Competing events (``"abandoned"`` or stages).
    by : str, optional
        ``"cohort"`` or a column of ``projects``: one curve per group.
    projects : DataFrame, optional
        Needed when ``by`` is a column of ``projects``.
    censor_on : date-like, optional
        End of observation; default the latest date in ``stages``.
    alpha : float
        1 − level of the pointwise intervals.
    Returns
    -------
    DataFrame
        One row per time (days from the idea; first row at 0): ``[by,] time``,
        ``cif_<event>`` for the target and every competing event, ``ci_low``/``ci_high``
        (the target's pointwise interval; NaN where its standard error is undefined, as
        when nobody is left at risk) and ``ci_low_<event>``/``ci_high_<event>`` for the others, ``n`` (projects in the group). ``.attrs["models"]`` keeps
        statsmodels' ``CumIncidenceRight`` objects (one per group).

    Notes
    -----
    The Aalen–Johansen estimator (Aalen & Johansen 1978), computed by statsmodels'
    ``CumIncidenceRight``: ``F_k(t) = sum_{t_j <= t} S(t_j-) d_kj / n_j`` with ``S`` the
    Kaplan–Meier probability of no event of any kind. Pointwise intervals from its
    delta-method standard errors on the log(−log) scale, which keeps them in [0, 1].
    Assumes censoring (end of observation) independent of the events.

    Examples
    --------
    >>> st = pd.DataFrame({"project_id": ["a", "a", "b", "b", "c"],
    ...                    "stage": ["idea", "launched", "idea", "abandoned", "idea"],
    ...                    "entered_on": pd.to_datetime(["2020-01-01", "2020-04-10", "2020-01-01",
    ...                                                  "2020-07-19", "2020-01-01"])})
    >>> cif = cumulative_incidence(st, censor_on="2021-01-01")
    >>> cif[["cif_launched", "cif_abandoned"]].iloc[-1].round(3).tolist()
    [0.333, 0.333]
    """
    from statsmodels.duration.survfunc import CumIncidenceRight

    competing = list(competing)
    if target not in STAGES or target == "idea":
        raise ValueError(f"target must be a stage after 'idea', not {target!r}")
    d = _competing_events(stages, target, competing, censor_on)
    events = [target, *competing]
    if by is not None:
        s = _prepare(stages)
        group = _group_column(s, _progress(s), by, projects)
        d[by] = d["project_id"].map(group)
        d = d[d[by].notna()]
    z = stats.norm.ppf(1 - alpha / 2)
    keys = sorted(d[by].unique()) if by is not None else [None]
    frames, models = [], {}
    for key in keys:
        g = d if key is None else d[d[by] == key]
        times = np.unique(np.concatenate([[0.0], g["duration_days"].to_numpy(float)]))
        out = pd.DataFrame({"time": times})
        codes = g["event_code"].to_numpy(int)
        fit = None
        if (codes > 0).any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                fit = CumIncidenceRight(g["duration_days"].to_numpy(float), codes)
            models[key] = fit
        for i, event in enumerate(events, start=1):
            col = f"cif_{event}"
            lo, hi = ("ci_low", "ci_high") if i == 1 else (f"ci_low_{event}", f"ci_high_{event}")
            if fit is None or i > len(fit.cinc) or not (codes == i).any():
                out[col], out[lo], out[hi] = 0.0, 0.0, 0.0
                continue
            idx = np.searchsorted(np.asarray(fit.times, float), times, side="right") - 1
            ok = idx >= 0
            pick = np.clip(idx, 0, None)
            cif = np.where(ok, np.asarray(fit.cinc[i - 1], float)[pick], 0.0)
            se = np.where(ok, np.asarray(fit.cinc_se[i - 1], float)[pick], 0.0)
            low, high = _loglog_cif_ci(cif, se, z)
            out[col], out[lo], out[hi] = cif, low, high
        out["n"] = len(g)
        if key is not None:
            out.insert(0, by, key)
        frames.append(out)
    result = pd.concat(frames, ignore_index=True)
    result.attrs["models"] = models
    return result


def _loglog_cif_ci(cif: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise interval of a cumulative incidence on the log(−log) scale (in [0, 1]).

    NaN where the standard error is not defined (e.g. nobody left at risk at the last time).
    """
    open_ = (cif > 0) & (cif < 1)
    inner = open_ & np.isfinite(se) & (se > 0)
    f = np.where(inner, cif, 0.5)
    theta = np.log(-np.log(f))
    half = z * np.where(inner, se, 0.0) / (f * np.abs(np.log(f)))
    low = np.where(inner, np.exp(-np.exp(theta + half)), np.where(open_, np.nan, cif))
    high = np.where(inner, np.exp(-np.exp(theta - half)), np.where(open_, np.nan, cif))
    return low, high


# --------------------------------------------------------------------------------------
# what goes with launch
# --------------------------------------------------------------------------------------


def project_features(
    stages: pd.DataFrame,
    projects: pd.DataFrame | None = None,
    *,
    contributions: pd.DataFrame | None = None,
    actors: pd.DataFrame | None = None,
    participations: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    organisation: str | None = None,
    censor_on: Any = None,
    target: str = "launched",
    landmark: str | None = None,
) -> pd.DataFrame:
    """One tidy row per project with its outcome and the covariates of :func:`launch_model`.

    Parameters
    ----------
    stages : DataFrame
        ``project_stages``.
    projects : DataFrame, optional
        ``projects`` (adds ``need`` and keeps projects without stages out: only projects
        with stages are returned).
    contributions, actors : DataFrame, optional
        Partners = distinct ``actor_id`` contributing to the project, other than
        ``organisation``; their categories come from ``actors.category``.
    participations, events : DataFrame, optional
        Participations in ``workshop`` events whose ``project_id`` is the project (counts
        are 0 when ``events`` has no ``project_id`` column).
    organisation : str, optional
        actor_id of the evaluated structure (not counted as a partner).
    censor_on : date-like, optional
        End of observation (see :func:`stage_durations`).
    target : str
        The success stage (``"launched"``).
    landmark : str, optional
        Landmark stage (e.g. ``"incubation"``, the stage :func:`launch_model` starts from
        with ``from_stage``): covariates are measured *before the outcome*, from the
        contributions of years up to the year the project reached that stage and the
        workshops held up to that date (``landmark_on`` column; projects that never
        reached it get missing counts). ``None`` counts everything, outcome included
        (descriptive only).

    Returns
    -------
    DataFrame
        ``project_id, need, cohort, stage, abandoned, launched, days_to_launch`` (duration
        to ``target`` or to the censoring date, abandoned kept at risk), ``n_partners,
        n_partner_categories, n_workshops, n_workshop_participations``, sorted by
        project_id, and ``landmark_on`` with ``landmark``. Counts are 0 when the table is
        absent.

    Notes
    -----
    Landmark analysis (Anderson, Cain & Gelber 1983; van Houwelingen 2007): a model that
    starts at a stage uses only what was known when the project reached it. Without a
    landmark, partners who join *after* launch (a launched activity attracts partners)
    would be counted as a cause of launch. Contributions carry a year, not a date: those
    of the landmark's own year are counted, those of any later year never are.

    Examples
    --------
    >>> st = pd.DataFrame({"project_id": ["p"] * 3, "stage": ["idea", "incubation", "launched"],
    ...                    "entered_on": pd.to_datetime(["2019-01-01", "2020-03-01", "2021-06-01"])})
    >>> contrib = pd.DataFrame({"project_id": ["p", "p"], "actor_id": ["a", "b"], "year": [2020, 2022]})
    >>> actors = pd.DataFrame({"actor_id": ["a", "b"], "category": ["enterprise", "research"]})
    >>> f = project_features(st, contributions=contrib, actors=actors, landmark="incubation")
    >>> int(f["n_partner_categories"].iloc[0])  # b contributed after launch: ignored
    1
    """
    s = _prepare(stages)
    cur = current_stage(s).set_index("project_id")
    dur = stage_durations(s, target, censor_on=censor_on).set_index("project_id")
    prog = _progress(s)
    out = pd.DataFrame(index=cur.index)
    if projects is not None:
        _require(projects, ["project_id"], "projects")
        p = projects.assign(project_id=projects["project_id"].astype("str")).set_index("project_id")
        out["need"] = p["need"].reindex(out.index) if "need" in p.columns else pd.NA
    else:
        out["need"] = pd.NA
    out["need"] = out["need"].astype("str")
    out["cohort"] = _cohort(prog).reindex(out.index)
    out["stage"] = cur["stage"]
    out["abandoned"] = cur["abandoned"]
    out["launched"] = dur["event"].reindex(out.index).fillna(False).astype(bool)
    out[f"days_to_{target}" if target != "launched" else "days_to_launch"] = dur[
        "duration_days"
    ].reindex(out.index)
    out["n_partners"] = 0
    out["n_partner_categories"] = 0
    landmark_on = None
    if landmark is not None:
        if landmark not in STAGES:
            raise ValueError(f"landmark must be one of {list(STAGES)}, not {landmark!r}")
        landmark_on = _reached_on(s, landmark).reindex(out.index)
        out["landmark_on"] = landmark_on
    if contributions is not None:
        _require(contributions, ["project_id", "actor_id"], "contributions")
        c = contributions.dropna(subset=["project_id", "actor_id"])
        if landmark_on is not None:
            _require(contributions, ["year"], "contributions")
            limit = c["project_id"].astype("str").map(landmark_on.dt.year)
            c = c[pd.to_numeric(c["year"], errors="coerce").to_numpy() <= limit.to_numpy()]
        c = c[["project_id", "actor_id"]].astype("str").drop_duplicates()
        if organisation is not None:
            c = c[c["actor_id"] != str(organisation)]
        out["n_partners"] = (
            c.groupby("project_id")["actor_id"].nunique().reindex(out.index).fillna(0).astype(int)
        )
        if actors is not None:
            _require(actors, ["actor_id", "category"], "actors")
            cat = actors.assign(actor_id=actors["actor_id"].astype("str")).set_index("actor_id")[
                "category"
            ]
            c = c.assign(category=c["actor_id"].map(cat))
            out["n_partner_categories"] = (
                c.groupby("project_id")["category"]
                .nunique()
                .reindex(out.index)
                .fillna(0)
                .astype(int)
            )
    out["n_workshops"] = 0
    out["n_workshop_participations"] = 0
    if participations is not None and events is not None and "project_id" in events.columns:
        _require(events, ["event_id", "kind"], "events")
        _require(participations, ["event_id", "actor_id"], "participations")
        ws = events[(events["kind"] == "workshop") & events["project_id"].notna()]
        ws = ws.assign(
            event_id=ws["event_id"].astype("str"), project_id=ws["project_id"].astype("str")
        )
        if landmark_on is not None:
            held = pd.to_datetime(ws["held_on"]) if "held_on" in ws.columns else None
            if held is not None:
                ws = ws[(held <= ws["project_id"].map(landmark_on)).to_numpy()]
        part = participations.assign(event_id=participations["event_id"].astype("str"))
        part = part.merge(ws[["event_id", "project_id"]], on="event_id", how="inner")
        out["n_workshops"] = (
            ws.groupby("project_id")["event_id"].nunique().reindex(out.index).fillna(0).astype(int)
        )
        out["n_workshop_participations"] = (
            part.groupby("project_id").size().reindex(out.index).fillna(0).astype(int)
        )
    if landmark_on is not None:
        counts = ["n_partners", "n_partner_categories", "n_workshops", "n_workshop_participations"]
        for col in counts:
            out[col] = out[col].astype("Int64").where(landmark_on.notna())
    return out.reset_index().sort_values("project_id").reset_index(drop=True)


@dataclass
class LaunchModelResult:
    """Result of :func:`launch_model`.

    Attributes
    ----------
    table : DataFrame
        ``model`` (``cox_subdistribution`` / ``logit`` or ``firth_logit``), ``term``,
        ``coef``, ``std_err``, ``ratio`` (subdistribution hazard or odds ratio), ``ci_low``, ``ci_high`` (on the ratio scale), ``p_value``,
        ``n``, ``events`` (launches), ``n_terms``, ``events_per_term`` (the rarer of
        launched / not launched, per model term), ``warning``.
    cox : statsmodels PHRegResults or None
    logit : statsmodels LogitResults, FirthLogitResult or None
    warning : str or None
        Plain-language caution when events are too few for the number of terms.
    data : DataFrame
        The rows used (complete cases).
    """

    table: pd.DataFrame
    cox: Any = field(repr=False)
    logit: Any = field(repr=False)
    warning: str | None
    data: pd.DataFrame = field(repr=False)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return self.table._repr_html_()


def launch_model(
    data: pd.DataFrame,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    *,
    event: str = "launched",
    duration: str = "days_to_launch",
    alpha: float = 0.05,
    min_events_per_term: int = MIN_EVENTS_PER_TERM,
    from_stage: str | None = None,
    firth: bool | str = "auto",
) -> LaunchModelResult:
    """What goes with reaching launch: Cox and logistic models with ratios and intervals.

    Parameters
    ----------
    data : DataFrame
        One row per project, e.g. from :func:`project_features`.
    covariates : list of str
        Columns of ``data``; text columns (e.g. ``need``) enter as categories (reference:
        first level in alphabetical order).
    event : str
        Bool column: the project reached launch.
    duration : str
        Days from the idea to launch or censoring (for the Cox model); ``None`` skips it.
    alpha : float
        1 − confidence level.
    min_events_per_term : int
        Below this many events (of the rarer outcome) per model term, a plain warning is
        returned and emitted
        (``warnings.warn``): the estimates are then unstable (Peduzzi et al., 1995, 1996).
    from_stage : str, optional
        Model launch *given* that a project reached this stage (e.g. ``"incubation"``):
        keeps the projects whose highest stage is at or beyond it, drops those still
        pending there (outcome unknown), and fits the logistic model only. Needs the
        ``stage`` and ``abandoned`` columns of :func:`project_features`. Its covariates
        should be measured at that stage (``project_features(landmark=from_stage)``).
    firth : {"auto", True, False}
        Fit the logistic model by Firth's penalised likelihood (Firth 1993; Heinze &
        Schemper 2002), which removes the first-order small-sample bias of the odds ratios
        and stays finite under separation: ``"auto"`` when the events per term are fewer
        than ``min_events_per_term``. Profile-likelihood intervals and likelihood-ratio
        p-values (R's ``logistf`` convention), from the ``firthmodels`` package; the
        model is then labelled ``firth_logit``.

    Returns
    -------
    LaunchModelResult

    Notes
    -----
    Cox proportional hazards model (Cox, 1972; statsmodels ``PHReg``, Efron ties) of the
    time from idea to launch with abandoned projects kept at risk until censoring: that
    is the risk set of Fine & Gray (1999), so its ratio is a *subdistribution* hazard
    ratio (how a covariate goes with the cumulative incidence of launch, abandonment
    competing), not a cause-specific one; it is labelled ``cox_subdistribution``
    (without Fine & Gray's censoring weights, which end-of-study censoring makes
    negligible here). The logistic model (statsmodels ``Logit``, or Firth's) is of launch
    by the end of observation, which ignores how long each idea has been followed. Both
    are associations, not effects: partners may join because a project is going well,
    hence covariates measured at a landmark (:func:`project_features`).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.integers(0, 6, 400)
    >>> launched = rng.random(400) < 1 / (1 + np.exp(2 - 0.6 * x))
    >>> df = pd.DataFrame({"x": x, "launched": launched,
    ...                    "days": np.where(launched, 400, 2000).astype(float)})
    >>> r = launch_model(df, ["x"], duration="days")
    >>> bool(r.table.query("model == 'logit' and term == 'x'")["ratio"].iloc[0] > 1)
    True
    """
    covariates = list(covariates)
    if from_stage is not None:
        if from_stage not in STAGES:
            raise ValueError(f"from_stage must be one of {list(STAGES)}, not {from_stage!r}")
        _require(data, ["stage", "abandoned"], "data")
        order = data["stage"].map(ORDER)
        keep = (order > ORDER[from_stage]) | (
            (order == ORDER[from_stage]) & data["abandoned"].astype(bool)
        )
        data = data[keep.fillna(False).to_numpy(dtype=bool)]
        duration = None
    needed = covariates + [event] + ([duration] if duration else [])
    _require(data, needed, "data")
    if not covariates:
        raise ValueError("launch_model needs at least one covariate")
    d = data[needed + (["project_id"] if "project_id" in data.columns else [])].copy()
    terms = []
    for c in covariates:
        if pd.api.types.is_bool_dtype(d[c]):
            d[c] = d[c].astype(int)
        if pd.api.types.is_numeric_dtype(d[c]):
            d[c] = d[c].astype(float)
            terms.append(c)
        else:
            d[c] = d[c].astype(object).where(d[c].notna(), None)
            terms.append(f"C({c})")
    d = d.dropna(subset=needed).reset_index(drop=True)
    if d.empty:
        raise ValueError("no complete row to fit the launch model")
    d["_event"] = d[event].astype(bool).astype(int)
    n, n_events = len(d), int(d["_event"].sum())
    if n_events == 0 or n_events == n:
        raise ValueError(
            f"the launch model needs both launched and other projects ({n_events} of {n} launched)"
        )
    rhs = " + ".join(terms)
    tables, cox, logit, notes = [], None, None, []

    logit = smf.logit(f"_event ~ {rhs}", d).fit(disp=0, maxiter=200, warn_convergence=False)
    n_terms = len(logit.params) - 1
    n_rarer = min(n_events, n - n_events)  # the limiting count is the rarer outcome
    epv = n_rarer / max(n_terms, 1)
    if firth not in ("auto", True, False):
        raise ValueError("firth must be 'auto', True or False")
    use_firth = bool(firth) if firth != "auto" else epv < min_events_per_term
    warning = None
    if epv < min_events_per_term:
        rarer = "launches" if n_events <= n - n_events else "projects not launched"
        warning = (
            f"only {n_rarer} {rarer} (the rarer outcome) for {n_terms} model terms ({epv:.1f} events "
            f"per term, fewer than {min_events_per_term}): estimates are unstable and intervals wide; "
            "read them as exploratory"
        )
        warnings.warn(warning, UserWarning, stacklevel=2)
    if use_firth:
        logit = _firth_logit(logit, alpha)
        tables.append(logit.table)
        if not logit.converged:
            notes.append("Firth logit did not converge")
    else:
        if not logit.mle_retvals.get("converged", True):
            notes.append("logit did not converge (separation?)")
        tables.append(_ratio_table(logit, "logit", alpha, drop=("Intercept",)))

    if duration:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            cox = smf.phreg(
                f"{duration} ~ {rhs}", d, status=d["_event"].to_numpy(dtype=float), ties="efron"
            ).fit()
        tables.append(_ratio_table(cox, "cox_subdistribution", alpha))
    table = pd.concat(tables, ignore_index=True)
    table["n"] = n
    table["events"] = n_events
    table["n_terms"] = n_terms
    table["events_per_term"] = epv
    text = "; ".join([w for w in [warning, *notes] if w]) or None
    table["warning"] = text
    return LaunchModelResult(table=table, cox=cox, logit=logit, warning=text, data=d)


@dataclass
class FirthLogitResult:
    """Firth logistic fit: the ``firthmodels`` results object and its ratio table."""

    result: Any = field(repr=False)
    table: pd.DataFrame
    converged: bool

    @property
    def params(self) -> pd.Series:
        return self.table.set_index("term")["coef"]


def _firth_logit(ml: Any, alpha: float) -> FirthLogitResult:
    """Firth's penalised logistic regression (firthmodels' statsmodels adapter) on the
    design of the maximum-likelihood fit ``ml`` (same terms, same coding)."""
    from firthmodels.adapters.statsmodels import FirthLogit

    names = list(ml.model.exog_names)
    X = pd.DataFrame(np.asarray(ml.model.exog, dtype=float), columns=names)
    res = FirthLogit(np.asarray(ml.model.endog, dtype=float), X).fit(pl=True)
    params = np.asarray(res.params, dtype=float)
    ci = np.asarray(res.conf_int(alpha=alpha), dtype=float)
    table = pd.DataFrame(
        {
            "model": "firth_logit",
            "term": names,
            "coef": params,
            "std_err": np.asarray(res.bse, dtype=float),
            "ratio": np.exp(params),
            "ci_low": np.exp(ci[:, 0]),
            "ci_high": np.exp(ci[:, 1]),
            "p_value": np.asarray(res.pvalues, dtype=float),
        }
    )
    converged = bool(getattr(res, "converged", True))
    return FirthLogitResult(res, table[table["term"] != "Intercept"].reset_index(drop=True), converged)


def _ratio_table(res: Any, model: str, alpha: float, drop: Sequence[str] = ()) -> pd.DataFrame:
    names = list(res.model.exog_names)
    params = np.asarray(res.params, dtype=float)
    se = np.asarray(res.bse, dtype=float)
    ci = np.asarray(res.conf_int(alpha=alpha), dtype=float)
    p = np.asarray(res.pvalues, dtype=float)
    with np.errstate(over="ignore"):  # a diverging fit's ratios are infinite, as they should be
        t = pd.DataFrame(
            {
                "model": model,
                "term": names,
                "coef": params,
                "std_err": se,
                "ratio": np.exp(params),
                "ci_low": np.exp(ci[:, 0]),
                "ci_high": np.exp(ci[:, 1]),
                "p_value": p,
            }
        )
    return t[~t["term"].isin(drop)]


# --------------------------------------------------------------------------------------
# launched activities and jobs
# --------------------------------------------------------------------------------------


def jobs_by_year(jobs: pd.DataFrame) -> pd.DataFrame:
    """Jobs of all activities per calendar year.

    Returns
    -------
    DataFrame
        ``year, n_activities`` (projects with a jobs row), ``fte, headcount,
        insertion_headcount``, sorted by year.

    Examples
    --------
    >>> j = pd.DataFrame({"project_id": ["a", "b"], "year": [2024, 2024], "fte": [1.5, 2.0],
    ...                   "headcount": [2, 3], "insertion_headcount": [1, 0]})
    >>> jobs_by_year(j).to_dict("records")
    [{'year': 2024, 'n_activities': 2, 'fte': 3.5, 'headcount': 5, 'insertion_headcount': 1}]
    """
    _require(jobs, ["project_id", "year", "fte", "headcount", "insertion_headcount"], "jobs")
    out = (
        jobs.groupby("year", sort=True)
        .agg(
            n_activities=("project_id", "nunique"),
            fte=("fte", "sum"),
            headcount=("headcount", "sum"),
            insertion_headcount=("insertion_headcount", "sum"),
        )
        .reset_index()
    )
    for c in ("year", "n_activities", "headcount", "insertion_headcount"):
        out[c] = out[c].astype(int)
    out["fte"] = out["fte"].astype(float)
    return out


def activity_survival(
    stages: pd.DataFrame,
    jobs: pd.DataFrame | None = None,
    *,
    last_year: int | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Launched activities by year since launch: still active, and their jobs.

    An activity is the project from the year it reached ``launched`` (or ``autonomous``);
    it stops being active in the year it is recorded ``abandoned`` (if after launch).
    Year 0 is the launch year; an activity is *active* in year k when it was not abandoned
    by the end of calendar year launch year + k.

    Parameters
    ----------
    stages : DataFrame
        ``project_stages``.
    jobs : DataFrame, optional
        ``jobs`` (project_id, year, fte, headcount, insertion_headcount).
    last_year : int, optional
        Last observed year (the campaign's); default: the latest year in the data.
    alpha : float
        1 − confidence level of the Wilson interval on the active share.

    Returns
    -------
    DataFrame
        ``years_since_launch, n_observed`` (activities launched at least that many years
        before ``last_year``), ``n_active, active_share, ci_low, ci_high, fte, headcount,
        insertion_headcount, fte_per_active``.

    Notes
    -----
    A life table (actuarial, yearly) without late entry: each launch cohort is followed
    until ``last_year``, so late years rest on few, early activities.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": ["a", "a", "a"], "stage": ["idea", "launched", "abandoned"],
    ...                   "entered_on": pd.to_datetime(["2019-01-01", "2020-03-01", "2022-06-01"])})
    >>> activity_survival(s, last_year=2023)[["years_since_launch", "n_active"]].values.tolist()
    [[0, 1], [1, 1], [2, 0], [3, 0]]
    """
    s = _prepare(stages)
    prog = _progress(s)
    launched_on = _reached_on(s, "launched").reindex(prog.index)
    act = pd.DataFrame({"launch_year": launched_on.dt.year, "abandoned_on": prog["abandoned_on"]})
    act = act[act["launch_year"].notna()].copy()
    act["launch_year"] = act["launch_year"].astype(int)
    ab_year = act["abandoned_on"].dt.year
    act["end_year"] = ab_year.where(ab_year >= act["launch_year"])  # abandonment after launch
    if jobs is not None:
        _require(jobs, ["project_id", "year", "fte", "headcount", "insertion_headcount"], "jobs")
    if last_year is None:
        years = [int(s["entered_on"].dt.year.max())]
        if jobs is not None and len(jobs):
            years.append(int(jobs["year"].max()))
        last_year = max(years)
    cols = [
        "years_since_launch",
        "n_observed",
        "n_active",
        "active_share",
        "ci_low",
        "ci_high",
        "fte",
        "headcount",
        "insertion_headcount",
        "fte_per_active",
    ]
    if act.empty:
        return pd.DataFrame(columns=cols)
    j = None
    if jobs is not None:
        j = jobs.assign(project_id=jobs["project_id"].astype("str")).merge(
            act[["launch_year"]], left_on="project_id", right_index=True, how="inner"
        )
        j["years_since_launch"] = j["year"].astype(int) - j["launch_year"]
    rows = []
    for k in range(0, last_year - int(act["launch_year"].min()) + 1):
        observed = act[act["launch_year"] + k <= last_year]
        active = observed["end_year"].isna() | (observed["end_year"] > observed["launch_year"] + k)
        row = {"years_since_launch": k, "n_observed": len(observed), "n_active": int(active.sum())}
        if j is not None:
            jk = j[(j["years_since_launch"] == k) & j["project_id"].isin(observed.index)]
            row.update(
                fte=float(jk["fte"].sum()),
                headcount=int(jk["headcount"].sum()),
                insertion_headcount=int(jk["insertion_headcount"].sum()),
            )
        else:
            row.update(fte=np.nan, headcount=pd.NA, insertion_headcount=pd.NA)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["active_share"] = out["n_active"] / out["n_observed"]
    out["ci_low"], out["ci_high"] = wilson_interval(out["n_active"], out["n_observed"], alpha)
    out["fte_per_active"] = np.where(
        out["n_active"] > 0, out["fte"] / out["n_active"].clip(lower=1), np.nan
    )
    return out[cols]


# --------------------------------------------------------------------------------------
# one definition of the project counts, the whole analysis, its key results
# --------------------------------------------------------------------------------------

#: What each row of :func:`status_counts` counts (French labels for the pages).
STATUS_LABELS: dict[str, str] = {
    "ideas": "Idées de projets",
    "launched": "Projets lancés (y compris devenus autonomes ou arrêtés depuis)",
    "autonomous": "dont devenus des activités autonomes",
    "active": "dont toujours en activité",
    "stopped_after_launch": "dont arrêtés après le lancement",
    "abandoned_before_launch": "Projets abandonnés avant le lancement",
    "ongoing": "Projets en cours, ni lancés ni abandonnés",
}


def status_counts(stages: pd.DataFrame, at: Any = None) -> pd.DataFrame:
    """How many ideas, launched, abandoned and ongoing projects: THE definition of these counts.

    Every page (overview, value chain, pipeline, economic model, synthesis) takes its project
    counts from here, so that « projets lancés » is one number.

    * ``ideas``: every project with at least one row in ``project_stages`` (up to ``at``);
    * ``launched``: projects that **reached** the ``launched`` stage, that is entered
      ``launched`` or a later stage (``autonomous``), whatever happened next — the same
      count as :func:`funnel`'s ``n_reached`` at ``launched``; it splits into
      ``active`` (not abandoned since) and ``stopped_after_launch`` (an ``abandoned`` row
      after launch), and ``autonomous`` (reached ``autonomous``) is part of it;
    * ``abandoned_before_launch``: abandoned without ever reaching ``launched``;
    * ``ongoing``: neither launched nor abandoned (still at idea … incubation).

    ``ideas = launched + abandoned_before_launch + ongoing``.

    Parameters
    ----------
    stages : DataFrame
        ``project_stages`` (project_id, stage, entered_on).
    at : date-like, optional
        Count the situation at this date (rows entered later are ignored).

    Returns
    -------
    DataFrame
        ``status, n, share`` (of ideas), ``label`` (French), in the order of
        :data:`STATUS_LABELS`.

    Examples
    --------
    >>> s = pd.DataFrame({"project_id": ["a", "a", "b", "b", "b", "c", "c", "d"],
    ...     "stage": ["idea", "autonomous", "idea", "launched", "abandoned", "idea", "abandoned", "idea"],
    ...     "entered_on": pd.to_datetime(["2020-01-01", "2022-01-01", "2020-01-01", "2021-01-01",
    ...                                   "2023-01-01", "2020-01-01", "2020-06-01", "2021-01-01"])})
    >>> status_counts(s).set_index("status")["n"].to_dict()
    {'ideas': 4, 'launched': 2, 'autonomous': 1, 'active': 1, 'stopped_after_launch': 1, 'abandoned_before_launch': 1, 'ongoing': 1}
    """
    now = current_stage(stages, at=at)
    reached = now["stage"].map(ORDER).fillna(-1).to_numpy() >= ORDER["launched"]
    abandoned = now["abandoned"].to_numpy(bool)
    counts = {
        "ideas": len(now),
        "launched": int(reached.sum()),
        "autonomous": int((now["stage"] == "autonomous").sum()),
        "active": int((reached & ~abandoned).sum()),
        "stopped_after_launch": int((reached & abandoned).sum()),
        "abandoned_before_launch": int((~reached & abandoned).sum()),
        "ongoing": int((~reached & ~abandoned).sum()),
    }
    out = pd.DataFrame({"status": list(counts), "n": list(counts.values())})
    out["share"] = out["n"] / counts["ideas"] if counts["ideas"] else np.nan
    out["label"] = out["status"].map(STATUS_LABELS)
    return out


@dataclass
class PipelineAnalysis:
    """Everything the pipeline notebook shows, computed once by :func:`analyse` (see there)."""

    alpha: float
    last_year: int
    censor_on: pd.Timestamp
    checks: pd.DataFrame
    status: pd.DataFrame
    funnel: pd.DataFrame
    cohorts: pd.DataFrame
    cif: pd.DataFrame
    km: SurvivalResult
    km_naive: SurvivalResult
    by_need: SurvivalResult | None
    cif_need: pd.DataFrame | None
    features: pd.DataFrame
    covariates: list[str]
    constant: list[str]
    model: LaunchModelResult | None
    model_error: str | None
    diversity: LaunchModelResult | None
    diversity_error: str | None
    activities: pd.DataFrame
    jobs: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def cif_end(self) -> pd.Series:
        """Last row of the cumulative incidence (share launched, abandoned by the horizon)."""
        return self.cif.iloc[-1]

    @property
    def cif_ci_row(self) -> pd.Series:
        """Last row whose intervals are defined (none is at the last time when nobody is at risk)."""
        defined = self.cif[self.cif["ci_low"].notna() & self.cif["ci_low_abandoned"].notna()]
        return defined.iloc[-1] if len(defined) else self.cif_end

    @property
    def need_summary(self) -> pd.DataFrame | None:
        """Per need, sorted by share launched: ``need, n, events`` (launches), ``cif_launched`` and
        ``cif_abandoned`` at the longest follow-up, ``ci_low, ci_high`` at the last time they are defined."""
        if self.cif_need is None:
            return None
        last = self.cif_need.groupby("need", observed=True).tail(1).drop(columns=["ci_low", "ci_high"])
        defined = self.cif_need[self.cif_need["ci_low"].notna()].groupby("need", observed=True).tail(1)
        out = (last.merge(defined[["need", "ci_low", "ci_high"]], on="need", how="left")
               .merge(self.by_need.summary[["need", "events"]], on="need"))
        return out.sort_values("cif_launched", ascending=False, kind="stable").reset_index(drop=True)

    @property
    def horizon_years(self) -> float:
        """Longest follow-up since an idea, in years (365.25 days)."""
        return float(self.cif_end["time"]) / 365.25


def analyse(
    stages: pd.DataFrame,
    projects: pd.DataFrame | None = None,
    *,
    last_year: int,
    contributions: pd.DataFrame | None = None,
    actors: pd.DataFrame | None = None,
    participations: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    jobs: pd.DataFrame | None = None,
    organisation: str | None = None,
    alpha: float = 0.05,
    max_gap_days: int | None = 1460,
) -> PipelineAnalysis:
    """The whole pipeline analysis of a campaign, as the notebook ``30_rd_pipeline`` shows it.

    Observation ends on 31 December of ``last_year``. Funnel and cohorts (:func:`funnel`),
    Aalen–Johansen incidence of launch with abandonment competing, 1 − Kaplan–Meier with
    abandonment kept at risk and censored (:func:`cumulative_incidence`,
    :func:`time_to_stage`), the same by need when ``projects`` is given, the launch models
    (:func:`launch_model`: from the idea, with partners, categories and workshops counted at
    the idea; from incubation, partner categories at a given number of partners counted at
    entry into incubation), launched activities (:func:`activity_survival`) and jobs
    (:func:`jobs_by_year`). Covariates whose table is absent or which do not vary are left
    out (``constant`` lists the latter); a model that cannot be estimated is ``None`` with
    its reason in ``model_error`` / ``diversity_error``.
    """
    censor_on = pd.Timestamp(f"{last_year}-12-31")
    out: dict[str, Any] = {"alpha": alpha, "last_year": int(last_year), "censor_on": censor_on}
    out["checks"] = history_checks(stages, projects, max_gap_days=max_gap_days)
    out["status"] = status_counts(stages)
    out["funnel"] = funnel(stages, alpha=alpha)
    out["cohorts"] = funnel(stages, by="cohort", alpha=alpha)
    out["cif"] = cumulative_incidence(stages, "launched", censor_on=censor_on, alpha=alpha)
    out["km"] = time_to_stage(stages, "launched", censor_on=censor_on, alpha=alpha)
    out["km_naive"] = time_to_stage(stages, "launched", censor_on=censor_on, abandoned="censored", alpha=alpha)
    out["by_need"] = out["cif_need"] = None
    if projects is not None:
        out["by_need"] = time_to_stage(stages, "launched", by="need", projects=projects, censor_on=censor_on,
                                       alpha=alpha)
        out["cif_need"] = cumulative_incidence(stages, "launched", by="need", projects=projects,
                                               censor_on=censor_on, alpha=alpha)
    tables = dict(contributions=contributions, actors=actors, participations=participations, events=events,
                  organisation=organisation, censor_on=censor_on)
    features = project_features(stages, projects, landmark="idea", **tables)
    covariates = list(DEFAULT_COVARIATES)
    if contributions is None:
        covariates = [c for c in covariates if c not in ("n_partners", "n_partner_categories")]
    if participations is None or events is None:
        covariates = [c for c in covariates if c != "n_workshop_participations"]
    if projects is None:
        covariates = [c for c in covariates if c != "need"]
    constant = [c for c in covariates if features[c].nunique(dropna=True) < 2]
    covariates = [c for c in covariates if c not in constant]
    model = model_error = None
    if features["launched"].sum() >= 2 and (~features["launched"]).sum() >= 2:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = launch_model(features, covariates, alpha=alpha)
        except (ValueError, np.linalg.LinAlgError) as exc:
            model_error = str(exc)
    else:
        model_error = "trop peu de projets lancés (ou non lancés) pour estimer un modèle"
    diversity = diversity_error = None
    if "n_partner_categories" in covariates:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                diversity = launch_model(project_features(stages, projects, landmark="incubation", **tables),
                                         ["n_partner_categories", "n_partners"], from_stage="incubation", alpha=alpha)
        except ValueError as exc:
            diversity_error = str(exc)
    out.update(features=features, covariates=covariates, constant=constant, model=model, model_error=model_error,
               diversity=diversity, diversity_error=diversity_error)
    out["activities"] = activity_survival(stages, jobs, last_year=last_year, alpha=alpha)
    out["jobs"] = jobs_by_year(jobs) if jobs is not None and len(jobs) else None
    return PipelineAnalysis(**out)


def key_results(analysis: PipelineAnalysis) -> pd.DataFrame:
    """The pipeline's recorded figures (keys ``pipeline.*``), one row each, from :func:`analyse`.

    ``n_ideas`` and ``n_launched`` come from :func:`status_counts` (``launched`` = reached
    launch); ``conversion_idea_to_launched`` is their ratio with its Wilson interval;
    ``median_days_to_launch`` (projects that were launched; only when there is one) and
    ``cif_launched`` (Aalen–Johansen at the longest follow-up, with the last defined
    interval); ``diversity_odds_ratio`` (model from incubation, when estimated);
    ``jobs_fte_last_year`` (FTE of the jobs table in ``last_year``, 0 when that year has no
    row; only with a jobs table).

    Returns
    -------
    DataFrame
        ``key, value, label, unit, ci_low, ci_high, note`` (for :func:`rd_methods.results.record_frame`).
    """
    from rd_methods.formats import format_number, format_pct

    level = format_pct(1 - analysis.alpha)
    status = analysis.status.set_index("status")["n"]
    share = analysis.funnel.set_index("stage").loc["launched"]
    rows = [
        dict(key="pipeline.n_ideas", value=int(status["ideas"]), label="Idées de projets recueillies", unit="projets"),
        dict(key="pipeline.n_launched", value=int(status["launched"]), label="Projets lancés", unit="projets"),
        dict(key="pipeline.conversion_idea_to_launched", value=share["share_of_ideas"],
             label="Part des idées ayant abouti à un lancement", ci_low=share["share_ci_low"],
             ci_high=share["share_ci_high"], note=f"intervalle de Wilson à {level}"),
    ]
    km = analysis.km.summary.iloc[0]
    if km["events"] > 0:
        rows.append(dict(key="pipeline.median_days_to_launch", value=km["median_if_reached"],
                         label="Délai médian entre l'idée et le lancement (projets lancés)", unit="jours",
                         ci_low=km["median_if_reached_ci_low"], ci_high=km["median_if_reached_ci_high"],
                         note=f"intervalle à {level} (statsmodels, quantile de Kaplan–Meier)"))
    end, ci = analysis.cif_end, analysis.cif_ci_row
    rows.append(dict(
        key="pipeline.cif_launched", value=float(end["cif_launched"]),
        label=f"Part des idées lancées dans les {format_number(analysis.horizon_years, 1)} ans "
              "(incidence cumulée, abandon concurrent)",
        ci_low=float(ci["ci_low"]), ci_high=float(ci["ci_high"]),
        note=f"Aalen–Johansen, intervalle ponctuel à {level} (échelle log(−log)) ; "
             f"abandon : {format_pct(end['cif_abandoned'])}"))
    if analysis.diversity is not None:
        div = analysis.diversity.table.set_index("term").loc["n_partner_categories"]
        firth = div["model"] == "firth_logit"
        rows.append(dict(
            key="pipeline.diversity_odds_ratio", value=div["ratio"],
            label="Rapport de cotes du lancement après incubation, par catégorie de partenaires en plus",
            ci_low=div["ci_low"], ci_high=div["ci_high"],
            note=f"{'régression de Firth' if firth else 'régression logistique'} à nombre de partenaires donné, "
                 f"partenaires comptés à l'entrée en incubation, intervalle à {level} ; association, pas effet causal"))
    if analysis.jobs is not None:
        row = analysis.jobs[analysis.jobs["year"] == analysis.last_year]
        rows.append(dict(key="pipeline.jobs_fte_last_year", value=float(row["fte"].iloc[0]) if len(row) else 0.0,
                         label=f"Emplois des activités lancées en {analysis.last_year}", unit="ETP",
                         note="somme des ETP de la table des emplois"))
    from rd_methods.results import key_frame

    return key_frame(rows)
