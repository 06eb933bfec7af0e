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

__all__ = ["parameters_cell", "inspect_parameters"]


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
