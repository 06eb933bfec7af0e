"""Data-aware reuse of executed notebooks: rerun only what changed.

A notebook's executed copy (and its pages) from the previous published run is reused when
nothing it depends on has changed. Its *inputs key* (:func:`inputs_key`) is a sha256 over:

- the notebook file itself (its bytes) and the parameters it runs with;
- the content of every table it reads (:func:`notebook_tables`: the tables its metadata
  ``rd_methods.requires`` declares, the tables its code names, and ``actors``, which
  pseudonymisation uses), hashed from the typed tables (:func:`table_digest`), so that a
  CSV re-saved with another encoding or moved into a workbook changes nothing;
- the campaign's settings (``campaign.yml``);
- the source of the ``rd_methods`` package (:func:`package_digest`) and the versions of
  Python and of the recorded packages, and the kernel;
- for a synthesis notebook (``9N_``), the results recorded by the other notebooks.

Like Jupyter Book's execution cache or Quarto's ``freeze``, but aware of the data: change one
survey answer and only the survey notebook and the synthesis run again. ``rd-methods run
--force`` executes everything (or the ``--only`` notebooks) regardless.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["table_digest", "package_digest", "notebook_tables", "results_digest", "inputs_key"]

_package_digest: str | None = None


def table_digest(table: pd.DataFrame) -> str:
    """sha256 of a typed table's content: columns, dtypes and every value (row order counts).

    >>> a = pd.DataFrame({"x": [1, 2], "y": ["a", None]})
    >>> table_digest(a) == table_digest(a.copy()), table_digest(a) == table_digest(a.iloc[::-1])
    (True, False)
    """
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in table.dtypes.items()]).encode())
    if len(table):
        h.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return h.hexdigest()


def package_digest() -> str:
    """sha256 of every file of the installed ``rd_methods`` package (code, templates, data),
    computed once per process."""
    global _package_digest
    if _package_digest is None:
        root = Path(__file__).resolve().parents[1]
        h = hashlib.sha256()
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                h.update(path.relative_to(root).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(path.read_bytes()).digest())
        _package_digest = h.hexdigest()
    return _package_digest


def notebook_tables(nb: Mapping[str, Any], known: Iterable[str]) -> tuple[str, ...]:
    """Tables a notebook may read: those its metadata requires, those its code names as a
    string literal (``camp["ties"]``, ``camp.has("outcomes")``), and ``actors``.

    >>> nb = {"metadata": {"rd_methods": {"requires": ["events"]}},
    ...       "cells": [{"cell_type": "code", "source": 'if camp.has("ties"): t = camp["ties"]'}]}
    >>> notebook_tables(nb, ["actors", "events", "ties", "jobs"])
    ('actors', 'events', 'ties')
    """
    code = "\n".join(
        "".join(c.get("source", "")) for c in nb.get("cells", []) if c.get("cell_type") == "code"
    )
    required = set((nb.get("metadata", {}).get("rd_methods", {}) or {}).get("requires", []) or [])
    named = {t for t in known if re.search(rf"""["']{re.escape(t)}["']""", code)}
    return tuple(sorted(required | named | {"actors"}))


def results_digest(results: pd.DataFrame) -> str:
    """sha256 of recorded results (:func:`rd_methods.results.collect`), whatever their order."""
    if results is None or not len(results):
        return hashlib.sha256(b"no results").hexdigest()
    ordered = results.sort_values(list(results.columns[:1])).reset_index(drop=True)
    text = ordered.to_json(orient="records", force_ascii=False, double_precision=15)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_key(*, notebook: bytes, parameters: Mapping[str, Any], tables: Mapping[str, str],
               settings: Mapping[str, Any], environment: Mapping[str, Any], upstream: str | None = None) -> str:
    """The sha256 that decides whether a notebook's previous execution can be reused.

    ``tables``: table name → :func:`table_digest` (``"absent"`` for a missing table);
    ``environment``: package digest, versions, kernel; ``upstream``: for a synthesis, the
    :func:`results_digest` of what the other notebooks recorded.
    """
    payload = {
        "notebook": hashlib.sha256(notebook).hexdigest(),
        "parameters": {k: parameters[k] for k in sorted(parameters)},
        "tables": dict(sorted(tables.items())),
        "settings": settings,
        "environment": environment,
        "upstream": upstream,
    }
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
