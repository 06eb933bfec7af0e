"""Stakeholder surveys: Likert scales, reliability, before/after change, group differences.

The data contract (DESIGN.md §5) holds two tables:

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
    "import_export",
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
        n_after, effect_size, effect_size_name``, one row per scale and test, sorted.

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
    order = {"paired_t": 0, "wilcoxon": 1, "welch": 2, "baseline_attrition": 3}
    out = out.sort_values(["scale", "test"], key=lambda s: s.map(order) if s.name == "test" else s)
    return out.reset_index(drop=True)


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
    from statsmodels.miscmodels.ordinal_model import OrderedModel

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
    model = OrderedModel(endog, exog, distr=distr)
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


def import_export(*args, **kwargs):
    """Import a survey-tool export; see :func:`rd_methods.survey_import.import_export`."""
    from rd_methods.survey_import import import_export as _import

    return _import(*args, **kwargs)
