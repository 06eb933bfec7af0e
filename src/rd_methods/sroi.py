"""Social return on investment (SROI) with its sensitivity laid bare.

The SROI compares the present value of the outcomes an organisation contributes to, once
monetised with *financial proxies*, with the value of the resources (*inputs*) invested.
It is one convention among the evidence, not the value of the organisation: La Fonda's
frame of the extended value chain warns against reducing value to money. This module
therefore always goes with its sensitivity analyses (one-at-a-time changes, break-even
values, Monte Carlo).

Conventions (SROI Network, *A guide to Social Return on Investment*, 2012, stages 4–5):

* impact of outcome *k* in its first year::

      impact_k = quantity_k × proxy_eur_k × (1 − deadweight_k) × (1 − displacement_k)
                 × (1 − attribution_k)

  ``quantity`` is the yearly quantity of the outcome (people, households, tonnes…);
* value of outcome *k* in its year ``t = 1 … duration_years``::

      value_k(t) = impact_k × (1 − drop_off_k) ** (t − 1)

  placed in period ``p = t + start_offset_years`` (period 1 is the first year after the
  investment);
* discounting: the value of period *p* is divided by ``(1 + r) ** p``, so **period 1 is
  discounted** as in the SROI Guide; inputs are counted at period 0 and not discounted;
* dated accounting (optional ``year`` columns of both tables): everything is discounted to a
  ``base_year`` (default: the first year present). An outcome dated ``base_year + k`` (the
  cohort of that year, e.g. the jobs *created* that year) is valued as an undated one whose
  ``start_offset_years`` is increased by ``k``; an input dated ``base_year + k`` is divided by
  ``(1 + r) ** k``. Undated rows count as dated ``base_year``, so undated tables give the
  undated results;
* present value = sum over outcomes and periods; ``ratio = present value / total inputs``;
  ``net_present_value = present value − total inputs``;
  ``net_ratio = (present value − total inputs) / total inputs = ratio − 1``;
* payback period (years, fractional): inputs are spent at period 0 and the value of
  period *p* is assumed to accrue evenly during that year; the payback is
  ``(p − 1) + (inputs − cumulative PV up to p − 1) / PV of p`` for the first period *p*
  whose cumulative present value reaches the inputs, and NaN ("never") when the total
  present value stays below the inputs.

The discount rate is a campaign setting (``sroi.discount_rate`` in ``campaign.yml``); its
default :data:`DISCOUNT_RATE_FRANCE` = 3.2 % is the French reference for public-investment
appraisal (France Stratégie, *Guide de l'évaluation socioéconomique des investissements
publics*, complément opérationnel I « Révision du taux d'actualisation », J. Ni et J. Maurice,
validated on 21 October 2021: 1.2 % risk-free + β × 2 % risk premium, β = 1 by convention;
it replaced the 4.5 % = 2.5 % + 2 % of the Quinet report, 2013). 3.5 % is **not** a French
rate: it is the HM Treasury Green Book rate used by the Social Value UK / SROI Network
convention (:data:`DISCOUNT_RATE_GREEN_BOOK`).

:func:`check_accounting` lists what a practitioner would refuse to sign (outcome years
without inputs, a stock counted against one year's inputs, the same people valued twice)
before any ratio is computed; :func:`global_sensitivity` gives Sobol indices (SALib).

Method functions take an impact map (columns of the data contract table
``sroi_impact_map``) and inputs (table ``sroi_inputs`` with ``value_eur``, or a number) and
return tidy DataFrames or small result objects; they never read files, print or plot.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.stats.proportion import proportion_confint

__all__ = [
    "DISCOUNT_RATE_FRANCE",
    "DISCOUNT_RATE_GREEN_BOOK",
    "QUANTITY_KINDS",
    "check_accounting",
    "global_sensitivity",
    "PROPORTIONS",
    "ASSUMPTIONS",
    "ASSUMPTION_LABELS",
    "SROIResult",
    "MonteCarloResult",
    "sroi",
    "sensitivity",
    "break_even",
    "monte_carlo",
    "from_survey",
    "apply_estimates",
    "SROIAnalysis",
    "analysis",
    "parameter_label",
    "nearest_single_break_even",
    "key_results",
    "sensitivity_label",
    "break_even_value_text",
    "SurveyAdjustment",
    "survey_adjustment",
]

#: French reference rate for public-investment appraisal (France Stratégie 2021: 1.2 % + 1 × 2 %).
DISCOUNT_RATE_FRANCE: float = 0.032
#: HM Treasury Green Book rate, the Social Value UK / SROI Network convention (not a French rate).
DISCOUNT_RATE_GREEN_BOOK: float = 0.035
#: Codes of the impact map's optional ``quantity_kind`` column: ``flow`` = new in its year
#: (the cohort of that year), ``stock`` = everything that exists that year.
QUANTITY_KINDS: tuple[str, ...] = ("flow", "stock")
#: Assumptions that are shares in [0, 1].
PROPORTIONS: tuple[str, ...] = ("deadweight", "displacement", "attribution", "drop_off")
#: Continuous assumptions of an impact map, varied by sensitivity analyses.
ASSUMPTIONS: tuple[str, ...] = ("quantity", "proxy_eur", *PROPORTIONS)
_INTEGERS: tuple[str, ...] = ("duration_years", "start_offset_years")
#: French labels of the assumptions (figures and tables of the notebooks).
ASSUMPTION_LABELS: dict[str, str] = {
    "quantity": "Quantité",
    "proxy_eur": "Valeur de référence (proxy)",
    "deadweight": "Effet d'aubaine",
    "displacement": "Déplacement",
    "attribution": "Attribution à d'autres",
    "drop_off": "Déclin annuel",
    "duration_years": "Durée",
    "start_offset_years": "Décalage",
    "discount_rate": "Taux d'actualisation",
    "inputs": "Ressources investies",
}
_REQUIRED: tuple[str, ...] = ("outcome_id", *ASSUMPTIONS, *_INTEGERS)
_LABEL_COLUMNS: tuple[str, ...] = ("stakeholder_group", "outcome", "indicator", "proxy_source")


# ---------------------------------------------------------------------------
# input checks and the vectorised core
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Map:
    """Impact map as arrays (one entry per outcome, in the map's row order)."""

    frame: pd.DataFrame
    quantity: np.ndarray
    proxy_eur: np.ndarray
    deadweight: np.ndarray
    displacement: np.ndarray
    attribution: np.ndarray
    drop_off: np.ndarray
    duration_years: np.ndarray
    start_offset_years: np.ndarray
    year: np.ndarray  # float, NaN when undated

    def arrays(self, **overrides: np.ndarray) -> dict[str, np.ndarray]:
        out = {name: getattr(self, name) for name in (*ASSUMPTIONS, *_INTEGERS)}
        out.update(overrides)
        return out


def _check_map(impact_map: pd.DataFrame) -> _Map:
    if not isinstance(impact_map, pd.DataFrame):
        raise TypeError(f"impact_map must be a pandas DataFrame, not {type(impact_map).__name__}")
    missing = [c for c in _REQUIRED if c not in impact_map.columns]
    if missing:
        raise ValueError(
            f"impact map lacks column(s) {', '.join(missing)}; expected the columns of the "
            f"sroi_impact_map table: {', '.join(_REQUIRED)}"
        )
    if impact_map.empty:
        raise ValueError("impact map has no outcome (no row)")
    frame = impact_map.reset_index(drop=True).copy()
    frame["outcome_id"] = frame["outcome_id"].astype(str)
    problems: list[str] = []
    dup = frame["outcome_id"][frame["outcome_id"].duplicated()].unique()
    if len(dup):
        problems.append(f"outcome_id not unique: {', '.join(map(str, dup))}")
    values: dict[str, np.ndarray] = {}
    for col in (*ASSUMPTIONS, *_INTEGERS):
        num = pd.to_numeric(frame[col], errors="coerce").astype("float64").to_numpy()
        bad = np.isnan(num)
        if bad.any():
            problems.append(f"{col}: missing or non-numeric value in row(s) {_rows(bad)}")
        values[col] = num
    for col in PROPORTIONS:
        bad = (values[col] < 0) | (values[col] > 1)
        if bad.any():
            problems.append(f"{col} must be a share in [0, 1] (row(s) {_rows(bad)})")
    for col in ("quantity", "proxy_eur"):
        bad = values[col] < 0
        if bad.any():
            problems.append(f"{col} must be >= 0 (row(s) {_rows(bad)})")
    dur, off = values["duration_years"], values["start_offset_years"]
    bad = ~np.isnan(dur) & ((dur < 1) | (dur != np.round(dur)))
    if bad.any():
        problems.append(f"duration_years must be a whole number >= 1 (row(s) {_rows(bad)})")
    bad = ~np.isnan(off) & ((off < 0) | (off != np.round(off)))
    if bad.any():
        problems.append(f"start_offset_years must be a whole number >= 0 (row(s) {_rows(bad)})")
    year = np.full(len(frame), np.nan)
    if "year" in frame.columns:
        year = pd.to_numeric(frame["year"], errors="coerce").astype("float64").to_numpy()
        bad = frame["year"].notna().to_numpy() & (np.isnan(year) | (year != np.round(year)))
        if bad.any():
            problems.append(f"year must be a whole year or empty (row(s) {_rows(bad)})")
    if "quantity_kind" in frame.columns:
        kind = frame["quantity_kind"]
        bad = (kind.notna() & ~kind.astype(str).isin(QUANTITY_KINDS)).to_numpy()
        if bad.any():
            problems.append(f"quantity_kind must be one of {', '.join(QUANTITY_KINDS)} or empty (row(s) {_rows(bad)})")
    if problems:
        raise ValueError("invalid SROI impact map: " + "; ".join(problems))
    values["duration_years"] = dur.astype(np.int64)
    values["start_offset_years"] = off.astype(np.int64)
    return _Map(frame=frame, year=year, **values)


def _rows(mask: np.ndarray) -> str:
    return ", ".join(str(i + 1) for i in np.flatnonzero(mask))


@dataclass(frozen=True)
class _Inputs:
    """Inputs as arrays: euros and their year (NaN when undated), and the years after the
    base year ``k`` (0 when undated) once :func:`_prepare` has fixed the base year."""

    value: np.ndarray
    year: np.ndarray
    k: np.ndarray

    @property
    def undiscounted(self) -> float:
        return float(self.value.sum())

    def pv(self, rate: float | np.ndarray) -> float | np.ndarray:
        """Present value at the base year: Σ value / (1 + r)^k."""
        if not self.k.any():
            return self.undiscounted
        return float(np.sum(self.value / (1.0 + rate) ** self.k))


def _read_inputs(inputs: pd.DataFrame | float) -> _Inputs:
    if isinstance(inputs, pd.DataFrame):
        if "value_eur" not in inputs.columns:
            raise ValueError("inputs table needs a 'value_eur' column (table sroi_inputs)")
        values = pd.to_numeric(inputs["value_eur"], errors="coerce").astype("float64")
        if values.isna().any() or (values < 0).any():
            raise ValueError("inputs value_eur must be numbers >= 0 (no missing value)")
        value = values.to_numpy()
        year = np.full(len(value), np.nan)
        if "year" in inputs.columns:
            year = pd.to_numeric(inputs["year"], errors="coerce").astype("float64").to_numpy()
            bad = inputs["year"].notna().to_numpy() & (np.isnan(year) | (year != np.round(year)))
            if bad.any():
                raise ValueError(f"inputs year must be a whole year or empty (row(s) {_rows(bad)})")
    else:
        try:
            value = np.array([float(inputs)])
        except (TypeError, ValueError):
            raise TypeError("inputs must be a DataFrame with value_eur or a number of euros") from None
        year = np.array([np.nan])
    total = float(value.sum())
    if not np.isfinite(total) or total <= 0:
        raise ValueError(f"total inputs must be > 0 euros to compute a ratio (got {total})")
    return _Inputs(value=value, year=year, k=np.zeros(len(value)))


def _total_inputs(inputs: pd.DataFrame | float) -> float:
    return _read_inputs(inputs).undiscounted


def _prepare(
    impact_map: pd.DataFrame, inputs: pd.DataFrame | float, base_year: int | None
) -> tuple[_Map, _Inputs, int | None]:
    """Check both tables and shift dated outcomes and inputs to ``base_year``.

    An outcome dated ``base_year + k`` gets ``start_offset_years + k``; an input dated
    ``base_year + k`` gets ``k``; undated rows count as dated ``base_year``.
    """
    m = _check_map(impact_map)
    inp = _read_inputs(inputs)
    dated = np.concatenate([m.year[~np.isnan(m.year)], inp.year[~np.isnan(inp.year)]])
    if base_year is None:
        if not len(dated):
            return m, inp, None
        base_year = int(dated.min())
    else:
        if int(base_year) != base_year:
            raise ValueError(f"base_year must be a whole year, got {base_year!r}")
        base_year = int(base_year)
        if len(dated) and dated.min() < base_year:
            raise ValueError(
                f"base_year {base_year} is after the first dated year {int(dated.min())}: "
                "everything is discounted to base_year, so it must be the first year (or earlier)"
            )
    k_map = np.where(np.isnan(m.year), 0, m.year - base_year).astype(np.int64)
    k_inp = np.where(np.isnan(inp.year), 0.0, inp.year - base_year)
    m = dataclasses.replace(m, start_offset_years=m.start_offset_years + k_map)
    return m, dataclasses.replace(inp, k=k_inp), base_year


def _check_rate(discount_rate: float) -> float:
    try:
        r = float(discount_rate)
    except (TypeError, ValueError):
        raise TypeError(f"discount_rate must be a number, not {discount_rate!r}") from None
    if not np.isfinite(r) or r <= -1:
        raise ValueError(f"discount_rate must be a finite number > -1 (e.g. 0.032), got {discount_rate!r}")
    return r


def _impact(a: dict[str, np.ndarray]) -> np.ndarray:
    return (
        a["quantity"]
        * a["proxy_eur"]
        * (1 - a["deadweight"])
        * (1 - a["displacement"])
        * (1 - a["attribution"])
    )


def _present_values(a: dict[str, np.ndarray], rate: float | np.ndarray) -> np.ndarray:
    """Present value per outcome; arrays broadcast (outcomes on the last axis).

    Loops over the (few) years of duration, never over draws.
    """
    impact = _impact(a)
    drop = a["drop_off"]
    duration = a["duration_years"]
    offset = a["start_offset_years"]
    growth = 1.0 + np.asarray(rate, dtype="float64")
    pv = np.zeros(np.broadcast_shapes(impact.shape, drop.shape, np.shape(rate)), dtype="float64")
    for t in range(1, int(np.max(duration)) + 1):
        active = t <= duration
        factor = (1.0 - drop) ** (t - 1) / growth ** (t + offset)
        pv = pv + np.where(active, impact * factor, 0.0)
    return pv


def _ratio(a: dict[str, np.ndarray], rate: float, inputs: _Inputs) -> float:
    return float(_present_values(a, rate).sum() / inputs.pv(rate))


# ---------------------------------------------------------------------------
# point estimate
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SROIResult:
    """Result of :func:`sroi`.

    Attributes
    ----------
    ratio : float
        Present value / total inputs (euros of social value per euro invested).
    net_ratio : float
        (present value − total inputs) / total inputs.
    present_value, net_present_value, total_inputs : float
        In euros.
    payback_years : float
        Fractional payback period (NaN when the inputs are never paid back).
    discount_rate : float
    by_outcome : DataFrame
        One row per outcome: ``outcome_id, stakeholder_group, outcome, gross_value``
        (quantity × proxy), ``impact`` (first-year value after deadweight, displacement,
        attribution), ``total_value`` (undiscounted, over the duration), ``present_value``,
        ``share`` (of the total present value).
    by_year : DataFrame
        One row per period ``year`` = 1 … last: ``value`` (undiscounted),
        ``discount_factor`` = 1 / (1 + r)^year, ``present_value``, ``cumulative_present_value``.
    by_outcome_year : DataFrame
        Long table outcome × year with the same value columns.
    base_year : int or None
        Year to which everything is discounted (None when nothing is dated).
    undiscounted_inputs : float
        Sum of the inputs before discounting (= ``total_inputs`` when undated).
    inputs_by_year : DataFrame
        ``year`` (calendar year, NaN when undated), ``period`` (years after the base year),
        ``value``, ``discount_factor``, ``present_value``.
    period : tuple of int or None
        First and last calendar year of the dated inputs and outcome cohorts.

    With dated tables, ``by_year`` also has ``calendar_year`` = base year + period.
    """

    ratio: float
    net_ratio: float
    present_value: float
    net_present_value: float
    total_inputs: float
    payback_years: float
    discount_rate: float
    by_outcome: pd.DataFrame = field(repr=False)
    by_year: pd.DataFrame = field(repr=False)
    by_outcome_year: pd.DataFrame = field(repr=False)
    base_year: int | None = None
    undiscounted_inputs: float = float("nan")
    inputs_by_year: pd.DataFrame | None = field(default=None, repr=False)
    period: tuple[int, int] | None = None

    def __repr__(self) -> str:
        payback = "never" if np.isnan(self.payback_years) else f"{self.payback_years:.2f} years"
        return (
            f"SROIResult(ratio={self.ratio:.3f}, net_ratio={self.net_ratio:.3f}, "
            f"present_value={self.present_value:,.2f} EUR, total_inputs={self.total_inputs:,.2f} EUR, "
            f"net_present_value={self.net_present_value:,.2f} EUR, payback={payback}, "
            f"discount_rate={self.discount_rate:g}, outcomes={len(self.by_outcome)})"
        )

    @property
    def by_stakeholder_group(self) -> pd.DataFrame:
        """Present value per stakeholder group (``stakeholder_group, present_value, share``)."""
        grouped = (
            self.by_outcome.groupby("stakeholder_group", sort=True, dropna=False)[
                ["total_value", "present_value"]
            ]
            .sum()
            .reset_index()
        )
        grouped["share"] = grouped["present_value"] / self.present_value if self.present_value else np.nan
        return grouped.sort_values(["present_value", "stakeholder_group"], ascending=[False, True]).reset_index(
            drop=True
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy summary: one row per metric (``metric, value, unit``)."""
        rows = [
            ("ratio", self.ratio, "EUR/EUR"),
            ("net_ratio", self.net_ratio, "EUR/EUR"),
            ("present_value", self.present_value, "EUR"),
            ("total_inputs", self.total_inputs, "EUR"),
            ("net_present_value", self.net_present_value, "EUR"),
            ("payback_years", self.payback_years, "years"),
            ("discount_rate", self.discount_rate, "share"),
            ("undiscounted_inputs", self.undiscounted_inputs, "EUR"),
            ("base_year", np.nan if self.base_year is None else float(self.base_year), "year"),
        ]
        return pd.DataFrame(rows, columns=["metric", "value", "unit"])


def _payback(pv_by_year: np.ndarray, total_inputs: float) -> float:
    cumulative = np.cumsum(pv_by_year)
    reached = np.flatnonzero(cumulative >= total_inputs * (1 - 1e-12))
    if len(reached) == 0:
        return float("nan")
    p = int(reached[0])  # zero-based: period p + 1
    before = cumulative[p - 1] if p > 0 else 0.0
    return float(p + (total_inputs - before) / pv_by_year[p])


def sroi(
    impact_map: pd.DataFrame,
    inputs: pd.DataFrame | float,
    discount_rate: float,
    base_year: int | None = None,
) -> SROIResult:
    """Social return on investment of an impact map.

    Parameters
    ----------
    impact_map : DataFrame
        Columns of the ``sroi_impact_map`` table: ``outcome_id`` (unique), ``quantity``
        (per year), ``proxy_eur`` (euros per unit), ``deadweight``, ``displacement``,
        ``attribution``, ``drop_off`` (shares in [0, 1]), ``duration_years`` (>= 1),
        ``start_offset_years`` (>= 0); optional ``year`` (cohort of the outcome, e.g. the
        jobs created that year; empty = undated); ``stakeholder_group`` and ``outcome`` are
        carried into the tables when present.
    inputs : DataFrame or float
        Table ``sroi_inputs`` (``value_eur``, optional ``year``) or the total in euros (> 0).
    discount_rate : float
        Yearly rate ``r``: the campaign's ``sroi.discount_rate`` (default
        :data:`DISCOUNT_RATE_FRANCE` = 0.032, France Stratégie 2021), or
        :data:`DISCOUNT_RATE_GREEN_BOOK` = 0.035 for the Social Value UK convention.
    base_year : int, optional
        Year everything is discounted to (default: the first year present in either table).
        An outcome dated ``base_year + k`` is valued as an undated one with
        ``start_offset_years + k``; an input dated ``base_year + k`` is divided by
        ``(1 + r)^k``; undated rows count as dated ``base_year``.

    Returns
    -------
    SROIResult

    Notes
    -----
    Assumption: outcomes are valued with the SROI Guide's conventions (see the module
    docstring): value in year ``t`` = impact × (1 − drop_off)^(t − 1), placed in period
    ``t + start_offset_years`` and discounted by (1 + r)^period (period 1 is discounted).
    Source: The SROI Network (2012), *A guide to Social Return on Investment*, 2nd ed.,
    stages 4 and 5.

    Examples
    --------
    >>> m = pd.DataFrame({"outcome_id": ["o1"], "stakeholder_group": ["beneficiaries"],
    ...     "quantity": [10], "proxy_eur": [100.0], "deadweight": [0.2], "displacement": [0.0],
    ...     "attribution": [0.5], "drop_off": [0.0], "duration_years": [1],
    ...     "start_offset_years": [0]})
    >>> round(sroi(m, 200.0, 0.0).ratio, 6)   # 10 × 100 × 0.8 × 0.5 / 200
    2.0

    Dated: the same outcome as a 2025 cohort, inputs of 100 € in 2024 and 2025, r = 10 %:
    PV = 400 / 1.1² and inputs = 100 + 100 / 1.1 (base year 2024).

    >>> inp = pd.DataFrame({"value_eur": [100.0, 100.0], "year": [2024, 2025]})
    >>> round(sroi(m.assign(year=2025), inp, 0.1).ratio, 6)   # 330.578512 / 190.909091
    1.731602
    """
    rate = _check_rate(discount_rate)
    m, inp, base_year = _prepare(impact_map, inputs, base_year)
    total = float(inp.pv(rate))
    frame = m.frame
    impact = _impact(m.arrays())

    rows = []
    for k in range(len(frame)):
        for t in range(1, int(m.duration_years[k]) + 1):
            period = t + int(m.start_offset_years[k])
            value = impact[k] * (1.0 - m.drop_off[k]) ** (t - 1)
            discount = 1.0 / (1.0 + rate) ** period
            rows.append((frame.at[k, "outcome_id"], t, period, value, discount, value * discount))
    long = pd.DataFrame(
        rows, columns=["outcome_id", "outcome_year", "year", "value", "discount_factor", "present_value"]
    )
    for col in ("stakeholder_group", "outcome"):
        if col in frame.columns:
            long.insert(1, col, long["outcome_id"].map(frame.set_index("outcome_id")[col]))
    long = long.sort_values(["year", "outcome_id"], kind="stable").reset_index(drop=True)

    last = int((m.duration_years + m.start_offset_years).max())
    by_year = pd.DataFrame({"year": np.arange(1, last + 1, dtype=np.int64)})
    sums = long.groupby("year")[["value", "present_value"]].sum()
    by_year = by_year.join(sums, on="year").fillna({"value": 0.0, "present_value": 0.0})
    by_year.insert(2, "discount_factor", 1.0 / (1.0 + rate) ** by_year["year"].astype("float64"))
    by_year["cumulative_present_value"] = by_year["present_value"].cumsum()
    if base_year is not None:
        by_year.insert(1, "calendar_year", base_year + by_year["year"])
    inputs_by_year = pd.DataFrame({"year": inp.year, "period": inp.k, "value": inp.value})
    inputs_by_year = inputs_by_year.groupby(["period"], dropna=False, as_index=False).agg(
        year=("year", "max"), value=("value", "sum")
    )[["year", "period", "value"]]
    inputs_by_year["discount_factor"] = 1.0 / (1.0 + rate) ** inputs_by_year["period"]
    inputs_by_year["present_value"] = inputs_by_year["value"] * inputs_by_year["discount_factor"]
    dated = np.concatenate([m.year[~np.isnan(m.year)], inp.year[~np.isnan(inp.year)]])
    period = (int(dated.min()), int(dated.max())) if len(dated) else None

    keep = ["outcome_id", *[c for c in ("stakeholder_group", "outcome") if c in frame.columns]]
    by_outcome = frame[keep].copy()
    if "stakeholder_group" not in by_outcome.columns:
        by_outcome["stakeholder_group"] = "all"
    if base_year is not None:
        by_outcome["cohort_year"] = pd.array(np.where(np.isnan(m.year), base_year, m.year), dtype="Int64")
    by_outcome["gross_value"] = m.quantity * m.proxy_eur
    by_outcome["impact"] = impact
    per = long.groupby("outcome_id")[["value", "present_value"]].sum()
    by_outcome["total_value"] = by_outcome["outcome_id"].map(per["value"]).astype("float64")
    by_outcome["present_value"] = by_outcome["outcome_id"].map(per["present_value"]).astype("float64")

    present_value = float(by_year["present_value"].sum())
    by_outcome["share"] = by_outcome["present_value"] / present_value if present_value > 0 else np.nan
    by_outcome = by_outcome.sort_values(
        ["present_value", "outcome_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)

    return SROIResult(
        ratio=present_value / total,
        net_ratio=(present_value - total) / total,
        present_value=present_value,
        net_present_value=present_value - total,
        total_inputs=total,
        payback_years=_payback(by_year["present_value"].to_numpy(), total),
        discount_rate=rate,
        by_outcome=by_outcome,
        by_year=by_year,
        by_outcome_year=long,
        base_year=base_year,
        undiscounted_inputs=inp.undiscounted,
        inputs_by_year=inputs_by_year,
        period=period,
    )


# ---------------------------------------------------------------------------
# accounting checks, before any ratio
# ---------------------------------------------------------------------------

#: French (and English) words too common to reveal that two outcomes value the same change.
_STOP_WORDS = frozenset(
    "avec dans pour sans sous entre leur leurs des les une aux par plus moins tres autre autres "
    "annee annees annuel annuelle nombre personne personnes valeur total totale euros territoire "
    "local locale locaux locales acteur acteurs structure cooperative their with from that this "
    "people number value total".split()
)


def _stems(*texts: object) -> set[str]:
    """Content-word stems of texts: accents removed, lower case, words of 5+ letters that
    are not stop words, a final s / x dropped (« emplois » and « l'emploi » share ``emploi``)."""
    out: set[str] = set()
    for text in texts:
        if not isinstance(text, str):
            continue
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        for word in re.findall(r"[a-z]+", plain):
            if len(word) >= 5 and word not in _STOP_WORDS:
                word = word[:-1] if word[-1] in "sx" else word
                if word not in _STOP_WORDS:
                    out.add(word)
    return out


def _years_text(years: Iterable[float]) -> str:
    return ", ".join(str(int(y)) for y in sorted(set(years)))


def check_accounting(impact_map: pd.DataFrame, inputs: pd.DataFrame | float) -> pd.DataFrame:
    """What a Social Value practitioner would refuse to sign, listed before the ratio.

    Checks (each row of the result is one warning, in French, with the rows involved):

    ``inputs_undated`` / ``outcomes_undated``
        One table is dated, the other is not: the period of the inputs and of the
        outcomes cannot be compared.
    ``partially_dated``
        Some rows of a table have a ``year`` and others not (undated rows count as the
        base year).
    ``outcome_year_without_inputs`` / ``input_year_without_outcomes``
        Outcome cohorts dated in years with no input (value without its cost), or inputs
        in years with no outcome (cost without value, or outcomes left out).
    ``stock_against_one_year``
        A quantity marked ``quantity_kind = stock`` (everything that exists, e.g. every
        job) set against the inputs of one year only: the stock was built by the inputs
        of several years (SROI principle « do not over-claim »).
    ``double_count``
        Two outcomes of the same stakeholder group and the same cohort year whose outcome
        or indicator wordings share a content word (e.g. « Emplois créés » and « Retour à
        l'emploi de salariés en insertion »): probably the same people valued twice for
        the same change. A heuristic: it flags candidates for a human to check.

    Parameters
    ----------
    impact_map : DataFrame
        Table ``sroi_impact_map`` (optional ``year``, ``quantity_kind``).
    inputs : DataFrame or float
        Table ``sroi_inputs`` (optional ``year``) or a total in euros (undated).

    Returns
    -------
    DataFrame
        ``check, table, rows`` (1-based data rows of ``table``), ``outcome_ids, years,
        message``; empty when nothing is found.

    Notes
    -----
    Social Value UK / SROI Network (2012), *A guide to Social Return on Investment*,
    principles 5 (« Only include what is material ») and 6 (« Do not over-claim »), and
    stage 3 (one period for inputs and outcomes); docs/architecture.md, evidence standards.

    Examples
    --------
    >>> m = pd.DataFrame({"outcome_id": ["O1", "O2"], "stakeholder_group": ["employees"] * 2,
    ...     "outcome": ["Emplois créés", "Retour à l'emploi en insertion"], "indicator": ["ETP", "personnes"],
    ...     "quantity": [10, 3], "proxy_eur": [1e4, 6e3], "deadweight": 0.2, "displacement": 0.0,
    ...     "attribution": 0.3, "drop_off": 0.2, "duration_years": 3, "start_offset_years": 0,
    ...     "quantity_kind": ["stock", "flow"]})
    >>> check_accounting(m, 1e5)["check"].tolist()
    ['stock_against_one_year', 'double_count']
    """
    m = _check_map(impact_map)
    inp = _read_inputs(inputs)
    frame = m.frame
    ids = frame["outcome_id"].astype(str).to_numpy()
    rows: list[tuple] = []

    def add(check, table, mask_or_idx, years, message, with_ids=True):
        idx = np.flatnonzero(mask_or_idx) if np.asarray(mask_or_idx).dtype == bool else np.asarray(mask_or_idx)
        rows.append((check, table, [int(i) + 1 for i in idx],
                     [str(ids[i]) for i in idx] if with_ids else [], sorted({int(y) for y in years}), message))

    map_dated, inp_dated = ~np.isnan(m.year), ~np.isnan(inp.year)
    inp_is_table = isinstance(inputs, pd.DataFrame)
    if map_dated.any() and not inp_dated.any():
        add("inputs_undated", "sroi_inputs", np.arange(len(inp.value)) if inp_is_table else [], m.year[map_dated],
            f"les résultats sont datés ({_years_text(m.year[map_dated])}) mais pas les ressources : impossible "
            "de vérifier qu'elles couvrent la même période ; renseigner la colonne year de sroi_inputs",
            with_ids=False)
    if inp_dated.any() and not map_dated.any() and len(np.unique(inp.year[inp_dated])) > 1:
        add("outcomes_undated", "sroi_impact_map", np.arange(len(ids)), inp.year[inp_dated],
            f"les ressources couvrent plusieurs années ({_years_text(inp.year[inp_dated])}) mais les résultats "
            "ne sont pas datés : ils sont tous comptés comme une seule cohorte de la première année ; "
            "renseigner la colonne year de sroi_impact_map (cohorte de chaque résultat)")
    if map_dated.any() and not map_dated.all():
        add("partially_dated", "sroi_impact_map", ~map_dated, [],
            f"résultats sans année ({', '.join(ids[~map_dated])}) dans une carte d'impact datée : ils sont "
            "comptés comme des résultats de la première année")
    if inp_dated.any() and not inp_dated.all():
        add("partially_dated", "sroi_inputs", ~inp_dated, [],
            "ressources sans année dans une table datée : elles sont comptées la première année", with_ids=False)
    if map_dated.any() and inp_dated.any():
        in_years = set(inp.year[inp_dated].tolist())
        out_years = set(m.year[map_dated].tolist())
        orphan = map_dated & ~np.isin(m.year, list(in_years))
        if orphan.any():
            add("outcome_year_without_inputs", "sroi_impact_map", orphan, m.year[orphan],
                f"résultats datés d'années sans ressources ({_years_text(m.year[orphan])}) : "
                f"{', '.join(ids[orphan])} ; le ratio compterait leur valeur sans le coût qui les a produits")
        idle = inp_dated & ~np.isin(inp.year, list(out_years))
        if idle.any():
            add("input_year_without_outcomes", "sroi_inputs", idle, inp.year[idle],
                f"ressources d'années sans aucun résultat daté ({_years_text(inp.year[idle])}) : un coût sans "
                "valeur en face, ou des résultats oubliés dans la carte d'impact", with_ids=False)
    if "quantity_kind" in frame.columns:
        stock = (frame["quantity_kind"].astype(str) == "stock").to_numpy()
        n_input_years = len(np.unique(inp.year[inp_dated])) + int((~inp_dated).any())
        if stock.any() and n_input_years <= 1:
            one = _years_text(inp.year[inp_dated]) if inp_dated.any() else "non datée"
            add("stock_against_one_year", "sroi_impact_map", stock, m.year[stock & map_dated],
                f"quantité de stock ({', '.join(ids[stock])} : tout ce qui existe, pas ce qui est nouveau) comptée "
                f"face aux ressources d'une seule année ({one}) : ce stock a été constitué par les ressources de "
                "plusieurs années ; compter la cohorte de l'année (quantity_kind = flow) ou dater les ressources "
                "de toutes les années")
    if "stakeholder_group" in frame.columns:
        stems = [_stems(frame.at[i, "outcome"] if "outcome" in frame else None,
                        frame.at[i, "indicator"] if "indicator" in frame else None) for i in range(len(frame))]
        groups = frame["stakeholder_group"].astype(str).to_numpy()
        for i in range(len(frame)):
            for j in range(i + 1, len(frame)):
                same_year = (np.isnan(m.year[i]) and np.isnan(m.year[j])) or m.year[i] == m.year[j]
                common = stems[i] & stems[j]
                if groups[i] == groups[j] and same_year and common:
                    year = [] if np.isnan(m.year[i]) else [m.year[i]]
                    add("double_count", "sroi_impact_map", [i, j], year,
                        f"{ids[i]} et {ids[j]} valorisent le même groupe ({groups[i]}) pour un changement proche "
                        f"(« {', '.join(sorted(common))} »){' en ' + _years_text(year) if year else ''} : double "
                        "compte probable (les mêmes personnes comptées deux fois) ; garder un seul des deux ou "
                        "ne compter que la part qui ne se recouvre pas")
    return pd.DataFrame(rows, columns=["check", "table", "rows", "outcome_ids", "years", "message"])


# ---------------------------------------------------------------------------
# one-at-a-time sensitivity
# ---------------------------------------------------------------------------


def _varied(base: np.ndarray, name: str, factor: float, proportion_change: float | None) -> np.ndarray:
    if name in PROPORTIONS:
        if proportion_change is not None:
            shifted = base + np.sign(factor - 1) * proportion_change
        else:
            shifted = base * factor
        return np.clip(shifted, 0.0, 1.0)
    return np.maximum(base * factor, 0.0)


def sensitivity(
    impact_map: pd.DataFrame,
    inputs: pd.DataFrame | float,
    discount_rate: float,
    change: float = 0.2,
    *,
    proportion_change: float | None = None,
    assumptions: Sequence[str] = ASSUMPTIONS,
    base_year: int | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of the ratio, sorted for a tornado chart.

    Each assumption is lowered and raised by ``change`` (relative: value × (1 ∓ change)),
    once per outcome (``scope="outcome"``) and once for every outcome at a time
    (``scope="global"``, ``outcome_id="all"``); the discount rate and the total inputs are
    varied globally the same way. Shares are clipped to [0, 1]; with
    ``proportion_change`` (e.g. 0.1) shares move by that many points instead (absolute).
    ``duration_years`` is varied globally by ∓ max(1, round(change × duration)) years
    (at least one year).

    Parameters
    ----------
    impact_map, inputs, discount_rate, base_year
        As in :func:`sroi` (dated inputs are re-discounted when the rate varies).
    change : float, default 0.2
        Relative change (0 < change < 1).
    proportion_change : float, optional
        Absolute change of the shares, in [0, 1], instead of a relative one.
    assumptions : sequence of str
        Impact-map columns to vary (default: quantity, proxy_eur and the four shares).

    Returns
    -------
    DataFrame
        ``assumption, scope, outcome_id, base_value, low_value, high_value, ratio_low,
        ratio_high, base_ratio, swing`` where ``ratio_low`` / ``ratio_high`` are the ratios
        with the assumption at ``low_value`` / ``high_value`` and ``swing`` =
        |ratio_high − ratio_low|; sorted by decreasing swing (then by name). For global
        rows of impact-map columns ``base_value`` is NaN (values differ by outcome) and
        low/high are the multipliers (or point shifts) applied.

    Notes
    -----
    One-at-a-time analysis ignores interactions between assumptions (see
    :func:`monte_carlo` for joint uncertainty). Source: SROI Guide (2012), stage 5.3
    ("sensitivity analysis").

    Examples
    --------
    >>> m = pd.DataFrame({"outcome_id": ["o1"], "quantity": [10], "proxy_eur": [100.0],
    ...     "deadweight": [0.2], "displacement": [0.0], "attribution": [0.5], "drop_off": [0.0],
    ...     "duration_years": [1], "start_offset_years": [0]})
    >>> s = sensitivity(m, 200.0, 0.0)
    >>> row = s[(s.assumption == "proxy_eur") & (s.scope == "outcome")].iloc[0]
    >>> float(row.ratio_low), float(row.ratio_high)   # proxy −20 % / +20 %
    (1.6, 2.4)
    """
    if not 0 < change < 1:
        raise ValueError(f"change must be a relative change strictly between 0 and 1, got {change}")
    if proportion_change is not None and not 0 < proportion_change <= 1:
        raise ValueError(f"proportion_change must be in (0, 1], got {proportion_change}")
    unknown = [a for a in assumptions if a not in ASSUMPTIONS]
    if unknown:
        raise ValueError(f"unknown assumption(s) {unknown}; choose among {list(ASSUMPTIONS)}")
    rate = _check_rate(discount_rate)
    m, total, _ = _prepare(impact_map, inputs, base_year)
    base = m.arrays()
    base_ratio = _ratio(base, rate, total)
    ids = m.frame["outcome_id"].tolist()
    lo_f, hi_f = 1.0 - change, 1.0 + change
    rows = []
    for name in assumptions:
        for k, oid in enumerate(ids):
            ratios, values = [], []
            for f in (lo_f, hi_f):
                arr = base[name].copy()
                arr[k] = _varied(base[name][k : k + 1], name, f, proportion_change)[0]
                values.append(arr[k])
                ratios.append(_ratio({**base, name: arr}, rate, total))
            rows.append((name, "outcome", oid, base[name][k], *values, *ratios))
        ratios = [_ratio({**base, name: _varied(base[name], name, f, proportion_change)}, rate, total) for f in (lo_f, hi_f)]
        if name in PROPORTIONS and proportion_change is not None:
            lo_v, hi_v = -proportion_change, proportion_change
        else:
            lo_v, hi_v = lo_f, hi_f
        rows.append((name, "global", "all", np.nan, lo_v, hi_v, *ratios))
    dur = base["duration_years"]
    step = np.maximum(1, np.round(change * dur)).astype(np.int64)
    d_ratios = [
        _ratio({**base, "duration_years": np.maximum(1, dur - step)}, rate, total),
        _ratio({**base, "duration_years": dur + step}, rate, total),
    ]
    rows.append(("duration_years", "global", "all", np.nan, -1.0, 1.0, *d_ratios))
    rows.append(
        ("discount_rate", "global", "all", rate, rate * lo_f, rate * hi_f,
         _ratio(base, rate * lo_f, total), _ratio(base, rate * hi_f, total))
    )
    pv_in = float(total.pv(rate))
    rows.append(("inputs", "global", "all", pv_in, pv_in * lo_f, pv_in * hi_f, base_ratio / lo_f, base_ratio / hi_f))
    out = pd.DataFrame(
        rows,
        columns=["assumption", "scope", "outcome_id", "base_value", "low_value", "high_value", "ratio_low", "ratio_high"],
    )
    out["base_ratio"] = base_ratio
    out["swing"] = (out["ratio_high"] - out["ratio_low"]).abs()
    out = out.sort_values(
        ["swing", "scope", "assumption", "outcome_id"], ascending=[False, True, True, True], kind="stable"
    )
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------
# break-even values
# ---------------------------------------------------------------------------


def break_even(
    impact_map: pd.DataFrame,
    inputs: pd.DataFrame | float,
    discount_rate: float,
    *,
    assumptions: Sequence[str] = ASSUMPTIONS,
    target: float = 1.0,
    max_factor: float = 1e6,
    max_rate: float = 1.0,
    base_year: int | None = None,
) -> pd.DataFrame:
    """Value of each assumption at which the ratio falls (or rises) to ``target`` (1).

    For each assumption and each outcome, the other assumptions held at their stated
    values, the ratio is a monotone function of the assumption; the break-even value is
    found with :func:`scipy.optimize.brentq` within the assumption's range: [0, 1] for
    shares, [0, max_factor × value] for quantities and proxies. Global rows
    (``outcome_id="all"``): a *common* share for every outcome (e.g. "the ratio falls to
    1 if deadweight were 62 % for every outcome"), a common *multiplier* of every
    quantity / proxy (base 1), the discount rate within [0, max_rate], and the
    multiplier of the total inputs (which equals the ratio). ``base_year`` as in :func:`sroi`.

    Returns
    -------
    DataFrame
        ``assumption, scope, outcome_id, base_value, break_even, change, relative_change,
        status, range_low, range_high`` where ``status`` is ``"found"`` or ``"never"``
        (the ratio does not reach the target within the range: then ``break_even`` is
        NaN). ``change`` = break_even − base_value; ``relative_change`` = change /
        base_value (NaN when base_value is 0 or NaN). Sorted by |relative_change| then
        by name, "never" last.

    Notes
    -----
    Break-even ("switching") values are a common reading of an SROI's robustness
    (SROI Guide 2012, stage 5.3; HM Treasury Green Book's switching values).

    Examples
    --------
    >>> m = pd.DataFrame({"outcome_id": ["o1"], "quantity": [10], "proxy_eur": [100.0],
    ...     "deadweight": [0.2], "displacement": [0.0], "attribution": [0.5], "drop_off": [0.0],
    ...     "duration_years": [1], "start_offset_years": [0]})
    >>> b = break_even(m, 200.0, 0.0).set_index(["assumption", "scope"])
    >>> round(float(b.loc[("proxy_eur", "outcome"), "break_even"]), 6)    # 100 / 2
    50.0
    """
    unknown = [a for a in assumptions if a not in ASSUMPTIONS]
    if unknown:
        raise ValueError(f"unknown assumption(s) {unknown}; choose among {list(ASSUMPTIONS)}")
    if target <= 0:
        raise ValueError("target ratio must be > 0")
    rate = _check_rate(discount_rate)
    m, total, _ = _prepare(impact_map, inputs, base_year)
    base = m.arrays()
    ids = m.frame["outcome_id"].tolist()

    def solve(fun, low: float, high: float) -> tuple[float, str]:
        f_low, f_high = fun(low) - target, fun(high) - target
        if f_low == 0:
            return low, "found"
        if f_high == 0:
            return high, "found"
        if np.sign(f_low) == np.sign(f_high):
            return float("nan"), "never"
        return float(optimize.brentq(lambda x: fun(x) - target, low, high, xtol=1e-14, rtol=1e-13, maxiter=500)), "found"

    rows = []
    for name in assumptions:
        for k, oid in enumerate(ids):
            b = float(base[name][k])
            high = 1.0 if name in PROPORTIONS else max(b, 1.0) * max_factor

            def fun(x, name=name, k=k):
                arr = base[name].copy()
                arr[k] = x
                return _ratio({**base, name: arr}, rate, total)

            value, status = solve(fun, 0.0, high)
            rows.append((name, "outcome", oid, b, value, status, 0.0, high))
        if name in PROPORTIONS:

            def fun_g(x, name=name):
                return _ratio({**base, name: np.full_like(base[name], x)}, rate, total)

            value, status = solve(fun_g, 0.0, 1.0)
            rows.append((name, "global", "all", np.nan, value, status, 0.0, 1.0))
        else:

            def fun_g(x, name=name):
                return _ratio({**base, name: base[name] * x}, rate, total)

            value, status = solve(fun_g, 0.0, max_factor)
            rows.append((name, "global", "all", 1.0, value, status, 0.0, max_factor))
    value, status = solve(lambda x: _ratio(base, x, total), 0.0, max_rate)
    rows.append(("discount_rate", "global", "all", rate, value, status, 0.0, max_rate))
    pv = _present_values(base, rate).sum()
    rows.append(("inputs", "global", "all", 1.0, pv / total.pv(rate) / target, "found", 0.0, np.inf))
    out = pd.DataFrame(
        rows,
        columns=["assumption", "scope", "outcome_id", "base_value", "break_even", "status", "range_low", "range_high"],
    )
    out["change"] = out["break_even"] - out["base_value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = out["change"] / out["base_value"]
    out["relative_change"] = rel.where(out["base_value"].fillna(0) != 0)
    out["_never"] = out["status"] == "never"
    out["_abs"] = out["relative_change"].abs()
    out = out.sort_values(
        ["_never", "_abs", "scope", "assumption", "outcome_id"], na_position="last", kind="stable"
    ).drop(columns=["_never", "_abs"])
    cols = ["assumption", "scope", "outcome_id", "base_value", "break_even", "change", "relative_change",
            "status", "range_low", "range_high"]
    return out[cols].reset_index(drop=True)


# ---------------------------------------------------------------------------
# uncertain assumptions: shared by the Monte Carlo and the Sobol analysis
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Uncertain:
    """One uncertain parameter: an assumption of a group of outcomes that share one draw."""

    assumption: str
    group: str
    rows: np.ndarray  # outcome positions sharing the draw
    kind: str  # "beta" (mean, concentration) or "lognormal" (median, log-sd)
    a: np.ndarray  # per row: mean or median
    b: np.ndarray  # per row: concentration or log-sd

    def values(self, u: np.ndarray | None = None, z: np.ndarray | None = None,
               rng: np.random.Generator | None = None) -> np.ndarray:
        """Values (draws × rows) from uniforms ``u`` or standard normals ``z`` (one per draw).

        With ``rng`` and a Beta whose rows all share one (mean, κ), the values are drawn
        directly from ``rng.beta`` (same distribution, much faster than the quantile function;
        used when the draw is not tied to any other)."""
        pairs = np.stack([self.a, self.b], axis=1)
        unique = np.unique(pairs, axis=0)
        if rng is not None and self.kind == "beta" and len(unique) == 1:
            a, k = unique[0]
            return np.repeat(rng.beta(a * k, (1 - a) * k, size=(len(z), 1)), len(self.rows), axis=1)
        if z is None:
            z = stats.norm.ppf(u)
        if self.kind == "lognormal":
            return self.a[None, :] * np.exp(self.b[None, :] * z[:, None])
        if u is None:
            u = special.ndtr(z)
        out = np.empty((len(u), len(self.rows)))
        for pair in unique:  # cohorts of one outcome share their (mean, κ)
            cols = np.flatnonzero((pairs == pair).all(axis=1))
            out[:, cols] = special.betaincinv(pair[0] * pair[1], (1 - pair[0]) * pair[1], u)[:, None]
        return out


def _survey_concentration(
    m: _Map, intervals: pd.DataFrame | None, name: str, concentration: float, level: float, min_n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and Beta concentration of a share per outcome: the survey estimate and the
    concentration matching its interval (sd = width / (2 z)) when :func:`from_survey` gives
    one for the outcome's group (else ``"all"``), the stated value and ``concentration`` else."""
    mean = getattr(m, name).astype("float64").copy()
    kappa = np.full(len(mean), float(concentration))
    if intervals is None or name not in ("deadweight", "attribution"):
        return mean, kappa
    needed = {"stakeholder_group", "parameter", "estimate", "ci_low", "ci_high", "n"}
    if not needed <= set(intervals.columns):
        raise ValueError(f"intervals need columns {sorted(needed)} (output of from_survey)")
    est = intervals[(intervals["parameter"] == name) & (intervals["n"] >= min_n) & intervals["estimate"].notna()]
    if est.empty:
        return mean, kappa
    est = est.set_index(est["stakeholder_group"].astype(str))
    groups = m.frame["stakeholder_group"].astype(str) if "stakeholder_group" in m.frame else pd.Series("all", index=m.frame.index)
    z = stats.norm.ppf(0.5 + level / 2)
    for i, g in enumerate(groups):
        key = g if g in est.index else "all" if "all" in est.index else None
        if key is None:
            continue
        row = est.loc[key]
        mu = float(np.clip(row["estimate"], 0.0, 1.0))
        sd = (float(row["ci_high"]) - float(row["ci_low"])) / (2 * z)
        mean[i] = mu
        if 0 < mu < 1 and sd > 0:
            kappa[i] = max(mu * (1 - mu) / sd**2 - 1.0, 1.0)
    return mean, kappa


def _uncertain(
    m: _Map, by: str | None, concentration: float, proxy_sigma: float, quantity_sigma: float,
    intervals: pd.DataFrame | None, intervals_level: float, min_n: int,
) -> list[_Uncertain]:
    if by is None or by == "outcome_id":
        keys = m.frame["outcome_id"].astype(str)
    elif by not in m.frame.columns:
        raise ValueError(f"impact map has no column {by!r} to group outcomes by")
    else:
        keys = m.frame[by].astype(str).where(m.frame[by].notna(), m.frame["outcome_id"].astype(str))
    keys = keys.to_numpy(dtype=object)
    order = list(dict.fromkeys(keys))
    out: list[_Uncertain] = []
    for name in ASSUMPTIONS:
        if name in PROPORTIONS:
            mean, kappa = _survey_concentration(m, intervals, name, concentration, intervals_level, min_n)
        else:
            sigma = proxy_sigma if name == "proxy_eur" else quantity_sigma
            mean, kappa = getattr(m, name).astype("float64"), np.full(len(m.frame), float(sigma))
        for key in order:
            rows = np.flatnonzero(keys == key)
            if name in PROPORTIONS:
                rows = rows[(mean[rows] > 0) & (mean[rows] < 1)]  # a stated 0 or 1 stays fixed
                kind = "beta"
            else:
                rows = rows[(kappa[rows] > 0) & (mean[rows] > 0)]
                kind = "lognormal"
            if len(rows):
                out.append(_Uncertain(name, key, rows, kind, mean[rows], kappa[rows]))
    return out


def _drawn_arrays(m: _Map, specs: list[_Uncertain], n: int, *, u: np.ndarray | None = None,
                  z: np.ndarray | None = None, rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    arrays = {name: np.broadcast_to(v, (n, v.size)).copy() if name in ASSUMPTIONS else v
              for name, v in m.arrays().items()}
    for j, spec in enumerate(specs):
        arrays[spec.assumption][:, spec.rows] = spec.values(
            u=None if u is None else u[:, j], z=None if z is None else z[:, j], rng=rng
        )
    return arrays


# ---------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonteCarloResult:
    """Draws of :func:`monte_carlo` and their summary.

    Attributes
    ----------
    ratio, present_value : ndarray
        One value per draw.
    point_ratio : float
        Ratio of the stated impact map (:func:`sroi`).
    level : float
        Interval level (e.g. 0.95), percentile interval of the draws.
    seed, n, concentration, proxy_sigma, quantity_sigma, correlation, by
        Settings that produced the draws.
    """

    ratio: np.ndarray = field(repr=False)
    present_value: np.ndarray = field(repr=False)
    point_ratio: float
    level: float
    seed: int | None
    n: int
    concentration: float
    proxy_sigma: float
    quantity_sigma: float
    correlation: float = 0.0
    by: str | None = None

    @property
    def ci(self) -> tuple[float, float]:
        """Percentile interval of the ratio at ``level``."""
        a = (1 - self.level) / 2
        lo, hi = np.quantile(self.ratio, [a, 1 - a])
        return float(lo), float(hi)

    @property
    def prob_below_one(self) -> float:
        """Share of draws whose ratio is below 1."""
        return float(np.mean(self.ratio < 1.0))

    def summary(self) -> pd.DataFrame:
        """One-row tidy summary: ``estimate`` (point ratio), ``mean, median, sd, ci_low,
        ci_high, level, prob_below_one, n``."""
        lo, hi = self.ci
        return pd.DataFrame(
            [{
                "estimate": self.point_ratio,
                "mean": float(np.mean(self.ratio)),
                "median": float(np.median(self.ratio)),
                "sd": float(np.std(self.ratio, ddof=1)),
                "ci_low": lo,
                "ci_high": hi,
                "level": self.level,
                "prob_below_one": self.prob_below_one,
                "n": self.n,
            }]
        )

    def draws(self) -> pd.DataFrame:
        """Tidy draws: ``draw, ratio, present_value``."""
        return pd.DataFrame(
            {"draw": np.arange(self.n), "ratio": self.ratio, "present_value": self.present_value}
        )

    def __repr__(self) -> str:
        lo, hi = self.ci
        return (
            f"MonteCarloResult(point_ratio={self.point_ratio:.3f}, median={np.median(self.ratio):.3f}, "
            f"{self.level:.0%} interval=[{lo:.3f}, {hi:.3f}], P(ratio<1)={self.prob_below_one:.3f}, "
            f"n={self.n}, seed={self.seed})"
        )


def _check_uncertainty(concentration: float, proxy_sigma: float, quantity_sigma: float, level: float) -> None:
    if not concentration > 0:
        raise ValueError(f"concentration must be > 0, got {concentration}")
    if proxy_sigma < 0 or quantity_sigma < 0:
        raise ValueError("proxy_sigma and quantity_sigma must be >= 0")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")


def monte_carlo(
    impact_map: pd.DataFrame,
    inputs: pd.DataFrame | float,
    discount_rate: float,
    n: int = 10_000,
    seed: int | None = 0,
    *,
    concentration: float = 20.0,
    proxy_sigma: float = 0.25,
    quantity_sigma: float = 0.0,
    level: float = 0.95,
    base_year: int | None = None,
    by: str | None = None,
    correlation: float = 0.0,
    intervals: pd.DataFrame | None = None,
    intervals_level: float = 0.95,
    min_n: int = 1,
) -> MonteCarloResult:
    """Joint uncertainty of the ratio by Monte Carlo (vectorised, no loop over draws).

    For each draw:

    * the shares (deadweight, displacement, attribution, drop-off) follow a Beta
      distribution with **mean = the stated value** and concentration κ =
      ``concentration`` (α = mean × κ, β = (1 − mean) × κ; sd = √(mean(1 − mean)/(κ + 1)),
      e.g. 0.10 for a stated 30 % with κ = 20); a stated 0 or 1 is kept fixed. With
      ``intervals`` (output of :func:`from_survey`), the deadweight and attribution of an
      outcome whose group (else ``"all"``) has an estimate with ``n >= min_n`` take the
      survey's estimate as mean and the concentration whose sd matches the interval
      (sd = (ci_high − ci_low) / (2 z), κ = mean(1 − mean)/sd² − 1, at least 1);
    * the proxy follows a lognormal distribution with **median = the stated proxy** and
      log-sd ``proxy_sigma`` (0.25: a 95 % range of ×/÷ 1.63 around the proxy);
    * the quantity likewise with ``quantity_sigma`` (0 by default: quantities are
      counted, not assumed);
    * durations, start offsets, the discount rate and the inputs stay as stated.

    Dependence: outcomes with the same value in column ``by`` (e.g. ``"outcome"``: the
    yearly cohorts of one outcome) share one draw of each assumption (the same proxy is
    the same assumption every year); between groups, the draws of one assumption have a
    common correlation ``correlation`` (Gaussian copula: z = √ρ c + √(1 − ρ) e), e.g.
    0.5 for an evaluator whose optimism on deadweight applies to every outcome.

    Parameters
    ----------
    impact_map, inputs, discount_rate, base_year
        As in :func:`sroi`.
    n : int
        Number of draws (>= 2).
    seed : int or None
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same draws.
    concentration : float
        Beta concentration κ > 0 (larger = tighter around the stated shares).
    proxy_sigma, quantity_sigma : float
        Log-scale standard deviations (>= 0).
    level : float
        Level of the percentile interval.
    by : str, optional
        Impact-map column whose equal values share one draw (default: none, one draw per
        outcome).
    correlation : float
        Copula correlation in [0, 1) between groups, per assumption.
    intervals : DataFrame, optional
        Survey estimates with intervals (:func:`from_survey`), at ``intervals_level``.
    min_n : int
        Smallest number of answers for a survey estimate to be used.

    Returns
    -------
    MonteCarloResult

    Notes
    -----
    The distributions express the evaluator's uncertainty about the stated
    assumptions (they are not estimated from data, except the survey intervals).
    Probabilistic sensitivity analysis as in health economics (Briggs, Claxton &
    Sculpher 2006, *Decision Modelling for Health Economic Evaluation*, ch. 4: Beta for
    proportions, lognormal for costs); Gaussian copula for correlated inputs (ibid.).

    Examples
    --------
    >>> m = pd.DataFrame({"outcome_id": ["o1"], "quantity": [10], "proxy_eur": [100.0],
    ...     "deadweight": [0.2], "displacement": [0.0], "attribution": [0.5], "drop_off": [0.0],
    ...     "duration_years": [1], "start_offset_years": [0]})
    >>> mc = monte_carlo(m, 200.0, 0.0, n=1000, seed=1)
    >>> mc.point_ratio
    2.0
    """
    if int(n) != n or n < 2:
        raise ValueError(f"n must be a whole number of draws >= 2, got {n}")
    _check_uncertainty(concentration, proxy_sigma, quantity_sigma, level)
    if not 0 <= correlation < 1:
        raise ValueError(f"correlation must be in [0, 1), got {correlation}")
    n = int(n)
    rate = _check_rate(discount_rate)
    m, inp, _ = _prepare(impact_map, inputs, base_year)
    total = float(inp.pv(rate))
    specs = _uncertain(m, by, concentration, proxy_sigma, quantity_sigma, intervals, intervals_level, min_n)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(size=(n, len(specs)))
    if correlation > 0 and specs:
        names = [s.assumption for s in specs]
        common = rng.standard_normal(size=(n, len(ASSUMPTIONS)))
        idx = np.array([ASSUMPTIONS.index(a) for a in names])
        z = np.sqrt(correlation) * common[:, idx] + np.sqrt(1 - correlation) * z
    draws = _drawn_arrays(m, specs, n, z=z, rng=rng if correlation == 0 else None)
    pv = _present_values(draws, rate).sum(axis=1)
    return MonteCarloResult(
        ratio=pv / total,
        present_value=pv,
        point_ratio=_ratio(m.arrays(), rate, inp),
        level=level,
        seed=seed,
        n=n,
        concentration=float(concentration),
        proxy_sigma=float(proxy_sigma),
        quantity_sigma=float(quantity_sigma),
        correlation=float(correlation),
        by=by,
    )


# ---------------------------------------------------------------------------
# global sensitivity (Sobol indices)
# ---------------------------------------------------------------------------


def global_sensitivity(
    impact_map: pd.DataFrame,
    inputs: pd.DataFrame | float,
    discount_rate: float,
    n: int = 1024,
    seed: int | None = 0,
    *,
    concentration: float = 20.0,
    proxy_sigma: float = 0.25,
    quantity_sigma: float = 0.0,
    level: float = 0.95,
    base_year: int | None = None,
    by: str | None = None,
    intervals: pd.DataFrame | None = None,
    intervals_level: float = 0.95,
    min_n: int = 1,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Sobol first-order and total indices of the ratio, per outcome parameter (SALib).

    The uncertain parameters and their distributions are those of :func:`monte_carlo`
    (independent, one per assumption and outcome, or per group of outcomes sharing the
    value of column ``by``); stated 0 or 1 shares and zero log-sds stay fixed. The
    ratio is evaluated on Saltelli's sampling scheme (``n`` × (D + 2) evaluations for D
    parameters, scrambled Sobol sequence) and the indices estimated with Saltelli (2010)
    for S1 and Jansen (1999) for ST, with bootstrap intervals (SALib ``sobol.analyze``).

    Parameters
    ----------
    impact_map, inputs, discount_rate, base_year
        As in :func:`sroi`.
    n : int
        Base sample size, a power of 2 (e.g. 1024).
    seed : int or None
        Seed of the sampling scramble and of the bootstrap.
    concentration, proxy_sigma, quantity_sigma, by, intervals, intervals_level, min_n
        As in :func:`monte_carlo`.
    level : float
        Level of the bootstrap intervals.
    num_resamples : int
        Bootstrap resamples.

    Returns
    -------
    DataFrame
        ``outcome_id`` (the outcomes of the parameter, comma-separated when grouped),
        ``group`` (value of ``by``, or the outcome_id), ``parameter``, ``S1, S1_ci_low,
        S1_ci_high, ST, ST_ci_low, ST_ci_high``, sorted by decreasing ST. S1 is the share
        of the ratio's variance due to the parameter alone, ST includes its interactions;
        ST − S1 large means the parameter matters through interactions.

    Notes
    -----
    Saltelli, A. et al. (2010), *Computer Physics Communications* 181: 259–270; Sobol'
    (2001), *Math. Comput. Simul.* 55: 271–280; Herman & Usher (2017), SALib, *JOSS* 2(9).
    The indices apportion the variance of the ratio under the stated distributions: they
    say which assumptions drive the uncertainty, not which are wrong.

    Examples
    --------
    >>> m = pd.DataFrame({"outcome_id": ["o1"], "quantity": [10], "proxy_eur": [100.0],
    ...     "deadweight": [0.2], "displacement": [0.0], "attribution": [0.0], "drop_off": [0.0],
    ...     "duration_years": [1], "start_offset_years": [0]})
    >>> g = global_sensitivity(m, 200.0, 0.0, n=256, seed=1)
    >>> g["parameter"].tolist()
    ['proxy_eur', 'deadweight']
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if int(n) != n or n < 2 or (int(n) & (int(n) - 1)):
        raise ValueError(f"n must be a power of 2 (e.g. 1024), got {n}")
    _check_uncertainty(concentration, proxy_sigma, quantity_sigma, level)
    rate = _check_rate(discount_rate)
    m, inp, _ = _prepare(impact_map, inputs, base_year)
    total = float(inp.pv(rate))
    specs = _uncertain(m, by, concentration, proxy_sigma, quantity_sigma, intervals, intervals_level, min_n)
    columns = ["outcome_id", "group", "parameter", "S1", "S1_ci_low", "S1_ci_high", "ST", "ST_ci_low", "ST_ci_high"]
    if not specs:
        return pd.DataFrame(columns=columns)
    if len(specs) == 1:  # SALib needs two parameters at least: add a dummy one with no effect
        names = [f"p{j}" for j in range(2)]
    else:
        names = [f"p{j}" for j in range(len(specs))]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    x = sobol_sample.sample(problem, int(n), calc_second_order=False, seed=seed)
    x = np.clip(x, 1e-12, 1 - 1e-12)
    draws = _drawn_arrays(m, specs, len(x), u=x[:, : len(specs)])
    y = _present_values(draws, rate).sum(axis=1) / total
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=int(num_resamples),
                                conf_level=level, seed=seed)
    ids = m.frame["outcome_id"].astype(str).to_numpy()
    rows = []
    for j, spec in enumerate(specs):
        s1, s1c, st, stc = (float(res[k][j]) for k in ("S1", "S1_conf", "ST", "ST_conf"))
        rows.append((", ".join(ids[spec.rows]), spec.group, spec.assumption,
                     s1, s1 - s1c, s1 + s1c, st, st - stc, st + stc))
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["ST", "group", "parameter"], ascending=[False, True, True], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# deadweight and attribution from a survey
# ---------------------------------------------------------------------------

_YES = {"oui", "yes", "y", "o", "true", "vrai", "1"}
_NO = {"non", "no", "n", "false", "faux", "0"}


def _yes_no(values: pd.Series) -> pd.Series | None:
    """Map a yes/no column to 1.0 / 0.0 (NaN kept); None if it is not a yes/no column."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    text = values.dropna().astype(str).str.strip().str.lower()
    if len(text) and text.isin(_YES | _NO).all() and not pd.api.types.is_numeric_dtype(values):
        mapped = values.astype(str).str.strip().str.lower().map(lambda v: 1.0 if v in _YES else 0.0)
        return mapped.where(values.notna())
    return None


def _bootstrap_mean(x: np.ndarray, rng: np.random.Generator, n_boot: int, level: float) -> tuple[float, float]:
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    means = x[idx].mean(axis=1)
    a = (1 - level) / 2
    lo, hi = np.quantile(means, [a, 1 - a])
    return float(lo), float(hi)


def from_survey(
    responses: pd.DataFrame,
    *,
    anyway: str | None = None,
    share: str | None = None,
    group: str | None = None,
    anyway_scale: tuple[int, int] = (1, 5),
    share_max: float = 100.0,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Estimate deadweight and attribution from survey answers, with intervals.

    Expected columns of ``responses`` (one row per respondent; other columns ignored):

    ``anyway`` (→ deadweight)
        Answer to « Ce changement se serait-il produit sans l'action ? ». Either
        **yes/no** (bool, or text oui/non, yes/no, vrai/faux, or numbers on a two-point
        ``anyway_scale`` such as (0, 1) with the larger = yes): deadweight = share of yes,
        Wilson score interval (statsmodels ``proportion_confint(method="wilson")``); or a
        **Likert scale** ``anyway_scale = (min, max)``, e.g. 1 = « certainement pas » …
        5 = « certainement »: each answer is mapped linearly to a probability
        (x − min) / (max − min) (1 → 0, 3 → 0.5, 5 → 1) and deadweight = the mean,
        with a percentile bootstrap interval.
    ``share`` (→ attribution)
        Answer to « Quelle part de ce changement revient à la structure évaluée ? »
        (« grâce à qui ? ») in [0, ``share_max``] (percent by default): attribution =
        1 − mean share (the part due to others), with a percentile bootstrap interval.
    ``group`` (optional)
        Column of the stakeholder group: one estimate per group, plus ``"all"``.

    Missing answers are dropped per question; ``n`` counts the answers used.

    Returns
    -------
    DataFrame
        ``stakeholder_group, parameter`` (deadweight / attribution), ``estimate, ci_low,
        ci_high, n, method`` (wilson / bootstrap), sorted by group then parameter.

    Notes
    -----
    Asking beneficiaries what would have happened without the action and who else
    contributed is the SROI Guide's (2012, stage 4) suggested source for deadweight
    and attribution; self-reports are subject to recall and social-desirability bias.
    Wilson (1927), *JASA* 22: 209–212; Efron & Tibshirani (1993) for the bootstrap.

    Examples
    --------
    >>> r = pd.DataFrame({"anyway": ["oui", "non", "non", "non"], "share": [50, 100, 80, 70]})
    >>> est = from_survey(r, anyway="anyway", share="share").set_index("parameter")
    >>> float(est.loc["deadweight", "estimate"]), float(est.loc["attribution", "estimate"])
    (0.25, 0.25)
    """
    if anyway is None and share is None:
        raise ValueError("give at least one of anyway= (deadweight) or share= (attribution)")
    for col in (anyway, share, group):
        if col is not None and col not in responses.columns:
            raise ValueError(f"column {col!r} not in the responses (columns: {', '.join(map(str, responses.columns))})")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    rng = np.random.default_rng(seed)
    data = responses.reset_index(drop=True)

    anyway_values: pd.Series | None = None
    anyway_method = ""
    if anyway is not None:
        yn = _yes_no(data[anyway])
        if yn is not None:
            anyway_values, anyway_method = yn, "wilson"
        else:
            lo_s, hi_s = anyway_scale
            if not hi_s > lo_s:
                raise ValueError(f"anyway_scale must be (min, max) with max > min, got {anyway_scale}")
            x = pd.to_numeric(data[anyway], errors="coerce").astype("float64")
            bad = data[anyway].notna() & (x.isna() | (x < lo_s) | (x > hi_s) | (x != x.round()))
            if bad.any():
                raise ValueError(
                    f"column {anyway!r}: answers must be yes/no or whole numbers in {anyway_scale} "
                    f"(row(s) {_rows(bad.to_numpy())})"
                )
            two_point = hi_s - lo_s == 1  # e.g. 0/1 or 1/2: a yes/no question
            anyway_values = (x - lo_s) / (hi_s - lo_s)
            anyway_method = "wilson" if two_point else "bootstrap"
    share_values: pd.Series | None = None
    if share is not None:
        s = pd.to_numeric(data[share], errors="coerce").astype("float64")
        bad = data[share].notna() & (s.isna() | (s < 0) | (s > share_max))
        if bad.any():
            raise ValueError(
                f"column {share!r}: shares must be numbers in [0, {share_max:g}] (row(s) {_rows(bad.to_numpy())}); "
                "set share_max=1 for shares given as fractions"
            )
        share_values = 1.0 - s / share_max

    if group is not None:
        groups = [("all", np.ones(len(data), dtype=bool))] + [
            (str(g), (data[group] == g).to_numpy()) for g in sorted(data[group].dropna().unique(), key=str)
        ]
    else:
        groups = [("all", np.ones(len(data), dtype=bool))]

    rows = []
    for gname, mask in groups:
        if anyway_values is not None:
            x = anyway_values[mask].dropna().to_numpy(dtype="float64")
            if len(x) == 0:
                rows.append((gname, "deadweight", np.nan, np.nan, np.nan, 0, anyway_method))
            elif anyway_method == "wilson":
                k = int(x.sum())
                lo, hi = proportion_confint(k, len(x), alpha=1 - level, method="wilson")
                rows.append((gname, "deadweight", k / len(x), float(lo), float(hi), len(x), "wilson"))
            else:
                lo, hi = _bootstrap_mean(x, rng, n_boot, level)
                rows.append((gname, "deadweight", float(x.mean()), lo, hi, len(x), "bootstrap"))
        if share_values is not None:
            x = share_values[mask].dropna().to_numpy(dtype="float64")
            if len(x) == 0:
                rows.append((gname, "attribution", np.nan, np.nan, np.nan, 0, "bootstrap"))
            else:
                lo, hi = _bootstrap_mean(x, rng, n_boot, level)
                rows.append((gname, "attribution", float(x.mean()), lo, hi, len(x), "bootstrap"))
    out = pd.DataFrame(
        rows, columns=["stakeholder_group", "parameter", "estimate", "ci_low", "ci_high", "n", "method"]
    )
    out["n"] = out["n"].astype("int64")
    return out.sort_values(["stakeholder_group", "parameter"], kind="stable").reset_index(drop=True)


def apply_estimates(
    impact_map: pd.DataFrame,
    estimates: pd.DataFrame,
    *,
    by: str = "stakeholder_group",
    parameters: Iterable[str] = ("deadweight", "attribution"),
    min_n: int = 1,
) -> pd.DataFrame:
    """Impact map with deadweight / attribution replaced by survey estimates.

    Each outcome takes the estimate of its own ``by`` group when one exists with at
    least ``min_n`` answers, otherwise the ``"all"`` estimate, otherwise keeps its stated
    value. ``estimates`` is the output of :func:`from_survey`. A column
    ``<parameter>_source`` says which ("survey: <group>" or "stated").
    """
    needed = {"stakeholder_group", "parameter", "estimate", "n"}
    if not needed <= set(estimates.columns):
        raise ValueError(f"estimates need columns {sorted(needed)} (output of from_survey)")
    out = impact_map.copy()
    if by not in out.columns:
        raise ValueError(f"impact map has no column {by!r}")
    usable = estimates[(estimates["n"] >= min_n) & estimates["estimate"].notna()]
    for param in parameters:
        table = usable[usable["parameter"] == param].set_index("stakeholder_group")["estimate"]
        own = out[by].astype(str).map(table)
        fallback = table.get("all", np.nan)
        new = own.fillna(fallback)
        source = np.where(own.notna(), "survey: " + out[by].astype(str), np.where(new.notna(), "survey: all", "stated"))
        out[param] = new.fillna(out[param]).astype("float64")
        out[f"{param}_source"] = source
    return out


# ---------------------------------------------------------------------------
# the SROI page in one call, and its key results
# ---------------------------------------------------------------------------
@dataclass
class SROIAnalysis:
    """Everything the SROI page shows, computed once by :func:`analysis`.

    Attributes
    ----------
    result, result_green_book : SROIResult
        At the campaign's rate and at the Green Book rate.
    monte_carlo : MonteCarloResult
    sensitivity, break_even, sobol, warnings : DataFrame
        :func:`sensitivity`, :func:`break_even`, :func:`global_sensitivity`,
        :func:`check_accounting`.
    rate, green_book_rate : float
    grouped : bool
        True when the tables are dated: the cohorts of one outcome share their draws.
    outcome_names : dict
        ``outcome_id`` → outcome text.
    """

    result: SROIResult
    result_green_book: SROIResult
    monte_carlo: MonteCarloResult
    sensitivity: pd.DataFrame
    break_even: pd.DataFrame
    sobol: pd.DataFrame
    warnings: pd.DataFrame
    rate: float
    green_book_rate: float
    grouped: bool
    outcome_names: dict
    sobol_n: int = 0


def analysis(impact_map: pd.DataFrame, inputs: pd.DataFrame, discount_rate: float = DISCOUNT_RATE_FRANCE, *,
             green_book_rate: float = DISCOUNT_RATE_GREEN_BOOK, n_draws: int = 10_000, seed: int | None = 42,
             concentration: float = 20.0, proxy_sigma: float = 0.25, correlation: float = 0.0,
             sobol_n: int = 1024, change: float = 0.2) -> SROIAnalysis:
    """Run the whole SROI page: ratio at two rates, accounting checks, Monte Carlo, tornado,
    break-even values and Sobol indices, with the same assumptions everywhere.

    When the impact map or the inputs are dated (``year``), the cohorts of one outcome (same
    ``outcome`` text) share their draws (``by="outcome"``): it is the same assumption each
    year. See :func:`sroi`, :func:`monte_carlo`, :func:`sensitivity`, :func:`break_even`,
    :func:`global_sensitivity` and :func:`check_accounting` for the methods and their sources.
    """
    dated = bool(impact_map["year"].notna().any()) if "year" in impact_map.columns else False
    if isinstance(inputs, pd.DataFrame) and "year" in inputs.columns:
        dated = dated or bool(inputs["year"].notna().any())
    by = "outcome" if dated else None
    return SROIAnalysis(
        result=sroi(impact_map, inputs, discount_rate),
        result_green_book=sroi(impact_map, inputs, green_book_rate),
        monte_carlo=monte_carlo(impact_map, inputs, discount_rate, n=n_draws, seed=seed, concentration=concentration,
                                proxy_sigma=proxy_sigma, by=by, correlation=correlation),
        sensitivity=sensitivity(impact_map, inputs, discount_rate, change=change),
        break_even=break_even(impact_map, inputs, discount_rate),
        sobol=global_sensitivity(impact_map, inputs, discount_rate, n=sobol_n, seed=seed,
                                 concentration=concentration, proxy_sigma=proxy_sigma, by=by),
        warnings=check_accounting(impact_map, inputs),
        rate=float(discount_rate), green_book_rate=float(green_book_rate), grouped=dated,
        outcome_names=impact_map.set_index("outcome_id")["outcome"].astype(str).to_dict(),
        sobol_n=int(sobol_n),
    )


def parameter_label(parameter: str, group: str, outcome_names: dict | None = None, grouped: bool = False) -> str:
    """French label of one uncertain assumption: « Effet d'aubaine — Emplois créés ».

    ``group`` is the outcome text when the cohorts are grouped, else an ``outcome_id`` looked
    up in ``outcome_names``.

    >>> parameter_label("deadweight", "o1", {"o1": "Emplois créés"})
    "Effet d'aubaine — Emplois créés"
    """
    where = group if grouped else (outcome_names or {}).get(group, group)
    return f"{ASSUMPTION_LABELS.get(parameter, parameter)} — {where}"


def _pct_text(value: float, decimals: int = 1) -> str:
    from rd_methods.formats import format_pct

    return format_pct(value, decimals)


def key_results(a: SROIAnalysis) -> pd.DataFrame:
    """The key results of the SROI page, one row per recorded figure (one definition each).

    ``sroi.ratio`` with the Monte Carlo 95 % interval, the Green Book ratio, present value,
    inputs, net present value, payback, the share of draws below 1, the accounting warnings,
    the rate and period, the most influential assumption (largest total Sobol index) and the
    break-even values (common proxy factor, common deadweight and attribution, the smallest
    relative change of one assumption of one outcome that brings the ratio to 1).

    Returns
    -------
    DataFrame
        ``key, value, label, unit, ci_low, ci_high, note`` (for
        :func:`rd_methods.results.record_frame`).
    """
    from rd_methods.formats import format_number

    res, mc = a.result, a.monte_carlo
    ci_low, ci_high = mc.ci
    nan = float("nan")
    rows: list[tuple] = []

    def add(key, value, label, unit=None, ci=(nan, nan), note=None):
        rows.append((key, value, label, unit, ci[0], ci[1], note))

    w = a.warnings
    add("sroi.n_accounting_warnings", len(w), "Avertissements comptables du SROI (période, stock, double compte)",
        note="; ".join(sorted(set(w["check"]))) if len(w) else None)
    add("sroi.discount_rate", a.rate, "Taux d'actualisation du SROI", "part",
        note="France Stratégie 2021 : 1,2 % sans risque et 2 % de prime de risque, bêta de 1"
        if abs(a.rate - DISCOUNT_RATE_FRANCE) < 1e-12 else "taux de la campagne")
    if res.period:
        add("sroi.period_first_year", res.period[0], "Première année comptée dans le SROI")
        add("sroi.period_last_year", res.period[1], "Dernière année comptée dans le SROI")
    add("sroi.ratio", res.ratio, "Ratio SROI", "€ par € investi", (ci_low, ci_high),
        f"intervalle à 95 % de {format_number(mc.n, 0)} tirages Monte Carlo, taux {_pct_text(a.rate)}"
        + (f", ressources et résultats {res.period[0]}–{res.period[1]}" if res.period else ""))
    add("sroi.ratio_green_book", a.result_green_book.ratio,
        f"Ratio SROI au taux du Green Book ({_pct_text(a.green_book_rate)})", "€ par € investi",
        note=f"taux {_pct_text(a.green_book_rate)}, convention Social Value UK")
    add("sroi.present_value", res.present_value, "Valeur sociale actualisée", "€")
    add("sroi.total_inputs", res.total_inputs, "Ressources investies (actualisées)", "€")
    add("sroi.net_present_value", res.net_present_value, "Valeur actualisée nette", "€")
    paid = res.payback_years == res.payback_years
    add("sroi.payback_years", res.payback_years, "Délai de retour",
        ("an" if res.payback_years < 2 else "ans") if paid else None, note=None if paid else "non atteint")
    add("sroi.prob_ratio_below_one", mc.prob_below_one, "Probabilité que le ratio soit inférieur à 1",
        note="part des tirages de Monte Carlo")
    if not a.sobol.empty:
        lead = a.sobol.iloc[0]
        add("sroi.sobol_top_parameter", parameter_label(lead["parameter"], lead["group"], a.outcome_names, a.grouped),
            "Hypothèse qui pèse le plus sur le ratio (plus grand indice de Sobol total)")
        add("sroi.sobol_top_st", lead["ST"], "Indice de Sobol total de cette hypothèse",
            ci=(lead["ST_ci_low"], lead["ST_ci_high"]),
            note=f"intervalle bootstrap à 95 %, échantillon de Sobol de base {a.sobol_n}")
    idx = a.break_even.set_index(["assumption", "scope", "outcome_id"])["break_even"]
    dw_all, attr_all = idx.loc[("deadweight", "global", "all")], idx.loc[("attribution", "global", "all")]
    add("sroi.break_even_proxy_factor", idx.loc[("proxy_eur", "global", "all")],
        "Facteur commun des valeurs de référence ramenant le ratio à 1")
    add("sroi.break_even_deadweight_all", dw_all, "Effet d'aubaine commun ramenant le ratio à 1",
        note="jamais" if dw_all != dw_all else None)
    add("sroi.break_even_attribution_all", attr_all, "Attribution commune ramenant le ratio à 1",
        note="jamais" if attr_all != attr_all else None)
    single = nearest_single_break_even(a.break_even)
    if single is not None:
        add("sroi.break_even_min_relative_change", single["relative_change"],
            "Plus petite variation d'une seule hypothèse ramenant le ratio à 1",
            note=f"{ASSUMPTION_LABELS[single['assumption']]} — {a.outcome_names.get(single['outcome_id'])}")
    else:
        add("sroi.break_even_min_relative_change", None,
            "Plus petite variation d'une seule hypothèse ramenant le ratio à 1",
            note="aucune hypothèse isolée ne suffit")
    out = pd.DataFrame(rows, columns=["key", "value", "label", "unit", "ci_low", "ci_high", "note"])
    out["value"] = pd.Series([r[1] for r in rows], dtype=object)  # an integer count stays an integer
    return out


def nearest_single_break_even(be: pd.DataFrame) -> pd.Series | None:
    """The break-even row of one assumption of one outcome nearest to its stated value (None if none).

    ``be`` is :func:`break_even`'s table (sorted by distance to the stated value).
    """
    single = be[(be["scope"] == "outcome") & (be["status"] == "found") & be["relative_change"].notna()]
    return single.iloc[0] if len(single) else None


def sensitivity_label(assumption: str, outcome_id: str, outcome_names: dict | None = None, dated: bool = False) -> str:
    """French label of one tornado bar: « Effet d'aubaine — tous les résultats ».

    With dated tables the cohort year (the ``-YYYY`` end of the outcome id) is named.

    >>> sensitivity_label("duration_years", "o1-2019", {"o1-2019": "Emplois créés"}, dated=True)
    'Durée, ± 1 an au moins — Emplois créés, cohorte 2019'
    """
    name = ASSUMPTION_LABELS.get(assumption, assumption)
    if assumption == "duration_years":
        name += ", ± 1 an au moins"
    if outcome_id == "all":
        return f"{name} — tous les résultats"
    where = (outcome_names or {}).get(outcome_id, outcome_id)
    cohort = str(outcome_id).rsplit("-", 1)[-1]
    if dated and cohort.isdigit():
        where += f", cohorte {cohort}"
    return f"{name} — {where}"


def break_even_value_text(assumption: str, scope: str, value: float, masked_below: int | None = None) -> str:
    """A stated or break-even value of :func:`break_even`, in French.

    A common factor (« × 0,52 ») for global quantities, proxies and inputs; a percentage for
    shares and the rate; euros for a proxy; « jamais » when the ratio never reaches 1; a small
    count of people below ``masked_below`` is shown as « < 5 » (statistical secrecy).

    >>> break_even_value_text("proxy_eur", "global", 0.52), break_even_value_text("deadweight", "outcome", 0.415)
    ('× 0,52', '41,5\\xa0%')
    >>> break_even_value_text("quantity", "outcome", 3.0, masked_below=5), break_even_value_text("attribution", "global", float("nan"))
    ('< 5', 'jamais')
    """
    from rd_methods.formats import format_eur, format_number, format_pct

    if value != value:
        return "jamais"
    if scope == "global" and assumption in ("quantity", "proxy_eur", "inputs"):
        return f"× {format_number(value, 2)}"
    if assumption in PROPORTIONS or assumption == "discount_rate":
        return format_pct(value, 1)
    if assumption == "proxy_eur":
        return format_eur(value)
    if masked_below is not None and assumption == "quantity" and 0 < value < masked_below:
        return f"< {masked_below}"
    return format_number(value)


@dataclass
class SurveyAdjustment:
    """Deadweight and attribution measured by the survey, and the SROI they give (:func:`survey_adjustment`)."""

    wave: int
    estimates: pd.DataFrame
    result: SROIResult
    monte_carlo: MonteCarloResult


def survey_adjustment(impact_map: pd.DataFrame, inputs: pd.DataFrame, responses: pd.DataFrame,
                      discount_rate: float, *, anyway: str | None = None, share: str | None = None,
                      items: pd.DataFrame | None = None, min_n: int = 5, seed: int | None = 42,
                      n_draws: int = 10_000, concentration: float = 20.0, proxy_sigma: float = 0.25,
                      by: str | None = None, correlation: float = 0.0) -> SurveyAdjustment:
    """The SROI with deadweight and attribution measured by the last survey wave.

    :func:`from_survey` on the last ``wave`` of ``responses`` by ``stakeholder_group`` (the
    scale of ``anyway`` and the maximum of ``share`` read from ``items``, the ``survey_items``
    table, when given), groups with fewer than ``min_n`` answers dropped, :func:`apply_estimates`
    on the impact map, then :func:`sroi` and :func:`monte_carlo` where the survey's intervals, not
    hand-set spreads, drive the uncertainty of deadweight and attribution.
    """
    if not (anyway or share):
        raise ValueError("survey_adjustment needs the item of « anyway » (deadweight) or « share » (attribution)")
    kwargs: dict = {}
    idx = items.set_index("item_id") if items is not None else None
    if anyway:
        kwargs["anyway"] = anyway
        if idx is not None and anyway in idx.index:
            kwargs["anyway_scale"] = (int(idx.at[anyway, "min"]), int(idx.at[anyway, "max"]))
    if share:
        kwargs["share"] = share
        if idx is not None and share in idx.index:
            kwargs["share_max"] = float(idx.at[share, "max"])
    wave = int(responses["wave"].max())
    est = from_survey(responses[responses["wave"] == wave], group="stakeholder_group", seed=seed, **kwargs)
    est = est[est["n"] >= min_n].reset_index(drop=True)
    adjusted = apply_estimates(impact_map, est, min_n=min_n)
    mc = monte_carlo(adjusted, inputs, discount_rate, n=n_draws, seed=seed, concentration=concentration,
                     proxy_sigma=proxy_sigma, by=by, correlation=correlation, intervals=est, min_n=min_n)
    return SurveyAdjustment(wave=wave, estimates=est, result=sroi(adjusted, inputs, discount_rate), monte_carlo=mc)
