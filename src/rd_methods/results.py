"""Key results: record them inside notebooks, collect them from executed notebooks.

A notebook calls :func:`record` for each figure that matters. The result is displayed
as a readable French line *and* carried in the executed notebook as a custom MIME output
(``application/vnd.rd-methods.result+json``), so that the runner, the site index,
``results.json`` and ``rd-methods reproduce`` can read it back with :func:`collect`
without re-running anything.

Keys are ``<topic>.<name>`` in snake_case (e.g. ``value_chain.leverage_overall``) and
stay stable across campaigns: comparison and reproduction match results by key.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable
from numbers import Number
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "MIME_TYPE",
    "KEY_PATTERN",
    "record",
    "record_frame",
    "key_frame",
    "collect",
    "collect_empty",
    "read_notebook",
    "campaign_results",
    "to_json",
    "format_result",
]

MIME_TYPE = "application/vnd.rd-methods.result+json"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_]+(\.[a-z0-9_]+)*$")
COLUMNS = ["key", "value", "label", "unit", "ci_low", "ci_high", "note", "notebook"]


def _plain(value: Any) -> Any:
    """Convert numpy / pandas scalars to plain JSON-able Python values."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Number):
        value = float(value)
        return None if math.isnan(value) else value
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    raise TypeError(f"a recorded value must be a number, a string or a boolean, not {type(value).__name__}")


def format_result(payload: dict[str, Any]) -> str:
    """One readable French line for a recorded result, written as the campaign index writes it.

    Shares as percentages, p-values « < 0,001 », one precision for the value and its bounds,
    « référence » for a comparison band (:func:`rd_methods.conclusions.format_result_value`).

    >>> format_result({"key": "sroi.ratio", "label": "Ratio SROI", "value": 0.5222, "unit": "€ par € investi",
    ...                "ci": [0.3717, 0.7595], "note": None})
    '**Ratio SROI** : 0,52\xa0€ par € investi (intervalle\xa0: [0,37\xa0; 0,76])'
    """
    from rd_methods.conclusions import format_result_value

    low, high = payload.get("ci") or (None, None)
    text = f"**{payload['label']}** : " + format_result_value(
        payload.get("key", ""), payload["value"], payload.get("unit"), low, high, payload.get("note"))
    if payload.get("note"):
        text += f" — {payload['note']}"
    return text


class RecordedResult(dict):
    """The payload returned by :func:`record`: a plain dict that IPython does not echo.

    (The readable line is already displayed; a ``record(...)`` call as the last line of a
    cell must not add the raw dict below it.)
    """

    def _ipython_display_(self) -> None:
        return None


def record(
    key: str,
    value: Any,
    *,
    label: str,
    unit: str | None = None,
    ci: Iterable[float] | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Record one key result of a notebook.

    Parameters
    ----------
    key : str
        ``<topic>.<name>`` in snake_case, stable across campaigns.
    value : number, str or bool
        The estimate. numpy scalars are converted; NaN becomes ``None``.
    label : str
        Short French label shown to readers.
    unit : str, optional
        Unit shown after the value (``"€"``, ``"%"``, ``"ETP"``…).
    ci : (low, high), optional
        Interval around the value (say which one in ``note`` or the narrative).
    note : str, optional
        A short French remark (method, interval level, caveat).

    Returns
    -------
    dict
        The payload as stored in the notebook.

    Examples
    --------
    >>> from rd_methods import results
    >>> p = results.record("sroi.ratio", 2.5, label="Ratio SROI", ci=(1.8, 3.1))
    >>> p["ci"]
    [1.8, 3.1]
    """
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise ValueError(f"result key {key!r} must look like '<topic>.<name>' in snake_case")
    if not label:
        raise ValueError(f"result {key!r} needs a label")
    payload: dict[str, Any] = RecordedResult({
        "key": key,
        "value": _plain(value),
        "label": str(label),
        "unit": unit,
        "ci": None,
        "note": note,
    })
    if ci is not None:
        low, high = (_plain(v) for v in ci)
        payload["ci"] = [low, high]
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(
                {
                    MIME_TYPE: payload,
                    "text/markdown": format_result(payload),
                    "text/plain": format_result(payload).replace("**", ""),
                },
                raw=True,
            )
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        pass
    return payload


KEY_COLUMNS = ["key", "value", "label", "unit", "ci_low", "ci_high", "note"]


def key_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A key-results table from row dicts, values kept as given (a count stays an ``int``).

    ``pd.DataFrame(rows)`` would turn the ``value`` column into floats as soon as one value
    is a float (27 projects recorded as 27.0): modules' ``key_results`` build their table here.

    >>> key_frame([{"key": "a.n", "value": 27, "label": "N"}, {"key": "a.x", "value": 0.5, "label": "X"}])["value"].tolist()
    [27, 0.5]
    """
    frame = pd.DataFrame(rows, columns=KEY_COLUMNS)
    frame["value"] = pd.Series([row.get("value") for row in rows], index=frame.index, dtype=object)
    return frame


def record_frame(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Record every row of a key-results table, in order (see :func:`record`).

    The table is what a method module's ``key_results(...)`` returns: one row per figure with
    the columns ``key``, ``value``, ``label`` and optionally ``unit``, ``ci_low``, ``ci_high``
    and ``note`` (missing values are left out). Computing the figures in a tested package
    function and recording them here keeps one definition per figure across pages.

    >>> import pandas as pd
    >>> rows = record_frame(pd.DataFrame([
    ...     {"key": "sroi.ratio", "value": 0.52, "label": "Ratio SROI", "ci_low": 0.37, "ci_high": 0.76},
    ...     {"key": "sroi.rate", "value": 0.032, "label": "Taux", "ci_low": None, "ci_high": None}]))
    >>> [r["ci"] for r in rows]
    [[0.37, 0.76], None]
    """
    missing = {"key", "value", "label"} - set(frame.columns)
    if missing:
        raise ValueError(f"a key-results table needs the columns {sorted(missing)}")

    def given(row, name):
        value = row.get(name)
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    payloads = []
    for row in frame.to_dict("records"):
        low, high = given(row, "ci_low"), given(row, "ci_high")
        payloads.append(record(row["key"], row["value"], label=row["label"], unit=given(row, "unit"),
                               ci=None if low is None or high is None else (low, high), note=given(row, "note")))
    return payloads


def read_notebook(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A notebook file as plain JSON (a dict), read without :mod:`nbformat`.

    Version 4 notebooks (what Jupyter, papermill and nbconvert write) are read as they
    are, multi-line strings joined as :func:`nbformat.read` joins them; older ones go
    through :func:`nbformat.read`. Reading a notebook this way costs
    milliseconds, where importing nbformat costs more than a second (its JSON-schema
    dependency compiles grammars at import), once per process: the publisher and the
    synthesis notebook read results without it.
    """
    path = Path(path)
    nb = json.loads(path.read_text("utf-8"))
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        import nbformat

        return nbformat.read(path, as_version=4)
    # multi-line strings are stored as lists of lines: join them, as nbformat's reader does
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        for output in cell.get("outputs") or []:
            if isinstance(output.get("text"), list):
                output["text"] = "".join(output["text"])
            data = output.get("data") or {}
            for mime, value in data.items():
                if isinstance(value, list) and not mime.endswith("json"):
                    data[mime] = "".join(value)
    return nb


def _from_notebook(path: Path) -> list[dict[str, Any]]:
    nb = read_notebook(path)
    rows: list[dict[str, Any]] = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {})
            if MIME_TYPE in data:
                payload = dict(data[MIME_TYPE])
                ci = payload.pop("ci", None) or [None, None]
                payload["ci_low"], payload["ci_high"] = ci
                payload["notebook"] = path.stem
                rows.append(payload)
    return rows


def collect(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the recorded results back from an executed notebook or a folder of them.

    Returns a tidy DataFrame with columns ``key, value, label, unit, ci_low, ci_high,
    note, notebook``, one row per result, sorted by notebook then key. When a key is
    recorded twice in one notebook, the last value wins (as the reader saw it last).
    """
    path = Path(path)
    files = sorted(path.glob("*.ipynb")) if path.is_dir() else [path]
    rows = [row for f in files for row in _from_notebook(f)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    # keep values as recorded (an int stays an int, a text stays a text)
    frame["value"] = pd.Series([r.get("value") for r in rows], dtype=object)
    frame = frame.drop_duplicates(subset=["notebook", "key"], keep="last")
    return frame.sort_values(["notebook", "key"], kind="stable").reset_index(drop=True)


def collect_empty() -> pd.DataFrame:
    """An empty results table with the columns of :func:`collect`."""
    return pd.DataFrame(columns=COLUMNS)


def campaign_results(campaign: str, results_dir: str | os.PathLike[str] | None = "") -> pd.DataFrame:
    """Results of a campaign's notebooks, for a synthesis notebook.

    During ``rd-methods run``, the runner passes ``results_dir`` (the folder of this run's
    executed notebooks; also in the ``RD_METHODS_RUN_DIR`` environment variable) to
    notebooks that declare it; run by hand, the published ``reports/<campaign>/`` is read.
    Synthesis notebooks (``9N_*``) are left out. An absent folder gives an empty table.
    """
    from rd_methods import paths

    folder = Path(results_dir or os.environ.get("RD_METHODS_RUN_DIR") or paths.reports_dir() / campaign)
    if not folder.is_dir():
        return collect_empty()
    frame = collect(folder)
    return frame[~frame["notebook"].str.match(r"^9\d_")].reset_index(drop=True)


def to_json(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """``results.json`` content: key → value, label, unit, ci, note, notebook.

    A key recorded by two notebooks keeps the first notebook's value (in notebook order).
    """
    out: dict[str, dict[str, Any]] = {}
    for row in frame.sort_values(["notebook", "key"], kind="stable").itertuples(index=False):
        if row.key in out:
            continue

        def clean(v: Any) -> Any:
            return None if v is None or (isinstance(v, float) and math.isnan(v)) else _plain(v)

        low, high = clean(row.ci_low), clean(row.ci_high)
        out[row.key] = {
            "value": clean(row.value),
            "label": row.label,
            "unit": clean(row.unit),
            "ci": None if low is None and high is None else [low, high],
            "note": clean(row.note),
            "notebook": row.notebook,
        }
    return dict(sorted(out.items()))
