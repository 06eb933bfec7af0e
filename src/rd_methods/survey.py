"""Stakeholder surveys: Likert scales, reliability, before/after change, group differences.

The data contract (docs/data-contract.md) holds two tables:

``survey_items``
    ``item_id, scale, text, reverse, min, max`` — one row per question; ``scale`` names the
    construct the item measures; ``reverse`` items are worded against it.
``survey_responses``
    wide: ``respondent_id, wave, stakeholder_group, actor_id, submitted_on`` then one
    integer column per ``item_id`` (empty when not answered).

Every function takes these tables (or the tidy scores of :func:`score_scales`) and returns
a tidy :class:`pandas.DataFrame`, sorted, that prints well in a notebook. Nothing here
reads files, prints or plots.

Scoring rule for partly answered scales (``min_answered``)
-----------------------------------------------------------
After reverse coding (``x -> min + max - x``), a respondent's scale score is the **mean of
the scale's items he or she answered**, provided at least ``min_answered`` of the scale's
``k`` items are answered; otherwise the score is missing. ``min_answered`` is

* ``None`` (default): the "half rule", ``ceil(k / 2)`` items — the usual prorating rule
  for person-mean imputation (Schafer & Graham 2002; Newman 2014, *Organizational Research
  Methods* 17(4));
* an ``int`` ``m >= 1``: at least ``m`` items (capped at ``k``);
* a ``float`` in ``(0, 1]``: at least that share of the items, rounded up (``1.0`` = all).

Scores stay on the items' scale (e.g. 1 to 5), so a change of ``0.3`` reads as "three
tenths of an answer category".

Importing survey-tool exports (LimeSurvey, KoboToolbox, xlsx, SPSS) lives in
:mod:`rd_methods.survey_import`; :func:`import_export` is re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd

__all__ = [
    "AGREEMENT_LABELS",
    "SCALE_LABELS",
    "answer_labels",
    "scale_label",
    "diverging_layout",
    "reverse_code",
    "score_scales",
    "reliability",
    "item_reliability",
    "item_summary",
    "retention",
    "before_after",
    "ordinal_model",
    "compare_groups",
    "nonresponse_weights",
    "design_effect",
    "attrition_weights",
    "weighted_change",
    "attrition_check",
    "omega",
    "factor_loadings",
    "invariance",
    "mice_change",
    "population_from_campaign",
    "import_export",
    "key_results",
]

META_COLUMNS = ["respondent_id", "wave", "stakeholder_group", "actor_id", "submitted_on"]

#: French labels of a 5-point agreement scale (the demo's and most questionnaires').
AGREEMENT_LABELS: dict[int, str] = {
    1: "Pas du tout d'accord",
    2: "Plutôt pas d'accord",
    3: "Ni d'accord ni pas d'accord",
    4: "Plutôt d'accord",
    5: "Tout à fait d'accord",
}


#: French names of the usual scales (others are shown as written in survey_items).
SCALE_LABELS: dict[str, str] = {
    "cooperation": "Coopération",
    "capacity_to_act": "Capacité d'agir",
    "belonging": "Appartenance territoriale",
    "trust": "Confiance",
    "wellbeing": "Bien-être",
    "skills": "Compétences",
}


def scale_label(scale: str) -> str:
    """French name of a scale, e.g. ``scale_label("trust") == "Confiance"``."""
    return SCALE_LABELS.get(str(scale), str(scale).replace("_", " ").capitalize())


def answer_labels(minimum: int = 1, maximum: int = 5) -> dict[int, str]:
    """French labels of the answer codes ``minimum..maximum``.

    A 1–5 scale gets the agreement labels (*Pas du tout d'accord* … *Tout à fait
    d'accord*); a 1–4 scale drops the neutral point; other ranges get their numbers
    with the end points named.

    Examples
    --------
    >>> answer_labels(1, 4)[4]
    "Tout à fait d'accord"
    """
    minimum, maximum = int(minimum), int(maximum)
    if (minimum, maximum) == (1, 5):
        return dict(AGREEMENT_LABELS)
    if (minimum, maximum) == (1, 4):
        return {1: AGREEMENT_LABELS[1], 2: AGREEMENT_LABELS[2], 3: AGREEMENT_LABELS[4], 4: AGREEMENT_LABELS[5]}
    labels = {v: str(v) for v in range(minimum, maximum + 1)}
    labels[minimum] = f"{minimum} ({AGREEMENT_LABELS[1].lower()})"
    labels[maximum] = f"{maximum} ({AGREEMENT_LABELS[5].lower()})"
    return labels


# --------------------------------------------------------------------------- helpers
def _check_items(items: pd.DataFrame) -> pd.DataFrame:
    need = ["item_id", "scale", "reverse", "min", "max"]
    missing = [c for c in need if c not in items.columns]
    if missing:
        raise ValueError(f"survey_items lacks column(s) {missing}; expected {need}")
    out = items.copy()
    out["item_id"] = out["item_id"].astype(str)
    out["scale"] = out["scale"].astype(str)
    out["reverse"] = out["reverse"].fillna(False).astype(bool)
    if out["item_id"].duplicated().any():
        dup = sorted(out.loc[out["item_id"].duplicated(), "item_id"].unique())
        raise ValueError(f"survey_items has duplicated item_id {dup}")
    return out


def _check_responses(responses: pd.DataFrame, items: pd.DataFrame) -> None:
    for column in ("respondent_id", "wave"):
        if column not in responses.columns:
            raise ValueError(f"survey_responses lacks column {column!r}")
    absent = [i for i in items["item_id"] if i not in responses.columns]
    if absent:
        raise ValueError(
            f"survey_responses has no column for item(s) {absent}; "
            "every item_id of survey_items must be a column of survey_responses"
        )


def _select_scales(items: pd.DataFrame, scale: str | Sequence[str] | None) -> list[str]:
    known = sorted(items["scale"].unique())
    if scale is None:
        return known
    wanted = [scale] if isinstance(scale, str) else list(scale)
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise ValueError(f"unknown scale(s) {unknown}; survey_items has {known}")
    return sorted(wanted)


def _required(k: int, min_answered: int | float | None) -> int:
    """Number of answered items a scale of ``k`` items needs to be scored."""
    if min_answered is None:
        return max(1, math.ceil(k / 2))
    if isinstance(min_answered, bool):
        raise ValueError("min_answered must be an int (count), a float in (0, 1] (share) or None")
    if isinstance(min_answered, Integral):
        if min_answered < 1:
            raise ValueError(f"min_answered={min_answered}: a count must be at least 1")
        return min(int(min_answered), k)
    if isinstance(min_answered, Real):
        if not 0 < float(min_answered) <= 1:
            raise ValueError(f"min_answered={min_answered}: a share must be in (0, 1]")
        return max(1, math.ceil(float(min_answered) * k - 1e-9))
    raise ValueError("min_answered must be an int (count), a float in (0, 1] (share) or None")


def reverse_code(responses: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Item answers as floats, reverse-keyed items recoded ``x -> min + max - x``.

    Returns a copy of ``responses`` whose item columns are ``float64`` (missing = NaN),
    so that a high value always means "more of the construct".

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["a", "b"], "scale": "s", "reverse": [False, True],
    ...                       "min": 1, "max": 5})
    >>> resp = pd.DataFrame({"respondent_id": ["r1"], "wave": [1], "a": [4], "b": [2]})
    >>> reverse_code(resp, items)[["a", "b"]].to_numpy().tolist()
    [[4.0, 4.0]]
    """
    items = _check_items(items)
    _check_responses(responses, items)
    out = responses.copy()
    for row in items.itertuples(index=False):
        values = pd.to_numeric(out[row.item_id], errors="coerce").astype("float64")
        out[row.item_id] = (row.min + row.max - values) if row.reverse else values
    return out


# --------------------------------------------------------------------------- scores
def score_scales(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    min_answered: int | float | None = None,
    scale: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Score every respondent on every scale (mean of the answered, reverse-coded items).

    Parameters
    ----------
    responses : DataFrame
        Wide ``survey_responses`` (one column per item).
    items : DataFrame
        ``survey_items``.
    min_answered : int, float or None
        Rule for partly answered scales (see the module docstring): ``None`` = half of
        the items, rounded up; an int = a count; a float in (0, 1] = a share.
    scale : str or list of str, optional
        Restrict to these scales.

    Returns
    -------
    DataFrame
        One row per respondent, wave and scale: the identifying columns of
        ``responses`` present (``respondent_id, wave, stakeholder_group, actor_id``),
        ``scale``, ``score`` (NaN when too few items were answered), ``n_answered``,
        ``n_items``. Sorted by scale, wave, respondent.

    Notes
    -----
    Averaging Likert answers treats them as interval data, the usual convention for
    multi-item scales (Carifio & Perla 2008, *Medical Education* 42(12)); the
    ordinal model of :func:`compare_groups` does not rely on it.

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["a", "b", "c"], "scale": "s",
    ...                       "reverse": [False, False, True], "min": 1, "max": 5})
    >>> resp = pd.DataFrame({"respondent_id": ["r1", "r2"], "wave": [1, 1],
    ...                      "a": [4, 5], "b": [5, None], "c": [2, None]})
    >>> score_scales(resp, items)[["respondent_id", "score", "n_answered"]].to_numpy().tolist()
    [['r1', 4.333333333333333, 3], ['r2', nan, 1]]
    """
    items = _check_items(items)
    _check_responses(responses, items)
    scales = _select_scales(items, scale)
    recoded = reverse_code(responses, items)
    ids = [c for c in ("respondent_id", "wave", "stakeholder_group", "actor_id") if c in responses.columns]
    frames = []
    for name in scales:
        cols = items.loc[items["scale"] == name, "item_id"].tolist()
        values = recoded[cols].to_numpy(dtype="float64")
        answered = (~np.isnan(values)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(values, axis=1) / answered
        need = _required(len(cols), min_answered)
        frame = responses[ids].copy()
        frame["scale"] = name
        frame["score"] = np.where(answered >= need, mean, np.nan)
        frame["n_answered"] = answered.astype("int64")
        frame["n_items"] = len(cols)
        frames.append(frame)
    columns = [*ids, "scale", "score", "n_answered", "n_items"]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)[columns]
    return out.sort_values(["scale", "wave", "respondent_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- reliability
def _filter_wave(responses: pd.DataFrame, wave: int | None) -> pd.DataFrame:
    if wave is None:
        return responses
    out = responses.loc[responses["wave"] == wave]
    if out.empty:
        raise ValueError(f"no response in wave {wave}; waves present: {sorted(responses['wave'].unique())}")
    return out


def _alpha(data: pd.DataFrame) -> float:
    """Cronbach's alpha of complete cases (pingouin's formula), NaN when undefined."""
    import pingouin as pg

    if data.shape[1] < 2 or data.shape[0] < 2:
        return float("nan")
    return float(pg.cronbach_alpha(data=data, nan_policy="listwise")[0])


def reliability(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    scale: str | Sequence[str] | None = None,
    wave: int | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha of each scale with its confidence interval.

    Alpha is computed by :func:`pingouin.cronbach_alpha` on the respondents who answered
    every item of the scale (listwise deletion, as ``psych::alpha(use="complete.obs")``),
    after reverse coding; its interval is Feldt's F-based interval (Feldt, Woodruff &
    Salih 1987, *Applied Psychological Measurement* 11(1)).

    Parameters
    ----------
    responses, items : DataFrame
        ``survey_responses`` (wide) and ``survey_items``.
    scale : str or list of str, optional
        Restrict to these scales (default: all).
    wave : int, optional
        Use this wave only. ``None`` pools every row; when respondents answered twice,
        pass one wave so that each person counts once.
    ci : float
        Level of the interval.

    Returns
    -------
    DataFrame
        One row per scale: ``scale, n_items, n, n_complete, alpha, ci_low, ci_high,
        mean_inter_item_r, alpha_if_dropped_max, item_if_dropped_max`` where the last two
        name the item whose removal would raise alpha most (see :func:`item_reliability`).
        ``n`` counts rows with at least one answer to the scale.

    Notes
    -----
    Alpha assumes essentially tau-equivalent items measuring one construct (Cronbach
    1951, *Psychometrika* 16(3)); it is a lower bound of reliability otherwise. Values
    of about 0.7 or more are usually read as acceptable for group comparisons
    (Nunnally 1978).

    Examples
    --------
    >>> import pingouin as pg
    >>> long = pg.read_dataset("cronbach_alpha")   # real-statistics.com, Example 1
    >>> wide = long.pivot(index="Subj", columns="Items", values="Scores").reset_index()
    >>> wide = wide.rename(columns={"Subj": "respondent_id"}).assign(wave=1)
    >>> items = pd.DataFrame({"item_id": [f"Q{i}" for i in range(1, 11)], "scale": "s",
    ...                       "reverse": False, "min": 1, "max": 7})
    >>> round(reliability(wide, items)["alpha"].item(), 5)
    0.59172
    """
    import pingouin as pg

    items = _check_items(items)
    _check_responses(responses, items)
    scales = _select_scales(items, scale)
    data = reverse_code(_filter_wave(responses, wave), items)
    per_item = item_reliability(responses, items, scale=scales, wave=wave)
    rows = []
    for name in scales:
        cols = items.loc[items["scale"] == name, "item_id"].tolist()
        block = data[cols]
        complete = block.dropna()
        row = {
            "scale": name,
            "n_items": len(cols),
            "n": int(block.notna().any(axis=1).sum()),
            "n_complete": len(complete),
            "alpha": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "mean_inter_item_r": np.nan,
            "alpha_if_dropped_max": np.nan,
            "item_if_dropped_max": None,
        }
        if len(cols) >= 2 and len(complete) >= 3:
            alpha, (low, high) = pg.cronbach_alpha(data=complete, ci=ci)
            corr = complete.corr().to_numpy()
            row.update(
                alpha=float(alpha),
                ci_low=float(low),
                ci_high=float(high),
                mean_inter_item_r=float(corr[np.triu_indices_from(corr, k=1)].mean()),
            )
            drops = per_item.loc[per_item["scale"] == name].dropna(subset=["alpha_if_dropped"])
            if not drops.empty:
                best = drops.sort_values(["alpha_if_dropped", "item_id"], ascending=[False, True]).iloc[0]
                row.update(alpha_if_dropped_max=float(best["alpha_if_dropped"]), item_if_dropped_max=best["item_id"])
        rows.append(row)
    return pd.DataFrame(rows)


def item_reliability(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    scale: str | Sequence[str] | None = None,
    wave: int | None = None,
) -> pd.DataFrame:
    """Alpha if each item is dropped and the corrected item–rest correlation.

    Computed on the complete answers to each scale, after reverse coding (same data as
    :func:`reliability`). An item whose removal raises alpha, or whose item–rest
    correlation is low (below about 0.3), measures something else than its scale.

    Returns
    -------
    DataFrame
        One row per item: ``scale, item_id, reverse, n_complete, alpha_if_dropped,
        item_rest_r``, sorted by scale and item.
    """
    items = _check_items(items)
    _check_responses(responses, items)
    scales = _select_scales(items, scale)
    data = reverse_code(_filter_wave(responses, wave), items)
    rows = []
    for name in scales:
        sub = items.loc[items["scale"] == name]
        cols = sub["item_id"].tolist()
        complete = data[cols].dropna()
        total = complete.sum(axis=1)
        for item in sub.itertuples(index=False):
            rest = [c for c in cols if c != item.item_id]
            ok = len(complete) >= 3
            r = np.nan
            if ok and rest and complete[item.item_id].std() > 0:
                rest_sum = total - complete[item.item_id]
                if rest_sum.std() > 0:
                    r = float(np.corrcoef(complete[item.item_id], rest_sum)[0, 1])
            rows.append(
                {
                    "scale": name,
                    "item_id": item.item_id,
                    "reverse": bool(item.reverse),
                    "n_complete": len(complete),
                    "alpha_if_dropped": _alpha(complete[rest]) if ok and len(rest) >= 2 else np.nan,
                    "item_rest_r": r,
                }
            )
    out = pd.DataFrame(rows, columns=["scale", "item_id", "reverse", "n_complete", "alpha_if_dropped", "item_rest_r"])
    return out.sort_values(["scale", "item_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- items
def item_summary(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    by: str | Sequence[str] | None = "wave",
) -> pd.DataFrame:
    """Distribution of the answers to each item (as asked, not reverse-coded), and missingness.

    Parameters
    ----------
    responses, items : DataFrame
        ``survey_responses`` (wide) and ``survey_items``.
    by : str or list of str, optional
        Columns of ``responses`` to split by (default ``"wave"``; ``None`` pools all rows).

    Returns
    -------
    DataFrame
        One row per item, split and answer code ``min..max`` (codes nobody chose are
        kept with ``n = 0``): ``scale, item_id, text, reverse, <by…>, answer, label, n,
        share`` (of the item's answers), ``n_answered, n_missing, share_missing``
        (rows of the split that left the item empty). Counts are of people: pass them
        through :func:`rd_methods.disclosure.suppress_small` before publication.
    """
    items = _check_items(items)
    _check_responses(responses, items)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for k in keys:
        if k not in responses.columns:
            raise ValueError(f"survey_responses has no column {k!r} to split by")
    rows = []
    groups = responses.groupby(keys, sort=True, dropna=False) if keys else [((), responses)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        split = dict(zip(keys, key, strict=True))
        for item in items.itertuples(index=False):
            values = pd.to_numeric(part[item.item_id], errors="coerce")
            answered = int(values.notna().sum())
            counts = values.value_counts()
            labels = answer_labels(item.min, item.max)
            for code in range(int(item.min), int(item.max) + 1):
                n = int(counts.get(code, 0))
                rows.append(
                    {
                        "scale": item.scale,
                        "item_id": item.item_id,
                        "text": getattr(item, "text", None),
                        "reverse": bool(item.reverse),
                        **split,
                        "answer": code,
                        "label": labels[code],
                        "n": n,
                        "share": n / answered if answered else np.nan,
                        "n_answered": answered,
                        "n_missing": len(part) - answered,
                        "share_missing": (len(part) - answered) / len(part) if len(part) else np.nan,
                    }
                )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values(["scale", "item_id", *keys, "answer"], kind="stable").reset_index(drop=True)


def diverging_layout(summary: pd.DataFrame, by: Sequence[str] = ("item_id",)) -> pd.DataFrame:
    """Bar positions of a diverging stacked bar chart of Likert answers.

    Disagreement extends to the left of zero, agreement to the right, and the middle
    answer (odd scales) is split half on each side (Robbins & Heiberger 2011, *JSM
    Proceedings*). Takes :func:`item_summary` output.

    Returns
    -------
    DataFrame
        ``<by…>, answer, label, share, left`` (bar start, in shares), sorted.

    Examples
    --------
    >>> summ = pd.DataFrame({"item_id": "a", "answer": [1, 2, 3], "label": ["-", "0", "+"],
    ...                      "share": [0.2, 0.4, 0.4], "min": 1, "max": 3})
    >>> diverging_layout(summ.drop(columns=["min", "max"]))["left"].round(2).tolist()
    [-0.4, -0.2, 0.2]
    """
    keys = list(by)
    rows = []
    for key, part in summary.groupby(keys, sort=True):
        part = part.sort_values("answer")
        codes = part["answer"].to_numpy()
        shares = part["share"].fillna(0).to_numpy(dtype=float)
        mid = (codes.min() + codes.max()) / 2
        below = shares[codes < mid].sum()
        middle = shares[codes == mid].sum()
        left = -(below + middle / 2)
        for code, share, lab in zip(codes, shares, part["label"], strict=True):
            rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                         "answer": int(code), "label": lab, "share": share, "left": left})
            left += share
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- change
def retention(responses: pd.DataFrame, wave_before: int = 1, wave_after: int = 2) -> pd.DataFrame:
    """How many respondents of ``wave_before`` answered again in ``wave_after``.

    Returns
    -------
    DataFrame
        One row: ``wave_before, wave_after, n_before, n_after, n_both, retention_rate``
        (``n_both / n_before``), ``n_new`` (answered only after).
    """
    before = set(responses.loc[responses["wave"] == wave_before, "respondent_id"].astype(str))
    after = set(responses.loc[responses["wave"] == wave_after, "respondent_id"].astype(str))
    both = before & after
    return pd.DataFrame(
        [
            {
                "wave_before": wave_before,
                "wave_after": wave_after,
                "n_before": len(before),
                "n_after": len(after),
                "n_both": len(both),
                "retention_rate": len(both) / len(before) if before else np.nan,
                "n_new": len(after - before),
            }
        ]
    )


def _scores_from(data, items, scale, min_answered, subject, wave, score):
    """Tidy scores, from wide responses (when ``items`` is given) or already tidy."""
    if items is not None:
        scores = score_scales(data, items, min_answered=min_answered, scale=scale)
        return scores.rename(columns={"respondent_id": subject, "wave": wave})
    need = [subject, wave, score]
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ValueError(
            f"data lacks column(s) {missing}: pass wide survey_responses with items=…, "
            f"or tidy scores with columns {need} (+ 'scale')"
        )
    scores = data.copy()
    if "scale" not in scores.columns:
        scores["scale"] = scale if isinstance(scale, str) else score
    elif scale is not None:
        wanted = [scale] if isinstance(scale, str) else list(scale)
        scores = scores.loc[scores["scale"].isin(wanted)]
    return scores


def before_after(
    data: pd.DataFrame,
    scale: str | Sequence[str] | None = None,
    wave_before: int = 1,
    wave_after: int = 2,
    *,
    items: pd.DataFrame | None = None,
    min_answered: int | float | None = None,
    ci: float = 0.95,
    subject: str = "respondent_id",
    wave: str = "wave",
    score: str = "score",
) -> pd.DataFrame:
    """Change of scale scores between two waves, paired and unpaired.

    Four rows per scale (column ``test``):

    ``paired_t``
        Respondents present in both waves: mean change (after − before) with its
        Student *t* interval, paired *t*-test; ``effect_size`` is Cohen's
        :math:`d_z` (mean change / SD of the changes, Cohen 1988; Lakens 2013,
        *Frontiers in Psychology* 4:863).
    ``wilcoxon``
        Same pairs, Wilcoxon signed-rank test (:func:`scipy.stats.wilcoxon`, zero
        differences dropped as in R's ``wilcox.test``, normal approximation with
        continuity and tie correction); ``estimate`` is the median change,
        ``statistic`` the sum of the ranks of the positive changes (R's ``V``).
    ``welch``
        Everyone: mean of wave after − mean of wave before, Welch's unequal-variance
        *t*-test and interval; ``effect_size`` is Hedges' *g* (pooled SD, small-sample
        corrected). Respondents who answered twice make the waves dependent: read it
        as a description, the paired rows as the test.
    ``baseline_attrition``
        Wave-before score of those who did *not* answer again minus those who did
        (Welch); a clear difference warns that attrition may bias the paired change.

    Parameters
    ----------
    data : DataFrame
        Wide ``survey_responses`` with ``items`` given, or tidy scores with columns
        ``subject, wave, score`` (+ ``scale``), e.g. from :func:`score_scales`.
    scale : str or list of str, optional
        Scales to analyse (default: all).
    wave_before, wave_after : int
        The two waves compared.
    items : DataFrame, optional
        ``survey_items``; when given, ``data`` is scored with :func:`score_scales`.
    min_answered : int, float or None
        Scoring rule (see the module docstring).
    ci : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        ``scale, test, estimate, ci_low, ci_high, statistic, df, p_value, n, n_before,
        n_after, effect_size, effect_size_name, p_adjusted``, one row per scale and test,
        sorted. ``p_adjusted`` is Holm's step-down adjustment (Holm 1979, *Scand. J.
        Statistics* 6(2)) of ``p_value`` across the scales analysed, within each test:
        read it, not ``p_value``, when several scales are tested at once.

    Notes
    -----
    The paired *t* interval assumes the changes are roughly normal (or many pairs);
    the Wilcoxon test assumes they are symmetric around their median. Neither turns a
    before/after difference into an effect of the structure: there is no comparison
    group here.

    Examples
    --------
    Student's (1908) sleep data, Cushny & Peebles' two drugs on ten patients:

    >>> a = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> b = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> sleep = pd.DataFrame({"respondent_id": list(range(10)) * 2,
    ...                       "wave": [1] * 10 + [2] * 10, "score": a + b})
    >>> res = before_after(sleep, scale="extra").set_index("test")
    >>> res.loc["paired_t", ["estimate", "statistic", "p_value"]].astype(float).round(6).tolist()
    [1.58, 4.062128, 0.002833]
    """
    from scipy import stats

    scores = _scores_from(data, items, scale, min_answered, subject, wave, score)
    scores = scores[["scale", subject, wave, score]].copy()
    scores[subject] = pd.factorize(scores[subject])[0]  # integer codes: fast joins
    rows = []
    for name, part in scores.groupby("scale", sort=True):
        before = part.loc[part[wave] == wave_before, [subject, score]].dropna()
        after = part.loc[part[wave] == wave_after, [subject, score]].dropna()
        if before[subject].duplicated().any() or after[subject].duplicated().any():
            raise ValueError(f"scale {name!r}: a respondent appears twice in one wave")
        pairs = before.merge(after, on=subject, suffixes=("_before", "_after"))
        diff = (pairs[f"{score}_after"] - pairs[f"{score}_before"]).to_numpy(dtype=float)
        x0 = before[score].to_numpy(dtype=float)
        x1 = after[score].to_numpy(dtype=float)
        base = {"scale": name}
        n = len(diff)

        # paired t
        row = {**base, "test": "paired_t", "n": n, "n_before": n, "n_after": n,
               "effect_size_name": "cohen_dz"}
        if n >= 2:
            res = stats.ttest_rel(pairs[f"{score}_after"], pairs[f"{score}_before"])
            low, high = res.confidence_interval(confidence_level=ci)
            sd = diff.std(ddof=1)
            row.update(estimate=diff.mean(), ci_low=low, ci_high=high, statistic=res.statistic,
                       df=res.df, p_value=res.pvalue, effect_size=diff.mean() / sd if sd > 0 else np.nan)
        rows.append(row)

        # Wilcoxon signed-rank
        row = {**base, "test": "wilcoxon", "n": n, "n_before": n, "n_after": n}
        if n >= 1:
            row["estimate"] = float(np.median(diff))
        if np.count_nonzero(diff) >= 1:
            res = stats.wilcoxon(diff, zero_method="wilcox", correction=True, method="approx")
            nonzero = diff[diff != 0]
            v = stats.rankdata(np.abs(nonzero))[nonzero > 0].sum()  # R's V
            row.update(statistic=float(v), p_value=res.pvalue)
        rows.append(row)

        # Welch on everyone
        row = {**base, "test": "welch", "n": len(x0) + len(x1), "n_before": len(x0),
               "n_after": len(x1), "effect_size_name": "hedges_g"}
        if len(x0) >= 2 and len(x1) >= 2:
            res = stats.ttest_ind(x1, x0, equal_var=False)
            low, high = res.confidence_interval(confidence_level=ci)
            row.update(estimate=x1.mean() - x0.mean(), ci_low=low, ci_high=high,
                       statistic=res.statistic, df=res.df, p_value=res.pvalue,
                       effect_size=_hedges_g(x1, x0))
        rows.append(row)

        # attrition: baseline of leavers vs stayers
        stay = before[subject].isin(after[subject])
        s0 = before.loc[stay, score].to_numpy(dtype=float)
        l0 = before.loc[~stay, score].to_numpy(dtype=float)
        row = {**base, "test": "baseline_attrition", "n": len(s0) + len(l0), "n_before": len(l0),
               "n_after": len(s0), "effect_size_name": "hedges_g"}
        if len(s0) >= 2 and len(l0) >= 2:
            res = stats.ttest_ind(l0, s0, equal_var=False)
            low, high = res.confidence_interval(confidence_level=ci)
            row.update(estimate=l0.mean() - s0.mean(), ci_low=low, ci_high=high,
                       statistic=res.statistic, df=res.df, p_value=res.pvalue,
                       effect_size=_hedges_g(l0, s0))
        rows.append(row)

    columns = ["scale", "test", "estimate", "ci_low", "ci_high", "statistic", "df", "p_value",
               "n", "n_before", "n_after", "effect_size", "effect_size_name"]
    out = pd.DataFrame(rows).reindex(columns=columns)
    for c in ["estimate", "ci_low", "ci_high", "statistic", "df", "p_value", "effect_size"]:
        out[c] = out[c].astype("float64")
    for c in ["n", "n_before", "n_after"]:
        out[c] = out[c].astype("int64")
    out["p_adjusted"] = _holm_by(out, "test")
    order = {"paired_t": 0, "wilcoxon": 1, "welch": 2, "baseline_attrition": 3}
    out = out.sort_values(["scale", "test"], key=lambda s: s.map(order) if s.name == "test" else s)
    return out.reset_index(drop=True)


def _holm_by(frame: pd.DataFrame, by: str, column: str = "p_value") -> pd.Series:
    """Holm-adjusted ``column`` within each value of ``by`` (NaN p-values left out)."""
    from statsmodels.stats.multitest import multipletests

    out = pd.Series(np.nan, index=frame.index, dtype="float64")
    for _key, part in frame.groupby(by, sort=False):
        ok = part[column].notna()
        if ok.any():
            out[part.index[ok]] = multipletests(part.loc[ok, column].to_numpy(dtype=float), method="holm")[1]
    return out


def _hedges_g(x: np.ndarray, y: np.ndarray) -> float:
    """Hedges' g of ``x - y``: pooled-SD standardised difference, small-sample corrected."""
    nx, ny = len(x), len(y)
    pooled = math.sqrt(((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / (nx + ny - 2))
    if pooled == 0:
        return float("nan")
    d = (x.mean() - y.mean()) / pooled
    return float(d * (1 - 3 / (4 * (nx + ny) - 9)))


# --------------------------------------------------------------------------- groups
def _long_answers(responses, items, scale, group, wave):
    items = _check_items(items)
    cols = items.loc[items["scale"] == scale, "item_id"].tolist()
    data = reverse_code(responses, items)
    long = data.melt(id_vars=["respondent_id", wave, group], value_vars=cols,
                     var_name="item_id", value_name="answer").dropna(subset=["answer", group])
    long["answer"] = long["answer"].round().astype("int64")
    return long


_ANALYTIC_ORDERED = None


def _analytic_ordered_model():
    """statsmodels' ``OrderedModel`` with analytic scores (and a Hessian from them).

    ``OrderedModel`` inherits numerical derivatives of the log-likelihood: a gradient of
    ``p + 1`` likelihood evaluations per optimiser step, a Hessian of ``p^2`` and scores
    per observation for the clustered covariance; on tens of thousands of answers that is
    minutes. Here the per-observation scores are exact, for the logit and probit links:
    with ``u = c_y - x'b`` and ``l = c_{y-1} - x'b`` and ``P = F(u) - F(l)``,
    ``d log P / d b = -x (f(u) - f(l)) / P`` and ``d log P / d c_j = (f(u) 1[j = y]
    - f(l) 1[j = y - 1]) / P``, then chained to statsmodels' threshold parameters
    (``c_0``, then ``log`` increments). The Hessian is the central finite difference of
    the exact total score (``2p`` score evaluations). The likelihood, its score and the
    Hessian are sums over the distinct (covariates, answer) patterns weighted by their
    counts (group x wave x item x answer: a few hundred, whatever the number of
    respondents); per-answer scores, for the clustered covariance, are their pattern's.
    Same estimates as the parent (the same maximum), standard errors within about 1e-5
    relative of its numerical ones.
    """
    global _ANALYTIC_ORDERED
    if _ANALYTIC_ORDERED is not None:
        return _ANALYTIC_ORDERED
    from scipy import stats
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class AnalyticOrderedModel(OrderedModel):
        def _pdf(self, x):
            if self.distr is stats.logistic:
                e = np.exp(-np.abs(x))
                return e / (1 + e) ** 2
            return self.distr.pdf(x)

        def _patterns(self):
            """Distinct (exog row, answer) pairs, their counts and each answer's pattern:
            the likelihood and its score depend on nothing else, so sums over 300,000
            answers become sums over a few hundred patterns."""
            if getattr(self, "_pattern_cache", None) is None:
                y = np.asarray(self.endog, dtype=np.int64)
                X = np.asarray(self.exog, dtype=float) if self.k_vars else np.zeros((len(y), 0))
                if X.shape[1] <= 52 and np.isin(X, (0.0, 1.0)).all():  # dummies: one integer per row
                    key = (X @ (2.0 ** np.arange(X.shape[1]))).astype(np.int64) * self.k_levels + y
                    _, first, inverse, counts = np.unique(key, return_index=True, return_inverse=True,
                                                          return_counts=True)
                else:
                    _, first, inverse, counts = np.unique(np.column_stack([X, y]), axis=0, return_index=True,
                                                          return_inverse=True, return_counts=True)
                self._pattern_cache = (X[first], y[first], inverse.ravel(), counts.astype(float))
            return self._pattern_cache

        def _bounds_at(self, params, X, y):
            k_th = self.k_levels - 1
            thresh = self.transform_threshold_params(params)
            xb = X @ params[:-k_th] if self.k_vars else np.zeros(len(y))
            return thresh[y + 1] - xb, thresh[y] - xb

        def _scores_at(self, params, X, y):
            params = np.asarray(params, dtype=float)
            k_th = self.k_levels - 1
            upp, low = self._bounds_at(params, X, y)
            prob = np.maximum(self.cdf(upp) - self.cdf(low), 0) + 1e-20
            f_upp = np.where(np.isfinite(upp), self._pdf(np.where(np.isfinite(upp), upp, 0)), 0.0)
            f_low = np.where(np.isfinite(low), self._pdf(np.where(np.isfinite(low), low, 0)), 0.0)
            out = np.empty((len(y), len(params)))
            if self.k_vars:
                out[:, : self.k_vars] = -X * ((f_upp - f_low) / prob)[:, None]
            # d log P / d c_j for the finite cut points j = 0..k_th-1
            dcut = np.zeros((len(y), k_th))
            rows = np.arange(len(y))
            hi = y < k_th  # upper bound is cut point y
            dcut[rows[hi], y[hi]] += f_upp[hi] / prob[hi]
            lo = y > 0  # lower bound is cut point y - 1
            dcut[rows[lo], y[lo] - 1] -= f_low[lo] / prob[lo]
            # c_j = th_0 + sum_{i=1..j} exp(th_i): d c_j / d th_i = exp(th_i) for 1 <= i <= j
            th = params[-k_th:]
            tail = np.cumsum(dcut[:, ::-1], axis=1)[:, ::-1]  # sum over j >= i
            grad_th = tail.copy()
            grad_th[:, 1:] *= np.exp(th[1:])
            out[:, self.k_vars :] = grad_th
            return out

        def loglike(self, params):
            X, y, _, counts = self._patterns()
            upp, low = self._bounds_at(np.asarray(params, dtype=float), X, y)
            return float(counts @ np.log(self.prob(low, upp) + 1e-20))

        def score_obs(self, params):
            X, y, inverse, _ = self._patterns()
            return self._scores_at(params, X, y)[inverse]

        def score(self, params):
            X, y, _, counts = self._patterns()
            return counts @ self._scores_at(params, X, y)

        def hessian(self, params):
            params = np.asarray(params, dtype=float)
            p = len(params)
            H = np.empty((p, p))
            for j in range(p):
                h = 1e-5 * max(1.0, abs(params[j]))
                up, down = params.copy(), params.copy()
                up[j] += h
                down[j] -= h
                H[:, j] = (self.score(up) - self.score(down)) / (2 * h)
            return (H + H.T) / 2

    _ANALYTIC_ORDERED = AnalyticOrderedModel
    return AnalyticOrderedModel


def ordinal_model(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    scale: str,
    group: str = "stakeholder_group",
    *,
    wave: str = "wave",
    reference: str | None = None,
    distr: str = "logit",
):
    """Fit a proportional-odds model of one scale's item answers on group and wave.

    Each answer (reverse-coded, as an ordered category) is one observation; the model
    (statsmodels :class:`~statsmodels.miscmodels.ordinal_model.OrderedModel`) has one
    coefficient per group (against ``reference``, default the largest group), per wave
    (against the first) and per item (against the first item: item difficulty), and
    standard errors clustered by respondent, since one person gives several answers.

    Assumption: proportional odds — a group shifts the whole answer distribution by the
    same log-odds at every threshold (McCullagh 1980, *JRSS B* 42(2)).

    Returns
    -------
    statsmodels OrderedResults
        The fitted results (``.params``, ``.conf_int()``, ``.model``); exog column names
        are ``group[<value>]``, ``wave[<value>]`` and ``item[<id>]``.
    """
    long = _long_answers(responses, items, scale, group, wave)
    if long.empty:
        raise ValueError(f"scale {scale!r}: no answer to model")
    groups = long[group].astype(str)
    sizes = groups.groupby(groups).apply(lambda s: long.loc[s.index, "respondent_id"].nunique())
    if reference is None:
        reference = sorted(sizes.index, key=lambda g: (-sizes[g], g))[0]
    exog = {}
    for g in sorted(groups.unique()):
        if g != reference:
            exog[f"group[{g}]"] = (groups == g).astype(float).to_numpy()
    waves = sorted(long[wave].unique())
    for w in waves[1:]:
        exog[f"wave[{w}]"] = (long[wave] == w).astype(float).to_numpy()
    item_ids = sorted(long["item_id"].unique())
    for i in item_ids[1:]:
        exog[f"item[{i}]"] = (long["item_id"] == i).astype(float).to_numpy()
    exog = pd.DataFrame(exog, index=long.index)
    levels = sorted(long["answer"].unique())
    endog = pd.Series(pd.Categorical(long["answer"], categories=levels, ordered=True), index=long.index)
    codes = pd.factorize(long["respondent_id"].astype(str))[0]
    model = _analytic_ordered_model()(endog, exog, distr=distr)
    result = model.fit(method="bfgs", disp=False, maxiter=500, cov_type="cluster", cov_kwds={"groups": codes})
    result.reference_group = reference
    return result


def compare_groups(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    scale: str | Sequence[str] | None = None,
    group: str = "stakeholder_group",
    *,
    wave: int | None = None,
    min_answered: int | float | None = None,
    min_cell: int = 5,
    ordinal: bool = True,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Differences between stakeholder groups on each scale.

    Two families of tests, each corrected for multiple comparisons with **Holm's**
    step-down method (column ``p_holm``; Holm 1979, *Scand. J. Statistics* 6(2)),
    the correction applied across all the rows of the same family in the result:

    ``kruskal`` / ``mannwhitney``
        Scale scores of one wave (``wave``; default the first wave present), compared
        across groups with Kruskal–Wallis (three groups or more) or Mann–Whitney
        (two groups) — rank tests, no normality assumed. ``estimate`` is the
        difference between the highest and lowest group median score.
    ``ordinal``
        Proportional-odds model of the item answers on group, wave and item
        (:func:`ordinal_model`, all waves, SEs clustered by respondent): one row per
        group against the reference group; ``estimate`` is the log odds ratio of
        answering higher, ``odds_ratio`` its exponential.

    Groups with fewer than ``min_cell`` respondents are left out (column ``note``
    says which), so that no small group's answers are published.

    Returns
    -------
    DataFrame
        ``scale, test, group, reference, estimate, ci_low, ci_high, odds_ratio,
        statistic, p_value, p_holm, n, n_groups, note``, sorted by test family then scale.
    """
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    items = _check_items(items)
    _check_responses(responses, items)
    if group not in responses.columns:
        raise ValueError(f"survey_responses has no column {group!r}")
    scales = _select_scales(items, scale)
    first = wave if wave is not None else int(sorted(responses["wave"].unique())[0])
    # drop small groups (counted as distinct respondents over all waves)
    sizes = responses.dropna(subset=[group]).groupby(group)["respondent_id"].nunique()
    small = sorted(str(g) for g in sizes.index[sizes < min_cell])
    kept = responses.loc[responses[group].notna() & ~responses[group].astype(str).isin(small)]
    note = f"groupes exclus (moins de {min_cell} répondants) : {', '.join(small)}" if small else None

    scores = score_scales(kept.loc[kept["wave"] == first], items, min_answered=min_answered, scale=scales)
    rank_rows, ord_rows = [], []
    for name in scales:
        part = scores.loc[scores["scale"] == name].dropna(subset=["score"])
        samples = {g: s["score"].to_numpy() for g, s in part.groupby(group, sort=True)}
        row = {"scale": name, "n": len(part), "n_groups": len(samples), "note": note}
        if len(samples) >= 2:
            medians = {g: float(np.median(v)) for g, v in samples.items()}
            hi = max(medians, key=lambda g: (medians[g], g))
            lo = min(medians, key=lambda g: (medians[g], g))
            row.update(group=hi, reference=lo, estimate=medians[hi] - medians[lo])
            if len(samples) == 2:
                res = stats.mannwhitneyu(*samples.values(), alternative="two-sided")
                row.update(test="mannwhitney", statistic=res.statistic, p_value=res.pvalue)
            else:
                res = stats.kruskal(*samples.values())
                row.update(test="kruskal", statistic=res.statistic, p_value=res.pvalue)
        else:
            row.update(test="kruskal")
        rank_rows.append(row)

        if ordinal and kept[group].nunique() >= 2:
            fit = ordinal_model(kept, items, name, group)
            conf = fit.conf_int(alpha=1 - ci)
            n_obs = int(fit.nobs)
            for col in fit.params.index:
                if not col.startswith("group["):
                    continue
                est = float(fit.params[col])
                ord_rows.append({
                    "scale": name, "test": "ordinal", "group": col[6:-1], "reference": fit.reference_group,
                    "estimate": est, "ci_low": float(conf.loc[col, 0]), "ci_high": float(conf.loc[col, 1]),
                    "odds_ratio": math.exp(est), "statistic": float(fit.tvalues[col]),
                    "p_value": float(fit.pvalues[col]), "n": n_obs, "n_groups": kept[group].nunique(),
                    "note": note,
                })

    columns = ["scale", "test", "group", "reference", "estimate", "ci_low", "ci_high", "odds_ratio",
               "statistic", "p_value", "p_holm", "n", "n_groups", "note"]
    frames = []
    for family in (rank_rows, ord_rows):
        frame = pd.DataFrame(family).reindex(columns=columns)
        if frame.empty:
            continue
        ok = frame["p_value"].notna()
        if ok.any():
            frame.loc[ok, "p_holm"] = multipletests(frame.loc[ok, "p_value"], method="holm")[1]
        frames.append(frame.sort_values(["scale", "group"], kind="stable"))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    for c in ["estimate", "ci_low", "ci_high", "odds_ratio", "statistic", "p_value", "p_holm"]:
        out[c] = out[c].astype("float64")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- weights
def _population_margins(population, by: list[str]) -> dict[str, dict[str, float]]:
    """``{variable: {level: size}}`` from a mapping (one variable) or a mapping of mappings."""
    if not isinstance(population, dict) and hasattr(population, "items"):
        population = dict(population.items())
    if len(by) == 1 and not all(isinstance(v, dict) for v in population.values()):
        population = {by[0]: population}
    missing = [v for v in by if v not in population]
    if missing:
        raise ValueError(f"population has no sizes for {missing}; give {{variable: {{level: size}}}}")
    margins = {}
    for var in by:
        sizes = {str(k): float(v) for k, v in population[var].items()}
        bad = [k for k, v in sizes.items() if not (np.isfinite(v) and v >= 0)]
        if bad or not sizes or sum(sizes.values()) <= 0:
            raise ValueError(f"population[{var!r}]: sizes must be non-negative numbers with a positive total")
        margins[var] = sizes
    return margins


def population_from_campaign(meta: dict) -> dict[str, float] | None:
    """The population the survey speaks for, from ``campaign.yml``: ``survey.population``.

    ``campaign.yml`` may hold ::

        survey:
          population:          # stakeholder group -> number of people (or shares)
            members: 95
            beneficiaries: 640

    The sizes are those of the people the structure serves, counted by the campaign
    (member register, beneficiary lists…), not of the respondents. Returns ``None``
    when the campaign gives none (then no non-response weight can be computed).

    Examples
    --------
    >>> population_from_campaign({"survey": {"population": {"members": 90, "partners": 30}}})
    {'members': 90.0, 'partners': 30.0}
    """
    survey_meta = (meta or {}).get("survey") or {}
    pop = survey_meta.get("population") if isinstance(survey_meta, dict) else None
    if not pop:
        return None
    if not isinstance(pop, dict):
        raise ValueError("campaign.yml survey.population must map each stakeholder group to a size")
    out = {}
    for group, size in pop.items():
        try:
            out[str(group)] = float(size)
        except (TypeError, ValueError):
            raise ValueError(f"campaign.yml survey.population.{group}: {size!r} is not a number") from None
        if not out[str(group)] >= 0:
            raise ValueError(f"campaign.yml survey.population.{group}: sizes must be >= 0")
    return out


def nonresponse_weights(
    responses: pd.DataFrame,
    population,
    by: str | Sequence[str] = "stakeholder_group",
    *,
    wave: int | None = None,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> pd.DataFrame:
    """Non-response weights: respondents reweighted to the population's group shares.

    With one variable (``by="stakeholder_group"``) this is **post-stratification**: every
    respondent of group *g* gets ``N_g / n_g`` (population size over respondents), so
    that the weighted shares of the groups equal the population's. With several
    variables, weights are **raked** (iterative proportional fitting, Deming & Stephan
    1940, *Ann. Math. Statist.* 11(4)) until every variable's weighted margins equal the
    population's; the joint distribution is not constrained.

    Assumption: within a group (cell), those who answered are like those who did not
    (missing at random given the weighting variables; Kalton & Flores-Cervantes 2003,
    *J. Official Statistics* 19(2)). Weights correct who answered, not what they said.

    Parameters
    ----------
    responses : DataFrame
        ``survey_responses`` (or any frame with the ``by`` columns and ``wave``).
    population : mapping
        One variable: ``{group: size}`` (e.g. ``campaign.yml``'s ``survey.population``).
        Several: ``{variable: {level: size}}``. Sizes may be counts or shares.
    by : str or list of str
        Weighting variable(s), columns of ``responses``.
    wave : int, optional
        Weight this wave only; by default each wave is weighted separately.
    max_iter, tol : int, float
        Raking stops when no margin is off by more than ``tol`` (relative).

    Returns
    -------
    DataFrame
        Same index as the rows used: ``respondent_id, wave, <by…>, weight``. In each wave
        the weights sum to the population total (each respondent "stands for" ``weight``
        people). Raises ``ValueError`` when a respondent's level is not in the
        population, or a population level has no respondent (it cannot be represented).

    Examples
    --------
    >>> resp = pd.DataFrame({"respondent_id": ["a", "b", "c", "d"], "wave": 1,
    ...                      "stakeholder_group": ["members", "members", "members", "partners"]})
    >>> nonresponse_weights(resp, {"members": 50, "partners": 50})["weight"].round(3).tolist()
    [16.667, 16.667, 16.667, 50.0]
    """
    keys = [by] if isinstance(by, str) else list(by)
    for col in [*keys, "wave"]:
        if col not in responses.columns:
            raise ValueError(f"responses has no column {col!r}")
    margins = _population_margins(population, keys)
    data = responses if wave is None else _filter_wave(responses, wave)
    problems = []
    for var in keys:
        levels = data[var]
        if levels.isna().any():
            problems.append(f"{int(levels.isna().sum())} response(s) without {var}")
        unknown = sorted(set(levels.dropna().astype(str)) - set(margins[var]))
        if unknown:
            problems.append(f"{var}: level(s) {unknown} not in the population")
        empty = sorted(k for k, v in margins[var].items() if v > 0 and k not in set(levels.dropna().astype(str)))
        if empty:
            problems.append(f"{var}: population level(s) {empty} have no respondent and cannot be represented")
    if problems:
        raise ValueError("; ".join(problems))
    total = sum(next(iter(margins.values())).values())
    weights = pd.Series(np.nan, index=data.index, dtype="float64")
    for _w, part in data.groupby("wave", sort=True):
        w = np.ones(len(part))
        codes = {var: part[var].astype(str).to_numpy() for var in keys}
        targets = {var: {k: v / sum(margins[var].values()) for k, v in margins[var].items()} for var in keys}
        for _ in range(max_iter):
            worst = 0.0
            for var in keys:
                current = pd.Series(w).groupby(codes[var]).sum() / w.sum()
                factor = np.array([targets[var][c] / current[c] for c in codes[var]])
                w = w * factor
                worst = max(worst, float(np.max(np.abs(factor - 1))))
            if worst <= tol:
                break
        else:
            raise ValueError(f"wave {_w}: raking did not converge in {max_iter} iterations (largest margin "
                             f"factor off by {worst:.2g}); the margins may be incompatible with the respondents")
        weights[part.index] = w / w.sum() * total
    ids = [c for c in ("respondent_id", "wave") if c in data.columns]
    out = data[[*ids, *[k for k in keys if k not in ids]]].copy()
    out["weight"] = weights
    return out


def design_effect(weights) -> pd.DataFrame:
    """Kish's design effect of unequal weights and the effective sample size.

    ``deff = n * sum(w^2) / sum(w)^2`` and ``n_eff = n / deff`` (Kish 1965, *Survey
    Sampling*, §11.7): the precision lost by weighting, assuming the weights are not
    related to the answers.

    Parameters
    ----------
    weights : array-like or DataFrame
        The weights, or a frame with a ``weight`` column (then split by ``wave`` when present).

    Returns
    -------
    DataFrame
        ``[wave,] n, sum_weights, n_eff, deff, cv, min_weight, max_weight``.

    Examples
    --------
    >>> design_effect([1, 1, 2, 4])[["n_eff", "deff"]].round(4).to_numpy().tolist()
    [[2.9091, 1.375]]
    """
    def one(w: np.ndarray) -> dict:
        w = np.asarray(w, dtype=float)
        n = len(w)
        deff = n * np.sum(w**2) / np.sum(w) ** 2 if n else np.nan
        return {"n": n, "sum_weights": float(np.sum(w)), "n_eff": n / deff if n else np.nan, "deff": float(deff),
                "cv": float(np.std(w) / np.mean(w)) if n else np.nan,
                "min_weight": float(np.min(w)) if n else np.nan, "max_weight": float(np.max(w)) if n else np.nan}

    if isinstance(weights, pd.DataFrame):
        if "wave" in weights.columns:
            return pd.DataFrame([{"wave": w, **one(p["weight"].to_numpy())}
                                 for w, p in weights.groupby("wave", sort=True)])
        weights = weights["weight"]
    return pd.DataFrame([one(np.asarray(weights, dtype=float))])


def attrition_weights(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    wave_before: int = 1,
    wave_after: int = 2,
    *,
    covariates: Sequence[str] = ("stakeholder_group",),
    base_weights: pd.DataFrame | None = None,
    min_answered: int | float | None = None,
) -> pd.DataFrame:
    """Inverse-probability-of-staying weights for the respondents of both waves.

    A logistic regression (statsmodels GLM, binomial) predicts, for each respondent of
    ``wave_before``, whether he or she answered ``wave_after`` from the baseline scale
    scores (a missing score replaced by the scale's mean) and
    the ``covariates`` (dummies). Stayers get ``base / p_stay`` (``base`` = their
    baseline non-response weight, 1 by default), normalised so that the stayers'
    weights sum to the baseline respondents' total: the stayers then stand for everyone
    who answered at baseline (Robins, Rotnitzky & Zhao 1995, *JASA* 90(429); Seaman &
    White 2013, *Stat. Methods Med. Res.* 22(3)).

    Assumption: attrition is at random given the baseline answers and covariates.

    Returns
    -------
    DataFrame
        One row per baseline respondent: ``respondent_id, stayed, p_stay, weight``
        (0 for leavers), sorted by respondent.

    Examples
    --------
    See ``tests/test_survey.py::test_attrition_weights_restore_the_baseline_mean``.
    """
    import statsmodels.api as sm

    scores = score_scales(_filter_wave(responses, wave_before), items, min_answered=min_answered)
    wide = scores.pivot(index="respondent_id", columns="scale", values="score")
    after = set(responses.loc[responses["wave"] == wave_after, "respondent_id"])
    base = responses.loc[responses["wave"] == wave_before].drop_duplicates("respondent_id").set_index("respondent_id")
    X = pd.DataFrame(index=wide.index)
    for s in wide.columns:
        X[f"score[{s}]"] = wide[s].fillna(wide[s].mean())
    for c in covariates:
        levels = base.loc[X.index, c].astype(str)
        dummies = pd.get_dummies(levels, prefix=c, drop_first=True, dtype=float)
        X = X.join(dummies)
    X = sm.add_constant(X, has_constant="add")
    stayed = pd.Series(X.index.isin(list(after)), index=X.index)
    if not stayed.any():
        raise ValueError(f"nobody of wave {wave_before} answered wave {wave_after}: no attrition weight possible")
    if stayed.all():  # no attrition: every probability is 1
        p = pd.Series(1.0, index=X.index)
    else:
        fit = sm.GLM(stayed.astype(float), X, family=sm.families.Binomial()).fit()
        p = pd.Series(fit.predict(X), index=X.index)
    bw = pd.Series(1.0, index=X.index)
    if base_weights is not None:
        bw = base_weights.loc[base_weights["wave"] == wave_before].set_index("respondent_id")["weight"].reindex(X.index)
        if bw.isna().any():
            raise ValueError("base_weights lacks some baseline respondents")
    w = np.where(stayed, bw / p, 0.0)
    w = w / w.sum() * bw.sum()
    out = pd.DataFrame({"respondent_id": X.index, "stayed": stayed.to_numpy(), "p_stay": p.to_numpy(), "weight": w})
    return out.sort_values("respondent_id", kind="stable").reset_index(drop=True)


def _weighted_mean_ci(x: np.ndarray, w: np.ndarray, ci: float) -> tuple[float, float, float, float]:
    """Weighted (Hajek) mean with its linearisation standard error and t interval."""
    from scipy import stats

    n = len(x)
    if n < 2:
        return np.nan, np.nan, np.nan, np.nan
    w = w / w.sum()
    mean = float(np.sum(w * x))
    se = float(math.sqrt(n / (n - 1) * np.sum(w**2 * (x - mean) ** 2)))
    q = stats.t.ppf(0.5 + ci / 2, n - 1)
    return mean, mean - q * se, mean + q * se, se


def weighted_change(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    weights: dict[str, pd.DataFrame | None] | None = None,
    wave_before: int = 1,
    wave_after: int = 2,
    *,
    min_answered: int | float | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Paired change of every scale, unweighted and under each weighting given.

    For the respondents of both waves, the mean change (after − before) is the weighted
    (Hajek) mean of the individual changes; its standard error is the linearisation
    (sandwich) one, ``sqrt(n/(n-1) * sum(w_i^2 (d_i - mean)^2))`` with normalised
    weights, treating the weights as fixed (Lumley 2010, *Complex Surveys*, §2.3);
    the interval uses Student's *t* with ``n - 1`` degrees of freedom, so that the
    unweighted row equals the paired *t* interval of :func:`before_after`.

    Parameters
    ----------
    weights : dict, optional
        ``{name: frame}`` where each frame has ``respondent_id`` and ``weight`` (one
        weight per respondent, e.g. from :func:`attrition_weights`, or a ``wave_before``
        slice of :func:`nonresponse_weights`). ``"none"`` (no weights) is always added.

    Returns
    -------
    DataFrame
        ``scale, weighting, estimate, ci_low, ci_high, se, n, n_eff, deff``.

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["a"], "scale": "s", "reverse": False, "min": 1, "max": 5})
    >>> resp = pd.DataFrame({"respondent_id": ["r1", "r2", "r3", "r1", "r2", "r3"],
    ...                      "wave": [1, 1, 1, 2, 2, 2], "a": [1, 2, 3, 2, 4, 3]})
    >>> w = pd.DataFrame({"respondent_id": ["r1", "r2", "r3"], "weight": [2.0, 1.0, 1.0]})
    >>> weighted_change(resp, items, {"w": w})["estimate"].round(3).tolist()
    [1.0, 1.0]
    """
    scores = score_scales(responses, items, min_answered=min_answered)
    variants: dict[str, pd.DataFrame | None] = {"none": None, **(weights or {})}
    rows = []
    for name, part in scores.groupby("scale", sort=True):
        b = part.loc[part["wave"] == wave_before].set_index("respondent_id")["score"].dropna()
        a = part.loc[part["wave"] == wave_after].set_index("respondent_id")["score"].dropna()
        d = (a - b).dropna()
        for label, frame in variants.items():
            if frame is None:
                w = pd.Series(1.0, index=d.index)
            else:
                w = frame.drop_duplicates("respondent_id").set_index("respondent_id")["weight"].reindex(d.index)
                if w.isna().any():
                    raise ValueError(f"weights {label!r}: no weight for {int(w.isna().sum())} respondent(s) of both waves")
            keep = w.to_numpy() > 0
            x, ww = d.to_numpy(dtype=float)[keep], w.to_numpy(dtype=float)[keep]
            est, lo, hi, se = _weighted_mean_ci(x, ww, ci)
            deff = design_effect(ww).iloc[0]
            rows.append({"scale": name, "weighting": label, "estimate": est, "ci_low": lo, "ci_high": hi,
                         "se": se, "n": len(x), "n_eff": float(deff["n_eff"]), "deff": float(deff["deff"])})
    return pd.DataFrame(rows, columns=["scale", "weighting", "estimate", "ci_low", "ci_high", "se", "n", "n_eff", "deff"])


def attrition_check(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    wave_before: int = 1,
    wave_after: int = 2,
    *,
    margin: float = 0.2,
    min_answered: int | float | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Did those who left after ``wave_before`` differ at baseline from those who stayed?

    Two tests per scale, on the baseline scores of leavers and stayers:

    * a difference test (Welch's *t*, ``p_value``, Holm-adjusted across scales in
      ``p_holm``): a small p shows a difference;
    * an **equivalence** test (two one-sided Welch tests, TOST, Schuirmann 1987,
      *J. Pharmacokinet. Biopharm.* 15(6); :func:`statsmodels.stats.weightstats.ttost_ind`)
      that the difference lies within ``± margin`` pooled standard deviations
      (``p_equivalence``): a small p shows that attrition was **not** selective on the
      scale, to within the margin. A large difference-test p alone is absence of
      evidence, not evidence of no selection (Lakens 2017, *Soc. Psychol. Personal.
      Sci.* 8(4)).

    Returns
    -------
    DataFrame
        ``scale, n_stayers, n_leavers, difference`` (leavers − stayers, points),
        ``smd`` (standardised by the pooled SD), ``p_value, p_holm, margin_sd,
        margin_points, p_equivalence, equivalent`` (``p_equivalence < alpha``).

    Examples
    --------
    See ``tests/test_survey.py::test_attrition_check_tost_matches_statsmodels``.
    """
    from scipy import stats
    from statsmodels.stats.weightstats import ttost_ind

    scores = score_scales(responses, items, min_answered=min_answered)
    after = set(responses.loc[responses["wave"] == wave_after, "respondent_id"])
    rows = []
    for name, part in scores.groupby("scale", sort=True):
        base = part.loc[part["wave"] == wave_before].dropna(subset=["score"])
        stay = base["respondent_id"].isin(after).to_numpy()
        s0, l0 = base["score"].to_numpy(float)[stay], base["score"].to_numpy(float)[~stay]
        row = {"scale": name, "n_stayers": len(s0), "n_leavers": len(l0), "margin_sd": margin}
        if len(s0) >= 2 and len(l0) >= 2:
            pooled = math.sqrt(((len(s0) - 1) * s0.var(ddof=1) + (len(l0) - 1) * l0.var(ddof=1)) / (len(s0) + len(l0) - 2))
            diff = l0.mean() - s0.mean()
            bound = margin * pooled
            p_eq = ttost_ind(l0, s0, -bound, bound, usevar="unequal")[0] if pooled > 0 else np.nan
            row.update(difference=diff, smd=diff / pooled if pooled > 0 else np.nan,
                       p_value=float(stats.ttest_ind(l0, s0, equal_var=False).pvalue),
                       margin_points=bound, p_equivalence=float(p_eq))
        rows.append(row)
    cols = ["scale", "n_stayers", "n_leavers", "difference", "smd", "p_value", "p_holm", "margin_sd",
            "margin_points", "p_equivalence", "equivalent"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    for c in ["difference", "smd", "p_value", "margin_points", "p_equivalence"]:
        out[c] = out[c].astype("float64")
    out["p_holm"] = _holm_by(out.assign(_all=0), "_all")
    out["equivalent"] = out["p_equivalence"] < alpha
    return out


# --------------------------------------------------------------------------- omega, invariance
def _one_factor(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardised loadings and uniquenesses of a one-factor model (iterated principal axis)."""
    from statsmodels.multivariate.factor import Factor

    corr = np.corrcoef(data, rowvar=False)
    res = Factor(corr=corr, n_factor=1, method="pa", nobs=len(data), smc=True).fit(maxiter=500, tol=1e-8)
    lam = np.asarray(res.loadings, dtype=float).ravel()
    if lam.sum() < 0:  # the sign of a factor is arbitrary: make it the scale's direction
        lam = -lam
    return lam, 1 - lam**2


def _omega_from(lam: np.ndarray, psi: np.ndarray) -> float:
    s = lam.sum()
    return float(s**2 / (s**2 + psi.sum()))


def omega(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    scale: str | Sequence[str] | None = None,
    wave: int | None = None,
    *,
    n_boot: int = 200,
    seed: int = 0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """McDonald's omega total of each scale, from a one-factor model, with a bootstrap interval.

    ``omega = (sum lambda)^2 / ((sum lambda)^2 + sum psi)`` (McDonald 1999, *Test
    Theory: A Unified Treatment*, eq. 6.20b), with the standardised loadings ``lambda``
    and uniquenesses ``psi = 1 - lambda^2`` of a one-factor model fitted to the
    correlation matrix of the complete, reverse-coded answers. The factor model is
    fitted by iterated principal axis (statsmodels
    :class:`~statsmodels.multivariate.factor.Factor`, ``method="pa"``), which converges
    to the least-squares (minres) solution, ``psych::omega``'s default estimator.
    Unlike alpha, omega does not assume equal loadings (tau-equivalence); it equals
    alpha when they are equal (Dunn, Baguley & Brunsden 2014, *Br. J. Psychol.* 105(3)).

    The interval is the percentile bootstrap over respondents (``n_boot`` resamples,
    ``seed``), as recommended by Kelley & Pornprasertmanit (2016, *Psychol. Methods*
    21(1)); its cost does not grow with the number of items answered, only with
    ``n_boot`` and the number of respondents (one correlation matrix per resample).

    Returns
    -------
    DataFrame
        One row per scale: ``scale, n_items, n_complete, omega, ci_low, ci_high, n_boot,
        loading_min, item_loading_min`` (the weakest item).

    Examples
    --------
    Data whose correlation matrix is exactly that of a one-factor model with loadings
    0.8, 0.7, 0.6, 0.5, whose omega is 2.6² / (2.6² + 2.26) = 0.7494:

    >>> lam = np.array([0.8, 0.7, 0.6, 0.5])
    >>> corr = np.outer(lam, lam) + np.diag(1 - lam**2)
    >>> z = np.random.default_rng(1).standard_normal((200, 4))
    >>> z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T))).T   # whitened
    >>> resp = pd.DataFrame(z @ np.linalg.cholesky(corr).T, columns=list("abcd"))
    >>> resp = resp.assign(respondent_id=range(200), wave=1)
    >>> items = pd.DataFrame({"item_id": list("abcd"), "scale": "s", "reverse": False, "min": -9, "max": 9})
    >>> round(float(omega(resp, items, n_boot=0)["omega"].iloc[0]), 4)
    0.7494
    """
    items = _check_items(items)
    _check_responses(responses, items)
    scales = _select_scales(items, scale)
    data = reverse_code(_filter_wave(responses, wave), items)
    rng = np.random.default_rng(seed)
    rows = []
    for name in scales:
        cols = items.loc[items["scale"] == name, "item_id"].tolist()
        x = data[cols].dropna().to_numpy(dtype=float)
        row = {"scale": name, "n_items": len(cols), "n_complete": len(x), "omega": np.nan, "ci_low": np.nan,
               "ci_high": np.nan, "n_boot": 0, "loading_min": np.nan, "item_loading_min": None}
        if len(cols) >= 3 and len(x) >= 10 and np.all(x.std(axis=0) > 0):
            lam, psi = _one_factor(x)
            row.update(omega=_omega_from(lam, psi), loading_min=float(lam.min()),
                       item_loading_min=cols[int(np.argmin(lam))])
            boots = []
            for _ in range(int(n_boot)):
                sample = x[rng.integers(0, len(x), len(x))]
                if np.all(sample.std(axis=0) > 0):
                    boots.append(_omega_from(*_one_factor(sample)))
            if boots:
                lo, hi = np.quantile(boots, [(1 - ci) / 2, (1 + ci) / 2])
                row.update(ci_low=float(lo), ci_high=float(hi), n_boot=len(boots))
        rows.append(row)
    return pd.DataFrame(rows)


def factor_loadings(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    scale: str | Sequence[str] | None = None,
    wave: int | None = None,
) -> pd.DataFrame:
    """Standardised one-factor loadings of each item on its scale (see :func:`omega`).

    Returns
    -------
    DataFrame
        ``scale, item_id, loading, uniqueness, n_complete``.
    """
    items = _check_items(items)
    _check_responses(responses, items)
    data = reverse_code(_filter_wave(responses, wave), items)
    rows = []
    for name in _select_scales(items, scale):
        cols = items.loc[items["scale"] == name, "item_id"].tolist()
        x = data[cols].dropna().to_numpy(dtype=float)
        ok = len(cols) >= 3 and len(x) >= 10 and np.all(x.std(axis=0) > 0)
        lam, psi = _one_factor(x) if ok else (np.full(len(cols), np.nan), np.full(len(cols), np.nan))
        rows += [{"scale": name, "item_id": c, "loading": float(lam[i]), "uniqueness": float(psi[i]),
                  "n_complete": len(x)} for i, c in enumerate(cols)]
    return pd.DataFrame(rows, columns=["scale", "item_id", "loading", "uniqueness", "n_complete"])


def invariance(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    wave_before: int = 1,
    wave_after: int = 2,
    *,
    scale: str | Sequence[str] | None = None,
    max_difference: float = 0.2,
    congruence_equal: float = 0.95,
    congruence_fair: float = 0.85,
) -> pd.DataFrame:
    """Do the scales measure the same thing in both waves? Loadings compared across waves.

    A paired change of a scale score assumes that the items relate to the construct
    in the same way at both waves (at least *metric* invariance; Widaman, Ferrer &
    Conger 2010, *Child Dev. Perspect.* 4(1)). This screen fits the one-factor model of
    :func:`omega` in each wave and compares the standardised loadings with **Tucker's
    congruence coefficient** ``phi = sum(l1 l2) / sqrt(sum l1^2 sum l2^2)`` and the
    largest absolute difference of one item's loading. Verdict (``verdict``, in French):

    * ``phi >= congruence_equal`` (0.95: "factors can be considered equal", Lorenzo-Seva
      & ten Berge 2006, *Methodology* 2(2)) and every difference ``<= max_difference``:
      loadings are invariant enough to interpret a change;
    * ``phi >= congruence_fair`` (0.85, "fair similarity"): interpret with caution and
      look at the item that moves most;
    * below: the scale does not measure the same thing; do not interpret its change.

    It is a screen, not a likelihood-ratio test of nested multi-group models; the
    waves share respondents, so the two fits are not independent.

    Returns
    -------
    DataFrame
        ``scale, n_before, n_after, congruence, max_abs_difference, item_max_difference,
        level`` (``invariant``, ``partial``, ``not_invariant``) and ``verdict``.
    """
    items = _check_items(items)
    before = factor_loadings(responses, items, scale=scale, wave=wave_before)
    after = factor_loadings(responses, items, scale=scale, wave=wave_after)
    rows = []
    for name, b in before.groupby("scale", sort=True):
        a = after.loc[after["scale"] == name].set_index("item_id").loc[b["item_id"]]
        l1, l2 = b["loading"].to_numpy(), a["loading"].to_numpy()
        diff = np.abs(l2 - l1)
        phi = float(np.sum(l1 * l2) / math.sqrt(np.sum(l1**2) * np.sum(l2**2)))
        worst = b["item_id"].iloc[int(np.nanargmax(diff))] if np.isfinite(diff).any() else None
        label = scale_label(name)
        if not np.isfinite(phi):
            level, verdict = "unknown", f"{label} : trop peu de réponses complètes pour comparer les vagues."
        elif phi >= congruence_equal and np.nanmax(diff) <= max_difference:
            level = "invariant"
            verdict = (f"{label} : les saturations sont semblables d'une vague à l'autre (congruence "
                       f"{phi:.3f}, écart maximal {np.nanmax(diff):.2f}) ; l'échelle mesure la même chose aux deux "
                       "vagues et son évolution peut être interprétée.")
        elif phi >= congruence_fair:
            level = "partial"
            verdict = (f"{label} : saturations proches mais pas identiques (congruence {phi:.3f}, l'item {worst} "
                       f"varie de {np.nanmax(diff):.2f}) ; évolution à interpréter avec prudence.")
        else:
            level = "not_invariant"
            verdict = (f"{label} : les items ne se rapportent plus de la même façon à l'échelle (congruence "
                       f"{phi:.3f}) ; son évolution ne doit pas être interprétée comme un changement du même construit.")
        rows.append({"scale": name, "n_before": int(b["n_complete"].iloc[0]), "n_after": int(a["n_complete"].iloc[0]),
                     "congruence": phi, "max_abs_difference": float(np.nanmax(diff)) if np.isfinite(diff).any() else np.nan,
                     "item_max_difference": worst, "level": level, "verdict": _fr_numbers(verdict)})
    return pd.DataFrame(rows, columns=["scale", "n_before", "n_after", "congruence", "max_abs_difference",
                                       "item_max_difference", "level", "verdict"])


def _fr_numbers(text: str) -> str:
    """Decimal points of numbers written with ``:.2f`` become French decimal commas."""
    import re

    return re.sub(r"(\d)\.(\d)", r"\1,\2", text)


# --------------------------------------------------------------------------- imputation
def mice_change(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    wave_before: int = 1,
    wave_after: int = 2,
    *,
    scale: str | Sequence[str] | None = None,
    n_imputations: int = 5,
    max_iter: int = 5,
    seed: int = 0,
    ci: float = 0.95,
    min_answered: int | float | None = None,
) -> pd.DataFrame:
    """Paired change with missing item answers multiply imputed (sensitivity analysis).

    For the respondents of both waves, the reverse-coded item answers of a scale at
    both waves (one column per item and wave) are imputed by chained equations
    (MICE; van Buuren & Groothuis-Oudshoorn 2011, *J. Stat. Softw.* 45(3)): each
    incomplete column is regressed in turn on all the others (Bayesian ridge) and its
    holes are filled with a **draw** from the posterior predictive distribution, bounded
    to the item's range (scikit-learn's ``IterativeImputer(sample_posterior=True)``, one
    independent run per imputation, seeded from ``seed``). Each completed data set gives
    the mean change of the full-item scores; the ``n_imputations`` estimates are combined
    by Rubin's rules (Rubin 1987, *Multiple Imputation for Nonresponse in Surveys*) with
    Barnard & Rubin's (1999, *Biometrika* 86(4)) degrees of freedom.

    Five imputations are enough when few answers are missing: the relative efficiency
    is ``1 / (1 + fmi / m)`` (Rubin 1987), above 99 % for the demo's fmi of about 0.02;
    raise ``n_imputations`` when ``fmi`` is large. The cost does not depend much on the
    number of respondents (one small regression per incomplete column, iteration and
    imputation) but on ``n_imputations * max_iter``.

    Assumption: item answers are missing at random given the other answers of the
    scale at both waves. Compare with ``complete_rule``, the estimate of
    :func:`before_after` under the scoring rule ``min_answered``: close values mean the
    scoring rule does not drive the result. (statsmodels' ``MICEData`` was tried first: it
    rebuilds formula design matrices at every step and was about a hundred times slower
    on the demo survey.)

    Returns
    -------
    DataFrame
        ``scale, estimate, ci_low, ci_high, se, df, fmi`` (fraction of missing
        information), ``n, n_incomplete`` (pairs with at least one item missing),
        ``complete_rule``, ``n_imputations``.

    Examples
    --------
    See ``tests/test_survey.py::test_mice_change_recovers_change_hidden_by_missing_answers``.
    """
    from scipy import stats
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    items = _check_items(items)
    _check_responses(responses, items)
    data = reverse_code(responses, items)
    rule = before_after(responses, items=items, scale=scale, wave_before=wave_before, wave_after=wave_after,
                        min_answered=min_answered)
    rule = rule.loc[rule["test"] == "paired_t"].set_index("scale")["estimate"]
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=max(int(n_imputations), 1))
    rows = []
    for name in _select_scales(items, scale):
        sub = items.loc[items["scale"] == name]
        cols = sub["item_id"].tolist()
        b = data.loc[data["wave"] == wave_before].set_index("respondent_id")[cols]
        a = data.loc[data["wave"] == wave_after].set_index("respondent_id")[cols]
        both = b.index.intersection(a.index)
        x = np.hstack([b.loc[both].to_numpy(float), a.loc[both].to_numpy(float)])
        x = x[~np.isnan(x).all(axis=1)]
        n, k = x.shape[0], len(cols)
        incomplete = int(np.isnan(x).any(axis=1).sum())
        row = {"scale": name, "n": n, "n_incomplete": incomplete, "complete_rule": float(rule.get(name, np.nan)),
               "n_imputations": 0}
        if n >= 3:
            lo = np.tile(sub["min"].to_numpy(float), 2)
            hi = np.tile(sub["max"].to_numpy(float), 2)
            estimates, variances = [], []
            for s_ in (seeds if incomplete else seeds[:1]):
                if incomplete:
                    imputer = IterativeImputer(sample_posterior=True, max_iter=max_iter, random_state=int(s_),
                                               min_value=lo, max_value=hi, skip_complete=True)
                    done = imputer.fit_transform(x)
                else:
                    done = x
                d = done[:, k:].mean(axis=1) - done[:, :k].mean(axis=1)
                estimates.append(float(d.mean()))
                variances.append(float(d.var(ddof=1) / n))
            m = len(estimates)
            qbar, wbar = float(np.mean(estimates)), float(np.mean(variances))
            between = float(np.var(estimates, ddof=1)) if m > 1 else 0.0
            total = wbar + (1 + 1 / m) * between
            df_com = n - 1
            if between > 0:
                lam = (1 + 1 / m) * between / total
                df_old = (m - 1) / lam**2
                df_obs = (df_com + 1) / (df_com + 3) * df_com * (1 - lam)
                dfree = 1 / (1 / df_old + 1 / df_obs)
            else:
                lam, dfree = 0.0, float(df_com)
            q = stats.t.ppf(0.5 + ci / 2, dfree)
            se = math.sqrt(total)
            row.update(estimate=qbar, ci_low=qbar - q * se, ci_high=qbar + q * se, se=se, df=dfree, fmi=lam,
                       n_imputations=m)
        rows.append(row)
    cols_out = ["scale", "estimate", "ci_low", "ci_high", "se", "df", "fmi", "n", "n_incomplete", "complete_rule",
                "n_imputations"]
    return pd.DataFrame(rows).reindex(columns=cols_out)


def import_export(*args, **kwargs):
    """Import a survey-tool export; see :func:`rd_methods.survey_import.import_export`."""
    from rd_methods.survey_import import import_export as _import

    return _import(*args, **kwargs)


# --------------------------------------------------------------------------- key results


def key_results(
    responses: pd.DataFrame,
    *,
    wave: int,
    reliability: pd.DataFrame | None = None,
    omega: pd.DataFrame | None = None,
    before_after: pd.DataFrame | None = None,
    attrition: pd.DataFrame | None = None,
    wave_before: int = 1,
    wave_after: int = 2,
) -> pd.DataFrame:
    """The survey page's key figures, one row each, from the methods' outputs.

    One definition per figure, shared by every page that shows it (the survey page records
    them with :func:`rd_methods.results.record_frame`; the synthesis and the comparison
    across campaigns read them by key).

    Parameters
    ----------
    responses : DataFrame
        ``survey_responses``: ``survey.n_respondents_wave1`` counts the rows of ``wave``
        (one per person and wave) and, when both waves are present,
        ``survey.retention_rate`` is :func:`retention`'s share.
    wave : int
        The reference wave of the reliability figures and of the respondent count.
    reliability, omega : DataFrame, optional
        :func:`reliability` and :func:`omega` of ``wave`` (``survey.alpha_<scale>`` with
        Feldt's interval, ``survey.omega_<scale>`` with the bootstrap interval).
    before_after : DataFrame, optional
        :func:`before_after` between ``wave_before`` and ``wave_after``: the paired *t*
        rows give ``survey.change_<scale>`` (Student interval) and
        ``survey.p_adjusted_change_<scale>`` (Holm across scales). Also enables
        ``survey.retention_rate``.
    attrition : DataFrame, optional
        :func:`attrition_check`: ``survey.attrition_smd_max`` (largest absolute
        standardised gap), ``survey.attrition_equivalence_p`` (largest TOST p over scales)
        and ``survey.attrition_p_min`` (smallest Holm-adjusted difference p).

    Returns
    -------
    DataFrame
        ``key, value, label, unit, ci_low, ci_high, note``, in the page's order.

    Examples
    --------
    >>> r = pd.DataFrame({"respondent_id": ["a", "b", "a"], "wave": [1, 1, 2]})
    >>> key_results(r, wave=1).set_index("key").loc["survey.n_respondents_wave1", "value"]
    2
    """
    from rd_methods.formats import format_number

    rows: list[dict] = []

    def add(key, value, label, *, unit=None, ci=(None, None), note=None):
        rows.append({"key": key, "value": value, "label": label, "unit": unit,
                     "ci_low": ci[0], "ci_high": ci[1], "note": note})

    add("survey.n_respondents_wave1", int((responses["wave"] == wave).sum()),
        f"Répondants à la vague {wave}", unit="personnes")
    if reliability is not None:
        for row in reliability.itertuples():
            add(f"survey.alpha_{row.scale}", float(row.alpha), f"Alpha de Cronbach — {scale_label(row.scale)}",
                ci=(float(row.ci_low), float(row.ci_high)), note=f"vague {wave}, intervalle de Feldt à 95 %")
    if omega is not None:
        om = omega.set_index("scale")
        if reliability is not None:
            om = om.loc[reliability["scale"]]
        for scale, row in om.iterrows():
            add(f"survey.omega_{scale}", float(row["omega"]), f"Oméga de McDonald — {scale_label(scale)}",
                ci=(float(row["ci_low"]), float(row["ci_high"])),
                note=f"vague {wave}, modèle à un facteur, intervalle bootstrap à 95 % "
                     f"({format_number(int(row['n_boot']))} tirages)")
    if before_after is not None:
        ret = retention(responses, wave_before, wave_after).iloc[0]
        add("survey.retention_rate", float(ret["retention_rate"]),
            "Part des répondants ayant répondu aux deux vagues",
            note=f"part des répondants de la vague {wave_before} présents à la vague {wave_after}")
        paired = before_after.loc[before_after["test"] == "paired_t"].set_index("scale")
        for scale, row in paired.iterrows():
            add(f"survey.change_{scale}", float(row["estimate"]), f"Variation du score — {scale_label(scale)}",
                unit="point", ci=(float(row["ci_low"]), float(row["ci_high"])),
                note=f"personnes présentes aux vagues {wave_before} et {wave_after}, intervalle de Student à 95 %")
            add(f"survey.p_adjusted_change_{scale}", float(row["p_adjusted"]),
                f"p-valeur corrigée (Holm) de la variation — {scale_label(scale)}",
                note=f"test t apparié, correction de Holm sur les {len(paired)} échelles")
    if attrition is not None:
        margin = float(attrition["margin_sd"].iloc[0])
        add("survey.attrition_smd_max", float(attrition["smd"].abs().max()),
            "Plus grand écart standardisé de départ entre partants et restants",
            note=f"valeur absolue, toutes échelles, vague {wave_before}")
        add("survey.attrition_equivalence_p", float(attrition["p_equivalence"].max()),
            "p-valeur d'équivalence partants / restants (la plus grande des échelles)",
            note=f"deux tests unilatéraux de Welch, marge ± {format_number(margin, 1)} écart type ; "
                 "petite : attrition non sélective sur les échelles")
        add("survey.attrition_p_min", float(attrition["p_holm"].min()),
            "Plus petite p-valeur corrigée (Holm) de l'écart partants / restants",
            note="test de Welch sur les scores de la première vague")
    from rd_methods.results import key_frame

    return key_frame(rows)
