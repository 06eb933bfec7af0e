"""The parameters a notebook declares (its cell tagged ``parameters``).

papermill's :func:`papermill.inspect_notebook` skips a line holding two ``=`` signs, so it
loses a parameter whose help text contains one (``# help: vide = data/raw du projet``).
:func:`inspect_parameters` reads the cell with :mod:`ast` and :mod:`tokenize` instead: the
name, the annotation, the literal default and the trailing ``# help`` comment of every
assignment.
"""

from __future__ import annotations

import ast
import io
import os
import tokenize
from pathlib import Path
from typing import Any

from rd_methods.results import read_notebook

__all__ = ["parameters_cell", "inspect_parameters", "RESERVED", "parse_assignments", "coerce"]


def parameters_cell(nb: Any) -> Any | None:
    """The first code cell tagged ``parameters`` (or ``None``); ``nb`` is an nbformat node
    or a plain dict (:func:`rd_methods.results.read_notebook`)."""
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


def _comments(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return out


def inspect_parameters(notebook: str | os.PathLike[str] | Any) -> list[dict[str, Any]]:
    """Parameters of a notebook: ``name``, ``type``, ``default`` (source text), ``help``, ``literal``.

    ``literal`` says whether the default is a Python literal (the convention). A cell that
    is not valid Python raises :class:`SyntaxError`.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell('campaign: str = "demo-2025"  # help: vide = défaut')
    >>> cell.metadata["tags"] = ["parameters"]
    >>> nb.cells.append(cell)
    >>> inspect_parameters(nb)[0]["help"]
    'vide = défaut'
    """
    nb = notebook if isinstance(notebook, dict) else read_notebook(Path(notebook))
    cell = parameters_cell(nb)
    if cell is None:
        return []
    source = cell.get("source", "")
    tree = ast.parse(source)
    comments = _comments(source)
    params = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation, value = node.target.id, ast.get_source_segment(source, node.annotation), node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation, value = node.targets[0].id, None, node.value
        else:
            continue
        default = ast.get_source_segment(source, value) if value is not None else None
        try:
            ast.literal_eval(value) if value is not None else None
            literal = value is not None
        except ValueError:
            literal = False
        help_text = comments.get(node.end_lineno, "")
        if help_text.lower().startswith("help:"):
            help_text = help_text[5:].strip()
        elif help_text.lower().startswith("help"):
            help_text = help_text[4:].strip()
        params.append({"name": name, "type": annotation, "default": default, "help": help_text,
                       "literal": literal, "has_help_comment": node.end_lineno in comments})
    return params


#: parameters the runner sets itself: ``--param`` cannot change them
RESERVED = frozenset({"campaign", "campaigns", "data_dir", "results_dir"})
_TRUE = {"true", "1", "yes", "oui", "vrai"}
_FALSE = {"false", "0", "no", "non", "faux"}


def parse_assignments(items: Any) -> dict[str, str]:
    """``["n_draws=200", "alpha=0.1"]`` → ``{"n_draws": "200", "alpha": "0.1"}`` (``--param``).

    >>> parse_assignments(["n_draws=200", "label=a=b"])
    {'n_draws': '200', 'label': 'a=b'}
    """
    from rd_methods.errors import RdMethodsError

    out: dict[str, str] = {}
    for item in items or ():
        name, sep, value = str(item).partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise RdMethodsError(f"--param attend NOM=VALEUR, pas « {item} »", hint="par exemple --param n_draws=200")
        if name in RESERVED:
            raise RdMethodsError(f"le paramètre {name} est fixé par le lanceur", hint="choisir la campagne en argument")
        out[name] = value
    return out


def coerce(name: str, value: str, declared: dict[str, Any]) -> Any:
    """``value`` (text from the command line) typed as the parameters cell declares ``name``:
    its annotation (``int``, ``float``, ``bool``, ``str``), else the type of its default;
    other types are read as Python literals. A value that does not fit raises a clear error.

    >>> coerce("n", "200", {"name": "n", "type": "int", "default": "100"})
    200
    >>> coerce("alpha", "0,1", {"name": "alpha", "type": "float", "default": "0.05"})
    0.1
    >>> coerce("draw", "non", {"name": "draw", "type": "bool", "default": "True"})
    False
    """
    from rd_methods.errors import RdMethodsError

    kind = (declared.get("type") or "").strip()
    if not kind and declared.get("default") is not None:
        try:
            kind = type(ast.literal_eval(declared["default"])).__name__
        except (ValueError, SyntaxError):
            kind = ""
    text = value.strip()
    try:
        if kind == "str":
            return value
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
        if kind == "bool":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError(text)
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise RdMethodsError(
            f"--param {name}={value} : valeur invalide pour un paramètre de type {kind or 'littéral Python'}",
            hint=f"défaut dans le notebook : {name} = {declared.get('default')}",
        ) from None
