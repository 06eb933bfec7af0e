"""The notebooks of the repository: find them, select ``--only``, type ``--param``, pick the kernel."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rd_methods import paths
from rd_methods import results as _results
from rd_methods.errors import RdMethodsError
from rd_methods.publish import cache as _cache
from rd_methods.publish.tasks import NotebookSpec

__all__ = ["NOTEBOOK_PATTERN", "discover_notebooks", "select_notebooks", "typed_overrides", "detect_kernel"]

NOTEBOOK_PATTERN = re.compile(r"^(\d\d)_[A-Za-z0-9_\-]+$")


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
